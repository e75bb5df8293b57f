"""Where a trainee's journals and results live: the user data folder (platformdirs).

``STORMDRILL_HOME`` overrides the folder (tests, workshops sharing one folder). Results are an
append-only JSONL file, one line per finished session, so progress over time is kept.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs

RESULTS = "results.jsonl"


def data_dir() -> Path:
    home = os.environ.get("STORMDRILL_HOME")
    path = Path(home) if home else platformdirs.user_data_path("stormdrill", appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "trainee"


def new_journal_path(scenario_id: str, trainee: str, when: datetime | None = None) -> Path:
    """A fresh journal path: <data>/journals/<scenario>/<UTC time>-<trainee>.jsonl."""
    when = when or datetime.now(UTC)
    folder = data_dir() / "journals" / _slug(scenario_id)
    folder.mkdir(parents=True, exist_ok=True)
    base = f"{when.strftime('%Y%m%d-%H%M%S')}-{_slug(trainee)}"
    path = folder / f"{base}.jsonl"
    n = 1
    while path.exists():
        n += 1
        path = folder / f"{base}-{n}.jsonl"
    return path


def record_result(scenario_id: str, trainee: str, journal: Path, card: dict[str, Any]) -> None:
    """Append one finished session's result (flushed and fsynced)."""
    line = {
        "scenario": scenario_id,
        "trainee": trainee,
        "journal": str(journal),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "total": card.get("total"),
        "speed": card.get("speed", {}).get("score"),
        "tone": card.get("tone", {}).get("score"),
        "plan": card.get("plan", {}).get("score"),
    }
    with (data_dir() / RESULTS).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def results(scenario_id: str | None = None) -> list[dict[str, Any]]:
    """Every recorded result (optionally of one scenario), oldest first; unreadable lines are skipped."""
    path = data_dir() / RESULTS
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict) and (scenario_id is None or row.get("scenario") == scenario_id):
            out.append(row)
    return out


def best_scores(trainee: str | None = None) -> dict[str, float]:
    """The best total per scenario id (of one trainee's sessions, when ``trainee`` is given)."""
    best: dict[str, float] = {}
    for row in results():
        if trainee is not None and row.get("trainee") != trainee:
            continue
        total = row.get("total")
        sid = row.get("scenario")
        if isinstance(total, int | float) and isinstance(sid, str):
            best[sid] = max(best.get(sid, 0.0), float(total))
    return best
