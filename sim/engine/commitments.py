"""Commitments: a public text that promises a time becomes a due time, kept or broken.

"next update at 11:00", "at 3pm", "by 15:30", "within the hour", "in 30 minutes", "within 2
hours", "next update in 20 mins". Clock times map through the scenario's start clock (minute 0
is ``start_clock``); a clock time already past means the next occurrence (12 hours later when no
am/pm is given and that fits, else the next day). Only sentences that promise news count (they
mention an update, more information, getting back, ...), so "refunds within 48 hours" is not an
update promise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

GRACE = 60.0

_CUE = re.compile(
    r"\b(update|updates|updated|back to you|get back|post again|more (news|information|info|details)|"
    r"let you know|hear from us|report back|next|keep you posted|share more|check in)\b",
    re.IGNORECASE,
)
_CLOCK = re.compile(
    r"\b(?:at|by|before|around|until|@)\s*(?P<h>[01]?\d|2[0-3])(?:[:.h](?P<m>[0-5]\d))?\s*(?P<ap>a\.?m\.?|p\.?m\.?)?"
    r"(?![\w:])",
    re.IGNORECASE,
)
_NOON = re.compile(r"\b(?:at|by|before)\s+(?P<w>noon|midday|midnight)\b", re.IGNORECASE)
_REL = re.compile(
    r"\b(?:within|in|inside)\s+(?:the\s+next\s+|the\s+|about\s+|around\s+)?"
    r"(?P<n>\d+(?:\.\d+)?|an?|one|two|three|four|five|ten|fifteen|twenty|thirty|forty[- ]five|half an?)\s*"
    r"(?P<u>minutes?|mins?|hours?|hrs?|h\b|m\b)",
    re.IGNORECASE,
)
_HOUR = re.compile(r"\bwithin\s+(?:the|an|one)\s+hour\b|\bthe\s+top\s+of\s+the\s+hour\b", re.IGNORECASE)
_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "ten": 10,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty-five": 45,
    "forty five": 45,
    "half a": 0.5,
    "half an": 0.5,
}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_BARE = re.compile(
    r"\b(?P<h>[01]?\d|2[0-3])(?:[:.h](?P<m>[0-5]\d))?\s*(?P<ap>a\.?m\.?|p\.?m\.?)?(?![\w:])", re.IGNORECASE
)


@dataclass
class Commitment:
    made: float
    due: float
    source: int  # action seq
    words: str
    status: str = "open"  # open | kept | broken


def _clock_due(h: int, m: int, ap: str | None, now: float, start_minutes: int) -> float:
    if ap:
        ap = ap.lower().replace(".", "")
        if h > 12:
            return -1.0
        if ap == "pm" and h != 12:
            h += 12
        if ap == "am" and h == 12:
            h = 0
    target = (h * 60 + m - start_minutes) % 1440 * 60.0
    # The same clock time can be reached again later: prefer the first one after now.
    while target < now - GRACE:
        target += 720 * 60.0 if not ap and h < 12 and target + 720 * 60.0 >= now - GRACE else 1440 * 60.0
    return target


def promised_due(text: str, now: float, start_minutes: int, *, require_cue: bool = True) -> tuple[float, str] | None:
    """The earliest update time ``text`` promises after ``now``, with the words that promise it."""
    best: tuple[float, str] | None = None
    for sentence in _SENTENCE_END.split(text[:4000]):
        if require_cue and not _CUE.search(sentence):
            continue
        found: list[tuple[float, str]] = []
        for m in (_CLOCK if require_cue else _BARE).finditer(sentence):
            due = _clock_due(int(m.group("h")), int(m.group("m") or 0), m.group("ap"), now, start_minutes)
            if m.group("m") is None and not m.group("ap"):
                continue  # "at 3" alone is too ambiguous ("at 3 stores")
            if due >= 0:
                found.append((due, m.group(0).strip()))
        for m in _NOON.finditer(sentence):
            h = 0 if m.group("w").lower() == "midnight" else 12
            found.append((_clock_due(h, 0, None, now, start_minutes), m.group(0)))
        for m in _REL.finditer(sentence):
            raw = m.group("n").lower()
            n = float(raw) if raw[0].isdigit() else float(_WORDS.get(raw, 1))
            unit = m.group("u").lower()
            seconds = n * (3600 if unit.startswith("h") else 60)
            if 0 < seconds <= 48 * 3600:
                found.append((now + seconds, m.group(0)))
        for m in _HOUR.finditer(sentence):
            found.append((now + 3600, m.group(0)))
        for due, words in found:
            if due > now and (best is None or due < best[0]):
                best = (due, words)
    return best
