"""Validation of parsed scenario data: schema errors in plain words, then cross-references.

Every problem is collected (never just the first), each with the line and column it concerns.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .model import LIVE_PLACEHOLDERS, PLACEHOLDERS
from .patterns import format_time, live_fields, to_seconds
from .problems import Problem, did_you_mean
from .schema import FORMAT2_KEYS, HANDLE2_RE, SCHEMA
from .yamlpos import Parsed, Path

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

MAX_STORM_POSTS = 100_000


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    """The schema's validator, made on first use (jsonschema costs a process about 8 MB; a workshop
    console whose scenario serve has checked already never imports it)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(SCHEMA)


MIGRATE_HINT = "add `format: 2` at the top, or run `stormdrill migrate FILE`"
# Placeholders a format 2 scripted post may hold (filled when it is delivered).
POST_PLACEHOLDERS = (*LIVE_PLACEHOLDERS, "company", "company_handle")
_CONDITIONS = "no_statement_by, silence, unanswered, no_plan_by, reply_flagged, promise_missed, said"
_TYPE_NAMES = {
    "string": "a text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of keys",
    "null": "empty",
}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = str(value)
    if len(text) > 40:
        text = text[:37] + "..."
    kind = "text" if isinstance(value, str) else "number"
    return f"{kind} `{text}`"


def _name(path: Path) -> str:
    for part in reversed(path):
        if isinstance(part, str):
            return part
    return "value"


def _expected(err: ValidationError) -> str:
    schema = err.schema if isinstance(err.schema, dict) else {}
    if "x-expected" in schema:
        return str(schema["x-expected"])
    types = err.validator_value if err.validator == "type" else schema.get("type")
    if isinstance(types, list):
        return " or ".join(_TYPE_NAMES.get(str(t), str(t)) for t in types)
    if isinstance(types, str):
        return _TYPE_NAMES.get(types, types)
    return "something else"


class _Checker:
    def __init__(self, parsed: Parsed, filename: str) -> None:
        self.parsed = parsed
        self.filename = filename
        self.problems: list[Problem] = list(parsed.problems)
        data = parsed.data
        self.v2 = isinstance(data, dict) and data.get("format") == 2

    def add(self, path: Path, message: str, hint: str = "", *, key: bool = False, warning: bool = False) -> None:
        line, col = self.parsed.where(path, key=key)
        self.problems.append(Problem(self.filename, line, col, message, hint, "warning" if warning else "error"))

    # ---------------------------------------------------------------- schema
    def schema(self, data: Any) -> None:
        for err in _validator().iter_errors(data):
            self.schema_error(err)

    def schema_error(self, err: ValidationError) -> None:
        path: Path = tuple(err.absolute_path)
        name = _name(path)
        v = err.validator
        inst: Any = err.instance
        vv: Any = err.validator_value
        schema = err.schema if isinstance(err.schema, dict) else {}
        if v == "additionalProperties" and isinstance(inst, dict):
            allowed = list(schema.get("properties", {}))
            for extra in sorted(set(inst) - set(allowed), key=str):
                hint = did_you_mean(str(extra), allowed) or ("allowed here: " + ", ".join(allowed) if allowed else "")
                if not self.v2 and extra in FORMAT2_KEYS:
                    hint = f"`{extra}` is new in format 2: {MIGRATE_HINT}"
                elif self.v2 and extra == "at" and path[:1] == ("briefings",):
                    hint = "in format 2 a briefing says `known_at` (and `public_from` for an embargo)"
                self.add((*path, extra), f"unknown key `{extra}`", hint, key=True)
        elif v == "required" and isinstance(inst, dict):
            missing = [k for k in vv if k not in inst]
            if path and isinstance(path[-1], int):
                where = f" in this item of `{_name(path)}`"
            else:
                where = f" in `{_name(path)}`" if path else ""
            for key in missing:
                self.add(path, f"missing key `{key}`{where}", "required: " + ", ".join(vv))
        elif v == "propertyNames":
            choices = schema.get("propertyNames", {}).get("enum", [])
            hint = did_you_mean(str(inst), choices) if choices else "use lowercase letters, digits and _"
            if choices and not hint:
                hint = "one of: " + ", ".join(choices)
            self.add((*path, str(inst)), f"`{inst}` is not allowed as a key here", hint, key=True)
        elif v == "enum":
            choices = [str(c) for c in vv]
            hint = did_you_mean(str(inst), choices) if isinstance(inst, str) else ""
            self.add(path, f"{_describe(inst)} is not a valid `{name}`", hint or "one of: " + ", ".join(choices))
        elif v in ("type", "anyOf", "const", "pattern"):
            hint = ""
            if v == "pattern" and name == "handle" and not self.v2 and re.match(HANDLE2_RE, str(inst)):
                hint = f"dots and hyphens in handles are new in format 2: {MIGRATE_HINT}"
            self.add(path, f"`{name}` should be {_expected(err)}, got {_describe(inst)}", hint)
        elif v in ("minimum", "exclusiveMinimum"):
            self.add(
                path,
                f"`{name}` must be {'above' if v == 'exclusiveMinimum' else 'at least'} {vv}, got {_describe(inst)}",
            )
        elif v == "maximum":
            self.add(path, f"`{name}` must be at most {vv}, got {_describe(inst)}")
        elif v == "minLength":
            self.add(path, f"`{name}` must not be empty")
        elif v == "maxLength":
            self.add(path, f"`{name}` is too long ({len(inst)} characters, at most {vv})", "shorten it")
        elif v == "minItems":
            self.add(path, f"`{name}` needs at least {vv} item(s)")
        elif v == "maxItems":
            self.add(path, f"`{name}` has too many items ({len(inst)}, at most {vv})")
        elif v == "minProperties":
            if name == "when":
                self.add(
                    path,
                    "`when` needs a condition",
                    "one of: " + _CONDITIONS + (", embargo_broken" if self.v2 else ""),
                )
            else:
                self.add(path, f"`{name}` must not be empty")
        elif v == "uniqueItems":
            self.add(path, f"`{name}` lists the same item twice")
        else:  # pragma: no cover - a schema keyword we do not use
            self.add(path, err.message)

    # ------------------------------------------------------------ semantics
    def items(self, data: dict[str, Any], key: str) -> Iterator[tuple[int, dict[str, Any]]]:
        value = data.get(key)
        if isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    yield i, item

    def time(self, path: Path, value: Any, duration: int | None, *, relative: bool = False) -> int | None:
        seconds = to_seconds(value)
        if seconds is None:
            return None  # reported by the schema
        if duration is not None and not relative and seconds > duration:
            self.add(
                path,
                f"time {format_time(seconds)} is after the scenario's end ({format_time(duration)})",
                "times count from the start; check `duration`",
            )
        return seconds

    def semantics(self, data: dict[str, Any]) -> None:
        duration = to_seconds(data.get("duration"))
        if duration is not None:
            if duration <= 0:
                self.add(("duration",), "`duration` must be more than 0")
            elif duration > 24 * 3600:
                self.add(("duration",), "`duration` is longer than 24 hours", "split it into several scenarios")
        personas: dict[str, Path] = {}
        for i, p in self.items(data, "personas"):
            self.unique(personas, p.get("id"), ("personas", i, "id"), "persona")
        briefings: dict[str, Path] = {}
        known_key = "known_at" if self.v2 else "at"
        for i, b in self.items(data, "briefings"):
            self.unique(briefings, b.get("id"), ("briefings", i, "id"), "briefing")
            self.time(("briefings", i, known_key), b.get(known_key), duration)
            self.at_before_end(("briefings", i, known_key), b.get(known_key), duration)
            if self.v2:
                self.embargo(i, b, duration)
        items: dict[str, Path] = {}  # posts and waves share one namespace
        held: dict[str, Path] = {}
        post_times: dict[str, tuple[int | None, bool]] = {}
        for i, p in self.items(data, "posts"):
            path: Path = ("posts", i)
            self.unique(items, p.get("id"), (*path, "id"), "post or wave")
            is_held = p.get("held") is True
            if is_held and isinstance(p.get("id"), str):
                held[p["id"]] = path
            t = self.time((*path, "at"), p.get("at"), duration, relative=is_held)
            if not is_held:
                self.at_before_end((*path, "at"), p.get("at"), duration)
            if isinstance(p.get("id"), str):
                post_times[p["id"]] = (t, is_held)
            author = p.get("author")
            if isinstance(author, str) and author not in personas:
                self.add(
                    (*path, "author"),
                    f"unknown persona `{author}`",
                    did_you_mean(author, personas) or "declare it under `personas`",
                )
            expect = p.get("expect")
            if isinstance(expect, dict) and "reply_within" in expect:
                rw = to_seconds(expect["reply_within"])
                if rw == 0:
                    self.add((*path, "expect", "reply_within"), "`reply_within` must be more than 0")
            if self.v2 and isinstance(expect, dict):
                self.windows(path, expect, duration, is_held)
        for i, p in self.items(data, "posts"):
            for key, what in (("reply_to", "reply to"), ("quote", "quote")):
                parent = p.get(key)
                if isinstance(parent, str):
                    self.earlier_post(("posts", i, key), key, what, parent, str(p.get("id")), post_times)
        storm_total = len([1 for _, p in self.items(data, "posts")])
        raw_vars = data.get("variables")
        variables: dict[str, Any] = raw_vars if isinstance(raw_vars, dict) else {}
        if self.v2:
            post_known = set(POST_PLACEHOLDERS) | set(variables)
            for i, p in self.items(data, "posts"):
                if isinstance(p.get("text"), str):
                    self.live_placeholders(("posts", i, "text"), p["text"], post_known)
        for name in variables:
            if name in PLACEHOLDERS:
                self.add(
                    ("variables", name),
                    f"variable `{name}` hides the built-in placeholder `{{{name}}}`",
                    "choose another name",
                    key=True,
                )
        known_placeholders = set(PLACEHOLDERS) | set(variables) | (set(LIVE_PLACEHOLDERS) if self.v2 else set())
        for i, w in self.items(data, "waves"):
            storm_total += self.wave(i, w, duration, items, held, known_placeholders)
        if storm_total > MAX_STORM_POSTS:
            self.add(
                ("waves",),
                f"the storm would hold {storm_total:,} posts, more than {MAX_STORM_POSTS:,}",
                "lower the wave volumes",
            )
        self.injects(data, duration, items, held, personas)
        self.scoring(data, duration, briefings)
        self.patterns(data, ())
        if self.v2:
            self.crisis_changes(data, duration)

    def earlier_post(
        self, path: Path, key: str, what: str, parent: str, own_id: str, post_times: dict[str, tuple[int | None, bool]]
    ) -> None:
        """A post named by ``reply_to`` or ``quote`` must exist, not be the post itself, and arrive earlier."""
        if parent not in post_times:
            self.add(path, f"`{key}` names unknown post `{parent}`", did_you_mean(parent, post_times))
            return
        pt, p_held = post_times[parent]
        own = post_times.get(own_id, (None, False))
        if parent == own_id:
            self.add(path, f"a post cannot {what} itself")
        elif not p_held and not own[1] and pt is not None and own[0] is not None and pt > own[0]:
            self.add(path, f"`{key}` names post `{parent}`, which arrives later", f"it arrives at {format_time(pt)}")

    def embargo(self, i: int, b: dict[str, Any], duration: int | None) -> None:
        """Format 2: `public_from` comes with `reveals`, and not before the fact is known."""
        path: Path = ("briefings", i)
        known = to_seconds(b.get("known_at"))
        if "public_from" in b:
            pf = self.time((*path, "public_from"), b["public_from"], duration)
            if pf is not None and known is not None and pf < known:
                self.add(
                    (*path, "public_from"),
                    f"`public_from` ({format_time(pf)}) is before the fact is known (`known_at` {format_time(known)})",
                )
            if "reveals" not in b:
                self.add(
                    path,
                    "an embargo needs `reveals`: the words that would give the fact away",
                    'e.g. reveals: "supplier|battery cells"',
                )
        elif "reveals" in b:
            self.add(
                (*path, "reveals"), "`reveals` only matters with `public_from`", "add the embargo's end", warning=True
            )

    def embargo_ref(self, path: Path, briefing: str, data: dict[str, Any]) -> None:
        embargoed = {b.get("id"): "public_from" in b for _, b in self.items(data, "briefings")}
        if briefing not in embargoed:
            self.add(path, f"unknown briefing `{briefing}`", did_you_mean(briefing, [str(k) for k in embargoed]))
        elif not embargoed[briefing]:
            self.add(path, f"briefing `{briefing}` has no embargo", "give it `public_from` and `reveals`")

    def windows(self, path: Path, expect: dict[str, Any], duration: int | None, held: bool) -> None:
        """Format 2: the bounds of must_mention / must_not_say items fall inside the scenario, in order."""
        for key in ("must_mention", "must_not_say"):
            for j, item in self.items(expect, key):
                where: Path = (*path, "expect", key, j)
                start = self.time((*where, "from"), item["from"], duration, relative=held) if "from" in item else None
                end = self.time((*where, "until"), item["until"], duration, relative=held) if "until" in item else None
                if start is not None and end is not None and end <= start:
                    self.add(
                        (*where, "until"), f"`until` ({format_time(end)}) is not after `from` ({format_time(start)})"
                    )

    def wave_v2(self, path: Path, volume: dict[str, Any], held: bool) -> bool:
        """Format 2 volume keys; True when the volume is `current` (set when the wave fires)."""
        responds = volume.get("responds")
        if isinstance(responds, dict) and "half_life" in responds and to_seconds(responds["half_life"]) == 0:
            self.add((*path, "volume", "responds", "half_life"), "`half_life` must be more than 0")
        if "current_over" in volume and "current" not in volume:
            self.add((*path, "volume", "current_over"), "`current_over` only goes with `current`", key=True)
        if "current" not in volume:
            return False
        if not held:
            self.add(
                (*path, "volume", "current"),
                "`current` is for held waves: it scales the volume at the moment an inject fires the wave",
                "add `held: true`, or give `per_minute` or a shape",
            )
        if any(k in volume for k in ("per_minute", "start", "peak", "end", "peak_at", "peak_until")):
            self.add((*path, "volume"), "give either `current` or a volume (per_minute, or a shape), not both")
        if "current_over" in volume and to_seconds(volume["current_over"]) == 0:
            self.add((*path, "volume", "current_over"), "`current_over` must be more than 0")
        return True

    def live_placeholders(self, path: Path, text: str, known: set[str]) -> None:
        """Format 2 posts: `{name}` is filled when the post is delivered; an unknown one is shown as written."""
        for f in live_fields(text):
            if f not in known:
                hint = did_you_mean(f, known) or "in posts: " + ", ".join(sorted(known))
                self.add(path, f"unknown placeholder `{{{f}}}`: it will be shown as written", hint, warning=True)

    def crisis_changes(self, data: dict[str, Any], duration: int | None) -> None:
        current = data.get("crisis_type")
        last: int | None = None
        for i, ch in self.items(data, "crisis_type_changes"):
            path: Path = ("crisis_type_changes", i)
            t = self.time((*path, "at"), ch.get("at"), duration)
            if t is not None and last is not None and t <= last:
                self.add((*path, "at"), "crisis type changes must be in time order, each after the one before")
            last = t if t is not None else last
            to = ch.get("to")
            if isinstance(to, str) and to == current:
                self.add((*path, "to"), f"the crisis type is already `{to}` here", "drop this change", warning=True)
            current = to

    def at_before_end(self, path: Path, value: Any, duration: int | None) -> None:
        seconds = to_seconds(value)
        if seconds is not None and duration is not None and seconds == duration:
            self.add(
                path,
                f"time {format_time(seconds)} is the scenario's end; nothing arrives then",
                "make it earlier than `duration`",
            )

    def unique(self, seen: dict[str, Path], value: Any, path: Path, what: str) -> None:
        if not isinstance(value, str):
            return
        if value in seen:
            line, _ = self.parsed.where(seen[value])
            self.add(path, f"duplicate {what} id `{value}`", f"first used at line {line}")
        else:
            seen[value] = path

    def wave(
        self,
        i: int,
        w: dict[str, Any],
        duration: int | None,
        items: dict[str, Path],
        held: dict[str, Path],
        placeholders: set[str],
    ) -> int:
        path: Path = ("waves", i)
        self.unique(items, w.get("id"), (*path, "id"), "post or wave")
        is_held = w.get("held") is True
        if is_held and isinstance(w.get("id"), str):
            held[w["id"]] = path
        start = self.time((*path, "from"), w.get("from"), duration, relative=is_held)
        end = self.time((*path, "to"), w.get("to"), duration, relative=is_held)
        total = 0
        if start is not None and end is not None and end <= start:
            self.add((*path, "to"), f"the wave ends ({format_time(end)}) before it starts ({format_time(start)})")
            return 0
        volume = w.get("volume")
        if self.v2 and isinstance(volume, dict) and self.wave_v2(path, volume, is_held):
            volume = None  # `current`: the volume is set when the wave fires
        if isinstance(volume, dict) and start is not None and end is not None:
            minutes = -(-(end - start) // 60)
            per_minute = volume.get("per_minute")
            shape_keys = [k for k in ("start", "peak", "end", "peak_at", "peak_until") if k in volume]
            if per_minute is not None and shape_keys:
                self.add((*path, "volume"), "give either `per_minute` or a shape (start, peak, end), not both")
            elif isinstance(per_minute, list):
                if len(per_minute) != minutes:
                    self.add(
                        (*path, "volume", "per_minute"),
                        f"`per_minute` has {len(per_minute)} counts but the wave lasts {minutes} minute(s)",
                        "one count per minute from `from` to `to`",
                    )
                total = sum(n for n in per_minute if isinstance(n, int))
            elif per_minute is None:
                if "peak" not in volume:
                    self.add(
                        (*path, "volume"),
                        "missing key `peak` in `volume`",
                        "a shape needs at least `peak` posts per minute",
                    )
                for k in ("peak_at", "peak_until"):
                    t = to_seconds(volume.get(k)) if k in volume else None
                    if t is not None and not start <= t <= end:
                        self.add(
                            (*path, "volume", k),
                            f"`{k}` ({format_time(t)}) is outside the wave "
                            f"({format_time(start)} to {format_time(end)})",
                        )
                pa, pu = to_seconds(volume.get("peak_at")), to_seconds(volume.get("peak_until"))
                if pa is not None and pu is not None and pu < pa:
                    self.add((*path, "volume", "peak_until"), "`peak_until` is before `peak_at`")
                peak = volume.get("peak")
                if isinstance(peak, int | float) and not isinstance(peak, bool):
                    total = int(peak * minutes)
            responds = volume.get("responds")
            if isinstance(responds, dict):
                cap = responds.get("cap", 2)
                if isinstance(cap, int | float) and not isinstance(cap, bool):
                    total = int(total * max(1.0, float(cap)))
        authors = w.get("authors")
        if isinstance(authors, dict):
            f = authors.get("followers")
            if isinstance(f, list) and len(f) == 2 and all(isinstance(x, int) for x in f) and f[0] > f[1]:
                self.add((*path, "authors", "followers"), "the follower range is reversed", "write [low, high]")
            roles = authors.get("roles")
            if (
                isinstance(roles, dict)
                and roles
                and all(isinstance(v, int | float) for v in roles.values())
                and sum(roles.values()) <= 0
            ):
                self.add((*path, "authors", "roles"), "the role weights add up to 0")
        for j, tpl in self.items(w, "templates"):
            text = tpl.get("text")
            if isinstance(text, str):
                self.placeholders((*path, "templates", j, "text"), text, placeholders)
        return total

    def placeholders(self, path: Path, text: str, known: set[str]) -> None:
        try:
            fields = [f for _, f, spec, conv in string.Formatter().parse(text) if f is not None]
        except ValueError as exc:
            self.add(path, f"cannot read the placeholders: {exc}", "write {{ and }} for literal braces")
            return
        for f in fields:
            if f not in known:
                hint = (
                    did_you_mean(f, known)
                    or "built in: " + ", ".join(sorted(PLACEHOLDERS)) + "; or declare it under `variables`"
                )
                self.add(path, f"unknown placeholder `{{{f}}}`", hint)

    def injects(
        self,
        data: dict[str, Any],
        duration: int | None,
        items: dict[str, Path],
        held: dict[str, Path],
        personas: dict[str, Path],
    ) -> None:
        ids: dict[str, Path] = {}
        fired: set[str] = set()
        for i, inj in self.items(data, "injects"):
            path: Path = ("injects", i)
            self.unique(ids, inj.get("id"), (*path, "id"), "inject")
            when = inj.get("when")
            if isinstance(when, dict):
                kinds = [k for k in when if k != "after"]
                if len(kinds) > 1:
                    self.add(
                        (*path, "when"),
                        "`when` has more than one condition: " + ", ".join(kinds),
                        "use one inject per condition",
                    )
                if "after" in when and "silence" not in when:
                    self.add((*path, "when", "after"), "`after` only goes with `silence`", key=True)
                for k in ("no_statement_by", "no_plan_by", "after"):
                    if k in when:
                        self.time((*path, "when", k), when[k], duration)
                said = when.get("said")
                if isinstance(said, dict) and "before" in said:
                    self.time((*path, "when", "said", "before"), said["before"], duration)
                un = when.get("unanswered")
                if isinstance(un, dict) and isinstance(un.get("post"), str) and un["post"] not in items:
                    self.add(
                        (*path, "when", "unanswered", "post"),
                        f"unknown post `{un['post']}`",
                        did_you_mean(un["post"], items),
                    )
                rf = when.get("reply_flagged")
                if isinstance(rf, dict) and isinstance(rf.get("persona"), str) and rf["persona"] not in personas:
                    self.add(
                        (*path, "when", "reply_flagged", "persona"),
                        f"unknown persona `{rf['persona']}`",
                        did_you_mean(rf["persona"], personas),
                    )
                if "silence" in when and to_seconds(when["silence"]) == 0:
                    self.add((*path, "when", "silence"), "`silence` must be more than 0")
                eb = when.get("embargo_broken")
                if isinstance(eb, str):
                    self.embargo_ref((*path, "when", "embargo_broken"), eb, data)
            if self.v2 and not inj.get("fires") and not inj.get("pressure") and not inj.get("crowd"):
                self.add(path, "this inject does nothing", "give it `fires`, `pressure` or `crowd`")
            fires = inj.get("fires")
            if isinstance(fires, list):
                for j, target in enumerate(fires):
                    if not isinstance(target, str):
                        continue
                    fired.add(target)
                    if target not in items:
                        self.add(
                            (*path, "fires", j),
                            f"inject fires unknown post or wave `{target}`",
                            did_you_mean(target, items) or "declare it under `posts` or `waves` with held: true",
                        )
                    elif target not in held:
                        self.add(
                            (*path, "fires", j),
                            f"`{target}` is already scheduled, so an inject cannot fire it",
                            "mark it `held: true`; its time then counts from the firing",
                        )
        for target, path in held.items():
            if target not in fired:
                self.add(
                    (*path, "held"), f"`{target}` is held but no inject fires it", "it will never appear", warning=True
                )

    def patterns(self, node: Any, path: Path) -> None:
        """Warn about patterns written as regular expressions: they are matched as plain words."""
        if isinstance(node, dict):
            for key, value in node.items():
                if key in _PATTERN_LISTS and isinstance(value, list):
                    for i, item in enumerate(value):
                        if isinstance(item, dict):
                            self.pattern((*path, key, i, "say"), item.get("say"))
                        else:
                            self.pattern((*path, key, i), item)
                elif (
                    (key == "pattern" and path[-1:] == ("said",))
                    or (key == "say" and "avoid" in path)
                    or (key == "reveals" and path[:1] == ("briefings",))
                ):
                    self.pattern((*path, key), value)
                else:
                    self.patterns(value, (*path, key))
        elif isinstance(node, list):
            for i, item in enumerate(node):
                self.patterns(item, (*path, i))

    def pattern(self, path: Path, value: Any) -> None:
        if not isinstance(value, str):
            return
        special = sorted({ch for ch in value if ch in _REGEX_CHARS})
        if special:
            shown = " ".join(f"`{ch}`" for ch in special)
            self.add(
                path,
                f"pattern `{value}` looks like a regular expression, but patterns match plain words: {shown} "
                "will be looked for as written",
                "write each wording as its own phrase, separated by |: `cyber attack|cyberattack`. A phrase "
                "also matches longer words: `apolog` matches apologise and apology",
                warning=True,
            )

    def scoring(self, data: dict[str, Any], duration: int | None, briefings: dict[str, Path]) -> None:
        sc = data.get("scoring")
        if not isinstance(sc, dict):
            return
        plan = sc.get("plan")
        if isinstance(plan, dict) and "deadline" in plan:
            self.time(("scoring", "plan", "deadline"), plan["deadline"], duration)
        if isinstance(plan, dict) and "not_before" in plan:
            nb = self.time(("scoring", "plan", "not_before"), plan["not_before"], duration)
            dl = to_seconds(plan.get("deadline"))
            if nb is not None and dl is not None and nb >= dl:
                self.add(
                    ("scoring", "plan", "not_before"),
                    f"`not_before` ({format_time(nb)}) is not before the deadline ({format_time(dl)})",
                    "the plan needs a window: make `not_before` earlier than `deadline`",
                )
        weights = sc.get("weights")
        if (
            isinstance(weights, dict)
            and weights
            and all(isinstance(v, int | float) for v in weights.values())
            and sum(weights.values()) <= 0
        ):
            self.add(("scoring", "weights"), "the weights add up to 0")
        for i, av in self.items(sc, "avoid"):
            until = av.get("until")
            path: Path = ("scoring", "avoid", i, "until")
            if isinstance(until, str) and to_seconds(until) is None and until not in briefings:
                self.add(
                    path,
                    f"`until` names unknown briefing `{until}`",
                    did_you_mean(until, briefings) or "give a briefing id or a time",
                )
            elif until is not None and not isinstance(until, str):
                self.time(path, until, duration)


_PATTERN_LISTS = ("contradicts", "must_mention", "should_mention", "must_not_say")
_REGEX_CHARS = frozenset("?()[]*+\\^${}")


def check(parsed: Parsed, filename: str, *, schema_checked: bool = False) -> list[Problem]:
    """All problems in ``parsed`` (YAML problems included), sorted by position.

    ``schema_checked``: these very bytes passed the schema in this host's serve already (the other
    checks still run)."""
    checker = _Checker(parsed, filename)
    data = parsed.data
    if data is None:
        if not checker.problems:
            checker.add((), "the file holds no scenario (it is empty or just `null`)", "start from `stormdrill new`")
        return sorted(checker.problems)
    if not isinstance(data, dict):
        checker.add(
            (),
            f"a scenario is a mapping of keys (format, id, title, ...), got {_describe(data)}",
            "start from `stormdrill new`",
        )
        return sorted(checker.problems)
    if not schema_checked:
        checker.schema(data)
    checker.semantics(data)
    return sorted(set(checker.problems))
