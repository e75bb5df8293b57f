"""The journal's schema, typed: the header, every event, and the one trainee-action type.

The engine writes these (``to_json``), and scoring, resuming and reports read them
(``parse_event``); nothing else turns journal lines into meaning. docs/journal-format.md describes
the same fields. Format 1 on disk is unchanged, so older journals keep loading.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sim.scenario.model import Media, PlanStep, Post

from .reading import action_text

FORMAT = 1
ACTION_KINDS = ("reply", "private", "update", "plan", "end")


class SchemaError(ValueError):
    """A journal line whose fields are missing or of the wrong type."""


def _r(t: float) -> float:
    return round(float(t), 3)


class _Fields:
    """Typed access to one JSON object's fields, with the line it came from for error messages."""

    def __init__(self, obj: Mapping[str, Any], what: str) -> None:
        self.obj, self.what = obj, what

    def _bad(self, key: str, expected: str) -> SchemaError:
        return SchemaError(f"{self.what}: `{key}` should be {expected}, not {type(self.obj.get(key)).__name__}")

    def text(self, key: str, default: str = "") -> str:
        v = self.obj.get(key, default)
        if v is None:
            return default
        if not isinstance(v, str):
            raise self._bad(key, "text")
        return v

    def opt_text(self, key: str) -> str | None:
        v = self.obj.get(key)
        if v is not None and not isinstance(v, str):
            raise self._bad(key, "text or null")
        return v or None

    def number(self, key: str, default: float = 0.0) -> float:
        v = self.obj.get(key, default)
        if v is None:
            return default
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise self._bad(key, "a number")
        return float(v)

    def whole(self, key: str, default: int = 0) -> int:
        v = self.obj.get(key, default)
        if v is None:
            return default
        if isinstance(v, bool) or not isinstance(v, int | float) or int(v) != v:
            raise self._bad(key, "a whole number")
        return int(v)

    def flag(self, key: str) -> bool:
        v = self.obj.get(key, False)
        if not isinstance(v, bool):
            raise self._bad(key, "true or false")
        return v

    def texts(self, key: str) -> tuple[str, ...]:
        v = self.obj.get(key) or []
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise self._bad(key, "a list of texts")
        return tuple(v)

    def obj_or_none(self, key: str) -> dict[str, Any] | None:
        v = self.obj.get(key)
        if v is not None and not isinstance(v, dict):
            raise self._bad(key, "an object")
        return v


@dataclass(frozen=True)
class Header:
    """The journal's first line: which scenario, file version, seed and trainee (and whether coached).

    Keys this version does not know are left alone, so a header written by a later version reads."""

    scenario: str
    seed: int | None  # None: not recorded (the scenario's own seed)
    scenario_hash: str = ""
    scenario_path: str = ""
    trainee: str = ""
    started: str = ""
    stormdrill: str = ""
    bot: str | None = None
    format: int = FORMAT
    coached: bool = False  # played with coaching hints (``stormdrill play --coach``)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "header",
            "format": self.format,
            "scenario": self.scenario,
            "scenario_hash": self.scenario_hash,
            "scenario_path": self.scenario_path,
            "seed": self.seed,
            "stormdrill": self.stormdrill,
            "trainee": self.trainee,
            "started": self.started,
            "bot": self.bot,
        }
        if self.coached:
            # Written only when true, so uncoached journals are as before. Readers take the header
            # keys they know and leave the rest (format 1 readers ignore this one).
            out["coached"] = True
        return out

    @classmethod
    def from_json(cls, obj: Mapping[str, Any], what: str = "header") -> Header:
        f = _Fields(obj, what)
        return cls(
            scenario=f.text("scenario"),
            seed=f.whole("seed") if obj.get("seed") is not None else None,
            scenario_hash=f.text("scenario_hash"),
            scenario_path=f.text("scenario_path"),
            trainee=f.text("trainee"),
            started=f.text("started"),
            stormdrill=f.text("stormdrill"),
            bot=f.opt_text("bot"),
            format=f.whole("format", FORMAT),
            coached=f.flag("coached"),
        )


@dataclass(frozen=True)
class TraineeAction:
    """One action the trainee (or a bot) sent and the session accepted: the engine's record of it,
    the journal's, and the one scoring reads. ``judgement`` is what the live judge said of it."""

    seq: int
    t: float
    kind: str  # reply | private | update | plan | end
    text: str = ""
    post_id: str | None = None
    steps: tuple[PlanStep, ...] = ()
    next_update: str = ""
    judgement: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def public(self) -> bool:
        return self.kind in ("reply", "update", "plan")

    @property
    def statement(self) -> bool:
        """A public statement: an update or an action plan (not a reply to one person)."""
        return self.kind in ("update", "plan")

    @property
    def ref(self) -> str:
        return f"action:{self.seq}"

    def full_text(self) -> str:
        """The text as the public sees it, plan steps included (the same reading everywhere)."""
        return action_text(self.kind, self.text, self.steps, self.next_update)


@dataclass(frozen=True)
class PostEvent:
    t: float
    id: str
    author: str  # the handle shown
    text: str
    name: str = ""
    role: str = "customer"
    followers: int = 0
    tags: tuple[str, ...] = ()
    reply_to: str | None = None
    must_handle: bool = False
    source: str = "wave"  # wave | script | inject | pushed (a workshop facilitator's)
    quote: str | None = None  # format 2 scenarios: the id of the post it quotes
    pinned: bool = False  # format 2
    media: tuple[str, str] | None = None  # format 2: (kind, caption)

    def to_json(self) -> dict[str, Any]:
        ev: dict[str, Any] = {
            "type": "post",
            "t": _r(self.t),
            "id": self.id,
            "author": self.author,
            "name": self.name,
            "role": self.role,
            "followers": self.followers,
            "text": self.text,
            "tags": list(self.tags),
        }
        if self.reply_to:
            ev["reply_to"] = self.reply_to
        if self.must_handle:
            ev["must_handle"] = True
        if self.source != "wave":
            ev["source"] = self.source
        if self.quote:
            ev["quote"] = self.quote
        if self.pinned:
            ev["pinned"] = True
        if self.media is not None:
            ev["media"] = {"kind": self.media[0], "caption": self.media[1]}
        return ev

    def to_post(self) -> Post:
        """The post as the journal has it (reach, expectations and the like come from the scenario)."""
        return Post(
            id=self.id,
            t=int(self.t),
            author=self.author,
            name=self.name,
            handle=self.author,
            role=self.role,
            followers=self.followers,
            text=self.text,
            tags=self.tags,
            reply_to=self.reply_to,
            source=self.source,
            quote=self.quote,
            pinned=self.pinned,
            media=Media(*self.media) if self.media else None,
        )


@dataclass(frozen=True)
class BriefingEvent:
    t: float
    id: str
    title: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"type": "briefing", "t": _r(self.t), "id": self.id, "title": self.title}


@dataclass(frozen=True)
class InjectEvent:
    t: float
    id: str
    cause: dict[str, Any]
    fired: tuple[str, ...]
    posts: int | None = None

    def to_json(self) -> dict[str, Any]:
        ev: dict[str, Any] = {"type": "inject", "t": _r(self.t), "id": self.id, "cause": self.cause}
        ev["fired"] = list(self.fired)
        if self.posts is not None:
            ev["posts"] = self.posts
        return ev


@dataclass(frozen=True)
class ActionEvent:
    action: TraineeAction
    flags: tuple[str, ...] | None = None  # None: the session had no judge

    @property
    def t(self) -> float:
        return self.action.t

    def to_json(self) -> dict[str, Any]:
        a = self.action
        ev: dict[str, Any] = {"type": "action", "t": _r(a.t), "seq": a.seq, "kind": a.kind}
        if a.kind == "end":
            return ev
        ev["text"] = a.text
        if a.post_id is not None:
            ev["post"] = a.post_id
        if a.kind == "plan":
            ev["steps"] = [{"what": s.what, "who": s.who, "when": s.when} for s in a.steps]
            ev["next_update"] = a.next_update
        if a.judgement is not None:
            ev["judgement"] = a.judgement
        if self.flags is not None:
            ev["flags"] = list(self.flags)
        return ev


@dataclass(frozen=True)
class CommitmentEvent:
    t: float
    status: str  # made | kept | broken
    due: float
    source: int  # the action's seq
    words: str
    audience: str = "public"

    def to_json(self) -> dict[str, Any]:
        ev: dict[str, Any] = {
            "type": "commitment",
            "t": _r(self.t),
            "status": self.status,
            "due": _r(self.due),
            "source": self.source,
            "words": self.words,
        }
        if self.audience != "public":
            ev["audience"] = self.audience
        return ev


@dataclass(frozen=True)
class PressureEvent:
    t: float
    value: float

    def to_json(self) -> dict[str, Any]:
        return {"type": "pressure", "t": _r(self.t), "value": self.value}


@dataclass(frozen=True)
class EndEvent:
    t: float
    reason: str = "time"  # time | trainee

    def to_json(self) -> dict[str, Any]:
        return {"type": "end", "t": _r(self.t), "reason": self.reason}


Event = PostEvent | BriefingEvent | InjectEvent | ActionEvent | CommitmentEvent | PressureEvent | EndEvent


def _media(raw: dict[str, Any] | None, what: str) -> tuple[str, str] | None:
    if raw is None:
        return None
    f = _Fields(raw, what)
    return f.text("kind"), f.text("caption")


def _steps(raw: Any, what: str) -> tuple[PlanStep, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise SchemaError(f"{what}: `steps` should be a list")
    steps = []
    for s in raw:
        if isinstance(s, dict):
            f = _Fields(s, what)
            steps.append(PlanStep(f.text("what"), f.text("who"), f.text("when")))
        elif isinstance(s, str):
            steps.append(PlanStep(s))
        else:
            raise SchemaError(f"{what}: each plan step should be an object with what, who and when")
    return tuple(steps)


def parse_action(obj: Mapping[str, Any], seq: int = 0, what: str = "action") -> TraineeAction:
    """The trainee action an ``action`` line records (``seq`` when the line has none)."""
    nested = obj.get("action")
    payload: Mapping[str, Any] = nested if isinstance(nested, dict) else obj  # an early draft nested it
    f, p = _Fields(obj, what), _Fields(payload, what)
    kind = p.text("kind")
    if kind not in ACTION_KINDS:
        raise SchemaError(f"{what}: `kind` should be one of {', '.join(ACTION_KINDS)}, not {kind!r}")
    post = p.opt_text("post") or p.opt_text("post_id")
    return TraineeAction(
        seq=p.whole("seq", f.whole("seq", seq)) or seq,
        t=f.number("t"),
        kind=kind,
        text=p.text("text"),
        post_id=post,
        steps=_steps(payload.get("steps"), what),
        next_update=p.text("next_update"),
        judgement=f.obj_or_none("judgement"),
    )


def parse_event(obj: Mapping[str, Any], line: int = 0, seq: int = 0) -> Event | None:
    """One journal line as a typed event (None for a type this version does not know).

    Raises ``SchemaError`` naming the line when a known event's fields have the wrong types.
    """
    what = f"line {line}" if line else "event"
    f = _Fields(obj, what)
    kind = obj.get("type")
    t = f.number("t")
    if kind == "post":
        return PostEvent(
            t=t,
            id=f.text("id") or f.text("post"),
            author=f.text("author"),
            text=f.text("text"),
            name=f.text("name"),
            role=f.text("role", "customer"),
            followers=f.whole("followers"),
            tags=f.texts("tags"),
            reply_to=f.opt_text("reply_to"),
            must_handle=f.flag("must_handle"),
            source=f.text("source", "wave"),
            quote=f.opt_text("quote"),
            pinned=f.flag("pinned"),
            media=_media(f.obj_or_none("media"), what),
        )
    if kind == "briefing":
        return BriefingEvent(t, f.text("id"), f.text("title"))
    if kind == "inject":
        posts = obj.get("posts")
        return InjectEvent(
            t,
            f.text("id"),
            f.obj_or_none("cause") or {},
            f.texts("fired"),
            f.whole("posts") if posts is not None else None,
        )
    if kind == "action":
        flags = obj.get("flags")
        return ActionEvent(parse_action(obj, seq, what), f.texts("flags") if flags is not None else None)
    if kind == "commitment":
        return CommitmentEvent(
            t, f.text("status"), f.number("due"), f.whole("source"), f.text("words"), f.text("audience", "public")
        )
    if kind == "pressure":
        return PressureEvent(t, f.number("value", f.number("pressure")))
    if kind == "end":
        return EndEvent(t, f.text("reason", "time"))
    return None


def parse_events(objs: Sequence[Mapping[str, Any]], first_line: int = 2) -> list[Event]:
    """Typed events from journal lines (numbered from ``first_line`` for messages); unknown types skipped."""
    out: list[Event] = []
    seq = 0
    for i, obj in enumerate(objs):
        if obj.get("type") == "action":
            seq += 1
        ev = parse_event(obj, first_line + i, seq)
        if ev is not None:
            out.append(ev)
    return out


def as_header(header: Header | Mapping[str, Any]) -> Header:
    return header if isinstance(header, Header) else Header.from_json(header)


def as_events(events: Sequence[Event] | Sequence[Mapping[str, Any]]) -> list[Event]:
    """Events as typed ones: JSON objects (tests, tools building a journal by hand) are parsed."""
    typed = [e for e in events if not isinstance(e, Mapping)]
    if len(typed) == len(events):
        return typed
    return parse_events([e if isinstance(e, Mapping) else e.to_json() for e in events], 1)
