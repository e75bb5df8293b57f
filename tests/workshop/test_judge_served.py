"""The judge process under a real workshop: killed in the middle of a session, nothing the trainee
sent is lost.

- In a console (Pilot): updates judged by the judge process, the judge killed, more updates judged
  in-process; every one is in the journal with its judgement and in the store, judged as the
  in-process judge judges it.
- Under ``stormdrill workshop serve`` with a browser's websocket: the console never loads the model,
  the judge is killed and serve starts another, every update reaches the journal and the store, and
  the judge exits when serve does.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from scoring import encoder as encoder_module
from scoring import judging
from scoring.judge import judge_requests
from scoring.record import build_record
from scoring.session_tone import judge_requests_for
from sim.engine.events import ActionEvent, TraineeAction
from sim.engine.journal import read_journal
from sim.scenario.library import resolve
from sim.scenario.load import load_scenario
from sim.tui.screens.console import ConsoleScreen
from sim.workshop.app import WorkshopApp
from sim.workshop.judge_service import ServedJudge, judge_address
from sim.workshop.store import Store, open_store

from .procs import console_pids, gone, hello, kill, serving, socket_in, spawn, take_lease, wait_ready
from .test_app import CODE, enter_console, post_update, room

pytestmark = pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="the judge process needs Unix sockets")


def journal_actions(path: Path) -> list[TraineeAction]:
    return [e.action for e in read_journal(path).events if isinstance(e, ActionEvent) and e.action.kind != "end"]


async def test_the_judge_killed_mid_session_loses_nothing_and_judges_alike(tmp_path: Path) -> None:
    path, log = socket_in(tmp_path / "judge-home"), tmp_path / "judge.log"
    proc = spawn(path, log)
    wait_ready(path, proc)
    lease = take_lease(path)
    backend = ServedJudge(path, connect_retry=0.5)
    before = judging.use(backend)
    encoder_module._ENCODER = None
    texts = [f"Update {i}: all 30 stores are being checked; next update at 09:{10 + i}." for i in range(5)]
    try:
        url, store, wid = room(tmp_path)
        store.control(wid, "start", wall=time.time() - 300)
        app = WorkshopApp(url, wid, auto_tick=False)
        async with app.run_test(size=(120, 36)) as pilot:
            await enter_console(app, pilot, CODE, "Kim")
            assert isinstance(app.screen, ConsoleScreen)
            for text in texts[:2]:
                await post_update(app, pilot, text)
            assert backend.served == 2 and backend.local == 0
            kill(proc.pid)  # mid-session
            proc.wait(timeout=10)
            for text in texts[2:]:
                await post_update(app, pilot, text)
            assert backend.local >= 1, "the console did not judge in-process when the judge went"
            game = app.game
            assert game is not None
            journal = game.journal_path
        actions = journal_actions(journal)
        assert [a.text for a in actions] == texts and all(a.judgement for a in actions)
        seat = store.roster(wid)[0]
        assert [row[3] for row in store.actions(seat.session_id)] == texts
        # Judged as the in-process judge judges the same texts in the same context (text by text).
        sc = load_scenario(resolve("empty-ovens"))
        j = read_journal(journal)
        _, reqs = judge_requests_for(build_record(sc, j.header, j.events, j.warnings))
        encoder_module._ENCODER = None
        alike = [judge_requests([r])[0].to_record() for r in reqs]
        assert [a.judgement for a in actions] == alike
    finally:
        judging.use(before)
        lease.close()
        if proc.poll() is None:
            proc.kill()


# ---------------------------------------------------------------------- under workshop serve
ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str], Path]]:
    home = tmp_path / "home"
    with serving(home, CODE) as (url, proc):
        yield url, proc, home


class Tab:
    """A browser tab as textual-serve sees it: a websocket, keys in, the screen's bytes out."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws, self.screen = ws, bytearray()
        self.reader = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        async for msg in self.ws:
            if msg.type == aiohttp.WSMsgType.BINARY:
                self.screen.extend(msg.data)

    async def shows(self, text: str, timeout: float = 90) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if text.encode() in ANSI.sub(b"", bytes(self.screen)):
                return True
            await asyncio.sleep(0.2)
        return False

    async def keys(self, text: str) -> None:
        for ch in text:
            await self.ws.send_str(json.dumps(["stdin", ch]))
            await asyncio.sleep(0.01)

    async def enter(self, name: str) -> None:
        """Join as ``name`` (the login screen, then the briefing) and go into the console."""
        await self.ws.send_str(json.dumps(["resize", {"width": 120, "height": 36}]))
        assert await self.shows("Join the workshop")
        await self.keys(CODE + "\t" + name + "\r")
        assert await self.shows("Press Enter")
        await self.keys("\r")
        await asyncio.sleep(1)


async def stored(store: Store, session_id: int, n: int, timeout: float = 60) -> list[tuple[int, float, str, str]]:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        rows = store.actions(session_id)
        if len(rows) >= n:
            return rows
        await asyncio.sleep(0.3)
    raise AssertionError(f"the store has {len(store.actions(session_id))} actions, not {n}")


def new_judge(path: Path, old: int, timeout: float = 60) -> int:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        h = hello(path)
        if h is not None and h["pid"] != old and h["ready"]:
            return int(h["pid"])
        time.sleep(0.3)
    raise AssertionError("serve did not start another judge")


async def test_under_serve_the_console_never_loads_the_model_and_a_killed_judge_is_replaced(
    served: tuple[str, subprocess.Popen[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, serve, home = served
    monkeypatch.setenv("STORMDRILL_HOME", str(home))
    path = judge_address(home)
    assert path is not None
    first = hello(path)
    assert first is not None and first["leases"] == 1, "serve has no judge process"
    store = open_store(None)
    w = store.find_workshop()
    assert w is not None
    store.control(w.id, "start", wall=time.time() - 300)
    texts = [f"Update {i}: every store is being checked, next update in 10 minutes." for i in range(3)]
    async with aiohttp.ClientSession() as http, http.ws_connect(f"{url}/ws?width=120&height=36") as ws:
        tab = Tab(ws)
        await tab.enter("Noor")
        seat = store.roster(w.id)[0]
        await tab.keys("u" + texts[0] + "\x13")
        await stored(store, seat.session_id, 1)
        [console] = console_pids(w.id)
        maps = Path(f"/proc/{console}/maps").read_text()
        assert "onnxruntime" not in maps and "numpy" not in maps, "the console loaded the judge's model"
        kill(int(first["pid"]))
        await tab.keys("u" + texts[1] + "\x13")  # while serve brings the judge back, or it is back
        await stored(store, seat.session_id, 2)
        second = new_judge(path, int(first["pid"]))
        await tab.keys("u" + texts[2] + "\x13")
        rows = await stored(store, seat.session_id, 3)
        tab.reader.cancel()
    assert [r[3] for r in rows] == texts
    journal = home / "workshops" / w.id / "journals" / f"participant-{seat.participant_id}.jsonl"
    actions = journal_actions(journal)
    assert [a.text for a in actions] == texts and all(a.judgement for a in actions)
    store.close()
    serve.terminate()
    serve.wait(timeout=30)
    assert gone(second), "the judge process outlived serve"
    assert not path.exists()
