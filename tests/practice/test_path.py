"""The learning path: scenarios from intro to hard, and the next one recommended from past scores,
with why in words read from the weakest pillar's evidence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sim.progress import Attempt, PathStep, learning_path, recommend, weak_point

STEPS = [
    PathStep("cold-cuts", "Cold Cuts", "hard"),
    PathStep("kitchen-cam", "Kitchen Cam", "standard"),
    PathStep("empty-ovens", "Empty Ovens", "intro"),
    PathStep("blue-monday", "Blue Monday", "standard"),
]
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def card(speed_: float, tone_: float, plan_: float, **extra: Any) -> dict[str, Any]:
    sp: dict[str, Any] = {"score": speed_, "first_statement_s": 60.0, "longest_silence_s": 1500.0, "promises_broken": 1}
    sp["blocks"] = {"first_statement": 20.0, "must_handle": 30.0, "other_posts": 15.0, "crowd": 15.0, "cadence": 2.0}
    out: dict[str, Any] = {
        "speed": sp,
        "tone": {"score": tone_, "flags": {}, "mean": tone_},
        "plan": {"score": plan_, "posted": True, "on_time": True, "elements": {"remedy": True, "help": True}},
        "must_handle": [],
        "evidence": [],
    }
    for key, value in extra.items():
        out[key] = out[key] | value if isinstance(value, dict) else value
    return out


def attempt(scenario: str, total: float, c: dict[str, Any], minutes: int) -> Attempt:
    return Attempt(
        trainee="Sam",
        scenario=scenario,
        scenario_title=scenario.replace("-", " ").title(),
        total=total,
        speed=c["speed"]["score"],
        tone=c["tone"]["score"],
        plan=c["plan"]["score"],
        finished=T0 + timedelta(minutes=minutes),
        card=c,
    )


def test_the_path_runs_intro_standard_hard_then_by_title() -> None:
    assert [s.id for s in learning_path(STEPS)] == ["empty-ovens", "blue-monday", "kitchen-cam", "cold-cuts"]


def test_a_newcomer_starts_with_the_first_intro_storm() -> None:
    rec = recommend(STEPS, [])
    assert rec is not None and rec.scenario == "empty-ovens" and not rec.again
    assert "intro" in rec.why


def test_a_weak_attempt_is_played_again_and_the_why_names_strong_and_weak_pillars() -> None:
    c = card(40, 82, 70)  # tone strong, speed weakest: the cadence block lost most
    rec = recommend(STEPS, [attempt("empty-ovens", 60, c, 0)])
    assert rec is not None and rec.scenario == "empty-ovens" and rec.again
    assert rec.why == (
        "your tone is strong (82); your updates came late (you went 25m without one, 1 promise broken): "
        "try Empty Ovens again"
    )


def test_a_mastered_scenario_moves_the_path_on() -> None:
    done = attempt("empty-ovens", 80, card(85, 80, 40, plan={"posted": False}), 0)
    rec = recommend(STEPS, [done])
    assert rec is not None and rec.scenario == "blue-monday" and not rec.again
    assert rec.why.startswith(
        "on Empty Ovens, your speed is strong (85); you published no action plan: try Blue Monday"
    )


def test_the_latest_attempt_on_the_recommended_scenario_is_the_basis() -> None:
    old = attempt("blue-monday", 50, card(30, 75, 60), 0)
    new = attempt("blue-monday", 55, card(72, 30, 60, tone={"flags": {"blames": 3, "apologises": 4}}), 10)
    easy = attempt("empty-ovens", 90, card(90, 90, 90), 20)
    rec = recommend(STEPS, [old, easy, new])
    assert rec is not None and rec.scenario == "blue-monday"
    assert "your texts read as blaming (3 of them)" in rec.why and "speed is strong (72)" in rec.why


def test_everything_mastered_points_at_the_lowest_best() -> None:
    attempts = [attempt(s.id, 80 + i, card(90, 90, 90), i) for i, s in enumerate(STEPS)]
    rec = recommend(STEPS, attempts)
    assert rec is not None and rec.scenario == "cold-cuts" and "faster speed" in rec.why


def test_weak_points_read_the_evidence() -> None:
    late = card(30, 50, 50, speed={"first_statement_s": 1200.0, "blocks": {"first_statement": 2.0, "cadence": 15.0}})
    assert weak_point(late, "speed") == "your first statement came late (at 20m)"
    mh = card(30, 50, 50, must_handle=[{"in_time": True}, {"in_time": False}, {"in_time": False}])
    mh["speed"]["blocks"] = {"first_statement": 20.0, "must_handle": 5.0, "cadence": 15.0}
    assert weak_point(mh, "speed") == "must-handle posts waited too long (1 of 3 answered in time)"
    gaps = card(50, 50, 30, plan={"elements": {"remedy": False, "help": True, "next_update": False}})
    assert weak_point(gaps, "plan") == "your plan left out remedy, next update"


def test_a_tone_lost_to_silence_is_said_to_be_the_silence() -> None:
    """A good update and nothing else: the tone's mean is low because the unanswered posts count as
    texts scoring 0 (tone.unanswered), not because the texts said little."""
    silent = card(20, 0, 0, must_handle=[{"answers": []}, {"answers": [{"t": 60}]}, {"answers": []}])
    silent["tone"] |= {"mean": 4.4, "flags": {"apologises": 1}}
    silent["evidence"] = [{"rule": "tone.unanswered", "part": "tone", "points": -66.6}]
    assert (
        weak_point(silent, "tone") == "you left 2 must-handle posts unanswered, and to those people silence is the tone"
    )
    vague = card(20, 30, 0)
    vague["tone"] |= {"mean": 30.0, "flags": {}}
    vague["evidence"] = [{"rule": "tone.unanswered", "part": "tone", "points": -5.0}]  # a little silence
    assert weak_point(vague, "tone") == "your replies said little concrete (a mean of 30)"


def test_an_attempt_that_scored_nothing_is_not_praised() -> None:
    """All three pillars at 0: no "your speed was your best pillar (0)", but what to do first."""
    nothing = card(0, 0, 0, speed={"first_statement_s": None, "blocks": {"first_statement": 0.0, "cadence": 0.0}})
    rec = recommend(STEPS, [attempt("empty-ovens", 0, nothing, 0)])
    assert rec is not None and rec.scenario == "empty-ovens" and rec.again
    assert rec.why == "every pillar scored 0; you posted no holding statement: try Empty Ovens again"
