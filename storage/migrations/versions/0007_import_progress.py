"""Bulk imports (``shortbot import arxiv-metadata``): where each snapshot file's import got to.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_progress",
        sa.Column("source", sa.String(1024), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("line", sa.BigInteger, nullable=False),
        sa.Column("offset", sa.BigInteger, nullable=False),
        sa.Column("new", sa.BigInteger, nullable=False),
        sa.Column("known", sa.BigInteger, nullable=False),
        sa.Column("bad", sa.BigInteger, nullable=False),
        sa.Column("bad_lines", sa.Text, nullable=False),
        sa.Column("finished", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", name="pk_import_progress"),
    )


def downgrade() -> None:
    op.drop_table("import_progress")
