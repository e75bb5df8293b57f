"""Snapshots of the key screens at 120x40 and 80x24 (update with `pytest --snapshot-update`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from sim.engine.clock import VirtualClock
from sim.tui.app import StormdrillApp
from sim.tui.game import GameOptions
from sim.tui.widgets.feed import FeedView

SIZES = [(120, 40), (80, 24)]


def _app(tmp_path: Path, scenario: str | None = "empty-ovens") -> tuple[StormdrillApp, VirtualClock]:
    clock = VirtualClock()
    options = GameOptions(trainee="Tess", clock=clock, journal=tmp_path / "snap.jsonl", record_results=False)
    return StormdrillApp(options, scenario=scenario, auto_tick=False), clock


def _loaded(app: StormdrillApp) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await app.wait_loaded()
        await pilot.pause()

    return run_before


def _play(
    app: StormdrillApp, clock: VirtualClock, until: float, *, end: bool = False, select: str = "p_allergy"
) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await app.wait_loaded()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        for t in range(0, int(until) + 1, 10):
            clock.set(t)
            app.tick()
        await pilot.pause()
        feed = app.screen.query_one(FeedView)
        feed.screen.set_focus(feed)
        feed.select(select)
        await pilot.pause()
        if end:
            app.finish()
            await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_picker(snap_compare: Any, size: tuple[int, int], tmp_path: Path) -> None:
    app, _ = _app(tmp_path, scenario=None)
    assert snap_compare(app, terminal_size=size, run_before=_loaded(app))


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_briefing(snap_compare: Any, size: tuple[int, int], tmp_path: Path) -> None:
    app, _ = _app(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_loaded(app))


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_console(snap_compare: Any, size: tuple[int, int], tmp_path: Path) -> None:
    app, clock = _app(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_play(app, clock, 170))


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_debrief(snap_compare: Any, size: tuple[int, int], tmp_path: Path) -> None:
    app, clock = _app(tmp_path)
    assert snap_compare(app, terminal_size=size, run_before=_play(app, clock, 170, end=True))


FORMAT2 = str(Path(__file__).parent.parent / "scenario" / "format2.yaml")


def test_console_format2(snap_compare: Any, tmp_path: Path) -> None:
    """A quote post that is pinned, a video described in words, an embargoed briefing."""
    app, clock = _app(tmp_path, scenario=FORMAT2)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_play(app, clock, 600, select="p_quote"))
