"""One reading of play, shared by the live game and the debrief: what the reply judge is given.

The session (live: injects, pressure) and scoring (the debrief) both build a :class:`JudgeRequest`
with :func:`judge_request`, so the judge sees the same context in both: the text as the public
sees it, the post it answers, the trainee's earlier texts of every kind, the briefings known at
that moment, and the causes the scenario has not confirmed yet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sim.scenario.model import Briefing, PlanStep, Post, Scenario

KINDS = ("reply", "private", "update", "plan")


@dataclass(frozen=True)
class Earlier:
    """One of the trainee's earlier texts, with the poster it answered (for copy-paste in template form)."""

    text: str
    author_name: str = ""
    author_handle: str = ""


@dataclass(frozen=True)
class JudgeRequest:
    text: str
    kind: str  # reply | private | update | plan
    post: Post | None
    earlier: tuple[Earlier, ...]  # oldest first, every kind
    known: tuple[Briefing, ...]  # briefings delivered by now
    unconfirmed: tuple[str, ...]  # the scenario's lines to avoid that still apply (causes not confirmed yet)

    @property
    def public(self) -> bool:
        return self.kind != "private"


class Judgement(Protocol):
    """What the judge says of a text: its flags, and a record the journal keeps for the debrief."""

    @property
    def flags(self) -> tuple[str, ...]: ...

    def to_record(self) -> dict[str, Any]: ...


# The reply judge the session is given (scoring.judge.tone_judge): a judgement, or just the flags.
Judge = Callable[[JudgeRequest], "Judgement | Sequence[str]"]


# What makes a public statement an update: something concrete (a fact, a status, a next step).
SUBSTANCE = frozenset({"informs", "next_step", "safety_instruction"})
NOT_AN_UPDATE = frozenset({"copy_paste", "keyword_list"})


def is_update(kind: str, flags: Sequence[str] | None) -> bool:
    """Whether an action is a public update: an update or a plan with substance, not a copy.

    The one definition the console's silence timer, the injects and the score all use. Empathy words
    are not needed; a fact, a status or a next step is. A pile of stock words with a time at the end
    is not one. ``flags`` None (no judge in this session) counts every statement.
    """
    if kind not in ("update", "plan"):
        return False
    if flags is None:
        return True
    return not NOT_AN_UPDATE.intersection(flags) and bool(SUBSTANCE.intersection(flags))


def action_text(kind: str, text: str, steps: Sequence[PlanStep] = (), next_update: str = "") -> str:
    """The text of an action as the public sees it: a plan's steps (with who and when) included."""
    parts = [text] if text else []
    for s in steps:
        bits = [s.what] + ([f"who: {s.who}"] if s.who else []) + ([f"when: {s.when}"] if s.when else [])
        parts.append(" - " + "; ".join(bits))
    if next_update:
        parts.append(f"Next update: {next_update}")
    return "\n".join(parts)


def unconfirmed_at(scenario: Scenario, t: float, known_ids: set[str]) -> tuple[str, ...]:
    """Claims not confirmed yet at ``t``: the scenario's avoid lines bounded by a time or a briefing,
    still before it. (Lines to avoid at any time are wording, not claims: the score charges them as
    avoid lines, and saying them is not speculation.)"""
    return tuple(
        av.say
        for av in scenario.scoring.avoid
        if (av.until is not None and t < av.until)
        or (av.until_briefing is not None and av.until_briefing not in known_ids)
    )


def judge_request(
    scenario: Scenario,
    t: float,
    kind: str,
    text: str,
    post: Post | None,
    earlier: Sequence[Earlier],
    known: Sequence[Briefing],
) -> JudgeRequest:
    known = tuple(known)
    return JudgeRequest(
        text=text,
        kind=kind,
        post=post,
        earlier=tuple(earlier),
        known=known,
        unconfirmed=unconfirmed_at(scenario, t, {b.id for b in known}),
    )
