"""Benchmark: the reply judge as the game runs it, beside VADER on the same replies.

Prints one JSON object:
- ``load_s``: loading the judge's model (encoder and head), cold, in a fresh process;
- ``live_ms``: judging one text as the game does, with the context the session passes (the post,
  every earlier text, the briefings known, the avoid lines), over three human expert sessions of
  the validity suite played through the engine: median, p95 and max (target: p95 <= 15 ms);
- ``session_cold``: scoring a 300-reply session from its journal in a fresh process (target <= 1 s):
  the debrief reuses the judgements the live game kept in the journal; ``rejudged_score_s`` is the
  same session with those removed, every text judged again (old journals, another judge version);
- ``vader_us_per_reply`` and the judge's per-reply cost in the same rounds (alternating, median).
Accuracy is not measured here: `python training/report.py` prints every labelled set's figures.
Needs `pip install vaderSentiment` (python3 dev.py bench does).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ROUNDS = 5

COLD_SESSION = r"""
import sys, time, json
sys.path.insert(0, {root!r})
from pathlib import Path
from scoring.judge import warm_up
t0 = time.perf_counter(); warm_up(); load = time.perf_counter() - t0
from scoring import analyse
from sim.engine.journal import read_journal
from sim.scenario.library import resolve
from sim.scenario.load import load_scenario
j = read_journal(Path({journal!r}))
sc = load_scenario(resolve(j.header.scenario))
events = list(j.events)
if {rejudge!r}:
    from dataclasses import replace
    from sim.engine.events import ActionEvent
    events = [replace(e, action=replace(e.action, judgement=None)) if isinstance(e, ActionEvent) else e for e in events]
t0 = time.perf_counter()
card, rec = analyse(sc, j.header, events, list(j.warnings))
print(json.dumps({{"load_s": load, "score_s": time.perf_counter() - t0,
                  "texts": sum(1 for a in rec.actions if a.kind != "end")}}))
"""


def session_journal(path: Path, replies: int = 300) -> None:
    """A session of the stress scenario with ``replies`` answers, played through the engine."""
    from scoring.judge import tone_judge
    from sim.engine.actions import ReplyAction, UpdateAction
    from sim.engine.clock import VirtualClock
    from sim.engine.session import Session
    from sim.scenario.library import resolve
    from sim.scenario.load import load_scenario

    texts = [json.loads(line)["reply"] for line in (ROOT / "tests" / "data" / "tone_dev.jsonl").open()]
    sc = load_scenario(resolve("empty-ovens"))
    clock = VirtualClock()
    session = Session.create(sc, clock, journal_path=path, trainee="bench", judge=tone_judge)
    posts = [p for p in session.storm.posts]
    step = max(1.0, (sc.duration - 120) / replies)
    for i, post in enumerate(posts[:replies]):
        t = max(float(post.t) + 5, 60 + i * step)
        if t >= sc.duration - 10:
            break
        clock.set(t)
        if i % 25 == 0:
            session.act(UpdateAction(f"Update {i}: ovens still out in 40 stores; next update in 20 minutes."))
        session.act(ReplyAction(post.id, f"{texts[i % len(texts)]} ({i})"))
    session.close()


def main() -> None:
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        sys.exit("bench/tone.py needs VADER for the comparison: pip install vaderSentiment (or: python3 dev.py bench)")
    from scoring.devset import context, load_rows
    from scoring.judge import judge, tone_judge, warm_up
    from sim.engine.reading import JudgeRequest
    from sim.scenario.library import resolve
    from sim.scenario.load import load_scenario

    rows = load_rows(ROOT / "training" / "corpus" / "w3.jsonl")[:240]
    t0 = time.perf_counter()
    warm_up()
    load_s = time.perf_counter() - t0

    # Live: the human expert sessions of the validity suite played through the engine, each text
    # judged as the game judges it (request built by the session, every text new to the judge).
    from sim.engine.scripted import load_script, play_script

    live: list[float] = []

    def timed(req: JudgeRequest) -> object:
        start = time.perf_counter()
        out = tone_judge(req)
        live.append((time.perf_counter() - start) * 1000)
        return out

    for sid in ("empty-ovens", "blue-monday", "locked-out"):
        script = load_script(ROOT / "tests" / "validity" / sid / "expert.yaml")
        with tempfile.TemporaryDirectory() as tmp:
            play_script(load_scenario(resolve(sid)), script, Path(tmp) / "j.jsonl", judge=timed)
    live.sort()

    # Side by side with VADER, alternating rounds, median of each (texts cached after the first round).
    vader = SentimentIntensityAnalyzer()
    texts = [r["reply"] for r in rows]
    ctxs = [context(r) for r in rows]
    ours_runs, vader_runs = [], []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for t in texts:
            vader.polarity_scores(t)
        vader_runs.append(time.perf_counter() - start)
        start = time.perf_counter()
        for t, c in zip(texts, ctxs, strict=True):
            judge(t, c)
        ours_runs.append(time.perf_counter() - start)

    # Cold: a 300-reply session scored in a fresh process.
    journal = Path("/tmp") / "stormdrill-bench-300.jsonl"
    journal.unlink(missing_ok=True)
    session_journal(journal)

    def cold_run(rejudge: bool) -> dict[str, float]:
        code = COLD_SESSION.format(root=str(ROOT), journal=str(journal), rejudge=rejudge)
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
        return json.loads(out)

    cold = cold_run(False)
    rejudged = cold_run(True)
    result = {
        "benchmark": "tone",
        "replies": len(rows),
        "load_s": round(load_s, 3),
        "live_ms": {
            "median": round(statistics.median(live), 2),
            "p95": round(live[int(0.95 * len(live)) - 1], 2),
            "max": round(live[-1], 2),
            "target_p95": 15.0,
        },
        "session_cold": {
            "texts": cold["texts"],
            "load_s": round(cold["load_s"], 3),
            "score_s": round(cold["score_s"], 3),
            "target_s": 1.0,
            "rejudged_score_s": round(rejudged["score_s"], 3),
        },
        "ours_us_per_reply_cached": round(statistics.median(ours_runs) / len(texts) * 1e6, 1),
        "vader_us_per_reply": round(statistics.median(vader_runs) / len(texts) * 1e6, 1),
    }
    result["ok"] = result["live_ms"]["p95"] <= 15.0 and cold["score_s"] <= 1.0
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
