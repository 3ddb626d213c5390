"""arXiv metadata on papers, and the announcements of arXiv listings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("papers") as batch:
        batch.add_column(sa.Column("primary_category", sa.String(64)))
        batch.add_column(sa.Column("journal_ref", sa.Text))
        batch.add_column(sa.Column("comment", sa.Text))
    op.create_index("ix_papers_metadata_complete", "papers", ["metadata_complete"])
    op.create_table(
        "paper_announcements",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("paper_id", sa.Integer, nullable=False),
        sa.Column("source", sa.String(2048), nullable=False),
        sa.Column("announce_type", sa.String(16), nullable=False),
        sa.Column("arxiv_version", sa.Integer, nullable=False),
        sa.Column("announced", TS),
        sa.Column("first_seen", TS, nullable=False),
        sa.Column("announce", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_paper_announcements"),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            ondelete="CASCADE",
            name="fk_paper_announcements_paper_id_papers",
        ),
        sa.UniqueConstraint(
            "paper_id",
            "source",
            "announce_type",
            "arxiv_version",
            name="uq_paper_announcements_paper_id",
        ),
    )
    op.create_index("ix_paper_announcements_first_seen", "paper_announcements", ["first_seen"])


def downgrade() -> None:
    op.drop_table("paper_announcements")
    op.drop_index("ix_papers_metadata_complete", "papers")
    with op.batch_alter_table("papers") as batch:
        batch.drop_column("comment")
        batch.drop_column("journal_ref")
        batch.drop_column("primary_category")
