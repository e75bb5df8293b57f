from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, TextArea

from sim.engine.clock import VirtualClock
from sim.tui.app import StormdrillApp
from sim.tui.game import Game, GameOptions


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORMDRILL_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("STORMDRILL_CONFIG_DIR", str(tmp_path / "config"))  # no keymap unless a test writes one
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


def write(field: Widget | None, text: str) -> None:
    """Put ``text`` in a text field at its cursor, as typing it would (without a key press per
    letter: most tests are not about the keys, and typing is most of a pilot test's time)."""
    if isinstance(field, TextArea):
        field.insert(text)
    elif isinstance(field, Input):
        field.insert_text_at_cursor(text)
    else:
        raise AssertionError(f"no text field has focus ({field!r})")


class Harness:
    """An app on a virtual clock, with helpers to move time and read the journal."""

    def __init__(self, tmp_path: Path, scenario: str | None = "empty-ovens", resume: Path | None = None) -> None:
        self.clock = VirtualClock()
        self.journal = resume or tmp_path / "session.jsonl"
        options = GameOptions(trainee="Tess", clock=self.clock, journal=None if resume else self.journal, resume=resume)
        self.app = StormdrillApp(options, scenario=scenario, auto_tick=False)

    @property
    def game(self) -> Game:
        """The game being played (once the scenario has loaded)."""
        game = self.app.game
        assert game is not None, "no game: the scenario has not loaded"
        return game

    async def at(self, pilot: Pilot[None], t: float) -> None:
        """Move scenario time to ``t`` in 10-second ticks, as the real timer would."""
        now = self.clock.now()
        while now < t:
            now = min(t, now + 10)
            self.clock.set(now)
            self.app.tick()
        await pilot.pause()

    async def until(self, pilot: Pilot[None], check: Callable[[], bool], what: str, timeout: float = 20) -> None:
        """Let the app run (its workers too) until ``check()`` holds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not check():
            if loop.time() > deadline:
                raise AssertionError(f"timed out waiting for {what}; on screen: {self.app.screen!r}")
            await pilot.pause(0.02)
        await pilot.pause()

    async def debrief(self, pilot: Pilot[None]) -> None:
        """Wait for the debrief (scored in a worker after the session ends)."""
        await self.until(pilot, lambda: self.app.current_mode == "debrief", "the debrief")

    async def finish(self, pilot: Pilot[None]) -> None:
        """End the session now and wait for its debrief."""
        self.app.finish()
        await self.debrief(pilot)

    def actions(self) -> list[dict[str, object]]:
        import json

        lines = self.journal.read_text(encoding="utf-8").splitlines()
        return [e for e in (json.loads(x) for x in lines) if e.get("type") == "action"]


@pytest.fixture
def harness(tmp_path: Path) -> Callable[..., Harness]:
    def make(scenario: str | None = "empty-ovens", resume: Path | None = None) -> Harness:
        return Harness(tmp_path, scenario, resume)

    return make
