"""One browser tab's console, launched cheaply: what textual-serve runs per tab (``exec python -I -S
launch.py --workshop ID``) when serve has a console fork server (``sim.workshop.zygote``).

It hands its stdin, stdout and stderr (SCM_RIGHTS), its environment and its working folder to the
fork server, which forks a warm console for them; it then waits for that console to end, forwards
SIGTERM, SIGHUP and SIGINT to it, and exits with its status. If there is no fork server, or it does
not take the tab, this process becomes the console itself (``exec python -m sim workshop
participant``), exactly as without one: the tab's stdin is only ever read by the one console that
runs, so nothing a trainee types is lost.

It imports only modules built into the interpreter (``posix``, ``_socket``, ``_signal``,
``select``, ``time``; not even ``os``), so it costs the bare interpreter: about 3.7 MB of PSS
(``json``, ``socket`` and ``signal`` would add 1.7 MB to every tab). It must stay so, and Python 3.11
compatible: it is run by path without site-packages (tests import it as ``sim.workshop.launch``).

The protocol (bytes; the environment is passed as it is, in the file system's encoding):

- launcher -> fork server: ``u32 length`` (big-endian, sent with the three fds) and that many bytes:
  ``console``, the workshop id, the working folder, then one ``NAME=VALUE`` per environment
  variable, each ended by a NUL byte;
- the forked console -> launcher: ``pid N\\n``; launcher -> console: ``go\\n``. The console runs only
  once it has its ``go``; one that gets none (the launcher gave up waiting and runs the console
  itself) exits without touching the fds, so exactly one console reads the tab;
- fork server -> launcher, once the console has ended: ``exit STATUS\\n`` (negative: killed by that
  signal). If the fork server goes meanwhile, the launcher waits for the console by its pid.
"""

from __future__ import annotations

import _signal
import _socket
import posix
import select
import sys
import time

ZYGOTE_ENV = "STORMDRILL_ZYGOTE_SOCKET"  # where serve's fork server listens
CONNECT_TIMEOUT = 5.0  # seconds to reach the fork server
START_TIMEOUT = 30.0  # seconds for the forked console to say its pid (then this process runs the console)
FORWARDED = (_signal.SIGTERM, _signal.SIGHUP, _signal.SIGINT)
MAX_LINE = 64


def console_argv(workshop_id: str) -> list[str]:
    """The console run in this process when there is no fork server (the command serve used before)."""
    return [sys.executable, "-m", "sim", "workshop", "participant", "--workshop", workshop_id]


def encode_request(workshop_id: str, cwd: bytes, environ: dict[bytes, bytes]) -> bytes:
    fields = [b"console", workshop_id.encode("utf-8", "surrogateescape"), cwd]
    fields += [name + b"=" + value for name, value in environ.items()]
    body = b"".join(f + b"\0" for f in fields)
    return len(body).to_bytes(4, "big") + body


def read_line(s: _socket.socket, deadline: float | None) -> bytes:
    """One line from ``s`` (b"" on EOF, a timeout or an error)."""
    buf = b""
    while not buf.endswith(b"\n"):
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                return b""
            s.settimeout(left)
        else:
            s.settimeout(None)
        try:
            chunk = s.recv(MAX_LINE)
        except OSError:  # TimeoutError is one
            return b""
        if not chunk:
            return b""
        buf += chunk
        if len(buf) > MAX_LINE:
            return b""
    return buf


def number(line: bytes, word: bytes) -> int | None:
    """N of a ``word N\\n`` line, or None."""
    head, _, value = line.strip().partition(b" ")
    if head != word:
        return None
    try:
        return int(value)
    except ValueError:
        return None


class Child:
    """The forked console, seen from the launcher: signals go to it, its end is waited for (it is
    not this process's child; a pidfd, where there is one, names it without any reuse of its pid)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.pidfd = -1
        if hasattr(posix, "pidfd_open"):
            try:
                self.pidfd = posix.pidfd_open(pid)
            except OSError:  # it has ended already, or this kernel has no pidfd
                self.pidfd = -1

    def signal(self, sig: int) -> None:
        try:
            if self.pidfd >= 0:
                _signal.pidfd_send_signal(self.pidfd, sig)
            else:
                posix.kill(self.pid, sig)
        except OSError:
            pass  # it has ended already

    def wait_gone(self) -> None:
        """Wait until the console has ended."""
        if self.pidfd >= 0:
            try:  # noqa: SIM105 - no contextlib here (see the module's docstring)
                select.select([self.pidfd], [], [])
            except OSError:
                pass
            return
        while True:
            try:
                posix.kill(self.pid, 0)
            except OSError:  # ProcessLookupError: it has gone
                return
            time.sleep(0.5)


def status_code(status: int) -> int:
    """The launcher's exit status for the console's (a negative one: killed by that signal)."""
    return 128 - status if status < 0 else status & 0xFF


def through_zygote(path: str, workshop_id: str) -> int | None:
    """Run the tab's console in a process forked by the fork server at ``path``: its exit status, or
    None when the fork server did not take the tab (no console ran; run one here)."""
    s = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        s.settimeout(CONNECT_TIMEOUT)
        s.connect(path)
        message = encode_request(workshop_id, posix.getcwdb(), posix.environ)
        fds = b"".join(fd.to_bytes(4, sys.byteorder) for fd in (0, 1, 2))
        s.sendmsg([message[:4]], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, fds)])
        s.sendall(message[4:])
        pid = number(read_line(s, time.monotonic() + START_TIMEOUT), b"pid")
        if pid is None or pid <= 0:
            s.close()
            return None  # no console: closing the connection makes any late fork exit untouched
        child = Child(pid)
        for sig in FORWARDED:
            _signal.signal(sig, lambda signum, _frame: child.signal(signum))
        s.sendall(b"go\n")
    except OSError:
        s.close()
        return None  # the console never got its go: it exits untouched, and this process runs one
    status = number(read_line(s, None), b"exit")  # once the console has ended
    s.close()
    if status is None:  # the fork server went while the console runs: wait for the console itself
        child.wait_gone()
        return 0
    return status_code(status)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "--workshop" or not argv[1]:
        sys.stderr.write("usage: launch.py --workshop ID (textual-serve runs this for stormdrill workshop serve)\n")
        return 2
    workshop_id = argv[1]
    path = posix.environ.get(ZYGOTE_ENV.encode())
    if path:
        code = through_zygote(path.decode("utf-8", "surrogateescape"), workshop_id)
        if code is not None:
            return code
    for sig in FORWARDED:
        _signal.signal(sig, _signal.SIG_DFL)
    sys.stderr.flush()
    try:
        posix.execv(sys.executable, console_argv(workshop_id))  # this process becomes the console, as before
    except OSError as exc:
        sys.stderr.write(f"stormdrill: cannot start the console ({exc}); reload the page\n")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
