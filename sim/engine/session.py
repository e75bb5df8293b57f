"""A session: a storm played against a clock, the trainee's actions, injects and the journal.

Time is processed strictly in order, one instant at a time (briefings, posts, broken promises,
timed conditions, the pressure sample), so how often ``advance`` is called never changes what
happens: that is what makes resuming from a journal exact.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sim import __version__
from sim.scenario.expand import expand
from sim.scenario.model import Briefing, Inject, Post, Scenario, Storm
from sim.scenario.patterns import asserted
from sim.scenario.text import clean_text
from sim.scenario.triage import priority

from . import pressure as P
from .actions import (
    MAX_TEXT,
    Ack,
    Action,
    EndAction,
    OwnAction,
    PlanAction,
    PrivateAction,
    Refusal,
    ReplyAction,
    action_from_event,
)
from .clock import Clock, VirtualClock
from .commitments import GRACE, Commitment, promised_due
from .journal import FORMAT, JournalWriter, dumps, read_journal

Judge = Callable[[str, Post | None], Sequence[str]]
INF = float("inf")


class ResumeError(Exception):
    """A journal cannot be continued with this scenario."""


def _r(t: float) -> float:
    return round(float(t), 3)


@dataclass
class _InjectState:
    fired: int = 0
    anchor: float = 0.0  # silence: counted from here


@dataclass
class Session:
    storm: Storm
    clock: Clock
    trainee: str = ""
    judge: Judge | None = None
    journal_path: Path | None = None
    bot: str | None = None
    header: dict[str, Any] = field(default_factory=dict)
    # state
    ended: bool = False
    pressure: float = 10.0
    _t: float = -1.0
    _writer: JournalWriter | None = None
    _replay: list[dict[str, Any]] | None = None

    def __post_init__(self) -> None:
        sc = self.storm.scenario
        self.scenario: Scenario = sc
        self.duration = float(sc.duration)
        self._next_post = 0
        self._injected: list[tuple[float, int, Post]] = []
        self._inj_seq = 0
        self._next_briefing = 0
        self.delivered: list[Post] = []
        self._by_id: dict[str, Post] = {}
        self._delivered_t: dict[str, float] = {}
        self._briefings: list[Briefing] = []
        self.actions: list[OwnAction] = []
        self._status: dict[str, str] = {}
        self._status_log: list[tuple[str, str]] = []
        self._status_cursor = 0
        self.last_statement: float | None = None
        self.plan_posted = False
        self.commitments: list[Commitment] = []
        self._next_sample = 0.0
        self._recent_posts: deque[Post] = deque()
        self._recent_heat = 0.0
        self._flagged: deque[float] = deque()
        self._statements: deque[float] = deque()
        self._good_high: deque[float] = deque()
        self._inject_state: dict[str, _InjectState] = {i.id: _InjectState() for i in sc.injects}
        self._held_fired: dict[str, int] = {}
        self._open_by_prio: dict[int, deque[Post]] = {p: deque() for p in range(6)}
        self._responded: set[str] = set()
        self._seq = 0
        if self._replay is None and self.journal_path is not None and self._writer is None:
            self.header = self._make_header()
            self._writer = JournalWriter(self.journal_path, self.header)
        elif not self.header:
            self.header = self._make_header()

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
    ) -> Session:
        storm = expand(scenario, scenario.seed if seed is None else seed)
        return cls(storm, clock, trainee=trainee, judge=judge, journal_path=journal_path, bot=bot)

    def _make_header(self) -> dict[str, Any]:
        sc = self.scenario
        return {
            "type": "header",
            "format": FORMAT,
            "scenario": sc.id,
            "scenario_hash": sc.content_hash,
            "scenario_path": str(Path(sc.source).resolve()) if sc.source and Path(sc.source).exists() else "",
            "seed": self.storm.seed,
            "stormdrill": __version__,
            "trainee": self.trainee,
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "bot": self.bot,
        }

    @classmethod
    def resume(cls, scenario: Scenario, path: Path, clock: Clock, *, judge: Judge | None = None) -> Session:
        """Continue the session journaled at ``path``: replay it exactly, then append to the same file."""
        journal = read_journal(path)
        head = journal.header
        if head.get("scenario") != scenario.id:
            raise ResumeError(f"the journal is for scenario `{head.get('scenario')}`, not `{scenario.id}`")
        if head.get("scenario_hash") and scenario.content_hash and head["scenario_hash"] != scenario.content_hash:
            raise ResumeError("the scenario file changed since this journal was written; it cannot be resumed exactly")
        storm = expand(scenario, int(head.get("seed", scenario.seed)))
        vclock = VirtualClock()
        s = cls(
            storm,
            vclock,
            trainee=str(head.get("trainee") or ""),
            judge=judge,
            bot=head.get("bot"),
            header=head,
            _replay=[],
        )
        done = [e for e in journal.events]
        if any(e.get("type") == "end" for e in done):
            raise ResumeError("this session has already ended; start a new one")
        last_t = max((float(e.get("t", 0)) for e in done), default=0.0)
        for ev in done:
            if ev.get("type") == "action":
                vclock.set(float(ev["t"]))
                result = s.act(action_from_event(ev), at=float(ev["t"]))
                if isinstance(result, Refusal):
                    raise ResumeError(f"journal action at t={ev['t']} cannot be replayed: {result.reason}")
        vclock.set(last_t)
        s.advance(last_t)
        regenerated = [dict(__import__("json").loads(dumps(e))) for e in s._replay or []]
        for i, (mine, theirs) in enumerate(zip(regenerated, done, strict=False)):
            if mine != theirs:
                raise ResumeError(f"journal line {i + 2} differs from the replay of the scenario (was it edited?)")
        if len(regenerated) < len(done):
            raise ResumeError(f"journal line {len(regenerated) + 2} has no counterpart in the replay")
        s._writer = JournalWriter(path, append_at=journal.valid_bytes)
        for ev in regenerated[len(done) :]:
            s._writer.write(ev)
        s._writer.flush(sync=True)
        s._replay = None
        s.journal_path = path
        s.clock = clock
        if hasattr(clock, "set"):
            clock.set(s.now)
        return s

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()

    # ------------------------------------------------------------------ journal
    def _emit(self, event: dict[str, Any], *, sync: bool = False) -> None:
        if self._replay is not None:
            self._replay.append(event)
        elif self._writer is not None:
            self._writer.write(event, sync=sync)

    # ------------------------------------------------------------------ time
    @property
    def now(self) -> float:
        return max(0.0, self._t)

    def advance(self, to: float | None = None) -> None:
        """Process everything due up to ``to`` (default: the clock's time), in time order."""
        if self.ended:
            return
        target = min(self.clock.now() if to is None else to, self.duration)
        while True:
            t_next = self._next_instant()
            if t_next > target:
                break
            self._process(t_next)
        if target > self._t:
            self._t = target
        if target >= self.duration and not self.ended:
            self._emit({"type": "end", "t": _r(self.duration), "reason": "time"}, sync=True)
            self._t = self.duration
            self.ended = True
        if self._writer is not None:
            self._writer.flush()

    def _next_instant(self) -> float:
        cands = [self._next_sample, self._next_deadline()]
        posts = self.storm.posts
        if self._next_post < len(posts):
            cands.append(float(posts[self._next_post].t))
        if self._injected:
            cands.append(self._injected[0][0])
        if self._next_briefing < len(self.scenario.briefings):
            cands.append(float(self.scenario.briefings[self._next_briefing].t))
        return max(min(cands), self._t if self._t >= 0 else 0.0)

    def _process(self, t: float) -> None:
        self._t = t
        sc = self.scenario
        while self._next_briefing < len(sc.briefings) and sc.briefings[self._next_briefing].t <= t:
            b = sc.briefings[self._next_briefing]
            self._next_briefing += 1
            self._briefings.append(b)
            self._emit({"type": "briefing", "t": _r(t), "id": b.id, "title": b.title})
        posts = self.storm.posts
        while self._next_post < len(posts) and posts[self._next_post].t <= t:
            self._deliver(posts[self._next_post], t)
            self._next_post += 1
        while self._injected and self._injected[0][0] <= t:
            _, _, post = heapq.heappop(self._injected)
            self._deliver(post, t)
        for c in self.commitments:
            if c.status == "open" and c.due + GRACE <= t:
                c.status = "broken"
                self._emit(
                    {
                        "type": "commitment",
                        "t": _r(t),
                        "status": "broken",
                        "due": _r(c.due),
                        "source": c.source,
                        "words": c.words,
                    }
                )
                self._fire_event_driven("promise_missed", t, {"due": _r(c.due), "words": c.words})
        self._check_timed(t)
        if t >= self._next_sample:
            self._sample(t)
            self._next_sample = float((int(t // 60) + 1) * 60)

    def _deliver(self, post: Post, t: float) -> None:
        self.delivered.append(post)
        self._by_id[post.id] = post
        self._delivered_t[post.id] = t
        self._open_by_prio[priority(post)].append(post)
        self._recent_posts.append(post)
        self._recent_heat += P.post_heat(post)
        ev: dict[str, Any] = {
            "type": "post",
            "t": _r(t),
            "id": post.id,
            "author": post.handle,
            "name": post.name,
            "role": post.role,
            "followers": post.followers,
            "text": post.text,
            "tags": list(post.tags),
        }
        if post.reply_to:
            ev["reply_to"] = post.reply_to
        if post.must_handle:
            ev["must_handle"] = True
        if post.source != "wave":
            ev["source"] = post.source
        self._emit(ev)

    # ------------------------------------------------------------------ injects
    def _next_deadline(self) -> float:
        best = INF
        for c in self.commitments:
            if c.status == "open":
                best = min(best, c.due + GRACE)
        for inj in self.scenario.injects:
            st = self._inject_state[inj.id]
            if st.fired and not inj.repeat:
                continue
            d = self._deadline(inj, st)
            if d is not None and d > self._t:
                best = min(best, d)
        return best

    def _deadline(self, inj: Inject, st: _InjectState) -> float | None:
        c = inj.when
        if c.kind == "no_statement_by" and self.last_statement is None and c.at is not None:
            return float(c.at) + 1
        if c.kind == "no_plan_by" and not self.plan_posted and c.at is not None:
            return float(c.at) + 1
        if c.kind == "silence" and c.minutes:
            anchor = max(float(c.after), self.last_statement or 0.0, st.anchor)
            return anchor + c.minutes
        if c.kind == "unanswered" and c.post in self._delivered_t and c.post not in self._responded and c.minutes:
            return self._delivered_t[c.post] + c.minutes
        return None

    def _check_timed(self, t: float) -> None:
        for inj in self.scenario.injects:
            st = self._inject_state[inj.id]
            if st.fired and not inj.repeat:
                continue
            d = self._deadline(inj, st)
            if d is not None and d <= t:
                cause: dict[str, Any] = {"condition": inj.when.kind}
                if inj.when.kind == "silence":
                    cause["silent_since"] = _r(d - (inj.when.minutes or 0))
                if inj.when.kind == "unanswered":
                    cause["post"] = inj.when.post
                self._fire(inj, t, cause)

    def _fire(self, inj: Inject, t: float, cause: dict[str, Any]) -> None:
        st = self._inject_state[inj.id]
        st.fired += 1
        st.anchor = t
        count = 0
        for target in inj.fires:
            n = self._held_fired.get(target, 0) + 1
            self._held_fired[target] = n
            for post in self.storm.held.get(target, ()):
                pid = post.id if n == 1 else f"{post.id}#{n}"
                reply_to = post.reply_to
                fired = Post(
                    id=pid,
                    t=int(t + post.t),
                    author=post.author,
                    name=post.name,
                    handle=post.handle,
                    role=post.role,
                    followers=post.followers,
                    text=post.text,
                    tags=post.tags,
                    reply_to=reply_to,
                    expect=post.expect,
                    source=post.source,
                    wave=post.wave,
                )
                self._inj_seq += 1
                heapq.heappush(self._injected, (t + post.t, self._inj_seq, fired))
                count += 1
        self._emit(
            {"type": "inject", "t": _r(t), "id": inj.id, "cause": cause, "fired": list(inj.fires), "posts": count}
        )

    def _fire_event_driven(
        self,
        kind: str,
        t: float,
        cause: dict[str, Any],
        *,
        persona: str | None = None,
        flags: Sequence[str] = (),
        text: str = "",
    ) -> None:
        for inj in self.scenario.injects:
            c = inj.when
            st = self._inject_state[inj.id]
            if c.kind != kind or (st.fired and not inj.repeat):
                continue
            if kind == "reply_flagged":
                if c.persona is not None and c.persona != persona:
                    continue
                hit = sorted(set(flags) & set(c.flags))
                if not hit:
                    continue
                self._fire(inj, t, {**cause, "condition": kind, "flags": hit})
            elif kind == "said":
                if c.at is not None and t > c.at:
                    continue
                words = asserted(c.pattern, text)
                if words:
                    self._fire(inj, t, {**cause, "condition": kind, "words": words})
            else:
                self._fire(inj, t, {**cause, "condition": kind})

    # ------------------------------------------------------------------ pressure
    def _sample(self, t: float) -> None:
        while self._recent_posts and self._delivered_t[self._recent_posts[0].id] <= t - 60:
            self._recent_heat -= P.post_heat(self._recent_posts.popleft())
        for dq in (self._flagged, self._statements, self._good_high):
            while dq and dq[0] <= t - P.WINDOW:
                dq.popleft()
        silence = t - (self.last_statement if self.last_statement is not None else 0.0)
        goal = P.target(
            max(0.0, self._recent_heat),
            silence,
            float(self.scenario.scoring.update_every),
            len(self._flagged),
            len(self._statements),
            len(self._good_high),
        )
        self.pressure = P.step(self.pressure, goal)
        self._emit({"type": "pressure", "t": _r(t), "value": self.pressure})

    # ------------------------------------------------------------------ actions
    def act(self, action: Action, *, at: float | None = None) -> Ack | Refusal:
        """Apply a trainee action; it is on disk (fsynced) before this returns an Ack."""
        if self.ended:
            return Refusal("the session has ended")
        t = _r(self.clock.now() if at is None else at)
        t = max(t, self.now)
        self.advance(min(t, self.duration))
        if self.ended:
            return Refusal("the session has ended")
        if isinstance(action, EndAction):
            self._seq += 1
            self._emit({"type": "action", "t": _r(t), "seq": self._seq, "kind": "end"}, sync=True)
            self.actions.append(OwnAction(self._seq, t, "end"))
            self._emit({"type": "end", "t": _r(t), "reason": "trainee"}, sync=True)
            self.ended = True
            return Ack(self._seq, t)
        text = clean_text(getattr(action, "text", "") or "").strip()
        if len(text) > MAX_TEXT:
            return Refusal(f"too long: {len(text)} characters, at most {MAX_TEXT}")
        post: Post | None = None
        if isinstance(action, ReplyAction | PrivateAction):
            post = self._by_id.get(action.post_id)
            if post is None:
                known = any(p.id == action.post_id for p in self.storm.posts)
                return Refusal("that post has not arrived yet" if known else f"unknown post `{action.post_id}`")
        steps: tuple[Any, ...] = ()
        next_update = ""
        if isinstance(action, PlanAction):
            steps = tuple(
                type(s)(
                    clean_text(s.what, single_line=True),
                    clean_text(s.who, single_line=True),
                    clean_text(s.when, single_line=True),
                )
                for s in action.steps
                if s.what.strip()
            )
            next_update = clean_text(action.next_update, single_line=True)
            if not text and not steps:
                return Refusal("an action plan needs some text or at least one step")
        elif not text:
            return Refusal("write something first")
        self._seq += 1
        own = OwnAction(self._seq, t, action.kind, text, post.id if post else None, steps, next_update)
        ev: dict[str, Any] = {"type": "action", "t": _r(t), "seq": self._seq, "kind": action.kind, "text": text}
        if post is not None:
            ev["post"] = post.id
        if isinstance(action, PlanAction):
            ev["steps"] = [{"what": s.what, "who": s.who, "when": s.when} for s in steps]
            ev["next_update"] = next_update
        flags: Sequence[str] = ()
        if self.judge is not None and action.kind in ("reply", "update", "plan"):
            flags = tuple(self.judge(own.full_text(), post))
            ev["flags"] = list(flags)
        self._emit(ev, sync=True)
        self.actions.append(own)
        self._apply(own, post, flags)
        if self._writer is not None:
            self._writer.flush(sync=True)
        return Ack(self._seq, t)

    def _apply(self, a: OwnAction, post: Post | None, flags: Sequence[str]) -> None:
        t = a.t
        if post is not None:
            self._responded.add(post.id)
            status = "private" if a.kind == "private" or self._status.get(post.id) == "private" else "answered"
            if self._status.get(post.id) != status:
                self._status[post.id] = status
                self._status_log.append((post.id, status))
            if set(flags) & P.NEGATIVE:
                self._flagged.append(t)
            elif P.is_good_high_reach(post, flags):
                self._good_high.append(t)
        if a.statement:
            for c in self.commitments:
                if c.status == "open" and c.made < t <= c.due + GRACE:
                    c.status = "kept"
                    self._emit(
                        {
                            "type": "commitment",
                            "t": _r(t),
                            "status": "kept",
                            "due": _r(c.due),
                            "source": c.source,
                            "words": c.words,
                        }
                    )
            self.last_statement = t
            self._statements.append(t)
            if a.kind == "plan":
                self.plan_posted = True
        if a.public:
            start = self.scenario.start_minutes
            promise = promised_due(a.text, t, start)
            if a.kind == "plan" and a.next_update:
                field_promise = promised_due(a.next_update, t, start, require_cue=False)
                if field_promise and (promise is None or field_promise[0] < promise[0]):
                    promise = field_promise
            if promise is not None and not any(
                c.status == "open" and abs(c.due - promise[0]) < 1 for c in self.commitments
            ):
                due, words = promise
                self.commitments.append(Commitment(t, due, a.seq, words))
                self._emit(
                    {
                        "type": "commitment",
                        "t": _r(t),
                        "status": "made",
                        "due": _r(due),
                        "source": a.seq,
                        "words": words,
                    }
                )
            self._fire_event_driven("said", t, {"action": a.seq}, text=a.full_text())
            if a.kind == "reply" and post is not None:
                self._fire_event_driven(
                    "reply_flagged", t, {"action": a.seq, "post": post.id}, persona=post.author, flags=flags
                )

    # ------------------------------------------------------------------ queries (TUI, bots)
    def posts_since(self, cursor: int) -> tuple[list[Post], int]:
        return self.delivered[cursor:], len(self.delivered)

    def statuses_changed(self) -> list[tuple[str, str]]:
        out = self._status_log[self._status_cursor :]
        self._status_cursor = len(self._status_log)
        return out

    def status_of(self, post_id: str) -> str:
        return self._status.get(post_id, "open")

    def responded(self, post_id: str) -> bool:
        return post_id in self._responded

    def delivered_at(self, post_id: str) -> float | None:
        return self._delivered_t.get(post_id)

    def post(self, post_id: str) -> Post | None:
        return self._by_id.get(post_id)

    def unanswered(self, min_priority: int = 0) -> Iterator[Post]:
        """Posts not yet answered, most urgent first (then oldest first)."""
        for prio in range(5, min_priority - 1, -1):
            queue = self._open_by_prio[prio]
            while queue and queue[0].id in self._responded:
                queue.popleft()
            for p in queue:
                if p.id not in self._responded:
                    yield p

    def thread(self, post_id: str) -> list[Post]:
        """The chain of posts ``post_id`` replies to, oldest first, ending with the post itself."""
        chain: list[Post] = []
        seen: set[str] = set()
        current = self._by_id.get(post_id)
        while current is not None and current.id not in seen:
            chain.append(current)
            seen.add(current.id)
            current = self._by_id.get(current.reply_to) if current.reply_to else None
        return list(reversed(chain))

    def briefings_so_far(self) -> list[Briefing]:
        return list(self._briefings)

    def own_actions(self) -> list[OwnAction]:
        return list(self.actions)

    def silence(self) -> float | None:
        return None if self.last_statement is None else self.now - self.last_statement

    def next_promise(self) -> float | None:
        open_due = [c.due for c in self.commitments if c.status == "open"]
        return min(open_due) if open_due else None
