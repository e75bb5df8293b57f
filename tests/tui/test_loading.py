"""The first frame is a loading screen; the scenario loads behind it, and bad input still ends with
every problem, its file and line, and exit status 2 (printed by the CLI once the terminal is back)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from textual.widgets import DataTable

from sim.cli import cli
from sim.tui.app import StormdrillApp
from sim.tui.screens.briefing import BriefingScreen
from sim.tui.screens.loading import LoadingScreen
from sim.tui.screens.picker import PickerScreen
from tests.tui.conftest import Harness

Make = Callable[..., Harness]

BAD = """\
format: 1
id: broken
title: Broken
summary: A file with a typo.
difficulty: intro
crisis_type: accidental
duration: 10
company: {name: Co, handle: "@co"}
personas:
  - {id: a, name: A, handle: "@a", role: customer, followers: 10}
posts:
  - {id: p1, at: 1, author: a, tex: hello}
"""


async def test_first_frame_is_the_loading_screen_then_the_briefing(harness: Make) -> None:
    h = harness()
    seen: list[str] = []
    async with h.app.run_test(size=(120, 40)) as pilot:
        seen.append(type(h.app.screen).__name__)
        assert isinstance(h.app.screen, LoadingScreen)
        assert "Loading empty-ovens" in str(h.app.screen.render())
        assert not h.app.screen.children  # nothing to build before the first frame
        await h.app.wait_loaded()
        await pilot.pause()
        assert isinstance(h.app.screen, BriefingScreen)
        assert h.app.game is not None and h.app.game.scenario.id == "empty-ovens"
    assert seen == ["LoadingScreen"]


async def test_a_bad_scenario_on_the_command_line_exits_2_with_its_problems(tmp_path: Path, harness: Make) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text(BAD, encoding="utf-8")
    h = harness(scenario=str(bad))
    async with h.app.run_test(size=(120, 40)):
        await h.app.wait_loaded()
    assert h.app.return_code == 2
    assert any(p.line == 12 and "`tex`" in p.message for p in h.app.problems), h.app.problems


async def test_a_finished_journal_cannot_be_resumed(tmp_path: Path, harness: Make) -> None:
    journal = tmp_path / "ended.jsonl"
    first = Harness(tmp_path, "empty-ovens")
    first.journal = journal
    first.app.options.journal = journal
    async with first.app.run_test(size=(120, 40)) as pilot:
        await first.app.wait_loaded()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await first.finish(pilot)
    again = harness(resume=journal)
    async with again.app.run_test(size=(120, 40)):
        await again.app.wait_loaded()
    assert again.app.return_code == 2
    [problem] = again.app.problems
    assert problem.file == str(journal) and "already ended" in problem.message


async def test_a_file_that_fails_from_the_picker_returns_to_the_picker(tmp_path: Path, harness: Make) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text(BAD, encoding="utf-8")
    h = harness(scenario=None)
    async with h.app.run_test(size=(120, 40), notifications=True) as pilot:
        await h.app.wait_loaded()
        await pilot.pause()
        assert isinstance(h.app.screen, PickerScreen)
        h.app.open_game(str(bad))
        await h.app.wait_loaded()
        await pilot.pause()
        assert isinstance(h.app.screen, PickerScreen)
        assert h.app.screen.query_one(DataTable).row_count > 0
        assert any("`tex`" in n.message for n in h.app._notifications)
        assert h.app.return_code is None and h.app.is_running


def _headless(monkeypatch: pytest.MonkeyPatch) -> None:
    """`stormdrill play` as typed, with the app drawing to a headless driver instead of the terminal."""
    run = StormdrillApp.run

    def headless_run(self: StormdrillApp, **kwargs: Any) -> Any:
        kwargs["headless"] = True
        self.call_later(lambda: self.set_timer(5, self.exit))  # a valid scenario would wait for a key
        return run(self, **kwargs)

    monkeypatch.setattr(StormdrillApp, "run", headless_run)


def test_cli_prints_every_problem_with_file_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _headless(monkeypatch)
    bad = tmp_path / "broken.yaml"
    bad.write_text(BAD, encoding="utf-8")
    result = CliRunner().invoke(cli, ["play", str(bad), "--journal", str(tmp_path / "j.jsonl")])
    assert result.exit_code == 2, result.output
    assert f"{bad}:12:" in result.stderr and "did you mean `text`" in result.stderr
    assert "2 problems found" in result.stderr
    assert "Traceback" not in result.output


def test_cli_refuses_unknown_names_before_the_screen_opens(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_run(self: StormdrillApp, **kwargs: Any) -> None:
        raise AssertionError("the app should not start")

    monkeypatch.setattr(StormdrillApp, "run", no_run)
    result = CliRunner().invoke(cli, ["play", "empty-ovenz"])
    assert result.exit_code == 2
    assert "no such file or library scenario" in result.stderr and "empty-ovens" in result.stderr
    result = CliRunner().invoke(cli, ["play", "missing/file.yaml"])
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_journal_of_the_bad_run_is_not_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _headless(monkeypatch)
    bad = tmp_path / "broken.yaml"
    bad.write_text(BAD, encoding="utf-8")
    CliRunner().invoke(cli, ["play", str(bad), "--journal", str(tmp_path / "j.jsonl")])
    assert not (tmp_path / "j.jsonl").exists()
