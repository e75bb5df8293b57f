"""The console's coaching hooks (``stormdrill play --coach``): hints as notices, and the draft check.

Kept out of the console screen: it calls :func:`show_hints` with the hints each tick publishes
(``sim.tui.messages.HintsArrived``) and :func:`check_draft` on its check key. The rules themselves
are in ``scoring.coach``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from scoring.coach import DraftCheck, Hint

if TYPE_CHECKING:
    from textual.screen import Screen

    from sim.tui.game import Game

HINT_SECONDS = 12  # how long a hint stays on screen (wall time)


def show_hints(screen: Screen[None], hints: Sequence[Hint]) -> None:
    """Show the hints the game's coach raised."""
    for hint in hints:
        urgent = hint.rule in ("coach.flagged", "coach.must_handle", "coach.silence")
        screen.notify(
            hint.text,
            title="Coach",
            severity="warning" if urgent else "information",
            timeout=HINT_SECONDS,
            markup=False,
        )


def check_draft(screen: Screen[None], game: Game, mode: str, text: str, post_id: str | None) -> DraftCheck | None:
    """Judge the composer's draft as if it were sent now and show what the judge says."""
    if not game.coached:
        screen.notify(
            "The draft check is part of coaching: play with `stormdrill play --coach`.",
            title="Draft check",
            severity="warning",
            markup=False,
        )
        return None
    if not text.strip():
        screen.notify("Write a draft first, then check it.", title="Draft check", severity="warning", markup=False)
        return None
    result = game.check_draft(mode, text, post_id)
    bad = bool(result.refused) or result.score < 60
    screen.notify(
        "\n".join(result.lines()),
        title="Draft check",
        severity="warning" if bad else "information",
        timeout=20,
        markup=False,
    )
    return result
