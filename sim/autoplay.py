"""Autoplay by bot name: looks the bot up and runs the engine's headless loop.

The loop itself lives in ``sim.engine.autoplay`` (it takes the bot as a function, so the engine
never imports the bots); this module sits above both and is what the CLI and calibration call.
"""

from __future__ import annotations

from pathlib import Path

from sim.bots import BOTS
from sim.engine.autoplay import run_autoplay as engine_autoplay
from sim.engine.reading import Judge
from sim.engine.session import Session
from sim.scenario.model import Scenario


def run_autoplay(
    scenario: Scenario,
    bot_name: str,
    seed: int,
    out_path: Path,
    *,
    resume: bool = False,
    judge: Judge | None = None,
    trainee: str | None = None,
) -> Session:
    """Play ``scenario`` with the named bot; write (or, with ``resume``, continue) the journal at ``out_path``."""
    if bot_name not in BOTS:
        raise ValueError(f"unknown bot `{bot_name}` (bots: {', '.join(BOTS)})")
    return engine_autoplay(
        scenario, BOTS[bot_name], seed, out_path, bot_name=bot_name, resume=resume, judge=judge, trainee=trainee
    )
