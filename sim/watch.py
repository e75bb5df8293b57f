"""`stormdrill watch FILE`: the author's loop. On every save the file is validated again and, when it
is valid, previewed: the volume chart by role, the must-handle timeline, and what each bot scores
(sim.calibrate) with the calibration verdict.

The file is polled (its mtime and size, then its bytes), so no extra dependency is needed; a change
is taken once the file has stopped changing for one poll, so an editor's save in several writes is
read once. A half-written file is just a file with problems: they are printed, file:line, and the
watch goes on. Nothing a scenario holds can stop it with a traceback.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TextIO

from sim.calibrate import BOTS, check, run_bot
from sim.preview import must_handle_lines, role_chart_lines
from sim.scenario.expand import expand
from sim.scenario.load import check_text, load_text, read_text
from sim.scenario.model import Scenario
from sim.scenario.text import clean_text

CLEAR = "\x1b[2J\x1b[H"


@dataclass
class Watch:
    path: Path
    out: TextIO
    bots: Sequence[str] = BOTS
    interval: float = 0.5
    width: int = 100
    clear_to: TextIO | None = None  # the terminal itself (not a cleaning stream): cleared before each report
    sleep: Callable[[float], None] = time.sleep
    _stat: tuple[int, int] | None = None
    _digest: str | None = None
    reports: int = 0
    # The last verdict: missing | invalid | valid | calibrated | uncalibrated (| error: a bug).
    last: str = field(default="", repr=False)

    # ------------------------------------------------------------------ polling
    def _stat_now(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def changed(self) -> bool:
        """Whether the file differs from what was last reported (its stat first, then its bytes)."""
        stat = self._stat_now()
        if stat == self._stat and self.reports:
            return False
        self._stat = stat
        try:
            digest = hashlib.sha256(self.path.read_bytes()).hexdigest() if stat else None
        except OSError:
            digest = None
        if digest == self._digest and self.reports:
            return False
        self._digest = digest
        return True

    def settled(self) -> None:
        """Wait until the file stops changing for one poll (an editor may save in several writes)."""
        for _ in range(20):
            before = self._stat_now()
            self.sleep(self.interval)
            if self._stat_now() == before:
                return

    def step(self) -> bool:
        """Report once if the file changed since the last report; True when it did."""
        if not self.changed():
            return False
        self.report()
        return True

    def run(self, stop: Callable[[], bool] = lambda: False) -> None:
        """Report now, then after every change, until ``stop()`` says so (or Ctrl-C)."""
        while not stop():
            if self.changed():
                if self.reports:
                    self.settled()
                    self.changed()
                self.report()
                self.write(f"Watching {self.path} for changes (Ctrl-C to stop).")
            self.sleep(self.interval)

    # ------------------------------------------------------------------ one report
    def write(self, line: str = "") -> None:
        """One line of the report: scenario values in it stay text (escapes are written out)."""
        self.out.write(clean_text(line, visible=True) + "\n")
        self.out.flush()

    def report(self) -> None:
        self.reports += 1
        if self.clear_to is not None:
            self.clear_to.write(CLEAR)
            self.clear_to.flush()
        stamp = datetime.now().strftime("%H:%M:%S")
        self.write(f"── {stamp} {self.path} " + "─" * max(0, self.width - 13 - len(str(self.path))))
        try:
            self.last = self._report()
        except Exception as exc:  # a bug, not the author's: say so in one line and keep watching
            self.last = "error"
            self.write(f"internal error: {type(exc).__name__}: {exc} (please report it)")

    def _report(self) -> str:
        text, problems = read_text(self.path)
        if text is None:
            for p in problems:
                self.write(str(p))
            return "invalid" if self.path.exists() else "missing"
        _, problems = check_text(text, str(self.path))
        errors = [p for p in problems if p.severity == "error"]
        for p in problems:
            self.write(str(p))
        if errors:
            self.write(f"{len(errors)} error{'s' if len(errors) != 1 else ''}: fix them and save again.")
            return "invalid"
        warnings = len(problems)
        self.write("Valid" + (f", {warnings} warning{'s' if warnings != 1 else ''}." if warnings else "."))
        sc = load_text(text, str(self.path))
        storm = expand(sc)
        self.write()
        for line in role_chart_lines(storm, self.width):
            self.write(line)
        self.write()
        for line in must_handle_lines(storm):
            self.write(line)
        if not self.bots:
            return "valid"
        self.write()
        return self._bots(sc)

    def _bots(self, sc: Scenario) -> str:
        scores: dict[str, float] = {}
        gaps: list[str] = []
        for bot in self.bots:
            if self._stat_now() != self._stat:
                self.write("The file changed while the bots played: starting again.")
                self._stat = None  # report the new version next
                return "valid"
            result = run_bot(sc, bot)
            scores[bot] = result.total
            if bot == "ideal":
                gaps = result.gaps
            self.write(f"  {bot:<10}{result.total:6.1f}")
        problems = check(scores) if set(scores) == set(BOTS) else []
        for gap in gaps[:6]:
            self.write(f"  ideal gap: {gap}")
        if set(scores) != set(BOTS):
            return "valid"
        if problems:
            for p in problems:
                self.write(f"  not calibrated: {p}")
            return "uncalibrated"
        self.write("  Calibrated: ideal >= 80, silent <= 20, ideal at least 25 above every other bot.")
        return "calibrated"
