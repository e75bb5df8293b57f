"""A served workshop under load: N bot participants over textual-serve's websocket, to the end of the storm.

    python bench/workshop.py [--participants 30] [--db URL] [--speed 30]

Starts ``stormdrill workshop serve empty-ovens`` on a free local port, connects N websocket clients as
a browser would (join code, name, Enter), starts the room's clock at ``--speed`` scenario minutes per
minute and has every bot post a public update every few seconds until the storm ends. Prints JSON:
participants, sessions_completed, rows_lost (actions in the journals missing from the store; must be
0), mb_per_participant (proportional set size of each console process, shared pages split), CPU per
participant, and the p95 of a store write made by a probe while the room plays.
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

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.workshop.store import open_store  # noqa: E402

CODE = "BNCH-7K2Q"
SCENARIO = "empty-ovens"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def consoles(server: int) -> list[int]:
    """The participants' console processes (textual-serve runs each through a shell)."""
    found = []
    todo = children(server)
    while todo:
        pid = todo.pop()
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"participant" in cmd and b"python" in cmd.split(b"\0")[0]:
            found.append(pid)
        else:
            todo += children(pid)
    return found


def pss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return 0.0


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


def probe(url: str, session_id: int, stop: threading.Event, times: list[float]) -> None:
    store = open_store(url, migrate=False)
    while not stop.is_set():
        start = time.perf_counter()
        store.heartbeat(session_id, progress=0.0, silence=None)
        times.append(time.perf_counter() - start)
        time.sleep(0.1)
    store.close()


async def run(participants: int, db: str | None, speed: float) -> dict[str, object]:
    home = tempfile.mkdtemp(prefix="stormdrill-bench-")
    env = os.environ | {"STORMDRILL_HOME": home}
    port = free_port()
    cmd = [sys.executable, "-m", "sim", "workshop", "serve", SCENARIO, "--port", str(port), "--code", CODE]
    cmd += ["--db", db] if db else []
    server = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
    cpu0 = {p: cpu_s(p) for p in pids}
    times: list[float] = []
    halt = threading.Event()
    threading.Thread(target=probe, args=(store.url, probe_seat.session_id, halt, times), daemon=True).start()
    peak: dict[int, float] = {}
    limit = workshop.duration / speed + 120
    while time.monotonic() - started < limit:
        for p in pids:
            with contextlib.suppress(OSError):
                peak[p] = max(peak.get(p, 0.0), pss_mb(p))
        done = sum(1 for r in store.roster(workshop.id) if r.finished is not None)
        if done >= participants:
            break
        await asyncio.sleep(1)
    elapsed = time.monotonic() - started
    cpu = [cpu_s(p) - cpu0[p] for p in pids if Path(f"/proc/{p}").exists()]
    halt.set()
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    roster = [r for r in store.roster(workshop.id) if r.name != "write probe"]
    lost = 0
    for r in roster:
        journal = Path(home) / "workshops" / workshop.id / "journals" / f"participant-{r.participant_id}.jsonl"
        lines = journal.read_text().splitlines() if journal.exists() else []
        sent = sum(1 for line in lines if '"type":"action"' in line)
        lost += max(0, sent - len(store.actions(r.session_id)))
    server.terminate()
    server.wait(timeout=30)
    times.sort()
    return {
        "participants": participants,
        "sessions_completed": sum(1 for r in roster if r.finished is not None),
        "actions_stored": sum(r.actions for r in roster),
        "rows_lost": lost,
        "bots_failed": failed,
        "mb_per_participant": round(statistics.mean(peak.values()), 1) if peak else None,
        "cpu_s_per_participant_per_min": round(statistics.mean(cpu) / (elapsed / 60), 2) if cpu else None,
        "store_write_p95_ms": round(1000 * times[int(0.95 * (len(times) - 1))], 1) if times else None,
        "store": store.dialect,
        "storm_wall_s": round(elapsed, 1),
        "speed": speed,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--participants", type=int, default=30)
    ap.add_argument("--db", default=None, help="sqlite:///FILE or postgresql://... (default: SQLite in a temp folder)")
    ap.add_argument("--speed", type=float, default=30.0, help="scenario minutes per real minute")
    args = ap.parse_args()
    print(json.dumps(asyncio.run(run(args.participants, args.db, args.speed)), indent=2))


if __name__ == "__main__":
    main()
