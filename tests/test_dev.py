"""dev.py, the developer commands: every command answers --help (and does nothing else), and a
command that takes no arguments refuses them instead of ignoring them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ["play", "test", "lint", "bench", "clean"]


def dev(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "dev.py"), *args], capture_output=True, text=True, timeout=30, cwd=ROOT
    )


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_every_command_answers_help_and_runs_nothing(command: str, flag: str) -> None:
    done = dev(command, flag)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: python3 dev.py {command}")
    assert "==" not in done.stdout and "Setting up" not in done.stdout  # no stage, no set-up started
    assert done.stderr == ""


def test_help_after_other_arguments_still_only_helps() -> None:
    done = dev("play", "kitchen-cam", "--speed", "5", "--help")
    assert done.returncode == 0 and done.stdout.startswith("usage: python3 dev.py play")


@pytest.mark.parametrize("command", ["test", "lint", "clean"])
def test_a_command_without_arguments_refuses_them(command: str) -> None:
    done = dev(command, "-x")
    assert done.returncode == 2
    assert f"dev.py {command} takes no arguments (got: -x)" in done.stderr


def test_no_command_or_an_unknown_one() -> None:
    assert dev("--help").returncode == 0 and "dev.py play" in dev("--help").stdout
    unknown = dev("nope")
    assert unknown.returncode == 2 and "no command 'nope'" in unknown.stderr
    assert dev().returncode == 2
