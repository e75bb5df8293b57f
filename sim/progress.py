"""A trainee's progress, read from their past score cards: trends, what changed, and what to play next.

Pure functions of plain data (the history the results store keeps, ``sim.workshop.store``): no
database, no Textual, no scoring import, so the CLI, the console's history screen and the picker's
learning path all read progress the same way. Every sentence comes from a score card's figures and
evidence (docs/scoring.md), never from the trainee's own text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sim.scenario.patterns import format_time

PILLARS = ("speed", "tone", "plan")
DIFFICULTIES = ("intro", "standard", "hard")
MASTERED = 75.0  # a best total from which the path moves on to the next scenario
STRONG = 70.0  # a pillar score called strong
BLOCKS = "▁▂▃▄▅▆▇█"
# Speed's blocks and what each is out of (scoring/speed.py).
SPEED_BLOCKS = {"first_statement": 20.0, "must_handle": 30.0, "other_posts": 15.0, "crowd": 15.0, "cadence": 15.0}
# How a flag reads in a sentence: "replies read as blaming".
FLAG_WORDS = {
    "blames": "blaming",
    "defensive": "defensive",
    "legalese": "legalese",
    "non_apology": "non-apologies",
    "dismissive": "dismissive",
    "vague": "vague",
    "speculates": "guessing at causes",
    "asks_pii_public": "asking for personal details in public",
    "hostile": "hostile",
    "contradicts_briefing": "contradicting the briefings",
    "over_promises": "over-promising",
    "denies": "disputing people's accounts",
    "sarcastic": "sarcastic",
    "false_reassurance": "falsely reassuring",
    "keyword_list": "piles of stock words",
    "canned": "canned",
    "copy_paste": "copies of each other",
    "ignores_question": "not answering the question",
    "off_topic": "off topic",
}


@dataclass(frozen=True)
class Attempt:
    """One finished session in a trainee's history."""

    trainee: str
    scenario: str
    scenario_title: str
    total: float
    speed: float
    tone: float
    plan: float
    finished: datetime
    card: dict[str, Any] = field(repr=False, compare=False)
    difficulty: str = ""
    seed: int | None = None
    journal: str = ""
    content_hash: str = ""
    started: str = ""
    coached: bool = False
    imported_from: str = ""
    id: int = 0

    def pillar(self, name: str) -> float:
        return float(getattr(self, name))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "trainee": self.trainee,
            "scenario": self.scenario,
            "finished": self.finished.isoformat(timespec="seconds"),
            "started": self.started,
            "seed": self.seed,
            "total": round(self.total, 1),
            **{p: round(self.pillar(p), 1) for p in PILLARS},
            "coached": self.coached,
            "imported_from": self.imported_from,
            "journal": self.journal,
        }


def journal_hash(data: bytes) -> str:
    """The content hash a journal is kept under (the same journal imported twice is one session)."""
    return hashlib.sha256(data).hexdigest()


def make_attempt(
    journal: Path,
    intact: bytes,
    card: dict[str, Any],
    *,
    trainee: str,
    started: str,
    finished: datetime,
    difficulty: str = "",
    coached: bool = False,
    imported_from: str = "",
) -> Attempt:
    """The history's record of a finished session, from its journal's intact bytes and its score card."""
    return Attempt(
        trainee=trainee,
        scenario=str(card.get("scenario", "")),
        scenario_title=str(card.get("scenario_title", "")),
        total=float(card.get("total") or 0.0),
        speed=float(card.get("speed", {}).get("score") or 0.0),
        tone=float(card.get("tone", {}).get("score") or 0.0),
        plan=float(card.get("plan", {}).get("score") or 0.0),
        finished=finished,
        card=card,
        difficulty=difficulty,
        seed=card.get("seed") if isinstance(card.get("seed"), int) else None,
        journal=str(journal),
        content_hash=journal_hash(intact),
        started=started,
        coached=coached,
        imported_from=imported_from,
    )


# --------------------------------------------------------------------------- trends


def sparkline(values: Sequence[float], lo: float = 0.0, hi: float = 100.0) -> str:
    """One block character per value, from ▁ (``lo``) to █ (``hi``)."""
    out = []
    for v in values:
        frac = (min(hi, max(lo, float(v))) - lo) / ((hi - lo) or 1.0)
        out.append(BLOCKS[min(len(BLOCKS) - 1, int(frac * len(BLOCKS)))])
    return "".join(out)


def _in_time(card: dict[str, Any]) -> tuple[int, int]:
    rows = card.get("must_handle") or []
    return sum(1 for r in rows if r.get("in_time")), len(rows)


def _flags(card: dict[str, Any]) -> dict[str, int]:
    flags = card.get("tone", {}).get("flags") or {}
    return {f: int(n) for f, n in flags.items() if f in FLAG_WORDS and n}


def _silence_cost(card: dict[str, Any]) -> float:
    """How much of the tone's mean text score the posts left unanswered took (``tone.unanswered``)."""
    return sum(-float(e.get("points") or 0.0) for e in card.get("evidence", []) if e.get("rule") == "tone.unanswered")


def _missing(card: dict[str, Any]) -> list[str]:
    plan = card.get("plan", {})
    return [k.replace("_", " ") for k, v in (plan.get("elements") or {}).items() if not v] if plan.get("posted") else []


def _majors(card: dict[str, Any]) -> set[str]:
    return {e["rule"] for e in card.get("evidence", []) if str(e.get("rule", "")).startswith("total.")}


def _t(seconds: float | None) -> str:
    return "none" if seconds is None else format_time(float(seconds))


def changes(prev: dict[str, Any], card: dict[str, Any]) -> tuple[list[str], list[str]]:
    """What improved and what slipped from the score card ``prev`` to ``card``, in words."""
    up: list[str] = []
    down: list[str] = []
    for p in PILLARS:
        a, b = float(prev.get(p, {}).get("score") or 0), float(card.get(p, {}).get("score") or 0)
        if abs(b - a) >= 3:
            (up if b > a else down).append(f"{p} {'up' if b > a else 'down'} {abs(b - a):.0f} ({a:.0f} → {b:.0f})")
    sp0, sp1 = prev.get("speed", {}), card.get("speed", {})
    f0, f1 = sp0.get("first_statement_s"), sp1.get("first_statement_s")
    if f0 is not None and f1 is not None and abs(f1 - f0) >= 30:
        sooner = f1 < f0
        (up if sooner else down).append(
            f"your first statement came {'sooner' if sooner else 'later'}: at {_t(f1)} (was {_t(f0)})"
        )
    elif f0 is None and f1 is not None:
        up.append(f"you posted a holding statement this time (at {_t(f1)})")
    elif f0 is not None and f1 is None:
        down.append(f"no holding statement this time (last time at {_t(f0)})")
    s0, s1 = sp0.get("longest_silence_s"), sp1.get("longest_silence_s")
    if s0 is not None and s1 is not None and abs(s1 - s0) >= 60:
        shorter = s1 < s0
        (up if shorter else down).append(
            f"your longest silence without an update was {'shorter' if shorter else 'longer'}: {_t(s1)} (was {_t(s0)})"
        )
    (m0, n0), (m1, n1) = _in_time(prev), _in_time(card)
    if n1 and m1 != m0:
        (up if m1 > m0 else down).append(f"must-handle posts answered in time: {m1} of {n1} (was {m0} of {n0})")
    b0, b1 = int(sp0.get("promises_broken") or 0), int(sp1.get("promises_broken") or 0)
    if b1 != b0:
        (up if b1 < b0 else down).append(f"promises of an update broken: {b1} (was {b0})")
    g0, g1 = _flags(prev), _flags(card)
    for flag, word in FLAG_WORDS.items():
        if g1.get(flag) and not g0.get(flag):
            down.append(f"new: texts that read as {word} ({g1[flag]})")
        elif g0.get(flag) and not g1.get(flag):
            up.append(f"no texts read as {word} this time (was {g0[flag]})")
    pl0, pl1 = prev.get("plan", {}), card.get("plan", {})
    if pl1.get("posted") and not pl0.get("posted"):
        up.append("you published an action plan this time")
    elif pl0.get("posted") and not pl1.get("posted"):
        down.append("no action plan this time")
    elif pl0.get("posted") and pl1.get("posted"):
        gained = sorted(set(_missing(prev)) - set(_missing(card)))
        lost = sorted(set(_missing(card)) - set(_missing(prev)))
        if gained:
            up.append("your plan now covers " + ", ".join(gained))
        if lost:
            down.append("your plan left out " + ", ".join(lost) + " this time")
    mj0, mj1 = _majors(prev), _majors(card)
    if mj0 - mj1:
        up.append(f"{len(mj0 - mj1)} major failure{'s' if len(mj0 - mj1) > 1 else ''} of last time avoided")
    if mj1 - mj0:
        down.append(f"{len(mj1 - mj0)} new major failure{'s' if len(mj1 - mj0) > 1 else ''} (points off the total)")
    return up, down


# --------------------------------------------------------------------------- per scenario


@dataclass
class ScenarioHistory:
    trainee: str
    scenario: str
    title: str
    attempts: list[Attempt]

    @property
    def best(self) -> Attempt:
        return max(self.attempts, key=lambda a: (a.total, a.finished))

    @property
    def latest(self) -> Attempt:
        return self.attempts[-1]

    def trend(self, pillar: str) -> list[float]:
        return [round(a.pillar(pillar), 1) for a in self.attempts]

    def sparklines(self) -> dict[str, str]:
        return {p: sparkline(self.trend(p)) for p in ("total", *PILLARS)}

    def since_previous(self) -> tuple[list[str], list[str]]:
        if len(self.attempts) < 2:
            return [], []
        return changes(self.attempts[-2].card, self.latest.card)

    def to_json(self) -> dict[str, Any]:
        up, down = self.since_previous()
        return {
            "trainee": self.trainee,
            "scenario": self.scenario,
            "title": self.title,
            "sessions": len(self.attempts),
            "best": self.best.to_json(),
            "latest": self.latest.to_json(),
            "trend": {p: self.trend(p) for p in ("total", *PILLARS)},
            "sparklines": self.sparklines(),
            "improved": up,
            "slipped": down,
            "attempts": [a.to_json() for a in self.attempts],
        }


def histories(attempts: Iterable[Attempt]) -> list[ScenarioHistory]:
    """The attempts grouped per trainee and scenario (oldest first within each), by trainee then path order."""
    groups: dict[tuple[str, str], ScenarioHistory] = {}
    for a in sorted(attempts, key=lambda a: (a.finished, a.id)):
        key = (" ".join(a.trainee.split()).casefold(), a.scenario)
        if key not in groups:
            groups[key] = ScenarioHistory(a.trainee, a.scenario, a.scenario_title or a.scenario, [])
        groups[key].attempts.append(a)
    return sorted(groups.values(), key=lambda h: (h.trainee.casefold(), difficulty_rank(h.latest.difficulty), h.title))


# --------------------------------------------------------------------------- the learning path


@dataclass(frozen=True)
class PathStep:
    """A scenario on the learning path."""

    id: str
    title: str
    difficulty: str


@dataclass(frozen=True)
class Recommendation:
    scenario: str
    title: str
    why: str
    again: bool  # played before


def difficulty_rank(difficulty: str) -> int:
    return DIFFICULTIES.index(difficulty) if difficulty in DIFFICULTIES else len(DIFFICULTIES)


def path_key(step: Any) -> tuple[int, str, str]:
    """Where a scenario (anything with ``difficulty``, ``title`` and ``id``) stands on the path."""
    return (difficulty_rank(step.difficulty), step.title.casefold(), step.id)


def learning_path(steps: Iterable[PathStep]) -> list[PathStep]:
    """Scenarios from intro to standard to hard (then by title)."""
    return sorted(steps, key=path_key)


def weak_point(card: dict[str, Any], pillar: str) -> str:
    """What a score card's evidence says went worst in ``pillar``, in a few words."""
    if pillar == "speed":
        sp = card.get("speed", {})
        blocks = sp.get("blocks") or {}
        lost = {b: w - float(blocks.get(b, 0.0)) for b, w in SPEED_BLOCKS.items() if b in blocks}
        worst = max(lost, key=lambda b: lost[b]) if lost else "cadence"
        if worst == "first_statement":
            first = sp.get("first_statement_s")
            return (
                "you posted no holding statement"
                if first is None
                else f"your first statement came late (at {_t(first)})"
            )
        if worst == "must_handle":
            m, n = _in_time(card)
            return f"must-handle posts waited too long ({m} of {n} answered in time)"
        if worst == "other_posts":
            return "posts from named and high-reach accounts waited too long"
        if worst == "crowd":
            return "few people in the crowd got a real answer"
        broken = int(sp.get("promises_broken") or 0)
        extra = f", {broken} promise{'s' if broken != 1 else ''} broken" if broken else ""
        return f"your updates came late (you went {_t(sp.get('longest_silence_s'))} without one{extra})"
    if pillar == "tone":
        flags = _flags(card)
        if flags:
            flag = max(flags, key=lambda f: (flags[f], f))
            return f"your texts read as {FLAG_WORDS[flag]} ({flags[flag]} of them)"
        mean = card.get("tone", {}).get("mean")
        silence = _silence_cost(card)
        if silence and isinstance(mean, int | float) and silence >= mean:
            # Most of the tone went on the people left without an answer, not on what was said.
            left = sum(1 for m in card.get("must_handle", []) if not m.get("answers"))
            who = f"{left} must-handle post{'s' if left != 1 else ''}" if left else "posts that needed an answer"
            return f"you left {who} unanswered, and to those people silence is the tone"
        return "your replies said little concrete" + (
            f" (a mean of {mean:.0f})" if isinstance(mean, int | float) else ""
        )
    plan = card.get("plan", {})
    if not plan.get("posted"):
        return "you published no action plan"
    missing = _missing(card)
    if missing:
        return "your plan left out " + ", ".join(missing[:3])
    if not plan.get("on_time", True):
        return "your plan came after the deadline"
    return "your plan was thin"


def best_totals(attempts: Iterable[Attempt]) -> dict[str, float]:
    """The best total per scenario id of these attempts (one trainee's: the picker's "Your best")."""
    best: dict[str, float] = {}
    for a in attempts:
        best[a.scenario] = max(best.get(a.scenario, 0.0), a.total)
    return best


def recommend(steps: Iterable[PathStep], attempts: Sequence[Attempt]) -> Recommendation | None:
    """The next scenario on the path for a trainee with these ``attempts``, and why, in words."""
    path = learning_path(steps)
    if not path:
        return None
    best = best_totals(attempts)
    target = next((s for s in path if best.get(s.id, -1.0) < MASTERED), None)
    if target is None:
        low = min(path, key=lambda s: best.get(s.id, 0.0))
        return Recommendation(
            low.id,
            low.title,
            f"you have a best of {MASTERED:.0f} or more on every scenario; your lowest is {low.title} "
            f"({best.get(low.id, 0.0):.0f}): play it again at a faster speed",
            True,
        )
    again = target.id in best
    if not attempts:
        return Recommendation(
            target.id,
            target.title,
            f"start with {target.title}: the first {target.difficulty} storm on the path",
            False,
        )
    ordered = sorted(attempts, key=lambda a: (a.finished, a.id))
    on_target = [a for a in ordered if a.scenario == target.id]
    basis = (on_target or ordered)[-1]
    scores = {p: basis.pillar(p) for p in PILLARS}
    strong = max(scores, key=lambda p: (scores[p], -PILLARS.index(p)))
    weak = min(scores, key=lambda p: (scores[p], PILLARS.index(p)))
    where = "" if basis.scenario == target.id else f"on {basis.scenario_title or basis.scenario}, "
    try_ = f"try {target.title} again" if again else f"try {target.title}"
    if scores[strong] == 0:  # nothing to praise: say what to do first
        first = weak_point(basis.card, "speed")
        return Recommendation(target.id, target.title, f"{where}every pillar scored 0; {first}: {try_}", again)
    if scores[strong] >= STRONG:
        opening = f"{where}your {strong} is strong ({scores[strong]:.0f})"
    else:
        opening = f"{where}your {strong} was your best pillar ({scores[strong]:.0f})"
    if weak == strong or scores[weak] >= STRONG:
        return Recommendation(target.id, target.title, f"{opening}: {try_}", again)
    return Recommendation(target.id, target.title, f"{opening}; {weak_point(basis.card, weak)}: {try_}", again)
