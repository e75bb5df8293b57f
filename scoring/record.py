"""A session as scoring sees it: delivered posts and the trainee's actions, rebuilt from a journal.

Scoring reads journals as plain data (no engine state). Post details the journal does not carry
(reach, role, expectations) come from re-expanding the scenario with the journal's seed, which
is deterministic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sim.engine.reading import action_text
from sim.scenario.expand import expand
from sim.scenario.model import Expectation, PlanStep, Post, Scenario, Storm
from sim.scenario.triage import HIGH_REACH, needs_answer, priority

__all__ = ["HIGH_REACH", "Act", "Delivered", "SessionRecord", "build_record"]


@dataclass(frozen=True)
class Delivered:
    post: Post
    t: float  # when it was delivered

    @property
    def id(self) -> str:
        return self.post.id

    @property
    def expect(self) -> Expectation | None:
        return self.post.expect

    @property
    def needs_answer(self) -> bool:
        """Must-handle, a priority tag, a named persona, or high reach: a trainee should answer it."""
        return needs_answer(self.post)

    @property
    def priority(self) -> int:
        return priority(self.post)


@dataclass(frozen=True)
class Act:
    """One trainee action from the journal."""

    seq: int
    t: float
    kind: str  # reply | update | plan | private | end
    post: str | None
    text: str
    steps: tuple[PlanStep, ...] = ()
    next_update: str = ""
    judgement: dict[str, Any] | None = None  # what the live judge said, as the journal kept it

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
        """The text as the public sees it, plan steps included."""
        return action_text(self.kind, self.text, self.steps, self.next_update)


@dataclass
class SessionRecord:
    scenario: Scenario
    storm: Storm
    header: dict[str, Any]
    posts: dict[str, Delivered] = field(default_factory=dict)
    actions: list[Act] = field(default_factory=list)
    briefing_times: dict[str, float] = field(default_factory=dict)
    commitments: list[dict[str, Any]] = field(default_factory=list)
    injects: list[dict[str, Any]] = field(default_factory=list)
    pressure: list[tuple[float, float]] = field(default_factory=list)
    end_t: float = 0.0
    warnings: list[str] = field(default_factory=list)
    update_seqs: set[int] | None = None  # the statements that count as updates (set once judged)

    def is_update(self, a: Act) -> bool:
        """Whether a statement counts as a public update (sim.engine.reading.is_update, once judged)."""
        return a.statement and (self.update_seqs is None or a.seq in self.update_seqs)

    @property
    def trainee(self) -> str:
        return str(self.header.get("trainee") or "")

    def handle_of(self, author: str) -> str:
        """The @handle of an account (a persona or crowd id), as the trainee saw it."""
        return next((d.post.handle for d in self.posts.values() if d.post.author == author), author)

    def responses_to(self, post_id: str) -> list[Act]:
        return [a for a in self.actions if a.post == post_id and a.kind in ("reply", "private")]


_SUFFIX = re.compile(r"^(?P<base>.+?)(?:[#@~]\d+|[#@~][A-Za-z0-9_-]+)$")


def _lookup(storm: Storm) -> dict[str, Post]:
    table: dict[str, Post] = {p.id: p for p in storm.posts}
    for posts in storm.held.values():
        for p in posts:
            table.setdefault(p.id, p)
    return table


def _post_from_event(ev: dict[str, Any], known: dict[str, Post]) -> Post:
    pid = str(ev.get("id") or ev.get("post") or "")
    base = known.get(pid)
    if base is None:
        m = _SUFFIX.match(pid)
        if m and m.group("base") in known:
            base = known[m.group("base")]
    if base is not None:
        return Post(
            id=pid,
            t=int(ev.get("t", base.t)),
            author=base.author,
            name=base.name,
            handle=base.handle,
            role=base.role,
            followers=base.followers,
            text=str(ev.get("text", base.text)),
            tags=base.tags,
            reply_to=ev.get("reply_to", base.reply_to),
            expect=base.expect,
            source=str(ev.get("source", base.source)),
            wave=base.wave,
        )
    return Post(
        id=pid,
        t=int(ev.get("t", 0)),
        author=str(ev.get("author", "")),
        name=str(ev.get("name", "")),
        handle=str(ev.get("handle", ev.get("author", ""))),
        role=str(ev.get("role", "customer")),
        followers=int(ev.get("followers", 0) or 0),
        text=str(ev.get("text", "")),
        tags=tuple(ev.get("tags") or ()),
        reply_to=ev.get("reply_to"),
        source=str(ev.get("source", "wave")),
    )


def _steps(raw: Any) -> tuple[PlanStep, ...]:
    steps = []
    for s in raw or ():
        if isinstance(s, dict):
            steps.append(PlanStep(str(s.get("what", "")), str(s.get("who", "") or ""), str(s.get("when", "") or "")))
        elif isinstance(s, list | tuple) and s:
            steps.append(PlanStep(*(str(x) for x in list(s)[:3])))
        elif isinstance(s, str):
            steps.append(PlanStep(s))
    return tuple(steps)


def build_record(
    scenario: Scenario, header: dict[str, Any], events: list[dict[str, Any]], warnings: list[str] | None = None
) -> SessionRecord:
    """Rebuild a session from journal events (plain dicts, as read from the JSONL)."""
    seed = int(header.get("seed", scenario.seed))
    storm = expand(scenario, seed)
    rec = SessionRecord(scenario=scenario, storm=storm, header=header, warnings=list(warnings or ()))
    expected_hash = header.get("scenario_hash")
    if expected_hash and scenario.content_hash and expected_hash != scenario.content_hash:
        rec.warnings.append("the scenario file changed since this session was played; scores may differ")
    known = _lookup(storm)
    seq = 0
    for ev in events:
        kind = ev.get("type")
        t = float(ev.get("t", 0) or 0)
        rec.end_t = max(rec.end_t, t)
        if kind == "post":
            post = _post_from_event(ev, known)
            rec.posts[post.id] = Delivered(post, t)
        elif kind == "briefing":
            rec.briefing_times.setdefault(str(ev.get("id")), t)
        elif kind == "action":
            seq += 1
            nested = ev.get("action")
            payload: dict[str, Any] = nested if isinstance(nested, dict) else ev
            akind = str(payload.get("kind", ""))
            rec.actions.append(
                Act(
                    seq=int(payload.get("seq", ev.get("seq", seq)) or seq),
                    t=t,
                    kind=akind,
                    post=payload.get("post") or payload.get("post_id"),
                    text=str(payload.get("text") or ""),
                    steps=_steps(payload.get("steps")),
                    next_update=str(payload.get("next_update") or ""),
                    judgement=ev.get("judgement") if isinstance(ev.get("judgement"), dict) else None,
                )
            )
        elif kind == "commitment":
            rec.commitments.append(ev)
        elif kind == "inject":
            rec.injects.append(ev)
        elif kind == "pressure":
            rec.pressure.append((t, float(ev.get("value", ev.get("pressure", 0)) or 0)))
    duration = float(scenario.duration)
    if rec.end_t < duration - 1:
        # Ending early (or a journal cut short) must not dodge the rest of the storm: what was still to
        # come counts as delivered and unanswered, and the silence runs on to the scheduled end.
        rec.warnings.append(
            f"the session stopped at {rec.end_t / 60:.1f} of {duration / 60:.0f} minutes; the rest of the "
            "storm counts as unanswered"
        )
        for post in storm.posts:
            if post.t > rec.end_t and post.id not in rec.posts:
                rec.posts[post.id] = Delivered(post, float(post.t))
        rec.end_t = duration
    return rec
