"""The facilitator's console (Pilot): the live roster, start / pause / resume / end for everyone,
and a post pushed to the room; plus a snapshot of the roster."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from sim.workshop.console import FacilitatorApp, PushScreen, roster_cells
from sim.workshop.store import RosterRow, Store, open_store
from tests.snap import SnapCompare
from tests.workshop.conftest import workshop_of


def room(tmp_path: Path) -> tuple[Store, str]:
    store = open_store(f"sqlite:///{tmp_path / 'c.db'}")
    w = store.create_workshop(scenario="empty-ovens", title="Empty Ovens", seed=3, duration=3600, code="ASDF-GHJK")
    a = store.join(w.id, "Ana", lambda pid: f"{pid}.jsonl")
    store.join(w.id, "[bold]Bo[/]", lambda pid: f"{pid}.jsonl")
    store.record_action(a.session_id, 1, 300.0, "update", "We are on it")
    store.heartbeat(a.session_id, progress=1800.0, silence=1000.0, live_score=64.0)
    return store, w.id


async def settle(app: FacilitatorApp, pilot: Pilot[None]) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_roster_and_the_room_controls(tmp_path: Path) -> None:
    store, wid = room(tmp_path)
    app = FacilitatorApp(store, wid, live=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        table = app.query_one(DataTable)
        assert table.row_count == 2
        ana = [str(c) for c in table.get_row_at(0)]
        assert ana[0] == "Ana" and ana[2] == "50%" and ana[3] == "64" and ana[4] == "16m40s" and ana[5] == "1"
        assert str(table.get_row_at(1)[0]) == "[bold]Bo[/]"  # a name is text, never markup
        assert "WAITING" in str(app.query_one("#room", Static).content)
        await pilot.press("s")
        await settle(app, pilot)
        assert workshop_of(store, wid).state == "running"
        await pilot.press("p")
        await settle(app, pilot)
        assert workshop_of(store, wid).state == "paused"
        await pilot.press("p")
        await settle(app, pilot)
        assert workshop_of(store, wid).state == "running"
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, PushScreen)
        app.screen.query_one("#push-text", Input).value = "Is it true you knew for a week?"
        await pilot.press("enter")
        await settle(app, pilot)
        [post] = store.pushed(wid)
        assert post.text == "Is it true you knew for a week?" and post.handle == "@localnews"
        await pilot.press("e")
        await pilot.press("e")  # a letter does not end it: only ctrl+e
        await pilot.pause()
        assert workshop_of(store, wid).state == "running"
        await pilot.press("ctrl+e")
        await settle(app, pilot)
        assert workshop_of(store, wid).state == "ended"


def test_roster_cells_mark_the_away_and_the_finished() -> None:
    now = datetime.now(UTC)
    row = RosterRow(1, 1, "Cy", now, 900.0, None, None, "", now - timedelta(seconds=60), None, 0, None)
    cells = [str(c) for c in roster_cells(row, 3600)]
    assert cells[2] == "25%" and cells[3] == "-" and cells[4] == "none yet" and cells[7] == "away"
    done = RosterRow(1, 1, "Cy", now, 3600.0, 50.0, 10.0, "plan at 3000", now, now, 4, 71.0)
    assert [str(c) for c in roster_cells(done, 3600)][3::4] == ["71", "finished"]


def test_snapshot_of_the_roster(tmp_path: Path, snap_compare: SnapCompare) -> None:
    store, wid = room(tmp_path)
    app = FacilitatorApp(store, wid, live=False)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(app, pilot)
        app.sub_title = "Empty Ovens · workshop 1234abcd"
        # Times that change from run to run are not part of the picture.
        app.query_one("#room", Static).update("WAITING   scenario time 0s of 1h00m")
        table = app.query_one(DataTable)
        for key in list(table.rows):
            table.update_cell(key, table.ordered_columns[1].key, "09:00")

    assert snap_compare(app, terminal_size=(120, 20), run_before=run_before)
