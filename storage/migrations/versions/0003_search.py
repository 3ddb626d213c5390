"""Full-text search of titles and abstracts: FTS5 on SQLite, tsvector + GIN on PostgreSQL.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = [
    # an external-content FTS5 index over papers, kept current by triggers
    """CREATE VIRTUAL TABLE papers_fts USING fts5(
        title, abstract, content='papers', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER papers_fts_insert AFTER INSERT ON papers BEGIN
        INSERT INTO papers_fts(rowid, title, abstract)
        VALUES (new.id, new.title, coalesce(new.abstract, ''));
    END""",
    """CREATE TRIGGER papers_fts_delete AFTER DELETE ON papers BEGIN
        INSERT INTO papers_fts(papers_fts, rowid, title, abstract)
        VALUES ('delete', old.id, old.title, coalesce(old.abstract, ''));
    END""",
    """CREATE TRIGGER papers_fts_update AFTER UPDATE OF title, abstract ON papers BEGIN
        INSERT INTO papers_fts(papers_fts, rowid, title, abstract)
        VALUES ('delete', old.id, old.title, coalesce(old.abstract, ''));
        INSERT INTO papers_fts(rowid, title, abstract)
        VALUES (new.id, new.title, coalesce(new.abstract, ''));
    END""",
    "INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')",
]

POSTGRES_UP = [
    """ALTER TABLE papers ADD COLUMN search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(abstract, '')), 'B')
    ) STORED""",
    "CREATE INDEX ix_papers_search ON papers USING gin (search)",
]


def upgrade() -> None:
    statements = SQLITE_UP if op.get_bind().dialect.name == "sqlite" else POSTGRES_UP
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("papers_fts_insert", "papers_fts_delete", "papers_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS papers_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_papers_search")
        op.execute("ALTER TABLE papers DROP COLUMN IF EXISTS search")
