"""Benchmark: wall time and peak memory of `autoplay --bot ideal` on the `stress` scenario.

Prints one JSON object. Targets on a 2-core machine: under 3 s and under 200 MB. The time covers
expanding the storm, playing it in virtual time with the tone judge, and writing the journal; the
memory is the process's peak resident set (loading the YAML included).
Usage: python bench/engine.py [SCENARIO] [--bot NAME]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario", nargs="?", default="stress")
    parser.add_argument("--bot", default="ideal")
    args = parser.parse_args()

    from scoring.judge import tone_judge
    from sim.bots import BOTS
    from sim.engine.autoplay import run_autoplay
    from sim.scenario.library import resolve
    from sim.scenario.load import load_scenario

    scenario = load_scenario(resolve(args.scenario))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.jsonl"
        start = time.perf_counter()
        session = run_autoplay(scenario, BOTS[args.bot], scenario.seed, out, bot_name=args.bot, judge=tone_judge)
        seconds = time.perf_counter() - start
        size = out.stat().st_size
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "benchmark": "engine_autoplay",
        "scenario": scenario.id,
        "bot": args.bot,
        "posts": len(session.delivered),
        "actions": len(session.actions),
        "seconds": round(seconds, 3),
        "peak_rss_mb": round(rss_mb, 1),
        "journal_mb": round(size / 2**20, 2),
        "target_seconds": 3.0,
        "target_mb": 200,
        "ok": seconds < 3.0 and rss_mb < 200,
    }
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
