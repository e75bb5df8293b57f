"""Side check: Spearman of the tone model's politeness part on the Stanford Politeness Corpus.

Published references with no training on this file: VADER 0.32, a signed strategy count 0.44,
one human annotator against the other four 0.54. Politeness is not crisis quality; this only
checks that the politeness part measures politeness. Prints one JSON object.
Usage: python bench/politeness.py [PATH to wikipedia.annotated.csv]

The corpus is not shipped (it lives beside the checkout, in ../shared/data/politeness/). Without
it the benchmark says so and exits with status 77, which `python3 dev.py bench` reports as skipped.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "data" / "politeness" / "wikipedia.annotated.csv"
SKIPPED = 77


def main() -> None:
    from scoring.stats import spearman
    from scoring.tone import politeness

    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not path.exists():
        print(
            f"skipped: no Stanford Politeness Corpus at {path} (it is not shipped; pass the path to "
            "wikipedia.annotated.csv: python bench/politeness.py PATH)",
            file=sys.stderr,
        )
        sys.exit(SKIPPED)
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    ours = [politeness(r["Request"]) for r in rows]
    human = [float(r["Normalized Score"]) for r in rows]
    result = {
        "benchmark": "politeness",
        "corpus": str(path),
        "n": len(rows),
        "spearman_ours": round(spearman(ours, human), 3),
        "reference_vader": 0.32,
        "reference_strategy_count": 0.44,
        "reference_one_human_vs_rest": 0.54,
        "note": "hand-set strategy weights from the paper's signs; no training on this corpus",
    }
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
