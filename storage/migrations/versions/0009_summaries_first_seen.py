"""An index of summaries by when they were first seen (``latest``: the newest first).

Without it every ``!latest`` sorted the whole summaries table (with its texts): 130 ms for
200,000 summaries, warm, which at a few commands a second kept the database busy.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_summaries_first_seen", "summaries", ["first_seen", "id"])


def downgrade() -> None:
    op.drop_index("ix_summaries_first_seen", table_name="summaries")
