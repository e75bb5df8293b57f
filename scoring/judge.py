"""The judge the engine is given: tone flags of a reply, from scoring's tone model.

The engine never imports scoring (layers stay one-way); whoever starts a session passes this.
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.scenario.model import Post

from .tone import ToneContext, analyze


def tone_judge(text: str, post: Post | None) -> Sequence[str]:
    """Tone flags of ``text`` answering ``post`` (None for a public update)."""
    ctx = ToneContext(
        kind="reply" if post is not None else "update",
        post_text=post.text if post else "",
        author_name=post.name if post else "",
        author_handle=post.handle if post else "",
    )
    return analyze(text, ctx).flags
