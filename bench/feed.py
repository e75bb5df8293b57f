"""Benchmark: the feed stays fluid in a real storm (headless).

Prints one JSON object: key-to-screen latency p50 and p95 (a cursor key pressed until the screen
has processed it and refreshed) with an empty feed, and while 20,000 posts arrive at 200 posts per
second in batches of 20 every 0.1 s; the ratio of the two p95s (target <= 1.25); peak memory
(target <= 300 MB); and time to first frame of the Stormdrill console against a bare Textual app
(target within 1.5x).
"""

from __future__ import annotations

import asyncio
import json
import resource
import statistics
import sys
import time
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header

from sim.engine.clock import VirtualClock
from sim.scenario.expand import expand
from sim.scenario.library import resolve
from sim.scenario.load import load_scenario
from sim.tui.app import StormdrillApp
from sim.tui.game import GameOptions
from sim.tui.widgets.feed import FeedView

KEYS = 60


class FeedApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield FeedView(id="feed")
        yield Footer()


def _posts(n: int) -> list:
    sc = load_scenario(resolve("stress"))
    posts = []
    seed = 1
    while len(posts) < n:
        posts.extend(p for p in expand(sc, seed).posts)
        seed += 1
    return [p.__class__(**{**p.__dict__, "id": f"{p.id}-{i}"}) for i, p in enumerate(posts[:n])]


async def _latencies(posts: list, rate_batches: bool) -> list[float]:
    app = FeedApp()
    samples: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        feed = app.query_one(FeedView)
        feed.focus()
        stop = asyncio.Event()

        async def feeder() -> None:
            i = 0
            while not stop.is_set() and i < len(posts):
                feed.add_posts(posts[i : i + 20])
                i += 20
                await asyncio.sleep(0.1)

        task = asyncio.create_task(feeder()) if rate_batches else None
        if rate_batches:
            await asyncio.sleep(1.0)  # the storm is already running
        else:
            feed.add_posts(posts[:200])
        await pilot.pause()
        for k in range(KEYS):
            start = time.perf_counter()
            await pilot.press("k" if k % 2 else "j")
            await pilot.pause()
            samples.append((time.perf_counter() - start) * 1000)
            await asyncio.sleep(0.05)
        stop.set()
        if task:
            await task
    return samples


async def _first_frame(make: type[App[None]] | None) -> float:
    start = time.perf_counter()
    if make is None:
        app: App[None] = StormdrillApp(
            GameOptions(clock=VirtualClock(), record_results=False, journal=Path("/tmp/bench-feed.jsonl")),
            scenario="empty-ovens",
            auto_tick=False,
        )
    else:
        app = make()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        elapsed = time.perf_counter() - start
    return elapsed


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    posts = _posts(20_000)
    empty = asyncio.run(_latencies(posts[:0] + posts[:200], rate_batches=False))
    storm = asyncio.run(_latencies(posts, rate_batches=True))
    bare = min(asyncio.run(_first_frame(App)) for _ in range(3))
    ours = min(asyncio.run(_first_frame(None)) for _ in range(3))
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "benchmark": "feed",
        "keys": KEYS,
        "empty_p50_ms": round(statistics.median(empty), 2),
        "empty_p95_ms": round(_p(empty, 0.95), 2),
        "storm_p50_ms": round(statistics.median(storm), 2),
        "storm_p95_ms": round(_p(storm, 0.95), 2),
        "p95_ratio": round(_p(storm, 0.95) / _p(empty, 0.95), 2),
        "peak_rss_mb": round(rss_mb, 1),
        "first_frame_bare_s": round(bare, 3),
        "first_frame_stormdrill_s": round(ours, 3),
        "first_frame_ratio": round(ours / bare, 2),
        "targets": {"p95_ratio": 1.25, "peak_rss_mb": 300, "first_frame_ratio": 1.5},
    }
    result["ok"] = result["p95_ratio"] <= 1.25 and rss_mb <= 300 and result["first_frame_ratio"] <= 1.5
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
