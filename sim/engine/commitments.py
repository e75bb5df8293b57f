"""Commitments: a public text that promises a time becomes a due time, kept or broken.

"next update at 11:00", "at 3pm", "by 15:30", "at noon", "within the hour", "in 30 minutes",
"within 2 hours", "at the top of the hour", and the plan's next-update field. Only sentences that
promise news count (they mention an update, more information, getting back, ...), so "refunds
within 48 hours" is not an update promise.

Clock times map through the scenario's start clock (minute 0 is ``start_clock``) to the first
occurrence not already past: "at 3:00" said at 09:00 means 15:00 (no am/pm: whichever of 3:00 and
15:00 comes first), "at 3am" means tomorrow 03:00, "at 08:30" (a leading zero or an hour past 12
reads as 24-hour time) said at 09:10 means tomorrow 08:30.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

GRACE = 60.0
DAY = 86400.0
MAX_AHEAD = 48 * 3600.0

_CUE = re.compile(
    r"\b(?:updates?|updated|updating|back to you|(?:be|come|get|getting|report|check|checking) back|post again|"
    r"more (?:news|information|info|details|soon|at|by|in|within|from us)|let (?:you|everyone) know|"
    r"hear from us|next|keep (?:you|everyone) (?:posted|informed|updated)|share more|check in|statement|"
    r"briefing|again at|again in|again by|(?:message|call|ring|phone|e-?mail|contact|dm|text|write to) "
    r"(?:you|her|him|them)|in touch|hear back)\b",
    re.IGNORECASE,
)
_PREP = r"(?P<prep>\b(?:at|by|before|around|until|till|from|@)\s*)?"
_CLOCK = re.compile(
    _PREP + r"(?<![\w£$€¥.:,/-])(?P<h>[01]?\d|2[0-3])"
    r"(?:(?P<sep>[:.h])(?P<m>[0-5]\d))?\s*"
    r"(?:(?P<ap>[ap])\.?\s?m\b\.?|(?P<oclock>o'?clock)\b)?"
    r"(?![\w:%£$€])",
    re.IGNORECASE,
)
_NOON = re.compile(r"\b(?:at|by|before|around|until)\s+(?:12\s+)?(?P<w>noon|midday|midnight)\b", re.IGNORECASE)
_NUMBER = (
    r"\d{1,3}(?:\.\d+)?|an?|one|two|three|four|five|six|ten|fifteen|twenty|thirty|forty[- ]five|ninety|half an?|"
    r"a half|a couple of"
)
_REL = re.compile(
    r"\b(?:within|in|inside|in under|in less than)\s+"
    r"(?:the\s+next\s+|the\s+|about\s+|around\s+|roughly\s+|approximately\s+|another\s+)?"
    rf"(?P<n>{_NUMBER})\s*(?P<u>minutes?|mins?|hours?|hrs?|h|m)\b",
    re.IGNORECASE,
)
_HOUR = re.compile(r"\b(?:within|in|inside)\s+(?:the\s+(?:next\s+)?|an\s+|one\s+)hour\b", re.IGNORECASE)
_TOP = re.compile(r"\btop of the hour\b", re.IGNORECASE)
_WORDS = {
    "a": 1.0,
    "an": 1.0,
    "one": 1.0,
    "two": 2.0,
    "three": 3.0,
    "four": 4.0,
    "five": 5.0,
    "six": 6.0,
    "ten": 10.0,
    "fifteen": 15.0,
    "twenty": 20.0,
    "thirty": 30.0,
    "forty-five": 45.0,
    "forty five": 45.0,
    "ninety": 90.0,
    "half a": 0.5,
    "half an": 0.5,
    "a half": 0.5,
    "a couple of": 2.0,
}
# A time heading a text ("09:19 update:", "Update 3pm -", "Update 09:05.", "Statement (as of 10:40):")
# labels it; it promises nothing.
_TIME = r"(?P<time>[0-2]?\d[:.][0-5]\d(?:\s?[ap]m)?|\d{1,2}\s?[ap]m)"
_LABEL = re.compile(r"^\W*" + _TIME + r"\s*(?:update|statement|[-:–])", re.IGNORECASE)
_LABEL_AFTER = re.compile(
    r"^\W*(?:(?:an? |our )?(?:latest |new )?(?:update|statement|status|latest)(?: (?:no\.?|number) ?\d+)?)\s*"
    r"(?:[-:–(,]\s*)?(?:as (?:of|at) )?" + _TIME + r"(?=\s*(?:[-:–).,]|$))",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass
class Commitment:
    made: float
    due: float
    source: int  # action seq
    words: str
    status: str = "open"  # open | kept | broken
    audience: str = "public"  # "public" (a statement), or the account a reply or private message promised

    def kept_by(self, kind: str, author: str | None) -> bool:
        """Whether an action keeps this promise: a public update keeps every promise of news; a reply
        or private message keeps a promise made to that same person."""
        if kind in ("update", "plan"):
            return True
        return self.audience != "public" and author == self.audience


def _first_after(minute_of_day: int, now: float, start_minutes: int) -> float:
    """The first scenario time showing ``minute_of_day`` on the clock, not already past (grace aside)."""
    t = (minute_of_day - start_minutes) % 1440 * 60.0
    while t < now - GRACE:
        t += DAY
    return t


def clock_due(h: int, m: int, ap: str | None, now: float, start_minutes: int, *, h24: bool = False) -> float | None:
    """Scenario time of the clock time ``h:m`` (``ap`` "a"/"p" or None) promised at ``now``."""
    if ap:
        if not 1 <= h <= 12:
            return None
        hours = [h % 12 + (12 if ap.lower() == "p" else 0)]
    elif h24 or h == 0 or h > 12:
        hours = [h]
    else:
        hours = [h % 12, h % 12 + 12]  # no am/pm: whichever comes first
    return min(_first_after(hh * 60 + m, now, start_minutes) for hh in hours)


def _clock_times(sentence: str, now: float, start_minutes: int, *, bare: bool) -> list[tuple[float, str]]:
    found: list[tuple[float, str]] = []
    for mt in _CLOCK.finditer(sentence):
        h, sep, ap, prep = mt.group("h"), mt.group("sep"), mt.group("ap"), mt.group("prep")
        # "at 3" alone is too ambiguous ("at 3 stores"); "3.15" needs "at" or a time field (prices, versions).
        if not (ap or mt.group("oclock") or sep in (":", "h") or (sep == "." and (prep or bare))):
            continue
        due = clock_due(int(h), int(mt.group("m") or 0), ap, now, start_minutes, h24=len(h) == 2 and h[0] == "0")
        if due is not None:
            found.append((due, mt.group(0).strip()))
    for mt in _NOON.finditer(sentence):
        h = 0 if mt.group("w").lower() == "midnight" else 12
        found.append((_first_after(h * 60, now, start_minutes), mt.group(0)))
    return found


def _relative_times(sentence: str, now: float, start_minutes: int) -> list[tuple[float, str]]:
    found: list[tuple[float, str]] = []
    for mt in _REL.finditer(sentence):
        raw = " ".join(mt.group("n").lower().split())
        n = float(raw) if raw[0].isdigit() else _WORDS.get(raw, 1.0)
        seconds = n * (3600 if mt.group("u").lower().startswith("h") else 60)
        if 0 < seconds <= MAX_AHEAD:
            found.append((now + seconds, mt.group(0)))
    for mt in _HOUR.finditer(sentence):
        found.append((now + 3600, mt.group(0)))
    for mt in _TOP.finditer(sentence):
        clock_seconds = start_minutes * 60 + now
        found.append((now + 3600 - clock_seconds % 3600, mt.group(0)))
    return found


def _stated_times(
    text: str, now: float, start_minutes: int, *, require_cue: bool, relative: bool = True
) -> list[tuple[float, str]]:
    """Every (due, words) a text states for an update: clock times, and relative ones ("in 20 minutes")
    unless ``relative`` is false; only in sentences that promise an update unless ``require_cue`` is false."""
    found: list[tuple[float, str]] = []
    for sentence in _SENTENCE_END.split(text[:4000]):
        if require_cue and not _CUE.search(sentence):
            continue
        found += _clock_times(sentence, now, start_minutes, bare=not require_cue)
        if relative:
            found += _relative_times(sentence, now, start_minutes)
    return found


def promised_due(text: str, now: float, start_minutes: int, *, require_cue: bool = True) -> tuple[float, str] | None:
    """The earliest update time ``text`` promises after ``now``, with the words that promise it.

    ``require_cue=False`` reads a dedicated next-update field ("10:30", "in 20 minutes"), where a
    bare time is enough.
    """
    best: tuple[float, str] | None = None
    label = _LABEL.match(text) or _LABEL_AFTER.match(text)
    for due, words in _stated_times(text, now, start_minutes, require_cue=require_cue):
        if label and words.lower().endswith(label.group("time").strip().lower()):
            continue  # "09:19 update: ..." is the time of this update, not a promise of the next
        if now < due <= now + MAX_AHEAD and (best is None or due < best[0]):
            best = (round(float(due), 3), words)
    return best


def stale_times(text: str, now: float, start_minutes: int, *, require_cue: bool = True) -> list[str]:
    """Clock times promised in ``text`` that are not ahead of ``now`` ("next update at 10:00" said at
    10:00:30): they promise nothing, and the one who wrote them should be told."""
    stated = _stated_times(text, now, start_minutes, require_cue=require_cue, relative=False)
    return [words for due, words in stated if due <= now]
