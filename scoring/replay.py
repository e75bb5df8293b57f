"""A finished (or stopped) session read back for replay: the state the console showed at any moment.

The state is rebuilt from the journal alone, in journal order, by the same readings the live session
uses (``sim.engine.reading.is_update`` for the silence, private answers that stay private), so at
every action it is the state the trainee saw; each action carries what scoring made of it (its tone
score and flags, and the evidence points that name it). No Textual: the replay screen draws it.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from sim.engine import events as E
from sim.engine.reading import is_update
from sim.scenario.model import Post, Scenario

from . import analyse
from .card import ScoreCard


@dataclass(frozen=True)
class Scored:
    """One of the trainee's actions with what scoring made of it."""

    action: E.TraineeAction
    flags: tuple[str, ...]
    tone: int | None  # the text's tone score (None: an end)
    points: float  # the evidence points that name this action or the post it answered, at its time
    evidence: tuple[str, ...]


@dataclass
class Moment:
    """What the console showed at one point of the session."""

    t: float
    posts: list[Post] = field(default_factory=list)  # delivered, in arrival order
    status: dict[str, str] = field(default_factory=dict)  # post id -> answered | private
    actions: list[Scored] = field(default_factory=list)
    briefings: list[str] = field(default_factory=list)
    pressure: float = 10.0
    last_statement: float | None = None
    open_promises: dict[tuple[int, float], str] = field(default_factory=dict)  # (source, due) -> words
    ended: bool = False

    @property
    def silence(self) -> float | None:
        return None if self.last_statement is None else self.t - self.last_statement


class Replay:
    """One journal, scored, ready to be shown at any time or action."""

    def __init__(self, scenario: Scenario, header: E.Header, events: list[E.Event], label: str = "") -> None:
        self.scenario = scenario
        self.header = header
        self.events = events
        self.label = label or header.trainee or header.bot or "trainee"
        card, _rec = analyse(scenario, header, events)
        self.card: ScoreCard = card
        self.duration = float(scenario.duration)
        self.end_t = max((e.t for e in events), default=0.0)
        self._times = [e.t for e in events]
        self.scored: dict[int, Scored] = {}
        tones = {(round(r.t, 3), r.ref): r for r in card.replies}
        for ev in events:
            if not isinstance(ev, E.ActionEvent) or ev.action.kind == "end":
                continue
            a = ev.action
            ref = a.post_id or a.ref
            r = tones.get((round(a.t, 3), ref))
            named = [e for e in card.evidence if e.ref in (a.ref, a.post_id or "") and abs(e.t - a.t) < 1]
            self.scored[a.seq] = Scored(
                a,
                tuple(r.flags) if r else tuple(ev.flags or ()),
                r.score if r else None,
                round(sum(e.points for e in named), 1),
                tuple(e.what for e in named),
            )
        self.action_times = [ev.t for ev in events if isinstance(ev, E.ActionEvent) and ev.action.kind != "end"]

    def at(self, t: float) -> Moment:
        """The state at scenario time ``t``: every journal line up to that time applied."""
        return self._apply(bisect_right(self._times, t), t)

    def at_action(self, k: int) -> Moment:
        """The state right after the ``k``-th action (0-based) was accepted."""
        seen = -1
        for i, ev in enumerate(self.events):
            if isinstance(ev, E.ActionEvent) and ev.action.kind != "end":
                seen += 1
                if seen == k:
                    # Lines the action itself wrote at once (a promise made) belong to it.
                    j = i + 1
                    while j < len(self.events) and isinstance(self.events[j], E.CommitmentEvent):
                        j += 1
                    return self._apply(j, ev.t)
        raise IndexError(k)

    def _apply(self, n: int, t: float) -> Moment:
        m = Moment(t)
        for ev in self.events[:n]:
            if isinstance(ev, E.PostEvent):
                m.posts.append(ev.to_post())
            elif isinstance(ev, E.BriefingEvent):
                m.briefings.append(ev.id)
            elif isinstance(ev, E.PressureEvent):
                m.pressure = ev.value
            elif isinstance(ev, E.CommitmentEvent):
                key = (ev.source, ev.due)
                if ev.status == "made":
                    m.open_promises[key] = ev.words
                else:
                    m.open_promises.pop(key, None)
            elif isinstance(ev, E.EndEvent):
                m.ended = True
            elif isinstance(ev, E.ActionEvent):
                a = ev.action
                if a.kind == "end":
                    continue
                if a.post_id:
                    now = "private" if a.kind == "private" or m.status.get(a.post_id) == "private" else "answered"
                    m.status[a.post_id] = now
                if is_update(a.kind, ev.flags):
                    m.last_statement = a.t
                m.actions.append(self.scored[a.seq])
        return m
