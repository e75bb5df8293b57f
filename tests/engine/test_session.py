"""The session under a virtual clock: delivery, injects, commitments, refusals, pressure, queries."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sim.engine.actions import Ack, EndAction, PlanAction, PrivateAction, Refusal, ReplyAction, UpdateAction
from sim.engine.clock import RealClock, VirtualClock
from sim.engine.journal import read_journal
from sim.engine.session import Session
from sim.scenario.model import PlanStep, Scenario

Maker = Callable[..., tuple[Session, VirtualClock]]


def journal_of(s: Session) -> Path:
    """The session's journal file (these sessions all write one)."""
    assert s.journal_path is not None
    return s.journal_path


def run_to(s: Session, clock: VirtualClock, t: float) -> None:
    clock.set(t)
    s.advance()


def injects(s: Session) -> list[dict[str, Any]]:
    assert s.journal_path is not None
    s.close()
    return [e for e in read_journal(journal_of(s)).raw_events if e["type"] == "inject"]


def test_posts_arrive_in_order_and_on_time(make_session: Maker) -> None:
    s, clock = make_session()
    run_to(s, clock, 59)
    assert [p.id for p in s.delivered if not p.wave] == []
    run_to(s, clock, 60)
    assert "p1" in [p.id for p in s.delivered]
    run_to(s, clock, 600)
    times = [s.delivered_at(p.id) or 0.0 for p in s.delivered]
    assert times == sorted(times)
    for p in s.delivered:
        assert s.delivered_at(p.id) == p.t  # delivered exactly at its scheduled second
    assert [b.id for b in s.briefings_so_far()] == ["b0", "b1"]


def test_advance_in_any_steps_gives_the_same_journal(make_session: Maker, tmp_path: Path) -> None:
    a, ca = make_session()
    run_to(a, ca, 1800)
    a.close()
    one = (tmp_path / "j.jsonl").read_text().splitlines()[1:]
    b, cb = make_session()
    for t in range(0, 1801, 7):
        run_to(b, cb, t)
    run_to(b, cb, 1800)
    b.close()
    two = (tmp_path / "j.jsonl").read_text().splitlines()[1:]
    assert one == two


def test_session_ends_at_duration(make_session: Maker) -> None:
    s, clock = make_session()
    run_to(s, clock, 5000)
    assert s.ended and s.now == 1800
    assert isinstance(s.act(UpdateAction("late")), Refusal)


def test_no_statement_by_fires_once_with_cause(make_session: Maker) -> None:
    s, clock = make_session()
    run_to(s, clock, 400)
    assert any(p.id == "h_silent" for p in s.delivered)
    ev = [e for e in injects(s) if e["id"] == "i_statement"]
    assert len(ev) == 1 and ev[0]["t"] == 301 and ev[0]["cause"]["condition"] == "no_statement_by"


def test_statement_in_time_prevents_it(make_session: Maker) -> None:
    s, clock = make_session()
    run_to(s, clock, 120)
    assert isinstance(s.act(UpdateAction("We're sorry; we're on it.")), Ack)
    run_to(s, clock, 400)
    assert not any(e["id"] == "i_statement" for e in injects(s))


def test_unanswered_fires_after_n_minutes_unless_answered(make_session: Maker) -> None:
    s, clock = make_session()
    run_to(s, clock, 600)
    fired = [e for e in injects(s) if e["id"] == "i_unanswered"]
    assert fired and fired[0]["t"] == 120 + 360 and fired[0]["cause"]["post"] == "p2"
    s2, clock2 = make_session()
    run_to(s2, clock2, 200)
    s2.act(ReplyAction("p2", "Jo, sorry: something broke and we are fixing it."))
    run_to(s2, clock2, 600)
    assert not any(e["id"] == "i_unanswered" for e in injects(s2))


def test_no_plan_by(make_session: Maker) -> None:
    s, clock = make_session()
    run_to(s, clock, 1300)
    assert any(e["id"] == "i_noplan" and e["t"] == 1201 for e in injects(s))
    s2, clock2 = make_session()
    run_to(s2, clock2, 600)
    s2.act(PlanAction("Our plan", (PlanStep("Roll back", "Engineers", "today"),), "10:00"))
    run_to(s2, clock2, 1300)
    assert not any(e["id"] == "i_noplan" for e in injects(s2))


def test_reply_flagged_uses_the_judge(make_session: Maker) -> None:
    s, clock = make_session()
    run_to(s, clock, 200)
    s.act(ReplyAction("p2", "This is not our fault."))
    run_to(s, clock, 260)
    ev = [e for e in injects(s) if e["id"] == "i_flag"]
    assert ev and ev[0]["cause"]["flags"] == ["defensive"]
    no_judge, c2 = make_session(judge=None)
    run_to(no_judge, c2, 200)
    no_judge.act(ReplyAction("p2", "This is not our fault."))
    assert not any(e["id"] == "i_flag" for e in injects(no_judge))


def test_reply_to_other_persona_does_not_fire(make_session: Maker) -> None:
    s, clock = make_session()
    run_to(s, clock, 200)
    s.act(ReplyAction("p1", "This is not our fault."))
    assert not any(e["id"] == "i_flag" for e in injects(s))


def test_said_trap(make_session: Maker) -> None:
    s, clock = make_session()
    run_to(s, clock, 300)
    s.act(UpdateAction("Good news: it is all fixed now."))
    run_to(s, clock, 330)
    ev = [e for e in injects(s) if e["id"] == "i_said"]
    assert ev and ev[0]["cause"]["words"] == "all fixed"


def test_promise_kept_and_broken(make_session: Maker) -> None:
    s, clock = make_session()
    run_to(s, clock, 120)
    s.act(UpdateAction("Sorry. Next update at 09:10."))  # due 600
    assert s.next_promise() == 600
    run_to(s, clock, 590)
    s.act(UpdateAction("Update: rolling back. Next update in 5 minutes."))  # kept; new due 890
    run_to(s, clock, 1000)  # 890 + 60 grace passed: broken
    s.close()
    evs = [e for e in read_journal(journal_of(s)).raw_events if e["type"] in ("commitment", "inject")]
    statuses = [(e.get("status"), e.get("due")) for e in evs if e["type"] == "commitment"]
    assert statuses == [("made", 600.0), ("kept", 600.0), ("made", 890.0), ("broken", 890.0)]
    assert any(e["type"] == "inject" and e["id"] == "i_promise" and e["t"] == 950 for e in evs)


def test_silence_repeats(make_session: Maker) -> None:
    s, clock = make_session()
    run_to(s, clock, 60)
    s.act(UpdateAction("We know, sorry."))
    run_to(s, clock, 1800)
    fired = [e["t"] for e in injects(s) if e["id"] == "i_quiet"]
    assert fired == [1020, 1440]  # 10 min + 7, then 7 more minutes of silence after firing
    assert sum(1 for p in s.delivered if p.id.startswith("h_quiet")) == 2
    assert {p.id for p in s.delivered if p.id.startswith("h_quiet")} == {"h_quiet", "h_quiet#2"}


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        (ReplyAction("nope", "hi"), "unknown post"),
        (ReplyAction("p2", "hi"), "has not arrived yet"),
        (UpdateAction("   "), "write something first"),
        (UpdateAction("x" * 2001), "too long"),
        (PlanAction("", ()), "needs some text or at least one step"),
        (PrivateAction("p1", ""), "write something first"),
    ],
)
def test_invalid_actions_are_refused(make_session: Maker, action: Any, reason: str) -> None:
    s, clock = make_session()
    run_to(s, clock, 90)
    result = s.act(action)
    assert isinstance(result, Refusal) and reason in result.reason
    assert s.actions == []


def test_actions_change_status_and_are_fsynced_before_ack(make_session: Maker, tmp_path: Path) -> None:
    s, clock = make_session()
    run_to(s, clock, 200)
    ack = s.act(ReplyAction("p1", "Cam, sorry about your thing."))
    assert isinstance(ack, Ack)
    on_disk = (tmp_path / "j.jsonl").read_text()
    assert "Cam, sorry about your thing." in on_disk  # written before act() returned
    assert s.status_of("p1") == "answered"
    s.act(PrivateAction("p1", "Hi Cam, DM here."))
    assert s.status_of("p1") == "private"
    assert [p.id for p in s.thread("p3")] == ["p1", "p3"]


def test_unanswered_by_priority(make_session: Maker) -> None:
    s, clock = make_session()
    run_to(s, clock, 150)
    order = [p.id for p in s.unanswered()]
    assert order[0] == "p2"  # media first
    s.act(ReplyAction("p2", "Jo, sorry; we are fixing it."))
    assert "p2" not in [p.id for p in s.unanswered()]


def test_end_action(make_session: Maker) -> None:
    s, clock = make_session()
    run_to(s, clock, 100)
    assert isinstance(s.act(EndAction()), Ack)
    assert s.ended
    s.close()
    assert read_journal(journal_of(s)).raw_events[-1] == {"type": "end", "t": 100.0, "reason": "trainee"}


def test_pressure_sampled_every_minute_and_silence_raises_it(make_session: Maker) -> None:
    quiet, c1 = make_session()
    run_to(quiet, c1, 1800)
    busy, c2 = make_session()
    for t in range(60, 1800, 300):
        run_to(busy, c2, t)
        busy.act(UpdateAction(f"Sorry, update {t}: we are fixing it. Next update in 5 minutes."))
    run_to(busy, c2, 1800)
    quiet.close()
    samples = [e for e in read_journal(journal_of(quiet)).raw_events if e["type"] == "pressure"]
    assert [e["t"] for e in samples] == [60.0 * i for i in range(31)]
    assert all(0 <= e["value"] <= 100 for e in samples)
    assert busy.pressure < quiet.pressure


def test_flagged_replies_raise_pressure(make_session: Maker) -> None:
    """Two sessions alike but for the tone of their replies: the one whose replies the judge flags
    (defensive) runs hotter, minute after minute, while they count (ten minutes)."""
    calm, c1 = make_session(journal=False)
    hot, c2 = make_session(journal=False)
    for s, clock, text in ((calm, c1, "Jo, so sorry; we are fixing it."), (hot, c2, "Not our fault, Jo.")):
        run_to(s, clock, 120)
        low_reach = [p for p in s.unanswered() if p.followers < 10_000][:3]
        assert len(low_reach) == 3
        for p in low_reach:
            assert isinstance(s.act(ReplyAction(p.id, text)), Ack)
    for t in range(180, 600, 60):
        run_to(calm, c1, t)
        run_to(hot, c2, t)
        assert hot.pressure > calm.pressure + 5, t


def test_header(make_session: Maker, scenario: Any) -> None:
    s, _ = make_session()
    s.close()
    head = read_journal(journal_of(s)).header
    assert head.scenario == "engine-test" and head.scenario_hash == scenario.content_hash
    assert head.format == 1 and head.trainee == "tester" and head.seed == scenario.seed
    assert head.stormdrill and head.started


def test_real_clock_speed_pause_resume() -> None:
    wall = [100.0]
    clock = RealClock(speed=5, time_fn=lambda: wall[0])
    wall[0] += 10
    assert clock.now() == 50
    clock.pause()
    wall[0] += 10
    assert clock.now() == 50
    clock.resume()
    wall[0] += 2
    assert clock.now() == 60
    clock.set_speed(30)
    wall[0] += 1
    assert clock.now() == 90


def test_core_imports_no_textual() -> None:
    code = (
        "import sys; import sim.engine, sim.engine.session, sim.engine.autoplay, sim.autoplay, sim.bots, scoring, "
        "scoring.report, sim.calibrate; print(json.dumps(sorted(m for m in sys.modules if m.startswith('textual'))))"
    )
    out = subprocess.run([sys.executable, "-c", "import json; " + code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_a_judgement_made_ahead_is_used_only_while_its_context_holds(make_session: Maker) -> None:
    """The console judges a text in a worker, then sends it: the session uses that judgement when the
    request is still the same, and judges again when something changed in between."""
    from sim.engine.journal import read_journal

    calls: list[str] = []

    def judge(req: object) -> list[str]:
        calls.append(getattr(req, "text", ""))
        return ["apologises", "informs"]

    s, clock = make_session(judge=judge)
    run_to(s, clock, 200)
    reply = ReplyAction("p1", "So sorry, a fix is on its way today.")
    request = s.preview_request(reply)
    assert request is not None and request.text == reply.text
    assert s.act(reply, verdict=(request, ["informs"]))
    assert calls == [] and s._judged_ahead  # used as it was: no second judging
    stale = s.preview_request(ReplyAction("p1", "Another one."))
    s.act(UpdateAction("An update in between, next update at 09:30."))
    assert stale is not None
    s.act(ReplyAction("p1", "Another one."), verdict=(stale, ["informs"]))  # the earlier texts changed
    assert calls == ["An update in between, next update at 09:30.", "Another one."]
    s.close()
    assert s.journal_path is not None
    flags = [e.get("flags") for e in read_journal(journal_of(s)).raw_events if e["type"] == "action"]
    assert flags[0] == ["informs"]
    assert s.preview_request(ReplyAction("nope", "x")) is None  # an action that would be refused


def test_a_lone_surrogate_is_journaled_and_read_back_exactly(scenario: Scenario, tmp_path: Path) -> None:
    # A name from a command line with invalid bytes (surrogateescape) or hostile pasted text: the journal
    # keeps it (escaped), the real judge reads it, nothing is lost.
    from scoring.judge import tone_judge
    from sim.engine.events import ActionEvent
    from sim.engine.journal import read_journal

    clock = VirtualClock()
    path = tmp_path / "j.jsonl"
    s = Session.create(scenario, clock, journal_path=path, judge=tone_judge, trainee="Sam\udcff")
    run_to(s, clock, 60)
    text = "We're sorry \ud800 our stores are closed; next update at 10:00."
    assert isinstance(s.act(UpdateAction(text)), Ack)
    j = read_journal(path)
    assert j.header.trainee == "Sam\udcff"
    sent = [e.action.text for e in j.events if isinstance(e, ActionEvent)]
    assert sent == ["We're sorry ? our stores are closed; next update at 10:00."]  # cleaned as every text is
