"""The cohort debrief: leaderboard, pillar spread, common mistakes, must-handle answers side by side,
hot-wash questions; CSV/JSON one row per trainee; xAPI statements; untrusted text stays text."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from sim.workshop.report import build_cohort, build_csv, build_html, iso_duration, xapi_statements
from sim.workshop.store import Store, open_store
from tests.workshop.conftest import workshop_of

EVIL = '<script>alert("x")</script>'


def card(total: float, flags: list[str], answer: str, *, late: bool = False) -> dict[str, Any]:
    return {
        "total": total,
        "speed": {"score": total - 5, "first_statement_s": 300},
        "tone": {"score": total + 5},
        "plan": {"score": total},
        "replies": [{"t": 100, "kind": "reply", "text": answer, "score": 40, "flags": [*flags, "apologises"]}],
        "evidence": [{"t": 0, "part": "speed", "rule": "speed.first_statement", "what": "Late start", "points": -8}]
        if late
        else [],
        "must_handle": [
            {
                "post": "p_dana",
                "t": 120,
                "author": "@dana",
                "text": f"My daughter is ill {EVIL}",
                "model_answer": "Dana, I'm so sorry. Please call 111.",
                "answers": [{"t": 150, "kind": "reply", "text": answer}],
                "first_reply_s": 30,
                "in_time": True,
            }
        ],
    }


def cohort_store(tmp_path: Path) -> tuple[Store, str]:
    store = open_store(f"sqlite:///{tmp_path / 'r.db'}")
    w = store.create_workshop(scenario="empty-ovens", title="Empty Ovens", seed=3, duration=3600, code="QWER-TYUI")
    people = [
        ("Ana", card(81, [], "Dana, so sorry, call 111 now.")),
        (EVIL, card(42, ["blames", "defensive"], f"Not our fault {EVIL}", late=True)),
        ("=HYPERLINK(1)", card(55, ["blames"], "Your courier did it.", late=True)),
        ("Still playing", None),
    ]
    for name, c in people:
        seat = store.join(w.id, name, lambda pid: f"{pid}.jsonl")
        if c is not None:
            store.finish(seat.session_id, c)
    return store, w.id


def test_the_cohort_report_ranks_counts_and_escapes(tmp_path: Path) -> None:
    store, wid = cohort_store(tmp_path)
    cohort = build_cohort(store, workshop_of(store, wid))
    assert [(r.rank, r.name, r.total) for r in cohort.rows] == [(1, "Ana", 81), (2, "=HYPERLINK(1)", 55), (3, EVIL, 42)]
    top = {m.key: m for m in cohort.mistakes}
    assert (top["blames"].trainees, top["blames"].count) == (2, 2)
    assert top["speed.first_statement"].trainees == 2 and top["defensive"].trainees == 1
    assert "apologises" not in top  # a positive flag is no mistake
    assert cohort.mistakes[0].trainees == 2  # the most common first
    assert any("blame" in q and "2 of 3" in q for q in cohort.questions)
    [mh] = cohort.must_handle
    assert [a["trainee"] for a in mh["answers"]] == ["Ana", "=HYPERLINK(1)", EVIL]
    page = build_html(cohort)
    assert EVIL not in page and "&lt;script&gt;" in page and "<script" not in page
    assert "Dana, I&#x27;m so sorry. Please call 111." in page and "<svg" in page
    assert page.count("<circle") == 3 * 4  # a dot per trainee and pillar
    rows = list(csv.DictReader(io.StringIO(build_csv(cohort))))
    assert [r["trainee"] for r in rows] == ["Ana", "'=HYPERLINK(1)", EVIL] and rows[0]["total"] == "81.0"


def test_xapi_statements_say_who_completed_what_with_which_score(tmp_path: Path) -> None:
    store, wid = cohort_store(tmp_path)
    statements = xapi_statements(build_cohort(store, workshop_of(store, wid)))
    assert len(statements) == 3
    s = statements[0]
    assert s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert s["actor"]["name"] == "Ana" and s["object"]["id"] == "urn:stormdrill:scenario:empty-ovens"
    assert s["result"]["score"] == {"scaled": 0.81, "raw": 81, "min": 0, "max": 100}
    assert s["result"]["success"] is True and statements[2]["result"]["success"] is False
    assert s["result"]["duration"].startswith("PT") and s["timestamp"].endswith("+00:00")
    assert len({x["id"] for x in statements}) == 3
    assert iso_duration(3723.5) == "PT1H2M3.5S" and iso_duration(0) == "PT0S" and iso_duration(60) == "PT1M"


def test_the_report_command_writes_every_format_from_a_real_session(tmp_path: Path) -> None:
    from scoring import analyse
    from scoring.judge import tone_judge
    from sim.engine.journal import read_journal
    from sim.scenario.library import resolve
    from sim.scenario.load import load_scenario

    sc = load_scenario(resolve("empty-ovens"))
    journal = tmp_path / "ideal.jsonl"
    from sim.autoplay import run_autoplay

    run_autoplay(sc, "defensive", sc.seed, journal, judge=tone_judge)
    j = read_journal(journal)
    real, _ = analyse(sc, j.header, j.events, j.warnings)
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    store = open_store(db)
    w = store.create_workshop(scenario=sc.id, title=sc.title, seed=sc.seed, duration=sc.duration, code="ZXCV-BNMA")
    seat = store.join(w.id, "Dee Fensive", lambda pid: str(journal))
    store.finish(seat.session_id, real.to_json())
    out = {k: tmp_path / f"cohort.{k}" for k in ("html", "csv", "json", "xapi")}
    cmd = [sys.executable, "-m", "sim", "workshop", "report", "--db", db]
    cmd += [f"--{k}={v}" for k, v in out.items()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = json.loads(out["json"].read_text())
    assert rows[0]["trainee"] == "Dee Fensive" and rows[0]["total"] == round(real.total, 1)
    assert "Dee Fensive" in out["html"].read_text() and json.loads(out["xapi"].read_text())[0]["result"]["score"]
    missing = subprocess.run(
        [
            sys.executable,
            "-m",
            "sim",
            "workshop",
            "report",
            "--db",
            f"sqlite:///{tmp_path / 'empty.db'}",
            "--html",
            "x",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 2 and "no workshop" in missing.stderr and "Traceback" not in missing.stderr
