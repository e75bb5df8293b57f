"""A session: a storm played against a clock, the trainee's actions, injects and the journal.

Time is processed strictly in order, one instant at a time (briefings, posts, broken promises,
timed conditions, the pressure sample), so how often ``advance`` is called never changes what
happens: that is what makes resuming from a journal exact.
"""

from __future__ import annotations

import bisect
import heapq
import json
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sim import __version__
from sim.scenario.expand import derive_seed, expand
from sim.scenario.model import POSITIVE_TONE_FLAGS, Expectation, PlanStep, Post, Scenario, Storm
from sim.scenario.patterns import asserted, clock_label, fill_live
from sim.scenario.text import clean_text

from . import pressure as P
from .actions import (
    MAX_TEXT,
    Ack,
    Action,
    EndAction,
    PlanAction,
    PrivateAction,
    Refusal,
    ReplyAction,
    UpdateAction,
    action_from_record,
)
from .clock import Clock, VirtualClock
from .commitments import GRACE, Commitment, promised_due
from .crowd import Crowd
from .events import (
    ActionEvent,
    BriefingEvent,
    CommitmentEvent,
    EndEvent,
    Event,
    Header,
    PostEvent,
    PressureEvent,
    TraineeAction,
)
from .injects import Firing, InjectBook
from .journal import JournalWriter, dumps, read_journal
from .queries import Queries
from .reading import Earlier, Judge, JudgeRequest, is_update, judge_request

MAX_STEPS = 20
MAX_FIELD = 500
# What the trainee may know of a must-handle post's expectation: that there is one.
_HIDDEN = Expectation()


PUSHED = "pushed"  # the source of a post pushed by a facilitator (Session.push)


class ResumeError(ValueError):
    """A journal cannot be continued with this scenario."""


def _r(t: float) -> float:
    return round(float(t), 3)


def _same_request(a: JudgeRequest, b: JudgeRequest) -> bool:
    """Whether a judgement made for ``a`` holds for ``b`` (time aside: the same text in the same context)."""
    return (
        a.text == b.text
        and a.kind == b.kind
        and a.post == b.post
        and a.earlier == b.earlier
        and a.known == b.known
        and a.unconfirmed == b.unconfirmed
    )


@dataclass
class Session(Queries):
    storm: Storm
    clock: Clock
    trainee: str = ""
    judge: Judge | None = None
    journal_path: Path | None = None
    bot: str | None = None
    header: Header | None = None
    coached: bool = False  # marked in the journal's header
    ended: bool = False
    pressure: float = 10.0
    _t: float = -1.0
    _judged_ahead: bool = False  # the last action used a judgement made ahead (off the UI thread)
    _writer: JournalWriter | None = None
    _replay: list[Event] | None = None

    def __post_init__(self) -> None:
        Queries.__init__(self)
        self.scenario: Scenario = self.storm.scenario
        self.duration = float(self.scenario.duration)
        self._next_post = 0
        self._next_briefing = 0
        self._injected: list[tuple[float, int, Post]] = []  # heap of (time, order, post) fired by injects
        self._inj_seq = 0
        self._book = InjectBook(self.storm, self)
        self._crowd = Crowd(self.scenario)
        self._pushes: deque[tuple[float, float]] = deque()  # (time, points) of inject pressure, last 10 minutes
        self._pinned: list[Post] = []
        self._open: list[Commitment] = []
        self._next_sample = 0.0
        self._recent_posts: deque[tuple[float, float]] = deque()  # (time, heat) of the last minute
        self._recent_heat = 0.0
        self._flagged: deque[float] = deque()
        self._statements: deque[float] = deque()
        self._good_high: deque[float] = deque()
        self._not_yet: set[str] | None = None
        self._seq = 0
        if self.header is None:
            self.header = self._make_header()
        if self._replay is None and self.journal_path is not None and self._writer is None:
            self._writer = JournalWriter(self.journal_path, self.header.to_json())

    # ------------------------------------------------------------------ construction
    @classmethod
    def create(
        cls,
        scenario: Scenario,
        clock: Clock,
        *,
        seed: int | None = None,
        journal_path: Path | None = None,
        trainee: str = "",
        judge: Judge | None = None,
        bot: str | None = None,
        coached: bool = False,
    ) -> Session:
        """Expand ``scenario`` with ``seed`` (default: the scenario's) and start a session."""
        storm = expand(scenario, scenario.seed if seed is None else seed)
        return cls(storm, clock, trainee=trainee, judge=judge, journal_path=journal_path, bot=bot, coached=coached)

    def _make_header(self) -> Header:
        sc = self.scenario
        return Header(
            scenario=sc.id,
            seed=self.storm.seed,
            scenario_hash=sc.content_hash,
            scenario_path=str(Path(sc.source).resolve()) if sc.source and Path(sc.source).exists() else "",
            trainee=self.trainee,
            started=datetime.now(UTC).isoformat(timespec="seconds"),
            stormdrill=__version__,
            bot=self.bot,
            coached=self.coached,
        )

    @classmethod
    def resume(
        cls,
        scenario: Scenario | Storm,
        path: Path,
        clock: Clock,
        *,
        judge: Judge | None = None,
        seed: int | None = None,
    ) -> Session:
        """Continue the session journaled at ``path``: replay it exactly, then append to the same file.

        Raises ``ResumeError`` (with the reason) when the journal belongs to another scenario,
        file version or seed, was edited, or has already ended.
        """
        journal = read_journal(path)
        head = journal.header
        sc = scenario.scenario if isinstance(scenario, Storm) else scenario
        if head.scenario != sc.id:
            raise ResumeError(f"the journal is for scenario `{head.scenario}`, not `{sc.id}`")
        if head.scenario_hash and sc.content_hash and head.scenario_hash != sc.content_hash:
            raise ResumeError(
                "the scenario file changed since this journal was written (its sha256 differs); "
                "it cannot be resumed exactly"
            )
        journal_seed = sc.seed if head.seed is None else head.seed
        if seed is not None and seed != journal_seed:
            raise ResumeError(f"the journal was played with seed {journal_seed}, not {seed}")
        if isinstance(scenario, Storm) and scenario.seed == journal_seed:
            storm = scenario
        else:
            storm = expand(sc, journal_seed)
        done = journal.events
        if any(isinstance(e, EndEvent) for e in done):
            raise ResumeError("this session has already ended; start a new one")
        vclock = VirtualClock()
        s = cls(storm, vclock, trainee=head.trainee, judge=judge, bot=head.bot, header=head)
        s._replay = []
        for ev in done:  # posts pushed from outside the scenario come back at the times they came
            if isinstance(ev, PostEvent) and ev.source == PUSHED:
                s.push(ev.to_post(), ev.t)
        for ev in done:
            if isinstance(ev, ActionEvent):
                t = ev.t
                vclock.set(t)
                result = s.act(action_from_record(ev.action), at=t)
                if isinstance(result, Refusal):
                    raise ResumeError(f"the journal's action at t={t} cannot be replayed: {result.reason}")
        s.advance(max((e.t for e in done), default=0.0))
        s._check_replay(journal.raw_events)
        s._writer = JournalWriter(path, append_at=journal.valid_bytes)
        for ev in s._replay[len(journal.raw_events) :]:  # lines lost in a crash
            s._writer.write(ev.to_json())
        s._writer.flush(sync=True)
        s._replay = None
        s.journal_path = path
        s.clock = clock
        clock.set(s.now)
        return s

    def _check_replay(self, done: list[dict[str, Any]]) -> None:
        regenerated = [json.loads(dumps(e.to_json())) for e in self._replay or []]
        for i, (mine, theirs) in enumerate(zip(regenerated, done, strict=False)):
            if mine == theirs:
                continue
            line = i + 2
            if mine.get("type") == theirs.get("type") == "action" and mine.get("flags") != theirs.get("flags"):
                raise ResumeError(
                    f"journal line {line}: the tone judge now flags this action differently "
                    "(resume with the same judge that played it)"
                )
            raise ResumeError(f"journal line {line} differs from the replay of the scenario (was it edited?)")
        if len(regenerated) < len(done):
            raise ResumeError(f"journal line {len(regenerated) + 2} has no counterpart in the replay")

    def close(self) -> None:
        """Flush, fsync and close the journal."""
        if self._writer is not None:
            self._writer.close()

    def _emit(self, event: Event, *, sync: bool = False) -> None:
        if self._replay is not None:
            self._replay.append(event)
        elif self._writer is not None:
            self._writer.write(event.to_json(), sync=sync)

    # ------------------------------------------------------------------ time
    @property
    def now(self) -> float:
        return max(0.0, self._t)

    def advance(self, to: float | None = None) -> None:
        """Process everything due up to ``to`` (default: the clock's time), in time order."""
        if self.ended:
            return
        target = min(self.clock.now() if to is None else to, self.duration)
        while (t_next := self.next_instant()) <= target:
            self._process(t_next)
        if target > self._t:
            self._t = target
        if target >= self.duration:
            self._emit(EndEvent(_r(self.duration), "time"), sync=True)
            self._t = self.duration
            self.ended = True
        if self._writer is not None:
            self._writer.flush()

    def next_instant(self) -> float:
        """When something is next due: a post, a briefing, a deadline or the pressure sample."""
        best = min(self._next_sample, self._book.next_deadline(self, self._t))
        if self._open:
            best = min(best, min(c.due for c in self._open) + GRACE)
        posts = self.storm.posts
        if self._next_post < len(posts):
            best = min(best, float(posts[self._next_post].t))
        if self._injected:
            best = min(best, self._injected[0][0])
        if self._next_briefing < len(self.scenario.briefings):
            best = min(best, float(self.scenario.briefings[self._next_briefing].t))
        return max(best, self.now)

    def _process(self, t: float) -> None:
        self._t = t
        briefings = self.scenario.briefings
        while self._next_briefing < len(briefings) and briefings[self._next_briefing].t <= t:
            b = briefings[self._next_briefing]
            self._next_briefing += 1
            self._briefings.append(b)
            self._emit(BriefingEvent(_r(t), b.id, b.title))
        posts = self.storm.posts
        while self._next_post < len(posts) and posts[self._next_post].t <= t:
            self._deliver(posts[self._next_post], t)
            self._next_post += 1
        while self._injected and self._injected[0][0] <= t:
            self._deliver(heapq.heappop(self._injected)[2], t)
        for c in [c for c in self._open if c.due + GRACE <= t]:
            self._settle(c, "broken", t)
            self._schedule(self._book.on_event("promise_missed", t, {"due": _r(c.due), "words": c.words}))
        self._schedule(self._book.timed(self, t))
        if t >= self._next_sample:
            self._sample(t)
            self._next_sample = float((int(t // 60) + 1) * 60)

    def _deliver(self, post: Post, t: float) -> None:
        if not self._crowd.lets(post, t):
            return  # a responsive wave's post the state of play keeps away (format 2)
        if post.live:
            post = replace(post, text=clean_text(fill_live(post.text, self._live_values(post, t))))
        if post.expect is not None:
            post = replace(post, expect=_HIDDEN)
        self._add_post(post, t)
        heat = P.post_heat(post)
        quoted = self.post(post.quote) if post.quote else None
        if quoted is not None:
            heat += P.QUOTE_SHARE * P.post_heat(quoted)
        if post.pinned:
            self._pinned.append(post)
        self._recent_posts.append((t, heat))
        self._recent_heat += heat
        self._emit(
            PostEvent(
                _r(t),
                post.id,
                post.handle,
                post.text,
                post.name,
                post.role,
                post.followers,
                tuple(post.tags),
                post.reply_to or None,
                post.must_handle,
                post.source,
                post.quote,
                post.pinned,
                (post.media.kind, post.media.caption) if post.media else None,
            )
        )

    def push(self, post: Post, at: float | None = None) -> None:
        """Deliver a post from outside the scenario (a workshop facilitator's) at ``at``, or now if
        that has passed. The journal marks it (source ``pushed``), so a resumed session has it again."""
        t = _r(max(self.now, self.now if at is None else float(at)))
        self._inj_seq += 1
        heapq.heappush(self._injected, (t, self._inj_seq, replace(post, t=int(t), source=PUSHED)))

    def _live_values(self, post: Post, t: float) -> dict[str, str]:
        """Format 2 placeholders, from the state of play when ``post`` is delivered."""
        sc = self.scenario
        due = [c.due for c in self.commitments if c.due <= t] or [c.due for c in self.commitments]
        values = {
            "promised_time": clock_label(sc.start_minutes, max(due)) if due else "the time they gave",
            "trainee_name": self.trainee or "you",
            "minutes_silent": str(int((t - (self.last_statement or 0.0)) // 60)),
            "company": sc.company.name,
            "company_handle": sc.company.handle,
        }
        for name, choices in sc.variables:
            values[name] = choices[derive_seed(self.storm.seed, post.id, name) % len(choices)]
        return values

    def crowd_rate(self, t: float, over: float) -> float:
        """Posts per minute delivered in the ``over`` seconds up to ``t`` (the current volume)."""
        over = max(60.0, over)
        n = bisect.bisect_right(self._times, t) - bisect.bisect_right(self._times, t - over)
        return n / (over / 60)

    @property
    def crisis_type(self) -> str:
        """The crisis type the public sees now (format 2 scenarios can change it during the storm)."""
        return self.scenario.crisis_type_at(self.now)

    def _schedule(self, firings: list[Firing]) -> None:
        for f in firings:
            self._emit(f.event)
            if f.pressure:
                self._pushes.append((f.event.t, f.pressure))
                self.pressure = P.clamp(self.pressure + f.pressure)
                self._emit(PressureEvent(f.event.t, self.pressure))
            if f.crowd:
                self._crowd.event("inject", f.event.t, f.crowd)
            for at, post in f.posts:
                self._inj_seq += 1
                heapq.heappush(self._injected, (at, self._inj_seq, post))

    def _settle(self, c: Commitment, status: str, t: float) -> None:
        c.status = status
        self._open.remove(c)
        self._emit(self._commitment_event(c, status, t))

    # ------------------------------------------------------------------ pressure
    def _sample(self, t: float) -> None:
        while self._recent_posts and self._recent_posts[0][0] <= t - 60:
            self._recent_heat -= self._recent_posts.popleft()[1]
        for dq in (self._flagged, self._statements, self._good_high):
            while dq and dq[0] <= t - P.WINDOW:
                dq.popleft()
        while self._pushes and self._pushes[0][0] <= t - P.WINDOW:
            self._pushes.popleft()
        # A pinned post left unanswered keeps drawing eyes: its heat counts again every minute.
        pinned = sum(P.post_heat(p) for p in self._pinned if not self.responded(p.id))
        goal = P.target(
            max(0.0, self._recent_heat) + pinned,
            t - (self.last_statement or 0.0),
            float(self.scenario.scoring.update_every),
            len(self._flagged),
            len(self._statements),
            len(self._good_high),
            sum(v for _, v in self._pushes),
        )
        self.pressure = P.step(self.pressure, goal)
        self._emit(PressureEvent(_r(t), self.pressure))

    # ------------------------------------------------------------------ actions
    def preview_request(self, action: Action) -> JudgeRequest | None:
        """What the judge would be given if ``action`` were sent now (None if it would be refused).

        The console judges this in a worker thread and hands the verdict to :meth:`act`, which uses it
        only when the request it builds is still the same (no new briefing, no other text in between).
        """
        if self.ended or isinstance(action, EndAction):
            return None
        checked = self._check(action)
        if isinstance(checked, Refusal):
            return None
        text, post, steps, next_update = checked
        own = TraineeAction(self._seq + 1, self.now, action.kind, text, post.id if post else None, steps, next_update)
        return self.request_for(own, post)

    def act(
        self, action: Action, *, at: float | None = None, verdict: tuple[JudgeRequest, object] | None = None
    ) -> Ack | Refusal:
        """Apply a trainee action: an ``Ack`` once it is fsynced in the journal, or a ``Refusal``.

        ``verdict`` is a judgement made ahead (off the UI thread) with its request: used when the
        request for this action is the same, else the text is judged here.
        """
        if self.ended:
            return Refusal("the session has ended")
        t = max(_r(self.clock.now() if at is None else at), self.now)
        self.advance(min(t, self.duration))
        if self.ended:
            return Refusal("the session has ended")
        if isinstance(action, EndAction):
            self._seq += 1
            end = TraineeAction(self._seq, _r(t), "end")
            self._emit(ActionEvent(end), sync=True)
            self.actions.append(end)
            self._emit(EndEvent(_r(t), "trainee"), sync=True)
            self.ended = True
            return Ack(self._seq, t)
        checked = self._check(action)
        if isinstance(checked, Refusal):
            return checked
        text, post, steps, next_update = checked
        self._seq += 1
        own = TraineeAction(self._seq, t, action.kind, text, post.id if post else None, steps, next_update)
        flags: Sequence[str] = ()
        journaled: tuple[str, ...] | None = None
        if self.judge is not None:
            # Every text is judged once, here, in the context the debrief uses; the journal keeps the
            # judgement so the debrief reuses it (and a resumed session must judge alike).
            request = self.request_for(own, post)
            ahead = verdict is not None and _same_request(verdict[0], request)
            judged: Any = verdict[1] if verdict is not None and ahead else self.judge(request)
            self._judged_ahead = ahead
            if hasattr(judged, "to_record"):
                flags = tuple(judged.flags)
                own = replace(own, judgement=judged.to_record())
            else:
                flags = tuple(str(f) for f in judged)
            journaled = tuple(flags)
            if not own.public:
                flags = ()  # a private message moves no crowd
        self._emit(ActionEvent(own, journaled), sync=True)
        self.actions.append(own)
        self._apply(own, post, flags)
        if self._writer is not None:
            self._writer.flush(sync=True)
        return Ack(self._seq, t)

    def request_for(self, own: TraineeAction, post: Post | None) -> JudgeRequest:
        """What the judge is given for one of the trainee's actions: the debrief builds the same."""
        earlier = []
        for a in self.actions:
            if a.seq >= own.seq or a.kind not in ("reply", "private", "update", "plan"):
                continue
            p = self.post(a.post_id) if a.post_id else None
            earlier.append(Earlier(a.full_text(), p.name if p else "", p.handle if p else ""))
        known = list(self._briefings)  # delivered in time order, up to now
        return judge_request(self.scenario, own.t, own.kind, own.full_text(), post, earlier, known)

    def _check(self, action: object) -> Refusal | tuple[str, Post | None, tuple[PlanStep, ...], str]:
        """Clean an action's text; the reason it is refused, if it is."""
        if not isinstance(action, ReplyAction | PrivateAction | UpdateAction | PlanAction):
            return Refusal(f"not an action: {type(action).__name__}")
        text = clean_text(action.text if isinstance(action.text, str) else "").strip()
        if len(text) > MAX_TEXT:
            return Refusal(f"too long: {len(text)} characters, at most {MAX_TEXT}")
        post: Post | None = None
        if isinstance(action, ReplyAction | PrivateAction):
            pid = action.post_id if isinstance(action.post_id, str) else ""
            post = self.post(pid)
            if post is None:
                if self._not_yet is None:
                    self._not_yet = {p.id for p in self.storm.posts} | self._book.held_ids()
                return Refusal("that post has not arrived yet" if pid in self._not_yet else f"unknown post `{pid}`")
        if not isinstance(action, PlanAction):
            return (text, post, (), "") if text else Refusal("write something first")
        if len(action.steps) > MAX_STEPS:
            return Refusal(f"too many steps: {len(action.steps)}, at most {MAX_STEPS}")
        steps = []
        for s in action.steps:
            parts = [clean_text(x if isinstance(x, str) else "", single_line=True) for x in (s.what, s.who, s.when)]
            if max(len(x) for x in parts) > MAX_FIELD:
                return Refusal(f"a plan step field is too long (at most {MAX_FIELD} characters)")
            if parts[0]:
                steps.append(PlanStep(*parts))
        raw_next = action.next_update if isinstance(action.next_update, str) else ""
        next_update = clean_text(raw_next, single_line=True)[:MAX_FIELD]
        if not text and not steps:
            return Refusal("an action plan needs some text or at least one step")
        return text, None, tuple(steps), next_update

    def _apply(self, a: TraineeAction, post: Post | None, flags: Sequence[str]) -> None:
        t = a.t
        if post is not None:
            self._mark(post.id, "private" if a.kind == "private" else "answered")
            if set(flags) & P.NEGATIVE:
                self._flagged.append(t)
            elif P.is_good_high_reach(post, flags):
                self._good_high.append(t)
        author = post.author if post is not None else None
        update = is_update(a.kind, flags if self.judge is not None else None)
        for c in [c for c in self._open if c.made < t <= c.due + GRACE and c.kept_by(a.kind, author)]:
            if update or a.kind in ("reply", "private"):
                self._settle(c, "kept", t)
        if update:
            self.last_statement = t
            self._statements.append(t)
        self.plan_posted = self.plan_posted or a.kind == "plan"
        self._promise(a, "public" if a.statement or post is None else post.author)
        if not a.public:
            return
        self._move_crowd(a, flags, update)
        self._schedule(self._book.on_event("said", t, {"action": a.seq}, text=a.full_text()))
        for b in self._briefings:
            if b.embargoed(t) and b.reveals and asserted(b.reveals, a.full_text()):
                self._schedule(self._book.on_event("embargo_broken", t, {"action": a.seq}, briefing=b.id))
        if a.kind == "reply" and post is not None:
            cause = {"action": a.seq, "post": post.id}
            self._schedule(self._book.on_event("reply_flagged", t, cause, persona=post.author, flags=flags))

    def _move_crowd(self, a: TraineeAction, flags: Sequence[str], update: bool) -> None:
        """Format 2: a public text moves the waves whose volume responds to play."""
        negative = bool(set(flags) & P.NEGATIVE)
        if a.kind == "reply":
            good = not negative and bool(set(flags) & set(POSITIVE_TONE_FLAGS))
            if negative or good:
                self._crowd.event("flagged_reply" if negative else "good_reply", a.t)
        elif update and not negative:
            self._crowd.event("good_statement", a.t)

    def _promise(self, a: TraineeAction, audience: str) -> None:
        """A time given for the next update (statements) or the next contact (replies, private messages)."""
        start = self.scenario.start_minutes
        promise = promised_due(a.text, a.t, start)
        if a.kind == "plan" and a.next_update:
            field_promise = promised_due(a.next_update, a.t, start, require_cue=False)
            if field_promise and (promise is None or field_promise[0] < promise[0]):
                promise = field_promise
        if promise is None or any(abs(c.due - promise[0]) < 1 and c.audience == audience for c in self._open):
            return
        c = Commitment(a.t, promise[0], a.seq, promise[1], audience=audience)
        self.commitments.append(c)
        self._open.append(c)
        self._emit(self._commitment_event(c, "made", a.t))

    @staticmethod
    def _commitment_event(c: Commitment, status: str, t: float) -> CommitmentEvent:
        return CommitmentEvent(_r(t), status, _r(c.due), c.source, c.words, c.audience)

    # ------------------------------------------------------------------ queries needing the clock
    def silence(self) -> float | None:
        """Seconds since the last public statement (None before the first)."""
        return None if self.last_statement is None else self.now - self.last_statement

    def next_promise(self) -> float | None:
        """The due time of the earliest open promise of an update."""
        return min((c.due for c in self._open), default=None)
