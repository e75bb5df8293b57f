"""What a trainee (or a bot) can do, and the engine's answers."""

from __future__ import annotations

from dataclasses import dataclass

from sim.scenario.model import PlanStep

from .reading import action_text

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


@dataclass(frozen=True)
class OwnAction:
    """An action the session accepted, as the trainee's own record."""

    seq: int
    t: float
    kind: str
    text: str = ""
    post_id: str | None = None
    steps: tuple[PlanStep, ...] = ()
    next_update: str = ""

    @property
    def public(self) -> bool:
        return self.kind in ("reply", "update", "plan")

    @property
    def statement(self) -> bool:
        return self.kind in ("update", "plan")

    def full_text(self) -> str:
        """The text as the public sees it, plan steps included (the same reading as the debrief's)."""
        return action_text(self.kind, self.text, self.steps, self.next_update)


def action_from_event(ev: dict[str, object]) -> Action:
    """Rebuild an action from its journal event (for resume)."""
    kind = ev.get("kind")
    text = str(ev.get("text") or "")
    post = str(ev.get("post") or "")
    if kind == "reply":
        return ReplyAction(post, text)
    if kind == "private":
        return PrivateAction(post, text)
    if kind == "update":
        return UpdateAction(text)
    if kind == "plan":
        raw = ev.get("steps")
        steps = tuple(
            PlanStep(str(s.get("what", "")), str(s.get("who", "")), str(s.get("when", "")))
            for s in (raw if isinstance(raw, list) else [])
            if isinstance(s, dict)
        )
        return PlanAction(text, steps, str(ev.get("next_update") or ""))
    return EndAction()
