"""Pure scoring of Stormdrill sessions: speed, tone and the action plan, explained by evidence.

``score(scenario, journal)`` is a pure function of a scenario and a journal (anything with
``header``, ``events`` and optionally ``warnings``, as read by ``sim.engine.journal``).
"""

from __future__ import annotations

from typing import Any

from sim.engine.reading import is_update
from sim.scenario.model import Scenario

from .card import Evidence, PartScore, ReplyTone, ScoreCard
from .coaching import coaching_points, must_handle_table
from .plan import score_plan
from .record import Act, SessionRecord, build_record
from .session_tone import judge_all, score_tone
from .speed import quality_credit, score_speed

__all__ = ["Evidence", "PartScore", "ReplyTone", "ScoreCard", "analyse", "score", "score_events"]


def score_events(
    scenario: Scenario, header: dict[str, Any], events: list[dict[str, Any]], warnings: list[str] | None = None
) -> ScoreCard:
    """Score a session given as a journal header and its events (plain dicts)."""
    return analyse(scenario, header, events, warnings)[0]


def analyse(
    scenario: Scenario, header: dict[str, Any], events: list[dict[str, Any]], warnings: list[str] | None = None
) -> tuple[ScoreCard, SessionRecord]:
    """The score card and the session record it was computed from (for reports and the debrief)."""
    rec = build_record(scenario, header, events, warnings)
    judged = judge_all(rec)
    by_seq = {j.act.seq: j for j in judged}

    def quality(a: Act) -> float:
        j = by_seq.get(a.seq)
        post = rec.posts[a.post].post if a.post in rec.posts else None
        return quality_credit(j.result.score, j.result.flags, a.kind, post) if j else 0.0

    def statement_ok(a: Act) -> bool:
        j = by_seq.get(a.seq)
        return is_update(a.kind, j.result.flags) if j else False

    rec.update_seqs = {a.seq for a in rec.actions if a.statement and statement_ok(a)}

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
        evidence=ev_speed + ev_tone + ev_plan,
        replies=replies,
        coaching=[],
        must_handle=[],
        warnings=rec.warnings,
    )
    card.must_handle = must_handle_table(rec)
    card.coaching = coaching_points(card, rec)
    return card, rec


def score(scenario: Scenario, journal: Any) -> ScoreCard:
    """Score a journal (an object with ``header`` and ``events``, as read by ``sim.engine.journal``)."""
    return score_events(scenario, dict(journal.header), list(journal.events), list(getattr(journal, "warnings", [])))
