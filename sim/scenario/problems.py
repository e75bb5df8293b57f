"""Problems found in input files, reported as ``file:line:col: message (hint)``."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    col: int
    message: str
    hint: str = ""
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.col}: " if self.line else f"{self.file}: "
        if self.severity != "error":
            text += f"{self.severity}: "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class ScenarioError(Exception):
    """Raised when a scenario cannot be used; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint naming the closest choice, or '' when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else ""
