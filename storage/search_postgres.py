"""Search on PostgreSQL: the ``head`` tsvector (title A, authors B; migration 0013) first, then
``search`` (title A, abstract B; migration 0003), each with its GIN index.

``ts_rank_cd`` reads the tsvector of every match, so the planner's estimate of the matches (its
statistics of the column, kept by ANALYZE) decides: up to COMMON_DOCS they are ranked (then, at
equal rank, papers with summaries first, the shorter title, the newest); beyond, the newest
matches are taken, which the primary key walked backwards finds after about
limit × papers / matches rows. The head comes first: common title words match far fewer
papers there than with the abstracts, and an abstract never outranks a title. When it finds
fewer than asked, the abstracts fill the rest. A word in neither (a typo, mostly) is left out.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import Text

from storage.search_common import COMMON_DOCS, fallbacks, merge

HEAD, FULL = "head", "search"
# each column's text search configuration (migrations 0003, 0013: the heads lose accents)
CONFIG = {HEAD: "shortbot_head", FULL: "english"}
# which of the words each column holds: one statement, an index probe per word and column
_HELD = text(
    """
    SELECT word,
        EXISTS (SELECT 1 FROM papers WHERE head @@ plainto_tsquery('shortbot_head', word)),
        EXISTS (SELECT 1 FROM papers WHERE search @@ plainto_tsquery('english', word))
    FROM unnest(:words) WITH ORDINALITY AS w(word, n) ORDER BY n
    """
).bindparams(bindparam("words", type_=ARRAY(Text)))


def ranked_statement(column: str) -> Any:
    """The best :limit matches of :query in ``column``, ranked."""
    return text(
        f"""
        SELECT id FROM papers
        WHERE {column} @@ plainto_tsquery('{CONFIG[column]}', :query)
        ORDER BY ts_rank_cd({column}, plainto_tsquery('{CONFIG[column]}', :query)) DESC,
            EXISTS (SELECT 1 FROM summary_papers WHERE summary_papers.paper_id = papers.id) DESC,
            length(title_norm), id DESC
        LIMIT :limit
        """
    )


def _estimate(column: str) -> Any:
    return text(
        "EXPLAIN (FORMAT JSON) SELECT 1 FROM papers "
        f"WHERE {column} @@ plainto_tsquery('{CONFIG[column]}', :query)"
    )


def _newest(column: str) -> Any:
    return text(
        f"""
        SELECT id FROM papers WHERE {column} @@ plainto_tsquery('{CONFIG[column]}', :query)
        ORDER BY id DESC LIMIT :limit
        """
    )


_RANKED = {column: ranked_statement(column) for column in (HEAD, FULL)}
_ESTIMATE = {column: _estimate(column) for column in (HEAD, FULL)}
_NEWEST = {column: _newest(column) for column in (HEAD, FULL)}


async def postgres_search(conn: AsyncConnection, tokens: list[str], limit: int) -> list[int]:
    """Ids of the papers best matching ``tokens``, best first: head matches, then the rest."""
    rows = (await conn.execute(_HELD, {"words": tokens})).all()
    in_head, in_full = [bool(row[1]) for row in rows], [bool(row[2]) for row in rows]
    found: list[int] = []
    if all(in_head):
        found = await _ranked(conn, HEAD, tokens, limit)
        if len(found) >= limit:
            return found
    for head, kept, last_resort in fallbacks(in_head, in_full):
        if last_resort and found:
            break
        more = await _ranked(conn, HEAD if head else FULL, [tokens[i] for i in kept], limit)
        found = merge(found, more, limit)
        if len(found) >= limit:
            break
    return found


async def _ranked(conn: AsyncConnection, column: str, words: list[str], limit: int) -> list[int]:
    params: dict[str, Any] = {"limit": limit, "query": " ".join(words)}
    plan: Any = (await conn.execute(_ESTIMATE[column], params)).scalar()
    estimate = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"]
    statement = _NEWEST[column] if estimate > COMMON_DOCS else _RANKED[column]
    return [row[0] for row in (await conn.execute(statement, params)).all()]
