"""How a game is set up; kept apart from ``sim.tui.game`` so the app can start without importing the engine."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.engine.clock import Clock


# The speed ladder of + and -: the same steps both ways, from any speed (--speed 4 goes up to 5, down to 2).
SPEEDS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)


@dataclass
class GameOptions:
    speed: float = 1.0
    seed: int | None = None
    trainee: str = "trainee"
    resume: Path | None = None
    journal: Path | None = None
    clock: Clock | None = None  # tests pass a virtual clock
    record_results: bool = True
