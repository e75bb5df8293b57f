"""Pure scoring of Stormdrill sessions: speed, tone and the action plan, explained by evidence.

``score(scenario, journal)`` is a pure function of a scenario and a journal (anything with
``header``, ``events`` and optionally ``warnings``, as read by ``sim.engine.journal``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sim.engine.events import Event, Header
from sim.engine.reading import is_update
from sim.scenario.model import Scenario, Storm
from sim.scenario.patterns import format_time
from sim.scenario.text import clean_text

from .card import Evidence, PartScore, ReplyTone, ScoreCard
from .coaching import coaching_points, must_handle_table
from .plan import score_plan
from .record import Act, SessionRecord, build_record
from .session_tone import Judged, judge_all, score_tone
from .speed import quality_credit, score_speed
from .tone import HARMFUL_CAP, states_briefed_safety

__all__ = ["Evidence", "PartScore", "ReplyTone", "ScoreCard", "analyse", "score", "score_events"]


# A journal's header and events: typed (sim.engine.events, as read_journal returns them), or the
# JSON objects of its lines, parsed on the way in.
HeaderIn = Header | Mapping[str, Any]
EventsIn = Sequence[Event] | Sequence[Mapping[str, Any]]


def score_events(
    scenario: Scenario, header: HeaderIn, events: EventsIn, warnings: Sequence[str] | None = None
) -> ScoreCard:
    """Score a session given as a journal header and its events."""
    return analyse(scenario, header, events, warnings)[0]


def analyse(
    scenario: Scenario,
    header: HeaderIn,
    events: EventsIn,
    warnings: Sequence[str] | None = None,
    *,
    storm: Storm | None = None,
) -> tuple[ScoreCard, SessionRecord]:
    """The score card and the session record it was computed from (for reports and the debrief).

    ``storm``: the scenario as already expanded with the journal's seed, to skip expanding it again.
    """
    rec = build_record(scenario, header, events, warnings, storm=storm)
    judged = judge_all(rec)
    by_seq = {j.act.seq: j for j in judged}

    def quality(a: Act) -> float:
        j = by_seq.get(a.seq)
        post = rec.posts[a.post_id].post if a.post_id in rec.posts else None
        return quality_credit(j.result.score, j.result.flags, a.kind, post) if j else 0.0

    def statement_ok(a: Act) -> bool:
        j = by_seq.get(a.seq)
        return is_update(a.kind, j.result.flags) if j else False

    rec.update_seqs = {a.seq for a in rec.actions if a.statement and statement_ok(a)}
    # The crowd's safety question is answered once in public by a statement that gives the answer.
    rec.safety_said_at = sorted(
        j.act.t
        for j in judged
        if j.act.statement and ("safety_instruction" in j.result.flags or states_briefed_safety(j.act.text, j.facts))
    )

    def plan_tone_penalty(a: Act) -> tuple[float, str]:
        j = by_seq.get(a.seq)
        if j is None:
            return 0.0, ""
        bad = [
            f
            for f in j.result.negative
            if f
            in (
                "blames",
                "defensive",
                "legalese",
                "hostile",
                "dismissive",
                "non_apology",
                "over_promises",
                "copy_paste",
                "vague",
                "keyword_list",
                "canned",
                "sarcastic",
                "denies",
                "false_reassurance",
                "speculates",
            )
        ]
        if j.result.score < 40 or bad:
            return 20.0, f"The plan's tone undermines it ({', '.join(bad) or 'weak wording'})."
        return 0.0, ""

    speed, ev_speed = score_speed(rec, quality, statement_ok)
    tone, ev_tone, replies = score_tone(rec, judged)
    plan, ev_plan = score_plan(rec, plan_tone_penalty)
    s = scenario.scoring
    weights = {"speed": s.weight_speed, "tone": s.weight_tone, "plan": s.weight_plan}
    wsum = sum(weights.values()) or 1.0
    total = (speed.score * weights["speed"] + tone.score * weights["tone"] + plan.score * weights["plan"]) / wsum
    majors = major_deductions(judged) + pattern_deductions(judged)
    total = max(0.0, total + sum(e.points for e in majors))
    card = ScoreCard(
        scenario=scenario.id,
        scenario_title=scenario.title,
        trainee=rec.trainee,
        seed=rec.storm.seed,
        total=total,
        speed=speed,
        tone=tone,
        plan=plan,
        weights={k: round(v / wsum, 4) for k, v in weights.items()},
        evidence=ev_speed + ev_tone + ev_plan + majors,
        replies=replies,
        coaching=[],
        must_handle=[],
        warnings=rec.warnings,
        coached=rec.header.coached,
    )
    card.must_handle = must_handle_table(rec)
    card.coaching = coaching_points(card, rec)
    return card, rec


# What a crisis lead treats as a major failure, whatever else went well: points off the total.
MAJOR = {
    "over_promises": (10.0, "promised what nobody can know yet"),
    "speculates": (10.0, "stated or guessed what was not confirmed (a cause, or that it is fixed)"),
    "blames": (10.0, "put the blame on a customer or someone else in public"),
    "denies": (10.0, "disputed a person's account of what happened to them"),
    "hostile": (10.0, "were hostile or sarcastic to someone in public"),
}
# Flags read as one failure: sarcasm and mockery are hostility.
MAJOR_ALIASES = {"sarcastic": "hostile", "profanity": "hostile"}
MAJOR_REPEAT, MAJOR_CAP = 2.0, 16.0


# A major failure costs 10 points of the total, so it needs a rule's words: the learned layer alone
# reads too many careful replies (correcting a rumour, refusing a troll's excuse, stating the confirmed
# cause) as denial, blame, hostility or speculation to cost a careful trainee that much. Learned flags
# still lower the text's own score and cap it in the poor band.


def _quote(text: str, limit: int = 90) -> str:
    """The trainee's words for evidence, on one line, cut at a word (marked) when longer than ``limit``."""
    line = clean_text(text, single_line=True)
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0] if " " in line[:limit] else line[:limit]
    return cut.rstrip(",;:.") + "..."


def _major_evidence(j: Judged, names: set[str]) -> bool:
    """Whether a text carries firm evidence of a major failure: a rule's words, not only a likeness."""
    return any(h.flag in names and not h.match.startswith("reads like") for h in j.result.hits)


def major_deductions(judged: list[Judged]) -> list[Evidence]:
    """What a crisis lead treats as a major failure in public (over-promising, an unconfirmed cause,
    blame, disputing someone's account, hostility): 10 points off the total the first time, 2 more
    each time after (at most 16 each), each naming the text, its time and the words."""
    out: list[Evidence] = []
    for flag, (first, what) in MAJOR.items():
        names = {flag} | {alias for alias, to in MAJOR_ALIASES.items() if to == flag}
        hits = [j for j in judged if j.act.public and _major_evidence(j, names)]
        if not hits:
            continue
        j = hits[0]
        words = next((h.match for h in j.result.hits if h.flag in names and not h.match.startswith("reads like")), "")
        quote = _quote(j.act.text)
        points = min(MAJOR_CAP, first + MAJOR_REPEAT * (len(hits) - 1))
        again = f" ({len(hits) - 1} more time{'s' if len(hits) > 2 else ''} after)" if len(hits) > 1 else ""
        out.append(
            Evidence(
                j.act.t,
                "total",
                f"total.{flag}",
                f'At {format_time(j.act.t)} you {what}: "{quote}"{again}. A crisis lead treats this as a major '
                f"failure: -{points:.0f} on the total." + (f" (Flagged: {words[:80]})" if words else ""),
                -points,
                j.act.post_id or j.act.ref,
            )
        )
    return out


# A pattern across the session's public texts, which a crisis lead reads whatever else went well: the
# share of them the judge reads as harmful (blaming, hostile, mocking, disputing), as piles of stock
# words (a keyword list; a canned line is charged as canned, not here), as guesses, or as promises.
# The first guess or promise with a rule's words is a major failure (above); the pattern is how much of
# the session was like that, in the judge's reading. One text misread is not a pattern: up to its
# allowance a share costs nothing (careful play on the validity suite measured 0-6% harmful, 0%
# stuffed, 0-6% guesses and 0-11% promises); above it, PATTERN_SLOPE points per unit of share, at most
# PATTERN_CAP each.
PATTERN_SLOPE, PATTERN_CAP, PATTERN_MIN_TEXTS = 40.0, 20.0, 5
PATTERNS = {
    "harmful": (0.10, "read as harmful (blaming, hostile, mocking or disputing what people said)"),
    "stuffed": (0.05, "were piles of stock words rather than answers"),
    "speculates": (0.15, "guessed at what was not confirmed (a cause, a number, that it is safe or fixed)"),
    "over_promises": (0.15, "promised what nobody could know or had decided"),
}


def _pattern_of(j: Judged) -> set[str]:
    out = set()
    if j.result.score <= HARMFUL_CAP:
        out.add("harmful")
    if "keyword_list" in j.result.flags and "canned" not in j.result.flags:
        out.add("stuffed")
    out |= {f for f in ("speculates", "over_promises") if f in j.result.flags}
    return out


def pattern_deductions(judged: list[Judged]) -> list[Evidence]:
    """Points off the total for a pattern of harmful or stuffed public texts, naming the count, the
    share and the first example."""
    public = [j for j in judged if j.act.public]
    if len(public) < PATTERN_MIN_TEXTS:
        return []
    out: list[Evidence] = []
    for name, (allowance, what) in PATTERNS.items():
        hits = [j for j in public if name in _pattern_of(j)]
        share = len(hits) / len(public)
        points = min(PATTERN_CAP, PATTERN_SLOPE * (share - allowance))
        if points <= 0:
            continue
        j = hits[0]
        quote = _quote(j.act.text)
        out.append(
            Evidence(
                j.act.t,
                "total",
                f"total.pattern_{name}",
                f"{len(hits)} of your {len(public)} public texts ({100 * share:.0f}%) {what}, the first at "
                f'{format_time(j.act.t)}: "{quote}". A pattern the public sees: -{points:.1f} on the total.',
                -round(points, 2),
                j.act.post_id or j.act.ref,
            )
        )
    return out


def score(scenario: Scenario, journal: Any) -> ScoreCard:
    """Score a journal (an object with ``header`` and ``events``, as read by ``sim.engine.journal``)."""
    return score_events(scenario, journal.header, journal.events, list(getattr(journal, "warnings", [])))
