"""Full-text search of paper heads (titles and authors) and abstracts, one interface over two
engines: FTS5 on SQLite (``storage.search_sqlite``), tsvectors with GIN indexes on PostgreSQL
(``storage.search_postgres``). Both search the heads first and fill from the abstracts.

User words are data: each is quoted as an FTS5 string or passed through ``plainto_tsquery``,
so quotes, dashes, ``AND``, ``*`` or ``hep-th/9901001`` never change the query's syntax.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.search_common import STOPWORDS, fts5_query, terms
from storage.search_postgres import postgres_search
from storage.search_sqlite import sqlite_search

__all__ = ["STOPWORDS", "fts5_query", "search_ids", "terms"]

log = logging.getLogger(__name__)


async def search_ids(conn: AsyncConnection, words: Sequence[str], limit: int) -> list[int]:
    """Ids of the papers best matching ``words``, best first (on ``conn``)."""
    tokens = terms(words)
    if not tokens:
        return []
    if conn.dialect.name == "sqlite":
        try:
            return await sqlite_search(conn, tokens, limit)
        except OperationalError as exc:
            # a character FTS5 splits a word at but Python does not would make a phrase,
            # which an index without positions cannot answer: no match, not an error
            if "phrase queries are not supported" not in str(exc):
                raise
            log.info("search: a word splits into a phrase in the index: %r", tokens)
            return []
    return await postgres_search(conn, tokens, limit)
