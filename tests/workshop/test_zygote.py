"""The consoles' fork server (``sim.workshop.zygote``) and the launcher textual-serve runs per tab
(``sim.workshop.launch``), as real processes:

- under ``stormdrill workshop serve``, a tab's console is a child of the fork server, not of the
  launcher, and what the trainee sends reaches the store and the journal;
- the tab's stdin, stdout, stderr, environment and folder reach the forked console (and what Textual
  read from the environment at import is read again); its exit status comes back to the launcher;
- SIGTERM to the launcher (a closed tab) ends the console; a launcher that dies hangs its console up;
- the fork server's socket is the user's only (0600);
- without a fork server, or when it is killed, the launcher runs the console itself (the command serve
  used before), and a console forked before the kill goes on to its end;
- a console that never gets its launcher's ``go`` exits without touching the tab.

The tests of the fds and signals run a fork server whose console is a stand-in (it reports what it got,
then does what its stdin says), so they need no store and no Textual app.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import aiohttp
import pytest

from sim.workshop import launch
from sim.workshop.serve import LAUNCHER
from sim.workshop.store import DB_ENV, open_store
from sim.workshop.zygote import zygote_address

from .procs import console_pids, gone, kill, serving, zygote_pids
from .test_app import CODE
from .test_judge_served import Tab, stored

pytestmark = pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="the fork server needs Unix sockets")

# A fork server whose console is a stand-in: it says what it got, then does what its stdin says.
STAND_IN = """
import json, os, sys, time
from pathlib import Path
import textual.constants
from sim.workshop import zygote

def console(workshop_id):
    import textual.constants as c
    report = {"pid": os.getpid(), "ppid": os.getppid(), "workshop": workshop_id, "cwd": os.getcwd(),
              "marker": os.environ.get("SD_TEST_MARKER"), "driver": c.DRIVER, "columns": os.environ.get("COLUMNS"),
              "argv": sys.argv[1:]}
    sys.stdout.write(json.dumps(report) + "\\n")
    sys.stdout.flush()
    sys.stderr.write("stand-in on stderr\\n")
    sys.stderr.flush()
    line = sys.stdin.readline().strip()
    if line.startswith("exit "):
        sys.exit(int(line.split()[1]))
    if line == "sleep":
        while True:
            time.sleep(1)
    sys.stdout.write("echo " + line + "\\n")

zygote.run_console = console
z = zygote.Zygote(Path(sys.argv[1]), "stand-in")
z.listen()
os.write(1, zygote.READY)
sys.exit(z.serve())
"""


class StandIn:
    """A fork server with the stand-in console, on a socket in ``folder``; its stdin is its lifeline."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "zygote.sock"
        env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_DRIVER"}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", STAND_IN, str(self.path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=(folder / "zygote.log").open("ab"),
            env=env,
            start_new_session=True,
        )
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline() == b"ready\n", (folder / "zygote.log").read_text()

    def stop(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture
def stand_in(tmp_path: Path) -> Iterator[StandIn]:
    z = StandIn(tmp_path / "z")
    try:
        yield z
    finally:
        z.stop()


def launcher(path: Path | None, cwd: Path, **env: str) -> subprocess.Popen[bytes]:
    """The launcher as textual-serve starts it: pipes for its stdin, stdout and stderr."""
    full = os.environ | env
    full.pop(launch.ZYGOTE_ENV, None)
    if path is not None:
        full[launch.ZYGOTE_ENV] = str(path)
    return subprocess.Popen(
        [sys.executable, "-I", "-S", str(LAUNCHER), "--workshop", "w1"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=full,
        cwd=cwd,
    )


def line_of(stream: IO[bytes] | None, timeout: float = 30) -> bytes:
    """One line of a pipe, or fail after ``timeout``."""
    assert stream is not None
    got: list[bytes] = []
    t = threading.Thread(target=lambda: got.append(stream.readline()), daemon=True)
    t.start()
    t.join(timeout)
    assert got, f"no line in {timeout} s"
    return got[0]


def report(proc: subprocess.Popen[bytes]) -> dict[str, object]:
    data: dict[str, object] = json.loads(line_of(proc.stdout))
    return data


def send(proc: subprocess.Popen[bytes], text: str) -> None:
    assert proc.stdin is not None
    proc.stdin.write(text.encode() + b"\n")
    proc.stdin.flush()


# ---------------------------------------------------------------------- the fds, the environment, the status
def test_the_tabs_fds_environment_and_folder_reach_the_forked_console(stand_in: StandIn, tmp_path: Path) -> None:
    folder = tmp_path / "tab"
    folder.mkdir()
    proc = launcher(stand_in.path, folder, SD_TEST_MARKER="tab 1", TEXTUAL_DRIVER="some.driver:Drv", COLUMNS="132")
    got = report(proc)
    assert got["ppid"] == stand_in.proc.pid and got["pid"] != proc.pid, "the console is not the fork server's child"
    assert got["workshop"] == "w1" and got["argv"] == ["workshop", "participant", "--workshop", "w1"]
    assert got["cwd"] == str(folder) and got["marker"] == "tab 1" and got["columns"] == "132"
    assert got["driver"] == "some.driver:Drv", "Textual's constants were not read again from the tab's environment"
    send(proc, "hello")
    assert line_of(proc.stdout) == b"echo hello\n"
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and b"stand-in on stderr" in err
    assert gone(int(str(got["pid"])))


def test_the_consoles_exit_status_is_the_launchers(stand_in: StandIn, tmp_path: Path) -> None:
    proc = launcher(stand_in.path, tmp_path)
    report(proc)
    send(proc, "exit 3")
    proc.communicate(timeout=30)
    assert proc.returncode == 3


def test_the_socket_is_the_users_only(stand_in: StandIn) -> None:
    mode = stand_in.path.stat().st_mode
    assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o600


# ---------------------------------------------------------------------- signals, and a launcher that goes
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_to_the_launcher_ends_the_console(stand_in: StandIn, tmp_path: Path, sig: signal.Signals) -> None:
    proc = launcher(stand_in.path, tmp_path)
    console = int(str(report(proc)["pid"]))
    send(proc, "sleep")
    time.sleep(0.3)
    proc.send_signal(sig)
    proc.communicate(timeout=30)
    assert gone(console), "the console outlived the signal"
    assert proc.returncode != 0


def test_a_launcher_that_dies_hangs_its_console_up(stand_in: StandIn, tmp_path: Path) -> None:
    if not hasattr(__import__("select"), "POLLRDHUP"):
        pytest.skip("the fork server sees a launcher go only with POLLRDHUP (Linux)")
    proc = launcher(stand_in.path, tmp_path)
    console = int(str(report(proc)["pid"]))
    send(proc, "sleep")
    kill(proc.pid)
    proc.wait(timeout=10)
    assert gone(console), "the console outlived its launcher"


# ---------------------------------------------------------------------- no fork server, or a killed one
def test_a_killed_fork_server_leaves_its_consoles_running_and_new_tabs_run_their_own(
    stand_in: StandIn, tmp_path: Path
) -> None:
    proc = launcher(stand_in.path, tmp_path)
    console = int(str(report(proc)["pid"]))
    kill(stand_in.proc.pid)
    stand_in.proc.wait(timeout=10)
    send(proc, "still here")
    assert line_of(proc.stdout) == b"echo still here\n", "the console went with its fork server"
    proc.communicate(timeout=30)
    assert proc.returncode == 0 and gone(console)
    # A new tab: the socket is still there, nobody answers, the launcher runs the console itself.
    home = tmp_path / "home"
    url = f"sqlite:///{tmp_path / 'store.db'}"
    open_store(url).close()
    tab = launcher(stand_in.path, tmp_path, STORMDRILL_HOME=str(home), **{DB_ENV: url}, **web_env())
    assert_runs_the_console_itself(tab)


def web_env() -> dict[str, str]:
    return {"TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver", "COLUMNS": "100", "ROWS": "30"}


def assert_runs_the_console_itself(tab: subprocess.Popen[bytes]) -> None:
    """The launcher became ``stormdrill workshop participant`` (same process), a web-driven console."""
    try:
        assert line_of(tab.stdout, 120) == b"__GANGLION__\n", "no console started"
        argv = Path(f"/proc/{tab.pid}/cmdline").read_bytes().split(b"\0")
        assert argv[1:6] == [b"-m", b"sim", b"workshop", b"participant", b"--workshop"]
    finally:
        assert tab.stdin is not None
        quit_meta = b'{"type": "quit"}'
        with contextlib.suppress(OSError):
            tab.stdin.write(b"M" + len(quit_meta).to_bytes(4, "big") + quit_meta)  # as textual-serve closes a tab
            tab.stdin.close()
        try:
            tab.wait(timeout=60)
        except subprocess.TimeoutExpired:
            tab.kill()
            raise


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="reads /proc")
def test_without_a_fork_server_the_launcher_runs_the_console_itself(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    open_store(url).close()
    missing = tmp_path / "nobody.sock"
    tab = launcher(missing, tmp_path, STORMDRILL_HOME=str(tmp_path / "home"), **{DB_ENV: url}, **web_env())
    assert_runs_the_console_itself(tab)


def test_a_console_that_gets_no_go_exits_without_touching_the_tab(tmp_path: Path) -> None:
    """A fork server too slow to answer: the launcher gives up and runs the console itself; the fork
    that answers late gets no go and exits (here: the launcher's side, with a fake slow server)."""
    path = tmp_path / "slow.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    held: list[socket.socket] = []
    threading.Thread(target=lambda: held.append(server.accept()[0]), daemon=True).start()
    code = (
        f"import sys; sys.path.insert(0, {str(LAUNCHER.parent)!r}); import launch; launch.START_TIMEOUT = 1.0; "
        f"print(launch.through_zygote({str(path)!r}, 'w1'))"
    )
    proc = subprocess.Popen([sys.executable, "-I", "-S", "-c", code], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    assert proc.wait(timeout=30) == 0
    # The late fork's view: the launcher sent its request (and fds) and closed the connection, never a go.
    conn = held[0]
    conn.settimeout(5)
    _head, fds, _flags, _addr = socket.recv_fds(conn, 4, 3)
    for fd in fds:
        os.close(fd)  # the launcher's stdout among them: only now does its pipe end
    data = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := conn.recv(65536):
            data += chunk
    assert len(fds) == 3 and not data.endswith(b"go\n")
    conn.close()
    server.close()
    assert proc.stdout is not None and proc.stdout.read().strip() == b"None"


# ---------------------------------------------------------------------- under workshop serve
def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def new_zygote(workshop_id: str, old: int, timeout: float = 60) -> int:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = [p for p in zygote_pids(workshop_id) if p != old]
        if found:
            time.sleep(3)  # listening once warm
            return found[0]
        time.sleep(0.3)
    raise AssertionError("serve did not start another fork server")


async def test_under_serve_tabs_are_forked_by_the_fork_server_which_serve_replaces_if_killed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with serving(home, CODE) as (url, serve):
        os.environ["STORMDRILL_HOME"] = str(home)
        store = open_store(None)
        w = store.find_workshop()
        assert w is not None
        store.control(w.id, "start", wall=time.time() - 300)
        [zygote] = zygote_pids(w.id)
        sock = zygote_address(w.id, home)
        assert sock is not None
        assert stat.S_IMODE(sock.stat().st_mode) == 0o600
        texts = [f"Update {i}: every store is being checked, next update in 10 minutes." for i in range(2)]
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(f"{url}/ws?width=120&height=36") as ws:
                tab = Tab(ws)
                await tab.enter("Ines")
                [console] = console_pids(w.id)
                assert parent_of(console) == zygote, "the console was not forked by the fork server"
                seat = store.roster(w.id)[0]
                await tab.keys("u" + texts[0] + "\x13")
                rows = await stored(store, seat.session_id, 1)
                tab.reader.cancel()
            assert [r[3] for r in rows] == texts[:1]
            kill(zygote)  # serve starts another; the next tab is forked by that one
            second = new_zygote(w.id, zygote)
            async with http.ws_connect(f"{url}/ws?width=120&height=36") as ws:
                tab = Tab(ws)
                await tab.enter("Omar")
                seat = next(r for r in store.roster(w.id) if r.name == "Omar")
                consoles = [p for p in console_pids(w.id) if parent_of(p) == second]
                assert consoles, "the new tab's console was not forked by the new fork server"
                await tab.keys("u" + texts[1] + "\x13")
                rows = await stored(store, seat.session_id, 1)
                tab.reader.cancel()
            assert [r[3] for r in rows] == texts[1:]
        store.close()
        serve.terminate()
        serve.wait(timeout=30)
        assert gone(second), "the fork server outlived serve"
        assert not sock.exists()
