"""request counts: the published rate limit, per token and fixed window

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 02:55:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway.db.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # UNLOGGED on PostgreSQL: every authenticated request updates this table, and a counter needs no crash
    # safety (a crash only empties it, forgiving the current window), so it skips the write-ahead log and the
    # commit does not wait for a WAL flush. SQLite has no such table kind.
    unlogged = ["UNLOGGED"] if op.get_bind().dialect.name == "postgresql" else []
    op.create_table(
        "request_counts",
        sa.Column("api_token_id", sa.Uuid(), nullable=False),
        sa.Column("window_start", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_token_id"],
            ["api_tokens.id"],
            name=op.f("fk_request_counts_api_token_id_api_tokens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("api_token_id", name=op.f("pk_request_counts")),
        prefixes=unlogged,
    )


def downgrade() -> None:
    op.drop_table("request_counts")
