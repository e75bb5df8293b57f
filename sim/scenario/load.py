"""Loading scenario files: read safely, validate everything, build the model.

``load_scenario(path)`` returns a :class:`Scenario` or raises :class:`ScenarioError` holding
every problem found. ``check_file(path)`` returns the problems without raising.
"""

from __future__ import annotations

import hashlib
import math
import os
from pathlib import Path
from typing import Any

from .model import (
    DEFAULT_FLAGGED,
    PLAN_ELEMENTS,
    Avoid,
    Briefing,
    Company,
    Condition,
    CrisisChange,
    Expectation,
    Inject,
    Media,
    Persona,
    PlanStep,
    Responds,
    Scenario,
    ScoringSettings,
    ScriptedPost,
    Template,
    Wave,
    Window,
)
from .patterns import to_seconds
from .problems import Problem, ScenarioError
from .text import clean_text
from .validate import check
from .yamlpos import MAX_FILE_BYTES, parse_yaml


def _read(path: Path) -> tuple[bytes | None, list[Problem]]:
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [
                Problem(
                    name,
                    1,
                    1,
                    f"the file is {size:,} bytes, more than the limit of {MAX_FILE_BYTES:,}",
                    "use waves to generate volume instead of listing posts",
                )
            ]
        with path.open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None, [Problem(name, 0, 0, "no such file", "check the path, or run `stormdrill play` to pick one")]
    except IsADirectoryError:
        return None, [Problem(name, 0, 0, "is a folder, not a scenario file")]
    except OSError as exc:
        return None, [Problem(name, 0, 0, f"cannot read the file: {exc.strerror or exc}")]
    if len(raw) > MAX_FILE_BYTES:
        return None, [Problem(name, 1, 1, f"the file is more than the limit of {MAX_FILE_BYTES:,} bytes")]
    return raw, []


def _decode(raw: bytes, name: str) -> tuple[str | None, list[Problem]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        return None, [Problem(name, line, col, "the file is not valid UTF-8 text", "save it as UTF-8")]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, [Problem(name, line, 1, "the file contains a NUL byte", "is it a binary file?")]
    return text, []


def check_text(text: str, name: str, *, schema_checked: bool = False) -> tuple[Any, list[Problem]]:
    """Parse and validate YAML text; returns the data and all problems."""
    parsed = parse_yaml(text, name)
    return parsed.data, check(parsed, name, schema_checked=schema_checked)


def read_text(path: Path) -> tuple[str | None, list[Problem]]:
    """A scenario file's text (UTF-8, within the size limit), or the problems reading it."""
    raw, problems = _read(path)
    if raw is None:
        return None, problems
    return _decode(raw, str(path))


def check_file(path: str | Path) -> list[Problem]:
    """Every problem in one scenario file (errors and warnings), sorted by position."""
    p = Path(path)
    raw, problems = _read(p)
    if raw is None:
        return problems
    text, problems = _decode(raw, str(p))
    if text is None:
        return problems
    return check_text(text, str(p))[1]


def load_scenario(path: str | Path) -> Scenario:
    """Load, validate and build one scenario; raises ScenarioError listing every problem."""
    p = Path(path)
    raw, problems = _read(p)
    if raw is None:
        raise ScenarioError(problems)
    text, problems = _decode(raw, str(p))
    if text is None:
        raise ScenarioError(problems)
    digest = hashlib.sha256(raw).hexdigest()
    data, problems = check_text(text, str(p), schema_checked=digest in _schema_checked())
    if any(pr.severity == "error" for pr in problems):
        raise ScenarioError(problems)
    return build(data, source=str(p), content_hash=digest)


SCHEMA_CHECKED_ENV = "STORMDRILL_SCHEMA_CHECKED"


def _schema_checked() -> set[str]:
    """The SHA-256 of scenario files known to pass the schema: the shipped ones (sim.scenario.checked),
    and those this host's workshop serve has checked (its consoles load the same file). Those bytes
    skip that one check, jsonschema's import (8 MB, about 0.1 s) and its pass."""
    from .checked import shipped_checked

    return set(filter(None, os.environ.get(SCHEMA_CHECKED_ENV, "").split(","))) | shipped_checked()


def load_text(text: str, name: str = "<text>") -> Scenario:
    """Load a scenario from YAML text (for tests and tools)."""
    data, problems = check_text(text, name)
    if any(pr.severity == "error" for pr in problems):
        raise ScenarioError(problems)
    return build(data, source=name, content_hash=hashlib.sha256(text.encode()).hexdigest())


# ------------------------------------------------------------------------- building


def _t(value: Any, default: int = 0) -> int:
    seconds = to_seconds(value)
    return default if seconds is None else seconds


def _s(value: Any, single_line: bool = False) -> str:
    return clean_text(str(value), single_line=single_line) if value is not None else ""


def _strs(values: Any) -> tuple[str, ...]:
    return tuple(_s(v) for v in values or ())


def _shape(volume: dict[str, Any], start: int, end: int) -> tuple[int, ...]:
    """Counts per minute for a ramp / plateau / decay shape, keeping fractions across minutes."""
    minutes = max(1, math.ceil((end - start) / 60))
    if "per_minute" in volume:
        return tuple(int(n) for n in volume["per_minute"])
    peak = float(volume["peak"])
    first = float(volume.get("start", peak))
    last = float(volume.get("end", first))
    peak_at = to_seconds(volume["peak_at"]) if "peak_at" in volume else None
    peak_at_m = (peak_at - start) / 60 if peak_at is not None else minutes / 2
    until = to_seconds(volume["peak_until"]) if "peak_until" in volume else None
    until_m = (until - start) / 60 if until is not None else peak_at_m
    counts = []
    carry = 0.0
    for m in range(minutes):
        x = m + 0.5
        if x < peak_at_m:
            rate = first + (peak - first) * (x / peak_at_m if peak_at_m > 0 else 1.0)
        elif x <= until_m:
            rate = peak
        else:
            span = minutes - until_m
            rate = peak + (last - peak) * ((x - until_m) / span if span > 0 else 1.0)
        carry += max(0.0, rate)
        n = int(carry)
        carry -= n
        counts.append(n)
    return tuple(counts)


def _items(e: dict[str, Any], key: str) -> tuple[tuple[str, ...], list[Window]]:
    """A must_mention / must_not_say list: its patterns, and (format 2) the bounds of bounded items."""
    patterns, windows = [], []
    for item in e.get(key) or ():
        if isinstance(item, dict):
            pattern = _s(item["say"])
            start = to_seconds(item["from"]) if "from" in item else None
            end = to_seconds(item["until"]) if "until" in item else None
            windows.append(Window(key, pattern, start, end))
        else:
            pattern = _s(item)
        patterns.append(pattern)
    return tuple(patterns), windows


def _expectation(e: dict[str, Any] | None) -> Expectation | None:
    if e is None:
        return None
    must_mention, w1 = _items(e, "must_mention")
    must_not_say, w2 = _items(e, "must_not_say")
    return Expectation(
        reply_within=to_seconds(e["reply_within"]) if "reply_within" in e else None,
        must_mention=must_mention,
        should_mention=_strs(e.get("should_mention")),
        must_not_say=must_not_say,
        private=bool(e.get("private", False)),
        model_answer=_s(e.get("model_answer", "")).strip(),
        windows=tuple(w1 + w2),
    )


def _media(m: dict[str, Any] | None) -> Media | None:
    return Media(m["kind"], _s(m["caption"], True)) if m else None


def _responds(r: dict[str, Any] | None) -> Responds | None:
    if r is None:
        return None
    d = Responds()
    return Responds(
        good_statement=float(r.get("good_statement", d.good_statement)),
        good_reply=float(r.get("good_reply", d.good_reply)),
        flagged_reply=float(r.get("flagged_reply", d.flagged_reply)),
        half_life=_t(r.get("half_life"), d.half_life),
        cap=float(r.get("cap", d.cap)),
    )


def _condition(w: dict[str, Any]) -> Condition:
    kind = next(k for k in w if k != "after")
    if kind in ("no_statement_by", "no_plan_by"):
        return Condition(kind, at=_t(w[kind]))
    if kind == "silence":
        return Condition(kind, minutes=_t(w[kind]), after=_t(w.get("after", 0)))
    if kind == "unanswered":
        return Condition(kind, post=w[kind]["post"], minutes=_t(w[kind]["for"]))
    if kind == "reply_flagged":
        rf = w[kind]
        return Condition(kind, persona=rf.get("persona"), flags=tuple(rf.get("flags") or DEFAULT_FLAGGED))
    if kind == "said":
        said = w[kind]
        return Condition(kind, pattern=_s(said["pattern"]), at=to_seconds(said["before"]) if "before" in said else None)
    if kind == "embargo_broken":
        return Condition(kind, briefing=w[kind])
    return Condition(kind)  # promise_missed


def build(data: dict[str, Any], *, source: str = "", content_hash: str = "") -> Scenario:
    """Build the model from validated data (call only when validation found no errors)."""
    v2 = data.get("format") == 2
    company = data["company"]
    variables = tuple(
        (k, tuple(_s(x, True) for x in v) if isinstance(v, list) else (_s(v, True),))
        for k, v in sorted((data.get("variables") or {}).items())
    )
    personas = tuple(
        Persona(
            id=p["id"],
            name=_s(p["name"], True),
            handle=p["handle"],
            role=p["role"],
            followers=int(p["followers"]),
            disposition=p.get("disposition", "neutral"),
            bio=_s(p.get("bio", "")),
        )
        for p in data.get("personas") or ()
    )
    briefings = tuple(
        sorted(
            (
                Briefing(
                    id=b["id"],
                    t=_t(b["known_at"] if v2 else b["at"]),
                    title=_s(b["title"], True),
                    text=_s(b["text"]).strip(),
                    public_line=_s(b.get("public_line", "")).strip(),
                    confirms_cause=bool(b.get("confirms_cause")),
                    contradicts=_strs(b.get("contradicts")),
                    actions=tuple(
                        PlanStep(_s(a["what"], True), _s(a.get("who", ""), True), _s(a.get("when", ""), True))
                        for a in b.get("actions") or ()
                    ),
                    public_from=to_seconds(b["public_from"]) if "public_from" in b else None,
                    reveals=_s(b.get("reveals", "")),
                )
                for b in data.get("briefings") or ()
            ),
            key=lambda b: (b.t, b.id),
        )
    )
    posts = tuple(
        ScriptedPost(
            id=p["id"],
            t=_t(p["at"]),
            author=p["author"],
            text=_s(p["text"]).strip(),
            tags=tuple(p.get("tags") or ()),
            reply_to=p.get("reply_to"),
            expect=_expectation(p.get("expect")),
            held=bool(p.get("held", False)),
            quote=p.get("quote"),
            pinned=bool(p.get("pinned", False)),
            media=_media(p.get("media")),
            live=v2 and "{" in str(p["text"]),
        )
        for p in data.get("posts") or ()
    )
    waves = []
    for w in data.get("waves") or ():
        start, end = _t(w["from"]), _t(w["to"])
        authors = w.get("authors") or {}
        roles = authors.get("roles") or {"customer": 1}
        followers = authors.get("followers") or [20, 2000]
        volume = w["volume"]
        current = float(volume["current"]) if "current" in volume else None
        waves.append(
            Wave(
                id=w["id"],
                start=start,
                end=end,
                per_minute=() if current is not None else _shape(volume, start, end),
                templates=tuple(
                    Template(
                        _s(t["text"]), tuple(t.get("tags") or ()), float(t.get("weight", 1.0)), _media(t.get("media"))
                    )
                    for t in w["templates"]
                ),
                roles=tuple((r, float(x)) for r, x in roles.items()),
                followers=(int(followers[0]), int(followers[1])),
                held=bool(w.get("held", False)),
                responds=_responds(volume.get("responds")),
                current=current,
                current_over=_t(volume.get("current_over"), 300),
            )
        )
    injects = tuple(
        Inject(
            id=i["id"],
            when=_condition(i["when"]),
            fires=tuple(i.get("fires") or ()),
            repeat=bool(i.get("repeat")),
            note=_s(i.get("note", "")),
            pressure=float(i.get("pressure", 0.0)),
            crowd=float(i.get("crowd", 0.0)),
        )
        for i in data.get("injects") or ()
    )
    sc = data.get("scoring") or {}
    weights = sc.get("weights") or {}
    targets = sc.get("targets") or {}
    plan = sc.get("plan") or {}
    avoid = []
    for a in sc.get("avoid") or ():
        until = a.get("until")
        until_s = to_seconds(until) if until is not None else None
        avoid.append(
            Avoid(
                say=_s(a["say"]),
                why=_s(a["why"], True),
                until=until_s,
                until_briefing=until if isinstance(until, str) and until_s is None else None,
            )
        )
    defaults = ScoringSettings()
    scoring = ScoringSettings(
        weight_speed=float(weights.get("speed", defaults.weight_speed)),
        weight_tone=float(weights.get("tone", defaults.weight_tone)),
        weight_plan=float(weights.get("plan", defaults.weight_plan)),
        first_statement=_t(targets.get("first_statement"), defaults.first_statement),
        reply=_t(targets.get("reply"), defaults.reply),
        update_every=_t(targets.get("update_every"), defaults.update_every),
        plan_deadline=to_seconds(plan["deadline"]) if "deadline" in plan else None,
        plan_require=tuple(plan.get("require") or PLAN_ELEMENTS),
        avoid=tuple(avoid),
        plan_not_before=to_seconds(plan["not_before"]) if "not_before" in plan else None,
    )
    return Scenario(
        id=data["id"],
        title=_s(data["title"], True),
        summary=_s(data["summary"]).strip(),
        difficulty=data["difficulty"],
        crisis_type=data["crisis_type"],
        duration=_t(data["duration"]),
        company=Company(_s(company["name"], True), company["handle"], _s(company.get("voice", "")).strip()),
        start_clock=data.get("start_clock", "09:00"),
        locale=data.get("locale", "en_US"),
        seed=int(data.get("seed", 1)),
        objectives=_strs(data.get("objectives")),
        variables=variables,
        personas=personas,
        briefings=briefings,
        posts=posts,
        waves=tuple(waves),
        injects=injects,
        scoring=scoring,
        source=source,
        content_hash=content_hash,
        format=2 if v2 else 1,
        crisis_type_changes=tuple(
            CrisisChange(_t(c["at"]), c["to"])
            for c in sorted(data.get("crisis_type_changes") or (), key=lambda c: _t(c["at"]))
        ),
    )
