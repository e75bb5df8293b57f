"""The JSON Schema of the scenario format (versions 1 and 2), generated from Python.

It checks structure and types; cross-references (unknown persona, times after the end, ...)
are checked in :mod:`sim.scenario.validate`. ``x-expected`` is our own annotation: a plain
description of the expected value used in error messages. One schema holds both formats: a file
with ``format: 2`` is checked against ``$defs/format2``, any other against ``$defs/format1``
(whose ``format`` is optional and must be 1), so format 1 files validate exactly as before.
"""

from __future__ import annotations

from typing import Any

from .model import CRISIS_TYPES, DIFFICULTIES, DISPOSITIONS, MEDIA_KINDS, PLAN_ELEMENTS, ROLES, TAGS, TONE_FLAGS

SCHEMA_ID = "https://stormdrill.invalid/schema/scenario-v2.json"
DURATION_RE = r"^\s*(?=\d)(?:(\d+(?:\.\d+)?)\s*h)?\s*(?:(\d+(?:\.\d+)?)\s*m)?\s*(?:(\d+(?:\.\d+)?)\s*s)?\s*$"
ID_RE = r"^[a-z0-9][a-z0-9_-]{0,63}$"
HANDLE_RE = r"^@[A-Za-z0-9_]{1,30}$"
# Format 2: handles as platforms allow them, with dots and hyphens inside (@ana-lee, @news.example).
HANDLE2_RE = r"^@[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,58}[A-Za-z0-9_])?$"
FORMAT_EXPECTED = "1 or 2 (the format version; 2 is the newest, see docs/scenario-format.md)"


def _text(max_length: int = 4000, min_length: int = 1) -> dict[str, Any]:
    return {"type": "string", "minLength": min_length, "maxLength": max_length}


def _doc(schema: dict[str, Any], text: str) -> dict[str, Any]:
    """A schema with a description, for editors (format 2 keys)."""
    return {**schema, "description": text}


def _obj(props: dict[str, Any], required: tuple[str, ...] = (), **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    schema.update(extra)
    return schema


def _list(items: dict[str, Any], max_items: int = 5000) -> dict[str, Any]:
    return {"type": "array", "items": items, "maxItems": max_items}


TIME = {"$ref": "#/$defs/time"}
ID = {"$ref": "#/$defs/id"}
PATTERN = {"$ref": "#/$defs/pattern"}
TAG_LIST = _list({"enum": list(TAGS)}, 20)
SHIFT = {"type": "number", "minimum": -100, "maximum": 100}


def _handle(v2: bool) -> dict[str, Any]:
    if v2:
        return {
            "type": "string",
            "pattern": HANDLE2_RE,
            "x-expected": "a handle like @name (letters, digits, _, and . or - inside; at most 60 after @)",
        }
    return {"type": "string", "pattern": HANDLE_RE, "x-expected": "a handle like @name (letters, digits, _)"}


def _persona(v2: bool) -> dict[str, Any]:
    return _obj(
        {
            "id": ID,
            "name": _text(80),
            "handle": _handle(v2),
            "role": {"enum": list(ROLES)},
            "followers": {"type": "integer", "minimum": 0, "maximum": 1_000_000_000},
            "disposition": {"enum": list(DISPOSITIONS)},
            "bio": _text(300, 0),
        },
        ("id", "name", "handle", "role", "followers"),
    )


_step = _obj({"what": _text(300), "who": _text(120, 0), "when": _text(120, 0)}, ("what",))


def _briefing(v2: bool) -> dict[str, Any]:
    props: dict[str, Any] = {
        "id": ID,
        "at": TIME,
        "title": _text(120),
        "text": _text(2000),
        "public_line": _text(1000, 0),
        "confirms_cause": {"type": "boolean"},
        "contradicts": _list(PATTERN, 50),
        "actions": _list(_step, 30),
    }
    if not v2:
        return _obj(props, ("id", "at", "title", "text"))
    del props["at"]
    props = {
        "id": ID,
        "known_at": _doc(TIME, "When the team learns the fact (format 1: `at`)."),
        "public_from": _doc(TIME, "An embargo: the fact may be said publicly only from this time."),
        "reveals": _doc(PATTERN, "The words that give the fact away: saying them under embargo costs points."),
        **props,
    }
    return _obj(props, ("id", "known_at", "title", "text"))


_BOUNDED = _obj({"say": PATTERN, "from": TIME, "until": TIME}, ("say",))


def _expect(v2: bool) -> dict[str, Any]:
    item = (
        {"anyOf": [PATTERN, _BOUNDED], "x-expected": "a pattern, or {say: PATTERN, from: TIME, until: TIME}"}
        if v2
        else PATTERN
    )
    return _obj(
        {
            "reply_within": TIME,
            "must_mention": _list(item, 20),
            "should_mention": _list(PATTERN, 20),
            "must_not_say": _list(item, 20),
            "private": {"type": "boolean"},
            "model_answer": _text(1000, 0),
        }
    )


_MEDIA = _obj({"kind": {"enum": list(MEDIA_KINDS)}, "caption": _text(300)}, ("kind", "caption"))


def _post(v2: bool) -> dict[str, Any]:
    props: dict[str, Any] = {
        "id": ID,
        "at": TIME,
        "author": ID,
        "text": _text(1000),
        "tags": TAG_LIST,
        "reply_to": ID,
        "held": {"type": "boolean"},
        "expect": _expect(v2),
    }
    if v2:
        props |= {
            "quote": _doc(ID, "The id of the post this one quotes."),
            "pinned": _doc({"type": "boolean"}, "Pinned by its author: it keeps drawing attention until answered."),
            "media": _doc(_MEDIA, "A video, image, audio or link, described in words (never rendered)."),
        }
    return _obj(props, ("id", "at", "author", "text"))


_RESPONDS = _obj(
    {
        "good_statement": SHIFT,
        "good_reply": SHIFT,
        "flagged_reply": SHIFT,
        "half_life": TIME,
        "cap": {"type": "number", "minimum": 1, "maximum": 5},
    },
    minProperties=1,
)


def _volume(v2: bool) -> dict[str, Any]:
    props: dict[str, Any] = {
        "per_minute": _list({"type": "integer", "minimum": 0, "maximum": 2000}, 1440),
        "start": {"type": "number", "minimum": 0, "maximum": 2000},
        "peak": {"type": "number", "minimum": 0, "maximum": 2000},
        "end": {"type": "number", "minimum": 0, "maximum": 2000},
        "peak_at": TIME,
        "peak_until": TIME,
    }
    if v2:
        props |= {
            "responds": _doc(_RESPONDS, "The volume answers play: good statements damp it, flagged replies feed it."),
            "current": _doc(
                {"type": "number", "exclusiveMinimum": 0, "maximum": 20},
                "Held waves: this many times the posts per minute arriving when the wave fires.",
            ),
            "current_over": _doc(TIME, "How long before the firing the current volume is measured (default 5m)."),
        }
    return _obj(props, minProperties=1)


def _wave(v2: bool) -> dict[str, Any]:
    template: dict[str, Any] = {
        "text": _text(1000),
        "tags": TAG_LIST,
        "weight": {"type": "number", "exclusiveMinimum": 0},
    }
    if v2:
        template["media"] = _MEDIA
    return _obj(
        {
            "id": ID,
            "from": TIME,
            "to": TIME,
            "held": {"type": "boolean"},
            "volume": _volume(v2),
            "authors": _obj(
                {
                    "roles": {
                        "type": "object",
                        "propertyNames": {"enum": list(ROLES)},
                        "additionalProperties": {"type": "number", "minimum": 0},
                        "minProperties": 1,
                    },
                    "followers": {
                        "type": "array",
                        "items": {"type": "integer", "minimum": 0, "maximum": 1_000_000_000},
                        "minItems": 2,
                        "maxItems": 2,
                        "x-expected": "a range [low, high] of follower counts",
                    },
                }
            ),
            "templates": {
                "type": "array",
                "minItems": 1,
                "maxItems": 500,
                "items": _obj(template, ("text",)),
            },
        },
        ("id", "from", "to", "volume", "templates"),
    )


def _condition(v2: bool) -> dict[str, Any]:
    props: dict[str, Any] = {
        "no_statement_by": TIME,
        "silence": TIME,
        "after": TIME,
        "unanswered": _obj({"post": ID, "for": TIME}, ("post", "for")),
        "no_plan_by": TIME,
        "reply_flagged": _obj({"persona": ID, "flags": _list({"enum": list(TONE_FLAGS)}, 20)}),
        "promise_missed": {"const": True, "x-expected": "`true`"},
        "said": _obj({"pattern": PATTERN, "before": TIME}, ("pattern",)),
    }
    if v2:
        props["embargo_broken"] = {
            **ID,
            "x-expected": "the id of a briefing with `public_from`",
            "description": "A public text said the briefing's `reveals` before its `public_from`.",
        }
    return _obj(props, minProperties=1)


def _inject(v2: bool) -> dict[str, Any]:
    props: dict[str, Any] = {
        "id": ID,
        "when": _condition(v2),
        "fires": {"type": "array", "items": ID, "minItems": 1, "maxItems": 50},
        "repeat": {"type": "boolean"},
        "note": _text(500, 0),
    }
    required: tuple[str, ...] = ("id", "when", "fires")
    if v2:
        props |= {
            "pressure": _doc(SHIFT, "Points added to the pressure index when it fires (negative calms it)."),
            "crowd": _doc(SHIFT, "Added to the multiplier of every wave whose volume responds to play."),
        }
        props["fires"] = {"type": "array", "items": ID, "maxItems": 50}  # an inject may only move the mood
        required = ("id", "when")
    return _obj(props, required)


def _scoring(v2: bool) -> dict[str, Any]:
    plan: dict[str, Any] = {
        "deadline": TIME,
        "require": {"type": "array", "items": {"enum": list(PLAN_ELEMENTS)}, "uniqueItems": True},
    }
    if v2:
        plan["not_before"] = _doc(TIME, "The earliest time for the plan: one before it is early (60% of its points).")
    return _obj(
        {
            "weights": _obj(
                {k: {"type": "number", "minimum": 0, "maximum": 1000} for k in ("speed", "tone", "plan")},
            ),
            "targets": _obj({"first_statement": TIME, "reply": TIME, "update_every": TIME}),
            "plan": _obj(plan),
            "avoid": _list(
                _obj(
                    {
                        "say": PATTERN,
                        "why": _text(300),
                        "until": {
                            "type": ["number", "string"],
                            "x-expected": "a time or a briefing id",
                        },
                    },
                    ("say", "why"),
                ),
                100,
            ),
        }
    )


def _scenario(v2: bool) -> dict[str, Any]:
    props: dict[str, Any] = {
        "format": {"const": 2 if v2 else 1, "x-expected": FORMAT_EXPECTED},
        "id": ID,
        "title": _text(100),
        "summary": _text(3000),
        "difficulty": {"enum": list(DIFFICULTIES)},
        "crisis_type": {"enum": list(CRISIS_TYPES)},
        "duration": TIME,
        "start_clock": {
            "type": "string",
            "pattern": r"^([01]?\d|2[0-3]):[0-5]\d$",
            "x-expected": 'a clock time like "09:00"',
        },
        "locale": {"type": "string", "pattern": r"^[a-z]{2}(_[A-Z]{2})?$", "x-expected": "a locale like en_GB"},
        "seed": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
        "company": _obj(
            {
                "name": _text(80),
                "handle": _handle(v2)
                if v2
                else {"type": "string", "pattern": HANDLE_RE, "x-expected": "a handle like @name"},
                "voice": _text(500, 0),
            },
            ("name", "handle"),
        ),
        "objectives": _list(_text(300), 20),
        "variables": {
            "type": "object",
            "propertyNames": {"pattern": r"^[a-z_][a-z0-9_]{0,31}$"},
            "additionalProperties": {
                "anyOf": [_text(300), {"type": "array", "items": _text(300), "minItems": 1, "maxItems": 500}],
                "x-expected": "a text or a list of texts",
            },
        },
        "personas": _list(_persona(v2), 500),
        "briefings": _list(_briefing(v2), 200),
        "posts": _list(_post(v2), 5000),
        "waves": _list(_wave(v2), 200),
        "injects": _list(_inject(v2), 200),
        "scoring": _scoring(v2),
    }
    if v2:
        props["crisis_type_changes"] = _doc(
            _list(
                _obj({"at": TIME, "to": {"enum": list(CRISIS_TYPES)}}, ("at", "to")),
                10,
            ),
            "How the public sees the crisis from each time on (victim, accidental, preventable).",
        )
    required = ["id", "title", "summary", "difficulty", "crisis_type", "duration", "company"]
    return {
        "description": f"A Stormdrill scenario in format {2 if v2 else 1}.",
        "type": "object",
        "additionalProperties": False,
        "required": ["format", *required] if v2 else required,
        "properties": props,
    }


# Keys that format 2 added, by where they sit: a format 1 file using one is told to migrate.
FORMAT2_KEYS = frozenset(
    {
        "known_at",
        "public_from",
        "reveals",
        "quote",
        "pinned",
        "media",
        "responds",
        "current",
        "current_over",
        "embargo_broken",
        "pressure",
        "crowd",
        "not_before",
        "crisis_type_changes",
    }
)

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "Stormdrill scenario",
    "description": (
        "A crisis-communication training scenario for Stormdrill: format 2 (`format: 2`), or format 1 "
        "(`format: 1`, or no `format` key)."
    ),
    "type": "object",
    "if": {"type": "object", "properties": {"format": {"const": 2}}, "required": ["format"]},
    "then": {"$ref": "#/$defs/format2"},
    "else": {"$ref": "#/$defs/format1"},
    "$defs": {
        "format1": _scenario(False),
        "format2": _scenario(True),
        "time": {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": DURATION_RE},
            ],
            "x-expected": "a time: minutes as a number (12, 12.5) or a duration like 90s, 12m, 12m30s, 1h5m",
        },
        "id": {"type": "string", "pattern": ID_RE, "x-expected": "an id: lowercase letters, digits, - and _"},
        "pattern": {
            "type": "string",
            "minLength": 1,
            "maxLength": 300,
            "x-expected": "a pattern: phrases separated by |",
        },
    },
}
