"""The consoles' fork server ("zygote"): one warm process per served workshop that forks a console for
each browser tab, so the consoles share the pages of everything imported once (docs/workshops.md,
sizing).

- ``stormdrill workshop serve`` starts it (:class:`ZygoteKeeper`) beside the judge process, with a
  pipe on its stdin: it exits when serve goes (the pipe closes), however serve stopped. If it dies
  while serve runs, serve starts another (backing off); meanwhile every new tab runs its console as
  before, in the tab's own process.
- Warm-up (:func:`warm`): it imports what a console imports (Textual and its web driver, the
  console's screens and widgets, the engine, the scoring, SQLAlchemy and the store's dialect), loads
  the workshop's scenario and expands its storm once (so the name pools, the scenario's modules and
  their caches are shared too), collects, and calls ``gc.freeze()``: a forked console's collections
  never touch (and so never copy) those objects. The one store engine it opens (to read the
  workshop's scenario) is disposed of before any fork, and it runs no event loop and no thread: each
  console opens its own store connection and its own loop after the fork.
- Per tab, the launcher (:mod:`sim.workshop.launch`, which textual-serve runs) connects to its Unix
  socket (mode 0600, in the workshop's data folder) and sends its stdin, stdout and stderr
  (SCM_RIGHTS), environment and working folder. The zygote forks; the child says its pid, waits for
  the launcher's ``go`` (so that exactly one console reads the tab), puts the fds on 0, 1 and 2,
  takes the tab's environment (and re-reads what Textual read from it at import), and runs the
  console exactly as ``stormdrill workshop participant`` does. The zygote sends the console's exit
  status to the launcher when it ends, and SIGHUP to the console if its launcher goes first.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import IO, Any

from .backoff import Backoff
from .launch import ZYGOTE_ENV

SOCKET_NAME = "zygote.sock"
LOG_NAME = "zygote.log"
MAX_REQUEST = 1024 * 1024  # bytes of one launcher's request (its environment)
REQUEST_TIMEOUT = 5.0  # seconds a launcher has to send its request
GO_TIMEOUT = 60.0  # seconds a forked console waits for its launcher's go before it exits untouched
START_TIMEOUT = 60.0  # seconds serve waits for the zygote to be warm
READY = b"ready\n"  # the zygote's one line on its stdout, once it listens

# What a console imports beyond sim.workshop.app: loaded lazily by the game, the screens and Textual.
WARM_MODULES = (
    "textual.drivers.web_driver",
    "textual.drivers._input_reader",
    "textual.pilot",
    "textual.widgets._button",
    "textual.widgets._content_switcher",
    "textual.widgets._data_table",
    "textual.widgets._footer",
    "textual.widgets._header",
    "textual.widgets._input",
    "textual.widgets._label",
    "textual.widgets._loading_indicator",
    "textual.widgets._option_list",
    "textual.widgets._select",
    "textual.widgets._sparkline",
    "textual.widgets._static",
    "textual.widgets._tabbed_content",
    "textual.widgets._tabs",
    "textual.widgets._text_area",
    "textual.widgets._toast",
    "textual.widgets._tooltip",
    "textual.layouts.factory",
    "textual.layouts.horizontal",
    "textual.layouts.stream",
    "textual.scrollbar",
    "rich._emoji_codes",
    "sim.tui.keymap",
    "scoring",
    "scoring.judging",
    "scoring.report",
    "scoring.session_tone",
    "sim.engine.journal",
    "sim.engine.session",
    "sim.scenario.expand",
    "sim.scenario.library",
    "sim.scenario.load",
    "sim.tui.game",
    "sim.tui.messages",
    "sim.tui.palette",
    "sim.tui.screens.briefing",
    "sim.tui.screens.confirm",
    "sim.tui.screens.console",
    "sim.tui.screens.debrief",
    "sim.tui.screens.plan",
    "sim.workshop.app",
    "sim.workshop.judge_service",
    "sim.workshop.room",
    "sim.workshop.store",
)


def zygote_address(workshop_id: str, folder: Path | None = None) -> Path | None:
    """Where the zygote of a workshop listens (in its data folder); None where there are no Unix sockets."""
    from sim.store import data_dir

    from .judge_service import socket_address

    home = (folder or data_dir()) / "workshops" / workshop_id
    home.mkdir(parents=True, exist_ok=True)
    return socket_address(home, SOCKET_NAME)


# ---------------------------------------------------------------------- the console itself
def run_console(workshop_id: str) -> None:
    """One tab's trainee console (``stormdrill workshop participant``, or a child of the zygote)."""
    from scoring import judging
    from sim.workshop.app import WorkshopApp
    from sim.workshop.judge_service import JUDGE_ENV, ServedJudge
    from sim.workshop.store import DB_ENV

    if os.environ.get(JUDGE_ENV):
        judging.use(ServedJudge(os.environ[JUDGE_ENV]))  # the host's judge: this process never loads the model
    WorkshopApp(os.environ.get(DB_ENV) or None, workshop_id).run()


# ---------------------------------------------------------------------- warm-up
def warm(workshop_id: str, store_url: str | None) -> None:
    """Import (and load, and expand) once what every console needs, then freeze it for the forks."""
    for name in WARM_MODULES:
        importlib.import_module(name)
    if store_url:
        from sqlalchemy.engine import make_url

        with contextlib.suppress(Exception):  # the console reports a bad store in words, not here
            make_url(store_url).get_dialect().import_dbapi()  # the dialect and its driver: no connection
    _warm_scenario(workshop_id, store_url)
    gc.collect()
    gc.freeze()


def _warm_scenario(workshop_id: str, store_url: str | None) -> None:
    """Load the workshop's scenario and expand its storm once: the modules, the name pools and the
    caches they fill stay in the zygote for every fork (each console still loads its own copy)."""
    from sim.scenario.expand import expand
    from sim.scenario.library import resolve
    from sim.scenario.load import load_scenario
    from sim.scenario.problems import ScenarioError

    from .store import Store, StoreError

    try:
        store = Store(store_url, migrate=False)
    except StoreError:
        return
    try:
        w = store.workshop(workshop_id)
    except StoreError:
        w = None
    finally:
        store.close()  # disposes of the engine: nothing of it is left for the forks
    if w is None:
        return
    source = w.scenario_path if w.scenario_path and Path(w.scenario_path).is_file() else w.scenario
    try:
        expand(load_scenario(resolve(source)), w.seed)
    except (ScenarioError, OSError):
        return  # each console says what is wrong with it


# ---------------------------------------------------------------------- the zygote process
def _recv_request(conn: socket.socket) -> tuple[dict[str, Any], list[int]]:
    """A launcher's request (workshop, cwd, env) and its three fds (``ValueError`` if it is not one)."""
    conn.settimeout(REQUEST_TIMEOUT)
    head, fds, _flags, _addr = socket.recv_fds(conn, 4, 3)
    try:
        if len(fds) != 3:
            raise ValueError("a request must carry stdin, stdout and stderr")
        while len(head) < 4:
            more = conn.recv(4 - len(head))
            if not more:
                raise ValueError("the request ended early")
            head += more
        size = int.from_bytes(head, "big")
        if size > MAX_REQUEST:
            raise ValueError("the request is too long")
        body = bytearray()
        while len(body) < size:
            chunk = conn.recv(min(65536, size - len(body)))
            if not chunk:
                raise ValueError("the request ended early")
            body += chunk
        return parse_request(bytes(body)), fds
    except (ValueError, OSError):
        for fd in fds:
            os.close(fd)
        raise


def parse_request(body: bytes) -> dict[str, Any]:
    """``console``, the workshop, the folder and ``NAME=VALUE`` for each variable, each ended by NUL
    (``sim.workshop.launch``)."""
    if not body.endswith(b"\0"):
        raise ValueError("a request's fields end with NUL")
    fields = [os.fsdecode(f) for f in body[:-1].split(b"\0")]
    if len(fields) < 3 or fields[0] != "console" or not fields[1]:
        raise ValueError("not a console request")
    env: dict[str, str] = {}
    for item in fields[3:]:
        name, eq, value = item.partition("=")
        if not name or not eq:
            raise ValueError("an environment variable must be NAME=VALUE")
        env[name] = value
    return {"workshop": fields[1], "cwd": fields[2], "env": env}


def apply_environment(env: dict[str, str]) -> None:
    """Take the tab's environment, and re-read what Textual read from the zygote's at import time."""
    os.environ.clear()
    os.environ.update(env)
    if "textual.constants" in sys.modules:
        constants = importlib.reload(sys.modules["textual.constants"])
        for module, name in (
            ("textual._styles_cache", "DEBUG"),
            ("textual.filter", "DIM_FACTOR"),
            ("textual.message_pump", "SLOW_THRESHOLD"),
        ):
            if module in sys.modules:
                setattr(sys.modules[module], name, getattr(constants, name))
    parser = sys.modules.get("textual._xterm_parser")
    if parser is not None:
        parser.IS_ITERM = env.get("LC_TERMINAL", "") == "iTerm2" or env.get("TERM_PROGRAM", "") == "iTerm.app"  # type: ignore[attr-defined]


class Zygote:
    """The fork server's loop: one thread, no event loop (it forks)."""

    def __init__(self, path: Path, workshop_id: str, lifeline: int | None = 0) -> None:
        self.path = path
        self.workshop_id = workshop_id
        self.lifeline = lifeline  # serve's pipe: EOF means serve has gone
        self.children: dict[int, socket.socket] = {}
        self.forked = 0
        self.listener: socket.socket | None = None
        self._wake_r, self._wake_w = os.pipe()

    def listen(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # left by a zygote that died
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)  # the socket is the user's only (0600) from the moment it exists
        try:
            listener.bind(str(self.path))
        finally:
            os.umask(old)
        listener.listen(64)
        self.listener = listener

    def serve(self) -> int:
        """Fork consoles until serve goes or a signal: 0."""
        assert self.listener is not None
        for fd in (self._wake_r, self._wake_w):
            os.set_blocking(fd, False)
        signal.set_wakeup_fd(self._wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)  # wakes the poll (through the wakeup fd)
        stop: list[int] = []
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, lambda signum, _frame: stop.append(signum))
        hangup = select.POLLHUP | select.POLLERR | getattr(select, "POLLRDHUP", 0)
        poller = select.poll()
        poller.register(self.listener, select.POLLIN)
        poller.register(self._wake_r, select.POLLIN)
        if self.lifeline is not None:
            poller.register(self.lifeline, select.POLLIN)
        print(f"zygote {os.getpid()}: listening on {self.path}", file=sys.stderr, flush=True)
        while not stop:
            try:
                ready = poller.poll(1000)
            except InterruptedError:
                continue
            for fd, _events in ready:
                if fd == self._wake_r:
                    with contextlib.suppress(BlockingIOError):
                        os.read(self._wake_r, 4096)
                elif fd == self.lifeline:
                    if not os.read(fd, 4096):
                        stop.append(0)  # serve has gone
                elif fd == self.listener.fileno():
                    self._accept(poller, hangup)
                else:
                    self._launcher_gone(fd, poller)
            self._reap(poller)
        self.close()
        print(f"zygote {os.getpid()}: stopped after {self.forked} consoles", file=sys.stderr, flush=True)
        return 0

    def _accept(self, poller: select.poll, hangup: int) -> None:
        assert self.listener is not None
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        try:
            req, fds = _recv_request(conn)
        except (ValueError, OSError) as exc:
            print(f"zygote {os.getpid()}: refused a request ({exc})", file=sys.stderr, flush=True)
            conn.close()  # the launcher runs the console itself
            return
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError as exc:  # out of processes or memory: this tab's launcher runs its console itself
            print(f"zygote {os.getpid()}: cannot fork ({exc})", file=sys.stderr, flush=True)
            pid = -1
        if pid == 0:
            self._child(conn, fds, req)  # never returns
        for fd in fds:
            os.close(fd)
        if pid < 0:
            conn.close()
            return
        self.forked += 1
        self.children[pid] = conn
        conn.setblocking(False)
        if hangup & ~(select.POLLHUP | select.POLLERR):  # POLLRDHUP: the launcher went, without reading
            poller.register(conn, hangup)

    def _launcher_gone(self, fd: int, poller: select.poll) -> None:
        """A launcher closed its end while its console runs: hang the console up, as a closed tab would."""
        with contextlib.suppress(KeyError):
            poller.unregister(fd)
        for pid, conn in self.children.items():
            if conn.fileno() == fd:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGHUP)

    def _reap(self, poller: select.poll) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.children.pop(pid, None)
            if conn is None:
                continue
            with contextlib.suppress(KeyError, ValueError):
                poller.unregister(conn)
            with contextlib.suppress(OSError):
                conn.setblocking(True)
                conn.settimeout(1.0)
                conn.sendall(b"exit %d\n" % os.waitstatus_to_exitcode(status))
            conn.close()

    def close(self) -> None:
        if self.listener is not None:
            self.listener.close()
            self.listener = None
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
        for conn in self.children.values():
            conn.close()  # the consoles go on; their launchers wait for them by pid

    # -- in the forked child
    def _child(self, conn: socket.socket, fds: list[int], req: dict[str, Any]) -> None:
        code = 1
        try:
            signal.set_wakeup_fd(-1)
            for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            if self.listener is not None:
                self.listener.close()
            for other in self.children.values():
                other.close()
            for fd in (self._wake_r, self._wake_w, self.lifeline):
                if fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            conn.settimeout(GO_TIMEOUT)
            conn.sendall(b"pid %d\n" % os.getpid())
            got = b""
            while not got.endswith(b"\n") and len(got) < 16:
                chunk = conn.recv(16)
                if not chunk:
                    break
                got += chunk
            if got != b"go\n":
                os._exit(0)  # the launcher runs the console itself: this fork never touches the tab
            conn.close()
            for target, fd in enumerate(fds):
                os.dup2(fd, target)
            for fd in fds:
                if fd > 2:
                    os.close(fd)
            os.chdir(req["cwd"])
            apply_environment(req["env"])
            sys.argv = [sys.argv[0], "workshop", "participant", "--workshop", req["workshop"]]
            run_console(req["workshop"])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except KeyboardInterrupt:
            code = 130
        except BaseException:
            with contextlib.suppress(Exception):
                traceback.print_exc(file=sys.stderr)  # to the tab's stderr: textual-serve logs it
            code = 1
        finally:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            os._exit(code)


def run_zygote(path: Path, workshop_id: str, store_url: str | None) -> int:
    """The zygote process's main: warm up, say so on stdout, fork consoles until serve goes."""
    try:
        warm(workshop_id, store_url)
    except Exception as exc:  # a broken install: say so in the log; serve runs consoles in-process
        traceback.print_exc(file=sys.stderr)
        print(f"zygote {os.getpid()}: the warm-up failed ({type(exc).__name__}: {exc})", file=sys.stderr, flush=True)
        return 1
    zygote = Zygote(path, workshop_id)
    zygote.listen()
    try:
        os.write(1, READY)
    except OSError:
        zygote.close()
        return 0  # serve has gone already
    return zygote.serve()


# ---------------------------------------------------------------------- serve's side
class ZygoteKeeper:
    """What ``workshop serve`` does about the zygote: start it, wait until it is warm, start another
    one if it dies (backing off), and end it (by closing its stdin) when serve stops."""

    def __init__(self, path: Path, workshop_id: str, log: Path | None = None, start_timeout: float = START_TIMEOUT):
        self.path = path
        self.workshop_id = workshop_id
        self.log = log or path.with_name(LOG_NAME)
        self.start_timeout = start_timeout
        self.problem = ""
        self.backoff = Backoff(first=0.5, most=30.0)
        self._proc: subprocess.Popen[bytes] | None = None
        self._stopping = False
        self._thread: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self) -> bool:
        """Start the zygote and wait until it is warm; False (and ``problem``) if it could not be."""
        if not self._spawn():
            return False
        self._thread = threading.Thread(target=self._watch, name="zygote-keeper", daemon=True)
        self._thread.start()
        return True

    def _spawn(self) -> bool:
        cmd = [sys.executable, "-m", "sim", "workshop", "zygote", "--socket", str(self.path)]
        cmd += ["--workshop", self.workshop_id]
        env = os.environ | zygote_environment()
        env.pop(ZYGOTE_ENV, None)
        with self.log.open("ab") as log:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                env=env,
                start_new_session=True,  # Ctrl+C is serve's; the consoles get theirs from their launchers
            )
        self._proc = proc
        if not self._wait_ready(proc):
            self._end(proc)
            return False
        return True

    def _wait_ready(self, proc: subprocess.Popen[bytes]) -> bool:
        assert proc.stdout is not None
        deadline = time.monotonic() + self.start_timeout
        fd = proc.stdout.fileno()
        got = b""
        while time.monotonic() < deadline:
            if select.select([fd], [], [], 0.2)[0]:
                chunk = os.read(fd, 64)
                if not chunk:
                    break
                got += chunk
                if got.endswith(READY):
                    proc.stdout.close()
                    return True
        code = proc.poll()
        if code is not None:
            self.problem = f"the console fork server stopped (exit status {code}); see {self.log}"
        else:
            self.problem = f"the console fork server was not ready after {self.start_timeout:.0f} s; see {self.log}"
        return False

    def _watch(self) -> None:
        while not self._stopping:
            proc = self._proc
            if proc is not None:
                proc.wait()
            if self._stopping:
                return
            time.sleep(self.backoff.failed())
            if self._stopping:
                return
            if self._spawn():
                self.backoff.succeeded()
            else:
                why = f"stormdrill: the console fork server could not restart ({self.problem}); retrying"
                print(why, file=sys.stderr)

    def _end(self, proc: subprocess.Popen[bytes], wait: float = 5.0) -> None:
        stdin: IO[bytes] | None = proc.stdin
        if stdin is not None:
            with contextlib.suppress(OSError):
                stdin.close()
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=wait)

    def stop(self) -> None:
        """End the zygote (the consoles it forked go on until their tabs close)."""
        self._stopping = True
        if self._proc is not None:
            self._end(self._proc)


def zygote_environment() -> dict[str, str]:
    """What textual-serve puts in every tab's environment and Textual reads at import time: the zygote
    imports Textual under it, so the forks match (the tab's own values are applied after the fork)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        serve_version = version("textual-serve")
    except PackageNotFoundError:
        serve_version = ""
    return {
        "TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver",
        "TEXTUAL_FPS": "60",
        "TEXTUAL_COLOR_SYSTEM": "truecolor",
        "TERM_PROGRAM": "textual",
        "TERM_PROGRAM_VERSION": serve_version,
    }
