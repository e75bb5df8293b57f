"""Conditional injects: when each condition holds, and what a firing delivers.

Timed conditions (``no_statement_by``, ``no_plan_by``, ``silence``, ``unanswered``) each have one
deadline, so the session processes them at exactly that instant without scanning posts. Event
conditions (``said``, ``reply_flagged``, ``promise_missed``, ``embargo_broken``) are checked when an
action arrives or a promise breaks. Only ``silence`` and the event conditions can hold anew
(``repeat: true``). A firing may also move the mood (format 2): ``pressure`` points on the pressure
index, ``crowd`` on the multiplier of the waves whose volume responds to play; and a held wave with
``current`` is sized when it fires, from the volume arriving then.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from sim.scenario.expand import sized_wave
from sim.scenario.model import DEFAULT_FLAGGED, Inject, Post, Storm
from sim.scenario.patterns import asserted

from .events import InjectEvent

_REPEATABLE = frozenset({"silence", "said", "reply_flagged", "promise_missed", "embargo_broken"})


class Facts(Protocol):
    """What timed conditions read from the session."""

    last_statement: float | None
    plan_posted: bool

    def delivered_at(self, post_id: str) -> float | None: ...

    def responded(self, post_id: str) -> bool: ...


class Volume(Protocol):
    """What sizing a held wave with ``current`` reads from the session."""

    def crowd_rate(self, t: float, over: float) -> float: ...


@dataclass
class Firing:
    """One firing: its journal event, the posts it schedules (absolute delivery times), and how it
    moves the mood (format 2)."""

    event: InjectEvent
    posts: list[tuple[float, Post]] = field(default_factory=list)
    pressure: float = 0.0
    crowd: float = 0.0


@dataclass
class _State:
    fired: int = 0
    anchor: float = 0.0  # silence is counted from here after a firing


def _r(t: float) -> float:
    return round(float(t), 3)


class InjectBook:
    """The scenario's injects and their state."""

    def __init__(self, storm: Storm, volume: Volume | None = None) -> None:
        self.storm = storm
        self.volume = volume
        self._sized = {w.id: w for w in storm.scenario.waves if w.current is not None}
        self.injects = storm.scenario.injects
        self._state = {i.id: _State() for i in self.injects}
        self._fired_targets: dict[str, int] = {}
        self._latest_id: dict[str, str] = {}  # held post id -> the id of its latest firing

    def _live(self, inj: Inject) -> bool:
        st = self._state[inj.id]
        return not st.fired or (inj.repeat and inj.when.kind in _REPEATABLE)

    def _deadline(self, inj: Inject, facts: Facts) -> float | None:
        c = inj.when
        if c.kind == "no_statement_by" and facts.last_statement is None and c.at is not None:
            return float(c.at) + 1
        if c.kind == "no_plan_by" and not facts.plan_posted and c.at is not None:
            return float(c.at) + 1
        if c.kind == "silence" and c.minutes:
            return max(float(c.after), facts.last_statement or 0.0, self._state[inj.id].anchor) + c.minutes
        if c.kind == "unanswered" and c.post and c.minutes and not facts.responded(c.post):
            arrived = facts.delivered_at(c.post)
            return None if arrived is None else arrived + c.minutes
        return None

    def next_deadline(self, facts: Facts, after: float) -> float:
        """The earliest timed condition due later than ``after`` (inf if none)."""
        best = float("inf")
        for inj in self.injects:
            if self._live(inj):
                d = self._deadline(inj, facts)
                if d is not None and after < d < best:
                    best = d
        return best

    def timed(self, facts: Facts, t: float) -> list[Firing]:
        """Fire every timed condition due by ``t``."""
        out = []
        for inj in self.injects:
            if not self._live(inj):
                continue
            d = self._deadline(inj, facts)
            if d is None or d > t:
                continue
            cause: dict[str, Any] = {"condition": inj.when.kind}
            if inj.when.kind == "silence":
                cause["silent_since"] = _r(d - (inj.when.minutes or 0))
            elif inj.when.kind == "unanswered":
                cause["post"] = inj.when.post
            elif inj.when.at is not None:
                cause["by"] = inj.when.at
            out.append(self._fire(inj, t, cause))
        return out

    def on_event(
        self,
        kind: str,
        t: float,
        cause: dict[str, Any],
        *,
        persona: str | None = None,
        flags: Sequence[str] = (),
        text: str = "",
        briefing: str | None = None,
    ) -> list[Firing]:
        """Fire the injects an event satisfies (``said``, ``reply_flagged``, ``promise_missed``, ``embargo_broken``)."""
        out = []
        for inj in self.injects:
            c = inj.when
            if c.kind != kind or not self._live(inj):
                continue
            if kind == "reply_flagged":
                hit = sorted(set(flags) & set(c.flags or DEFAULT_FLAGGED))
                if (c.persona is not None and c.persona != persona) or not hit:
                    continue
                out.append(self._fire(inj, t, {**cause, "condition": kind, "flags": hit}))
            elif kind == "said":
                words = None if c.at is not None and t > c.at else asserted(c.pattern, text, mentions=True)
                if words:  # "it is not fixed yet" does not spring an "all fixed" trap
                    out.append(self._fire(inj, t, {**cause, "condition": kind, "words": words}))
            elif kind == "embargo_broken":
                if c.briefing == briefing:
                    out.append(self._fire(inj, t, {**cause, "condition": kind, "briefing": briefing}))
            else:
                out.append(self._fire(inj, t, {**cause, "condition": kind}))
        return out

    def _fire(self, inj: Inject, t: float, cause: dict[str, Any]) -> Firing:
        st = self._state[inj.id]
        st.fired += 1
        st.anchor = t
        firing = Firing(InjectEvent(_r(t), inj.id, cause, tuple(inj.fires)), pressure=inj.pressure, crowd=inj.crowd)
        batch: list[Post] = []
        for target in inj.fires:
            n = self._fired_targets.get(target, 0) + 1
            self._fired_targets[target] = n
            for post in self._held(target, t, n):
                self._latest_id[post.id] = post.id if n == 1 else f"{post.id}#{n}"
                batch.append(post)
        for post in batch:  # ids first, so a reply in the batch points at its parent's new id
            reply_to = self._latest_id.get(post.reply_to, post.reply_to) if post.reply_to else None
            quote = self._latest_id.get(post.quote, post.quote) if post.quote else None
            # Scripted held posts come as source "inject"; a fired crowd keeps "wave".
            fired = replace(post, id=self._latest_id[post.id], t=int(t + post.t), reply_to=reply_to, quote=quote)
            firing.posts.append((t + post.t, fired))
        firing.event = replace(firing.event, posts=len(firing.posts))
        return firing

    def _held(self, target: str, t: float, n: int) -> tuple[Post, ...] | list[Post]:
        """The posts a target delivers: as expanded, or (a held wave with ``current``) sized now."""
        wave = self._sized.get(target)
        if wave is None or self.volume is None:
            return self.storm.held.get(target, ())
        rate = self.volume.crowd_rate(t, float(wave.current_over))
        return sized_wave(self.storm.scenario, wave, self.storm.seed, rate, n)

    def held_ids(self) -> set[str]:
        return {p.id for posts in self.storm.held.values() for p in posts}
