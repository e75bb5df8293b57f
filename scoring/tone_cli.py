"""`stormdrill tone`: one reply per input line in, one result per line out."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from sim.scenario.text import clean_text

from .tone import ToneContext, analyze

MAX_LINE = 4000


def run(lines: Iterable[str], out: TextIO, as_json: bool) -> int:
    """Score each line; plain output is ``score<TAB>flag,flag``. Returns the exit status."""
    ctx = ToneContext(kind="reply")
    for raw in lines:
        text = clean_text(raw.rstrip("\n")[:MAX_LINE])
        result = analyze(text, ctx)
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
    out.flush()
    return 0
