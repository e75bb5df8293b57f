"""Fixtures for practising alone: an isolated data folder, and finished trainee journals made by
playing the validity suite's scripted sessions (expert, slow, canned, ...) through the engine."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from scoring.judge import tone_judge
from sim.engine.scripted import load_script, play_script
from sim.scenario.library import resolve
from sim.scenario.load import load_scenario

VALIDITY = Path(__file__).parent.parent / "validity"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORMDRILL_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture(scope="session")
def played(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], Path]:
    """``played(scenario, persona)``: a finished journal of that validity session (made once)."""
    made: dict[tuple[str, str], Path] = {}

    def play(scenario: str, persona: str) -> Path:
        if (scenario, persona) not in made:
            script = load_script(VALIDITY / scenario / f"{persona}.yaml")
            out = tmp_path_factory.mktemp("played") / f"{scenario}-{persona}.jsonl"
            play_script(load_scenario(resolve(script.scenario)), script, out, judge=tone_judge).close()
            made[(scenario, persona)] = out
        return made[(scenario, persona)]

    return play


def as_trainee(journal: Path, out: Path, trainee: str, **header: object) -> Path:
    """A copy of a scripted session's journal as a trainee's own (no bot in its header)."""
    lines = journal.read_text(encoding="utf-8").splitlines()
    head = json.loads(lines[0]) | {"bot": None, "trainee": trainee} | header
    out.write_text("\n".join([json.dumps(head), *lines[1:]]) + "\n", encoding="utf-8")
    return out
