"""One reply judge per workshop host: a process that loads the judge's model once and judges for
every participant's console, over a Unix socket beside the Stormdrill data folder.

- ``stormdrill workshop serve`` starts it (:class:`JudgeKeeper`), or finds the one already running
  for the same data folder, and holds a *lease* on it: a connection kept open while serve runs. The
  judge exits when its last lease closes (every serve using it has stopped, however it stopped), or
  when none arrives within a minute of its start. If it dies while serve runs, serve starts another.
- Each participant's console judges through :class:`ServedJudge` (``scoring.judging.use``), which
  never imports numpy or onnxruntime. If the judge process is missing, dies or does not answer in
  time, it judges that text in-process instead (the model is then loaded in that console), and asks
  the judge process again 30 s later. A text is judged before the engine journals it, whichever
  way, so nothing the trainee sends is lost.
- The protocol is one JSON object per line, each way (ASCII, so no text can break the framing):
  ``{"op": "hello"}``, ``{"op": "lease"}`` and ``{"op": "judge", "client": ID, "items": [{"text":
  ..., "context": {...}}]}``; every reply has ``"ok"``, and ``"error"`` (in words) when it is false.
  A malformed message gets an error reply; the judge goes on serving. Texts are only ever data.
- A served judgement is the in-process one exactly: each message is judged as one batch, as the
  console would judge it, with an embedding cache per client (the int8 encoder scales a batch as a
  whole, so the texts batched together and the cache's history both matter to the last point).

The socket is ``<data>/judge.sock`` (mode 0600), or, when that path is too long for a Unix socket, a
private folder in the temp folder named after the data folder. Where Unix sockets do not exist
(Windows), there is no judge process and every console judges in-process.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import secrets
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any

from scoring.judging import (
    Backend,
    LocalJudge,
    WireError,
    check_text,
    context_from_wire,
    context_to_wire,
    result_from_wire,
    result_to_wire,
)
from scoring.tone import ToneContext, ToneResult
from sim.store import data_dir

from .backoff import Backoff

JUDGE_ENV = "STORMDRILL_JUDGE_SOCKET"  # where serve's judge listens, for the participants' processes
SOCKET_NAME = "judge.sock"
LOG_NAME = "judge.log"
MAX_SOCKET_PATH = 100  # bytes; Linux allows 107, macOS 103
MAX_LINE = 4 * 1024 * 1024  # bytes in one message
MAX_ITEMS = 1000  # texts in one message
MAX_CLIENT = 100  # characters of a client id
MAX_CLIENTS = 64  # embedding caches kept (least recently used dropped)
TIMEOUT = 10.0  # seconds a participant waits for a judgement (plus a little per text) before judging itself
CONNECT_RETRY = 3.0  # seconds a participant keeps trying to reach a judge that is restarting
RETRY_AFTER = 30.0  # seconds before a participant asks a judge process again after it failed
LEASE_WAIT = 60.0  # seconds a new judge waits for its first lease before it exits
START_TIMEOUT = 90.0  # seconds serve waits for a new judge to be ready (the model loads)


class JudgeUnavailable(Exception):
    """The judge process did not judge: why, in words."""


class JudgeRefused(JudgeUnavailable):
    """The judge process answered with an error (a message it could not judge): it is still up."""


def judge_address(folder: Path | None = None) -> Path | None:
    """Where the judge process of this data folder listens; None where there are no Unix sockets
    (or the private folder for a long path is not safe to use)."""
    return socket_address(folder or data_dir(), SOCKET_NAME)


def socket_address(folder: Path, name: str) -> Path | None:
    """``folder/name`` for a Unix socket, or the same name in a private temp folder named after
    ``folder`` when that path is too long; None where there are no Unix sockets (or that private
    folder is not safe to use)."""
    if not hasattr(socket, "AF_UNIX"):
        return None
    folder = folder.resolve()
    path = folder / name
    if len(os.fsencode(path)) <= MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha256(os.fsencode(folder)).hexdigest()[:16]
    short = Path(tempfile.gettempdir()) / f"stormdrill-{os.getuid()}-{digest}"
    with contextlib.suppress(FileExistsError):
        short.mkdir(mode=0o700)
    st = short.lstat()
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        return None  # someone else's, or readable by others: do not put a socket there
    return short / name


# ---------------------------------------------------------------------- the line protocol
def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=True, separators=(",", ":")).encode("ascii") + b"\n"


def ask(address: str | Path, message: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Send one message on a new connection and read its reply (``JudgeUnavailable`` if none came,
    ``OSError`` if the judge cannot be reached)."""
    deadline = time.monotonic() + timeout
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(str(address))
        s.sendall(encode(message))
        buf = bytearray()
        while not buf.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                raise JudgeUnavailable(f"no answer in {timeout:.0f} s")
            s.settimeout(left)
            try:
                chunk = s.recv(65536)
            except TimeoutError:
                raise JudgeUnavailable(f"no answer in {timeout:.0f} s") from None
            if not chunk:
                raise JudgeUnavailable("the judge process closed the connection")
            buf += chunk
            if len(buf) > MAX_LINE * 4:
                raise JudgeUnavailable("the judge process's answer is too long")
    try:
        reply = json.loads(buf)
    except ValueError:
        raise JudgeUnavailable("the judge process's answer is not JSON") from None
    if not isinstance(reply, dict):
        raise JudgeUnavailable("the judge process's answer is not an object")
    if not reply.get("ok"):
        raise JudgeRefused(str(reply.get("error") or "the judge process refused"))
    return reply


def _read_line(s: socket.socket) -> bytes:
    buf = bytearray()
    while not buf.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    return bytes(buf)


# ---------------------------------------------------------------------- a participant's side
class ServedJudge:
    """A :class:`scoring.judging.Backend` that asks the host's judge process, and judges in-process
    when it cannot (``fallback``, loaded only then)."""

    def __init__(
        self,
        address: str | Path,
        *,
        timeout: float = TIMEOUT,
        connect_retry: float = CONNECT_RETRY,
        retry_after: float = RETRY_AFTER,
        fallback: Backend | None = None,
    ) -> None:
        self.address = str(address)
        self.timeout, self.connect_retry, self.retry_after = timeout, connect_retry, retry_after
        self.fallback: Backend = fallback or LocalJudge()
        self.client = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.served = 0  # texts the judge process judged
        self.local = 0  # texts judged in this process because it could not
        self.problem = ""  # why it last could not
        self._version: str | None = None
        self._down_until = 0.0

    def _call(self, message: dict[str, Any], timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + self.connect_retry
        while True:
            try:
                return ask(self.address, message, timeout)
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.2)  # the judge is (re)starting: serve brings it back within seconds

    def _up(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, exc: BaseException) -> None:
        self.problem = str(exc) or type(exc).__name__
        self._down_until = time.monotonic() + self.retry_after

    def judge_many(self, texts: Sequence[str], contexts: Sequence[ToneContext]) -> list[ToneResult]:
        if not texts:
            return []
        if self._up():
            items = [{"text": t, "context": context_to_wire(c)} for t, c in zip(texts, contexts, strict=True)]
            try:
                reply = self._call(
                    {"op": "judge", "client": self.client, "items": items}, self.timeout + 0.05 * len(items)
                )
                results = [result_from_wire(r) for r in reply["results"]]
                if len(results) != len(texts):
                    raise JudgeUnavailable("the judge process answered for other texts")
                self._version = str(reply.get("version", self._version))
                self.served += len(texts)
                return results
            except JudgeRefused as exc:  # it could not judge these texts (in-process would fail alike)
                self.problem = str(exc)
            except (OSError, JudgeUnavailable, ValueError, KeyError, TypeError) as exc:
                self._failed(exc)
        self.local += len(texts)
        return self.fallback.judge_many(texts, contexts)

    def version(self) -> str:
        if self._version is None and self._up():
            try:
                self._version = str(self._call({"op": "hello"}, self.timeout)["version"])
            except (OSError, JudgeUnavailable, KeyError) as exc:
                self._failed(exc)
        return self._version if self._version is not None else self.fallback.version()

    def warm_up(self) -> None:
        """The judge process is warm already: just learn its version (nothing loads here if it answers)."""
        self.version()

    @classmethod
    def if_running(cls, address: Path | None) -> ServedJudge | None:
        """A served judge when one answers at ``address`` now (``stormdrill workshop join`` on a serve host)."""
        if address is None:
            return None
        try:
            ask(address, {"op": "hello"}, 2.0)
        except (OSError, JudgeUnavailable):
            return None
        return cls(address)


# ---------------------------------------------------------------------- the judge process
def _error(rid: Any, text: str) -> dict[str, Any]:
    return {"id": rid, "ok": False, "error": text}


def parse_judge(msg: dict[str, Any]) -> tuple[str, list[str], list[ToneContext]]:
    """The client id, texts and contexts of a judge message; ``WireError`` says what is wrong."""
    client = msg.get("client", "")
    if not isinstance(client, str) or len(client) > MAX_CLIENT:
        raise WireError(f"client must be a string of at most {MAX_CLIENT} characters")
    items = msg.get("items")
    if not isinstance(items, list) or not items:
        raise WireError("items must be a non-empty list")
    if len(items) > MAX_ITEMS:
        raise WireError(f"at most {MAX_ITEMS} items in one message")
    texts, contexts = [], []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise WireError(f"items[{i}] must be an object with a string text")
        texts.append(check_text(item["text"], f"items[{i}].text"))
        contexts.append(context_from_wire(item.get("context", {}), f"items[{i}].context"))
    return client, texts, contexts


class JudgeServer:
    """The judge process: one model, one judging thread, any number of participants."""

    def __init__(self, path: Path, lease_wait: float = LEASE_WAIT) -> None:
        self.path = path
        self.lease_wait = lease_wait
        self.leases = 0
        self.ever_leased = False
        self.ready = False
        self.judged = 0
        self.refused = 0  # malformed messages answered with an error
        self.caches: OrderedDict[str, Any] = OrderedDict()
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="judge")
        self.version = ""
        self._stop: asyncio.Event | None = None

    # -- in the judging thread
    def _warm(self) -> None:
        from scoring.judge import warm_up

        warm_up()
        self.ready = True

    def _judge(self, client: str, texts: list[str], contexts: list[ToneContext]) -> list[ToneResult]:
        from scoring.judge import judge_many

        cache = self.caches.get(client)
        if cache is None:
            cache = self.caches[client] = OrderedDict()
            while len(self.caches) > MAX_CLIENTS:
                self.caches.popitem(last=False)
        self.caches.move_to_end(client)
        return judge_many(texts, contexts, cache=cache)

    # -- in the event loop
    async def handle(self, line: bytes) -> tuple[dict[str, Any], bool]:
        """The reply to one message, and whether it takes a lease."""
        try:
            msg = json.loads(line)
        except ValueError:  # UnicodeDecodeError is one
            self.refused += 1
            return _error(None, "not a JSON message (one JSON object per line)"), False
        if not isinstance(msg, dict):
            self.refused += 1
            return _error(None, "a message must be a JSON object"), False
        rid = msg.get("id")
        rid = rid if isinstance(rid, int | str) and not isinstance(rid, bool) else None
        op = msg.get("op")
        if op == "hello":
            return {
                "id": rid,
                "ok": True,
                "version": self.version,
                "pid": os.getpid(),
                "ready": self.ready,
                "leases": self.leases,
                "judged": self.judged,
                "refused": self.refused,
            }, False
        if op == "lease":
            return {"id": rid, "ok": True, "pid": os.getpid()}, True
        if op != "judge":
            self.refused += 1
            return _error(rid, "unknown op: hello, lease or judge"), False
        try:
            client, texts, contexts = parse_judge(msg)
        except WireError as exc:
            self.refused += 1
            return _error(rid, str(exc)), False
        loop = asyncio.get_running_loop()
        try:
            results = await loop.run_in_executor(self.pool, self._judge, client, texts, contexts)
        except Exception as exc:  # the judge itself failed: say so, log it, go on serving
            import traceback

            traceback.print_exc(file=sys.stderr)
            return _error(rid, f"the judge failed ({type(exc).__name__})"), False
        self.judged += len(texts)
        return {"id": rid, "ok": True, "version": self.version, "results": [result_to_wire(r) for r in results]}, False

    async def connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        leased = False
        try:
            while True:
                try:
                    line = await reader.readline()
                except ValueError:  # longer than the limit: answer, then drop the connection (no framing left)
                    self.refused += 1
                    writer.write(encode(_error(None, f"a message is longer than {MAX_LINE} bytes")))
                    await writer.drain()
                    break
                if not line:
                    break
                if not line.endswith(b"\n"):
                    self.refused += 1
                    writer.write(encode(_error(None, "a message must end with a newline")))
                    await writer.drain()
                    break
                reply, lease = await self.handle(line)
                if lease and not leased:
                    leased, self.ever_leased = True, True
                    self.leases += 1
                writer.write(encode(reply))
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        except asyncio.CancelledError:
            pass  # the judge is stopping: the connection just ends
        finally:
            if leased:
                self.leases -= 1
                if self.leases <= 0 and self._stop is not None:
                    self._stop.set()  # every serve using this judge has gone
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def main(self) -> int:
        """Serve until the last lease closes, none comes, or a signal: 0, or 1 if the model cannot load."""
        from scoring.judge import judge_version

        self.version = judge_version()
        self._stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self._stop.set)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # a socket left by a judge that died: the lock says none runs now
        old = os.umask(0o177)  # the socket is the user's only (0600) from the moment it exists
        try:
            server = await asyncio.start_unix_server(self.connection, str(self.path), limit=MAX_LINE)
        finally:
            os.umask(old)
        warm = loop.run_in_executor(self.pool, self._warm)
        failed: list[str] = []

        async def first_lease() -> None:
            try:
                await asyncio.shield(warm)
            except Exception as exc:  # a broken install: no model to serve (the consoles fail alike)
                failed.append(f"{type(exc).__name__}: {exc}")
            else:
                await asyncio.sleep(self.lease_wait)  # the wait starts once the model is loaded
                if self.ever_leased:
                    return
            if self._stop is not None:
                self._stop.set()

        waiting = asyncio.create_task(first_lease())
        print(f"judge {os.getpid()}: listening on {self.path} (judge {self.version})", file=sys.stderr, flush=True)
        try:
            await self._stop.wait()
        finally:
            waiting.cancel()
            server.close()
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            with contextlib.suppress(Exception):
                await warm
            self.pool.shutdown(wait=False, cancel_futures=True)
            why = f"because the model did not load ({failed[0]})" if failed else f"after {self.judged} texts"
            print(
                f"judge {os.getpid()}: stopped {why} ({self.refused} malformed messages refused)",
                file=sys.stderr,
                flush=True,
            )
        return 1 if failed else 0


def _lock(path: Path) -> IO[bytes] | None:
    """The judge's lock beside its socket: held while it runs, so one data folder has one judge."""
    import fcntl

    fh = Path(str(path) + ".lock").open("ab")  # noqa: SIM115 - held for the process's life
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        return None
    return fh


def run_judge(path: Path, lease_wait: float = LEASE_WAIT) -> int:
    """The judge process's main: 0 when it stopped or another one already serves ``path``, 1 when the
    model cannot be loaded."""
    lock = _lock(path)
    if lock is None:
        print(f"judge {os.getpid()}: another judge already serves {path}", file=sys.stderr, flush=True)
        return 0
    try:
        return asyncio.run(JudgeServer(path, lease_wait).main())
    finally:
        lock.close()


# ---------------------------------------------------------------------- serve's side
class JudgeKeeper:
    """What ``workshop serve`` does about the judge: find or start it, lease it, restart it if it dies."""

    def __init__(self, path: Path, log: Path | None = None, start_timeout: float = START_TIMEOUT) -> None:
        self.path = path
        self.log = log or path.with_name(LOG_NAME)
        self.start_timeout = start_timeout
        self.pid: int | None = None
        self.backoff = Backoff(first=0.5, most=30.0)  # between restarts; reset once one answers
        self.problem = ""
        self._proc: subprocess.Popen[bytes] | None = None
        self._lease: socket.socket | None = None
        self._stopping = False
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        """Make sure a judge serves ``path`` and hold a lease on it; False (and ``problem``) if none could."""
        if not self._connect():
            return False
        self._thread = threading.Thread(target=self._watch, name="judge-keeper", daemon=True)
        self._thread.start()
        return True

    def _connect(self) -> bool:
        hello = self._hello()
        if hello is None:
            self._spawn()
            hello = self._wait_ready()
            if hello is None:
                return False
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(10)
            s.connect(str(self.path))
            s.sendall(encode({"op": "lease"}))
            reply = json.loads(_read_line(s))
            s.settimeout(None)
        except (OSError, ValueError) as exc:
            self.problem = f"the judge process did not take the lease ({exc})"
            return False
        if not isinstance(reply, dict) or not reply.get("ok"):
            self.problem = "the judge process did not take the lease"
            return False
        self._lease, self.pid = s, int(reply["pid"])
        return True

    def _hello(self) -> dict[str, Any] | None:
        try:
            return ask(self.path, {"op": "hello"}, 5.0)
        except (OSError, JudgeUnavailable):
            return None

    def _spawn(self) -> None:
        with self.log.open("ab") as log:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "sim", "workshop", "judge", "--socket", str(self.path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,  # the terminal's Ctrl+C is serve's to handle; the lease ends the judge
            )

    def _wait_ready(self) -> dict[str, Any] | None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            hello = self._hello()
            if hello is not None and hello.get("ready"):
                return hello
            proc = self._proc
            if hello is None and proc is not None and proc.poll() is not None and proc.returncode != 0:
                self.problem = f"the judge process stopped (exit status {proc.returncode}); see {self.log}"
                return None
            time.sleep(0.2)
        self.problem = f"the judge process was not ready after {self.start_timeout:.0f} s; see {self.log}"
        return None

    def _watch(self) -> None:
        """Hold the lease; if the judge goes while serve runs, start another (backing off)."""
        while not self._stopping:
            lease = self._lease
            if lease is not None:
                with contextlib.suppress(OSError):
                    while lease.recv(4096):
                        pass
                if self._stopping:
                    return
                with contextlib.suppress(OSError):
                    lease.close()
                self._lease = None
                if self._proc is not None:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        self._proc.wait(timeout=5)  # reap the one that died
            time.sleep(self.backoff.failed())
            if self._stopping:
                return
            if self._connect():
                self.backoff.succeeded()
            else:
                print(f"stormdrill: the reply judge could not restart ({self.problem}); retrying", file=sys.stderr)

    def stop(self, wait: float = 10.0) -> None:
        """Give up the lease; the judge exits once no serve holds one (wait for ours to go, unless another
        serve of this data folder still holds a lease on it)."""
        self._stopping = True
        lease, self._lease = self._lease, None
        if lease is not None:
            with contextlib.suppress(OSError):
                lease.shutdown(socket.SHUT_RDWR)
            lease.close()
        proc = self._proc
        deadline = time.monotonic() + wait
        while proc is not None and proc.poll() is None and time.monotonic() < deadline:
            hello = self._hello()
            if hello is not None and int(hello.get("leases", 0)) > 0:
                return  # it goes on for the other serve
            time.sleep(0.1)
