"""Stormdrill's developer commands, with nothing but Python 3.11+ and pip.

    python3 dev.py play [SCENARIO]   set up .venv on first use, then start the trainee console
    python3 dev.py test              set up .venv on first use, then run everything CI runs
    python3 dev.py bench [NAME...]   run the benchmarks in bench/ (or only those named)
    python3 dev.py lint | clean

Everything runs inside .venv, created on first use and refreshed when pyproject.toml changes.
The command itself is then .venv/bin/stormdrill (or run `source .venv/bin/activate` first).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed"
DEFAULT_SCENARIO = "empty-ovens"
CODE = ["sim", "scoring", "tests", "bench", "dev.py"]
INSTALL_MB = 400  # what .venv holds once set up (measured: 387 MB on Linux, Python 3.11)
SKIPPED = 77  # the exit status of a benchmark that cannot run here (its data is missing): it says why

if sys.version_info < (3, 11):  # noqa: UP036 - a clear message on an older Python, not a traceback
    sys.exit(f"Stormdrill needs Python 3.11 or newer; this is {sys.version.split()[0]}.")


def run(*argv: str | Path) -> None:
    """Run a command from the project folder; stop with its exit status if it fails."""
    code = subprocess.call([str(a) for a in argv], cwd=ROOT)
    if code:
        sys.exit(code)


def tool(name: str) -> Path:
    return BIN / (f"{name}.exe" if os.name == "nt" else name)


def where_hint() -> str:
    """How to reach the `stormdrill` command, which lives in .venv and is not on the PATH."""
    if os.name == "nt":
        return "The stormdrill command is .venv\\Scripts\\stormdrill (or run .venv\\Scripts\\activate first)."
    return "The stormdrill command is .venv/bin/stormdrill (or run `source .venv/bin/activate` first)."


def setup() -> bool:
    """Create .venv and install Stormdrill with its dev tools, unless pyproject.toml is unchanged.

    Returns whether it did anything. Each stage says what it does; pip lists the packages as it goes.
    """
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.is_file() and STAMP.read_text().strip() == want and PY.exists():
        return False
    start = time.monotonic()
    print("Setting up .venv (first use, or pyproject.toml changed); the first time takes a few minutes.", flush=True)
    if not PY.exists():
        print("[1/3] Creating .venv", flush=True)
        try:
            venv.create(VENV, with_pip=True)
        except subprocess.CalledProcessError:
            # Some system Pythons ship without ensurepip (Debian's python3-venv): make the venv
            # without pip, then let the system's pip install into it.
            shutil.rmtree(VENV, ignore_errors=True)
            venv.create(VENV, with_pip=False)
            run(sys.executable, "-m", "pip", "--python", PY, "install", "--quiet", "pip")
    print("[2/3] Updating pip", flush=True)
    run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    print(f"[3/3] Installing Stormdrill and its dependencies (about {INSTALL_MB} MB) ...", flush=True)
    run(PY, "-m", "pip", "install", "--progress-bar", "on", "-e", ".[dev]")
    STAMP.write_text(want + "\n")
    print(f"Set up .venv in {time.monotonic() - start:.0f} s. {where_hint()}", flush=True)
    return True


def play(args: list[str]) -> None:
    fresh = setup()
    run(tool("stormdrill"), "play", *(args or [DEFAULT_SCENARIO]))
    if fresh:  # the console took the screen since setup said it
        print(where_hint())


def stage(title: str, *argv: str | Path) -> float:
    """Run one named stage of the checks; stop with its exit status if it fails. Returns its seconds."""
    print(f"\n== {title}", flush=True)
    start = time.monotonic()
    code = subprocess.call([str(a) for a in argv], cwd=ROOT)
    took = time.monotonic() - start
    if code:
        print(f"== {title}: FAILED (exit status {code}) after {took:.1f} s", flush=True)
        sys.exit(code)
    print(f"== {title}: ok in {took:.1f} s", flush=True)
    return took


def test(_: list[str]) -> None:
    """Exactly what CI runs: lint, types, import contracts, scenario validation, tests, calibration."""
    setup()
    stages: list[tuple[str, list[str | Path]]] = [
        ("lint (ruff)", [tool("ruff"), "check", *CODE]),
        ("types (mypy)", [tool("mypy")]),
        ("import contracts", [tool("lint-imports")]),
        ("validate scenarios", [tool("stormdrill"), "validate", "scenarios"]),
        ("tests (pytest)", [PY, "-m", "pytest", "-q", "-rs", "-n", "2"]),
        # The validity suite's human order is reported, not enforced, until it holds on every scenario (issue 11).
        ("calibrate", [tool("stormdrill"), "calibrate", "--quiet", "--humans", "report", "scenarios"]),
    ]
    times = [(title, stage(title, *argv)) for title, argv in stages]
    print("\nAll checks passed: " + ", ".join(f"{title} {took:.0f} s" for title, took in times), flush=True)


def lint(_: list[str]) -> None:
    """ruff (lint and format) and mypy --strict on the packages and the tests (pyproject.toml)."""
    setup()
    run(tool("ruff"), "check", *CODE)
    run(tool("ruff"), "format", "--check", *CODE)
    run(tool("mypy"))


def bench(names: list[str]) -> None:
    """Run every benchmark (or those named); one that cannot run here is skipped with its reason."""
    scripts = sorted((ROOT / "bench").glob("*.py"))
    unknown = sorted(set(names) - {s.stem for s in scripts})
    if unknown:
        sys.exit(f"no such benchmark: {', '.join(unknown)} (there are: {', '.join(s.stem for s in scripts)})")
    setup()
    run(PY, "-m", "pip", "install", "--quiet", "-e", ".[bench]")
    skipped, failed = [], []
    for script in scripts:
        if names and script.stem not in names:
            continue
        print(f"== {script.relative_to(ROOT)}", flush=True)
        code = subprocess.call([str(PY), str(script)], cwd=ROOT)
        if code == SKIPPED:
            skipped.append(script.stem)
        elif code:
            failed.append(f"{script.stem} (exit status {code})")
    if skipped:
        print(f"skipped (see the reasons above): {', '.join(skipped)}", flush=True)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


def clean(_: list[str]) -> None:
    for name in (".venv", "build", "dist", ".mypy_cache", ".ruff_cache"):
        shutil.rmtree(ROOT / name, ignore_errors=True)


COMMANDS = {"play": play, "test": test, "lint": lint, "bench": bench, "clean": clean}
USAGE = {
    "play": (
        "python3 dev.py play [SCENARIO] [OPTION...]",
        f"Set up .venv on first use, then start the trainee console on SCENARIO (default {DEFAULT_SCENARIO}).\n"
        "SCENARIO and the options go to `stormdrill play` as they are (--speed X, --seed N, --trainee NAME,\n"
        "--coach, ...): `.venv/bin/stormdrill play --help` lists them.",
    ),
    "test": (
        "python3 dev.py test",
        "Set up .venv on first use, then run everything CI runs, each stage under its own header with its time:\n"
        "ruff, mypy (the packages and the tests), the import contracts, scenario validation, the tests (pytest,\n"
        "two workers) and bot calibration. Stops at the first stage that fails, with its exit status.",
    ),
    "lint": ("python3 dev.py lint", "ruff check, ruff format --check and mypy --strict (the packages and the tests)."),
    "bench": (
        "python3 dev.py bench [NAME...]",
        "Run the benchmarks in bench/ (or only those NAMEd), each printing JSON figures. One whose data is not\n"
        "in the checkout is skipped with the reason, and the rest still run.\nThe benchmarks: "
        + ", ".join(sorted(s.stem for s in (ROOT / "bench").glob("*.py")))
        + ".",
    ),
    "clean": ("python3 dev.py clean", "Remove .venv, build/, dist/ and the ruff and mypy caches."),
}
TAKES_ARGS = {"play", "bench"}


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in COMMANDS:
        if argv and argv[0] not in ("-h", "--help"):
            print(f"dev.py: no command {argv[0]!r}\n", file=sys.stderr)
        print(__doc__.strip())
        sys.exit(0 if argv[:1] in (["-h"], ["--help"]) else 2)
    name, args = argv[0], argv[1:]
    usage, what = USAGE[name]
    # `play` hands its options to `stormdrill play`, but --help here is about dev.py's command.
    if "-h" in args or "--help" in args:
        print(f"usage: {usage}\n\n{what}")
        return
    if args and name not in TAKES_ARGS:
        print(f"dev.py {name} takes no arguments (got: {' '.join(args)})\nusage: {usage}", file=sys.stderr)
        sys.exit(2)
    COMMANDS[name](args)


if __name__ == "__main__":
    main(sys.argv[1:])
