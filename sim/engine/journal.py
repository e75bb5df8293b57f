"""The session journal: JSONL, a header line then one line per event (docs/journal-format.md).

Trainee actions are flushed and fsynced before the engine acknowledges them. A torn last line (a
crash in mid-write) is skipped on reading, with a warning, and cut off before appending.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .events import FORMAT, Event, Header, SchemaError, parse_events


class JournalError(ValueError):
    """The file is not a readable Stormdrill journal."""


class JournalEmpty(JournalError):
    """Not even the header line is complete (a crash right at the start)."""


@dataclass
class Journal:
    """A journal read: the typed header and events (sim.engine.events), in order, and reading warnings."""

    header: Header
    events: list[Event] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    valid_bytes: int = 0  # length of the intact part of the file
    raw_events: list[dict[str, Any]] = field(default_factory=list)  # the lines as written (resume compares them)


def dumps(event: dict[str, Any]) -> str:
    """One compact JSON line (without the newline).

    UTF-8 as it is, except a line holding a lone surrogate (a name from a command line with invalid
    bytes, hostile text): that line is written with ASCII escapes, so it is kept exactly and reads back
    the same, instead of failing to encode."""
    line = json.dumps(event, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(event, ensure_ascii=True, separators=(",", ":"), sort_keys=False)
    return line


def read_journal(path: str | Path) -> Journal:
    """Read a journal; a torn or unreadable last line is skipped with a warning."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise JournalError(f"cannot read: {exc.strerror or exc}") from exc
    lines = raw.split(b"\n")
    complete = lines[:-1]  # the part after the last newline is torn (or empty)
    torn = lines[-1]
    warnings: list[str] = []
    if torn.strip():
        warnings.append(f"the last line was cut short (a crash while writing?) and is ignored ({len(torn)} bytes)")
    offset = 0
    parsed: list[dict[str, Any]] = []
    valid = 0
    for i, line in enumerate(complete):
        offset += len(line) + 1
        try:
            obj = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            if i == len(complete) - 1:
                warnings.append(f"line {i + 1} is not valid JSON and is ignored")
                break
            raise JournalError(f"line {i + 1} is not valid JSON") from None
        if not isinstance(obj, dict):
            raise JournalError(f"line {i + 1} is not a JSON object")
        parsed.append(obj)
        valid = offset
    if not parsed:
        raise JournalEmpty("the journal is empty (not even its header line is complete)")
    header = parsed[0]
    if header.get("type") != "header":
        raise JournalError("the first line is not a journal header")
    if header.get("format") != FORMAT:
        raise JournalError(f"journal format {header.get('format')!r} is not supported (this version reads {FORMAT})")
    try:
        typed = Header.from_json(header, "line 1 (header)")
        events = parse_events(parsed[1:], 2)
    except SchemaError as exc:
        raise JournalError(str(exc)) from None
    return Journal(typed, events, warnings, valid, parsed[1:])


class JournalWriter:
    """Appends events; ``sync=True`` flushes and fsyncs before returning."""

    def __init__(self, path: str | Path, header: dict[str, Any] | None = None, *, append_at: int | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: IO[str] | None
        if append_at is None:
            assert header is not None
            self._fh = self.path.open("w", encoding="utf-8", newline="\n")
            self.write(header, sync=True)
        else:
            with self.path.open("r+b") as fh:
                fh.truncate(append_at)
            self._fh = self.path.open("a", encoding="utf-8", newline="\n")

    def write(self, event: dict[str, Any], *, sync: bool = False) -> None:
        if self._fh is None:
            return
        self._fh.write(dumps(event) + "\n")
        if sync:
            self.flush(sync=True)

    def flush(self, *, sync: bool = False) -> None:
        if self._fh is None:
            return
        self._fh.flush()
        if sync:
            os.fsync(self._fh.fileno())

    def close(self) -> None:
        if self._fh is not None:
            self.flush(sync=True)
            self._fh.close()
            self._fh = None
