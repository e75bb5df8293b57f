"""The results store: workshops, participants, sessions, actions, score cards, pushed posts.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "workshops",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("code_hash", sa.String(200), nullable=False),
        sa.Column("scenario", sa.String(200), nullable=False),
        sa.Column("scenario_title", sa.String(500), nullable=False),
        sa.Column("scenario_path", sa.Text, nullable=False),
        sa.Column("scenario_hash", sa.String(100), nullable=False),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("duration", sa.Float, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("clock_base", sa.Float, nullable=False),
        sa.Column("clock_anchor", sa.Float, nullable=True),
        sa.Column("speed", sa.Float, nullable=False),
        sa.Column("created", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_workshops"),
    )
    op.create_table(
        "participants",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("workshop_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("name_key", sa.String(100), nullable=False),
        sa.Column("joined", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_participants"),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshops.id"], ondelete="CASCADE", name="fk_participants_workshop_id_workshops"
        ),
        sa.UniqueConstraint("workshop_id", "name_key", name="uq_participants_workshop_id"),
    )
    op.create_index("ix_participants_workshop_id", "participants", ["workshop_id"])
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("participant_id", sa.Integer, nullable=False),
        sa.Column("journal", sa.Text, nullable=False),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("started", TZ, nullable=False),
        sa.Column("finished", TZ, nullable=True),
        sa.Column("progress", sa.Float, nullable=False),
        sa.Column("live_score", sa.Float, nullable=True),
        sa.Column("silence", sa.Float, nullable=True),
        sa.Column("last_action", sa.Text, nullable=False),
        sa.Column("last_seen", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["participants.id"], ondelete="CASCADE", name="fk_sessions_participant_id_participants"
        ),
        sa.UniqueConstraint("participant_id", name="uq_sessions_participant_id"),
    )
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("session_id", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("t", sa.Float, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("post_id", sa.String(200), nullable=False),
        sa.Column("flags", sa.Text, nullable=False),
        sa.Column("stored", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_actions"),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], ondelete="CASCADE", name="fk_actions_session_id_sessions"
        ),
        sa.UniqueConstraint("session_id", "seq", name="uq_actions_session_id"),
    )
    op.create_index("ix_actions_session_id", "actions", ["session_id"])
    op.create_table(
        "score_cards",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("session_id", sa.Integer, nullable=False),
        sa.Column("total", sa.Float, nullable=False),
        sa.Column("speed", sa.Float, nullable=False),
        sa.Column("tone", sa.Float, nullable=False),
        sa.Column("plan", sa.Float, nullable=False),
        sa.Column("card", sa.Text, nullable=False),
        sa.Column("finished", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_score_cards"),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], ondelete="CASCADE", name="fk_score_cards_session_id_sessions"
        ),
        sa.UniqueConstraint("session_id", name="uq_score_cards_session_id"),
    )
    op.create_table(
        "pushed_posts",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("workshop_id", sa.String(32), nullable=False),
        sa.Column("t", sa.Float, nullable=False),
        sa.Column("handle", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pushed_posts"),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshops.id"], ondelete="CASCADE", name="fk_pushed_posts_workshop_id_workshops"
        ),
    )
    op.create_index("ix_pushed_posts_workshop_id", "pushed_posts", ["workshop_id"])


def downgrade() -> None:
    for table in ("pushed_posts", "score_cards", "actions", "sessions", "participants", "workshops"):
        op.drop_table(table)
