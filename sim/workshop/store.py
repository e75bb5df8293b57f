"""The workshop results store: every workshop, participant, session, action and score card.

SQLAlchemy 2 over SQLite by default (one file in the Stormdrill data folder, ``sim.store.data_dir``,
so ``STORMDRILL_HOME`` moves it too) or PostgreSQL (``postgresql://...``, psycopg 3) when several
serve hosts share one store. The schema is made and upgraded by the Alembic migrations shipped in
``sim/workshop/migrations``, run programmatically when a store is opened.

Concurrency: every write is one short transaction. SQLite runs in WAL mode with a busy timeout and
takes its write lock when a transaction begins (``BEGIN IMMEDIATE``), so 40 participants' processes
writing at once queue for a few milliseconds instead of failing; a write that still meets a locked
database is retried. Writes are idempotent where a retry can repeat them (an action is keyed by its
session and sequence number).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, func, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import sessionmaker

from sim.progress import Attempt
from sim.scenario.patterns import format_time
from sim.store import data_dir

from .models import ActionRow, Participant, PracticeRow, PushedPost, ScoreCardRow, SessionRow, Workshop

T = TypeVar("T")
DB_ENV = "STORMDRILL_WORKSHOP_DB"  # the store's URL, for the participants' processes (not on their command line)
DB_FILE = "workshops.db"
STATES = ("waiting", "running", "paused", "ended")
# Join codes: 8 characters without look-alikes (no 0/O, 1/I/L), shown as two groups of four.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MIN_CODE = 6
BUSY_TIMEOUT_MS = 10_000
RETRIES = 5
MAX_NAME = 40


class StoreError(RuntimeError):
    """The store cannot be opened or used (bad URL, server not answering, ...)."""


def default_url() -> str:
    return f"sqlite:///{data_dir() / DB_FILE}"


def normalise_url(url: str | None) -> str:
    """``postgresql://`` means psycopg 3; a bare path means a SQLite file."""
    if not url:
        return default_url()
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    return url


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


# --------------------------------------------------------------------------- join codes


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def canonical_code(code: str) -> str:
    """What a join code means, however it was typed: case, spaces and dashes do not matter."""
    return re.sub(r"[\s\-_.]", "", code).upper()


def hash_code(code: str, *, salt: bytes | None = None) -> str:
    """A salted scrypt hash of a join code (the store never keeps the code itself)."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(canonical_code(code).encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt$16384$8$1${salt.hex()}${digest.hex()}"


def code_matches(code: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(
            canonical_code(code).encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except (ValueError, TypeError):
        return False
    return kind == "scrypt" and hmac.compare_digest(got.hex(), digest)


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def clean_name(name: str) -> str:
    """A participant's name as shown: printable, one line, spaces collapsed, at most 40 characters."""
    text = "".join(ch for ch in name if ch.isprintable())
    return " ".join(text.split())[:MAX_NAME]


# --------------------------------------------------------------------------- what the store hands out


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(when: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes: they were written in UTC."""
    if when is not None and when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when


@dataclass(frozen=True)
class WorkshopInfo:
    id: str
    scenario: str
    scenario_title: str
    scenario_path: str
    scenario_hash: str
    seed: int
    duration: float
    state: str
    clock_base: float
    clock_anchor: float | None
    speed: float
    created: datetime

    def clock(self, wall: float | None = None) -> float:
        """The room's scenario time at Unix time ``wall`` (default: now), within the scenario."""
        t = self.clock_base
        if self.state == "running" and self.clock_anchor is not None:
            t += ((time.time() if wall is None else wall) - self.clock_anchor) * self.speed
        return max(0.0, min(t, self.duration))

    @classmethod
    def of(cls, w: Workshop) -> WorkshopInfo:
        return cls(
            w.id,
            w.scenario,
            w.scenario_title,
            w.scenario_path,
            w.scenario_hash,
            w.seed,
            w.duration,
            w.state,
            w.clock_base,
            w.clock_anchor,
            w.speed,
            _aware(w.created) or _now(),
        )


@dataclass(frozen=True)
class Seat:
    """A participant's place in a workshop: who, which session, which journal."""

    participant_id: int
    session_id: int
    name: str
    journal: str
    new: bool  # joined now (False: came back, e.g. a refreshed tab)


@dataclass(frozen=True)
class RosterRow:
    participant_id: int
    session_id: int
    name: str
    joined: datetime
    progress: float
    live_score: float | None
    silence: float | None
    last_action: str
    last_seen: datetime | None
    finished: datetime | None
    actions: int
    total: float | None


@dataclass(frozen=True)
class Pushed:
    id: int
    t: float
    handle: str
    name: str
    text: str


@dataclass(frozen=True)
class Finished:
    """A finished session for the cohort report."""

    name: str
    session_id: int
    journal: str
    started: datetime
    finished: datetime
    total: float
    card: dict[str, Any]


# --------------------------------------------------------------------------- the store


class Store:
    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        self.url = normalise_url(url)
        self.write_times: list[float] = []  # seconds per write transaction (the bench reads them)
        self._lock = threading.Lock()
        try:
            self.engine = self._make_engine(self.url)
            if migrate:
                self.migrate()
            else:
                with self.engine.connect():
                    pass
        except OperationalError as exc:
            raise StoreError(f"cannot open the results store {redact(self.url)}: {exc.orig or exc}") from None
        except Exception as exc:  # a bad URL, a missing driver
            if isinstance(exc, StoreError):
                raise
            raise StoreError(f"cannot open the results store {redact(self.url)}: {exc}") from None
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @staticmethod
    def _make_engine(url: str) -> Engine:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})

            @event.listens_for(engine, "connect")
            def _sqlite_connect(dbapi: Any, _record: Any) -> None:
                dbapi.isolation_level = None  # SQLAlchemy's begin event below opens the transactions
                cur = dbapi.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
                cur.execute("PRAGMA synchronous=FULL")
                cur.execute("PRAGMA foreign_keys=ON")
                cur.close()

            @event.listens_for(engine, "begin")
            def _sqlite_begin(conn: Any) -> None:
                # Take the write lock at the start: a deferred transaction that reads then writes can
                # meet another writer and fail at once instead of waiting for the busy timeout.
                conn.exec_driver_sql("BEGIN IMMEDIATE")

            return engine
        if parsed.get_backend_name() == "postgresql":
            args = {"connect_timeout": 5, "application_name": "stormdrill"}
            return create_engine(url, pool_size=2, max_overflow=4, pool_pre_ping=True, connect_args=args)
        raise StoreError(f"unsupported database {redact(url)}: use sqlite:///FILE or postgresql://...")

    def migrate(self) -> None:
        """Create or upgrade the schema to the newest migration (Alembic, in-process)."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ transactions
    @contextmanager
    def _read(self) -> Iterator[OrmSession]:
        """A read; a store that stays busy past the timeout is a ``StoreError`` (callers wait and retry)."""
        try:
            with self._sessions() as s:
                yield s
        except OperationalError as exc:
            raise StoreError(f"the results store did not answer: {exc.orig or exc}") from None

    def _write(self, fn: Callable[[OrmSession], T]) -> T:
        """Run ``fn`` in one short transaction; retried when the database is busy or the link dropped."""
        delay = 0.05
        for attempt in range(RETRIES):
            start = time.perf_counter()
            try:
                with self._sessions.begin() as s:
                    out = fn(s)
                with self._lock:
                    self.write_times.append(time.perf_counter() - start)
                return out
            except OperationalError as exc:
                if attempt == RETRIES - 1:
                    raise StoreError(f"the results store did not answer: {exc.orig or exc}") from None
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    # ------------------------------------------------------------------ workshops
    def create_workshop(
        self,
        *,
        scenario: str,
        title: str,
        seed: int,
        duration: float,
        code: str,
        scenario_path: str = "",
        scenario_hash: str = "",
    ) -> WorkshopInfo:
        w = Workshop(
            id=uuid.uuid4().hex,
            code_hash=hash_code(code),
            scenario=scenario,
            scenario_title=title,
            scenario_path=scenario_path,
            scenario_hash=scenario_hash,
            seed=seed,
            duration=float(duration),
            state="waiting",
            clock_base=0.0,
            clock_anchor=None,
            speed=1.0,
            created=_now(),
        )

        def add(s: OrmSession) -> WorkshopInfo:
            s.add(w)
            s.flush()
            return WorkshopInfo.of(w)

        return self._write(add)

    def workshop(self, workshop_id: str) -> WorkshopInfo | None:
        with self._read() as s:
            w = s.get(Workshop, workshop_id)
            return WorkshopInfo.of(w) if w else None

    def workshops(self, *, include_ended: bool = True) -> list[WorkshopInfo]:
        """Every workshop, newest first."""
        with self._read() as s:
            q = select(Workshop).order_by(Workshop.created.desc())
            if not include_ended:
                q = q.where(Workshop.state != "ended")
            return [WorkshopInfo.of(w) for w in s.scalars(q)]

    def find_workshop(self, prefix: str | None = None, *, include_ended: bool = True) -> WorkshopInfo | None:
        """The workshop whose id starts with ``prefix``, or the newest one (open ones first)."""
        all_ = self.workshops(include_ended=include_ended)
        if prefix:
            hits = [w for w in all_ if w.id.startswith(prefix.lower())]
            return hits[0] if len(hits) == 1 else None
        open_ = [w for w in all_ if w.state != "ended"]
        return (open_ or all_)[0] if all_ else None

    def check_code(self, workshop_id: str, code: str) -> bool:
        with self._read() as s:
            w = s.get(Workshop, workshop_id)
            stored = w.code_hash if w else ""
        return bool(stored) and code_matches(code, stored)

    def workshop_for_code(self, code: str) -> WorkshopInfo | None:
        """The open workshop this join code opens (terminal joins, which name no workshop)."""
        with self._read() as s:
            rows = list(s.scalars(select(Workshop).where(Workshop.state != "ended")))
        for w in rows:
            if code_matches(code, w.code_hash):
                return WorkshopInfo.of(w)
        return None

    def control(self, workshop_id: str, what: str, *, wall: float | None = None) -> WorkshopInfo:
        """Start, pause, resume or end the room's clock (one transaction, so every host agrees)."""
        if what not in ("start", "pause", "resume", "end"):
            raise ValueError(f"unknown control {what!r}")
        wall = time.time() if wall is None else wall

        def change(s: OrmSession) -> WorkshopInfo:
            w = s.get(Workshop, workshop_id, with_for_update=True)
            if w is None:
                raise StoreError(f"no workshop {workshop_id}")
            info = WorkshopInfo.of(w)
            if w.state == "ended":
                return info
            if what in ("start", "resume") and w.state in ("waiting", "paused"):
                w.state, w.clock_anchor = "running", wall
            elif what == "pause" and w.state == "running":
                w.clock_base, w.state, w.clock_anchor = info.clock(wall), "paused", None
            elif what == "end":
                w.clock_base, w.state, w.clock_anchor = info.clock(wall), "ended", None
            s.flush()
            return WorkshopInfo.of(w)

        return self._write(change)

    def set_speed(self, workshop_id: str, speed: float, *, wall: float | None = None) -> WorkshopInfo:
        """Change how fast the room's scenario time runs (keeps the current time where it is)."""
        wall = time.time() if wall is None else wall

        def change(s: OrmSession) -> WorkshopInfo:
            w = s.get(Workshop, workshop_id, with_for_update=True)
            if w is None:
                raise StoreError(f"no workshop {workshop_id}")
            now = WorkshopInfo.of(w).clock(wall)
            w.clock_base, w.speed = now, float(speed)
            if w.state == "running":
                w.clock_anchor = wall
            s.flush()
            return WorkshopInfo.of(w)

        return self._write(change)

    # ------------------------------------------------------------------ participants
    def join(self, workshop_id: str, name: str, journal_for: Callable[[int], str], host: str = "") -> Seat:
        """Seat ``name`` in the workshop: a new participant and session, or the one already there."""
        shown = clean_name(name)
        key = name_key(shown)
        if not key:
            raise ValueError("a name is needed")

        def find(s: OrmSession) -> Seat | None:
            row = s.execute(
                select(Participant, SessionRow)
                .join(SessionRow, SessionRow.participant_id == Participant.id)
                .where(Participant.workshop_id == workshop_id, Participant.name_key == key)
            ).first()
            if row is None:
                return None
            p, sess = row
            return Seat(p.id, sess.id, p.name, sess.journal, False)

        def add(s: OrmSession) -> Seat:
            seat = find(s)
            if seat is not None:
                return seat
            p = Participant(workshop_id=workshop_id, name=shown, name_key=key, joined=_now())
            s.add(p)
            s.flush()
            sess = SessionRow(participant_id=p.id, journal=journal_for(p.id), host=host, started=_now(), last_action="")
            s.add(sess)
            s.flush()
            return Seat(p.id, sess.id, p.name, sess.journal, True)

        try:
            return self._write(add)
        except IntegrityError:
            # Two tabs joined with the same name at the same moment: the other one won; take its seat.
            with self._read() as s:
                seat = find(s)
            if seat is None:
                raise
            return seat

    # ------------------------------------------------------------------ what participants write
    def record_action(
        self, session_id: int, seq: int, t: float, kind: str, text: str, post_id: str = "", flags: tuple[str, ...] = ()
    ) -> None:
        """Store one acknowledged action (a repeat of the same session and seq changes nothing).

        Idempotent across processes too: when another process stores the same (session, seq) between
        this one's look and its insert, the unique key refuses the second row; that is a success if the
        stored row is this action, and a ``StoreError`` if it is a different one.
        """
        mine = (float(t), kind, text, post_id or "", json.dumps(list(flags)))

        def stored(s: OrmSession) -> ActionRow | None:
            return s.scalar(select(ActionRow).where(ActionRow.session_id == session_id, ActionRow.seq == seq))

        def same(row: ActionRow) -> None:
            if (row.t, row.kind, row.text, row.post_id, row.flags) != mine:
                raise StoreError(
                    f"session {session_id} already has a different action number {seq} in the store "
                    f"({row.kind} at {format_time(row.t)}, not {kind} at {format_time(t)})"
                )

        def add(s: OrmSession) -> None:
            row = stored(s)
            if row is not None:
                same(row)
                return
            s.add(
                ActionRow(
                    session_id=session_id,
                    seq=seq,
                    t=mine[0],
                    kind=kind,
                    text=text,
                    post_id=mine[3],
                    flags=mine[4],
                    stored=_now(),
                )
            )
            s.execute(
                update(SessionRow)
                .where(SessionRow.id == session_id)
                .values(last_action=f"{kind} at {format_time(t)}", last_seen=_now())
            )

        try:
            self._write(add)
        except IntegrityError:
            # Another process stored (session, seq) after this one looked: the unique key kept one row.
            with self._read() as s:
                row = stored(s)
                if row is None:
                    raise
                same(row)

    def heartbeat(
        self,
        session_id: int,
        *,
        progress: float,
        silence: float | None,
        live_score: float | None = None,
    ) -> None:
        values: dict[str, Any] = {"progress": float(progress), "silence": silence, "last_seen": _now()}
        if live_score is not None:
            values["live_score"] = float(live_score)
        self._write(lambda s: s.execute(update(SessionRow).where(SessionRow.id == session_id).values(**values)))

    def finish(self, session_id: int, card: dict[str, Any]) -> None:
        """Store a finished session's score card (once; a second call keeps the first card)."""

        def add(s: OrmSession) -> None:
            if s.scalar(select(ScoreCardRow.id).where(ScoreCardRow.session_id == session_id)) is None:
                s.add(
                    ScoreCardRow(
                        session_id=session_id,
                        total=float(card.get("total") or 0.0),
                        speed=float(card.get("speed", {}).get("score") or 0.0),
                        tone=float(card.get("tone", {}).get("score") or 0.0),
                        plan=float(card.get("plan", {}).get("score") or 0.0),
                        card=json.dumps(card, ensure_ascii=False),
                        finished=_now(),
                    )
                )
            s.execute(
                update(SessionRow)
                .where(SessionRow.id == session_id, SessionRow.finished.is_(None))
                .values(finished=_now(), live_score=float(card.get("total") or 0.0))
            )

        self._write(add)

    def card(self, session_id: int) -> dict[str, Any] | None:
        with self._read() as s:
            text = s.scalar(select(ScoreCardRow.card).where(ScoreCardRow.session_id == session_id))
        return json.loads(text) if text else None

    def actions(self, session_id: int) -> list[tuple[int, float, str, str]]:
        """(seq, t, kind, text) of a session's stored actions, in order."""
        with self._read() as s:
            rows = s.execute(
                select(ActionRow.seq, ActionRow.t, ActionRow.kind, ActionRow.text)
                .where(ActionRow.session_id == session_id)
                .order_by(ActionRow.seq)
            ).all()
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    # ------------------------------------------------------------------ the facilitator
    def push_post(self, workshop_id: str, text: str, handle: str = "@facilitator", name: str = "") -> Pushed:
        """A post for everyone, at the room's current scenario time."""

        def add(s: OrmSession) -> Pushed:
            w = s.get(Workshop, workshop_id)
            if w is None:
                raise StoreError(f"no workshop {workshop_id}")
            p = PushedPost(
                workshop_id=workshop_id,
                t=WorkshopInfo.of(w).clock(),
                handle=handle,
                name=name,
                text=text,
                created=_now(),
            )
            s.add(p)
            s.flush()
            return Pushed(p.id, p.t, p.handle, p.name, p.text)

        return self._write(add)

    def pushed(self, workshop_id: str, after: int = 0) -> list[Pushed]:
        with self._read() as s:
            rows = s.scalars(
                select(PushedPost)
                .where(PushedPost.workshop_id == workshop_id, PushedPost.id > after)
                .order_by(PushedPost.id)
            )
            return [Pushed(p.id, p.t, p.handle, p.name, p.text) for p in rows]

    def roster(self, workshop_id: str) -> list[RosterRow]:
        with self._read() as s:
            counts = (
                select(ActionRow.session_id, func.count(ActionRow.id).label("n"))
                .group_by(ActionRow.session_id)
                .subquery()
            )
            rows = s.execute(
                select(Participant, SessionRow, counts.c.n, ScoreCardRow.total)
                .join(SessionRow, SessionRow.participant_id == Participant.id)
                .outerjoin(counts, counts.c.session_id == SessionRow.id)
                .outerjoin(ScoreCardRow, ScoreCardRow.session_id == SessionRow.id)
                .where(Participant.workshop_id == workshop_id)
                .order_by(Participant.joined, Participant.id)
            ).all()
        return [
            RosterRow(
                p.id,
                sess.id,
                p.name,
                _aware(p.joined) or _now(),
                sess.progress,
                sess.live_score,
                sess.silence,
                sess.last_action,
                _aware(sess.last_seen),
                _aware(sess.finished),
                int(n or 0),
                total,
            )
            for p, sess, n, total in rows
        ]

    def finished(self, workshop_id: str) -> list[Finished]:
        """The workshop's finished sessions with their score cards, best first."""
        with self._read() as s:
            rows = s.execute(
                select(Participant.name, SessionRow, ScoreCardRow)
                .join(SessionRow, SessionRow.participant_id == Participant.id)
                .join(ScoreCardRow, ScoreCardRow.session_id == SessionRow.id)
                .where(Participant.workshop_id == workshop_id)
                .order_by(ScoreCardRow.total.desc(), Participant.name)
            ).all()
        return [
            Finished(
                name,
                sess.id,
                sess.journal,
                _aware(sess.started) or _now(),
                _aware(card.finished) or _now(),
                card.total,
                json.loads(card.card),
            )
            for name, sess, card in rows
        ]

    # ------------------------------------------------------------------ practice history
    def add_attempts(self, attempts: list[Attempt]) -> list[bool]:
        """Keep finished sessions in the history, in one transaction; for each, whether it was new
        (False: a session with the same journal content is there already, and is left as it was)."""

        def add(s: OrmSession) -> list[bool]:
            out = []
            for a in attempts:
                if s.scalar(select(PracticeRow.id).where(PracticeRow.content_hash == a.content_hash)) is not None:
                    out.append(False)
                    continue
                s.add(
                    PracticeRow(
                        trainee=clean_name(a.trainee) or "trainee",
                        trainee_key=name_key(clean_name(a.trainee) or "trainee"),
                        scenario=a.scenario,
                        scenario_title=a.scenario_title,
                        difficulty=a.difficulty,
                        seed=a.seed,
                        journal=a.journal,
                        content_hash=a.content_hash,
                        started=a.started,
                        finished=a.finished,
                        total=float(a.total),
                        speed=float(a.speed),
                        tone=float(a.tone),
                        plan=float(a.plan),
                        coached=a.coached,
                        imported_from=a.imported_from,
                        card=json.dumps(a.card, ensure_ascii=False),
                    )
                )
                s.flush()
                out.append(True)
            return out

        try:
            return self._write(add)
        except IntegrityError:
            # The same journal recorded by another process at the same moment: it is there now.
            return [False] * len(attempts) if all(self.has_attempt(a.content_hash) for a in attempts) else []

    def has_attempt(self, content_hash: str) -> bool:
        with self._read() as s:
            return s.scalar(select(PracticeRow.id).where(PracticeRow.content_hash == content_hash)) is not None

    def attempts(self, trainee: str | None = None, scenario: str | None = None) -> list[Attempt]:
        """Finished sessions in the history (of one trainee, of one scenario), oldest first."""
        q = select(PracticeRow).order_by(PracticeRow.finished, PracticeRow.id)
        if trainee is not None:
            q = q.where(PracticeRow.trainee_key == name_key(clean_name(trainee)))
        if scenario is not None:
            q = q.where(PracticeRow.scenario == scenario)
        with self._read() as s:
            rows = list(s.scalars(q))
        return [
            Attempt(
                trainee=r.trainee,
                scenario=r.scenario,
                scenario_title=r.scenario_title,
                difficulty=r.difficulty,
                seed=r.seed,
                journal=r.journal,
                content_hash=r.content_hash,
                started=r.started,
                finished=_aware(r.finished) or _now(),
                total=r.total,
                speed=r.speed,
                tone=r.tone,
                plan=r.plan,
                coached=bool(r.coached),
                imported_from=r.imported_from,
                card=json.loads(r.card),
                id=r.id,
            )
            for r in rows
        ]

    def trainees(self) -> list[str]:
        """The names in the history, as first written."""
        with self._read() as s:
            rows = s.execute(
                select(PracticeRow.trainee_key, func.min(PracticeRow.trainee)).group_by(PracticeRow.trainee_key)
            )
            return sorted(name for _key, name in rows)

    def count_rows(self) -> dict[str, int]:
        """How many rows each table holds (the bench checks none were lost)."""
        out = {}
        with self._read() as s:
            for model in (Workshop, Participant, SessionRow, ActionRow, ScoreCardRow, PushedPost, PracticeRow):
                out[model.__tablename__] = int(s.scalar(select(func.count()).select_from(model)) or 0)
        return out


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    return Store(url, migrate=migrate)
