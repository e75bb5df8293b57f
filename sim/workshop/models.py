"""The results store's tables (SQLAlchemy 2 declarative). Changing them needs a migration in
``migrations/versions``; ``tests/workshop/test_store.py`` checks the two agree."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Workshop(Base):
    """One run of one scenario for a room: its join code (hashed), its storm and its clock."""

    __tablename__ = "workshops"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    scenario: Mapped[str] = mapped_column(String(200))
    scenario_title: Mapped[str] = mapped_column(String(500), default="")
    scenario_path: Mapped[str] = mapped_column(Text, default="")
    scenario_hash: Mapped[str] = mapped_column(String(100), default="")
    seed: Mapped[int] = mapped_column(Integer)
    duration: Mapped[float] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(16), default="waiting")  # waiting | running | paused | ended
    # The room's scenario clock: ``clock_base`` scenario seconds at wall time ``clock_anchor`` (Unix
    # seconds) while running; frozen at ``clock_base`` otherwise.
    clock_base: Mapped[float] = mapped_column(Float, default=0.0)
    clock_anchor: Mapped[float | None] = mapped_column(Float, nullable=True)
    speed: Mapped[float] = mapped_column(Float, default=1.0)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Participant(Base):
    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("workshop_id", "name_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100))  # the name case-folded, spaces collapsed
    joined: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SessionRow(Base):
    """A participant's session: its journal and what the facilitator's roster shows live."""

    __tablename__ = "sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), unique=True)
    journal: Mapped[str] = mapped_column(Text)
    host: Mapped[str] = mapped_column(String(200), default="")
    started: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)  # scenario seconds reached
    live_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    silence: Mapped[float | None] = mapped_column(Float, nullable=True)  # seconds since the last statement
    last_action: Mapped[str] = mapped_column(Text, default="")
    last_seen: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ActionRow(Base):
    __tablename__ = "actions"
    __table_args__ = (UniqueConstraint("session_id", "seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    t: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    post_id: Mapped[str] = mapped_column(String(200), default="")
    flags: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    stored: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ScoreCardRow(Base):
    __tablename__ = "score_cards"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), unique=True)
    total: Mapped[float] = mapped_column(Float)
    speed: Mapped[float] = mapped_column(Float)
    tone: Mapped[float] = mapped_column(Float)
    plan: Mapped[float] = mapped_column(Float)
    card: Mapped[str] = mapped_column(Text)  # the score card's JSON (docs/scoring.md)
    finished: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PushedPost(Base):
    """A post the facilitator wrote on the spot and pushed to everyone."""

    __tablename__ = "pushed_posts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workshop_id: Mapped[str] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    t: Mapped[float] = mapped_column(Float)  # the room's scenario time when pushed
    handle: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PracticeRow(Base):
    """One finished session in a trainee's history: played here, in a workshop, or imported.

    Kept once per journal content (``content_hash``, the sha256 of the journal's intact bytes), so
    importing the same journal twice, or importing one the console already recorded, adds nothing.
    """

    __tablename__ = "practice_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trainee: Mapped[str] = mapped_column(String(100))
    trainee_key: Mapped[str] = mapped_column(String(100), index=True)  # the name case-folded, spaces collapsed
    scenario: Mapped[str] = mapped_column(String(200), index=True)
    scenario_title: Mapped[str] = mapped_column(String(500), default="")
    difficulty: Mapped[str] = mapped_column(String(32), default="")
    seed: Mapped[int | None] = mapped_column(Integer, nullable=True)
    journal: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    started: Mapped[str] = mapped_column(String(40), default="")  # the journal header's ISO time
    finished: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    total: Mapped[float] = mapped_column(Float)
    speed: Mapped[float] = mapped_column(Float)
    tone: Mapped[float] = mapped_column(Float)
    plan: Mapped[float] = mapped_column(Float)
    coached: Mapped[bool] = mapped_column(Boolean, default=False)
    imported_from: Mapped[str] = mapped_column(Text, default="")  # "" when recorded by this machine's console
    card: Mapped[str] = mapped_column(Text)  # the score card's JSON (docs/scoring.md)
