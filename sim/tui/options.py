"""How a game is set up; kept apart from ``sim.tui.game`` so the app can start without importing the engine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sim.engine.clock import Clock
    from sim.progress import Attempt
    from sim.scenario.model import Post


class RoomLink(Protocol):
    """What a game in a workshop reports to the room and takes from it (``sim.workshop.room.Room``)."""

    def acted(self, action: Any) -> str:
        """Store an action the journal has; "" once stored, else why it is not (yet)."""
        ...

    def take_pushed(self) -> Sequence[Post]:
        """Posts the facilitator pushed since the last call."""
        ...

    def finished(self, card: dict[str, Any]) -> None: ...


# The speed ladder of + and -: the same steps both ways, from any speed (--speed 4 goes up to 5, down to 2).
SPEEDS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)


class HistoryLink(Protocol):
    """The trainee's history in the results store (``sim.workshop.history.LocalHistory``)."""

    def record(self, journal: Path, card: dict[str, Any], *, trainee: str, difficulty: str, coached: bool) -> str:
        """Keep a finished session; "" once kept, else why it is not."""
        ...

    def attempts(self, trainee: str | None = None, scenario: str | None = None) -> Sequence[Attempt]: ...


@dataclass
class GameOptions:
    speed: float = 1.0
    seed: int | None = None
    trainee: str = "trainee"
    resume: Path | None = None
    journal: Path | None = None
    clock: Clock | None = None  # tests pass a virtual clock; a workshop passes the room's
    record_results: bool = True
    allow_open_file: bool = True  # the picker's "open any file" (off when served to browsers)
    room: RoomLink | None = None  # set when playing in a workshop
    history: HistoryLink | None = None  # where finished sessions are kept, per trainee (the CLI sets it)
    coach: bool = False  # coaching hints while playing, and the journal marked as coached
