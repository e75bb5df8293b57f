"""The ideal bot honours format 2: embargoes, the plan's earliest time, a crisis that becomes
preventable, quote posts, media and pinned posts. Each test fails if the bot ignores the field."""

from __future__ import annotations

from pathlib import Path

from sim.bots import BOTS, OWNING
from sim.engine.autoplay import run_autoplay
from sim.engine.session import Session
from sim.scenario.model import Scenario

from ..f2 import judge, scenario


def _ideal(sc: Scenario, tmp_path: Path) -> Session:
    return run_autoplay(sc, BOTS["ideal"], 1, tmp_path / "ideal.jsonl", bot_name="ideal", judge=judge)


def test_ideal_keeps_an_embargoed_fact_back_until_public_from(tmp_path: Path) -> None:
    line = "Police confirm the cable was stolen overnight."
    sc = scenario(
        briefings=[
            {
                "id": "b0",
                "known_at": 0,
                "title": "Start",
                "text": "A train broke down.",
                "public_line": "A train broke.",
            },
            {
                "id": "b_theft",
                "known_at": 1,
                "public_from": 12,
                "reveals": "stolen",
                "title": "Theft",
                "text": "Cable stolen.",
                "public_line": line,
                "actions": [{"what": "Guard every cable site with security staff", "who": "Head of security"}],
            },
        ]
    )
    s = _ideal(sc, tmp_path)
    before = [a for a in s.actions if a.t < 12 * 60 and a.public]
    after = [a for a in s.actions if a.t >= 12 * 60 and a.public]
    assert before and all("stolen" not in a.full_text() and "Guard every cable" not in a.full_text() for a in before)
    assert any(line in a.full_text() for a in after)


def test_ideal_waits_for_the_plans_earliest_time(tmp_path: Path) -> None:
    steps = [{"what": "Refund every fare paid today", "who": "Customer care", "when": "today"}]
    briefings = [
        {"id": "b0", "known_at": 0, "title": "Start", "text": "A train broke down.", "actions": steps},
    ]
    early = _ideal(scenario(briefings=briefings), tmp_path)
    plan = next(a for a in early.actions if a.kind == "plan")
    assert plan.t < 10 * 60  # with the remedy decided at once, it plans early...
    waits = _ideal(scenario(briefings=briefings, scoring={"plan": {"not_before": 16}}), tmp_path / "w")
    plan = next(a for a in waits.actions if a.kind == "plan")
    assert plan.t >= 16 * 60  # ...but not before `not_before`


def test_ideal_owns_the_crisis_once_it_becomes_preventable(tmp_path: Path) -> None:
    s = _ideal(scenario(crisis_type_changes=[{"at": 14, "to": "preventable"}]), tmp_path)
    owning = [a for a in s.actions if a.statement and OWNING in a.text]
    assert owning and min(a.t for a in owning) >= 14 * 60
    assert min(a.t for a in owning) <= 14 * 60 + 30  # at once, not at the next scheduled update
    unchanged = _ideal(scenario(), tmp_path / "u")
    assert not [a for a in unchanged.actions if OWNING in a.text]


def test_ideal_answers_what_a_quote_post_spreads_and_names_the_video(tmp_path: Path) -> None:
    posts = [
        {
            "id": "p1",
            "at": 1,
            "author": "cust",
            "text": "Smoke in the carriage, is it safe to stay on?",
            "tags": ["safety", "question"],
        },
        {"id": "p2", "at": 3, "author": "cust", "text": "Anyone else seeing this?", "quote": "p1"},
        {
            "id": "p3",
            "at": 5,
            "author": "cust",
            "text": "Just look at it.",
            "media": {"kind": "video", "caption": "Smoke in a carriage"},
        },
    ]
    s = _ideal(scenario(posts=posts), tmp_path)
    to_quote = next(a for a in s.actions if a.post_id == "p2")
    assert "doctor" in to_quote.text or "medical" in to_quote.text  # the safety advice the quoted post needs
    to_video = next(a for a in s.actions if a.post_id == "p3")
    assert "the video" in to_video.text


def test_a_pinned_post_is_answered_before_others_of_its_minute(tmp_path: Path) -> None:
    posts = [
        {"id": "a", "at": 2, "author": "cust", "text": "My train is stuck, any news?", "tags": ["question"]},
        {"id": "b", "at": 2, "author": "cust", "text": "Pinned: this line is a disgrace.", "pinned": True},
    ]
    s = _ideal(scenario(posts=posts), tmp_path)
    order = [a.post_id for a in s.actions if a.kind == "reply" and a.post_id in ("a", "b")]
    assert order[:1] == ["b"]
    s2 = _ideal(scenario(posts=[posts[0], {**posts[1], "pinned": False}]), tmp_path / "u")
    assert [a.post_id for a in s2.actions if a.kind == "reply" and a.post_id in ("a", "b")][:1] == ["a"]
