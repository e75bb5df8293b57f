"""Benchmark: seconds to load, validate and expand the `stress` scenario, and peak memory.

Prints one JSON object. Targets on a 2-core machine: under 1 s and under 150 MB.
Usage: python bench/scenario_load.py [SCENARIO] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import tracemalloc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario", nargs="?", default="stress")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from sim.scenario.expand import expand
    from sim.scenario.library import resolve
    from sim.scenario.load import load_scenario

    path = resolve(args.scenario)
    timings = []
    posts = 0
    for _ in range(args.repeat):
        start = time.perf_counter()
        storm = expand(load_scenario(path))
        timings.append(time.perf_counter() - start)
        posts = len(storm.posts)
    tracemalloc.start()
    storm = expand(load_scenario(path))
    _, peak_traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "benchmark": "scenario_load",
        "scenario": str(path),
        "posts": posts,
        "seconds_first": round(timings[0], 3),
        "seconds_best": round(min(timings), 3),
        "peak_traced_mb": round(peak_traced / 2**20, 1),
        "peak_rss_mb": round(rss_mb, 1),
        "target_seconds": 1.0,
        "target_mb": 150,
        "ok": timings[0] < 1.0 and rss_mb < 150,
    }
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
