"""What a trainee (or a bot) can ask the session to do, and the session's answers.

What the session accepted is a :class:`sim.engine.events.TraineeAction`, the one action record the
engine, the journal and scoring share.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.scenario.model import PlanStep

from .events import TraineeAction

MAX_TEXT = 2000


@dataclass(frozen=True)
class ReplyAction:
    post_id: str
    text: str
    kind: str = "reply"


@dataclass(frozen=True)
class PrivateAction:
    """Move a post to private messages, with the message sent there."""

    post_id: str
    text: str
    kind: str = "private"


@dataclass(frozen=True)
class UpdateAction:
    text: str
    kind: str = "update"


@dataclass(frozen=True)
class PlanAction:
    text: str
    steps: tuple[PlanStep, ...] = ()
    next_update: str = ""
    kind: str = "plan"


@dataclass(frozen=True)
class EndAction:
    kind: str = "end"


Action = ReplyAction | PrivateAction | UpdateAction | PlanAction | EndAction


@dataclass(frozen=True)
class Ack:
    seq: int
    t: float


@dataclass(frozen=True)
class Refusal:
    reason: str


def action_from_record(a: TraineeAction) -> Action:
    """The request that produced a journaled action (for resume)."""
    if a.kind == "reply":
        return ReplyAction(a.post_id or "", a.text)
    if a.kind == "private":
        return PrivateAction(a.post_id or "", a.text)
    if a.kind == "update":
        return UpdateAction(a.text)
    if a.kind == "plan":
        return PlanAction(a.text, a.steps, a.next_update)
    return EndAction()


__all__ = [
    "Ack",
    "Action",
    "EndAction",
    "PlanAction",
    "PrivateAction",
    "Refusal",
    "ReplyAction",
    "TraineeAction",
    "UpdateAction",
    "action_from_record",
]
