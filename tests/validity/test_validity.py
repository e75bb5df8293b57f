"""The validity suite: human-written sessions play through the engine; the order checks and the
session files themselves (the full suite runs in `stormdrill calibrate`, as CI does)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.calibrate import check_humans, human_sessions, run_human
from sim.engine.scripted import ScriptError, load_script, play_script
from sim.scenario.library import resolve
from sim.scenario.load import load_scenario

HERE = Path(__file__).resolve().parent
PERSONAS = {"expert", "slow", "canned", "defensive", "quitter", "musthandle", "gamer", "overpromiser", "speculator"}
SCENARIOS = sorted(p.name for p in HERE.iterdir() if p.is_dir() and not p.name.startswith("_"))


def test_every_shipped_scenario_has_the_nine_personas() -> None:
    assert len(SCENARIOS) >= 7
    for sid in SCENARIOS:
        assert {p.stem for p in (HERE / sid).glob("*.yaml")} == PERSONAS, sid


@pytest.mark.parametrize("sid", SCENARIOS)
def test_sessions_play_without_refusals(sid: str, tmp_path: Path) -> None:
    scenario = load_scenario(resolve(sid))
    for path in human_sessions(scenario, HERE):
        script = load_script(path)
        session = play_script(scenario, script, tmp_path / f"{path.stem}.jsonl")
        assert not script.refused, (path.name, script.refused)
        assert any(a.kind != "end" for a in session.actions)


def test_the_order_checks() -> None:
    good = {"expert": 88, "slow": 70, "canned": 45, "defensive": 20, "quitter": 12, "musthandle": 75, "gamer": 25}
    assert check_humans(good) == []
    bad = {**good, "canned": 15, "quitter": 30, "musthandle": 85, "gamer": 40}
    problems = " | ".join(check_humans(bad))
    for words in ("canned", "quitter", "must-handle", "gamer"):
        assert words in problems


def test_a_quitter_scores_at_most_25_and_the_expert_beats_must_handle_only() -> None:
    scenario = load_scenario(resolve("empty-ovens"))
    scores = {p: run_human(scenario, HERE / "empty-ovens" / f"{p}.yaml")[1].total for p in ("quitter", "expert")}
    assert scores["quitter"] <= 25
    assert scores["expert"] > scores["quitter"] + 40


def test_bad_script_files_name_the_action(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text("scenario: empty-ovens\nactions:\n  - at: 'soon'\n    update: hi\n", encoding="utf-8")
    with pytest.raises(ScriptError, match="action 1: `at` must be seconds or m:ss"):
        load_script(f)
    f.write_text("scenario: empty-ovens\nactions:\n  - at: 10\n    update: hi\n    reply: p1\n", encoding="utf-8")
    with pytest.raises(ScriptError, match="say exactly one of"):
        load_script(f)


def test_a_promise_left_open_by_ending_early_counts_as_broken(tmp_path: Path) -> None:
    from scoring import analyse
    from scoring.judge import tone_judge
    from sim.engine.actions import EndAction, UpdateAction
    from sim.engine.clock import VirtualClock
    from sim.engine.journal import read_journal
    from sim.engine.session import Session

    scenario = load_scenario(resolve("empty-ovens"))
    clock = VirtualClock()
    s = Session.create(scenario, clock, journal_path=tmp_path / "j.jsonl", judge=tone_judge)
    clock.set(60)
    s.act(UpdateAction("Some stores could not open: dough is stuck at a depot. Next update at 09:10."))
    clock.set(120)
    s.act(EndAction())
    s.close()
    j = read_journal(tmp_path / "j.jsonl")
    card, _ = analyse(scenario, j.header, j.events, j.warnings)
    broken = [e for e in card.evidence if e.rule == "speed.promise_broken"]
    assert broken and "09:10" in broken[0].what
