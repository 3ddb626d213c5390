"""SQLite's full-text index without word positions (FTS5 ``detail=column``).

Searches never ask for phrases (every word is its own quoted string, see storage/search.py),
so the positions of each word in each title and abstract were never read; they made up a large
part of the index. Without them the index is smaller, bulk imports write less, and common
words' posting lists are shorter to walk. Which column (title or abstract) holds a word is
kept, so bm25 still weights titles above abstracts. The index is rebuilt from ``papers``
(a minute or two for the three million papers of a full arXiv import). PostgreSQL: nothing.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGERS = (
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
)


def _recreate(detail: str) -> None:
    for trigger in ("papers_fts_insert", "papers_fts_delete", "papers_fts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS papers_fts")
    op.execute(
        "CREATE VIRTUAL TABLE papers_fts USING fts5(title, abstract, content='papers', "
        f"content_rowid='id', tokenize='unicode61 remove_diacritics 2', detail={detail})"
    )
    for statement in TRIGGERS:
        op.execute(statement)
    op.execute("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _recreate("column")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _recreate("full")
