"""A search index of each paper's head: its title and authors, apart from its abstract.

Members search by title words, a surname, a short name. In the index of titles and abstracts
(0003, 0008) those words' posting lists are long: "learning" is in most abstracts, so a query
of common words matched thousands of papers and only the newest were ranked, and a title that
held every word was lost among abstracts that did (BENCHMARKS.md, issue 16). Authors were in
no index at all, so "Goodfellow adversarial" found nothing. The head index holds only titles
and authors: short posting lists, searched first (storage/search.py), the abstracts only when
it finds too few.

SQLite: ``papers_head``, a contentless FTS5 table of each paper's title and its authors'
names (the strings of the JSON list), kept current by triggers like ``papers_fts``.
PostgreSQL: a generated ``head`` tsvector (title A, authors B) with a GIN index, in a text search
configuration of its own, ``shortbot_head``: english, without accents. Both are built from the
rows, in time that grows with the database.

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

# The authors' names as text: the strings of the JSON list, decoded (stored JSON may escape
# "Fernández" as "Fern\u00e1ndez", which the tokenizer would cut in two); a list that is not
# valid JSON is indexed as it stands rather than refused.
SQLITE_UP = (
    # contentless: the authors' text is computed, so the index cannot read it back from papers
    """CREATE VIRTUAL TABLE papers_head USING fts5(title, authors, content='',
        tokenize='unicode61 remove_diacritics 2', detail=column)""",
    """CREATE TRIGGER papers_head_insert AFTER INSERT ON papers BEGIN
        INSERT INTO papers_head(rowid, title, authors)
        VALUES (new.id, new.title, CASE WHEN json_valid(new.authors)
            THEN (SELECT group_concat(value, ' ') FROM json_each(new.authors))
            ELSE new.authors END);
    END""",
    """CREATE TRIGGER papers_head_delete AFTER DELETE ON papers BEGIN
        INSERT INTO papers_head(papers_head, rowid, title, authors)
        VALUES ('delete', old.id, old.title, CASE WHEN json_valid(old.authors)
            THEN (SELECT group_concat(value, ' ') FROM json_each(old.authors))
            ELSE old.authors END);
    END""",
    """CREATE TRIGGER papers_head_update AFTER UPDATE OF title, authors ON papers BEGIN
        INSERT INTO papers_head(papers_head, rowid, title, authors)
        VALUES ('delete', old.id, old.title, CASE WHEN json_valid(old.authors)
            THEN (SELECT group_concat(value, ' ') FROM json_each(old.authors))
            ELSE old.authors END);
        INSERT INTO papers_head(rowid, title, authors)
        VALUES (new.id, new.title, CASE WHEN json_valid(new.authors)
            THEN (SELECT group_concat(value, ' ') FROM json_each(new.authors))
            ELSE new.authors END);
    END""",
    """INSERT INTO papers_head(rowid, title, authors)
        SELECT id, title, CASE WHEN json_valid(papers.authors)
            THEN (SELECT group_concat(value, ' ') FROM json_each(papers.authors))
            ELSE papers.authors END FROM papers""",
)
POSTGRES_UP = (
    # members type "Suarez" for "Suárez": the heads' words lose their accents, on both sides
    # (storage.search_postgres asks with the same configuration). unaccent is a trusted
    # extension (PostgreSQL 13+): the database's owner may create it.
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION shortbot_head (COPY = english)",
    """ALTER TEXT SEARCH CONFIGURATION shortbot_head
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem""",
    # the strings of the authors' list, decoded: jsonb_to_tsvector indexes values, not syntax
    """ALTER TABLE papers ADD COLUMN head tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('shortbot_head', coalesce(title, '')), 'A') ||
        setweight(jsonb_to_tsvector(
            'shortbot_head', coalesce(authors::jsonb, '[]'), '["string"]'
        ), 'B')
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
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS shortbot_head")
