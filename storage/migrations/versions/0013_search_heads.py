"""A search index of each paper's head: its title and authors, apart from its abstract.

Members search by title words, a surname, a short name. In the index of titles and abstracts
(0003, 0008) those words' posting lists are long: "learning" is in most abstracts, so a query
of common words matched thousands of papers and only the newest were ranked, and a title that
held every word was lost among abstracts that did (BENCHMARKS.md, issue 16). Authors were in
no index at all, so "Goodfellow adversarial" found nothing. The head index holds only titles
and authors: short posting lists, searched first (storage/search.py), the abstracts only when
it finds too few.

SQLite: ``papers_head``, an external-content FTS5 table over ``papers(title, authors)`` (the
authors' JSON text: the tokenizer keeps the names and drops the punctuation), kept current by
triggers like ``papers_fts``. PostgreSQL: a generated ``head`` tsvector (title A, authors B)
with a GIN index. Both are built from the rows: a few minutes on three million papers.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = (
    """CREATE VIRTUAL TABLE papers_head USING fts5(title, authors, content='papers',
        content_rowid='id', tokenize='unicode61 remove_diacritics 2', detail=column)""",
    """CREATE TRIGGER papers_head_insert AFTER INSERT ON papers BEGIN
        INSERT INTO papers_head(rowid, title, authors) VALUES (new.id, new.title, new.authors);
    END""",
    """CREATE TRIGGER papers_head_delete AFTER DELETE ON papers BEGIN
        INSERT INTO papers_head(papers_head, rowid, title, authors)
        VALUES ('delete', old.id, old.title, old.authors);
    END""",
    """CREATE TRIGGER papers_head_update AFTER UPDATE OF title, authors ON papers BEGIN
        INSERT INTO papers_head(papers_head, rowid, title, authors)
        VALUES ('delete', old.id, old.title, old.authors);
        INSERT INTO papers_head(rowid, title, authors) VALUES (new.id, new.title, new.authors);
    END""",
    "INSERT INTO papers_head(papers_head) VALUES ('rebuild')",
)
POSTGRES_UP = (
    """ALTER TABLE papers ADD COLUMN head tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(authors::text, '')), 'B')
    ) STORED""",
    "CREATE INDEX ix_papers_head ON papers USING gin (head)",
)


def upgrade() -> None:
    statements = SQLITE_UP if op.get_bind().dialect.name == "sqlite" else POSTGRES_UP
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("papers_head_insert", "papers_head_delete", "papers_head_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS papers_head")
    else:
        op.execute("DROP INDEX IF EXISTS ix_papers_head")
        op.execute("ALTER TABLE papers DROP COLUMN IF EXISTS head")
