"""The console's practice screens: the picker's learning path and history screen, and coaching
mode (hints on the virtual clock, the draft check, the journal marked coached)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.notifications import SeverityLevel
from textual.pilot import Pilot
from textual.widgets import DataTable, Static, TextArea

from sim.engine.clock import VirtualClock
from sim.progress import Attempt, sparkline
from sim.tui.app import StormdrillApp
from sim.tui.game import GameOptions
from sim.tui.screens.history import HistoryScreen
from sim.tui.screens.picker import PickerScreen
from sim.tui.widgets.composer import Composer
from tests.tui.conftest import Harness


class FakeHistory:
    """The results store as the console sees it, in memory."""

    def __init__(self, attempts: Sequence[Attempt] = ()) -> None:
        self.kept = list(attempts)
        self.recorded: list[dict[str, Any]] = []

    def record(self, journal: Path, card: dict[str, Any], *, trainee: str, difficulty: str, coached: bool) -> str:
        self.recorded.append({"journal": journal, "card": card, "trainee": trainee, "coached": coached})
        return ""

    def attempts(self, trainee: str | None = None, scenario: str | None = None) -> Sequence[Attempt]:
        return [
            a
            for a in self.kept
            if (trainee is None or a.trainee == trainee) and (scenario is None or a.scenario == scenario)
        ]


def _attempt(total: float, speed: float, tone: float, plan: float, minutes: int, trainee: str = "Tess") -> Attempt:
    card = {
        "speed": {
            "score": speed,
            "first_statement_s": 900.0,
            "longest_silence_s": 2400.0,
            "promises_broken": 0,
            "blocks": {"first_statement": 20, "must_handle": 30, "other_posts": 15, "crowd": 15, "cadence": 1},
        },
        "tone": {"score": tone, "flags": {}},
        "plan": {"score": plan, "posted": True, "on_time": True, "elements": {}},
        "must_handle": [],
        "evidence": [],
    }
    return Attempt(
        trainee,
        "empty-ovens",
        "Empty Ovens",
        total,
        speed,
        tone,
        plan,
        datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes),
        card,
        difficulty="intro",
    )


async def test_picker_orders_the_path_and_recommends_with_why(tmp_path: Path) -> None:
    history = FakeHistory(
        [_attempt(40, 20, 80, 50, 0), _attempt(55, 35, 82, 60, 10), _attempt(20, 5, 5, 5, 5, "Other")]
    )
    app = StormdrillApp(GameOptions(trainee="Tess", history=history, clock=VirtualClock()), auto_tick=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_loaded()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        ranks = ["intro", "standard", "hard"]
        levels = [ranks.index(e.scenario.difficulty) for e in picker.entries if e.scenario]
        assert levels == sorted(levels)
        line = str(picker.query_one("#path-next", Static).render())
        assert "Next on your path: Empty Ovens" in line
        assert "your tone is strong (82); your updates came late (you went 40m without one)" in line
        table = picker.query_one(DataTable)
        chosen = picker.entries[table.cursor_row].scenario
        assert chosen is not None and chosen.id == "empty-ovens"
        await pilot.press("h")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        body = str(app.screen.query_one("#history-body", Static).render())
        assert "Empty Ovens" in body and "2 sessions" in body
        assert sparkline([40, 55]) in body  # the totals as a sparkline
        assert "tone up" not in body  # 80 -> 82 is no change worth a word
        assert "speed up 15 (20 → 35)" in body
        assert "Other" not in body
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)


async def test_without_a_history_the_picker_shows_no_path_line() -> None:
    app = StormdrillApp(GameOptions(trainee="Tess", clock=VirtualClock()), auto_tick=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_loaded()
        await pilot.pause()
        assert app.screen.query_one("#path-next", Static).display is False


class NoticeKeeping(StormdrillApp):
    """The app, keeping every notice it shows with the scenario time it showed it at (the toasts
    themselves expire on the wall clock)."""

    def __init__(self, options: GameOptions, clock: VirtualClock) -> None:
        super().__init__(options, scenario="empty-ovens", auto_tick=False)
        self.clock = clock
        self.shown: list[tuple[float, str, str]] = []

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        self.shown.append((self.clock.now(), title, message))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)


class Coached(Harness):
    """The console on a virtual clock, with or without coaching, keeping every notice it shows."""

    def __init__(self, tmp_path: Path, coach: bool = True) -> None:
        super().__init__(tmp_path)
        self.history = FakeHistory()
        self.journal = tmp_path / "coached.jsonl"
        options = GameOptions(trainee="Tess", clock=self.clock, journal=self.journal, coach=coach, history=self.history)
        self.app = self.keeping = NoticeKeeping(options, self.clock)

    @property
    def shown(self) -> list[tuple[float, str, str]]:
        return self.keeping.shown

    async def start(self, pilot: Pilot[None]) -> None:
        await self.app.wait_loaded()
        await pilot.press("enter")
        await pilot.pause()

    def coach(self) -> list[tuple[float, str]]:
        return [(t, m) for t, title, m in self.shown if title == "Coach"]


async def test_coached_console_shows_hints_when_their_rule_is_met(tmp_path: Path) -> None:
    h = Coached(tmp_path)
    sc = h.app
    async with sc.run_test(size=(120, 40)) as pilot:
        await h.start(pilot)
        target = h.game.scenario.scoring.first_statement
        await h.at(pilot, target - 130)
        assert h.coach() == []
        await h.at(pilot, target)
        hints = h.coach()
        assert len(hints) == 1 and "No public update yet" in hints[0][1]
        assert hints[0][0] >= target - 120
        await h.at(pilot, target + 60)
        assert len(h.coach()) == 1  # once
    head = json.loads(h.journal.read_text(encoding="utf-8").splitlines()[0])
    assert head["coached"] is True


async def test_draft_check_key_shows_flags_band_and_lift_and_sends_nothing(tmp_path: Path) -> None:
    h = Coached(tmp_path)
    app = h.app
    async with app.run_test(size=(120, 40)) as pilot:
        await h.start(pilot)
        await h.at(pilot, 60)
        await pilot.press("u")
        composer = app.screen.query_one(Composer)
        composer.query_one(TextArea).text = "You should have read the sign. It is your own fault."
        await pilot.press("ctrl+t")
        await pilot.pause()
        checks = [m for _t, title, m in h.shown if title == "Draft check"]
        assert checks and checks[-1].startswith("Score ")
        assert "blames" in checks[-1] and "What would lift it:" in checks[-1]
        assert app.game is not None and not app.game.session.actions
        assert composer.text  # the draft is still there


async def test_without_coach_no_hints_and_the_check_says_how_to_get_it(tmp_path: Path) -> None:
    h = Coached(tmp_path, coach=False)
    app = h.app
    async with app.run_test(size=(120, 40)) as pilot:
        await h.start(pilot)
        await h.at(pilot, h.game.scenario.duration - 60)
        assert h.coach() == []
        await pilot.press("u")
        await pilot.press("x")
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert any("--coach" in m for _t, title, m in h.shown if title == "Draft check")
    head = json.loads(h.journal.read_text(encoding="utf-8").splitlines()[0])
    assert "coached" not in head


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("coach", [True, False])
async def test_the_composer_names_the_check_key_in_a_coached_session(tmp_path: Path, width: int, coach: bool) -> None:
    h = Coached(tmp_path, coach=coach)
    async with h.app.run_test(size=(width, 30)) as pilot:
        await h.start(pilot)
        await pilot.press("u")
        await pilot.pause()
        line = str(h.app.screen.query_one("#composer-count", Static).content)
        assert ("ctrl+t check" in line) is coach, line
        if not coach:
            assert "ctrl+s send" in line


async def test_the_debriefs_progress_compares_the_scores_it_shows(tmp_path: Path) -> None:
    """18.6 then 19.4 both read 19: the debrief says "equal to your best", not "a new best"."""
    h = Coached(tmp_path, coach=False)
    h.history.kept = [_attempt(18.6, 20, 20, 20, 0), _attempt(19.4, 20, 20, 20, 10)]  # the last is this one
    async with h.app.run_test(size=(120, 40)) as pilot:
        await h.start(pilot)
        await h.at(pilot, 60)
        await h.finish(pilot)
        progress = str(h.app.screen.query_one("#progress", Static).render())
        assert "2 sessions: 19 → 19 now (equal to your best)" in progress
