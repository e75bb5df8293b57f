"""Practice history: every finished session per trainee, with its pillar scores, whether it was
coached, and where it was imported from.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "practice_sessions",
        sa.Column("id", sa.Integer, autoincrement=True),
        sa.Column("trainee", sa.String(100), nullable=False),
        sa.Column("trainee_key", sa.String(100), nullable=False),
        sa.Column("scenario", sa.String(200), nullable=False),
        sa.Column("scenario_title", sa.String(500), nullable=False),
        sa.Column("difficulty", sa.String(32), nullable=False),
        sa.Column("seed", sa.Integer, nullable=True),
        sa.Column("journal", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("started", sa.String(40), nullable=False),
        sa.Column("finished", sa.DateTime(timezone=True), nullable=False),
        sa.Column("total", sa.Float, nullable=False),
        sa.Column("speed", sa.Float, nullable=False),
        sa.Column("tone", sa.Float, nullable=False),
        sa.Column("plan", sa.Float, nullable=False),
        sa.Column("coached", sa.Boolean, nullable=False),
        sa.Column("imported_from", sa.Text, nullable=False),
        sa.Column("card", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_practice_sessions"),
        sa.UniqueConstraint("content_hash", name="uq_practice_sessions_content_hash"),
    )
    op.create_index("ix_practice_sessions_trainee_key", "practice_sessions", ["trainee_key"])
    op.create_index("ix_practice_sessions_scenario", "practice_sessions", ["scenario"])


def downgrade() -> None:
    op.drop_table("practice_sessions")
