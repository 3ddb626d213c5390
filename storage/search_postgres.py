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
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import Text

from storage.search_common import (
    COMMON_DOCS,
    QUORUM_MAX,
    QUORUM_MIN,
    SUMMARY_TIES,
    fallbacks,
    merge,
    remembered,
)

log = logging.getLogger(__name__)

# The abstracts fill the titles found only when the planner expects at most FILL_DOCS matches.
FILL_DOCS = 500

HEAD, FULL = "head", "search"
# each column's text search configuration (migrations 0003, 0013: the heads lose accents)
CONFIG = {HEAD: "shortbot_head", FULL: "english"}
# Which of the words each column holds: one statement, an index probe per word and column.
# A GIN index answers a bitmap of every match (no early stop), and a correlated EXISTS looks
# cheap to the planner as a sequential scan that stops at the first match: seconds for a word
# no paper holds. So sequential scans are off for this statement, and a word found held is
# remembered (papers are only ever added): common words are probed once per process, typos
# (an empty posting list) each time.
_NO_SEQSCAN = text("SET LOCAL enable_seqscan = off")
_SEQSCAN = text("SET LOCAL enable_seqscan = on")
_HELD = text(
    """
    SELECT word,
        EXISTS (SELECT 1 FROM papers WHERE head @@ plainto_tsquery('shortbot_head', word)),
        EXISTS (SELECT 1 FROM papers WHERE search @@ plainto_tsquery('english', word))
    FROM unnest(:words) WITH ORDINALITY AS w(word, n) ORDER BY n
    """
).bindparams(bindparam("words", type_=ARRAY(Text)))


def _tsquery(column: str) -> str:
    """The tsquery of the words in :query, in ``column``'s configuration."""
    return f"plainto_tsquery('{CONFIG[column]}', :query)"


def ranked_statement(column: str, tsquery: str | None = None) -> Any:
    """The best :limit matches of ``tsquery`` (default: the words in :query) in ``column``,
    ranked: by ``ts_rank_cd``; at equal rank, papers with summaries first, then the shorter
    title, then the newest. (Summaries are looked up for the best SUMMARY_TIES only, by
    index: for every match the planner hashes the whole of summary_papers, 6 ms at 60,000
    rows, per search.)"""
    tsquery = tsquery or _tsquery(column)
    return text(
        f"""
        SELECT id FROM (
            SELECT id, title_norm, ts_rank_cd({column}, {tsquery}) AS rank
            FROM papers
            WHERE {column} @@ {tsquery}
            ORDER BY rank DESC, length(title_norm), id DESC
            LIMIT {SUMMARY_TIES}
        ) AS best
        ORDER BY rank DESC,
            EXISTS (SELECT 1 FROM summary_papers WHERE summary_papers.paper_id = best.id) DESC,
            length(title_norm), id DESC
        LIMIT :limit
        """
    )


# The heads, likewise, but the best SUMMARY_TIES by ts_rank_cd are then ordered as on SQLite:
# by how many of the words their title holds, a word naming the first author counting as one
# (a surname typed with a title word: "Vaswani attention"); at equal hits, papers with
# summaries first, then the shorter title, then the newest. (ts_rank_cd alone hardly ever ties,
# so summaries would never decide, and it weighs word positions members do not type.)
_RANKED_HEADS = text(
    f"""
    WITH asked AS (
        SELECT tsvector_to_array(to_tsvector('{CONFIG[HEAD]}', :query)) AS lexemes
    ), best AS (
        SELECT id, title, title_norm, authors
        FROM papers
        WHERE head @@ plainto_tsquery('{CONFIG[HEAD]}', :query)
        ORDER BY ts_rank_cd(head, plainto_tsquery('{CONFIG[HEAD]}', :query)) DESC,
            length(title_norm), id DESC
        LIMIT {SUMMARY_TIES}
    )
    SELECT id FROM best, asked
    ORDER BY
        cardinality(ARRAY(
            SELECT unnest(tsvector_to_array(to_tsvector('{CONFIG[HEAD]}', title)))
            INTERSECT SELECT unnest(asked.lexemes)
        ))
        + CASE WHEN tsvector_to_array(to_tsvector('{CONFIG[HEAD]}', coalesce(authors->>0, '')))
            && asked.lexemes THEN 1 ELSE 0 END DESC,
        EXISTS (SELECT 1 FROM summary_papers WHERE summary_papers.paper_id = best.id) DESC,
        length(title_norm), id DESC
    LIMIT :limit
    """
)


@dataclass(frozen=True)
class _Statements:
    """How one kind of match is found: the planner's estimate of its matches, the best of them
    ranked (few matches), or the newest (many)."""

    estimate: Any
    ranked: Any
    newest: Any


def _statements(column: str, tsquery: str | None = None, ranked: Any = None) -> _Statements:
    tsquery = tsquery or _tsquery(column)
    where = f"FROM papers WHERE {column} @@ {tsquery}"
    return _Statements(
        estimate=text(f"EXPLAIN (FORMAT JSON) SELECT 1 {where}"),
        ranked=ranked if ranked is not None else ranked_statement(column, tsquery),
        newest=text(f"SELECT id {where} ORDER BY id DESC LIMIT :limit"),
    )


def _quorum_tsquery(n: int) -> str:
    """The heads' tsquery of all but one of n words (:w0 … :wN): an OR of the ways to leave
    one out."""
    words = [f"plainto_tsquery('{CONFIG[HEAD]}', :w{i})" for i in range(n)]
    clauses = [
        "(" + " && ".join(w for j, w in enumerate(words) if j != left_out) + ")"
        for left_out in range(n)
    ]
    return "(" + " || ".join(clauses) + ")"


_BY_COLUMN = {HEAD: _statements(HEAD, ranked=_RANKED_HEADS), FULL: _statements(FULL)}
_QUORUM = {n: _statements(HEAD, _quorum_tsquery(n)) for n in range(QUORUM_MIN, QUORUM_MAX + 1)}


async def _held(conn: AsyncConnection, tokens: list[str]) -> tuple[list[bool], list[bool]]:
    """Which of ``tokens`` the heads hold, and which the titles and abstracts."""
    engine = conn.engine.sync_engine
    in_head, in_full = remembered(engine, "held:" + HEAD), remembered(engine, "held:" + FULL)
    unknown = [t for t in tokens if t not in in_head or t not in in_full]
    if unknown:
        await conn.execute(_NO_SEQSCAN)
        rows = (await conn.execute(_HELD, {"words": unknown})).all()
        await conn.execute(_SEQSCAN)
        in_head.update(row[0] for row in rows if row[1])
        in_full.update(row[0] for row in rows if row[2])
    return [t in in_head for t in tokens], [t in in_full for t in tokens]


async def postgres_search(conn: AsyncConnection, tokens: list[str], limit: int) -> list[int]:
    """Ids of the papers best matching ``tokens``, best first: head matches, then the rest."""
    in_head, in_full = await _held(conn, tokens)
    found: list[int] = []
    if all(in_head):
        found = await _ranked(conn, HEAD, tokens, limit)
        if len(found) >= limit:
            return found
    for head, kept, last_resort in fallbacks(in_head, in_full):
        if last_resort and found:
            break
        words = [tokens[i] for i in kept]
        more = await _ranked(conn, HEAD if head else FULL, words, limit, found=len(found))
        found = merge(found, more, limit)
        if len(found) >= limit:
            break
    pairs = list(zip(in_head, in_full, strict=True))
    held = [t for t, (h, f) in zip(tokens, pairs, strict=True) if h or f]
    if not found and QUORUM_MIN <= len(held) <= QUORUM_MAX and all(h for h, f in pairs if f):
        return await _quorum(conn, held, limit)
    return found


async def _quorum(conn: AsyncConnection, words: list[str], limit: int) -> list[int]:
    params: dict[str, Any] = {f"w{i}": word for i, word in enumerate(words)} | {"limit": limit}
    statements = _QUORUM[len(words)]
    estimate = await _estimate_rows(conn, statements, params)
    return await _best_or_newest(conn, statements, estimate, params, " ".join(words))


async def _estimate_rows(conn: AsyncConnection, statements: _Statements, params: Any) -> int:
    """The planner's estimate of the matches (its statistics, kept by ANALYZE)."""
    plan: Any = (await conn.execute(statements.estimate, params)).scalar()
    return int((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"])


async def _best_or_newest(
    conn: AsyncConnection, statements: _Statements, estimate: int, params: Any, what: str
) -> list[int]:
    """The ranked matches when at most COMMON_DOCS are expected, else the newest."""
    if estimate <= COMMON_DOCS:
        return [row[0] for row in (await conn.execute(statements.ranked, params)).all()]
    return await _within_budget(conn, statements.newest, params, what, NEWEST_BUDGET_MS)


async def _ranked(
    conn: AsyncConnection, column: str, words: list[str], limit: int, *, found: int = 0
) -> list[int]:
    """The best ``limit`` matches of ``words`` in ``column``; ``found``: how many the searches
    before this one found."""
    params: dict[str, Any] = {"limit": limit, "query": " ".join(words)}
    statements = _BY_COLUMN[column]
    estimate = await _estimate_rows(conn, statements, params)
    if column == FULL and found:
        if estimate > FILL_DOCS:
            # many abstracts hold the words: ranking them reads each one's tsvector (from
            # TOAST, hundreds of ms), and they add little to the titles found
            return []
        # the planner's estimate of words that meet is a product of their frequencies, often
        # 5-50 times too low: the fill, which only adds to the titles found, has a budget too
        return await _within_budget(
            conn, statements.ranked, params, params["query"], FILL_BUDGET_MS
        )
    return await _best_or_newest(conn, statements, estimate, params, params["query"])


# The newest matches are found by walking the primary key backwards, each row rechecked: fast
# when the words are as common as the planner estimates, but when they rarely meet (each word
# common, the pair rare: "diffusion segmentation") the walk reads most of the table — seconds
# at 3 M papers (tsvectors of abstracts read from TOAST). So the walk has a budget; past it,
# nothing is found this way (a savepoint keeps the use case's transaction usable).
NEWEST_BUDGET_MS = 50
FILL_BUDGET_MS = 30
_NO_BUDGET = text("SET LOCAL statement_timeout = 0")


async def _within_budget(
    conn: AsyncConnection, statement: Any, params: Any, what: str, budget_ms: int
) -> list[int]:
    """The ids ``statement`` answers within ``budget_ms``; none if it takes longer."""
    savepoint = await conn.begin_nested()
    try:
        await conn.execute(text(f"SET LOCAL statement_timeout = {int(budget_ms)}"))
        rows = (await conn.execute(statement, params)).all()
        await conn.execute(_NO_BUDGET)
    except DBAPIError as exc:
        await savepoint.rollback()
        if "statement timeout" not in str(exc) and "canceling statement" not in str(exc):
            raise
        log.info("search: the matches of %r took over %d ms", what, budget_ms)
        return []
    await savepoint.commit()
    return [row[0] for row in rows]
