"""Initial schema: papers, aliases, summaries, feeds, delivery ledger.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "papers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("arxiv_id", sa.String(64)),
        sa.Column("arxiv_version", sa.Integer),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("title_norm", sa.Text, nullable=False),
        sa.Column("authors", sa.JSON, nullable=False),
        sa.Column("abstract", sa.Text),
        sa.Column("categories", sa.JSON, nullable=False),
        sa.Column("doi", sa.String(255)),
        sa.Column("bibtex_key", sa.String(255)),
        sa.Column("published", TS),
        sa.Column("updated", TS),
        sa.Column("metadata_complete", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("modified_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_papers"),
        sa.UniqueConstraint("key", name="uq_papers_key"),
        sa.UniqueConstraint("arxiv_id", name="uq_papers_arxiv_id"),
    )
    op.create_index("ix_papers_title_norm", "papers", ["title_norm"])
    op.create_index("ix_papers_doi", "papers", ["doi"])
    op.create_table(
        "paper_aliases",
        sa.Column("alias", sa.String(255), nullable=False),
        sa.Column("paper_id", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("alias", name="pk_paper_aliases"),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            ondelete="CASCADE",
            name="fk_paper_aliases_paper_id_papers",
        ),
    )
    op.create_index("ix_paper_aliases_paper_id", "paper_aliases", ["paper_id"])
    op.create_table(
        "summaries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("guid", sa.String(2048), nullable=False),
        sa.Column("source", sa.String(2048), nullable=False),
        sa.Column("author", sa.String(255), nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("votes", sa.Integer),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("published", TS),
        sa.Column("edited", TS),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("first_seen", TS, nullable=False),
        sa.Column("announce", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_summaries"),
        sa.UniqueConstraint("guid", name="uq_summaries_guid"),
    )
    op.create_table(
        "summary_papers",
        sa.Column("summary_id", sa.Integer, nullable=False),
        sa.Column("paper_id", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("summary_id", "paper_id", name="pk_summary_papers"),
        sa.ForeignKeyConstraint(
            ["summary_id"],
            ["summaries.id"],
            ondelete="CASCADE",
            name="fk_summary_papers_summary_id_summaries",
        ),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            ondelete="CASCADE",
            name="fk_summary_papers_paper_id_papers",
        ),
    )
    op.create_index("ix_summary_papers_paper_id", "summary_papers", ["paper_id"])
    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("name", sa.String(255)),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("interval_seconds", sa.Integer, nullable=False),
        sa.Column("announce_existing", sa.Boolean, nullable=False),
        sa.Column("seeded", sa.Boolean, nullable=False),
        sa.Column("paused", sa.Boolean, nullable=False),
        sa.Column("etag", sa.String(1024)),
        sa.Column("last_modified", sa.String(255)),
        sa.Column("content_hash", sa.String(64)),
        sa.Column("last_poll", TS),
        sa.Column("last_result", sa.Text),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("next_poll", TS),
        sa.Column("disabled_reason", sa.Text),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_feeds"),
        sa.UniqueConstraint("url", name="uq_feeds_url"),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("destination", sa.String(255), nullable=False),
        sa.Column("summary_id", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("post_id", sa.String(255)),
        sa.Column("error", sa.Text),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sent_at", TS),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
        sa.UniqueConstraint("destination", "summary_id", name="uq_deliveries_destination_summary"),
        sa.ForeignKeyConstraint(
            ["summary_id"],
            ["summaries.id"],
            ondelete="CASCADE",
            name="fk_deliveries_summary_id_summaries",
        ),
    )


def downgrade() -> None:
    for table in ("deliveries", "feeds", "summary_papers", "summaries", "paper_aliases", "papers"):
        op.drop_table(table)
