"""Calibration: every bot, and the human sessions of the validity suite, play a scenario; good play
must score high and bad play low, in the order a crisis lead would put them.

Bots (sim.bots): ideal >= 80, silent <= 20, ideal at least 25 above every other bot. Human sessions
(tests/validity/SCENARIO/*.yaml, written by people who never saw the scorer): expert > slow >
canned > defensive with at least 10 points between neighbours, quitter <= 25, must-handle only at
least 10 below the expert, the keyword gamer at most 30. The ideal play's gaps are listed for the
author: must-handle posts it left unanswered and key points it missed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from scoring import analyse
from scoring.card import ScoreCard
from scoring.judge import tone_judge
from sim.autoplay import run_autoplay
from sim.engine.journal import read_journal
from sim.engine.scripted import load_script, play_script
from sim.scenario.model import Scenario

BOTS = ("silent", "slow", "canned", "defensive", "ideal")
IDEAL_MIN, SILENT_MAX, MARGIN = 80.0, 20.0, 25.0
HUMAN_ORDER = ("expert", "slow", "canned", "defensive")
HUMAN_GAP, QUITTER_MAX, MUSTHANDLE_GAP, GAMER_MAX = 10.0, 25.0, 10.0, 30.0
VALIDITY = Path(__file__).resolve().parent.parent / "tests" / "validity"


@dataclass
class Result:
    total: float
    card: ScoreCard
    gaps: list[str] = field(default_factory=list)


def _score(scenario: Scenario, path: Path) -> ScoreCard:
    j = read_journal(path)
    return analyse(scenario, j.header, j.events, j.warnings)[0]


def run_bots(scenario: Scenario, bot: str, seed: int | None = None) -> float:
    """The total score of ``bot`` playing ``scenario`` (virtual time, a temporary journal)."""
    return run_bot(scenario, bot, seed).total


def run_bot(scenario: Scenario, bot: str, seed: int | None = None) -> Result:
    with tempfile.TemporaryDirectory(prefix="stormdrill-cal-") as tmp:
        out = Path(tmp) / f"{scenario.id}-{bot}.jsonl"
        run_autoplay(scenario, bot, scenario.seed if seed is None else seed, out, judge=tone_judge)
        card = _score(scenario, out)
    return Result(card.total, card, gaps(card))


def human_sessions(scenario: Scenario, folder: Path = VALIDITY) -> list[Path]:
    """The validity suite's session files for a scenario (none for a scenario without a folder)."""
    return sorted((folder / scenario.id).glob("*.yaml"))


def run_human(scenario: Scenario, path: Path) -> tuple[str, Result]:
    script = load_script(path)
    with tempfile.TemporaryDirectory(prefix="stormdrill-cal-") as tmp:
        out = Path(tmp) / "human.jsonl"
        play_script(scenario, script, out, judge=tone_judge)
        card = _score(scenario, out)
    return script.persona, Result(card.total, card, gaps(card))


def gaps(card: ScoreCard) -> list[str]:
    """What a play left undone on the must-handle posts: unanswered ones, and missed key points."""
    out = []
    for row in card.must_handle:
        if not row["answers"]:
            out.append(f"{row['author']} ({row['post']}) was never answered")
    for e in card.evidence:
        if e.rule == "tone.must_mention" and "missing" in e.what:
            out.append(e.what)
    return out


def check(scores: Mapping[str, float]) -> list[str]:
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


def check_humans(scores: Mapping[str, float]) -> list[str]:
    """What is wrong with the human sessions' order (empty when it holds, or with no sessions)."""
    problems = []
    order = [p for p in HUMAN_ORDER if p in scores]
    for hi, lo in pairwise(order):
        if scores[hi] - scores[lo] < HUMAN_GAP:
            problems.append(f"human {hi} ({scores[hi]:.1f}) is not {HUMAN_GAP:.0f} above {lo} ({scores[lo]:.1f})")
    if "quitter" in scores and scores["quitter"] > QUITTER_MAX:
        problems.append(f"human quitter scores {scores['quitter']:.1f}, above {QUITTER_MAX:.0f}")
    if "expert" in scores and "musthandle" in scores and scores["expert"] - scores["musthandle"] < MUSTHANDLE_GAP:
        problems.append(
            f"human must-handle-only ({scores['musthandle']:.1f}) is not {MUSTHANDLE_GAP:.0f} below "
            f"the expert ({scores['expert']:.1f})"
        )
    if "gamer" in scores and scores["gamer"] > GAMER_MAX:
        problems.append(f"human keyword gamer scores {scores['gamer']:.1f}, above {GAMER_MAX:.0f}")
    return problems


def summary(results: dict[str, Result]) -> dict[str, Any]:
    return {name: round(r.total, 1) for name, r in results.items()}
