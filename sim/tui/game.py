"""The console's view of a running session: one adapter between the engine and the screens.

The screens call only this class; it owns the engine session, its clock and journal, and turns
engine state into the small pieces the widgets show. Each tick returns only what changed
(:class:`Changes`), which the app publishes to the screens as messages. No Textual here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scoring import analyse
from scoring.card import ScoreCard
from scoring.coach import Coach, DraftCheck, Hint, check_draft
from scoring.judging import tone_judge
from scoring.record import SessionRecord
from sim.engine import actions as A
from sim.engine.clock import Clock, RealClock
from sim.engine.commitments import stale_times
from sim.engine.journal import read_journal
from sim.engine.session import Session
from sim.scenario.expand import expand
from sim.scenario.library import resolve
from sim.scenario.load import load_scenario
from sim.scenario.model import Briefing, PlanStep, Post, Scenario
from sim.scenario.patterns import clock_label
from sim.store import new_journal_path
from sim.tui.options import SPEEDS, GameOptions
from sim.tui.widgets.panels import ChannelItem, Status

__all__ = ["Changes", "Game", "GameOptions", "Progress", "Scored"]


@dataclass(frozen=True)
class Changes:
    """What changed in the game since the last look: the screens update only these pieces."""

    posts: list[Post] = field(default_factory=list)
    statuses: list[tuple[str, str]] = field(default_factory=list)
    briefings: list[Briefing] = field(default_factory=list)  # arrived since the last look
    briefings_changed: bool = False  # format 2: an embargo lifted or the crisis type changed
    channel: bool = False  # the trainee sent something
    status: Status | None = None  # None: the status bar would show the same thing
    hints: list[Hint] = field(default_factory=list)  # what the coach says (``--coach``)
    ended: bool = False


@dataclass(frozen=True)
class Progress:
    """Where a session stands: what a resumed session's briefing tells the trainee."""

    now: float
    duration: float
    delivered: int
    open: int
    sent: dict[str, int]  # action kind -> how many
    plan_posted: bool
    next_promise: float | None
    last_statement: float | None


@dataclass(frozen=True)
class Scored:
    """A finished session, scored: what the debrief shows."""

    card: ScoreCard
    record: SessionRecord
    journal: Path
    history: list[float]  # this trainee's totals on this scenario in their history, oldest first, this one last
    note: str = ""  # why the session could not be kept in the trainee's history, or ""


@dataclass
class Game:
    scenario: Scenario
    session: Session
    clock: Clock
    journal_path: Path
    options: GameOptions
    resumed: bool = False
    started: bool = False
    finished: bool = False
    promise_note: str = ""  # a warning about what the last action promised, or ""
    history_note: str = ""  # why the finished session could not be kept in the history, or ""
    _coach: Coach | None = None
    _hints: list[Hint] = field(default_factory=list)
    _post_cursor: int = 0
    _briefing_cursor: int = 0
    _briefing_key: tuple[int, int] = (0, 0)  # (embargoes in force, crisis type changes) shown
    _channel_dirty: bool = True
    _shown_status: Status | None = None
    _status: dict[str, str] = field(default_factory=dict)
    _status_changes: list[tuple[str, str]] = field(default_factory=list)

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def start(cls, scenario: Scenario, options: GameOptions) -> Game:
        seed = scenario.seed if options.seed is None else options.seed
        storm = expand(scenario, seed)
        clock = options.clock or RealClock(speed=options.speed)
        clock.pause()
        clock.set(0.0)  # a new session starts at scenario time 0, even on a clock reused from the last one
        path = options.journal or new_journal_path(scenario.id, options.trainee)
        session = Session(
            storm, clock, journal_path=path, trainee=options.trainee, judge=tone_judge, coached=options.coach
        )
        return cls(scenario, session, clock, path, options)

    @classmethod
    def resume(cls, options: GameOptions) -> Game:
        assert options.resume is not None
        journal = read_journal(options.resume)
        header = journal.header
        arg = header.scenario_path or header.scenario
        if header.scenario_path and not Path(header.scenario_path).exists():
            arg = header.scenario
        scenario = load_scenario(resolve(str(arg)))
        clock = options.clock or RealClock(speed=options.speed)
        session = Session.resume(scenario, options.resume, clock, judge=tone_judge)
        clock.pause()
        game = cls(scenario, session, clock, options.resume, options, resumed=True)
        game._sync_status()
        return game

    def begin(self) -> None:
        self.started = True
        self.clock.resume()

    def tick(self) -> Changes:
        """Advance the session to the clock's time; what changed (``ended`` once the scenario is over)."""
        if not self.finished:
            if self.options.room is not None:
                for post in self.options.room.take_pushed():
                    self.session.push(post, post.t)
            self.session.advance()
            self._sync_status()
            if self.coach is not None:
                self._hints += self.coach.check()
            if self.session.ended:
                self._finish()
        return self.changes()

    def changes(self) -> Changes:
        """What changed since the last call (the first call: everything so far)."""
        posts, self._post_cursor = self.session.posts_since(self._post_cursor)
        statuses, self._status_changes = self._status_changes, []
        every = self.session.briefings_so_far()
        briefings = every[self._briefing_cursor :]
        self._briefing_cursor += len(briefings)
        key = (sum(1 for b in every if b.embargoed(self.now)), len(self.crisis_changes()))
        briefings_changed, self._briefing_key = key != self._briefing_key, key
        channel, self._channel_dirty = self._channel_dirty, False
        status = self.status()
        shown, self._shown_status = self._shown_status, status
        return Changes(
            posts=list(posts),
            statuses=statuses,
            briefings=list(briefings),
            briefings_changed=briefings_changed,
            channel=channel,
            status=None if status == shown else status,
            hints=self.take_hints(),
            ended=self.finished,
        )

    def rewind_changes(self) -> None:
        """The next :meth:`changes` reports everything so far again (a new console shows it all)."""
        self._post_cursor = 0
        self._briefing_cursor = 0
        self._briefing_key = (-1, -1)
        self._channel_dirty = True
        self._shown_status = None
        self._status_changes = list(self._status.items())

    def end(self) -> None:
        if not self.finished:
            self.session.act(A.EndAction())
            self._finish()

    def _finish(self) -> None:
        self.finished = True
        self.clock.pause()

    def close(self) -> None:
        self.session.close()

    def score(self) -> Scored:
        """Score the finished session from its journal, and record the result (run this in a worker)."""
        journal = read_journal(self.journal_path)
        card, rec = analyse(
            self.scenario,
            journal.header,
            journal.events,
            journal.warnings,
            storm=self.session.storm,  # expanded once already, with the journal's seed
        )
        if self.options.room is not None:
            self.options.room.finished(card.to_json())
        totals: list[float] = []
        link = self.options.history
        if link is not None and self.options.record_results:
            self.history_note = link.record(
                self.journal_path,
                card.to_json(),
                trainee=self.options.trainee,
                difficulty=self.scenario.difficulty,
                coached=self.coached,
            )
            # This trainee's own sessions of this scenario (the store matches names whatever their case).
            totals = [a.total for a in link.attempts(self.options.trainee, self.scenario.id)]
            if self.history_note:  # not kept: it still ends the row the debrief shows
                totals.append(card.total)
        return Scored(card, rec, self.journal_path, totals, note=self.history_note)

    def progress(self) -> Progress:
        s = self.session
        sent: dict[str, int] = {}
        for a in s.own_actions():
            sent[a.kind] = sent.get(a.kind, 0) + 1
        return Progress(
            now=s.now,
            duration=float(self.scenario.duration),
            delivered=len(s.delivered),
            open=sum(1 for _ in s.unanswered()),
            sent=sent,
            plan_posted=s.plan_posted,
            next_promise=s.next_promise(),
            last_statement=s.last_statement,
        )

    # ------------------------------------------------------------------ coaching
    @property
    def coached(self) -> bool:
        """Coaching is on (``--coach``, or a resumed session that was coached)."""
        header = self.session.header
        return self.options.coach or bool(header and header.coached)

    @property
    def coach(self) -> Coach | None:
        if self._coach is None and self.coached:
            self._coach = Coach(self.session)
        return self._coach

    def take_hints(self) -> list[Hint]:
        hints, self._hints = self._hints, []
        return hints

    def check_draft(self, mode: str, text: str, post_id: str | None) -> DraftCheck:
        """What the judge would say of this draft if it were sent now (the composer's check key)."""
        return check_draft(self.session, self.make_action(mode, text, post_id), tone_judge)

    # ------------------------------------------------------------------ state for the screens
    @property
    def now(self) -> float:
        return self.session.now

    @property
    def start_minutes(self) -> int:
        return self.scenario.start_minutes

    @property
    def speed(self) -> float:
        return float(getattr(self.clock, "speed", 1.0))

    def set_speed(self, speed: float) -> None:
        if hasattr(self.clock, "set_speed"):
            self.clock.set_speed(speed)

    def step_speed(self, step: int) -> float:
        """The next speed up the ladder (``step`` > 0) or down it; the same speed at either end."""
        now = self.speed
        if step > 0:
            speed = next((s for s in SPEEDS if s > now), now)
        else:
            speed = next((s for s in reversed(SPEEDS) if s < now), now)
        self.set_speed(speed)
        return self.speed

    def toggle_pause(self) -> None:
        if self.clock.paused:
            self.clock.resume()
        else:
            self.clock.pause()

    def _sync_status(self) -> None:
        for post_id, status in self.session.statuses_changed():
            if self._status.get(post_id) != status:
                self._status[post_id] = status
                self._status_changes.append((post_id, status))

    def status_of(self, post_id: str) -> str:
        return self._status.get(post_id, "open")

    def status(self) -> Status:
        s = self.session
        return Status(
            now=s.now,
            clock=clock_label(self.start_minutes, s.now),
            speed=self.speed,
            paused=self.clock.paused,
            pressure=s.pressure,
            silence=s.silence(),
            update_every=float(self.scenario.scoring.update_every),
            next_promise=s.next_promise(),
            ended=self.finished,
        )

    def briefings(self) -> list[Briefing]:
        return list(self.session.briefings_so_far())

    def quoted(self, post: Post) -> Post | None:
        """The post a quote post quotes, if it has arrived (format 2)."""
        return self.session.post(post.quote) if post.quote else None

    def crisis_changes(self) -> list[tuple[float, str, str]]:
        """The crisis type changes so far (format 2): (time, before, after)."""
        sc = self.scenario
        return [(c.t, sc.crisis_type_at(c.t - 1), c.to) for c in sc.crisis_type_changes if c.t <= self.now]

    def thread(self, post_id: str) -> list[Post]:
        return list(self.session.thread(post_id))[:-1]

    def answers_to(self, post_id: str) -> list[tuple[float, str, str]]:
        return [(a.t, a.kind, a.text) for a in self.session.own_actions() if getattr(a, "post_id", None) == post_id]

    def channel(self, *, private: bool = False) -> list[ChannelItem]:
        """What the trainee posted in public (replies, updates, the plan), or the private messages."""
        out = []
        for a in self.session.own_actions():
            if a.kind not in ("reply", "update", "plan", "private") or (a.kind == "private") != private:
                continue
            post = self.session.post(a.post_id) if a.post_id else None
            text = a.text
            if a.kind == "plan":
                steps = "".join(
                    f"\n - {s.what}" + (f" ({s.who}" + (f", {s.when}" if s.when else "") + ")" if s.who else "")
                    for s in a.steps
                )
                text = f"{a.text}{steps}" + (f"\nNext update: {a.next_update}" if a.next_update else "")
            out.append(ChannelItem(a.t, a.kind, text, post.handle if post else ""))
        return out

    # ------------------------------------------------------------------ actions
    @staticmethod
    def make_action(mode: str, text: str, post_id: str | None) -> Any:
        if mode == "reply":
            return A.ReplyAction(post_id=post_id or "", text=text)
        if mode == "private":
            return A.PrivateAction(post_id=post_id or "", text=text)
        return A.UpdateAction(text=text)

    def send(self, mode: str, text: str, post_id: str | None, verdict: Any = None) -> tuple[bool, str]:
        return self._act(self.make_action(mode, text, post_id), verdict)

    def send_plan(
        self, text: str, steps: Sequence[PlanStep], next_update: str, verdict: Any = None
    ) -> tuple[bool, str]:
        return self._act(A.PlanAction(text=text, steps=tuple(steps), next_update=next_update), verdict)

    @property
    def judges_ahead(self) -> bool:
        """Judge texts in a worker before sending them (real time only: virtual clocks stay in step)."""
        return isinstance(self.clock, RealClock)

    def judge_ahead(self, action: Any) -> Any:
        """The judgement of ``action`` if it were sent now, with its request (run this in a worker thread)."""
        request = self.session.preview_request(action)
        return None if request is None else (request, tone_judge(request))

    def _act(self, action: Any, verdict: Any = None) -> tuple[bool, str]:
        promises = len(self.session.commitments)
        result = self.session.act(action, verdict=verdict)
        if isinstance(result, A.Refusal):
            return False, result.reason
        self._channel_dirty = True
        if self.options.room is not None:
            # In a workshop an action is acknowledged once the results store has it too.
            problem = self.options.room.acted(self.session.actions[-1])
            if problem:
                self._sync_status()
                return False, problem
        self._sync_status()
        self.promise_note = self._promise_note(action, self.session.commitments[promises:])
        if self.coach is not None:
            self._hints += self.coach.after(self.session.actions[-1])
        return True, ""

    def _promise_note(self, action: Any, made: Sequence[Any]) -> str:
        """A warning when what was just sent promises an update at a time that does not work.

        A clock time that is now ("next update at 10:00" at 10:00) promises nothing; one already past
        ("at 09:05" at 09:10) reads as tomorrow, after the scenario ends.
        """
        now = clock_label(self.start_minutes, self.session.now)
        if isinstance(action, A.ReplyAction | A.UpdateAction | A.PlanAction) and not made:
            stale = stale_times(action.text, self.session.now, self.start_minutes)
            if isinstance(action, A.PlanAction) and action.next_update:
                stale += stale_times(action.next_update, self.session.now, self.start_minutes, require_cue=False)
            if stale:
                return (
                    f'"{stale[0]}" is not ahead of the clock (it is {now} now), so no update is promised. '
                    "Post a correction with a later time."
                )
        late = [c for c in made if c.due >= self.scenario.duration]
        if not late:
            return ""
        c = late[0]
        when = clock_label(self.start_minutes, c.due)
        day = " tomorrow" if c.due - self.session.now > 12 * 3600 else ""
        return (
            f'"{c.words}" promises an update at {when}{day}, after this exercise ends (it is {now} now). '
            "If you meant sooner, post a correction with a later time today."
        )
