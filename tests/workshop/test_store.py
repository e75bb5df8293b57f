"""The results store on SQLite and on the real PostgreSQL: migrations, the room's clock, seats,
actions, score cards, and concurrent writers (40 processes on SQLite, two on PostgreSQL)."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from sqlalchemy import inspect

from sim.workshop.models import Base
from sim.workshop.store import (
    Store,
    StoreError,
    canonical_code,
    code_matches,
    default_url,
    hash_code,
    new_code,
    open_store,
)
from tests.workshop.conftest import workshop_of


def make(store: Store, code: str = "ABCD-2345", duration: float = 3600) -> str:
    return store.create_workshop(scenario="empty-ovens", title="Empty Ovens", seed=7, duration=duration, code=code).id


def test_migrations_build_the_schema_the_models_describe(store_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    store = open_store(store_url)
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        tables = set(inspect(conn).get_table_names())
    assert diff == []
    assert {"workshops", "participants", "sessions", "actions", "score_cards", "alembic_version"} <= tables
    open_store(store_url).close()  # opening again (migrations at head) changes nothing
    store.close()


def test_sqlite_runs_in_wal_mode_in_the_data_folder(tmp_path: Path) -> None:
    assert default_url() == f"sqlite:///{tmp_path / 'home' / 'workshops.db'}"
    store = open_store()
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
    assert (tmp_path / "home" / "workshops.db").is_file()


def test_a_bad_url_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open the results store"):
        open_store("postgresql://nobody:secret@127.0.0.1:1/none")
    with pytest.raises(StoreError) as exc:
        open_store("postgresql://nobody:secret@127.0.0.1:1/none")
    assert "secret" not in str(exc.value)
    with pytest.raises(StoreError, match="unsupported database"):
        open_store("mysql://x@localhost/db")


def test_a_store_busy_past_its_timeout_is_a_store_error_for_reads_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """30 consoles joining at once on a loaded machine: a read waited past the busy timeout and its raw
    OperationalError killed the console; a StoreError is what the callers handle (join says so)."""
    import sqlite3

    from sim.workshop import store as store_module

    url = f"sqlite:///{tmp_path / 'busy.db'}"
    w = open_store(url).create_workshop(scenario="x", title="X", seed=1, duration=60, code="AAAA-BBBB")
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 200)
    busy = open_store(url, migrate=False)
    blocker = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with pytest.raises(StoreError, match="did not answer"):
            busy.workshop(w.id)
        with pytest.raises(StoreError, match="did not answer"):
            busy.check_code(w.id, "AAAA-BBBB")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert busy.check_code(w.id, "AAAA-BBBB")


def test_join_codes_are_hashed_and_forgiving_about_case_and_dashes() -> None:
    code = new_code()
    assert len(canonical_code(code)) == 8 and code[4] == "-"
    stored = hash_code(code)
    assert canonical_code(code) not in stored
    assert code_matches(code.lower().replace("-", " "), stored)
    assert not code_matches(code[:-1] + ("A" if code[-1] != "A" else "B"), stored)
    assert not code_matches(code, "garbage")


def test_the_room_clock_starts_pauses_resumes_and_ends(store_url: str) -> None:
    store = open_store(store_url)
    wid = make(store)
    w = store.workshop(wid)
    assert w is not None and w.state == "waiting" and w.clock(wall=10_000) == 0
    w = store.control(wid, "start", wall=1000.0)
    assert w.state == "running" and w.clock(wall=1030.0) == pytest.approx(30)
    w = store.control(wid, "pause", wall=1060.0)
    assert w.state == "paused" and w.clock(wall=5000.0) == pytest.approx(60)
    w = store.control(wid, "resume", wall=2000.0)
    assert w.clock(wall=2010.0) == pytest.approx(70)
    w = store.set_speed(wid, 5.0, wall=2010.0)
    assert w.clock(wall=2012.0) == pytest.approx(80)
    w = store.control(wid, "end", wall=2014.0)
    assert w.state == "ended" and w.clock(wall=9999.0) == pytest.approx(90)
    assert store.control(wid, "start", wall=3000.0).state == "ended"  # an ended workshop stays ended
    assert workshop_of(store, wid).clock(wall=10**9) <= w.duration


def test_the_same_name_gets_the_same_seat_and_journal(store_url: str) -> None:
    store = open_store(store_url)
    wid = make(store)
    other = make(store, code="WXYZ-6789")
    a = store.join(wid, "  Sam   Lee ", lambda pid: f"j-{pid}.jsonl")
    b = store.join(wid, "sam lee", lambda pid: "never used")
    c = store.join(other, "Sam Lee", lambda pid: f"k-{pid}.jsonl")
    assert a.new and not b.new and (b.session_id, b.journal, b.name) == (a.session_id, a.journal, "Sam Lee")
    assert c.session_id != a.session_id
    assert store.check_code(wid, "abcd2345") and not store.check_code(wid, "WXYZ-6789")
    found = store.workshop_for_code("wxyz 6789")
    assert found is not None and found.id == other
    assert store.workshop_for_code("nope-nope") is None
    with pytest.raises(ValueError):
        store.join(wid, " \t ", lambda pid: "x")


def test_actions_roster_and_score_cards(store_url: str) -> None:
    store = open_store(store_url)
    wid = make(store)
    seat = store.join(wid, "Ana", lambda pid: f"{pid}.jsonl")
    store.join(wid, "Bo", lambda pid: f"{pid}.jsonl")
    store.record_action(seat.session_id, 1, 95.5, "reply", "Sorry, Dana", "p1", ("apology",))
    store.record_action(seat.session_id, 1, 95.5, "reply", "Sorry, Dana", "p1", ("apology",))  # a retry
    store.record_action(seat.session_id, 2, 130.0, "update", "We are on it", "")
    store.heartbeat(seat.session_id, progress=140.0, silence=10.0, live_score=61.5)
    roster = {r.name: r for r in store.roster(wid)}
    assert roster["Ana"].actions == 2 and roster["Bo"].actions == 0
    assert roster["Ana"].progress == 140 and roster["Ana"].live_score == 61.5 and roster["Ana"].silence == 10
    assert roster["Ana"].last_action == "update at 2m10s"
    assert store.actions(seat.session_id) == [(1, 95.5, "reply", "Sorry, Dana"), (2, 130.0, "update", "We are on it")]
    card = {"total": 72.4, "speed": {"score": 80}, "tone": {"score": 70}, "plan": {"score": 60}, "trainee": "Ana"}
    store.finish(seat.session_id, card)
    store.finish(seat.session_id, card | {"total": 1})  # the first card stays
    done = store.finished(wid)
    assert [(f.name, f.total) for f in done] == [("Ana", 72.4)]
    kept = store.card(seat.session_id)
    assert kept is not None and kept["total"] == 72.4
    assert {r.name: r.total for r in store.roster(wid)} == {"Ana": 72.4, "Bo": None}
    pushed = store.push_post(wid, "Is it true you knew for a week?", "@localnews")
    assert store.pushed(wid) == [pushed] and store.pushed(wid, after=pushed.id) == []


def _writer(url: str, session_id: int, first: int, n: int, queue: multiprocessing.Queue[tuple[str, object]]) -> None:
    """A participant's process: its own store, n actions and a heartbeat after each."""
    try:
        store = open_store(url, migrate=False)
        for seq in range(first, first + n):
            store.record_action(session_id, seq, float(seq), "reply", f"text {seq}", f"p{seq}")
            store.heartbeat(session_id, progress=float(seq), silence=1.0)
        queue.put(("ok", max(store.write_times)))
    except Exception as exc:
        queue.put(("error", repr(exc)))


def _run_writers(url: str, jobs: list[tuple[int, int, int]]) -> list[tuple[str, object]]:
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(url, sid, first, n, queue)) for sid, first, n in jobs]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    return results


def test_forty_processes_write_to_one_sqlite_store_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'room.db'}"
    store = open_store(url)
    wid = make(store)
    seats = [store.join(wid, f"trainee {i}", lambda pid: f"{pid}.jsonl") for i in range(40)]
    store.close()
    results = _run_writers(url, [(s.session_id, 1, 5) for s in seats])
    assert [r for r in results if r[0] != "ok"] == []
    store = open_store(url)
    assert store.count_rows()["actions"] == 200
    assert all(r.actions == 5 and r.progress == 5 for r in store.roster(wid))


def test_two_processes_write_to_one_postgresql_store(pg_url: str) -> None:
    store = open_store(pg_url)
    wid = make(store)
    a = store.join(wid, "host A trainee", lambda pid: f"{pid}.jsonl")
    b = store.join(wid, "host B trainee", lambda pid: f"{pid}.jsonl")
    store.close()
    # Both write to the same session too: the (session, seq) key keeps one row per action.
    results = _run_writers(pg_url, [(a.session_id, 1, 30), (b.session_id, 1, 30), (a.session_id, 21, 20)])
    assert [r for r in results if r[0] != "ok"] == []
    store = open_store(pg_url)
    assert store.count_rows()["actions"] == 30 + 30 + 10
    assert [seq for seq, *_ in store.actions(a.session_id)] == list(range(1, 41))


def _another_process_writes_first(store: Store, other: Store, action: tuple[int, int, float, str, str, str]) -> None:
    """The race, made to happen: right after ``store`` looks for the action, ``other`` stores its own."""
    from sqlalchemy import event

    done: list[bool] = []

    def after(conn: object, cursor: object, statement: str, *args: object) -> None:
        if not done and statement.lstrip().upper().startswith("SELECT") and "FROM actions" in statement:
            done.append(True)
            other.record_action(*action)

    event.listen(store.engine, "after_cursor_execute", after)


def test_two_processes_storing_the_same_action_at_once_keep_one_row_on_postgresql(pg_url: str) -> None:
    store = open_store(pg_url)
    wid = make(store)
    seat = store.join(wid, "Ana", lambda pid: f"{pid}.jsonl")
    other = open_store(pg_url, migrate=False)
    action = (seat.session_id, 1, 65.0, "reply", "We are checking the stores.", "p1")
    _another_process_writes_first(store, other, action)
    store.record_action(*action)  # the unique key refuses its insert; the stored row is this action
    assert store.actions(seat.session_id) == [(1, 65.0, "reply", "We are checking the stores.")]
    assert store.count_rows()["actions"] == 1


def test_a_different_action_under_the_same_number_is_refused_with_a_message_on_postgresql(pg_url: str) -> None:
    store = open_store(pg_url)
    wid = make(store)
    seat = store.join(wid, "Ana", lambda pid: f"{pid}.jsonl")
    other = open_store(pg_url, migrate=False)
    _another_process_writes_first(store, other, (seat.session_id, 1, 65.0, "reply", "Something else.", "p1"))
    with pytest.raises(StoreError, match=r"already has a different action number 1 .*reply at"):
        store.record_action(seat.session_id, 1, 65.0, "reply", "We are checking the stores.", "p1")
    assert store.actions(seat.session_id) == [(1, 65.0, "reply", "Something else.")]
    with pytest.raises(StoreError, match="different action number 1"):  # also when it was there already
        other.record_action(seat.session_id, 1, 70.0, "update", "A third text.")
