"""Stormdrill's developer commands, with nothing but Python 3.11+ and pip.

    python3 dev.py play [SCENARIO]   set up .venv on first use, then start the trainee console
    python3 dev.py test              set up .venv on first use, then run everything CI runs
    python3 dev.py lint | bench | clean

Everything runs inside .venv, created on first use and refreshed when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed"
DEFAULT_SCENARIO = "empty-ovens"
CODE = ["sim", "scoring", "tests", "bench", "dev.py"]

if sys.version_info < (3, 11):  # noqa: UP036 - a clear message on an older Python, not a traceback
    sys.exit(f"Stormdrill needs Python 3.11 or newer; this is {sys.version.split()[0]}.")


def run(*argv: str | Path) -> None:
    """Run a command from the project folder; stop with its exit status if it fails."""
    code = subprocess.call([str(a) for a in argv], cwd=ROOT)
    if code:
        sys.exit(code)


def tool(name: str) -> Path:
    return BIN / (f"{name}.exe" if os.name == "nt" else name)


def setup() -> None:
    """Create .venv and install Stormdrill with its dev tools, unless pyproject.toml is unchanged."""
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.is_file() and STAMP.read_text().strip() == want and PY.exists():
        return
    print("Setting up .venv (first use, or pyproject.toml changed) ...", flush=True)
    if not PY.exists():
        try:
            venv.create(VENV, with_pip=True)
        except subprocess.CalledProcessError:
            # Some system Pythons ship without ensurepip (Debian's python3-venv): make the venv
            # without pip, then let the system's pip install into it.
            shutil.rmtree(VENV, ignore_errors=True)
            venv.create(VENV, with_pip=False)
            run(sys.executable, "-m", "pip", "--python", PY, "install", "--quiet", "pip")
    run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PY, "-m", "pip", "install", "--quiet", "-e", ".[dev]")
    STAMP.write_text(want + "\n")


def play(args: list[str]) -> None:
    setup()
    run(tool("stormdrill"), "play", *(args or [DEFAULT_SCENARIO]))


def test(_: list[str]) -> None:
    """Exactly what CI runs: lint, types, import contracts, scenario validation, tests, calibration."""
    setup()
    run(tool("ruff"), "check", *CODE)
    run(tool("mypy"))
    run(tool("lint-imports"))
    run(tool("stormdrill"), "validate", "scenarios")
    run(PY, "-m", "pytest", "-q", "-n", "2")
    # The validity suite's human order is reported, not enforced, until it holds on every scenario (issue 11).
    run(tool("stormdrill"), "calibrate", "--quiet", "--humans", "report", "scenarios")


def lint(_: list[str]) -> None:
    setup()
    run(tool("ruff"), "check", *CODE)
    run(tool("ruff"), "format", "--check", *CODE)


def bench(_: list[str]) -> None:
    setup()
    run(PY, "-m", "pip", "install", "--quiet", "-e", ".[bench]")
    for script in sorted((ROOT / "bench").glob("*.py")):
        print(f"== {script.relative_to(ROOT)}", flush=True)
        run(PY, script)


def clean(_: list[str]) -> None:
    for name in (".venv", "build", "dist", ".mypy_cache", ".ruff_cache"):
        shutil.rmtree(ROOT / name, ignore_errors=True)


COMMANDS = {"play": play, "test": test, "lint": lint, "bench": bench, "clean": clean}


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__.strip())
        sys.exit(0 if argv[:1] in (["-h"], ["--help"]) else 2)
    COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
