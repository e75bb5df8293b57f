"""The shipped scenario library and resolving a scenario argument (a path or a library id)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .problems import Problem, ScenarioError

if TYPE_CHECKING:
    from .model import Scenario

DEFAULT_SCENARIO = "empty-ovens"
SUFFIXES = (".yaml", ".yml")


def library_dir() -> Path:
    """The folder of shipped scenarios: inside the installed wheel, or the source checkout's."""
    here = Path(__file__).resolve().parent.parent  # sim/
    for candidate in (here / "_library", here.parent / "scenarios"):
        if candidate.is_dir():
            return candidate
    return here.parent / "scenarios"


def library_files() -> list[Path]:
    """Shipped scenario files, sorted by name (the benchmark-only `stress` last)."""
    files = sorted(p for p in library_dir().iterdir() if p.suffix in SUFFIXES)
    return sorted(files, key=lambda p: (p.stem == "stress", p.name))


def scenario_files(paths: list[str]) -> list[Path]:
    """Expand files and folders (recursively) into scenario files, in a stable order."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.suffix in SUFFIXES and f.is_file()))
        else:
            out.append(resolve(raw))
    return out


def resolve(arg: str) -> Path:
    """A path to an existing file, or the library scenario with that id."""
    p = Path(arg)
    if p.exists() or p.suffix in SUFFIXES or "/" in arg:
        return p
    for suffix in SUFFIXES:
        candidate = library_dir() / f"{arg}{suffix}"
        if candidate.exists():
            return candidate
    known = ", ".join(f.stem for f in library_files())
    raise ScenarioError([Problem(arg, 0, 0, "no such file or library scenario", f"library: {known}")])


def load_library() -> list[tuple[Path, Scenario | None, str]]:
    """Every shipped scenario (not the stress test) loaded: (file, scenario or None, its first problem)."""
    from .load import load_scenario

    out: list[tuple[Path, Scenario | None, str]] = []
    for f in library_files():
        if f.stem == "stress":
            continue
        try:
            out.append((f, load_scenario(f), ""))
        except ScenarioError as exc:
            out.append((f, None, str(exc.problems[0]) if exc.problems else "invalid"))
    return out
