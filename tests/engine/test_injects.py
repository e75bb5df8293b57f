"""Inject edge cases, what the trainee may see, more refusals: storms built by hand from the test scenario."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from sim.engine.actions import Ack, PlanAction, PrivateAction, Refusal, ReplyAction, UpdateAction
from sim.engine.clock import VirtualClock
from sim.engine.events import Event, InjectEvent
from sim.engine.session import Session
from sim.scenario.expand import expand
from sim.scenario.model import Condition, Inject, PlanStep, Post, Scenario, ScriptedPost, Storm

from .conftest import fake_judge


def _session(sc: Scenario, **changes: Any) -> tuple[Session, VirtualClock]:
    clock = VirtualClock()
    return Session(expand(replace(sc, **changes), sc.seed), clock, judge=fake_judge), clock


def _journal(s: Session) -> list[Event]:
    s._replay = []  # capture events in memory (no journal file)
    return s._replay


def test_timed_conditions_fire_once_even_with_repeat(scenario: Scenario) -> None:
    injects = (
        Inject("i_a", Condition("no_statement_by", at=300), ("h_silent",), repeat=True),
        Inject("i_b", Condition("no_plan_by", at=300), ("h_noplan",), repeat=True),
        Inject("i_c", Condition("unanswered", post="p2", minutes=60), ("h_unans",), repeat=True),
    )
    s, clock = _session(scenario, injects=injects)
    events = _journal(s)
    clock.set(1800)
    s.advance()
    fired = [(e.id, e.t) for e in events if isinstance(e, InjectEvent)]
    assert fired == [("i_c", 180.0), ("i_a", 301.0), ("i_b", 301.0)]
    causes = {e.id: e.cause for e in events if isinstance(e, InjectEvent)}
    assert causes["i_a"] == {"condition": "no_statement_by", "by": 300}
    assert causes["i_c"] == {"condition": "unanswered", "post": "p2"}


def test_refired_threads_get_suffixed_ids_and_parents(scenario: Scenario) -> None:
    posts = (
        *scenario.posts,
        ScriptedPost("h_root", 0, "journo", "Root", held=True),
        ScriptedPost("h_reply", 30, "cust", "Reply", reply_to="h_root", held=True),
    )
    injects = (Inject("i_said", Condition("said", pattern="fixed"), ("h_root", "h_reply"), repeat=True),)
    s, clock = _session(scenario, posts=posts, injects=injects)
    for t in (100, 200):
        clock.set(t)
        s.act(UpdateAction("It is fixed."))
    clock.set(400)
    s.advance()
    fired = {p.id: (s.delivered_at(p.id), p.reply_to) for p in s.delivered if p.source == "inject"}
    assert fired == {
        "h_root": (100, None),
        "h_reply": (130, "h_root"),
        "h_root#2": (200, None),
        "h_reply#2": (230, "h_root#2"),
    }
    assert [p.id for p in s.thread("h_reply#2")] == ["h_root#2", "h_reply#2"]
    assert [p.id for p in s.replies_to("h_root")] == ["h_reply"]


def test_said_respects_before_and_reply_flagged_defaults(scenario: Scenario) -> None:
    injects = (
        Inject("i_said", Condition("said", pattern="all fixed", at=120), ("h_said",)),
        Inject("i_flag", Condition("reply_flagged"), ("h_flag",)),  # any persona, default flags
    )
    s, clock = _session(scenario, injects=injects)
    events = _journal(s)
    clock.set(150)
    s.act(UpdateAction("It is all fixed."))  # after `before`: no trap
    s.act(ReplyAction("p1", "This is not our fault."))
    fired = [(e.id, e.cause) for e in events if isinstance(e, InjectEvent)]
    assert fired == [("i_flag", {"action": 2, "post": "p1", "condition": "reply_flagged", "flags": ["defensive"]})]


def test_expectations_and_future_posts_stay_hidden(scenario: Scenario) -> None:
    s, clock = _session(scenario)
    clock.set(119)
    s.advance()
    assert s.post("p2") is None  # not delivered yet
    assert isinstance(s.act(ReplyAction("p2", "Hi")), Refusal)
    clock.set(120)
    s.advance()
    p2 = s.post("p2")
    assert p2 is not None and p2.must_handle
    assert p2.expect is not None and p2.expect.must_mention == () and p2.expect.model_answer == ""


def test_queries(scenario: Scenario) -> None:
    s, clock = _session(scenario)
    clock.set(300)
    s.advance()
    assert s.index_of("p2") is not None and s.delivered[s.index_of("p2") or 0].id == "p2"
    batch, cursor = s.posts_since(0)
    assert len(batch) == cursor == len(s.delivered)
    assert s.posts_since(cursor) == ([], cursor)
    named = [p.id for p in s.unanswered(crowd=False)]
    assert named[0] == "p2" and all(not p.wave for p in s.unanswered(crowd=False))
    assert [p.id for p in s.oldest_unanswered()][:1] == [s.delivered[0].id]
    s.act(ReplyAction("p1", "Cam, sorry."))
    s.act(PrivateAction("p1", "Cam, DM here."))
    s.act(ReplyAction("p1", "Cam, one more thing."))  # private stays private
    assert s.status_of("p1") == "private" and s.statuses_changed() == [("p1", "answered"), ("p1", "private")]
    assert s.statuses_changed() == []
    s.act(UpdateAction("We're sorry. Next update at 09:20."))
    assert [a.kind for a in s.public_posts()] == ["reply", "reply", "update"]
    assert s.silence() == 0 and s.next_promise() == 1200
    assert 0 <= s.pressure <= 100


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        (ReplyAction("h_silent", "hi"), "has not arrived yet"),  # a held post not fired yet
        (PlanAction("plan", tuple(PlanStep(f"step {i}") for i in range(21))), "too many steps"),
        (PlanAction("plan", (PlanStep("x" * 501),)), "too long"),
        (UpdateAction(None), "write something first"),  # type: ignore[arg-type]  # what a bad caller sends
        (ReplyAction(None, "hi"), "unknown post"),  # type: ignore[arg-type]  # the engine checks, not only the type
        ("update", "not an action"),
        (UpdateAction("\x1b[31m\x07"), "write something first"),  # only escape codes: nothing left
    ],
)
def test_more_refusals(scenario: Scenario, action: Any, reason: str) -> None:
    s, clock = _session(scenario)
    clock.set(60)
    result = s.act(action)
    assert isinstance(result, Refusal) and reason in result.reason


def test_text_is_cleaned_where_it_enters(scenario: Scenario) -> None:
    s, clock = _session(scenario)
    clock.set(60)
    assert isinstance(s.act(UpdateAction("\x1b]52;c;ZXZpbA==\x07Sorry \x1b[2Jall")), Ack)
    assert s.actions[0].text == "Sorry all"


def test_a_storm_built_by_hand(scenario: Scenario) -> None:
    post = Post("x1", 5, "cust", "Cam", "@cam", "customer", 10, "Hello?", tags=("question",))
    storm = Storm(replace(scenario, injects=(), briefings=()), 1, (post,), {})
    s = Session(storm, VirtualClock())
    s.advance(5)
    assert [p.id for p in s.delivered] == ["x1"]
    s.advance(10_000)
    assert s.ended and s.now == scenario.duration


@pytest.mark.parametrize(
    ("pattern", "not_said", "said"),
    [
        # negated: "it is not fixed yet" does not spring an "all fixed" trap
        ("all fixed", "It is not all fixed yet; we are working on it.", "Good news: all fixed."),
        # quoted to disown it: a mention, not a use
        (
            "belligerent",
            "The memo that called our passenger 'belligerent' was wrong, and we withdraw it.",
            "The passenger was belligerent.",
        ),
    ],
)
def test_a_trap_phrase_negated_or_quoted_does_not_fire_said(
    scenario: Scenario, pattern: str, not_said: str, said: str
) -> None:
    injects = (Inject("i_said", Condition("said", pattern=pattern), ("h_said",)),)
    s, clock = _session(scenario, injects=injects)
    events = _journal(s)
    clock.set(60)
    s.act(UpdateAction(not_said))
    assert not [e for e in events if isinstance(e, InjectEvent)]
    s.act(UpdateAction(said))
    assert [e.cause["words"] for e in events if isinstance(e, InjectEvent)] == [pattern]


def test_an_avoid_line_quoted_to_disown_it_costs_nothing_but_said_costs_points(tmp_path: Path) -> None:
    from scoring import score
    from sim.engine.journal import read_journal
    from sim.engine.scripted import load_script, play_script
    from sim.scenario.library import resolve
    from sim.scenario.load import load_scenario

    sc = load_scenario(resolve("re-seated"))
    text = "The memo that called our passenger {} was wrong and unfair, and we have withdrawn it."
    rules: dict[str, list[str]] = {}
    for name, word in (("quoted", "'belligerent'"), ("used", "belligerent")):
        f = tmp_path / f"{name}.yaml"
        f.write_text(
            f'scenario: re-seated\nactions:\n  - at: "1:00"\n    update: "{text.format(word)}"\n  - at: "2:00"\n'
            "    end: true\n",
            encoding="utf-8",
        )
        play_script(sc, load_script(f), tmp_path / f"{name}.jsonl")
        card = score(sc, read_journal(tmp_path / f"{name}.jsonl"))
        rules[name] = [e.rule for e in card.evidence if e.rule == "tone.avoid"]
    assert rules == {"quoted": [], "used": ["tone.avoid"]}
