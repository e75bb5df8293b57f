"""Smoke test in a real terminal (tmux): start, reply to a post, see it in your channel, quit,
and find the reply in the journal. Waits poll the screen with a deadline; nothing sleeps blindly."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

REPLY = "Hi, we are so sorry about this. Our team is on it, next update at 09:30."


SOCKET = f"stormdrill-test-{os.getpid()}"


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", "-L", SOCKET, *args], check=True, capture_output=True, text=True).stdout


def _wait(check: Callable[[], bool], what: str, screen_text: Callable[[], str], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}; screen:\n{screen_text()}")


def test_play_reply_quit_in_tmux(tmp_path: Path) -> None:
    session = f"stormdrill-smoke-{uuid.uuid4().hex[:8]}"
    journal = tmp_path / "smoke.jsonl"
    env = {**os.environ, "STORMDRILL_HOME": str(tmp_path / "home"), "TERM": "xterm-256color"}
    cmd = (
        # COLUMNS and LINES (set by the test runner) would override the terminal's 120x40.
        f"unset COLUMNS LINES; STORMDRILL_HOME={env['STORMDRILL_HOME']} STORMDRILL_CONFIG_DIR={tmp_path / 'config'} "
        f"{sys.executable} -m sim play empty-ovens --speed 5 --seed 3 "
        f"--trainee smoke --journal {journal}; echo EXITED-$?"
    )
    # A plain shell first, sized to 120x40, then the app: it starts at the right size.
    _tmux("-f", "/dev/null", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", "sh")
    _tmux("set-option", "-t", session, "window-size", "manual")  # no client attached: keep 120x40
    _tmux("resize-window", "-t", session, "-x", "120", "-y", "40")
    _tmux("send-keys", "-t", session, f"cd {Path.cwd()} && {cmd}", "Enter")

    def screen() -> str:
        return _tmux("capture-pane", "-p", "-t", session)

    try:
        _wait(lambda: "Press Enter" in screen(), "the briefing screen", screen)
        _tmux("send-keys", "-t", session, "Enter")
        _wait(lambda: "Pressure" in screen(), "the console", screen)
        _wait(
            lambda: journal.exists() and '"type": "post"' in journal.read_text().replace('":"', '": "'),
            "the first posts",
            screen,
        )
        _tmux("send-keys", "-t", session, "j")
        _tmux("send-keys", "-t", session, "r")
        _wait(lambda: re.search(r"reply (in public )?to @", screen(), re.I) is not None, "the composer", screen)
        _tmux("send-keys", "-t", session, "-l", REPLY)
        _tmux("send-keys", "-t", session, "C-s")
        _wait(
            lambda: "public reply to @" in screen() and "we are so sorry" in screen(),
            "the reply in your channel",
            screen,
        )
        _tmux("send-keys", "-t", session, "C-q")
        _wait(lambda: "Quit now?" in screen(), "the quit question", screen)
        _tmux("send-keys", "-t", session, "y")
        _wait(lambda: "EXITED-0" in screen(), "the app to exit", screen)
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)
    events = [json.loads(line) for line in journal.read_text().splitlines() if line.strip()]
    replies = [e for e in events if e.get("type") == "action" and REPLY in json.dumps(e)]
    assert len(replies) == 1, journal.read_text()[-3000:]
