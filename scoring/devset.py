"""Labelled sets of crisis replies and how the reply judge is measured on them.

Every figure comes with its trivial baselines: reply length alone, and a 20-word keyword list plus
length. A figure the baselines also reach says nothing about the judge (docs/tone-model.md).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .judge import judge_many
from .speed import QUALITY_GATE
from .stats import auc, bootstrap_interval, partial_spearman, spearman
from .tone import ToneContext

KIND = {"reply": "reply", "update": "update", "private": "dm", "dm": "dm", "plan": "plan"}
# The keyword baseline: the 20 words a naive scorer would reward.
KEYWORDS = (
    "sorry",
    "apologise",
    "apologize",
    "apologies",
    "understand",
    "frustrating",
    "refund",
    "update",
    "dm",
    "message",
    "today",
    "will",
    "thank",
    "thanks",
    "please",
    "help",
    "team",
    "soon",
    "hours",
    "fix",
)
_KW = re.compile(r"\b(" + "|".join(KEYWORDS) + r")\b")


# What each behaviour of the paraphrase sets should raise (any of these flags): the paraphrase checks.
BEHAVIOUR_EXPECTS = {
    "blame_customer": {"blames"},
    "blame_third_party": {"blames"},
    "denial": {"denies", "defensive"},
    "hostility": {"hostile", "profanity"},
    "sarcasm": {"sarcastic", "hostile", "mocking_emoji"},
    "legalese_shutdown": {"legalese"},
    "false_safety": {"false_reassurance", "over_promises"},
    "keyword_stuffing": {"keyword_list"},
    "canned": {"canned", "vague"},
    "vague": {"vague", "canned"},
    "non_apology": {"non_apology"},
    "bare_dm": {"bare_dm", "vague"},
    "over_promise": {"over_promises"},
    "speculate_cause": {"speculates"},
    "pii_public": {"asks_pii_public"},
    "off_topic": {"off_topic", "ignores_question"},
    "ignores_question": {"ignores_question", "off_topic"},
    "fact": {"informs"},
    "next_step": {"next_step"},
    "empathy": {"empathises"},
    "apology": {"apologises"},
    "safety_instruction": {"safety_instruction"},
}


def load_rows(path: Path) -> list[dict[str, Any]]:
    """Rows of a JSONL set; a line that is not JSON names its file and line."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
    return rows


def context(row: dict[str, Any]) -> ToneContext:
    return ToneContext(
        kind=KIND.get(row.get("kind", "reply"), "reply"),
        post_text=row.get("post", "") or "",
        author_name=row.get("author", "") or "",
        earlier_replies=tuple(row.get("earlier") or ()),
    )


def model_scores(rows: Sequence[dict[str, Any]]) -> list[float]:
    results = judge_many([r["reply"] for r in rows], [context(r) for r in rows])
    return [float(r.score) for r in results]


def model_score(row: dict[str, Any]) -> int:
    return int(model_scores([row])[0])


def words(text: str) -> int:
    return len(text.split())


def length_baseline(row: dict[str, Any]) -> float:
    return float(words(row["reply"]))


def keyword_baseline(row: dict[str, Any]) -> float:
    """Distinct keywords from the 20-word list, plus length (log words) to break ties."""
    text = row["reply"].lower()
    return len(set(_KW.findall(text))) + 0.5 * math.log1p(words(text))


def figures(scores: Sequence[float], rows: Sequence[dict[str, Any]], interval: bool = True) -> dict[str, Any]:
    """Spearman (95% bootstrap interval), partial Spearman with length fixed, AUCs, the length-balanced subset."""
    labels = [float(r["label"]) for r in rows]
    lengths = [float(words(r["reply"])) for r in rows]
    sc = list(map(float, scores))
    out: dict[str, Any] = {"n": len(rows), "spearman": round(spearman(sc, labels), 3)}
    if interval:
        lo, hi = bootstrap_interval(sc, labels)
        out["spearman_95"] = [round(lo, 3), round(hi, 3)]
    out["partial_spearman_length"] = round(partial_spearman(sc, labels, lengths), 3)
    good = [s for s, y in zip(sc, labels, strict=True) if y >= 4]
    poor = [s for s, y in zip(sc, labels, strict=True) if y <= 2]
    harmful = [s for s, y in zip(sc, labels, strict=True) if y == 1]
    poor2 = [s for s, y in zip(sc, labels, strict=True) if y == 2]
    out["auc_good_vs_poor"] = round(auc(good, poor), 3)
    out["auc_poor_vs_harmful"] = round(auc(poor2, harmful), 3)
    # Length-balanced: bad replies at least as long as the median, good ones at most as long.
    med = sorted(lengths)[len(lengths) // 2] if lengths else 0
    bal = [
        i
        for i, (y, n) in enumerate(zip(labels, lengths, strict=True))
        if (y <= 2 and n >= med) or (y >= 4 and n <= med)
    ]
    bal_good = [sc[i] for i in bal if labels[i] >= 4]
    bal_poor = [sc[i] for i in bal if labels[i] <= 2]
    out["length_balanced"] = {
        "n": len(bal),
        "spearman": round(spearman([sc[i] for i in bal], [labels[i] for i in bal]), 3),
        "auc_good_vs_poor": round(auc(bal_good, bal_poor), 3),
    }
    return out


def evaluate(rows: Sequence[dict[str, Any]], interval: bool = True, baselines: bool = True) -> dict[str, Any]:
    """The judge's figures on a labelled set, with the two trivial baselines beside them."""
    scores = model_scores(rows)
    out = figures(scores, rows, interval)
    # The judge's level, which the score reads through the speed pillar's quality gate: good replies
    # (4-5) judged below it lose credit they earned; poor ones (1-2) above it get credit they did not.
    labels = [int(r["label"]) for r in rows]
    good = [s for s, y in zip(scores, labels, strict=True) if y >= 4]
    poor = [s for s, y in zip(scores, labels, strict=True) if y <= 2]
    out["good_below_gate"] = f"{sum(s < QUALITY_GATE for s in good)}/{len(good)}"
    out["poor_at_or_above_gate"] = f"{sum(s >= QUALITY_GATE for s in poor)}/{len(poor)}"
    if baselines:
        out["baseline_length"] = figures([length_baseline(r) for r in rows], rows, interval=False)
        out["baseline_keywords_length"] = figures([keyword_baseline(r) for r in rows], rows, interval=False)
    return out
