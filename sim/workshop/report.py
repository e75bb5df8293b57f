"""The cohort debrief of a workshop, from the score cards in the results store.

HTML (self-contained, no scripts, every untrusted text escaped): a leaderboard with date and
session, the spread of each pillar as an inline SVG, the most common mistakes with their counts,
everyone's answers to each must-handle post beside the model answer, and hot-wash questions drawn
from the most common mistakes. CSV and JSON: one row per trainee. xAPI: one ``completed`` statement
per finished session, as a learning record store imports them.
"""

from __future__ import annotations

import csv
import html
import io
import json
import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from statistics import median
from typing import Any

from sim.scenario.model import POSITIVE_TONE_FLAGS
from sim.scenario.patterns import format_time

from .store import Finished, Store, WorkshopInfo

PILLARS = ("total", "speed", "tone", "plan")
PASS_MARK = 60.0  # a session "succeeds" (xAPI result.success) at this total or above
XAPI_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
XAPI_SIMULATION = "http://adlnet.gov/expapi/activities/simulation"
TOP_MISTAKES = 10
QUESTIONS = 5

# Plain words for the scoring rules that cost points (rule ids: docs/scoring.md).
RULES = {
    "speed.first_statement": "The first public statement came late",
    "speed.cadence": "Long public silences between updates",
    "speed.must_handle": "A must-handle post answered late or not at all",
    "speed.promise_broken": "A promised update time passed without an update",
    "speed.priority_posts": "High-priority posts waited too long",
    "speed.crowd": "The crowd's questions went unanswered",
    "speed.triage": "Time spent on posts that did not need an answer",
    "tone.unanswered": "Posts that needed an answer got none",
    "tone.must_not_say": "Said something the scenario says never to say",
    "tone.must_mention": "Left out what a must-handle answer had to mention",
    "tone.avoid": "Used a line to avoid",
    "tone.worst_public": "A harmful public reply",
    "plan.missing": "No action plan",
    "plan.late": "The action plan came late",
    "plan.thin": "A thin action plan (few concrete steps)",
    "plan.coverage": "The plan left out key points",
    "plan.internal": "Internal details in the public plan",
    "plan.filler": "Filler steps in the plan",
    "plan.contradiction": "The plan contradicts the briefings",
    "plan.tone": "The plan's tone undermines it",
}
# Hot-wash questions for the most common mistakes (a flag of the reply judge, or a rule).
HOT_WASH = {
    "blames": "Several of you put the blame on a customer or a partner. What would owning it have sounded like?",
    "defensive": "Where did we defend the company before helping the person, and what did it cost us?",
    "dismissive": "Which replies played the problem down? How would the person reading them have felt?",
    "non_apology": '"Sorry if ..." came up often. What makes an apology sound real?',
    "legalese": "Where did corporate or legal wording creep in, and how would you say it to a neighbour?",
    "hostile": "Some replies turned hostile or sarcastic. What pushed us there, and what helps keep calm?",
    "sarcastic": "Some replies mocked the person. What pushed us there, and what helps keep calm?",
    "speculates": "We guessed at causes that were not confirmed. How do you say 'we do not know yet' well?",
    "over_promises": "We promised what nobody can know yet. What can you promise at this stage?",
    "copy_paste": "Stock answers were pasted again and again. How do you stay fast and still personal?",
    "vague": "Many texts said nothing concrete. What fact, step or time could each have given?",
    "denies": "We disputed people's own accounts. How do you correct a fact without calling someone a liar?",
    "false_reassurance": "We reassured people about safety without grounds. What instruction should we have given?",
    "asks_pii_public": "Personal details were asked for in public. Where should that conversation happen?",
    "contradicts_briefing": "Some texts contradicted what the team had confirmed. How do you keep up with briefings?",
    "speed.first_statement": "The first statement came late for many. What stopped us posting a holding line sooner?",
    "speed.cadence": "Long silences came up often. How do you keep a rhythm of updates when nothing is new?",
    "speed.must_handle": "Must-handle posts waited. How did you spot (or miss) the posts that mattered most?",
    "speed.promise_broken": "Promised update times passed. How do you promise a time you can keep?",
    "tone.unanswered": "Posts that needed an answer got none. How did you choose whom to answer?",
    "plan.missing": "Many of us never published a plan. What got in the way?",
    "plan.late": "Plans came late. What is the smallest plan worth publishing early?",
    "plan.thin": "Plans were thin. Who does what, by when: what would you add?",
}


@dataclass
class Row:
    rank: int
    name: str
    session_id: int
    started: datetime
    finished: datetime
    total: float
    speed: float
    tone: float
    plan: float
    card: dict[str, Any]

    @property
    def duration_s(self) -> float:
        return max(0.0, (self.finished - self.started).total_seconds())


@dataclass
class Mistake:
    key: str  # a flag or a rule id
    label: str
    count: int  # how many times in all
    trainees: int  # how many trainees made it
    example: str = ""


@dataclass
class Cohort:
    workshop: WorkshopInfo
    rows: list[Row]
    mistakes: list[Mistake] = field(default_factory=list)
    must_handle: list[dict[str, Any]] = field(default_factory=list)  # post, author, text, model, answers
    questions: list[str] = field(default_factory=list)


def _score(card: Mapping[str, Any], pillar: str) -> float:
    value = card.get("total") if pillar == "total" else (card.get(pillar) or {}).get("score")
    return float(value) if isinstance(value, int | float) else 0.0


def _mistakes(rows: list[Row]) -> list[Mistake]:
    from scoring.tone import FLAG_DESCRIPTIONS

    counts: Counter[str] = Counter()
    who: dict[str, set[int]] = defaultdict(set)
    example: dict[str, str] = {}
    positive = set(POSITIVE_TONE_FLAGS)
    for row in rows:
        for reply in row.card.get("replies", []):
            for flag in reply.get("flags", []):
                if flag in positive:
                    continue
                counts[flag] += 1
                who[flag].add(row.session_id)
                example.setdefault(flag, str(reply.get("text", "")))
        for ev in row.card.get("evidence", []):
            rule = str(ev.get("rule", ""))
            if float(ev.get("points", 0) or 0) < 0 and rule.split(".")[0] in ("speed", "tone", "plan"):
                counts[rule] += 1
                who[rule].add(row.session_id)
                example.setdefault(rule, str(ev.get("what", "")))
    ranked = sorted(counts, key=lambda k: (-len(who[k]), -counts[k], k))[:TOP_MISTAKES]
    return [
        Mistake(
            k,
            RULES.get(k) or FLAG_DESCRIPTIONS.get(k, k.replace("_", " ")).rstrip("."),
            counts[k],
            len(who[k]),
            example.get(k, ""),
        )
        for k in ranked
    ]


def _must_handle(rows: list[Row]) -> list[dict[str, Any]]:
    posts: dict[str, dict[str, Any]] = {}
    for row in rows:
        for mh in row.card.get("must_handle", []):
            entry = posts.setdefault(
                str(mh.get("post")),
                {
                    "post": mh.get("post"),
                    "t": mh.get("t", 0),
                    "author": mh.get("author", ""),
                    "text": mh.get("text", ""),
                    "model_answer": mh.get("model_answer", ""),
                    "answers": [],
                },
            )
            entry["answers"].append(
                {
                    "trainee": row.name,
                    "in_time": bool(mh.get("in_time")),
                    "first_reply_s": mh.get("first_reply_s"),
                    "texts": [str(a.get("text", "")) for a in mh.get("answers", [])],
                }
            )
    return sorted(posts.values(), key=lambda p: (float(p["t"] or 0), str(p["post"])))


def _questions(mistakes: list[Mistake], n_trainees: int) -> list[str]:
    out = []
    for m in mistakes:
        q = HOT_WASH.get(m.key) or HOT_WASH.get(m.key.split(".")[0] + "." + m.key.split(".")[-1])
        if q is None:
            q = f'"{m.label}" came up for {m.trainees} of {n_trainees}. What made it hard to avoid?'
        out.append(f"{q} ({m.trainees} of {n_trainees} trainees, {m.count} times)")
        if len(out) == QUESTIONS:
            break
    return out


def build_cohort(store: Store, workshop: WorkshopInfo) -> Cohort:
    return cohort_from(workshop, store.finished(workshop.id))


def cohort_from(workshop: WorkshopInfo, finished: list[Finished]) -> Cohort:
    ordered = sorted(finished, key=lambda f: (-f.total, f.name.casefold(), f.session_id))
    rows = [
        Row(
            i + 1,
            f.name,
            f.session_id,
            f.started,
            f.finished,
            _score(f.card, "total"),
            _score(f.card, "speed"),
            _score(f.card, "tone"),
            _score(f.card, "plan"),
            f.card,
        )
        for i, f in enumerate(ordered)
    ]
    mistakes = _mistakes(rows)
    return Cohort(workshop, rows, mistakes, _must_handle(rows), _questions(mistakes, len(rows)))


# --------------------------------------------------------------------------- tables


def table_rows(cohort: Cohort) -> list[dict[str, Any]]:
    """One row per trainee (CSV and JSON)."""
    out = []
    for r in cohort.rows:
        sp = r.card.get("speed", {})
        out.append(
            {
                "rank": r.rank,
                "trainee": r.name,
                "session": r.session_id,
                "workshop": cohort.workshop.id,
                "scenario": cohort.workshop.scenario,
                "seed": cohort.workshop.seed,
                "started": r.started.isoformat(timespec="seconds"),
                "finished": r.finished.isoformat(timespec="seconds"),
                "total": round(r.total, 1),
                "speed": round(r.speed, 1),
                "tone": round(r.tone, 1),
                "plan": round(r.plan, 1),
                "first_statement_s": sp.get("first_statement_s"),
                "must_handle_in_time_pct": sp.get("must_handle_in_time_pct"),
                "replies": len(r.card.get("replies", [])),
            }
        )
    return out


def build_csv(cohort: Cohort) -> str:
    rows = table_rows(cohort)
    buf = io.StringIO()
    fields = list(rows[0]) if rows else ["rank", "trainee"]
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        # A spreadsheet would run a name starting with = + - @ as a formula: keep it text.
        writer.writerow({k: (f"'{v}" if isinstance(v, str) and v[:1] in "=+-@\t\r" else v) for k, v in row.items()})
    return buf.getvalue()


def build_json(cohort: Cohort) -> str:
    return json.dumps(table_rows(cohort), indent=2, ensure_ascii=False) + "\n"


def iso_duration(seconds: float) -> str:
    """ISO 8601 duration: PT1H2M3.5S."""
    seconds = max(0.0, round(seconds, 2))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    out = "PT" + (f"{int(h)}H" if h else "") + (f"{int(m)}M" if m else "")
    if s or out == "PT":
        out += f"{s:g}S"
    return out


def xapi_statements(cohort: Cohort) -> list[dict[str, Any]]:
    """One xAPI 1.0.3 ``completed`` statement per finished session."""
    w = cohort.workshop
    registration = str(uuid.UUID(hex=w.id)) if len(w.id) == 32 else str(uuid.uuid5(uuid.NAMESPACE_URL, w.id))
    out = []
    for r in cohort.rows:
        out.append(
            {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:stormdrill:workshop:{w.id}:session:{r.session_id}")),
                "actor": {
                    "objectType": "Agent",
                    "name": r.name,
                    "account": {"homePage": "urn:stormdrill", "name": f"{w.id}:{r.session_id}"},
                },
                "verb": {"id": XAPI_COMPLETED, "display": {"en-US": "completed"}},
                "object": {
                    "objectType": "Activity",
                    "id": f"urn:stormdrill:scenario:{w.scenario}",
                    "definition": {"name": {"en-US": w.scenario_title or w.scenario}, "type": XAPI_SIMULATION},
                },
                "result": {
                    "score": {"scaled": round(r.total / 100, 4), "raw": round(r.total, 1), "min": 0, "max": 100},
                    "success": r.total >= PASS_MARK,
                    "completion": True,
                    "duration": iso_duration(r.duration_s),
                },
                "context": {"registration": registration, "platform": "Stormdrill"},
                "timestamp": r.finished.isoformat(timespec="seconds"),
            }
        )
    return out


def build_xapi(cohort: Cohort) -> str:
    return json.dumps(xapi_statements(cohort), indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- HTML


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def spread_svg(cohort: Cohort, width: int = 720) -> str:
    """Each pillar on a 0-100 line: one dot per trainee, the median as a bar."""
    left, top, row_h = 70, 16, 34
    height = top + row_h * len(PILLARS) + 24
    span = width - left - 20

    def x(v: float) -> float:
        return left + span * max(0.0, min(100.0, v)) / 100

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        'aria-label="The spread of each pillar across the cohort">'
    ]
    for i, pillar in enumerate(PILLARS):
        y = top + i * row_h + row_h / 2
        values = [getattr(r, pillar) for r in cohort.rows]
        parts.append(f'<text x="{left - 8}" y="{y + 4}" font-size="12" text-anchor="end">{pillar}</text>')
        parts.append(f'<line x1="{left}" y1="{y}" x2="{left + span}" y2="{y}" stroke="#c9d1dd"/>')
        if values:
            lo, hi, mid = min(values), max(values), median(values)
            parts.append(
                f'<rect x="{x(lo):.1f}" y="{y - 6}" width="{max(1.0, x(hi) - x(lo)):.1f}" height="12" '
                f'fill="#e3ebf7"><title>{pillar}: {lo:.0f} to {hi:.0f}</title></rect>'
            )
            for r in cohort.rows:
                v = getattr(r, pillar)
                parts.append(
                    f'<circle cx="{x(v):.1f}" cy="{y}" r="4" fill="#2f6fdf" fill-opacity="0.7">'
                    f"<title>{_e(r.name)}: {v:.0f}</title></circle>"
                )
            parts.append(
                f'<rect x="{x(mid) - 1.5:.1f}" y="{y - 10}" width="3" height="20" fill="#b3261e">'
                f"<title>median {mid:.0f}</title></rect>"
            )
    axis_y = top + row_h * len(PILLARS) + 12
    for v in range(0, 101, 20):
        parts.append(f'<text x="{x(v):.1f}" y="{axis_y}" font-size="11" text-anchor="middle">{v}</text>')
    parts.append("</svg>")
    return "".join(parts)


def build_html(cohort: Cohort) -> str:
    from scoring.report import _CSS

    w = cohort.workshop
    title = f"Workshop debrief: {w.scenario_title or w.scenario}"
    n = len(cohort.rows)
    body = [
        f"<h1>{_e(title)}</h1>",
        f'<p class="sub">Scenario <code>{_e(w.scenario)}</code>, seed {w.seed}, workshop <code>{_e(w.id[:8])}</code> '
        f"of {_e(w.created.strftime('%Y-%m-%d %H:%M'))} UTC. {n} finished session{'s' if n != 1 else ''}.</p>",
        "<h2>Leaderboard</h2><table><tr><th class=num>#</th><th>trainee</th><th class=num>total</th>"
        "<th class=num>speed</th><th class=num>tone</th><th class=num>plan</th><th>finished</th><th>session</th></tr>",
    ]
    for r in cohort.rows:
        body.append(
            f"<tr><td class=num>{r.rank}</td><td>{_e(r.name)}</td><td class=num><b>{r.total:.0f}</b></td>"
            f"<td class=num>{r.speed:.0f}</td><td class=num>{r.tone:.0f}</td><td class=num>{r.plan:.0f}</td>"
            f"<td>{_e(r.finished.strftime('%Y-%m-%d %H:%M'))}</td><td>{r.session_id}</td></tr>"
        )
    body.append("</table><h2>Spread of each pillar</h2>")
    body.append('<p class="legend"><span>● one trainee</span><span style="color:#b3261e">▮ median</span></p>')
    body.append(spread_svg(cohort))
    body.append("<h2>Most common mistakes</h2>")
    if cohort.mistakes:
        body.append(
            "<table><tr><th>mistake</th><th class=num>trainees</th><th class=num>times</th><th>for example</th></tr>"
        )
        for m in cohort.mistakes:
            body.append(
                f"<tr><td>{_e(m.label)} <code>{_e(m.key)}</code></td><td class=num>{m.trainees} of {n}</td>"
                f"<td class=num>{m.count}</td><td><div class=quote>{_e(m.example)}</div></td></tr>"
            )
        body.append("</table>")
    else:
        body.append("<p>No mistakes that cost points. Well played.</p>")
    body.append("<h2>Hot-wash questions</h2><ol>" + "".join(f"<li>{_e(q)}</li>" for q in cohort.questions) + "</ol>")
    body.append("<h2>Must-handle posts, side by side</h2>")
    for mh in cohort.must_handle:
        body.append(
            f"<h3>{_e(mh['author'])} at {format_time(float(mh['t'] or 0))}</h3><div class=quote>{_e(mh['text'])}</div>"
            "<table><tr><th>trainee</th><th>answer</th></tr>"
        )
        for a in mh["answers"]:
            texts = "".join(f"<div class=quote>{_e(t)}</div>" for t in a["texts"]) or "<b class=bad>not answered</b>"
            timing = "in time" if a["in_time"] else ("late" if a["first_reply_s"] is not None else "missed")
            body.append(f"<tr><td>{_e(a['trainee'])} ({timing})</td><td>{texts}</td></tr>")
        body.append(
            f"<tr><td><b>Model answer</b></td><td><div class='quote model'>{_e(mh['model_answer'])}</div></td>"
            "</tr></table>"
        )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_CSS}</style></head>'
        f"<body>{''.join(body)}</body></html>\n"
    )


BUILDERS = {"html": build_html, "csv": build_csv, "json": build_json, "xapi": build_xapi}


def write_outputs(cohort: Cohort, outputs: Mapping[str, str | None]) -> list[str]:
    written = []
    for kind, path in outputs.items():
        if path:
            Path(path).write_text(BUILDERS[kind](cohort), encoding="utf-8")
            written.append(path)
    return written
