"""A participant's side of a workshop, without Textual: joining (code, name, backoff, one seat per
name), the room's clock, the posts the facilitator pushes, and the store writes.

The game (``sim.tui.game.Game``) calls :meth:`Room.acted` after the engine has fsynced an action in
the journal, and acknowledges it on screen only when that returns "" (the store has it too).
"""

from __future__ import annotations

import contextlib
import math
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sim.engine.clock import RealClock
from sim.scenario.model import Post
from sim.store import data_dir

from .backoff import Backoff
from .store import Seat, Store, StoreError, WorkshopInfo, clean_name

LIVE_SCORE_EVERY = 10.0  # seconds between live scores (only when something was sent)


def workshop_dir(workshop_id: str) -> Path:
    """Everything a workshop keeps on this host: <data>/workshops/<id>/ (journals, exports)."""
    path = data_dir() / "workshops" / workshop_id
    path.mkdir(parents=True, exist_ok=True)
    return path


def journal_for(workshop_id: str, participant_id: int) -> str:
    folder = workshop_dir(workshop_id) / "journals"
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / f"participant-{participant_id}.jsonl")


class RoomClock(RealClock):
    """The room's scenario clock, as the store last said: the facilitator starts, pauses and ends it.

    The game's own pause, resume, set and speed do nothing here (one clock for the room)."""

    def __init__(self, info: WorkshopInfo) -> None:
        super().__init__()
        self.info = info

    @property
    def paused(self) -> bool:
        return self.info.state != "running"

    @paused.setter
    def paused(self, value: bool) -> None:
        pass

    @property
    def speed(self) -> float:
        return self.info.speed

    @speed.setter
    def speed(self, value: float) -> None:
        pass

    def now(self) -> float:
        return self.info.clock()

    def pause(self) -> None:
        pass

    def resume(self) -> None:
        pass

    def set(self, t: float) -> None:
        pass

    def set_speed(self, speed: float) -> None:
        pass


class JoinRefused(Exception):
    """Why a join did not go through, in words for the participant."""


@dataclass
class Joined:
    workshop: WorkshopInfo
    seat: Seat
    lock: IO[bytes] | None


def _lock_journal(journal: str, wait: float = 4.0) -> IO[bytes] | None:
    """Hold the journal's lock file while this process plays it: one tab per participant. A refreshed
    tab's old process is still closing for a moment, so wait a few seconds for it."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; one tab per name is then the trainee's care
        return None
    fh = Path(journal + ".lock").open("ab")  # noqa: SIM115 - held open while the session plays
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fh
        except OSError:
            if time.monotonic() >= deadline:
                fh.close()
                raise JoinRefused(
                    "Someone is already playing under this name in this workshop. If that is you in another "
                    "tab or terminal, close it and join again; otherwise choose another name."
                ) from None
            time.sleep(0.2)


def join(store: Store, code: str, name: str, backoff: Backoff, workshop_id: str | None = None) -> Joined:
    """Check the code (slowed down after wrong ones) and seat the participant; ``JoinRefused`` says why not."""
    wait = backoff.wait_left()
    if wait > 0:
        raise JoinRefused(f"Too many wrong codes: wait {math.ceil(wait)} s, then try again.")
    shown = clean_name(name)
    if not shown:
        raise JoinRefused("Type your name (it is how the facilitator sees you).")
    if not code.strip():
        raise JoinRefused("Type the join code the facilitator gave you.")
    info = store.workshop(workshop_id) if workshop_id else store.workshop_for_code(code)
    if info is None or (workshop_id and not store.check_code(info.id, code)):
        wait = backoff.failed()
        raise JoinRefused(
            f"That code is not right. Check it with the facilitator; you can try again in {math.ceil(wait)} s."
        )
    backoff.succeeded()
    seat = store.join(info.id, shown, lambda pid: journal_for(info.id, pid), host=socket.gethostname())
    if info.state == "ended" and seat.new:
        raise JoinRefused("This workshop has ended.")
    return Joined(info, seat, _lock_journal(seat.journal))


@dataclass
class Room:
    """A participant's live link to the workshop (the game's ``options.room``).

    :meth:`poll` runs in a worker thread about once a second: it reads the room's state into the
    clock, fetches pushed posts, flushes actions the store missed and writes the heartbeat the
    facilitator's roster shows."""

    store: Store
    workshop: WorkshopInfo
    seat: Seat
    clock: RoomClock = field(init=False)
    progress: float = 0.0
    silence: float | None = None
    _pushed_after: int = 0
    _pushed: list[Post] = field(default_factory=list)
    _unsent: list[Any] = field(default_factory=list)  # actions in the journal the store did not take yet
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _flushing: threading.Lock = field(default_factory=threading.Lock)
    _sent_since_score: bool = False
    _last_score: float = 0.0

    def __post_init__(self) -> None:
        self.clock = RoomClock(self.workshop)

    # ------------------------------------------------------------------ called by the game (UI thread)
    def acted(self, action: Any) -> str:
        with self._lock:
            self._unsent.append(action)
        try:
            self._flush()
        except StoreError as exc:
            return (
                f"Saved in your journal, but the workshop's results store did not answer ({exc}). Do not send "
                "it again: it is stored as soon as the store answers."
            )
        self._sent_since_score = True
        return ""

    def take_pushed(self) -> list[Post]:
        with self._lock:
            posts, self._pushed = self._pushed, []
        return posts

    def finished(self, card: dict[str, Any]) -> None:
        with contextlib.suppress(StoreError):
            self._flush()
            self.store.finish(self.seat.session_id, card)

    def note(self, progress: float, silence: float | None) -> None:
        """The game's position, for the next heartbeat."""
        self.progress, self.silence = progress, silence

    # ------------------------------------------------------------------ in a worker thread
    def poll(self, live_score: Any = None) -> str | None:
        """Refresh the room; the room's new state when it changed (else None).

        ``live_score`` is a callable giving the session's score so far; called at most every 10 s,
        and only after something was sent."""
        before = self.clock.info.state
        info = self.store.workshop(self.workshop.id)
        if info is not None:
            self.clock.info = self.workshop = info
        fresh = self.store.pushed(self.workshop.id, self._pushed_after)
        if fresh:
            posts = [
                Post(
                    id=f"pushed-{p.id}",
                    t=int(p.t),
                    author=p.handle,
                    name=p.name or p.handle,
                    handle=p.handle,
                    role="public",
                    followers=0,
                    text=p.text,
                    tags=("facilitator",),
                )
                for p in fresh
            ]
            with self._lock:
                self._pushed += posts
            self._pushed_after = fresh[-1].id
        self._flush()
        score = None
        if live_score is not None and self._sent_since_score and time.monotonic() - self._last_score > LIVE_SCORE_EVERY:
            self._sent_since_score = False
            self._last_score = time.monotonic()
            score = live_score()
        self.store.heartbeat(self.seat.session_id, progress=self.progress, silence=self.silence, live_score=score)
        return self.workshop.state if self.workshop.state != before else None

    def _flush(self) -> None:
        # The UI thread (an action just sent) and the poll worker both flush: one at a time, or both
        # would store the same action and then both take it off the list (the second on an empty one).
        with self._flushing:
            while True:
                with self._lock:
                    if not self._unsent:
                        return
                    a = self._unsent[0]
                flags = (a.judgement or {}).get("flags") or ()
                self.store.record_action(
                    self.seat.session_id, a.seq, a.t, a.kind, a.full_text(), a.post_id or "", tuple(map(str, flags))
                )
                with self._lock:
                    self._unsent.pop(0)


def release(lock: IO[bytes] | None) -> None:
    if lock is not None:
        with contextlib.suppress(OSError):
            lock.close()


def host_pid() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"
