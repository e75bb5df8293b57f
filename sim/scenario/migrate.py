"""Rewriting a format 1 scenario file as format 2, as text, so its comments and layout stay.

What changes between the formats, for a file that was valid format 1:

- ``format: 1`` becomes ``format: 2`` (or ``format: 2`` is added before the first key);
- every briefing's ``at`` becomes ``known_at`` (format 2 adds ``public_from`` beside it);
- an editor line pointing at the format 1 schema id points at the current one.

Everything else means the same in both formats. The rewrite is made at the exact positions the
YAML parser reports, then checked: the new file must validate as format 2 and build the same
scenario, or nothing is written.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from .load import build
from .model import Scenario
from .patterns import live_fields
from .problems import Problem
from .schema import SCHEMA_ID
from .validate import POST_PLACEHOLDERS, check
from .yamlpos import Parsed, parse_yaml

OLD_SCHEMA_ID = "https://stormdrill.invalid/schema/scenario-v1.json"


class MigrateError(Exception):
    """The file cannot be migrated; carries the problems, each with its line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Migration:
    text: str  # the file as format 2 (the same text when it already was)
    changes: tuple[tuple[int, str], ...]  # (line, what changed), in file order

    @property
    def needed(self) -> bool:
        return bool(self.changes)


@dataclass(frozen=True)
class _Edit:
    line: int  # 1-based
    col: int  # 1-based
    old: str
    new: str
    why: str


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _key_edit(lines: list[str], line: int, col: int, key: str, new: str, why: str) -> _Edit | None:
    """Rename the key written at (line, col), quoted or not; None if the text there is not that key."""
    src = lines[line - 1][col - 1 :]
    for quote in ("", '"', "'"):
        token = f"{quote}{key}{quote}"
        if src.startswith(token):
            return _Edit(line, col, token, f"{quote}{new}{quote}", why)
    return None


def _edits(text: str, parsed: Parsed, name: str) -> list[_Edit]:
    lines = _lines(text)
    data = parsed.data
    edits: list[_Edit] = []
    problems: list[Problem] = []
    if "format" in data:
        line, col = parsed.values[("format",)]
        if lines[line - 1][col - 1 :].startswith("1"):
            edits.append(_Edit(line, col, "1", "2", "`format: 1` is now `format: 2`"))
        else:
            problems.append(Problem(name, line, col, "cannot find the `format` value to rewrite", "write `format: 2`"))
    else:
        top = min(parsed.keys[(k,)] for k in data)
        if top[1] == 1:
            edits.append(_Edit(top[0], 1, "", "format: 2\n", "added `format: 2`"))
        else:  # a flow mapping, `{id: x, ...}`: add the key inside the braces
            edits.append(_Edit(top[0], top[1], "", "format: 2, ", "added `format: 2`"))
    for i, b in enumerate(data.get("briefings") or ()):
        if not isinstance(b, dict) or "at" not in b:
            continue
        line, col = parsed.keys[("briefings", i, "at")]
        edit = _key_edit(lines, line, col, "at", "known_at", f"briefing `{b.get('id')}`: `at` is now `known_at`")
        if edit is None:
            problems.append(Problem(name, line, col, "cannot find this briefing's `at` key", "rename it by hand"))
        else:
            edits.append(edit)
    for n, raw in enumerate(lines, 1):
        if raw.lstrip().startswith("#") and OLD_SCHEMA_ID in raw:
            edits.append(_Edit(n, raw.index(OLD_SCHEMA_ID) + 1, OLD_SCHEMA_ID, SCHEMA_ID, "editor schema line"))
    if problems:
        raise MigrateError(problems)
    return edits


_COMMENT_GAP = re.compile(r"(?P<gap> {3,})#")


def _apply(text: str, edits: list[_Edit], *, realign: bool) -> str:
    """The text with ``edits`` made; with ``realign``, a comment after a longer key keeps its column."""
    lines = _lines(text)
    for e in sorted(edits, key=lambda e: (e.line, e.col), reverse=True):
        raw = lines[e.line - 1]
        start = e.col - 1
        assert raw[start : start + len(e.old)] == e.old
        rest = raw[start + len(e.old) :]
        grow = len(e.new) - len(e.old)
        if realign and grow > 0 and "\n" not in e.new:
            m = _COMMENT_GAP.search(rest)
            if m:
                cut = min(grow, len(m.group("gap")) - 2)
                rest = rest[: m.start()] + " " * (len(m.group("gap")) - cut) + rest[m.end() - 1 :]
        lines[e.line - 1] = raw[:start] + e.new + rest
    return "".join(lines)


def _comparable(sc: Scenario) -> Scenario:
    """The scenario without what the file's version changes by itself (its format, bytes and path)."""
    posts = tuple(dataclasses.replace(p, live=False) for p in sc.posts)
    return dataclasses.replace(sc, format=1, source="", content_hash="", posts=posts)


def _braces(data: dict[str, Any], parsed: Parsed, name: str) -> list[Problem]:
    """Format 2 fills `{name}` placeholders in posts and reads `{{` as `{`: a format 1 text holding them
    would change when delivered."""
    variables = data.get("variables")
    known = set(POST_PLACEHOLDERS) | (set(variables) if isinstance(variables, dict) else set())
    out = []
    for i, p in enumerate(data.get("posts") or ()):
        txt = p.get("text") if isinstance(p, dict) else None
        if isinstance(txt, str) and ({*live_fields(txt)} & known or "{{" in txt or "}}" in txt):
            line, col = parsed.where(("posts", i, "text"))
            out.append(
                Problem(
                    name,
                    line,
                    col,
                    "this post's text holds `{...}` or `{{`, which format 2 fills in when the post is delivered",
                    "write each literal brace twice ({{, }}) after migrating, or reword it",
                )
            )
    return out


def migrate_text(text: str, name: str = "<text>") -> Migration:
    """``text`` (a valid format 1 scenario) as format 2; raises MigrateError with the reasons it cannot be."""
    parsed = parse_yaml(text, name)
    problems = [p for p in check(parsed, name) if p.severity == "error"]
    if problems:
        raise MigrateError(problems)
    data = parsed.data
    if data.get("format") == 2:
        return Migration(text, ())
    braces = _braces(data, parsed, name)
    if braces:
        raise MigrateError(braces)
    edits = _edits(text, parsed, name)
    before = _comparable(build(data))
    for realign in (True, False):  # comments realigned if that keeps the meaning, else left where they were
        new = _apply(text, edits, realign=realign)
        reparsed = parse_yaml(new, name)
        if [p for p in check(reparsed, name) if p.severity == "error"]:
            continue
        if reparsed.data.get("format") == 2 and _comparable(build(reparsed.data)) == before:
            return Migration(new, tuple((e.line, e.why) for e in sorted(edits, key=lambda e: (e.line, e.col))))
    raise MigrateError(
        [Problem(name, 0, 0, "the rewritten file would not mean the same scenario", "migrate it by hand")]
    )
