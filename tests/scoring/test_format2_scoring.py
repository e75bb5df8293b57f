"""Scoring honours format 2: embargoes, expectations bounded in time (also in held posts), the any-number
token, a crisis that becomes preventable, the plan's earliest time, responsive crowds when a session
ends early, handles with dots and hyphens. Sessions are played through the engine with the real judge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scoring import analyse
from scoring.card import ScoreCard
from scoring.judge import tone_judge
from scoring.record import SessionRecord
from scoring.tone import template_form
from sim.engine.actions import Action, EndAction, PlanAction, ReplyAction, UpdateAction
from sim.engine.clock import VirtualClock
from sim.engine.journal import read_journal
from sim.engine.session import Session
from sim.scenario.model import PlanStep, Scenario

from ..f2 import scenario

HOLDING = "We're so sorry: a train has broken down between two stations. Staff are with it now. Next update at 09:10."


def play(
    sc: Scenario, actions: list[tuple[float, Action]], tmp_path: Path, name: str = "j"
) -> tuple[ScoreCard, SessionRecord]:
    clock = VirtualClock()
    path = tmp_path / f"{name}.jsonl"
    s = Session.create(sc, clock, journal_path=path, judge=tone_judge, trainee="tester")
    for t, a in actions:
        clock.set(t)
        s.act(a)
    clock.set(sc.duration)
    s.advance()
    s.close()
    j = read_journal(path)
    return analyse(sc, j.header, j.events, j.warnings)


def rules(card: ScoreCard, rule: str) -> list[Any]:
    return [e for e in card.evidence if e.rule == rule]


EMBARGO = [
    {"id": "b0", "known_at": 0, "title": "Start", "text": "A train broke down."},
    {
        "id": "b_theft",
        "known_at": 1,
        "public_from": 10,
        "reveals": "stolen|theft",
        "title": "Cable theft",
        "text": "The cable was stolen.",
    },
]
LEAK = "We're sorry for the delay: police have told us the signalling cable was stolen overnight. Next update at 09:25."


def test_saying_a_fact_under_embargo_costs_points(tmp_path: Path) -> None:
    sc = scenario(briefings=EMBARGO)
    early, _ = play(sc, [(60, UpdateAction(HOLDING)), (300, UpdateAction(LEAK))], tmp_path, "early")
    later, _ = play(sc, [(60, UpdateAction(HOLDING)), (660, UpdateAction(LEAK))], tmp_path, "later")
    hit = rules(early, "tone.embargo")
    assert len(hit) == 1 and hit[0].points == -8.0 and "stolen" in hit[0].what and "Cable theft" in hit[0].what
    assert rules(later, "tone.embargo") == []
    # (Both sessions leave the crowd in silence, so both tone pillars may be 0: the penalty is the difference.)
    assert early.tone.details["penalties"] == later.tone.details["penalties"] + 8.0


PRESS = {
    "id": "p_press",
    "at": 2,
    "author": "journo",
    "text": "How many passengers are on board? Was anyone hurt?",
    "tags": ["media", "question"],
    "expect": {
        "must_not_say": [{"say": "<number> passengers|<number> people", "until": 12}],
        "must_mention": ["safe|safety", {"say": "no one|nobody|no injuries", "from": 12}],
    },
}
FIGURES = "Jo, thanks for asking. Everyone is safe; about 400 passengers are on board and staff are with them."


def test_must_not_say_until_and_the_any_number_token(tmp_path: Path) -> None:
    sc = scenario(posts=[PRESS])
    before, _ = play(sc, [(60, UpdateAction(HOLDING)), (300, ReplyAction("p_press", FIGURES))], tmp_path, "b")
    after, _ = play(sc, [(60, UpdateAction(HOLDING)), (780, ReplyAction("p_press", FIGURES))], tmp_path, "a")
    said = rules(before, "tone.must_not_say")
    assert len(said) == 1 and "400 passengers" in said[0].what
    assert rules(after, "tone.must_not_say") == []


def test_must_mention_from_asks_only_answers_sent_from_then(tmp_path: Path) -> None:
    sc = scenario(posts=[PRESS])
    answer = "Jo, thanks for asking. Everyone on board is safe and staff are with them now."
    early, _ = play(sc, [(60, UpdateAction(HOLDING)), (300, ReplyAction("p_press", answer))], tmp_path, "e")
    late, _ = play(sc, [(60, UpdateAction(HOLDING)), (780, ReplyAction("p_press", answer))], tmp_path, "l")
    assert "covers 1 of 1 key points." in rules(early, "tone.must_mention")[0].what
    late_ev = rules(late, "tone.must_mention")[0]
    assert "covers 1 of 2 key points" in late_ev.what and late_ev.points < 0


def test_a_held_posts_bounds_count_from_its_firing(tmp_path: Path) -> None:
    held = {
        "id": "h",
        "at": 0,
        "held": True,
        "author": "journo",
        "text": "Was anyone hurt?",
        "tags": ["media", "question"],
        "expect": {"must_mention": ["safe", {"say": "no one|nobody", "from": 3}]},
    }
    sc = scenario(posts=[held], injects=[{"id": "i", "when": {"no_statement_by": 5}, "fires": ["h"]}])
    answer = "Jo, everyone on board is safe and staff are with them now."
    soon, _ = play(sc, [(330, ReplyAction("h", answer))], tmp_path, "s")  # fired at 5:01, answered at 5:30
    later, _ = play(sc, [(600, ReplyAction("h", answer))], tmp_path, "t")  # answered at 10:00, after 5:01 + 3m
    assert "covers 1 of 1" in rules(soon, "tone.must_mention")[0].what
    assert "covers 1 of 2" in rules(later, "tone.must_mention")[0].what


OWNED = (
    "We're sorry. This should not have happened and it is our responsibility: the alarm on that cable was "
    "switched off, and that was our decision. Next update at 09:30."
)
NOT_OWNED = "Update: trains are moving again between the two stations. Next update at 09:30."


def test_a_crisis_that_becomes_preventable_expects_the_company_to_own_it(tmp_path: Path) -> None:
    sc = scenario(crisis_type_changes=[{"at": 12, "to": "preventable"}])
    steps = [(60, UpdateAction(HOLDING))]
    silent_on_it, _ = play(sc, [*steps, (800, UpdateAction(NOT_OWNED))], tmp_path, "n")
    owned, _ = play(sc, [*steps, (800, UpdateAction(OWNED))], tmp_path, "o")
    miss = rules(silent_on_it, "tone.crisis_type")
    assert len(miss) == 1 and miss[0].points == -6.0 and "preventable" in miss[0].what
    assert rules(owned, "tone.crisis_type") == []
    unchanged, _ = play(scenario(), [*steps, (800, UpdateAction(NOT_OWNED))], tmp_path, "u")
    assert rules(unchanged, "tone.crisis_type") == []


PLAN = PlanAction(
    "Our action plan. What happened: a train broke down between two stations because a signal cable failed. "
    "We're sorry. If you were on it, please keep your ticket; we will refund every fare in full.",
    (
        PlanStep("Walk every passenger to the next station with staff", "Duty station manager", "by 09:30"),
        PlanStep("Refund every fare paid today, no ticket needed", "Customer care team", "from today"),
        PlanStep("Replace the failed signal cable overnight", "Head of engineering", "tonight"),
    ),
    "09:40 on this account",
)


def test_a_plan_before_not_before_keeps_60_percent(tmp_path: Path) -> None:
    sc = scenario(scoring={"plan": {"not_before": 15, "deadline": 28}})
    early, _ = play(sc, [(60, UpdateAction(HOLDING)), (600, PLAN)], tmp_path, "early")
    on_time, _ = play(sc, [(60, UpdateAction(HOLDING)), (960, PLAN)], tmp_path, "ontime")
    assert rules(early, "plan.early") and not rules(on_time, "plan.early")
    assert (
        early.plan.score == round(on_time.plan.score * 0.6, 6)
        or abs(early.plan.score - 0.6 * on_time.plan.score) < 1e-6
    )
    both, _ = play(sc, [(60, UpdateAction(HOLDING)), (600, PLAN), (960, PLAN)], tmp_path, "both")
    assert not rules(both, "plan.early") and both.plan.details["posted_s"] == 960  # the plan in its window counts


def test_ending_early_counts_a_responsive_crowd_at_its_scripted_volume(tmp_path: Path) -> None:
    wave = {
        "id": "w",
        "from": 0,
        "to": 30,
        "volume": {"per_minute": [6] * 30, "responds": {"flagged_reply": 0.5, "cap": 3}},
        "templates": [{"text": "{name} is annoyed", "tags": ["complaint"]}],
    }
    sc = scenario(waves=[wave])
    _, rec = play(sc, [(60, UpdateAction(HOLDING)), (300, EndAction())], tmp_path)
    assert sum(1 for d in rec.posts.values() if d.post.wave == "w") == 180


def test_handles_with_dots_and_hyphens_are_set_aside_whole_in_copy_paste() -> None:
    a = template_form("Thanks @ana-lee.uk, we are on it.")
    b = template_form("Thanks @bo.smith, we are on it.")
    assert a == b and "lee" not in a and "smith" not in b
