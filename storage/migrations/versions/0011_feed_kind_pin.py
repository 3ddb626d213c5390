"""Feeds: a kind pinned by ``feeds add --kind``, and why the last poll skipped entries.

``pinned_kind`` (NULL: recognised from the content at every poll) makes every poll read the
feed as that kind. ``last_skipped`` holds the last poll's skipped entries per reason
(``{"no-paper": 2}``) for ``feeds list --json``.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("feeds", sa.Column("pinned_kind", sa.String(32)))
    op.add_column("feeds", sa.Column("last_skipped", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("last_skipped")
        batch.drop_column("pinned_kind")
