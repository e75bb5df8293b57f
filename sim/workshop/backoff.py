"""A doubling wait between tries: wrong join codes, restarting the judge process."""

from __future__ import annotations

import time

BACKOFF_FIRST = 1.0  # seconds after the first failure; doubled after each further one
BACKOFF_MAX = 30.0


class Backoff:
    """Each failure doubles the wait before the next try (wrong join codes: 1 s, 2 s, 4 s ... 30 s; the
    judge process's restarts)."""

    def __init__(self, first: float = BACKOFF_FIRST, most: float = BACKOFF_MAX) -> None:
        self.first, self.most = first, most
        self.failures = 0
        self.until = 0.0

    def wait_left(self, now: float | None = None) -> float:
        return max(0.0, self.until - (time.monotonic() if now is None else now))

    def failed(self, now: float | None = None) -> float:
        """Count a failure (a wrong code); the seconds to wait before the next try."""
        self.failures += 1
        wait: float = min(float(self.most), float(self.first) * 2.0 ** (self.failures - 1))
        self.until = (time.monotonic() if now is None else now) + wait
        return wait

    def succeeded(self) -> None:
        self.failures, self.until = 0, 0.0
