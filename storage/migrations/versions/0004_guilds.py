"""Feeds owned by a Discord guild, and what each channel's digest is subscribed to.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # feeds added from Discord belong to that guild; NULL: added by the CLI or the config
    op.add_column("feeds", sa.Column("guild_id", sa.BigInteger))
    op.create_index("ix_feeds_guild_id", "feeds", ["guild_id"])
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("guild_id", sa.BigInteger, nullable=False),
        sa.Column("channel_id", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("created_by", sa.BigInteger),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_subscriptions"),
        sa.UniqueConstraint("channel_id", "kind", "value", name="uq_subscriptions_channel_id"),
    )
    op.create_index("ix_subscriptions_guild_id", "subscriptions", ["guild_id"])


def downgrade() -> None:
    op.drop_table("subscriptions")
    op.drop_index("ix_feeds_guild_id", "feeds")
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("guild_id")
