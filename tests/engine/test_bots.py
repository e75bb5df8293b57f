"""Bots behave as their names say, using only what a trainee could know."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from sim.bots import BOTS, _reply_text
from sim.engine.autoplay import run_autoplay
from sim.engine.journal import read_journal
from sim.engine.session import Session
from sim.scenario.model import Post, Scenario

from .conftest import fake_judge


def _play(scenario: Scenario, bot: str, tmp_path: Path) -> Session:
    return run_autoplay(scenario, BOTS[bot], 1, tmp_path / f"{bot}.jsonl", bot_name=bot, judge=fake_judge)


def test_silent_does_nothing(scenario: Scenario, tmp_path: Path) -> None:
    assert [a.kind for a in _play(scenario, "silent", tmp_path).actions] == []


def test_slow_answers_20_to_40_minutes_late(scenario: Scenario, tmp_path: Path) -> None:
    s = _play(scenario, "slow", tmp_path)
    replies = [a for a in s.actions if a.kind == "reply"]
    assert replies
    for a in replies:
        assert a.post_id is not None
        assert 20 * 60 <= a.t - (s.delivered_at(a.post_id) or 0) <= 40 * 60 + 10


def test_canned_copies_one_reply(scenario: Scenario, tmp_path: Path) -> None:
    s = _play(scenario, "canned", tmp_path)
    assert len({a.text for a in s.actions if a.kind == "reply"}) == 1
    assert len([a for a in s.actions if a.kind == "update"]) == 1


def test_ideal(scenario: Scenario, tmp_path: Path) -> None:
    s = _play(scenario, "ideal", tmp_path)
    first = s.actions[0]
    assert first.kind == "update" and first.t <= 180 and "Next update at 09:" in first.text
    replies = [a for a in s.actions if a.kind == "reply"]
    assert len({a.text for a in replies}) == len(replies)  # never copy-pasted
    plan = next(a for a in s.actions if a.kind == "plan")
    assert plan.t >= 8 * 60 and plan.next_update  # after the briefing that brings actions
    assert any(step.what == "Roll back the update" and step.who == "Engineers" for step in plan.steps)
    per_minute = [sum(1 for b in s.actions if a.t - 60 < b.t <= a.t) for a in s.actions]
    assert max(per_minute) <= 4
    events = read_journal(tmp_path / "ideal.jsonl").raw_events
    assert not [e for e in events if e["type"] == "commitment" and e["status"] == "broken"]
    # Only what was known then: the cause's briefing (minute 8) is never quoted before minute 8.
    assert all("Roll back" not in a.full_text() for a in s.actions if a.t < 8 * 60)


def test_ideal_meets_distress_with_help_not_product_advice(make_session: Callable[..., tuple[Session, object]]) -> None:
    """A safety post about a person in distress gets the emergency services and a crisis line, never
    "stop using it"; a safety post about a product still gets the product instruction."""
    s, _ = make_session(journal=False)
    distressed = Post(
        "d1",
        60,
        "p",
        "Sam Lee",
        "@samlee",
        "family",
        200,
        "My son saw his results, locked himself in his room and says he has nothing to live for. Is this real??",
        ("safety", "question"),
    )
    product = replace(
        distressed, id="d2", text="My son ate your nut bar an hour ago and his lips are swelling. Is it safe?"
    )
    for_person = _reply_text(s, distressed)
    for_product = _reply_text(s, product)
    assert "emergency services" in for_person and "helpline" in for_person
    assert not any(w in for_person for w in ("using it", "use it", "put it aside", "out of use"))
    assert any(w in for_product for w in ("using it", "use it", "put it aside", "out of use"))
    assert "emergency services" not in for_product


def test_ideal_sends_someone_in_danger_to_the_emergency_services(
    make_session: Callable[..., tuple[Session, object]],
) -> None:
    s, _ = make_session(journal=False)
    flood = Post(
        "e1",
        60,
        "p",
        "Lee Ames",
        "@leeames",
        "family",
        150,
        "My nan is 84 and water is coming under her door. She can't get upstairs on her own. What do we do??",
        ("safety", "question"),
    )
    text = _reply_text(s, flood)
    assert "emergency services" in text
    assert not any(w in text for w in ("using it", "use it", "put it aside", "out of use", "medical helpline"))
