"""The reply judge as the game calls it, without loading it: each request's context is built here,
the judging itself is done by a backend.

- :class:`LocalJudge` (the default) judges in this process with :mod:`scoring.judge` (onnxruntime,
  numpy and the encoder, loaded on first use).
- A workshop's participant processes use the host's one judge process instead
  (``sim.workshop.judge_service.ServedJudge``), so each of them never loads the model: ``use()``
  installs it for the whole process.

Nothing here imports numpy or onnxruntime. The live game (``sim.tui.game``) and the debrief
(``scoring.session_tone``) judge through this module, so both use the process's backend; the
command-line tools, calibration and the benchmarks call :mod:`scoring.judge` directly.

The wire form of a context and of a result (:func:`context_to_wire`, :func:`result_from_wire` ...)
is what the judge process and its clients exchange: every field of both, so a served judgement is the
in-process one exactly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import fields, replace
from functools import lru_cache
from typing import Any, Protocol

from sim.engine.reading import JudgeRequest

from .tone import ToneContext, ToneHit, ToneResult, template_form

RECENT = 40  # earlier texts compared for copy-paste (an exact repeat counts however far back)
_TONE_KIND = {"reply": "reply", "private": "dm", "update": "update", "plan": "plan"}
CONTEXT_KINDS = frozenset(_TONE_KIND.values())


@lru_cache(maxsize=16384)
def _form(text: str, name: str, handle: str) -> str:
    return template_form(text, name, handle)


def request_context(req: JudgeRequest) -> tuple[ToneContext, bool]:
    """The judge's context for a request, and whether the text repeats an earlier one exactly."""
    post = req.post
    name, handle = (post.name, post.handle) if post else ("", "")
    forms = [_form(e.text, e.author_name, e.author_handle) for e in req.earlier]
    mine = " ".join(_form(req.text, name, handle).split())
    repeat = any(" ".join(f.split()) == mine for f in forms)
    ctx = ToneContext(
        kind=_TONE_KIND.get(req.kind, "reply"),
        post_text=post.text if post else "",
        author_name=name,
        author_handle=handle,
        earlier_replies=tuple(forms[-RECENT:]),
        known_facts=tuple(b.text for b in req.known),
        contradictions=tuple(p for b in req.known for p in b.contradicts),
        unconfirmed=req.unconfirmed,
    )
    return ctx, repeat


def contexts_for(reqs: Sequence[JudgeRequest]) -> list[ToneContext]:
    """Each request's context as the judge reads it (an exact repeat stays visible to copy-paste)."""
    contexts = []
    for req in reqs:
        ctx, repeat = request_context(req)
        if repeat:
            mine = _form(req.text, ctx.author_name, ctx.author_handle)
            if mine not in ctx.earlier_replies:
                ctx = replace(ctx, earlier_replies=(*ctx.earlier_replies, mine))
        contexts.append(ctx)
    return contexts


class Backend(Protocol):
    """Who judges: this process, or the host's judge process."""

    def judge_many(self, texts: Sequence[str], contexts: Sequence[ToneContext]) -> list[ToneResult]: ...

    def version(self) -> str: ...

    def warm_up(self) -> None: ...


class LocalJudge:
    """Judge in this process (:mod:`scoring.judge`, loaded on first use)."""

    def judge_many(self, texts: Sequence[str], contexts: Sequence[ToneContext]) -> list[ToneResult]:
        from .judge import judge_many

        return judge_many(texts, contexts)

    def version(self) -> str:
        from .judge import judge_version

        return judge_version()

    def warm_up(self) -> None:
        from .judge import warm_up

        warm_up()


_backend: Backend = LocalJudge()


def use(backend: Backend) -> Backend:
    """Judge with ``backend`` from now on, in this whole process; the one it replaces."""
    global _backend
    before, _backend = _backend, backend
    return before


def judge_requests(reqs: Sequence[JudgeRequest]) -> list[ToneResult]:
    """Judge the game's texts, each in its context (live and in the debrief alike)."""
    if not reqs:
        return []
    return _backend.judge_many([r.text for r in reqs], contexts_for(reqs))


def tone_judge(req: JudgeRequest) -> ToneResult:
    """The engine's judge: one of the trainee's texts judged in the context the debrief uses. The
    journal keeps the judgement (``to_record``) and the debrief reuses it."""
    return judge_requests([req])[0]


def judge_version() -> str:
    """The version of the judge in use: a record made by another one is judged again."""
    return _backend.version()


def warm_up() -> None:
    """Have the judge ready before the first text (the console calls this in a worker)."""
    _backend.warm_up()


# ---------------------------------------------------------------------- the wire form
_TUPLE_FIELDS = tuple(f.name for f in fields(ToneContext) if f.name not in ("kind",))
_STR_FIELDS = ("post_text", "author_name", "author_handle")


class WireError(ValueError):
    """A message that is not a context or a result: what is wrong, in words."""


def context_to_wire(ctx: ToneContext) -> dict[str, Any]:
    return {f.name: list(v) if isinstance(v := getattr(ctx, f.name), tuple) else v for f in fields(ToneContext)}


def context_from_wire(data: Any, where: str = "context") -> ToneContext:
    """A context from its wire form; ``WireError`` names the field that is wrong."""
    if not isinstance(data, dict):
        raise WireError(f"{where} must be an object")
    unknown = sorted(set(data) - {f.name for f in fields(ToneContext)})
    if unknown:
        raise WireError(f"{where} has unknown fields: {', '.join(map(_short, unknown))}")
    kind = data.get("kind", "reply")
    if kind not in CONTEXT_KINDS:
        raise WireError(f"{where}.kind must be one of {', '.join(sorted(CONTEXT_KINDS))}")
    values: dict[str, Any] = {"kind": kind}
    for name in _TUPLE_FIELDS:
        if name not in data:
            continue
        v = data[name]
        if name in _STR_FIELDS:
            if not isinstance(v, str):
                raise WireError(f"{where}.{name} must be a string")
            values[name] = check_text(v, f"{where}.{name}")
        else:
            if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                raise WireError(f"{where}.{name} must be a list of strings")
            values[name] = tuple(check_text(x, f"{where}.{name}") for x in v)
    return ToneContext(**values)


def check_text(text: str, where: str) -> str:
    """A text the judge can read: Unicode that encodes (a lone surrogate from a JSON escape does not)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise WireError(f"{where} is not valid Unicode (a lone surrogate)") from None
    return text


def result_to_wire(res: ToneResult) -> dict[str, Any]:
    """Every field of a judgement (the journal's record leaves out the cap and the order of flags)."""
    return {
        "score": res.score,
        "flags": list(res.flags),
        "positive": list(res.positive),
        "negative": list(res.negative),
        "hits": [[h.flag, h.points, h.match, h.why] for h in res.hits],
        "politeness": res.politeness,
        "cap": res.cap,
        "judge": res.judge,
    }


def result_from_wire(data: Any) -> ToneResult:
    if not isinstance(data, dict):
        raise WireError("a result must be an object")
    try:
        hits = tuple(ToneHit(str(a), _num(b), str(c), str(d)) for a, b, c, d in data["hits"])
        if isinstance(data["score"], bool) or not isinstance(data["score"], int):
            raise TypeError("the score is not an integer")
        return ToneResult(
            data["score"],
            _strs(data["flags"]),
            _strs(data["positive"]),
            _strs(data["negative"]),
            hits,
            _num(data["politeness"]),
            _num(data["cap"]),
            str(data["judge"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise WireError(f"a result is malformed ({type(exc).__name__})") from None


def _strs(v: Any) -> tuple[str, ...]:
    if not isinstance(v, list):
        raise TypeError("not a list")
    return tuple(str(x) for x in v)


def _num(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise TypeError("not a number")
    out = float(v)
    if math.isinf(out):
        raise ValueError("not finite")
    return out


def _short(name: str) -> str:
    return repr(name[:30])
