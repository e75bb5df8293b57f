"""Coaching hints (scoring.coach): every hint fires at the moment its scoring rule is met, and only
then, on the virtual clock. The engine test scenario: first statement due at 5m, updates every
10m, replies within 10m (the journalist's must-handle post p2 within 5m), the plan by 20m."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from scoring.coach import LEAD, Coach, Hint, band, check_draft
from scoring.judge import tone_judge
from sim.engine import actions as A
from sim.engine.clock import VirtualClock
from sim.engine.reading import Judge
from sim.engine.session import Session
from sim.scenario.model import PlanStep, Scenario
from tests.engine.conftest import fake_judge

HERE = Path(__file__).parent
UPDATE = "Our app is down for everyone. We are rolling back the update now; next update within the hour."


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    from sim.scenario.load import load_scenario

    return load_scenario(HERE.parent / "engine" / "scenario.yaml")


Make = Callable[..., tuple[Session, VirtualClock, Coach]]


@pytest.fixture
def make(scenario: Scenario, tmp_path: Path) -> Make:
    def build(judge: Judge | None = fake_judge) -> tuple[Session, VirtualClock, Coach]:
        clock = VirtualClock()
        s = Session.create(scenario, clock, journal_path=tmp_path / "j.jsonl", judge=judge, trainee="t", coached=True)
        return s, clock, Coach(s)

    return build


def run(
    s: Session, clock: VirtualClock, coach: Coach, until: float, acts: dict[float, A.Action] | None = None
) -> list[Hint]:
    """Step the clock one second at a time to ``until``, sending ``acts`` at their times; every hint raised."""
    acts = dict(acts or {})
    out: list[Hint] = []
    t = s.now
    while t < until:
        t += 1
        clock.set(t)
        s.advance()
        if t in acts:
            s.act(acts.pop(t))
            out += coach.after(s.actions[-1])
        out += coach.check()
    return out


def first(hints: list[Hint], rule: str) -> list[float]:
    return [h.t for h in hints if h.rule == rule]


def test_the_header_marks_a_coached_session(make: Make, tmp_path: Path) -> None:
    from sim.engine.journal import read_journal

    s, _clock, _coach = make()
    s.close()
    assert read_journal(tmp_path / "j.jsonl").header.coached is True


def test_first_statement_hint_fires_lead_before_the_target_and_once(make: Make) -> None:
    s, clock, coach = make()
    hints = run(s, clock, coach, 400)
    due = 300.0
    assert first(hints, "coach.first_statement") == [due - min(LEAD, due / 3)]
    assert "09:05" in next(h.text for h in hints if h.rule == "coach.first_statement")


def test_no_first_statement_hint_when_the_update_came_in_time(make: Make) -> None:
    s, clock, coach = make()
    hints = run(s, clock, coach, 400, {150.0: A.UpdateAction(UPDATE)})
    assert first(hints, "coach.first_statement") == []


def test_silence_hint_fires_when_the_cadence_is_reached_once_per_silence(make: Make) -> None:
    s, clock, coach = make()
    hints = run(s, clock, coach, 1500, {60.0: A.UpdateAction(UPDATE), 700.0: A.UpdateAction(UPDATE + " Still on it.")})
    assert first(hints, "coach.silence") == [660.0, 1300.0]
    assert next(h for h in hints if h.rule == "coach.silence").text.startswith("10m without a public update")


def test_a_reply_is_not_an_update_for_the_silence_rule(make: Make) -> None:
    s, clock, coach = make()
    hints = run(
        s, clock, coach, 700, {60.0: A.UpdateAction(UPDATE), 300.0: A.ReplyAction("p1", "Sorry Cam, fixing it.")}
    )
    assert first(hints, "coach.silence") == [660.0]


def test_must_handle_hint_fires_past_reply_within_unless_answered(make: Make) -> None:
    s, clock, coach = make()
    hints = run(s, clock, coach, 500, {60.0: A.UpdateAction(UPDATE)})
    # p2 arrives at 2m and must be answered within 5m: the hint comes the second after 7m.
    assert first(hints, "coach.must_handle") == [421.0]
    assert "@jo" in next(h.text for h in hints if h.rule == "coach.must_handle")
    s, clock, coach = make()
    hints = run(
        s, clock, coach, 500, {60.0: A.UpdateAction(UPDATE), 420.0: A.ReplyAction("p2", "Sorry Jo: a bad update.")}
    )
    assert first(hints, "coach.must_handle") == []


def test_promise_hint_fires_lead_before_the_promised_time_unless_kept(make: Make) -> None:
    promise = "Our app is down. We are rolling back the update; next update at 09:10."
    s, clock, coach = make()
    hints = run(s, clock, coach, 650, {60.0: A.UpdateAction(promise)})
    assert first(hints, "coach.promise") == [600.0 - LEAD]
    assert "09:10" in next(h.text for h in hints if h.rule == "coach.promise")
    s, clock, coach = make()
    hints = run(s, clock, coach, 650, {60.0: A.UpdateAction(promise), 470.0: A.UpdateAction(UPDATE)})
    assert first(hints, "coach.promise") == []


def test_plan_hint_fires_lead_before_the_deadline_unless_published(make: Make) -> None:
    s, clock, coach = make()
    hints = run(s, clock, coach, 1250)
    assert first(hints, "coach.plan") == [1200.0 - LEAD]
    s, clock, coach = make()
    plan = A.PlanAction("What we are doing", (PlanStep("Roll back the update", "Engineers", "today"),), "09:30")
    hints = run(s, clock, coach, 1250, {900.0: plan})
    assert first(hints, "coach.plan") == []


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("You should have read the instructions before using it. It is your own fault.", True),
        ("Sorry Cam, that is on us: a bad update broke it. We are rolling it back now; update by 09:30.", False),
    ],
)
def test_flagged_hint_fires_only_for_a_text_the_judge_flags_with_words(make: Make, text: str, fires: bool) -> None:
    s, clock, coach = make(judge=tone_judge)
    hints = run(s, clock, coach, 100, {90.0: A.ReplyAction("p1", text)})
    flagged = [h for h in hints if h.rule == "coach.flagged"]
    assert bool(flagged) is fires
    if fires:
        assert flagged[0].text.startswith("This reply reads as ")
        assert '"' in flagged[0].text  # the words that raised it, quoted
        quoted = flagged[0].text.split('"')[1].lower()
        assert quoted and quoted in text.lower()


def test_draft_check_names_flags_band_and_what_lifts_it(make: Make) -> None:
    s, clock, _coach = make(judge=tone_judge)
    clock.set(90)
    s.advance()
    bad = check_draft(s, A.ReplyAction("p1", "You should have read the instructions. Your own fault."), tone_judge)
    assert bad.band in ("harmful", "poor") and bad.score < 40
    assert any(f == "blames" for f, _m, _w in bad.flags)
    assert any("blame" in lift for lift in bad.lifts)
    good = check_draft(
        s,
        A.ReplyAction(
            "p1", "Sorry Cam, that is on us: a bad update broke it. We are rolling it back now; next update by 09:30."
        ),
        tone_judge,
    )
    assert good.score > bad.score and good.band == band(good.score)
    assert not any(f == "blames" for f, _m, _w in good.flags)
    assert not s.actions  # checking sends nothing
    refused = check_draft(s, A.ReplyAction("nope", "hi"), tone_judge)
    assert refused.refused
