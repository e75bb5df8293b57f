"""Processes the workshop tests start for real: a judge process (on a socket, leased, waited for)
and ``stormdrill workshop serve``; and finding a workshop's console processes."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sim.workshop.judge_service import JudgeUnavailable, ask, encode, judge_address


def socket_in(folder: Path) -> Path:
    """The judge's socket for a data folder (a private temp folder when the path is too long)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = judge_address(folder)
    assert path is not None, "Unix sockets are needed here"
    return path


def spawn(path: Path, log: Path, lease_wait: float = 600.0) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "sim", "workshop", "judge", "--socket", str(path), "--lease-wait", str(lease_wait)]
    with log.open("ab") as fh:
        return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=fh, stderr=fh, start_new_session=True)


def hello(path: Path, timeout: float = 5.0) -> dict[str, Any] | None:
    try:
        return ask(path, {"op": "hello"}, timeout)
    except (OSError, JudgeUnavailable):
        return None


def wait_ready(path: Path, proc: subprocess.Popen[bytes] | None = None, timeout: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        h = hello(path)
        if h is not None and h["ready"]:
            return h
        assert proc is None or proc.poll() is None, f"the judge process exited ({proc.returncode})"
        time.sleep(0.2)
    raise AssertionError(f"the judge at {path} was not ready after {timeout} s")


def take_lease(path: Path) -> socket.socket:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(str(path))
    s.sendall(encode({"op": "lease"}))
    assert b'"ok":true' in s.recv(4096)
    return s


def gone(pid: int, timeout: float = 20.0) -> bool:
    """Whether process ``pid`` has exited (or is a zombie) within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.1)
    return False


def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(home: Path, code: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``stormdrill workshop serve empty-ovens`` with ``home`` as its data folder: its URL once it answers."""
    port = free_port()
    env = os.environ | {"STORMDRILL_HOME": str(home)}
    cmd = [sys.executable, "-m", "sim", "workshop", "serve", "empty-ovens", "--port", str(port), "--code", code]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    assert r.status == 200
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"stormdrill workshop serve did not start: {proc.stdout.read() if proc.stdout else ''}")
                time.sleep(0.3)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def console_pids(workshop_id: str) -> list[int]:
    """The Python processes running a console of this workshop: ``workshop participant --workshop ID``
    (a tab without the fork server), and the children of the workshop's fork server (``workshop zygote
    --workshop ID``), which are forked consoles; never the launchers nor the fork server itself."""
    argvs, parents = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            argvs[int(entry.name)] = (entry / "cmdline").read_bytes().split(b"\0")
            parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
    wid = workshop_id.encode()

    def runs(pid: int, command: bytes) -> bool:
        argv = argvs.get(pid, [b""])
        return b"python" in argv[0] and command in argv and wid in argv

    return [p for p in argvs if runs(p, b"participant") or (runs(p, b"zygote") and runs(parents.get(p, 0), b"zygote"))]


def zygote_pids(workshop_id: str) -> list[int]:
    """The workshop's fork server processes: the children of ``workshop serve`` (not the consoles they forked)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            parent = Path(f"/proc/{ppid}/cmdline").read_bytes().split(b"\0")
            # serve's child (a console forked by a fork server that has died is init's child)
            if b"zygote" in argv and workshop_id.encode() in argv and b"serve" in parent:
                found.append(int(entry.name))
    return found
