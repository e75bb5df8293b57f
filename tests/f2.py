"""A small format 2 scenario for tests, built from a dict so each test changes only what it is about."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import yaml

from sim.engine.clock import VirtualClock
from sim.engine.reading import JudgeRequest
from sim.engine.session import Session
from sim.scenario.load import load_text
from sim.scenario.model import Scenario

BASE: dict[str, Any] = {
    "format": 2,
    "id": "f2-test",
    "title": "Format 2 test",
    "summary": "A small scenario for format 2 features.",
    "difficulty": "intro",
    "crisis_type": "victim",
    "duration": 30,
    "start_clock": "09:00",
    "company": {"name": "Acme Rail", "handle": "@acme.rail"},
    "personas": [
        {"id": "cust", "name": "Cam Lee", "handle": "@cam-lee", "role": "customer", "followers": 100},
        {"id": "journo", "name": "Jo Reed", "handle": "@jo.reed", "role": "journalist", "followers": 50000},
    ],
    "briefings": [
        {"id": "b0", "known_at": 0, "title": "Start", "text": "A train broke down.", "public_line": "A train broke."}
    ],
    "posts": [{"id": "p1", "at": 1, "author": "cust", "text": "My train is stuck!", "tags": ["complaint"]}],
    "waves": [
        {
            "id": "w",
            "from": 0,
            "to": 30,
            "volume": {"per_minute": [6] * 30},
            "templates": [{"text": "{name} is annoyed", "tags": ["complaint"]}],
        }
    ],
    "scoring": {"targets": {"first_statement": 5, "reply": 10, "update_every": 10}},
}


def merge(base: Any, changes: Any) -> Any:
    """``base`` with ``changes`` applied: mappings merge key by key, anything else replaces; None deletes."""
    if not isinstance(base, dict) or not isinstance(changes, dict):
        return copy.deepcopy(changes)
    out = copy.deepcopy(base)
    for k, v in changes.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge(out.get(k), v)
    return out


def text(**changes: Any) -> str:
    return yaml.safe_dump(merge(BASE, changes), sort_keys=False, allow_unicode=True)


def scenario(**changes: Any) -> Scenario:
    return load_text(text(**changes), "f2.yaml")


def judge(req: JudgeRequest) -> Sequence[str]:
    """Flags by keyword, so tests say exactly what the judge reads."""
    low = req.text.lower()
    if "not our fault" in low:
        return ["defensive"]
    flags = ["informs"]
    if "sorry" in low:
        flags += ["apologises"]
    if "our responsibility" in low:
        flags += ["owns_it"]
    return flags


def session(sc: Scenario, trainee: str = "tester") -> tuple[Session, VirtualClock]:
    clock = VirtualClock()
    s = Session.create(sc, clock, judge=judge, trainee=trainee)
    s._replay = []  # keep the events in memory (no journal file)
    return s, clock


def wave_count(s: Session, wave: str = "w") -> int:
    return sum(1 for p in s.delivered if p.wave == wave)
