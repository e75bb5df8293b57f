"""The labelled development set of crisis replies (tests/data/tone_dev.jsonl) and its evaluation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .stats import auc, spearman
from .tone import ToneContext, analyze


def load_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def model_score(row: dict[str, Any]) -> int:
    ctx = ToneContext(
        kind=row.get("kind", "reply"),
        post_text=row.get("post", ""),
        author_name=row.get("author", ""),
        earlier_replies=tuple(row.get("earlier") or ()),
    )
    return analyze(row["reply"], ctx).score


def evaluate(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Spearman of model scores with labels, and AUC of good (4-5) against poor (1-2)."""
    scores = [float(model_score(r)) for r in rows]
    labels = [float(r["label"]) for r in rows]
    good = [s for s, r in zip(scores, rows, strict=True) if r["label"] >= 4]
    poor = [s for s, r in zip(scores, rows, strict=True) if r["label"] <= 2]
    return {
        "n": len(rows),
        "spearman": round(spearman(scores, labels), 3),
        "auc_good_vs_poor": round(auc(good, poor), 3),
    }
