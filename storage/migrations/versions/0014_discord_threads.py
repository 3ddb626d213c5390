"""A paper's Discord home: the forum post of each paper in each forum channel.

``discord_threads``: (forum channel, paper key) → the post's thread id, with its guild (for
``!summary``'s "Discussed in" link) and when it was recorded.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "discord_threads",
        sa.Column("channel_id", sa.BigInteger, nullable=False),
        sa.Column("paper_key", sa.String(255), nullable=False),
        sa.Column("guild_id", sa.BigInteger),
        sa.Column("thread_id", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel_id", "paper_key", name="pk_discord_threads"),
    )
    op.create_index("ix_discord_threads_paper", "discord_threads", ["paper_key"])


def downgrade() -> None:
    op.drop_index("ix_discord_threads_paper", "discord_threads")
    op.drop_table("discord_threads")
