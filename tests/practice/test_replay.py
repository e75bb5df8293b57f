"""Replay: the journal read back shows the state the original session had at every action, and
the replay console plays it back read-only with a scrubber (pilot, no wall clock)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from textual.geometry import Region
from textual.widgets import Static

from scoring.judge import tone_judge
from scoring.replay import Replay
from sim.cli import cli
from sim.engine.journal import read_journal
from sim.engine.scripted import load_script, play_script
from sim.engine.session import Session
from sim.scenario.library import resolve
from sim.scenario.load import load_scenario
from sim.tui.replay import ReplayApp, build_replays
from tests.practice.conftest import VALIDITY


def snapshot(s: Session) -> dict[str, Any]:
    return {
        "posts": [p.id for p in s.delivered],
        "status": {p.id: s.status_of(p.id) for p in s.delivered if s.responded(p.id)},
        "actions": [a.seq for a in s.actions if a.kind != "end"],
        "last_statement": s.last_statement,
        "pressure": s.pressure,
        "briefings": [b.id for b in s.briefings_so_far()],
        "promises": sorted((c.source, round(c.due, 3)) for c in s.commitments if c.status == "open"),
    }


def replayed(m: Any) -> dict[str, Any]:
    return {
        "posts": [p.id for p in m.posts],
        "status": dict(m.status),
        "actions": [x.action.seq for x in m.actions],
        "last_statement": m.last_statement,
        "pressure": m.pressure,
        "briefings": list(m.briefings),
        "promises": sorted((src, round(due, 3)) for src, due in m.open_promises),
    }


def test_replay_shows_the_original_state_at_every_action(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = load_script(VALIDITY / "empty-ovens" / "slow.yaml")
    scenario = load_scenario(resolve(script.scenario))
    live: list[dict[str, Any]] = []
    real_act = Session.act

    def act(self: Session, action: Any, **kw: Any) -> Any:
        result = real_act(self, action, **kw)
        if getattr(result, "seq", None) and self.actions and self.actions[-1].kind != "end":
            live.append(snapshot(self))
        return result

    with monkeypatch.context() as patched:
        patched.setattr(Session, "act", act)
        play_script(scenario, script, tmp_path / "j.jsonl", judge=tone_judge).close()
    j = read_journal(tmp_path / "j.jsonl")
    r = Replay(scenario, j.header, list(j.events))
    assert len(live) == len(r.action_times) >= 10
    for k, want in enumerate(live):
        assert replayed(r.at_action(k)) == want, f"action {k}"
    # Every reply carries what scoring made of it.
    scored = [r.scored[seq] for seq in live[-1]["actions"]]
    assert all(s.tone is not None for s in scored)
    assert any(s.flags for s in scored) and any(s.points for s in scored)


def test_at_a_time_is_every_line_up_to_it(played: Callable[[str, str], Path]) -> None:
    j = read_journal(played("empty-ovens", "expert"))
    r = Replay(load_scenario(resolve("empty-ovens")), j.header, list(j.events))
    t = r.action_times[3]
    m = r.at(t)
    assert [x.action.t for x in m.actions][-1] == t and all(p.t <= t for p in m.posts)
    assert len(r.at(t - 0.001).actions) < len(m.actions)
    assert r.at(0).actions == [] and r.at(r.end_t).ended


async def test_replay_console_scrubs_steps_and_jumps(played: Callable[[str, str], Path]) -> None:
    path = played("empty-ovens", "slow")
    scenario = load_scenario(resolve("empty-ovens"))
    replays = build_replays(scenario, [(path, read_journal(path))], ideal=True)
    assert [r.label.split(" ")[0] for r in replays][1] == "ideal"
    app = ReplayApp(replays, speed=10, auto_tick=False)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        assert app.t == 0.0
        await pilot.press("]")
        await pilot.pause()
        first = min(replays[0].action_times[0], replays[1].action_times[0])
        assert app.t == first
        moments = app.show()
        for r, m in zip(replays, moments, strict=True):
            assert m.actions == [s for s in r.at(first).actions]
        await pilot.press("]", "]", "[")
        assert app.t == sorted(set(replays[0].action_times + replays[1].action_times))[1]
        await pilot.press("right")
        await pilot.pause()
        assert app.t == sorted(set(replays[0].action_times + replays[1].action_times))[1] + 60
        await pilot.press("g", *"12:30", "enter")
        await pilot.pause()
        assert app.t == 750.0
        body = str(app.query_one("#pane-0 .actions-body").render())
        if replays[0].at(750).actions:
            assert "tone" in body
        scrub = str(app.query_one("#scrubber").render())
        assert "paused" in scrub and "12m30s" in scrub
        await pilot.press("g", *"soon", "enter")
        await pilot.pause()
        assert app.t == 750.0  # not a minute: nothing moves, the box stays open to fix it
        assert app.query_one("#goto").display
        await pilot.press("escape", "end")
        assert app.t == app.end_t
    assert read_journal(path).events == read_journal(path).events  # read-only: the journal is as it was


async def test_at_80_columns_the_scrubber_keeps_its_track_on_screen(played: Callable[[str, str], Path]) -> None:
    """The scrubber is three lines (where, the action marks, the track): at 80 columns its first line
    must not wrap, or the track goes out of sight."""
    path = played("empty-ovens", "slow")
    app = ReplayApp(build_replays(load_scenario(resolve("empty-ovens")), [(path, read_journal(path))]), auto_tick=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("]")
        await pilot.pause()
        scrubber = app.query_one("#scrubber", Static)
        size = scrubber.outer_size
        lines = [strip.text for strip in scrubber.render_lines(Region(0, 0, size.width, size.height))]
        assert len(lines) == 3
        assert "paused" in lines[0] and "of 30m" in lines[0]
        assert "|" in lines[1] and "●" in lines[2]
        head = str(app.query_one("#pane-0 .pane-head", Static).render())
        assert " 1 action · " in head  # one, not "1 actions"


def test_replay_refuses_two_sessions_of_different_scenarios(played: Callable[[str, str], Path]) -> None:
    a = played("empty-ovens", "slow")
    b = played("kitchen-cam", "slow")
    r = CliRunner().invoke(cli, ["replay", str(a), "--against", str(b)])
    assert r.exit_code == 2 and "kitchen-cam" in r.stderr and "Traceback" not in r.stderr
    r = CliRunner().invoke(cli, ["replay", str(a), "--against", str(b), "--against-ideal"])
    assert r.exit_code == 2
    r = CliRunner().invoke(cli, ["replay", "nope.jsonl"])
    assert r.exit_code == 2 and "no such journal" in r.stderr
