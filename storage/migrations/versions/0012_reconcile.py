"""Reconciliation with platforms whose reads lag their writes, and at-least-once destinations.

``posts.attempted_at``: when the last send of a post started; a post cut off by a crash is
looked for on its platform until the destination's window past that moment is over (NULL: an
attempt made before this revision, looked for once). ``destinations.at_least_once``: why a
cut-off post cannot be found again there (a Discord webhook whose channel the bot cannot read;
NULL: it can), shown by ``status`` and ``deliveries``.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("posts", sa.Column("attempted_at", sa.DateTime(timezone=True)))
    op.add_column("destinations", sa.Column("at_least_once", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("destinations") as batch:
        batch.drop_column("at_least_once")
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("attempted_at")
