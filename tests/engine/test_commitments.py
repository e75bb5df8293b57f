"""The promise parser on many phrasings, its robustness, and commitments kept or broken in a session."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine.actions import PlanAction, PrivateAction, ReplyAction, UpdateAction
from sim.engine.clock import VirtualClock
from sim.engine.commitments import clock_due, promised_due
from sim.engine.journal import read_journal
from sim.engine.session import Session
from sim.scenario.model import PlanStep

Maker = Callable[..., tuple[Session, VirtualClock]]
NINE = 9 * 60  # start_clock 09:00
H = 3600


@pytest.mark.parametrize(
    ("text", "now", "due"),
    [
        ("Next update at 09:30.", 0, 1800),
        ("We'll update you at 9:45am", 0, 2700),
        ("next update by 10.15", 0, 4500),
        ("More news within the hour.", 600, 4200),
        ("We will post again in 20 minutes!", 60, 1260),
        ("Next update in 2 hours", 0, 2 * H),
        ("Next update within 2 hours", 0, 2 * H),
        ("update at 3pm", 0, 6 * H),
        ("We'll update you by 3 p.m.", 0, 6 * H),
        ("Next update: 3pm", 0, 6 * H),
        ("Next update 15:00", 0, 6 * H),
        ("We'll be back at 3:00", 0, 6 * H),  # no am/pm: the first 3:00 to come is 15:00
        ("update at 11 o'clock", 0, 2 * H),
        ("next update around 10h30", 0, 1.5 * H),
        ("We'll update you at noon", 0, 3 * H),
        ("Next update by midnight", 0, 15 * H),
        ("update in half an hour", 0, 1800),
        ("we will update you in under 30 mins", 0, 1800),
        ("we'll update everyone in 90 mins", 0, 5400),
        ("Next update in 1.5 hours", 0, 5400),
        ("More at the top of the hour", 600, H),
        ("next update at 12:30", 0, 3.5 * H),
        ("Next update at 08:30", 600, 23.5 * H),  # 24-hour time already past: tomorrow
        ("Next update at 9:05", 600, 12 * H + 300),  # past, no am/pm: 21:05
        ("update by 9am", 600, 24 * H),  # am already past: tomorrow
        ("update by 12am", 0, 15 * H),  # midnight
        ("Next update at 23:59", 0, 15 * H - 60),
        ("We'll update you at 10am. And again at 11am.", 0, H),  # the earliest promise
        ("Sorry!\nNext update in 5 minutes", 0, 300),
        ("Refunds within 48 hours.", 0, None),  # not an update promise
        ("We have 3 stores closed at 10", 0, None),  # "at 10" alone is ambiguous
        ("update at 3 apples", 0, None),
        ("update at 25:00", 0, None),
        ("update by 13pm", 0, None),
        ("Refund £10.50, next update soon", 0, None),
        ("update in 3 months", 0, None),
        ("Next update in 50 hours", 0, None),  # too far ahead to be an update promise
        ("We are looking into it.", 0, None),
        ("", 0, None),
    ],
)
def test_promised_due(text: str, now: float, due: float | None) -> None:
    got = promised_due(text, now, NINE)
    assert (got[0] if got else None) == due


@pytest.mark.parametrize(
    ("field", "due"),
    [("10:30", 1.5 * H), ("10.30 on this account", 1.5 * H), ("in 20 min", 1200), ("3pm", 6 * H), ("3", None)],
)
def test_plan_next_update_field_needs_no_cue(field: str, due: float | None) -> None:
    got = promised_due(field, 0, NINE, require_cue=False)
    assert (got[0] if got else None) == due


def test_clock_times_across_midnight_and_am_pm() -> None:
    late = 23 * 60  # a scenario starting at 23:00
    assert clock_due(1, 0, "a", 0, late) == 2 * H
    assert clock_due(11, 30, "p", 0, late) == 1800
    assert clock_due(12, 0, "p", 0, late) == 13 * H
    assert clock_due(0, 15, None, 0, late) == 4500
    assert clock_due(13, 0, "p", 0, late) is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.floats(min_value=0, max_value=86400))
def test_parser_is_robust_on_arbitrary_text(text: str, now: float) -> None:
    for cue in ("", "Next update "):
        got = promised_due(cue + text, now, NINE)
        assert got is None or now < got[0] <= now + 48 * H


def test_parser_is_fast_on_hostile_text() -> None:
    hostile = ("next update at 1" * 200) + ("in " * 500) + "9" * 2000 + "within the next " * 100
    start = time.perf_counter()
    promised_due(hostile, 0, NINE)
    assert time.perf_counter() - start < 0.5  # no catastrophic backtracking


def _commitments(s: Session) -> list[tuple[str, float]]:
    s.close()
    assert s.journal_path is not None
    return [(e["status"], e["due"]) for e in read_journal(s.journal_path).raw_events if e["type"] == "commitment"]


def test_kept_within_the_grace_minute_broken_after(make_session: Maker) -> None:
    s, clock = make_session()
    clock.set(60)
    s.act(UpdateAction("Sorry. Next update at 09:05."))  # due 300
    clock.set(359)
    s.act(UpdateAction("Update: still on it."))  # 59 s late: kept
    s.act(UpdateAction("Next update in 1 minute."))  # due 419
    clock.set(480)
    s.advance()
    assert _commitments(s) == [("made", 300.0), ("kept", 300.0), ("made", 419.0), ("broken", 419.0)]


def test_a_reply_and_the_plan_field_make_promises(make_session: Maker) -> None:
    s, clock = make_session()
    clock.set(200)
    s.act(ReplyAction("p2", "Jo, we'll update you at 9:30."))
    assert s.next_promise() == 1800
    s.act(PlanAction("Our plan", (PlanStep("Roll back", "Engineers", "today"),), "09:20"))
    assert s.next_promise() == 1200
    s.act(UpdateAction("Next update at 9:30."))  # to everyone: not the promise made to Jo
    s.act(UpdateAction("We'll update everyone again at 9:30."))  # the same due time is not promised twice
    assert _commitments(s) == [("made", 1800.0), ("made", 1200.0), ("made", 1800.0)]


def test_a_promise_to_one_person_is_kept_by_answering_that_person() -> None:
    """A reply or private message promising contact is kept by a reply or message to the same account
    (or by a public update), not by answering someone else."""
    from sim.engine.commitments import Commitment

    c = Commitment(10, 600, 1, "by 9:30", audience="journo")
    assert c.kept_by("private", "journo") and c.kept_by("reply", "journo")
    assert not c.kept_by("reply", "cust")
    assert c.kept_by("update", None)
    public = Commitment(10, 600, 2, "at 9:30")
    assert public.kept_by("plan", None) and not public.kept_by("reply", "journo")


def test_private_messages_make_promises_kept_per_person(make_session: Maker) -> None:
    s, clock = make_session()
    clock.set(200)
    s.act(PrivateAction("p2", "I'll message you back by 9:10 with the details."))
    s.act(ReplyAction("p1", "Sorry about this, we're on it."))
    clock.set(500)
    s.act(PrivateAction("p2", "As promised: here are the details."))
    s.close()
    assert s.journal_path is not None
    events = [e for e in read_journal(s.journal_path).raw_events if e["type"] == "commitment"]
    assert [(e["status"], e.get("audience")) for e in events] == [("made", "journo"), ("kept", "journo")]


def test_a_time_heading_an_update_is_its_label_not_a_promise() -> None:
    from sim.engine.commitments import promised_due

    # Said at 09:18:20 (start 09:00): "09:19 update" labels the update; the promise is 09:35.
    assert promised_due("09:19 update: ovens are back in 30 stores. Next update at 09:35.", 1100, 540) == (
        2100.0,
        "at 09:35",
    )
    # The label after the word, as a careful player wrote it at 09:04:55 ("Update 09:05." was read as a
    # promise due in 5 s and charged as broken three times in one session).
    for text in (
        "Update 09:05. We now know why. Next update at 09:10.",
        "Update (as of 09:05): 30 stores closed. Next update at 09:10.",
        "Statement, 09:05 - 30 stores closed. We'll update again at 09:10.",
    ):
        assert promised_due(text, 295, 540) == (600.0, "at 09:10"), text
    # Not a label: a promise of the next update, heading the text or not.
    assert promised_due("Next update at 09:05.", 240, 540) == (300.0, "at 09:05")
    assert promised_due("Updates at 09:05 and every 5 minutes after.", 240, 540) == (300.0, "at 09:05")


def test_stale_times_are_the_promised_times_not_ahead_of_now() -> None:
    from sim.engine.commitments import stale_times

    # Scenario starts at 09:00; now is 09:10 (600 s).
    assert stale_times("Next update at 09:10.", 600, 540) == ["at 09:10"]
    assert stale_times("Next update at 09:30.", 600, 540) == []
    assert stale_times("We opened at 09:10 as usual.", 600, 540) == []  # no promise cue
    assert stale_times("09:10", 600, 540, require_cue=False) == ["09:10"]
