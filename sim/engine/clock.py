"""Clocks map to scenario seconds. Virtual clocks move only when told (tests, bots); real clocks
follow wall time times a speed factor, with pause and resume."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol


class Clock(Protocol):
    paused: bool

    def now(self) -> float: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def set(self, t: float) -> None: ...


class VirtualClock:
    """A clock that moves only when told to."""

    def __init__(self, start: float = 0.0) -> None:
        self._t = float(start)
        self.paused = False
        self.speed = 1.0

    def now(self) -> float:
        return self._t

    def advance(self, seconds: float) -> float:
        self._t += max(0.0, seconds)
        return self._t

    def set(self, t: float) -> None:
        """Move to ``t`` (never backwards)."""
        self._t = max(self._t, float(t))

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False

    def set_speed(self, speed: float) -> None:
        self.speed = speed


class RealClock:
    """Wall time times ``speed``, starting at ``start`` scenario seconds; pause and resume."""

    def __init__(self, speed: float = 1.0, start: float = 0.0, time_fn: Callable[[], float] = time.monotonic) -> None:
        self._time = time_fn
        self.speed = float(speed)
        self._base = float(start)
        self._anchor = time_fn()
        self.paused = False

    def now(self) -> float:
        if self.paused:
            return self._base
        return self._base + (self._time() - self._anchor) * self.speed

    def pause(self) -> None:
        if not self.paused:
            self._base = self.now()
            self.paused = True

    def resume(self) -> None:
        if self.paused:
            self._anchor = self._time()
            self.paused = False

    def set_speed(self, speed: float) -> None:
        self._base = self.now()
        self._anchor = self._time()
        self.speed = float(speed)

    def set(self, t: float) -> None:
        """Jump to scenario time ``t`` (used when resuming a session)."""
        self._base = float(t)
        self._anchor = self._time()
