"""Where a trainee's journals live: the user data folder (platformdirs).

``STORMDRILL_HOME`` overrides the folder (tests, workshops sharing one folder). Finished sessions
are kept per trainee in the results store in the same folder (``sim.workshop.history``, read through
the console's ``HistoryLink``), which is where the picker's "Your best" and the debrief's progress
come from.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import platformdirs


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
