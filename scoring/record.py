"""A session as scoring sees it: delivered posts and the trainee's actions, rebuilt from a journal.

Scoring reads journals as plain data (no engine state). Post details the journal does not carry
(reach, role, expectations) come from re-expanding the scenario with the journal's seed, which
is deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from sim.engine.events import (
    ActionEvent,
    BriefingEvent,
    CommitmentEvent,
    Event,
    Header,
    InjectEvent,
    PostEvent,
    PressureEvent,
    TraineeAction,
    as_events,
    as_header,
)
from sim.scenario.expand import expand
from sim.scenario.model import Expectation, Post, Scenario, Storm
from sim.scenario.triage import HIGH_REACH, needs_answer, needs_answer_alone, priority

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

    @cached_property
    def needs_answer(self) -> bool:
        """Must-handle, a priority tag, a named persona, or high reach: a trainee should answer it
        (asked several times per post by each pillar: read once)."""
        return needs_answer(self.post)

    @cached_property
    def priority(self) -> int:
        return priority(self.post)


# The one trainee-action type: the engine's record of an action is the one scoring reads.
Act = TraineeAction


@dataclass
class SessionRecord:
    scenario: Scenario
    storm: Storm
    header: Header
    posts: dict[str, Delivered] = field(default_factory=dict)
    actions: list[Act] = field(default_factory=list)
    briefing_times: dict[str, float] = field(default_factory=dict)
    commitments: list[CommitmentEvent] = field(default_factory=list)
    injects: list[InjectEvent] = field(default_factory=list)
    pressure: list[tuple[float, float]] = field(default_factory=list)
    end_t: float = 0.0
    warnings: list[str] = field(default_factory=list)
    update_seqs: set[int] | None = None  # the statements that count as updates (set once judged)
    people: dict[str, list[Delivered]] | None = None  # the crowd by author (scoring.speed.crowd_people)
    safety_said_at: list[float] | None = None  # when public statements gave the safety answer (set once judged)

    def is_update(self, a: Act) -> bool:
        """Whether a statement counts as a public update (sim.engine.reading.is_update, once judged)."""
        return a.statement and (self.update_seqs is None or a.seq in self.update_seqs)

    def answered_in_public(self, d: Delivered) -> bool:
        """A crowd safety question ("is it safe at other stores?") that a public statement answers: the
        statement with the safety instruction or the briefed safety fact was on the page by the time a
        reply was due. Like a crowd rumour, it is answered once in public, not one by one; replies to
        it still reach the person (the crowd pillar counts them). Named accounts, the media, high reach
        and must-handle posts still need their own answer."""
        if not self.safety_said_at or d.post.source != "wave" or d.post.must_handle or "safety" not in d.post.tags:
            return False
        if needs_answer_alone(d.post):
            return False
        due = d.t + float(self.scenario.scoring.reply)
        return self.safety_said_at[0] <= due

    def needs_own_answer(self, d: Delivered) -> bool:
        """A post the trainee should answer: it needs an answer and no public statement gave it."""
        return d.needs_answer and not self.answered_in_public(d)

    def others_to_answer(self) -> list[Delivered]:
        """The posts besides must-handle ones whose answers count: those that need their own answer, and
        crowd safety questions a statement answered that the trainee answered in person too."""
        return [
            d
            for d in self.posts.values()
            if not d.post.must_handle
            and d.needs_answer
            and (not self.answered_in_public(d) or bool(self.responses_to(d.id)))
        ]

    @property
    def trainee(self) -> str:
        return self.header.trainee

    def handle_of(self, author: str) -> str:
        """The @handle of an account (a persona or crowd id), as the trainee saw it."""
        return next((d.post.handle for d in self.posts.values() if d.post.author == author), author)

    _by_post: tuple[int, dict[str, list[Act]]] = field(
        default_factory=lambda: (-1, {}), init=False, repr=False, compare=False
    )

    def responses_to(self, post_id: str) -> list[Act]:
        """The replies and private messages to a post, in order (indexed once per set of actions: a
        10k-post storm asks for every post)."""
        n, index = self._by_post
        if n != len(self.actions):
            index = {}
            for a in self.actions:
                if a.kind in ("reply", "private") and a.post_id is not None:
                    index.setdefault(a.post_id, []).append(a)
            self._by_post = (len(self.actions), index)
        return list(index.get(post_id, ()))


_SUFFIX = re.compile(r"^(?P<base>.+?)(?:[#@~]\d+|[#@~][A-Za-z0-9_-]+)$")


def lookup(storm: Storm) -> dict[str, Post]:
    table: dict[str, Post] = {p.id: p for p in storm.posts}
    for posts in storm.held.values():
        for p in posts:
            table.setdefault(p.id, p)
    return table


def base_post(known: dict[str, Post], post_id: str) -> Post | None:
    """The scenario's own post behind a delivered one (with its expectation), if there is one."""
    base = known.get(post_id)
    if base is None:
        m = _SUFFIX.match(post_id)
        if m and m.group("base") in known:
            base = known[m.group("base")]
    return base


def _post_from_event(ev: PostEvent, known: dict[str, Post]) -> Post:
    """The post as delivered, with the details the journal does not carry (reach, expectations)
    from the scenario's own expansion."""
    base = base_post(known, ev.id)
    seen = ev.to_post()
    if base is None:
        return seen
    # What the journal says of the post as delivered (its id after a refiring, its filled text) over
    # what the scenario says of it.
    journaled: dict[str, Any] = {k: getattr(seen, k) for k in ("id", "t", "text", "reply_to", "source", "quote")}
    expect = _fired_expect(base, ev)
    if expect == base.expect and all(getattr(base, k) == v for k, v in journaled.items()):
        return base  # delivered as scheduled: the storm's own post, not a second copy of it
    return replace(base, **journaled, expect=expect)


def _fired_expect(base: Post, ev: PostEvent) -> Expectation | None:
    """Format 2: a held post's time-bounded expectations count from the moment it was fired."""
    if base.expect is None or base.source != "inject":
        return base.expect
    return base.expect.shifted(int(ev.t) - base.t)


def build_record(
    scenario: Scenario,
    header: Header | Mapping[str, Any],
    events: Sequence[Event] | Sequence[Mapping[str, Any]],
    warnings: Sequence[str] | None = None,
    *,
    storm: Storm | None = None,
) -> SessionRecord:
    """Rebuild a session from its journal's typed events (JSON objects are parsed first).

    ``storm``: the scenario already expanded with the journal's seed (the console has it), so it is
    not expanded a second time; a storm of another scenario or seed is ignored.
    """
    head = as_header(header)
    seed = scenario.seed if head.seed is None else head.seed
    if storm is None or storm.scenario is not scenario or storm.seed != seed:
        storm = expand(scenario, seed)
    rec = SessionRecord(scenario=scenario, storm=storm, header=head, warnings=list(warnings or ()))
    if head.scenario_hash and scenario.content_hash and head.scenario_hash != scenario.content_hash:
        rec.warnings.append("the scenario file changed since this session was played; scores may differ")
    known = lookup(storm)
    for ev in as_events(events):
        rec.end_t = max(rec.end_t, ev.t)
        if isinstance(ev, PostEvent):
            post = _post_from_event(ev, known)
            rec.posts[post.id] = Delivered(post, ev.t)
        elif isinstance(ev, BriefingEvent):
            rec.briefing_times.setdefault(ev.id, ev.t)
        elif isinstance(ev, ActionEvent):
            rec.actions.append(ev.action)
        elif isinstance(ev, CommitmentEvent):
            rec.commitments.append(ev)
        elif isinstance(ev, InjectEvent):
            rec.injects.append(ev)
        elif isinstance(ev, PressureEvent):
            rec.pressure.append((ev.t, ev.value))
    duration = float(scenario.duration)
    if rec.end_t < duration - 1:
        # Ending early (or a journal cut short) must not dodge the rest of the storm: what was still to
        # come counts as delivered and unanswered, and the silence runs on to the scheduled end.
        rec.warnings.append(
            f"the session stopped at {rec.end_t / 60:.1f} of {duration / 60:.0f} minutes; the rest of the "
            "storm counts as unanswered"
        )
        for post in storm.posts:
            # A responsive wave's extra posts come only if play feeds the crowd: the rest of the storm
            # is counted at its scripted volume.
            if post.t > rec.end_t and post.id not in rec.posts and not post.extra:
                rec.posts[post.id] = Delivered(post, float(post.t))
        rec.end_t = duration
    return rec
