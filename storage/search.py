"""Full-text search of paper titles and abstracts, one interface over two engines.

SQLite uses the FTS5 index (bm25, titles weighted ten times abstracts); PostgreSQL the
generated ``search`` tsvector with a GIN index (``ts_rank_cd``). User words are data: each is
quoted as an FTS5 string or passed through ``plainto_tsquery``, so quotes, dashes, ``AND``,
``*`` or ``hep-th/9901001`` never change the query's syntax.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

MAX_TERMS = 12
_TOKEN = re.compile(r"\w+", re.UNICODE)
# Words that carry no meaning in a title search; PostgreSQL's english configuration drops
# these itself, and FTS5 must too, or "AND" typed by a user would be a required word.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "not",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
    ]
)

_SQLITE = text(
    """
    SELECT papers.id FROM papers_fts
    JOIN papers ON papers.id = papers_fts.rowid
    WHERE papers_fts MATCH :query
    ORDER BY bm25(papers_fts, 10.0, 1.0), papers.id
    LIMIT :limit
    """
)
_POSTGRES = text(
    """
    SELECT id FROM papers
    WHERE search @@ plainto_tsquery('english', :query)
    ORDER BY ts_rank_cd(search, plainto_tsquery('english', :query)) DESC, id
    LIMIT :limit
    """
)


def terms(words: Sequence[str]) -> list[str]:
    """The searchable tokens of the user's words, in order, without duplicates."""
    seen: dict[str, None] = {}
    for word in words:
        for token in _TOKEN.findall(word.casefold()):
            if token not in STOPWORDS:
                seen.setdefault(token, None)
    return list(seen)[:MAX_TERMS]


def fts5_query(tokens: Sequence[str]) -> str:
    """Every token as a quoted FTS5 string (the last one as a prefix), all required."""
    quoted = ['"' + t.replace('"', '""') + '"' for t in tokens]
    if quoted:
        quoted[-1] += "*"
    return " ".join(quoted)


async def search_ids(engine: AsyncEngine, words: Sequence[str], limit: int) -> list[int]:
    """Ids of the papers best matching ``words``, best first."""
    tokens = terms(words)
    if not tokens:
        return []
    params: dict[str, Any] = {"limit": limit}
    if engine.dialect.name == "sqlite":
        statement, params["query"] = _SQLITE, fts5_query(tokens)
    else:
        statement, params["query"] = _POSTGRES, " ".join(tokens)
    async with engine.connect() as conn:
        return [row[0] for row in (await conn.execute(statement, params)).all()]
