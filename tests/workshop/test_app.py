"""The trainee console in a workshop (Pilot): the login screen, wrong codes slowed down, the room's
clock with a late joiner, acknowledgements once the store has an action, pushed posts, a refreshed
tab resuming from its journal, and the facilitator ending the exercise."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static
from textual.worker import WorkerCancelled

from sim.tui.screens.briefing import BriefingScreen
from sim.tui.screens.console import ConsoleScreen
from sim.tui.screens.debrief import DebriefScreen
from sim.tui.widgets.feed import FeedView
from sim.workshop.app import LoginScreen, WorkshopApp
from sim.workshop.backoff import Backoff
from sim.workshop.store import Store, open_store

CODE = "RM7K-2QXP"


def room(tmp_path: Path) -> tuple[str, Store, str]:
    url = f"sqlite:///{tmp_path / 'room.db'}"
    store = open_store(url)
    w = store.create_workshop(scenario="empty-ovens", title="Empty Ovens", seed=11, duration=3600, code=CODE)
    return url, store, w.id


async def settle(app: WorkshopApp, pilot: Pilot[None]) -> None:
    for _ in range(2):
        # The room's polling worker is cancelled when its screen goes: that is not a failure.
        with contextlib.suppress(WorkerCancelled):
            await app.workers.wait_for_complete()
        await pilot.pause()


async def log_in(app: WorkshopApp, pilot: Pilot[None], code: str, name: str) -> None:
    screen = app.screen
    assert isinstance(screen, LoginScreen)
    screen.query_one("#code", Input).value = code
    screen.query_one("#name", Input).value = name
    screen.submit()
    await settle(app, pilot)


async def enter_console(app: WorkshopApp, pilot: Pilot[None], code: str, name: str) -> None:
    """Join, wait for the briefing, press Enter: the console, at the room's time."""
    await log_in(app, pilot, code, name)
    await app.wait_loaded()
    await settle(app, pilot)
    await pilot.press("enter")
    await pilot.pause()
    app.tick()


async def post_update(app: WorkshopApp, pilot: Pilot[None], text: str) -> None:
    await pilot.press("u")
    await pilot.press(*text)
    await pilot.press("ctrl+s")
    await settle(app, pilot)


def message(app: WorkshopApp) -> str:
    login = app.login
    assert login is not None
    return str(login.query_one("#login-message", Static).content)


async def test_a_wrong_code_is_refused_and_the_next_try_slowed(tmp_path: Path) -> None:
    url, store, wid = room(tmp_path)
    app = WorkshopApp(url, wid, auto_tick=False)
    app.backoff = Backoff(first=0.3)
    async with app.run_test(size=(120, 36)) as pilot:
        await log_in(app, pilot, "WRONG-CODE", "Tess")
        assert "not right" in message(app) and isinstance(app.screen, LoginScreen)
        await log_in(app, pilot, CODE, "Tess")  # at once: still waiting, even with the right code
        assert "wait" in message(app) and isinstance(app.screen, LoginScreen)
        time.sleep(0.35)
        await log_in(app, pilot, CODE, "Tess")
        await app.wait_loaded()
        await settle(app, pilot)
        assert isinstance(app.screen, BriefingScreen)
    assert [r.name for r in store.roster(wid)] == ["Tess"]


async def test_a_late_joiner_enters_at_the_room_time_and_actions_reach_the_store(tmp_path: Path) -> None:
    url, store, wid = room(tmp_path)
    store.control(wid, "start", wall=time.time() - 600)  # the storm has run for ten minutes
    app = WorkshopApp(url, wid, auto_tick=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await enter_console(app, pilot, CODE.lower(), "Late Lou")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        game = app.game
        assert game is not None and 600 <= game.now < 620
        feed = app.screen.query_one(FeedView)
        assert feed.posts and max(p.t for p in feed.posts) <= game.now
        assert {p.id for p in game.session.storm.posts if p.t <= game.now} <= {p.id for p in feed.posts}
        # A reply: acknowledged on screen once the journal and the store have it.
        feed.screen.set_focus(feed)
        feed.select("p_dan")
        await pilot.press("r")
        await pilot.press(*"Dan, I'm so sorry. Please DM us your order number and we'll refund it today.")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        seat = store.roster(wid)[0]
        assert seat.actions == 1 and seat.name == "Late Lou"
        assert store.actions(seat.session_id)[0][2] == "reply"
        # The facilitator pushes a post: everyone's feed has it.
        store.push_post(wid, "Is it true you knew about the ovens for a week?", "@radio_kate", "Kate (Radio 4)")
        app._poll()
        await settle(app, pilot)
        app.tick()
        await pilot.pause()
        assert any(p.text.startswith("Is it true you knew") for p in feed.posts)
        # The room pauses: so does this participant's clock.
        store.control(wid, "pause")
        app._poll()
        await settle(app, pilot)
        assert game.clock.paused
        paused_at = game.clock.now()
        time.sleep(0.05)
        assert game.clock.now() == paused_at


async def test_a_refreshed_tab_resumes_and_the_end_of_the_room_ends_it(tmp_path: Path) -> None:
    url, store, wid = room(tmp_path)
    store.control(wid, "start", wall=time.time() - 300)
    first = WorkshopApp(url, wid, auto_tick=False)
    async with first.run_test(size=(120, 36)) as pilot:
        await enter_console(first, pilot, CODE, "Ravi")
        await post_update(first, pilot, "We are sorry: ovens are being checked, next update at 09:30.")
        assert first.game is not None
        journal = first.game.journal_path
    # The tab is refreshed: a new process, the same code and name, the same session from its journal.
    second = WorkshopApp(url, wid, auto_tick=False)
    async with second.run_test(size=(120, 36)) as pilot:
        await log_in(second, pilot, CODE, "ravi")
        await second.wait_loaded()
        await settle(second, pilot)
        game = second.game
        assert game is not None and game.resumed and game.journal_path == journal
        assert [item.kind for item in game.channel()] == ["update"]
        await pilot.press("enter")
        await pilot.pause()
        store.control(wid, "end")
        second._poll()
        await settle(second, pilot)
        assert isinstance(second.screen, DebriefScreen)
    finished = store.finished(wid)
    assert [f.name for f in finished] == ["Ravi"] and finished[0].card["trainee"] == "Ravi"
    assert len(store.roster(wid)) == 1


async def test_the_live_score_uses_the_sessions_storm_and_scores_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The roster's live score (every 10 s while a trainee acts) reuses the session's expanded storm:
    the same score as a fresh expansion gives, without expanding the storm again each time."""
    from scoring import analyse
    from sim.engine.journal import read_journal
    from sim.scenario.expand import expand as real

    url, store, wid = room(tmp_path)
    store.control(wid, "start", wall=time.time() - 300)
    app = WorkshopApp(url, wid, auto_tick=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await enter_console(app, pilot, CODE, "Kim")
        await post_update(app, pilot, "Update: all 30 stores are being checked; next update at 09:10.")
        game = app.game
        assert game is not None
        j = read_journal(game.journal_path)
        fresh = round(analyse(game.scenario, j.header, j.events, j.warnings)[0].total, 1)
        expanded: list[object] = []

        def counting(*args: Any, **kwargs: Any) -> Any:
            expanded.append(args)
            return real(*args, **kwargs)

        monkeypatch.setattr("scoring.record.expand", counting)
        assert app._live_score() == fresh
        assert expanded == [], "the live score expanded the storm again"
