"""Printing an expanded storm for authors: a time-ordered listing, volume charts (in all, and by role)
and the must-handle timeline.

A responsive wave's extra posts (format 2) are left out: they arrive only if play feeds the crowd,
so the storm is shown at its scripted volume.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TextIO

from sim.scenario.model import Post, Scenario, Storm
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
        **({"quote": post.quote} if post.quote else {}),
        **({"pinned": True} if post.pinned else {}),
        **({"media": {"kind": post.media.kind, "caption": post.media.caption}} if post.media else {}),
    }


def scripted(storm: Storm) -> list[Post]:
    """The storm's posts at their scripted volume (a responsive wave's extra posts left out)."""
    return [p for p in storm.posts if not p.extra]


def print_json(storm: Storm, out: TextIO) -> None:
    for post in scripted(storm):
        out.write(json.dumps(post_record(post), ensure_ascii=False, sort_keys=True) + "\n")


def _events(storm: Storm) -> Iterator[tuple[int, int, str, object]]:
    for b in storm.briefings:
        yield (b.t, 0, b.id, b)
    for p in scripted(storm):
        yield (p.t, 1, p.id, p)


def volume_per_minute(storm: Storm) -> list[int]:
    minutes = max(1, -(-storm.scenario.duration // 60))
    counts = [0] * minutes
    for p in scripted(storm):
        counts[min(minutes - 1, p.t // 60)] += 1
    return counts


def volume_by_role(storm: Storm) -> dict[str, list[int]]:
    """Posts per minute for each author role, the busiest role first."""
    minutes = max(1, -(-storm.scenario.duration // 60))
    by_role: dict[str, list[int]] = {}
    for p in scripted(storm):
        by_role.setdefault(p.role, [0] * minutes)[min(minutes - 1, p.t // 60)] += 1
    return dict(sorted(by_role.items(), key=lambda kv: (-sum(kv[1]), kv[0])))


_ROLE_MARKS = "█▓▒░#=+*:%"


def role_chart_lines(storm: Storm, width: int, *, max_rows: int = 30) -> list[str]:
    """A stacked bar chart of posts per minute by author role, with a legend (one mark per role)."""
    by_role = volume_by_role(storm)
    if not by_role:
        return ["No posts yet: add posts or waves."]
    roles = list(by_role)[: len(_ROLE_MARKS)]
    minutes = len(next(iter(by_role.values())))
    bucket = max(1, -(-minutes // max_rows))
    rows = []
    for i in range(-(-minutes // bucket)):
        rows.append([sum(by_role[r][i * bucket : (i + 1) * bucket]) for r in roles])
    peak = max((sum(r) for r in rows), default=0) or 1
    label_w = 14
    bar_w = max(10, width - label_w - 8)
    start = storm.scenario.start_minutes
    unit = "minute" if bucket == 1 else f"{bucket} minutes"
    lines = [f"Posts per {unit} by role (peak {peak})"]
    lines.append("  ".join(f"{_ROLE_MARKS[i]} {r} {sum(by_role[r]):,}" for i, r in enumerate(roles)))
    for i, counts in enumerate(rows):
        ends = [round(sum(counts[: j + 1]) / peak * bar_w) for j in range(len(counts))]  # cumulative: no drift
        bar = "".join(_ROLE_MARKS[j] * (end - (ends[j - 1] if j else 0)) for j, end in enumerate(ends))
        label = f"{clock_label(start, i * bucket * 60)} +{i * bucket:>3}m"
        lines.append(f"{label:<{label_w}}{bar:<{bar_w}} {sum(counts):>5}")
    return lines


def _ideas(items: tuple[str, ...], field: str, post_expect: object) -> list[str]:
    out = []
    for item in items:
        window = post_expect.window(field, item)  # type: ignore[attr-defined]
        bounds = ""
        if window is not None:
            bounds = (f" from {format_time(window.start)}" if window.start is not None else "") + (
                f" until {format_time(window.end)}" if window.end is not None else ""
            )
        out.append(f"{item}{bounds}")
    return out


def must_handle_lines(storm: Storm) -> list[str]:
    """The must-handle posts in time order: when each arrives, by when it needs an answer, what the answer
    must and must not say; then the held ones, with the injects that fire them."""
    sc: Scenario = storm.scenario
    start = sc.start_minutes
    lines = []

    def describe(p: Post, when: str, due: str) -> list[str]:
        e = p.expect
        assert e is not None
        extra = [k for k in ("pinned",) if getattr(p, k)] + ([p.media.kind] if p.media else [])
        extra += [f"quotes {p.quote}"] if p.quote else []
        head = f"  {when:<16}{_short(p.id, 18):<19}{_short(p.handle, 22):<23}{due}"
        out = [head + (f"  [{', '.join(extra)}]" if extra else "")]
        if e.must_mention:
            out.append("      must mention: " + "; ".join(_ideas(e.must_mention, "must_mention", e)))
        if e.must_not_say:
            out.append("      must not say: " + "; ".join(_ideas(e.must_not_say, "must_not_say", e)))
        if e.private:
            out.append("      take it to private messages")
        return out

    scheduled = [p for p in storm.posts if p.must_handle]
    for p in scheduled:
        within = p.expect.reply_within if p.expect and p.expect.reply_within else sc.scoring.reply
        due = f"answer within {format_time(within)} (by {clock_label(start, p.t + within)})"
        lines += describe(p, f"{clock_label(start, p.t)} +{format_time(p.t)}", due)
    for target, posts in storm.held.items():
        firing = ", ".join(i.id for i in sc.injects if target in i.fires) or "nothing"
        for p in posts:
            if p.must_handle:
                within = p.expect.reply_within if p.expect and p.expect.reply_within else sc.scoring.reply
                lines += describe(p, f"held ({firing})", f"answer within {format_time(within)} of arriving")
    if not lines:
        return ["No must-handle posts: give the posts that need an answer an `expect`."]
    return [f"Must-handle posts ({len(scheduled)} scheduled)", *lines]


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


def print_storm(storm: Storm, out: TextIO, *, chart: bool = True, width: int = 100, by_role: bool = False) -> None:
    sc = storm.scenario
    start = sc.start_minutes
    extra = len(storm.posts) - len(scripted(storm))
    out.write(
        f"{sc.title} ({sc.id}), seed {storm.seed}: {len(storm.posts) - extra:,} posts, "
        f"{len(sc.briefings)} briefings, {format_time(sc.duration)}"
        + (f" (and up to {extra:,} more if play feeds the crowd)" if extra else "")
        + "\n\n"
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
        text = (p.media.label() + " " if p.media else "") + p.text + (f" (quotes {p.quote})" if p.quote else "")
        out.write(f"{when}{_short(p.id, 19):<19}{mark}{_short(p.handle, 21):<22}{_short(text + tags, text_w)}\n")
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
        lines = role_chart_lines(storm, width) if by_role else chart_lines(volume_per_minute(storm), width, start)
        for line in lines:
            out.write(line + "\n")
    out.write("\n! = must-handle post\n")
