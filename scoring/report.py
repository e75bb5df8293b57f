"""Debrief reports: a self-contained HTML page (no network) and Markdown, for one or more sessions.

Every piece of text from a scenario, a post, a journal or the trainee goes through ``clean_text``
(no escape sequences or control characters) and is then escaped for HTML or Markdown; the page has
no scripts and loads nothing from the network. The timeline is an inline SVG: incoming volume per
minute as bars, the trainee's replies, updates and action plan as marks, long public silences shaded.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from itertools import pairwise

from sim.scenario.model import POSITIVE_TONE_FLAGS
from sim.scenario.patterns import clock_label, format_time
from sim.scenario.text import clean_text

from .card import ScoreCard
from .record import SessionRecord

Entry = tuple[ScoreCard, SessionRecord]

# Emoji in posts and names need a colour-emoji font: name the usual ones after the text fonts.
_EMOJI_FONTS = '"Apple Color Emoji","Segoe UI Emoji","Segoe UI Symbol","Noto Color Emoji","Twemoji Mozilla"'
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,sans-serif,EMOJI;
margin:2rem auto;max-width:72rem;color:#1d2430;padding:0 1rem;line-height:1.45}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace,EMOJI}
h1{margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:2px solid #e3e7ee;padding-bottom:.3rem}
.sub{color:#5b6577}.cards{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}
.card{border:1px solid #d8dde6;border-radius:.6rem;padding:.8rem 1.1rem;min-width:9rem}
.card b{font-size:2rem;display:block}.good{color:#11703c}.mid{color:#9a6400}.bad{color:#b3261e}
table{border-collapse:collapse;width:100%;margin:.6rem 0}td,th{border-bottom:1px solid #e3e7ee;padding:.35rem .5rem;
text-align:left;vertical-align:top}th{background:#f4f6f9}.num{text-align:right;white-space:nowrap}
.flag{display:inline-block;border-radius:.8rem;padding:0 .5rem;margin:.1rem;font-size:.8rem;background:#eef1f5}
.flag.neg{background:#fde8e7;color:#8c1d18}.flag.pos{background:#e5f4ea;color:#11552f}
.quote{white-space:pre-wrap;background:#f7f8fa;border-left:3px solid #c9d1dd;padding:.4rem .6rem;margin:.2rem 0}
.model{border-left-color:#11703c}.legend span{margin-right:1.2rem;display:inline-block}svg{max-width:100%;height:auto}
""".replace("EMOJI", _EMOJI_FONTS)
POSITIVE = frozenset(POSITIVE_TONE_FLAGS)


def _e(text: object) -> str:
    return html.escape(clean_text(str(text)), quote=True)


def _cls(score: float) -> str:
    return "good" if score >= 75 else "mid" if score >= 50 else "bad"


def _flags(flags: Sequence[str]) -> str:
    return "".join(
        f'<span class="flag {"pos" if f in POSITIVE else "neg"}">{_e(f.replace("_", " "))}</span>' for f in flags
    )


def timeline_svg(rec: SessionRecord, width: int = 960, height: int = 220) -> str:
    """Incoming posts per minute (bars) against the trainee's actions (marks) and silences (shaded)."""
    duration = max(60.0, float(rec.scenario.duration), rec.end_t)
    minutes = int(-(-duration // 60))
    counts = [0] * minutes
    for d in rec.posts.values():
        counts[min(minutes - 1, int(d.t // 60))] += 1
    peak = max(counts) or 1
    left, right, top, bottom = 44, 24, 14, 46
    pw, ph = width - left - right, height - top - bottom
    bw = pw / minutes

    def x(t: float) -> float:
        return left + pw * (t / duration)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Incoming volume per minute and your actions">'
    ]
    # Silences longer than the expected update interval.
    statements = [act.t for act in rec.actions if rec.is_update(act)]
    every = rec.scenario.scoring.update_every
    edges = [0.0, *statements, rec.end_t or duration]
    for since, until in pairwise(edges):
        if until - since > every:
            parts.append(
                f'<rect x="{x(since):.1f}" y="{top}" width="{x(until) - x(since):.1f}" height="{ph}" '
                f'fill="#fde8e7"><title>Silent for {format_time(until - since)}</title></rect>'
            )
    for i, n in enumerate(counts):
        if n:
            h = ph * n / peak
            parts.append(
                f'<rect x="{left + i * bw + 0.5:.1f}" y="{top + ph - h:.1f}" width="{max(1.0, bw - 1):.1f}" '
                f'height="{h:.1f}" fill="#8aa4c8"><title>{clock_label(rec.scenario.start_minutes, i * 60)}'
                f": {n} posts</title></rect>"
            )
    marks = {
        "reply": ("#2f6fdf", top + ph + 10),
        "private": ("#7b5bd6", top + ph + 10),
        "update": ("#11703c", top + ph + 22),
        "plan": ("#b3261e", top + ph + 34),
    }
    for a in rec.actions:
        if a.kind in marks:
            colour, y = marks[a.kind]
            size = 5 if a.kind in ("update", "plan") else 3
            hollow = a.statement and not rec.is_update(a)
            fill = f'fill="none" stroke="{colour}"' if hollow else f'fill="{colour}"'
            note = " (no fact, status or next step: not counted as an update)" if hollow else ""
            parts.append(
                f'<circle cx="{x(a.t):.1f}" cy="{y}" r="{size}" {fill}><title>{_e(a.kind)} at '
                f"{format_time(a.t)}{note}</title></circle>"
            )
    parts.append(f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="#5b6577"/>')
    parts.append(f'<text x="{left - 6}" y="{top + 10}" font-size="11" text-anchor="end" fill="#5b6577">{peak}</text>')
    parts.append(f'<text x="{left - 6}" y="{top + ph}" font-size="11" text-anchor="end" fill="#5b6577">0</text>')
    step = max(1, minutes // 10)
    for m in range(0, minutes + 1, step):
        if m * 60 > duration:
            break
        label = clock_label(rec.scenario.start_minutes, m * 60)
        # A label is about 6.5 px a character wide at 11 px: the last one ends at the edge, not past it.
        anchor = "end" if x(m * 60) + 3.3 * len(label) > width else "middle"
        at = min(x(m * 60), width - 1.0) if anchor == "end" else x(m * 60)
        parts.append(
            f'<text x="{at:.1f}" y="{height - 2}" font-size="11" text-anchor="{anchor}" fill="#5b6577">{label}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _summary_cards(card: ScoreCard) -> str:
    items = [("Total", card.total), ("Speed", card.speed.score), ("Tone", card.tone.score), ("Plan", card.plan.score)]
    return (
        '<div class="cards">'
        + "".join(f'<div class="card"><span>{name}</span><b class="{_cls(v)}">{v:.0f}</b></div>' for name, v in items)
        + "</div>"
    )


def _figures(card: ScoreCard) -> str:
    sp = card.speed.details

    def t(v: object) -> str:
        return format_time(float(v)) if isinstance(v, int | float) else "none"

    rows = [
        ("First public statement", t(sp.get("first_statement_s"))),
        ("Median first reply", t(sp.get("median_reply_s"))),
        ("90th percentile first reply", t(sp.get("p90_reply_s"))),
        ("Posts needing an answer, answered", f"{sp.get('answered_pct', 0)}%"),
        ("Must-handle posts answered in time", f"{sp.get('must_handle_in_time_pct') or 0}%"),
        ("Longest public silence", t(sp.get("longest_silence_s"))),
        ("Promises kept / broken", f"{sp.get('promises_kept', 0)} / {sp.get('promises_broken', 0)}"),
        (
            "Action plan",
            "on time" if card.plan.details.get("on_time") else ("late" if card.plan.details.get("posted") else "none"),
        ),
    ]
    return "<table>" + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows) + "</table>"


def _replies(card: ScoreCard) -> str:
    ranked = sorted(card.replies, key=lambda r: r.score)
    if not ranked:
        return "<p>No replies or statements.</p>"
    worst, best = ranked[:3], list(reversed(ranked[-3:]))
    out = []
    for title, group in (("Best", best), ("Worst", worst)):
        out.append(
            f"<h3>{title}</h3><table><tr><th>time</th><th>answering</th><th>your text</th>"
            "<th class=num>tone</th><th>flags</th></tr>"
        )
        for r in group:
            out.append(
                f"<tr><td>{format_time(r.t)}</td><td><div class=quote>{_e(r.post_text or r.kind)}</div></td>"
                f"<td><div class=quote>{_e(r.text)}</div></td><td class=num>{r.score}</td>"
                f"<td>{_flags(r.flags)}</td></tr>"
            )
        out.append("</table>")
    return "".join(out)


def _must_handle(card: ScoreCard) -> str:
    if not card.must_handle:
        return "<p>No must-handle posts were delivered.</p>"
    out = ["<table><tr><th>post</th><th>your answer</th><th>model answer</th></tr>"]
    for row in card.must_handle:
        answers = (
            "".join(
                f"<div class=quote>[{_e(a['kind'])} at {format_time(a['t'])}] {_e(a['text'])}</div>"
                for a in row["answers"]
            )
            or "<b class=bad>not answered</b>"
        )
        timing = ("in time" if row["in_time"] else "late") if row["first_reply_s"] is not None else "missed"
        out.append(
            f"<tr><td><b>{_e(row['author'])}</b> at {format_time(row['t'])} ({timing}, target "
            f"{format_time(row['target_s'])})<div class=quote>{_e(row['text'])}</div></td>"
            f"<td>{answers}</td><td><div class='quote model'>{_e(row['model_answer'])}</div></td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def _evidence(card: ScoreCard) -> str:
    out = ["<table><tr><th>time</th><th>part</th><th>what happened</th><th>rule</th><th class=num>points</th></tr>"]
    for e in sorted(card.evidence, key=lambda e: (e.t, e.part)):
        cls = "good" if e.points > 0 else "bad" if e.points < 0 else ""
        out.append(
            f"<tr><td>{format_time(e.t)}</td><td>{_e(e.part)}</td><td>{_e(e.what)}</td>"
            f"<td><code>{_e(e.rule)}</code></td><td class='num {cls}'>{e.points:+.1f}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def _session(card: ScoreCard, rec: SessionRecord) -> str:
    who = card.who
    parts = [
        f"<h2>{_e(who)}: {card.total:.0f}/100</h2>",
        _summary_cards(card),
        "<h3>Timeline</h3>",
        '<p class="legend"><span>▮ incoming posts per minute</span><span style="color:#2f6fdf">● reply</span>'
        '<span style="color:#7b5bd6">● private message</span><span style="color:#11703c">● public update</span>'
        "<span>○ a statement not counted as an update</span>"
        '<span style="color:#b3261e">● action plan</span>'
        '<span style="background:#fde8e7">&nbsp;silence&nbsp;</span></p>',
        timeline_svg(rec),
        "<h3>Key figures</h3>",
        _figures(card),
        "<h3>Coaching</h3><ul>" + "".join(f"<li>{_e(c)}</li>" for c in card.coaching) + "</ul>",
        "<h3>Must-handle posts</h3>",
        _must_handle(card),
        "<h3>Best and worst replies</h3>",
        _replies(card),
        "<h3>Every point, explained</h3>",
        _evidence(card),
    ]
    if card.warnings:
        parts.insert(1, "<p class=bad>" + "<br>".join(_e(w) for w in card.warnings) + "</p>")
    return "".join(parts)


def _comparison(entries: Sequence[Entry]) -> str:
    out = [
        "<h2>Side by side</h2><table><tr><th>trainee</th><th class=num>total</th><th class=num>speed</th>"
        "<th class=num>tone</th><th class=num>plan</th><th>first statement</th><th>plan</th></tr>"
    ]
    for card, _ in sorted(entries, key=lambda e: -e[0].total):
        fs = card.speed.details.get("first_statement_s")
        out.append(
            f"<tr><td>{_e(card.who)}</td><td class=num>{card.total:.0f}</td>"
            f"<td class=num>{card.speed.score:.0f}</td><td class=num>{card.tone.score:.0f}</td>"
            f"<td class=num>{card.plan.score:.0f}</td><td>{format_time(fs) if fs is not None else 'none'}</td>"
            f"<td>{'on time' if card.plan.details.get('on_time') else 'late or none'}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def build_html(entries: Sequence[Entry]) -> str:
    """A self-contained HTML debrief of one or more sessions of the same scenario."""
    card0, rec0 = entries[0]
    title = f"Stormdrill debrief: {card0.scenario_title}"
    body = [
        f"<h1>{_e(title)}</h1>",
        f'<p class="sub">Scenario <code>{_e(card0.scenario)}</code> ({_e(rec0.scenario.difficulty)}, '
        f"{_e(rec0.scenario.crisis_type)} crisis), seed {_e(card0.seed)}. {len(entries)} session(s).</p>",
    ]
    if len(entries) > 1:
        body.append(_comparison(entries))
    for card, rec in entries:
        body.append(_session(card, rec))
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_CSS}</style></head>'
        f"<body>{''.join(body)}</body></html>\n"
    )


# Markdown that a value could start: emphasis, code, links and images, raw HTML, entities, tables,
# strikethrough, headings, math; bare web and mail addresses (GFM links them: `evil.com`, `a@b`,
# `javascript:`) are broken by escaping the dot inside a word and the colon after a scheme.
_MD_MARKUP = re.compile(r"[\\`*_\[\]<>!|~&#@$^]|(?<=\w)\.(?=\w)|(?<=[A-Za-z]):(?=\S)")
_MD_LINE_START = re.compile(r"^(?:[-+=]|\d+[.)])")  # a list item or a setext rule when it opens a line


def _md(text: object) -> str:
    """One line of literal text in Markdown: cleaned, then every character that could start markup escaped."""
    one = _MD_MARKUP.sub(lambda m: "\\" + m.group(), clean_text(str(text), single_line=True))
    return _MD_LINE_START.sub(lambda m: m.group()[:-1] + "\\" + m.group()[-1], one)


def build_markdown(entries: Sequence[Entry]) -> str:
    card0, rec0 = entries[0]
    lines = [
        f"# Stormdrill debrief: {_md(card0.scenario_title)}",
        "",
        f"Scenario {_md(card0.scenario)} ({_md(rec0.scenario.difficulty)}, {_md(rec0.scenario.crisis_type)}), "
        f"seed {_md(card0.seed)}.",
        "",
    ]
    if len(entries) > 1:
        lines += ["| trainee | total | speed | tone | plan |", "|---|---:|---:|---:|---:|"]
        for card, _ in sorted(entries, key=lambda e: -e[0].total):
            lines.append(
                f"| {_md(card.who)} | {card.total:.0f} | {card.speed.score:.0f} | "
                f"{card.tone.score:.0f} | {card.plan.score:.0f} |"
            )
        lines.append("")
    for card, _rec in entries:
        lines += (
            [
                f"## {_md(card.who)}: {card.total:.0f}/100",
                "",
                f"Speed {card.speed.score:.0f} · Tone {card.tone.score:.0f} · Plan {card.plan.score:.0f}",
                "",
                "### Coaching",
                "",
            ]
            + [f"- {_md(c)}" for c in card.coaching]
            + ["", "### Must-handle posts", ""]
        )
        for row in card.must_handle:
            lines.append(f"- **{_md(row['author'])}** ({format_time(row['t'])}): {_md(row['text'])}")
            for a in row["answers"]:
                lines.append(f"  - you ({_md(a['kind'])}, {format_time(a['t'])}): {_md(a['text'])}")
            if not row["answers"]:
                lines.append("  - you: *not answered*")
            lines.append(f"  - model answer: {_md(row['model_answer'])}")
        lines += ["", "### Best and worst replies", ""]
        ranked = sorted(card.replies, key=lambda r: r.score)
        for r in list(reversed(ranked[-3:])) + ranked[:3]:
            lines.append(f"- {r.score}/100 \\[{_md(', '.join(r.flags))}\\]: {_md(r.text)}")
        lines += ["", "### Evidence", "", "| time | part | what | points |", "|---|---|---|---:|"]
        for e in sorted(card.evidence, key=lambda e: (e.t, e.part)):
            lines.append(f"| {format_time(e.t)} | {_md(e.part)} | {_md(e.what)} | {e.points:+.1f} |")
        lines.append("")
    return "\n".join(lines) + "\n"
