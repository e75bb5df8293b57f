"""A served workshop under load: N bot participants over textual-serve's websocket, to the end of the storm.

    python bench/workshop.py [--participants 30] [--db URL] [--speed 30]

Starts ``stormdrill workshop serve empty-ovens`` on a free local port, connects N websocket clients as
a browser would (join code, name, Enter), starts the room's clock at ``--speed`` scenario minutes per
minute and has every bot post a public update every few seconds until the storm ends. Prints JSON:
participants, sessions_completed, rows_lost (actions in the journals missing from the store; must be
0), mb_per_participant, CPU per participant, and the p95 of a store write made by a probe while the
room plays.

mb_per_participant is the host's memory for the room divided by the participants: the peak
proportional set size (PSS: a page shared by k processes counts 1/k in each, so the sum is the real
total) of every process under serve that belongs to a participant (its console, and the launcher
textual-serve starts it through), plus the peak PSS of the one judge process and of the one console
fork server, each counted once. The console's own PSS, USS (pages only it has) and RSS, the
launcher's, the fork server's and the judge's, are printed beside it; so is how many consoles had to
load the model themselves (0 when the judge process served them all). A forked console's PSS counts
its share of the pages it still shares with the fork server (and the other consoles); the fork
server's PSS is the rest of those pages, so the sum is the real total.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.workshop.store import StoreError, open_store  # noqa: E402

CODE = "BNCH-7K2Q"
SCENARIO = "empty-ovens"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def process_tree() -> dict[int, list[int]]:
    """Every process's children, from one pass over /proc."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            tree.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry.name))
    return tree


def descendants(pid: int) -> list[int]:
    tree = process_tree()
    found, todo = [], list(tree.get(pid, ()))
    while todo:
        p = todo.pop()
        found.append(p)
        todo += tree.get(p, ())
    return found


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def is_judge(pid: int) -> bool:
    return b"workshop\0judge\0" in cmdline(pid)


def parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except OSError:
        return 0


def is_zygote(pid: int) -> bool:
    """The console fork server itself (the consoles it forks have its command line too)."""
    return b"workshop\0zygote\0" in cmdline(pid) and b"workshop\0zygote\0" not in cmdline(parent(pid))


def consoles(server: int) -> list[int]:
    """The participants' console processes: forked by the fork server, or (without one, or when it
    could not take a tab) run by textual-serve as ``workshop participant``."""
    lines = {p: cmdline(p) for p in descendants(server)}
    return [
        p
        for p, line in lines.items()
        if (b"participant" in line and b"python" in line.split(b"\0")[0])
        or (b"workshop\0zygote\0" in line and not is_zygote(p))
    ]


def is_launcher(pid: int) -> bool:
    return b"launch.py" in cmdline(pid)


def memory_mb(pid: int) -> dict[str, float]:
    """Proportional (shared pages split among the processes sharing them), unique and resident set sizes."""
    got = {"Pss": 0, "Rss": 0, "Private_Clean": 0, "Private_Dirty": 0}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in got:
            got[key] = int(rest.split()[0])
    return {
        "pss": got["Pss"] / 1024,
        "uss": (got["Private_Clean"] + got["Private_Dirty"]) / 1024,
        "rss": got["Rss"] / 1024,
    }


def has_model(pid: int) -> bool:
    """Whether a process has onnxruntime loaded (a console that judged in-process)."""
    try:
        return "onnxruntime" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


async def bot(url: str, i: int, stop: asyncio.Event, ready: list[int], failed: list[str]) -> None:
    async with aiohttp.ClientSession() as http, http.ws_connect(f"{url}/ws?width=120&height=36") as ws:
        screen = bytearray()

        async def drain() -> None:
            async for msg in ws:
                if msg.type == aiohttp.WSMsgType.BINARY:
                    screen.extend(msg.data)
                    del screen[: max(0, len(screen) - 200_000)]

        async def shown(text: str, timeout: float = 120) -> bool:
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                if text.encode() in ANSI.sub(b"", bytes(screen)):
                    return True
                await asyncio.sleep(0.2)
            return False

        reader = asyncio.create_task(drain())

        async def keys(text: str, gap: float = 0.02) -> None:
            for ch in text:
                await ws.send_str(json.dumps(["stdin", ch]))
                await asyncio.sleep(gap)

        await ws.send_str(json.dumps(["resize", {"width": 120, "height": 36}]))
        if not await shown("Join the workshop"):
            failed.append(f"bot {i}: no login screen")
            return
        await keys(CODE + "\t" + f"Bot {i:02d}" + "\r")
        if not await shown("Press Enter"):
            failed.append(f"bot {i}: no briefing")
            return
        await keys("\r")  # the briefing: enter the console
        ready.append(i)
        n = 0
        while not stop.is_set():
            n += 1
            await keys("u")
            await keys(f"Update {n} from bot {i}: stores are being checked, next update in 10 minutes.", 0.005)
            await keys("\x13")  # ctrl+s
            await asyncio.sleep(4 + (i % 5))
        reader.cancel()


def probe(url: str, session_id: int, stop: threading.Event, times: list[float], failed: list[float]) -> None:
    """A write every 0.1 s: how long each took (one the store gave up on counts its time, and is counted)."""
    store = open_store(url, migrate=False)
    while not stop.is_set():
        start = time.perf_counter()
        try:
            store.heartbeat(session_id, progress=0.0, silence=None)
        except StoreError:
            failed.append(time.perf_counter() - start)
        times.append(time.perf_counter() - start)
        time.sleep(0.1)
    store.close()


def patient(fn: Any) -> Any:
    """The bench's own reads: a store busy past its timeout under the load is asked again."""
    for _ in range(10):
        try:
            return fn()
        except StoreError:
            time.sleep(1)
    return fn()


async def run(participants: int, db: str | None, speed: float, log: str | None = None) -> dict[str, object]:
    home = tempfile.mkdtemp(prefix="stormdrill-bench-")
    env = os.environ | {"STORMDRILL_HOME": home}
    port = free_port()
    cmd = [sys.executable, "-m", "sim", "workshop", "serve", SCENARIO, "--port", str(port), "--code", CODE]
    cmd += ["--db", db] if db else []
    out = Path(log).open("wb") if log else subprocess.DEVNULL  # noqa: SIM115 - open while serve runs
    server = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        os.environ["STORMDRILL_HOME"] = home
        store = open_store(db)
        workshop = store.find_workshop()
        assert workshop is not None
        stop = asyncio.Event()
        ready: list[int] = []
        failed: list[str] = []
        tasks = [asyncio.create_task(bot(url, i, stop, ready, failed)) for i in range(participants)]
        for _ in range(1500):
            if len(ready) + len(failed) == participants:
                break
            await asyncio.sleep(0.1)
        probe_seat = store.join(workshop.id, "write probe", lambda pid: os.devnull)
        store.set_speed(workshop.id, speed)
        store.control(workshop.id, "start")
        started = time.monotonic()
        pids = consoles(server.pid)
        if len(pids) < len(ready):
            await asyncio.sleep(2)
            pids = consoles(server.pid)
        cpu0 = {p: cpu_s(p) for p in pids}
        judges0 = {p: cpu_s(p) for p in descendants(server.pid) if is_judge(p)}
        times: list[float] = []
        write_failures: list[float] = []
        halt = threading.Event()
        threading.Thread(
            target=probe, args=(store.url, probe_seat.session_id, halt, times, write_failures), daemon=True
        ).start()
        # Every process under serve is a participant's (its console, and the launcher or shell textual-serve
        # runs it through), except the judge process and the console fork server, which are the host's:
        # each counted once, shared by everyone.
        peak: dict[int, dict[str, float]] = {}
        kinds: dict[int, str] = {}  # what each process is, seen while it runs
        model_loaded: set[int] = set()
        limit = workshop.duration / speed + 120
        while time.monotonic() - started < limit:
            for p in descendants(server.pid):
                with contextlib.suppress(OSError):
                    m = memory_mb(p)
                    if p not in peak:
                        kinds[p] = (
                            "judge"
                            if is_judge(p)
                            else "zygote"
                            if is_zygote(p)
                            else "launcher"
                            if is_launcher(p)
                            else ""
                        )
                    old = peak.setdefault(p, m)
                    peak[p] = {k: max(old[k], v) for k, v in m.items()}
            model_loaded |= {p for p in pids if p not in model_loaded and has_model(p)}
            try:
                done = sum(1 for r in store.roster(workshop.id) if r.finished is not None)
            except StoreError:  # busy past its timeout under the load: look again in a second
                done = 0
            if done >= participants:
                break
            await asyncio.sleep(1)
        elapsed = time.monotonic() - started
        cpu = [cpu_s(p) - cpu0[p] for p in pids if Path(f"/proc/{p}").exists()]
        judge_cpu = sum(cpu_s(p) - judges0.get(p, 0.0) for p in descendants(server.pid) if is_judge(p))
        halt.set()
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        roster = [r for r in patient(lambda: store.roster(workshop.id)) if r.name != "write probe"]
        lost = 0
        for r in roster:
            journal = Path(home) / "workshops" / workshop.id / "journals" / f"participant-{r.participant_id}.jsonl"
            lines = journal.read_text().splitlines() if journal.exists() else []
            sent = sum(1 for line in lines if '"type":"action"' in line)
            lost += max(0, sent - len(patient(lambda r=r: store.actions(r.session_id))))
        judge = [p for p in peak if kinds.get(p) == "judge"]
        judged = judge_hello(home)
        server.terminate()
        server.wait(timeout=30)
        time.sleep(1)
        judge_left = [p for p in judge if Path(f"/proc/{p}").exists()]
        console_peaks = [peak[p] for p in pids if p in peak]
        zygote = [p for p in peak if kinds.get(p) == "zygote"]
        launchers = [peak[p] for p in peak if kinds.get(p) == "launcher"]
        others = [peak[p] for p in peak if p not in judge and p not in zygote]  # consoles, launchers, shells
        judge_pss = sum(peak[p]["pss"] for p in judge)
        zygote_pss = sum(peak[p]["pss"] for p in zygote)
        times.sort()
        return {
            "participants": participants,
            "sessions_completed": sum(1 for r in roster if r.finished is not None),
            "actions_stored": sum(r.actions for r in roster),
            "rows_lost": lost,
            "bots_failed": failed,
            # The participants' processes (peak PSS each) plus the judge process's and the fork server's
            # peak PSS, per participant.
            "mb_per_participant": round((sum(m["pss"] for m in others) + judge_pss + zygote_pss) / participants, 1)
            if peak
            else None,
            "console_pss_mb": mean_of(console_peaks, "pss"),
            "console_uss_mb": mean_of(console_peaks, "uss"),
            "console_rss_mb": mean_of(console_peaks, "rss"),
            "consoles_found": len(console_peaks),
            "launcher_pss_mb": mean_of(launchers, "pss"),
            "zygote_pss_mb": round(zygote_pss, 1),
            "zygote_processes": len(zygote),
            "judge_pss_mb": round(judge_pss, 1),
            "judge_rss_mb": round(sum(peak[p]["rss"] for p in judge), 1),
            "judge_processes": len(judge),
            "judge_left_after_serve": len(judge_left),
            "texts_judged_by_judge_process": judged,
            "consoles_that_loaded_the_model": len(model_loaded),
            "cpu_s_per_participant_per_min": round(statistics.mean(cpu) / (elapsed / 60), 2) if cpu else None,
            "judge_cpu_s_per_min": round(judge_cpu / (elapsed / 60), 2),  # the whole judge process, all participants
            "store_writes_failed": len(write_failures),
            "store_write_p95_ms": round(1000 * times[int(0.95 * (len(times) - 1))], 1) if times else None,
            "store": store.dialect,
            "storm_wall_s": round(elapsed, 1),
            "speed": speed,
        }
    finally:
        if server.poll() is None:  # the bench failed: serve (and its judge and consoles) must not stay
            server.terminate()
            server.wait(timeout=30)


def mean_of(rows: list[dict[str, float]], key: str) -> float | None:
    return round(statistics.mean(r[key] for r in rows), 1) if rows else None


def judge_hello(home: str) -> int | None:
    """How many texts the host's judge process has judged (None if there is none)."""
    from sim.workshop.judge_service import JudgeUnavailable, ask, judge_address

    path = judge_address(Path(home))
    try:
        return int(ask(path, {"op": "hello"}, 5.0)["judged"]) if path else None
    except (OSError, JudgeUnavailable):
        return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--participants", type=int, default=30)
    ap.add_argument("--db", default=None, help="sqlite:///FILE or postgresql://... (default: SQLite in a temp folder)")
    ap.add_argument("--speed", type=float, default=30.0, help="scenario minutes per real minute")
    ap.add_argument("--log", default=None, help="write serve's output (and the consoles' errors) to this file")
    args = ap.parse_args()
    print(json.dumps(asyncio.run(run(args.participants, args.db, args.speed, args.log)), indent=2))


if __name__ == "__main__":
    main()
