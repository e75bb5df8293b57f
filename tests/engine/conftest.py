from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from sim.engine.clock import VirtualClock
from sim.engine.reading import Judge, JudgeRequest
from sim.engine.session import Session
from sim.scenario.load import load_scenario
from sim.scenario.model import Scenario

HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def scenario() -> Scenario:
    return load_scenario(HERE / "scenario.yaml")


def fake_judge(req: JudgeRequest) -> Sequence[str]:
    return ["defensive"] if "not our fault" in req.text.lower() else ["apologises", "informs"]


@pytest.fixture
def make_session(scenario: Scenario, tmp_path: Path) -> Callable[..., tuple[Session, VirtualClock]]:
    def make(journal: bool = True, judge: Judge | None = fake_judge) -> tuple[Session, VirtualClock]:
        clock = VirtualClock()
        s = Session.create(
            scenario, clock, journal_path=tmp_path / "j.jsonl" if journal else None, judge=judge, trainee="tester"
        )
        return s, clock

    return make
