"""The delivery ledger for every platform: destinations, posts, and one row per item.

``deliveries`` now names items by key (``summary:12``) and points at the post that carries
them; ``posts`` keeps each post's payload so that a post interrupted by a crash is reconciled
with the platform before anything is sent again.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "destinations",
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("disabled_reason", sa.Text),
        sa.Column("last_post_at", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_destinations"),
    )
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("destination", sa.String(255), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("reply_to_key", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("post_id", sa.String(255)),
        sa.Column("url", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sent_at", TS),
        sa.PrimaryKeyConstraint("id", name="pk_posts"),
        sa.UniqueConstraint("destination", "key", name="uq_posts_destination"),
    )
    op.create_index("ix_posts_status", "posts", ["destination", "status"])
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("item_key", sa.String(64)))
        batch.add_column(sa.Column("post_key", sa.String(64)))
    op.execute("UPDATE deliveries SET item_key = 'summary:' || CAST(summary_id AS VARCHAR(20))")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_constraint("uq_deliveries_destination_summary", type_="unique")
        batch.drop_constraint("fk_deliveries_summary_id_summaries", type_="foreignkey")
        batch.drop_column("summary_id")
        batch.alter_column("item_key", existing_type=sa.String(64), nullable=False)
        batch.create_unique_constraint(
            "uq_deliveries_destination_item", ["destination", "item_key"]
        )
    op.create_index("ix_deliveries_post_key", "deliveries", ["destination", "post_key"])


def downgrade() -> None:
    raise NotImplementedError("the ledger migration is one-way; restore a backup instead")
