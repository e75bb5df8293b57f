"""Every figure of the reply judge, on every labelled set, with the trivial baselines beside it.

    .venv/bin/python training/report.py [--sets blind5_ordinary,blind5_hard,blind5_adversarial]
        [--paraphrases] [--out FILE]

Prints JSON. Which sets are blind and which were trained on is said in docs/tone-model.md; the
script only measures. Adversarial sets report how many replies score over 60.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scoring.devset import BEHAVIOUR_EXPECTS, evaluate, load_rows, model_scores  # noqa: E402
from scoring.judge import judge_many  # noqa: E402
from scoring.tone import ToneContext  # noqa: E402

SETS = {
    "blind9_ordinary": "tests/data/blind9/ordinary.jsonl",  # scored once 2026-12-04 (6878rows-ft-C), now in the pool
    "blind9_hard": "tests/data/blind9/hard.jsonl",
    "blind9_live": "tests/data/blind9/live.jsonl",
    "blind8_ordinary": "tests/data/blind8/ordinary.jsonl",  # scored once 2026-12-04 (6878rows-ft-C), now in the pool
    "blind8_hard": "tests/data/blind8/hard.jsonl",
    "blind8_live": "tests/data/blind8/live.jsonl",
    "blind7_ordinary": "tests/data/blind7/ordinary.jsonl",  # scored once on 2026-12-02, then in the pool
    "blind7_hard": "tests/data/blind7/hard.jsonl",  # scored once on 2026-12-02, then in the pool
    "blind7_live": "tests/data/blind7/live.jsonl",  # scored once on 2026-12-02, then in the pool
    "blind6_ordinary": "tests/data/blind6/ordinary.jsonl",  # in the training pool since blind set 7
    "blind6_hard": "tests/data/blind6/hard.jsonl",
    "blind6_live": "tests/data/blind6/live.jsonl",
    "blind5_ordinary": "tests/data/blind5/ordinary.jsonl",  # in the training pool since blind set 6
    "blind5_hard": "tests/data/blind5/hard.jsonl",
    "blind4_ordinary": "tests/data/blind4/ordinary.jsonl",  # in the training pool since blind set 5
    "blind4_hard": "tests/data/blind4/hard.jsonl",
    "blind3_ordinary": "tests/data/blind3/ordinary.jsonl",  # in the training pool since blind set 4
    "blind3_hard": "tests/data/blind3/hard.jsonl",
    "tone_dev": "tests/data/tone_dev.jsonl",
    "tone_blind": "tests/data/tone_blind.jsonl",
    "tone_blind2": "tests/data/tone_blind2.jsonl",
}
ADVERSARIAL = {
    "blind9_adversarial": "tests/data/blind9/adversarial.jsonl",  # scored once on 2026-12-04, then in the pool
    "blind8_adversarial": "tests/data/blind8/adversarial.jsonl",  # scored once on 2026-12-04, then in the pool
    "blind7_adversarial": "tests/data/blind7/adversarial.jsonl",  # scored once on 2026-12-02, then in the pool
    "blind6_adversarial": "tests/data/blind6/adversarial.jsonl",  # in the training pool since blind set 7
    "blind5_adversarial": "tests/data/blind5/adversarial.jsonl",
    "blind4_adversarial": "tests/data/blind4/adversarial.jsonl",  # in the training pool since blind set 5
    "blind3_adversarial": "tests/data/blind3/adversarial.jsonl",  # in the training pool since blind set 4
}


def adversarial(rows: list[dict[str, Any]]) -> dict[str, Any]:
    scores = model_scores(rows)
    over = [(s, r) for s, r in zip(scores, rows, strict=True) if s > 60]
    by_attack: dict[str, list[float]] = defaultdict(list)
    for s, r in zip(scores, rows, strict=True):
        by_attack[r.get("attack", "?")].append(s)
    return {
        "n": len(rows),
        "over_60": len(over),
        "target_at_most": 2,
        "scores_by_attack": {k: sorted(v) for k, v in sorted(by_attack.items())},
        "over_60_texts": [{"score": s, "reply": r["reply"][:120]} for s, r in over],
    }


def paraphrases(path: Path) -> dict[str, Any]:
    rows = load_rows(path)
    results = judge_many([r["reply"] for r in rows], [ToneContext(kind="reply", post_text=r["post"]) for r in rows])
    hit: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    miss: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r, res in zip(rows, results, strict=True):
        b = r["behaviour"].removesuffix("_not")
        fired = bool(set(res.flags) & BEHAVIOUR_EXPECTS[b])
        d = hit if r["present"] else miss
        d[b][0] += fired
        d[b][1] += 1
    return {
        b: {
            "fires": f"{hit[b][0]}/{hit[b][1]}",
            "rate": round(hit[b][0] / hit[b][1], 2) if hit[b][1] else None,
            "near_miss_fires": f"{miss[b][0]}/{miss[b][1]}",
        }
        for b in BEHAVIOUR_EXPECTS
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="", help="comma-separated set names (default: all)")
    ap.add_argument("--paraphrases", action="store_true", help="also the paraphrase check (set B)")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    wanted = {s for s in args.sets.split(",") if s}
    out: dict[str, Any] = {}
    for name, rel in SETS.items():
        if not wanted or name in wanted or any(name.startswith(w) for w in wanted):
            out[name] = evaluate(load_rows(ROOT / rel))
    for name, rel in ADVERSARIAL.items():
        if not wanted or name in wanted or any(name.startswith(w) for w in wanted):
            out[name] = adversarial(load_rows(ROOT / rel))
    if args.paraphrases:
        out["paraphrases_set_b"] = paraphrases(ROOT / "tests" / "data" / "paraphrases_check.jsonl")
        out["paraphrases_set_a"] = paraphrases(ROOT / "training" / "paraphrases" / "set_a.jsonl")
    text = json.dumps(out, indent=1)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
