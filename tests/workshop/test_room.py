"""The participant's side without Textual: a pushed post survives a resume exactly, the backoff
doubles, the room's clock ignores the game's own pause, and the UI thread and the poll worker
flushing actions to the store at once store each one (the bench found two consoles dying of it)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from sim.engine.actions import UpdateAction
from sim.engine.clock import VirtualClock
from sim.engine.events import PostEvent, TraineeAction
from sim.engine.journal import read_journal
from sim.engine.session import Session
from sim.scenario.library import resolve
from sim.scenario.load import load_scenario
from sim.scenario.model import Post
from sim.workshop.backoff import Backoff
from sim.workshop.room import Room, RoomClock
from sim.workshop.store import Store, open_store


def test_a_pushed_post_is_delivered_journaled_and_kept_on_resume(tmp_path: Path) -> None:
    sc = load_scenario(resolve("empty-ovens"))
    path = tmp_path / "j.jsonl"
    clock = VirtualClock()
    s = Session.create(sc, clock, journal_path=path, trainee="Tess")
    clock.set(100)
    s.advance()
    post = Post("pushed-1", 0, "@radio", "Radio", "@radio", "public", 0, "Did you know for a week?")
    s.push(post, 50)  # pushed at a time already past: it arrives now
    clock.set(130)
    s.act(UpdateAction(text="We are checking every store; next update at 09:20."))
    clock.set(200)
    s.advance()
    s.close()
    events = read_journal(path).events
    [ev] = [e for e in events if isinstance(e, PostEvent) and e.id == "pushed-1"]
    assert ev.t == 100 and ev.source == "pushed" and ev.text == "Did you know for a week?"
    resumed = Session.resume(sc, path, VirtualClock())  # replays the pushed post at its time: no mismatch
    assert resumed.post("pushed-1") is not None
    resumed.close()


def test_the_backoff_doubles_up_to_its_cap() -> None:
    b = Backoff(first=1, most=5)
    assert [b.failed(now=0) for _ in range(5)] == [1, 2, 4, 5, 5]
    assert b.wait_left(now=3) == 2 and b.wait_left(now=6) == 0
    b.succeeded()
    assert b.failed(now=0) == 1


def test_the_room_clock_ignores_the_games_own_controls(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'c.db'}")
    w = store.create_workshop(scenario="x", title="X", seed=1, duration=600, code="AAAA-BBBB")
    clock = RoomClock(store.control(w.id, "start", wall=0))
    clock.info = store.control(w.id, "pause", wall=120)
    clock.resume()
    clock.set(500)
    clock.set_speed(10)
    assert clock.paused and clock.now() == 120 and clock.speed == 1


class SlowStore:
    """The store, with a slow write: the other thread's flush comes in the middle of one."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def record_action(self, *args: Any, **kw: Any) -> None:
        time.sleep(0.02)
        self.store.record_action(*args, **kw)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def test_the_ui_thread_and_the_poll_worker_flushing_at_once_store_every_action(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'f.db'}")
    w = store.create_workshop(scenario="x", title="X", seed=1, duration=600, code="AAAA-BBBB")
    seat = store.join(w.id, "Tess", lambda pid: str(tmp_path / f"p{pid}.jsonl"))
    room = Room(SlowStore(store), w, seat)  # type: ignore[arg-type]
    stop, errors = threading.Event(), []

    def poll_worker() -> None:
        while not stop.is_set():
            try:
                room._flush()
            except Exception as exc:  # what killed the console: IndexError, pop from empty list
                errors.append(exc)

    worker = threading.Thread(target=poll_worker)
    worker.start()
    try:
        for seq in range(1, 13):
            assert room.acted(TraineeAction(seq, 10.0 * seq, "update", f"Update {seq}: stores checked.")) == ""
    finally:
        stop.set()
        worker.join()
    assert errors == []
    assert [a[0] for a in store.actions(seat.session_id)] == list(range(1, 13))
