"""The console's command-palette providers: jump to a post by handle or words, the next unanswered
must-handle post, open a briefing. Posts and briefings are untrusted text: every hit is ``Content``,
never markup."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.markup import escape

from sim.scenario.model import Post
from sim.scenario.patterns import clock_label
from sim.tui import commands

MAX_HITS = 20


def _one_line(text: str, width: int = 70) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def _post_score(matcher: Matcher, post: Post, words: list[str]) -> float:
    """A found post's rank, on the scale the palette ranks commands on (the fuzzy matcher's, which grows
    with the query): a name or handle typed ("dan") outranks a command whose letters merely occur in
    that order ("End the session and ..."); a name or handle match ranks above words in the text."""
    who = f"{post.handle} {post.name}"
    if any(w in who.lower() for w in words):
        return max(matcher.match(who), 1.0) + 0.5
    return max(matcher.match(post.text), 1.0)


class PostsProvider(Provider):
    """Posts delivered so far, found by handle, name or words; and the next unanswered must-handle post."""

    @property
    def console(self) -> Any:
        return self.screen  # the console screen (the palette is opened over it)

    def _next_must(self) -> tuple[str, str, Callable[[], None]]:
        keys = commands.shown("console.next_must", getattr(self.app, "keymap", None))
        title = f"{commands.BY_ID['console.next_must'].description} ({keys})"
        return title, f"{keys} · select it in the feed", self.console.action_next_must

    def _post_hit(self, post: Post, score: float) -> Hit:
        start = self.console.game.start_minutes
        prompt = Content.assemble(
            ("Post ", "dim"),
            (post.handle, "bold"),
            (f"  {clock_label(start, post.t)}", "dim"),
            ("  MUST" if post.must_handle else "", "bold $error"),
            "  ",
            _one_line(post.text),
        )
        return Hit(
            score,
            prompt,
            partial(self.console.jump_to, post.id),
            text=f"{post.handle} {post.text}",
            help=escape(f"{post.name} · {self.console.game.status_of(post.id)}"),
        )

    async def discover(self) -> Hits:
        title, help_text, run = self._next_must()
        yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        title, help_text, run = self._next_must()
        matcher = self.matcher(query)
        score = matcher.match(title)
        if score > 0:
            yield Hit(score, matcher.highlight(title), run, help=help_text)
        words = query.lower().split()
        if not words:
            return
        from sim.tui.widgets.feed import FeedView

        found = 0
        for post in reversed(self.console.query_one(FeedView).posts):  # the newest first
            handle, rest = post.handle.lower(), f"{post.name} {post.text}".lower()
            if all(w in handle or w in rest for w in words):
                yield self._post_hit(post, _post_score(matcher, post, words))
                found += 1
                if found >= MAX_HITS:
                    return


class BriefingsProvider(Provider):
    """The briefings so far: choosing one shows it in the briefings tab."""

    def _hits(self) -> list[tuple[str, str, Callable[[], None]]]:
        console: Any = self.screen
        out: list[tuple[str, str, Callable[[], None]]] = []
        for b in reversed(console.game.briefings()):
            title = f"Briefing: {_one_line(b.title, 60)}"
            when = clock_label(console.game.start_minutes, b.t)
            help_text = escape(f"{when} · {_one_line(b.text, 60)}")
            out.append((title, help_text, partial(console.open_briefing, b.id)))
        return out

    async def discover(self) -> Hits:
        for title, help_text, run in self._hits():
            yield DiscoveryHit(Content(title), run, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self._hits():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, Content(title), run, text=title, help=help_text)
