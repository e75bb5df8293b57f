"""What a running game publishes to the screens, as Textual messages.

The app advances the game on a timer and posts only what changed since the last tick to every
screen of the play mode (the console, and a modal over it such as the plan editor); each screen
updates the widgets that show that piece. Nothing polls the game.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.message import Message

from scoring.coach import Hint
from sim.scenario.model import Briefing, Post
from sim.tui.widgets.panels import ChannelItem, Status

if TYPE_CHECKING:
    from textual.app import App

    from sim.tui.game import Changes, Game

__all__ = [
    "BriefingsArrived",
    "ChannelChanged",
    "ClockTicked",
    "GameMessage",
    "HintsArrived",
    "PostsArrived",
    "StatusesChanged",
    "messages_for",
    "publish",
]


class GameMessage(Message, bubble=False):
    """Something changed in the running game."""


class PostsArrived(GameMessage):
    """Posts delivered since the last tick, in arrival order."""

    def __init__(self, posts: Sequence[Post]) -> None:
        super().__init__()
        self.posts = list(posts)


class StatusesChanged(GameMessage):
    """Posts answered in public or moved to private messages: (post id, status)."""

    def __init__(self, changes: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.changes = list(changes)

    @property
    def post_ids(self) -> set[str]:
        return {post_id for post_id, _ in self.changes}


class BriefingsArrived(GameMessage):
    """Briefings delivered since the last tick, or an embargo lifted or the crisis type changed
    (``initial``: everything so far, when a screen opens)."""

    def __init__(self, fresh: Sequence[Briefing], every: Sequence[Briefing], *, initial: bool = False) -> None:
        super().__init__()
        self.fresh = list(fresh)
        self.every = list(every)
        self.initial = initial


class ChannelChanged(GameMessage):
    """The trainee posted or sent something: the public channel and the private messages."""

    def __init__(self, public: Sequence[ChannelItem], private: Sequence[ChannelItem]) -> None:
        super().__init__()
        self.public = list(public)
        self.private = list(private)


class HintsArrived(GameMessage):
    """What the coach says (``stormdrill play --coach``)."""

    def __init__(self, hints: Sequence[Hint]) -> None:
        super().__init__()
        self.hints = list(hints)


class ClockTicked(GameMessage):
    """What the status bar shows changed: the clock, pressure, silence or the promised update."""

    def __init__(self, status: Status) -> None:
        super().__init__()
        self.status = status


def messages_for(game: Game, changes: Changes, *, initial: bool = False) -> list[Callable[[], GameMessage]]:
    """What ``changes`` holds, as makers of messages (one message per screen it is posted to; the
    game is asked once, whatever the number of screens). Nothing for what did not change."""
    out: list[Callable[[], GameMessage]] = []
    if changes.posts:
        out.append(partial(PostsArrived, changes.posts))
    if changes.statuses:
        out.append(partial(StatusesChanged, changes.statuses))
    if changes.briefings or changes.briefings_changed or initial:
        out.append(partial(BriefingsArrived, changes.briefings, game.briefings(), initial=initial))
    if changes.channel:
        out.append(partial(ChannelChanged, game.channel(), game.channel(private=True)))
    if changes.status is not None:
        out.append(partial(ClockTicked, changes.status))
    if changes.hints:
        out.append(partial(HintsArrived, changes.hints))
    return out


def publish(app: App[Any], game: Game, changes: Changes, *, initial: bool = False) -> None:
    """Post what changed to every screen of the current stack (the console, and a modal over it)."""
    makers = messages_for(game, changes, initial=initial)
    if not makers:
        return
    for screen in app.screen_stack:
        for make in makers:
            screen.post_message(make())
