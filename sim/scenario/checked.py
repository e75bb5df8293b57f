"""The shipped scenarios whose bytes pass the schema: their SHA-256 with the schema's own.

Loading a shipped scenario for play skips the JSON Schema pass (importing jsonschema and checking a
file take about 0.15 s of a first start, before the briefing) when its bytes are the ones listed
here for this very schema; every other check still runs, and any other bytes (an edited copy, a file
of one's own) get the full check. ``stormdrill validate`` always runs it in full.

Refresh after changing a shipped scenario or the schema (a test says when)::

    python -m sim.scenario.checked
"""

from __future__ import annotations

import hashlib
import json
import sys
from functools import cache
from pathlib import Path

MANIFEST = Path(__file__).with_name("checked.json")


def schema_digest() -> str:
    """The SHA-256 of the JSON Schema as the validator uses it."""
    from .schema import SCHEMA

    return hashlib.sha256(json.dumps(SCHEMA, sort_keys=True).encode()).hexdigest()


@cache
def shipped_checked() -> frozenset[str]:
    """The SHA-256 of the shipped scenario files that pass the current schema (none if the manifest
    was made for another schema, or is missing or unreadable)."""
    try:
        data = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return frozenset()
    if not isinstance(data, dict) or data.get("schema") != schema_digest():
        return frozenset()
    files = data.get("files")
    return frozenset(v for v in files.values() if isinstance(v, str)) if isinstance(files, dict) else frozenset()


def build_manifest() -> dict[str, object]:
    """The manifest for the shipped files as they are now: only files with no schema error are listed."""
    from .library import library_files
    from .load import check_text, read_text

    files: dict[str, str] = {}
    for f in library_files():
        text, _ = read_text(f)
        if text is None or any(p.severity == "error" for p in check_text(text, str(f))[1]):
            continue
        files[f.name] = hashlib.sha256(f.read_bytes()).hexdigest()
    return {"schema": schema_digest(), "files": files}


def main() -> None:
    MANIFEST.write_text(json.dumps(build_manifest(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {MANIFEST}", file=sys.stderr)


if __name__ == "__main__":
    main()
