"""The score card and its evidence: plain data, serialisable to the documented JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

CARD_FORMAT = 1
GOOD, FAIR = 75, 50  # the bands the debrief colours a score in: good, fair, poor


@dataclass(frozen=True)
class Evidence:
    """One point given or taken, with what, when, which rule and which post or action."""

    t: float  # scenario seconds
    part: str  # speed | tone | plan
    rule: str  # a stable rule id, e.g. "speed.first_statement"
    what: str  # plain-language sentence for the trainee
    points: float  # signed, on the part's 0-100 scale
    ref: str = ""  # post id or "action:<seq>"

    def to_json(self) -> dict[str, Any]:
        return {
            "t": round(self.t, 3),
            "part": self.part,
            "rule": self.rule,
            "what": self.what,
            "points": round(self.points, 2),
            "ref": self.ref,
        }


@dataclass
class PartScore:
    score: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReplyTone:
    """The tone of one trainee text, for the debrief's best and worst replies."""

    t: float
    kind: str  # reply | private | update | plan
    ref: str  # the post answered, or "action:<seq>"
    text: str
    score: int
    flags: tuple[str, ...]
    post_text: str = ""
    why: tuple[str, ...] = ()
    matches: tuple[tuple[str, str], ...] = ()  # (flag, the words that raised it)


@dataclass
class ScoreCard:
    scenario: str
    scenario_title: str
    trainee: str
    seed: int
    total: float
    speed: PartScore
    tone: PartScore
    plan: PartScore
    weights: dict[str, float]
    evidence: list[Evidence]
    replies: list[ReplyTone]
    coaching: list[str]
    must_handle: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)
    coached: bool = False  # played with coaching hints: marked in history and reports

    @property
    def who(self) -> str:
        """The trainee as reports name them, marked when the session was coached."""
        return (self.trainee or "trainee") + (" (coached)" if self.coached else "")

    def to_json(self) -> dict[str, Any]:
        return {
            "format": CARD_FORMAT,
            "scenario": self.scenario,
            "scenario_title": self.scenario_title,
            "trainee": self.trainee,
            "coached": self.coached,
            "seed": self.seed,
            "total": round(self.total, 1),
            "weights": self.weights,
            "speed": {"score": round(self.speed.score, 1), **self.speed.details},
            "tone": {"score": round(self.tone.score, 1), **self.tone.details},
            "plan": {"score": round(self.plan.score, 1), **self.plan.details},
            "evidence": [e.to_json() for e in sorted(self.evidence, key=lambda e: (e.t, e.part, e.rule))],
            "replies": [asdict(r) | {"flags": list(r.flags), "why": list(r.why)} for r in self.replies],
            "must_handle": self.must_handle,
            "coaching": self.coaching,
            "warnings": self.warnings,
        }
