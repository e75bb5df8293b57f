"""Calibration: every bot plays a scenario; good play must score high and bad play low."""

from __future__ import annotations

import tempfile
from pathlib import Path

from scoring import score
from scoring.judge import tone_judge
from sim.autoplay import run_autoplay
from sim.engine.journal import read_journal
from sim.scenario.model import Scenario

BOTS = ("silent", "slow", "canned", "defensive", "ideal")
IDEAL_MIN, SILENT_MAX, MARGIN = 80.0, 20.0, 25.0


def run_bots(scenario: Scenario, bot: str, seed: int | None = None) -> float:
    """The total score of ``bot`` playing ``scenario`` (virtual time, a temporary journal)."""
    with tempfile.TemporaryDirectory(prefix="stormdrill-cal-") as tmp:
        out = Path(tmp) / f"{scenario.id}-{bot}.jsonl"
        run_autoplay(scenario, bot, scenario.seed if seed is None else seed, out, judge=tone_judge)
        return score(scenario, read_journal(out)).total


def check(scores: dict[str, float]) -> list[str]:
    """What is wrong with one scenario's bot scores (empty when calibrated)."""
    problems = []
    ideal = scores.get("ideal", 0.0)
    if ideal < IDEAL_MIN:
        problems.append(f"ideal scores {ideal:.1f}, below {IDEAL_MIN:.0f}")
    if scores.get("silent", 0.0) > SILENT_MAX:
        problems.append(f"silent scores {scores['silent']:.1f}, above {SILENT_MAX:.0f}")
    for bot, value in scores.items():
        if bot != "ideal" and ideal - value < MARGIN:
            problems.append(f"ideal ({ideal:.1f}) beats {bot} ({value:.1f}) by less than {MARGIN:.0f}")
    return problems
