"""`stormdrill tone`: texts in, one judgement per text out, with the context the game gives.

Plain mode reads one reply per line. ``--jsonl`` reads one JSON object per line: ``text``
(required), and optionally ``post`` (the post it answers), ``author`` (the poster's name), ``kind``
(``reply``, ``update``, ``private`` or ``plan``) and ``earlier`` (a list of texts sent before it). The
judge is the game's own (scoring.judge), given the same context the game gives it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from sim.scenario.text import clean_text

from .judge import judge_many
from .tone import ToneContext, ToneResult

MAX_LINE = 4000
BATCH = 64
KINDS = {"reply": "reply", "update": "update", "private": "dm", "plan": "plan"}
FIELDS = {"text", "post", "author", "kind", "earlier"}


class BadLine(ValueError):
    pass


def parse_jsonl(raw: str, n: int) -> tuple[str, ToneContext]:
    """One input object as (text, context); a clear message naming the line when it is not one."""
    try:
        obj: Any = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise BadLine(f"line {n}: not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise BadLine(f"line {n}: expected a JSON object with a `text` field, got {type(obj).__name__}")
    unknown = sorted(set(obj) - FIELDS)
    if unknown:
        raise BadLine(f"line {n}: unknown field {', '.join(map(repr, unknown))} (known: {', '.join(sorted(FIELDS))})")
    if "text" not in obj:
        raise BadLine(f"line {n}: missing the required field `text`")
    for key in ("text", "post", "author", "kind"):
        if key in obj and not isinstance(obj[key], str):
            raise BadLine(f"line {n}: `{key}` must be a string, got {type(obj[key]).__name__}")
    kind = obj.get("kind", "reply")
    if kind not in KINDS:
        raise BadLine(f"line {n}: `kind` must be one of {', '.join(KINDS)}, got {clean_text(kind, single_line=True)!r}")
    earlier = obj.get("earlier", [])
    if not isinstance(earlier, list) or not all(isinstance(e, str) for e in earlier):
        raise BadLine(f"line {n}: `earlier` must be a list of strings")
    ctx = ToneContext(
        kind=KINDS[kind],
        post_text=clean_text(obj.get("post", ""))[:MAX_LINE],
        author_name=clean_text(obj.get("author", ""), single_line=True)[:200],
        earlier_replies=tuple(clean_text(e)[:MAX_LINE] for e in earlier[-40:]),
    )
    return clean_text(obj["text"])[:MAX_LINE], ctx


def _emit(out: TextIO, text: str, result: ToneResult, as_json: bool) -> None:
    if as_json:
        out.write(
            json.dumps(
                {
                    "score": result.score,
                    "flags": list(result.flags),
                    "positive": list(result.positive),
                    "negative": list(result.negative),
                    "politeness": result.politeness,
                    "evidence": [
                        {"flag": h.flag, "points": h.points, "match": h.match, "why": h.why} for h in result.hits
                    ],
                    "text": text,
                },
                ensure_ascii=False,
            )
            + "\n"
        )
    else:
        out.write(f"{result.score}\t{','.join(result.flags)}\n")


def run(lines: Iterable[str], out: TextIO, as_json: bool, jsonl: bool = False, err: TextIO | None = None) -> int:
    """Judge each input line. Returns the exit status: 2 (and nothing judged) if any line is bad."""
    items: list[tuple[str, ToneContext]] = []
    problems: list[str] = []
    plain = ToneContext(kind="reply")
    for n, raw in enumerate(lines, 1):
        raw = raw.rstrip("\n")
        if jsonl:
            if not raw.strip():
                continue
            try:
                items.append(parse_jsonl(raw, n))
            except BadLine as exc:
                problems.append(str(exc))
        else:
            items.append((clean_text(raw[:MAX_LINE]), plain))
    if problems:
        if err is not None:
            for p in problems[:20]:
                err.write(f"stormdrill tone: {p}\n")
            if len(problems) > 20:
                err.write(f"stormdrill tone: ... and {len(problems) - 20} more bad lines\n")
        return 2
    for start in range(0, len(items), BATCH):
        chunk = items[start : start + BATCH]
        results = judge_many([t for t, _ in chunk], [c for _, c in chunk])
        for (text, _), result in zip(chunk, results, strict=True):
            _emit(out, text, result, as_json)
        out.flush()
    return 0
