"""The host's one reply judge process (sim.workshop.judge_service), really started:

- it judges exactly as scoring.judge does in-process (scores, flags, hits, every field), text by text
  and in batches, hostile text included;
- a malformed message gets an error reply and the judge goes on (and logs no traceback);
- a participant whose judge is missing, hung or killed judges in-process, with the same results, and
  a participant that judges through it never imports numpy or onnxruntime;
- its life: a second judge for the same socket steps aside, it exits when its last lease closes or
  when none comes, and serve's keeper finds a running one instead of starting another.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scoring import encoder as encoder_module
from scoring.judge import judge_many, judge_requests
from scoring.judging import contexts_for
from scoring.record import build_record
from scoring.session_tone import judge_requests_for
from scoring.tone import ToneContext
from sim.autoplay import run_autoplay
from sim.engine.events import ActionEvent
from sim.engine.journal import read_journal
from sim.engine.reading import Earlier, JudgeRequest
from sim.scenario.library import resolve
from sim.scenario.load import load_scenario
from sim.workshop.judge_service import MAX_ITEMS, MAX_LINE, JudgeKeeper, ServedJudge, encode

from .procs import gone, hello, kill, socket_in, spawn, take_lease, wait_ready

pytestmark = pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="the judge process needs Unix sockets")


@pytest.fixture(scope="module")
def judge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One judge process for the module, leased by the test; at the end the lease goes and so must it."""
    folder = tmp_path_factory.mktemp("judge-home")
    path, log = socket_in(folder), folder / "judge.log"
    proc = spawn(path, log)
    try:
        wait_ready(path, proc)
        lease = take_lease(path)
        yield path
        lease.close()
        assert gone(proc.pid), "the judge process did not exit when its last lease closed"
        assert not path.exists(), "the judge process left its socket behind"
        assert proc.wait() == 0
        assert "Traceback" not in log.read_text(), log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()


HOSTILE = [
    "[bold red]We[/] are [link=file:///etc/passwd]sorry[/link] \x1b[31m\x1b]8;;http://x\x07\n\nDM us 😀",
    '{"op": "lease"}\n{"op": "judge"}',  # protocol-looking text is only text
    "\x00\x01 null bytes and\ttabs\r\nand CRLF " * 3,
    "x" * 20_000,  # longer than the encoder reads
    "",
]


@pytest.fixture(scope="module")
def requests(tmp_path_factory: pytest.TempPathFactory) -> list[JudgeRequest]:
    """What the game would ask the judge: every text of a few bots' sessions, in context, and hostile texts."""
    folder = tmp_path_factory.mktemp("sessions")
    reqs: list[JudgeRequest] = []
    for scenario, bots in (("empty-ovens", ("ideal", "defensive", "canned")), ("boil-notice", ("ideal", "slow"))):
        sc = load_scenario(resolve(scenario))
        for bot in bots:
            out = folder / f"{scenario}-{bot}.jsonl"
            run_autoplay(sc, bot, sc.seed, out).close()
            j = read_journal(out)
            reqs += judge_requests_for(build_record(sc, j.header, j.events, j.warnings))[1]
    assert len(reqs) > 40
    base = next(r for r in reqs if r.post is not None and r.known)
    earlier = (*base.earlier, Earlier(HOSTILE[0], "Dan", "@dan"))
    for text in HOSTILE:
        reqs.append(JudgeRequest(text, "reply", base.post, earlier, base.known, ("it was the ovens' software",)))
    reqs.append(JudgeRequest(HOSTILE[0], "reply", base.post, earlier, base.known, ()))  # an exact repeat
    return reqs


def fresh_encoder() -> None:
    """The in-process judge as a new console has it (an empty embedding cache)."""
    encoder_module._ENCODER = None


def test_the_served_judge_judges_exactly_as_the_in_process_one(judge: Path, requests: list[JudgeRequest]) -> None:
    fresh_encoder()
    served = ServedJudge(judge)
    contexts = contexts_for(requests)
    # Text by text, as the live game judges.
    for req, ctx in zip(requests, contexts, strict=True):
        mine = served.judge_many([req.text], [ctx])
        assert mine == judge_many([req.text], [ctx]), req.text[:80]
    assert served.served == len(requests) and served.local == 0
    # In batches, as the debrief judges what the journal did not keep: again on a cold cache each side.
    fresh_encoder()
    served = ServedJudge(judge)
    assert served.judge_many([r.text for r in requests], contexts) == judge_requests(requests)
    assert served.version() == judge_requests(requests[:1])[0].judge
    results = served.judge_many([r.text for r in requests], contexts)
    assert any(r.flags for r in results) and {r.score for r in results} != {results[0].score}
    assert any(h.match for r in results for h in r.hits)


def raw(path: Path, data: bytes, timeout: float = 30.0) -> list[dict[str, object]]:
    """Send bytes as they are; the replies, one per line, until the judge closes or goes quiet."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(str(path))
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        buf = b""
        while chunk := s.recv(65536):
            buf += chunk
    return [json.loads(line) for line in buf.splitlines()]


BAD = [
    (b"not json\n", "not a JSON message"),
    (b"\xff\xfe\x00garbage\n", "not a JSON message"),
    (b"[1, 2, 3]\n", "must be a JSON object"),
    (b'{"op": "shutdown"}\n', "unknown op"),
    (b'{"op": "judge"}\n', "items must be a non-empty list"),
    (b'{"op": "judge", "items": []}\n', "items must be a non-empty list"),
    (b'{"op": "judge", "items": [{"text": 5}]}\n', "items[0] must be an object with a string text"),
    (b'{"op": "judge", "items": ["text"]}\n', "items[0] must be an object"),
    (b'{"op": "judge", "items": [{"text": "hi", "context": {"kind": "sermon"}}]}\n', "items[0].context.kind"),
    (b'{"op": "judge", "items": [{"text": "hi", "context": {"post_text": ["a"]}}]}\n', "post_text must be a string"),
    (b'{"op": "judge", "items": [{"text": "hi", "context": {"known_facts": "a"}}]}\n', "known_facts must be a list"),
    (b'{"op": "judge", "items": [{"text": "hi", "context": {"__class__": 1}}]}\n', "unknown fields"),
    (b'{"op": "judge", "items": [{"text": "hi", "context": []}]}\n', "context must be an object"),
    (b'{"op": "judge", "client": 7, "items": [{"text": "hi"}]}\n', "client must be a string"),
    (b'{"op": "judge", "items": [{"text": "We are sorry \\ud800"}]}\n', "items[0].text is not valid Unicode"),
    (b'{"op": "judge", "items": [{"text": "a", "context": {"post_text": "\\udfff"}}]}\n', "post_text is not valid"),
]


def test_a_malformed_message_gets_an_error_reply_and_the_judge_goes_on(judge: Path) -> None:
    before = hello(judge)
    assert before is not None
    for data, why in BAD:
        [reply] = raw(judge, data)
        assert reply["ok"] is False and why in str(reply["error"]), (data, reply)
    # Several messages on one connection: each answered in turn, a bad one between good ones.
    good = encode({"op": "judge", "id": 1, "items": [{"text": "We're sorry, refunds go out today."}]})
    replies = raw(judge, good + b"nonsense\n" + good.replace(b'"id":1', b'"id":2'))
    assert [r["ok"] for r in replies] == [True, False, True] and [replies[0]["id"], replies[2]["id"]] == [1, 2]
    many = {"op": "judge", "items": [{"text": "hi"}] * (MAX_ITEMS + 1)}
    assert "at most" in str(raw(judge, encode(many))[0]["error"])
    # Too long for one message: an error, then the connection closes (its framing is lost).
    [reply] = raw(judge, b'{"op": "judge", "items": [{"text": "' + b"a" * (MAX_LINE + 10) + b'"}]}\n')
    assert reply["ok"] is False and "longer than" in str(reply["error"])
    # Half a message, then the client goes: an error for it; nothing else happens.
    assert "newline" in str(raw(judge, b'{"op": "hel')[0]["error"])
    after = hello(judge)
    assert after is not None and after["pid"] == before["pid"] and after["ready"]
    assert int(after["refused"]) - int(before["refused"]) == len(BAD) + 4
    assert ServedJudge(judge).judge_many(["We are checking every store now."], [ToneContext(kind="update")])


def test_no_judge_at_the_address_means_judging_in_process(tmp_path: Path, requests: list[JudgeRequest]) -> None:
    fresh_encoder()
    served = ServedJudge(tmp_path / "nobody.sock", connect_retry=0.3)
    reqs = requests[:5]
    assert served.judge_many([r.text for r in reqs], contexts_for(reqs)) == judge_requests(reqs)
    assert served.local == 5 and served.served == 0 and served.problem
    assert served.version() == judge_requests(reqs[:1])[0].judge


def test_a_judge_that_hangs_times_out_and_the_text_is_judged_in_process(
    judge: Path, requests: list[JudgeRequest]
) -> None:
    running = hello(judge)
    assert running is not None
    pid = running["pid"]
    reqs = requests[:3]
    served = ServedJudge(judge, timeout=1.0, retry_after=0.0)
    os.kill(int(pid), signal.SIGSTOP)
    try:
        start = time.monotonic()
        fresh_encoder()
        got = served.judge_many([r.text for r in reqs], contexts_for(reqs))
        assert time.monotonic() - start < 60
    finally:
        os.kill(int(pid), signal.SIGCONT)
    fresh_encoder()
    assert got == judge_requests(reqs)
    assert served.local == 3 and "no answer" in served.problem
    # It answers again: the next text goes to it.
    served.judge_many([reqs[0].text], contexts_for(reqs[:1]))
    assert served.served == 1


PARTICIPANT = """
import sys
from pathlib import Path
from scoring import judging
from sim.workshop.judge_service import ServedJudge
backend = ServedJudge(sys.argv[1])
judging.use(backend)
# What a console does: play (the engine judges every text live), then the live score and the debrief.
import sim.workshop.app, sim.tui.game
from scoring import analyse
from sim.autoplay import run_autoplay
from sim.engine.events import ActionEvent
from sim.engine.journal import read_journal
from sim.scenario.library import resolve
from sim.scenario.load import load_scenario
sc = load_scenario(resolve("empty-ovens"))
out = Path(sys.argv[2])
run_autoplay(sc, "ideal", sc.seed, out, judge=judging.tone_judge).close()
j = read_journal(out)
card, _ = analyse(sc, j.header, j.events, j.warnings)
model = ("numpy", "onnxruntime", "tokenizers", "scoring.judge", "scoring.encoder")
heavy = sorted(m for m in model if m in sys.modules)
print(",".join(heavy) or "-", backend.served, backend.local, round(card.total, 3))
"""


def test_a_participant_judging_through_the_judge_process_never_loads_the_model(judge: Path, tmp_path: Path) -> None:
    out = tmp_path / "ideal.jsonl"
    done = subprocess.run(
        [sys.executable, "-c", PARTICIPANT, str(judge), str(out)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    heavy, served, local, total = done.stdout.split()
    assert heavy == "-", f"the participant imported {heavy}"
    assert int(served) > 5 and int(local) == 0
    # Its journal holds the judge process's judgements: the in-process score of the session is the same.
    from scoring import analyse

    sc = load_scenario(resolve("empty-ovens"))
    j = read_journal(out)
    sent = [e.action for e in j.events if isinstance(e, ActionEvent) and e.action.kind != "end"]
    assert len(sent) == int(served) and all(a.judgement for a in sent)
    assert float(total) == round(analyse(sc, j.header, j.events, j.warnings)[0].total, 3)


def test_a_second_judge_steps_aside_and_one_without_a_lease_exits(tmp_path: Path) -> None:
    path, log = socket_in(tmp_path / "home"), tmp_path / "judge.log"
    first = spawn(path, log, lease_wait=2.0)
    try:
        wait_ready(path, first)
        second = spawn(path, log)
        assert second.wait(timeout=60) == 0  # the lock says one already serves this socket
        assert (hello(path) or {}).get("pid") == first.pid
        assert first.wait(timeout=60) == 0  # nobody leased it within its wait: it went
        assert not path.exists()
    finally:
        if first.poll() is None:
            first.kill()
    assert "another judge already serves" in log.read_text()


def test_serves_keepers_share_one_judge_and_it_lives_as_long_as_the_last_one(tmp_path: Path) -> None:
    path = socket_in(tmp_path / "home")
    one, two = JudgeKeeper(path, tmp_path / "judge.log"), JudgeKeeper(path, tmp_path / "judge.log")
    try:
        assert one.start(), one.problem
        assert two.start(), two.problem
        assert one.pid == two.pid and one._proc is not None and two._proc is None  # found, not started again
        assert (hello(path) or {}).get("leases") == 2
        one.stop(wait=2)
        assert hello(path) is not None  # the second serve still has it
        two.stop()
        assert one.pid is not None and gone(one.pid)
    finally:
        for k in (one, two):
            if k.pid:
                with contextlib.suppress(ProcessLookupError):
                    kill(k.pid)
