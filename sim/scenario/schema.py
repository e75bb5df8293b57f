"""The JSON Schema of the scenario format (version 1).

It checks structure and types; cross-references (unknown persona, times after the end, ...)
are checked in :mod:`sim.scenario.validate`. ``x-expected`` is our own annotation: a plain
description of the expected value used in error messages.
"""

from __future__ import annotations

from typing import Any

from .model import DIFFICULTIES, DISPOSITIONS, PLAN_ELEMENTS, ROLES, TAGS, TONE_FLAGS

SCHEMA_ID = "https://stormdrill.invalid/schema/scenario-v1.json"
DURATION_RE = r"^\s*(?=\d)(?:(\d+(?:\.\d+)?)\s*h)?\s*(?:(\d+(?:\.\d+)?)\s*m)?\s*(?:(\d+(?:\.\d+)?)\s*s)?\s*$"
ID_RE = r"^[a-z0-9][a-z0-9_-]{0,63}$"
HANDLE_RE = r"^@[A-Za-z0-9_]{1,30}$"


def _text(max_length: int = 4000, min_length: int = 1) -> dict[str, Any]:
    return {"type": "string", "minLength": min_length, "maxLength": max_length}


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

_persona = _obj(
    {
        "id": ID,
        "name": _text(80),
        "handle": {"type": "string", "pattern": HANDLE_RE, "x-expected": "a handle like @name (letters, digits, _)"},
        "role": {"enum": list(ROLES)},
        "followers": {"type": "integer", "minimum": 0, "maximum": 1_000_000_000},
        "disposition": {"enum": list(DISPOSITIONS)},
        "bio": _text(300, 0),
    },
    ("id", "name", "handle", "role", "followers"),
)

_step = _obj({"what": _text(300), "who": _text(120, 0), "when": _text(120, 0)}, ("what",))

_briefing = _obj(
    {
        "id": ID,
        "at": TIME,
        "title": _text(120),
        "text": _text(2000),
        "public_line": _text(1000, 0),
        "confirms_cause": {"type": "boolean"},
        "contradicts": _list(PATTERN, 50),
        "actions": _list(_step, 30),
    },
    ("id", "at", "title", "text"),
)

_expect = _obj(
    {
        "reply_within": TIME,
        "must_mention": _list(PATTERN, 20),
        "should_mention": _list(PATTERN, 20),
        "must_not_say": _list(PATTERN, 20),
        "private": {"type": "boolean"},
        "model_answer": _text(1000, 0),
    }
)

_post = _obj(
    {
        "id": ID,
        "at": TIME,
        "author": ID,
        "text": _text(1000),
        "tags": TAG_LIST,
        "reply_to": ID,
        "held": {"type": "boolean"},
        "expect": _expect,
    },
    ("id", "at", "author", "text"),
)

_volume = _obj(
    {
        "per_minute": _list({"type": "integer", "minimum": 0, "maximum": 2000}, 1440),
        "start": {"type": "number", "minimum": 0, "maximum": 2000},
        "peak": {"type": "number", "minimum": 0, "maximum": 2000},
        "end": {"type": "number", "minimum": 0, "maximum": 2000},
        "peak_at": TIME,
        "peak_until": TIME,
    },
    minProperties=1,
)

_wave = _obj(
    {
        "id": ID,
        "from": TIME,
        "to": TIME,
        "held": {"type": "boolean"},
        "volume": _volume,
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
            "items": _obj(
                {"text": _text(1000), "tags": TAG_LIST, "weight": {"type": "number", "exclusiveMinimum": 0}},
                ("text",),
            ),
        },
    },
    ("id", "from", "to", "volume", "templates"),
)

_condition = _obj(
    {
        "no_statement_by": TIME,
        "silence": TIME,
        "after": TIME,
        "unanswered": _obj({"post": ID, "for": TIME}, ("post", "for")),
        "no_plan_by": TIME,
        "reply_flagged": _obj({"persona": ID, "flags": _list({"enum": list(TONE_FLAGS)}, 20)}),
        "promise_missed": {"const": True, "x-expected": "`true`"},
        "said": _obj({"pattern": PATTERN, "before": TIME}, ("pattern",)),
    },
    minProperties=1,
)

_inject = _obj(
    {
        "id": ID,
        "when": _condition,
        "fires": {"type": "array", "items": ID, "minItems": 1, "maxItems": 50},
        "repeat": {"type": "boolean"},
        "note": _text(500, 0),
    },
    ("id", "when", "fires"),
)

_scoring = _obj(
    {
        "weights": _obj(
            {k: {"type": "number", "minimum": 0, "maximum": 1000} for k in ("speed", "tone", "plan")},
        ),
        "targets": _obj({"first_statement": TIME, "reply": TIME, "update_every": TIME}),
        "plan": _obj(
            {
                "deadline": TIME,
                "require": {"type": "array", "items": {"enum": list(PLAN_ELEMENTS)}, "uniqueItems": True},
            }
        ),
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

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "Stormdrill scenario",
    "description": "A crisis-communication training scenario for Stormdrill (format 1).",
    "type": "object",
    "additionalProperties": False,
    "required": ["format", "id", "title", "summary", "difficulty", "crisis_type", "duration", "company"],
    "properties": {
        "format": {"const": 1, "x-expected": "1 (the only format version so far)"},
        "id": ID,
        "title": _text(100),
        "summary": _text(3000),
        "difficulty": {"enum": list(DIFFICULTIES)},
        "crisis_type": {"enum": ["victim", "accidental", "preventable"]},
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
                "handle": {"type": "string", "pattern": HANDLE_RE, "x-expected": "a handle like @name"},
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
        "personas": _list(_persona, 500),
        "briefings": _list(_briefing, 200),
        "posts": _list(_post, 5000),
        "waves": _list(_wave, 200),
        "injects": _list(_inject, 200),
        "scoring": _scoring,
    },
    "$defs": {
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
