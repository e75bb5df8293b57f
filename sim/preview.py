"""Printing an expanded storm for authors: a time-ordered listing and a volume chart."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TextIO

from sim.scenario.model import Post, Storm
from sim.scenario.patterns import clock_label, format_time

_BAR = "█"
_PARTS = " ▏▎▍▌▋▊▉"


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def post_record(post: Post) -> dict[str, object]:
    """The JSON form of a post in ``preview --json``."""
    return {
        "t": post.t,
        "id": post.id,
        "author": post.handle,
        "name": post.name,
        "role": post.role,
        "followers": post.followers,
        "tags": list(post.tags),
        "reply_to": post.reply_to,
        "must_handle": post.must_handle,
        "source": post.source,
        "text": post.text,
    }


def print_json(storm: Storm, out: TextIO) -> None:
    for post in storm.posts:
        out.write(json.dumps(post_record(post), ensure_ascii=False, sort_keys=True) + "\n")


def _events(storm: Storm) -> Iterator[tuple[int, int, str, object]]:
    for b in storm.briefings:
        yield (b.t, 0, b.id, b)
    for p in storm.posts:
        yield (p.t, 1, p.id, p)


def volume_per_minute(storm: Storm) -> list[int]:
    minutes = max(1, -(-storm.scenario.duration // 60))
    counts = [0] * minutes
    for p in storm.posts:
        counts[min(minutes - 1, p.t // 60)] += 1
    return counts


def chart_lines(counts: list[int], width: int, start_minutes: int, *, max_rows: int = 60) -> list[str]:
    """A horizontal bar chart of posts per minute (bucketed to at most ``max_rows`` rows)."""
    bucket = max(1, -(-len(counts) // max_rows))
    rows = [(i * bucket, sum(counts[i * bucket : (i + 1) * bucket])) for i in range(-(-len(counts) // bucket))]
    peak = max((n for _, n in rows), default=0) or 1
    label_w = 14
    bar_w = max(10, width - label_w - 8)
    lines = [f"Posts per {'minute' if bucket == 1 else f'{bucket} minutes'} (peak {peak})"]
    for minute, n in rows:
        exact = n / peak * bar_w
        full = int(exact)
        frac = _PARTS[int((exact - full) * 8)] if full < bar_w else ""
        bar = (_BAR * full + frac.strip()) if n else ""
        label = f"{clock_label(start_minutes, minute * 60)} +{minute:>3}m"
        lines.append(f"{label:<{label_w}}{bar:<{bar_w}} {n:>5}")
    return lines


def print_storm(storm: Storm, out: TextIO, *, chart: bool = True, width: int = 100) -> None:
    sc = storm.scenario
    start = sc.start_minutes
    out.write(
        f"{sc.title} ({sc.id}), seed {storm.seed}: {len(storm.posts):,} posts, "
        f"{len(sc.briefings)} briefings, {format_time(sc.duration)}\n\n"
    )
    fixed = 6 + 8 + 20 + 22 + 5
    text_w = max(20, width - fixed)
    out.write(f"{'clock':<6}{'+time':<8}{'id':<20}{'author':<22}{'text'}\n")
    for t, kind, _, item in sorted(_events(storm), key=lambda e: (e[0], e[1], e[2])):
        when = f"{clock_label(start, t):<6}{'+' + format_time(t):<8}"
        if kind == 0:
            b = item
            out.write(f"{when}{'BRIEFING':<20}{'':<22}{_short(b.title + ': ' + b.text, text_w)}\n")  # type: ignore[attr-defined]
            continue
        p: Post = item  # type: ignore[assignment]
        tags = (" [" + ",".join(p.tags) + "]") if p.tags else ""
        mark = "!" if p.must_handle else " "
        out.write(f"{when}{_short(p.id, 19):<19}{mark}{_short(p.handle, 21):<22}{_short(p.text + tags, text_w)}\n")
    if storm.held:
        out.write("\nHeld until an inject fires them:\n")
        for target, posts in storm.held.items():
            firing = [i.id for i in sc.injects if target in i.fires]
            out.write(
                f"  {target}: {len(posts)} post{'s' if len(posts) != 1 else ''}, fired by "
                f"{', '.join(firing) or 'nothing'}\n"
            )
    if chart:
        out.write("\n")
        for line in chart_lines(volume_per_minute(storm), width, start):
            out.write(line + "\n")
    out.write("\n! = must-handle post\n")
