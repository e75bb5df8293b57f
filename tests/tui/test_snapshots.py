"""Snapshots of the key screens, in a dark and a light theme and at 80x24, plus the plan editor and
the end dialog (update with `pytest --snapshot-update`, then look at every changed picture)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from sim.engine.clock import VirtualClock
from sim.tui.app import StormdrillApp
from sim.tui.game import GameOptions
from sim.tui.screens.console import ConsoleScreen
from sim.tui.widgets.feed import FeedView
from tests.snap import SnapCompare

Before = Callable[[Pilot[Any]], Awaitable[None]]

# (size, theme): every screen in both themes at the usual size, and in the dark one at 80x24.
LOOKS = [((120, 40), "textual-dark"), ((120, 40), "textual-light"), ((80, 24), "textual-dark")]
IDS = ["120x40-dark", "120x40-light", "80x24-dark"]


def _app(tmp_path: Path, scenario: str | None = "empty-ovens") -> tuple[StormdrillApp, VirtualClock]:
    clock = VirtualClock()
    options = GameOptions(trainee="Tess", clock=clock, journal=tmp_path / "snap.jsonl", record_results=False)
    return StormdrillApp(options, scenario=scenario, auto_tick=False), clock


def _loaded(app: StormdrillApp, theme: str) -> Before:
    async def run_before(pilot: Pilot[Any]) -> None:
        app.theme = theme
        await app.wait_loaded()
        await pilot.pause()

    return run_before


def _play(
    app: StormdrillApp,
    clock: VirtualClock,
    theme: str,
    until: float,
    *,
    then: str = "",
    select: str = "p_allergy",
    update: bool = True,
) -> Before:
    """The console at ``until`` with ``select`` selected and (``update``) an update sent; ``then``:
    "end" (the debrief), "plan" (the plan editor open) or "end-dialog"."""

    async def run_before(pilot: Pilot[Any]) -> None:
        app.theme = theme
        await app.wait_loaded()
        await pilot.pause()
        app.on_briefing_screen_start()
        await pilot.pause()
        for t in range(0, int(until) + 1, 10):
            clock.set(t)
            app.tick()
        game = app.game
        assert game is not None
        if update:
            game.send("update", "We're so sorry: many of our stores are closed today. Next update at 09:10.", None)
        console = app.screen
        assert isinstance(console, ConsoleScreen)
        console._game_changed()
        await pilot.pause()
        feed = console.query_one(FeedView)
        feed.screen.set_focus(feed)
        feed.select(select)
        await pilot.pause()
        app.clear_notifications()
        if then == "end":
            app.finish()
            while app.current_mode != "debrief":
                await pilot.pause(0.02)
        elif then:
            await pilot.press("a" if then == "plan" else "e")
            await pilot.pause()
            if then == "plan":
                # On a button, not a text field: a field's blinking cursor would make the picture a moment.
                app.screen.query_one("#plan-publish").focus()
            await pilot.pause(0.3)  # the console under the dialog redrawn without its focus
        await pilot.pause()

    return run_before


@pytest.mark.parametrize(("size", "theme"), LOOKS, ids=IDS)
def test_picker(snap_compare: SnapCompare, size: tuple[int, int], theme: str, tmp_path: Path) -> None:
    app, _ = _app(tmp_path, scenario=None)
    assert snap_compare(app, terminal_size=size, run_before=_loaded(app, theme))


@pytest.mark.parametrize(("size", "theme"), LOOKS, ids=IDS)
def test_briefing(snap_compare: SnapCompare, size: tuple[int, int], theme: str, tmp_path: Path) -> None:
    app, _ = _app(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_loaded(app, theme))


@pytest.mark.parametrize(("size", "theme"), LOOKS, ids=IDS)
def test_console(snap_compare: SnapCompare, size: tuple[int, int], theme: str, tmp_path: Path) -> None:
    app, clock = _app(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_play(app, clock, theme, 170))


@pytest.mark.parametrize(("size", "theme"), LOOKS, ids=IDS)
def test_debrief(snap_compare: SnapCompare, size: tuple[int, int], theme: str, tmp_path: Path) -> None:
    app, clock = _app(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_play(app, clock, theme, 170, then="end"))


@pytest.mark.parametrize(
    ("size", "theme"), [((120, 40), "textual-dark"), ((80, 24), "textual-light")], ids=["120x40-dark", "80x24-light"]
)
def test_plan_editor(snap_compare: SnapCompare, size: tuple[int, int], theme: str, tmp_path: Path) -> None:
    app, clock = _app(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_play(app, clock, theme, 600, then="plan"))


@pytest.mark.parametrize(
    ("size", "theme"), [((120, 40), "textual-light"), ((80, 24), "textual-dark")], ids=["120x40-light", "80x24-dark"]
)
def test_end_dialog(snap_compare: SnapCompare, size: tuple[int, int], theme: str, tmp_path: Path) -> None:
    app, clock = _app(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_play(app, clock, theme, 170, then="end-dialog"))


FORMAT2 = str(Path(__file__).parent.parent / "scenario" / "format2.yaml")


def test_console_format2(snap_compare: SnapCompare, tmp_path: Path) -> None:
    """A quote post that is pinned, a video described in words, an embargoed briefing."""
    app, clock = _app(tmp_path, scenario=FORMAT2)
    before = _play(app, clock, "textual-dark", 600, select="p_quote", update=False)
    assert snap_compare(app, terminal_size=(120, 40), run_before=before)
