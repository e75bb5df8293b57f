"""Author patterns and times: the small languages scenario files use.

A *pattern* is one or more phrases separated by ``|``. A phrase matches case-insensitively
where a word starts (``apolog`` matches "apologise" and "apology"); spaces in a phrase match
any run of white space. The token ``<number>`` matches any number, in digits ("2,400", "12.5",
"40%") or in words ("twelve", "hundreds", "a dozen"). Patterns are never regular expressions, so
they cannot fail or be slow.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .schema import DURATION_RE

_DURATION = re.compile(DURATION_RE)

NUMBER_TOKEN = "<number>"
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    "seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|a dozen|dozens?|"
    "hundreds?|thousands?|millions?|billions?|tens of thousands"
)
# Digits with separators, a decimal part, a percent or a k/m suffix; or a number in words.
_NUMBER_RX = rf"(?:\d[\d,.]*(?:\s?%|\s?percent|[km]\b)?|(?:{_NUMBER_WORDS})(?![a-z]))"


def _word(w: str) -> str:
    """One word of a phrase as a regular expression: the number token, or the word as written."""
    if w.lower() == NUMBER_TOKEN:
        return _NUMBER_RX
    return re.escape(w)


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile an author pattern to a regular expression (cached)."""
    alternatives = []
    for phrase in pattern.split("|"):
        words = phrase.strip().split()
        if not words:
            continue
        body = r"\s+".join(_word(w) for w in words)
        alternatives.append(rf"(?<![\w]){body}")
    if not alternatives:
        return re.compile(r"(?!x)x")  # matches nothing
    return re.compile("|".join(alternatives), re.IGNORECASE)


def matches(pattern: str, text: str) -> str | None:
    """The matched words of ``pattern`` in ``text``, or None."""
    m = compile_pattern(pattern).search(text)
    return m.group(0) if m else None


_NEGATION = re.compile(
    r"\b(not|no|none|nothing|nobody|no[- ]one|neither|nor|never|without|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|"
    r"don'?t|doesn'?t|didn'?t|hasn'?t|haven'?t|until|unless|before|whether|rule[sd]? out|false|untrue|deny|"
    r"denies)\b"
    r"[^.!?;:]{0,40}$",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"[^,.!?;:]{0,40}$")


def negated(before: str, *, clause: bool = False) -> bool:
    """Whether the words just before a match negate it or leave it open, in the same sentence
    ("none of our ingredients are contaminated", "it was not sabotage", "on whether it was
    overbooked"), or with ``clause`` in the same clause (a comma ends it: "not our fault, it's their
    fault" still blames)."""
    if clause:
        m = _CLAUSE.search(before)
        before = m.group(0) if m else before
    return bool(_NEGATION.search(before))


_QUOTES = "'\"‘’“”«»"


def quoted(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` stands in quotation marks: a word mentioned, not used
    ("the memo that called him 'belligerent' was wrong")."""
    return start > 0 and end < len(text) and text[start - 1] in _QUOTES and text[end] in _QUOTES


def asserted(pattern: str, text: str, *, mentions: bool = False) -> str | None:
    """Like :func:`matches`, but skips uses the sentence negates ("it is not fixed yet", "not a hack");
    with ``mentions`` also words quoted to disown them (lines to avoid, triggers on words; an
    embargoed fact is out whether quoted or not)."""
    for m in compile_pattern(pattern).finditer(text):
        if negated(text[max(0, m.start() - 60) : m.start()]):
            continue
        if not (mentions and quoted(text, m.start(), m.end())):
            return m.group(0)
    return None


_LIVE_FIELD = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")


def live_fields(text: str) -> list[str]:
    """The ``{name}`` placeholders in a format 2 post's text (``{{name}}`` is literal)."""
    return _LIVE_FIELD.findall(text)


def fill_live(text: str, values: dict[str, str]) -> str:
    """Fill the known ``{name}`` placeholders of a format 2 post; others stay as written, and
    ``{{`` / ``}}`` become single braces."""
    filled = _LIVE_FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), text)
    return filled.replace("{{", "{").replace("}}", "}")


def to_seconds(value: object) -> int | None:
    """A scenario time (minutes as a number, or a duration string) in whole seconds; None if invalid."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if value < 0 or value != value or value in (float("inf"),):
            return None
        return round(value * 60)
    if isinstance(value, str):
        m = _DURATION.match(value)
        if not m or not any(m.groups()):
            return None
        h, mi, s = (float(g) if g else 0.0 for g in m.groups())
        return round(h * 3600 + mi * 60 + s)
    return None


def format_time(seconds: float) -> str:
    """Scenario time as ``12m`` / ``12m30s`` / ``1h05m``, the way authors write it."""
    seconds = round(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    if h:
        return f"{h}h{m:02d}m" + (f"{s:02d}s" if s else "")
    return f"{m}m" + (f"{s:02d}s" if s else "")


def clock_label(start_minutes: int, seconds: float) -> str:
    """The wall-clock label ``HH:MM`` of scenario time ``seconds``."""
    total = (start_minutes + int(seconds // 60)) % (24 * 60)
    return f"{total // 60:02d}:{total % 60:02d}"


def span(seconds: float) -> str:
    """A duration that cannot be mistaken for a time of day: 45s, 2m05s, 1h02m."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"
