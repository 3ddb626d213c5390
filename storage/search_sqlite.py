"""Search on SQLite: the FTS5 index of heads (titles and authors) first, then that of titles
and abstracts (migrations 0003, 0008, 0013).

On millions of papers FTS5's bm25 reads the whole posting list of every term (for its IDF) and
scores every match, and without word positions (detail=column) each score walks the lists
again: seconds for a common word, a minute for a prefix ("phi*") that starts many words. So no
bm25: each word's document count is probed, up to COMMON_DOCS (walking at most that many
postings; a word found common is remembered); the matches are taken newest first, which FTS5
answers by walking the posting lists in rowid order and stopping at the limit — all of them
when a word is rare (at most COMMON_DOCS: the rare word's list leads the walk), the newest
COMMON_POOL when every word is common — and ranked by how many of the words their title holds,
then shorter titles, then newest first; among the best at equal hits, papers with summaries
first. The last word is a prefix only when it is no word of the index as typed ("resid" →
"residual"). The titles are read from an index of (id, title_norm) alone (migration 0010), a
small part of the file that stays cached, rather than from the rows of ``papers``.

The head index comes first: its posting lists are a title's and an author list's words, not an
abstract's, so common words match far fewer papers there, and a title holding every word is
not lost among the abstracts that do. When it finds fewer than asked, the abstracts fill the
rest. A word in neither index (a typo, mostly) is left out, unless it is the only one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.search_common import (
    COMMON_DOCS,
    QUORUM_MAX,
    QUORUM_MIN,
    SUMMARY_TIES,
    fallbacks,
    first_author_named,
    fts5_query,
    fts5_quorum,
    merge,
    remembered,
)
from storage.search_common import with_summaries as _with_summaries

HEAD, FULL = "papers_head", "papers_fts"
COMMON_POOL = 500
# So many words, every one common, that no title holds: the abstracts are not walked for them.
SPARSE_WORDS = 4


def docs_statement(table: str) -> Any:
    """How many papers (up to :cap) the FTS5 query :term matches in ``table``."""
    sql = f"SELECT count(*) FROM (SELECT rowid FROM {table} WHERE {table} MATCH :term LIMIT :cap)"
    return text(sql)


def newest_statement(table: str) -> Any:
    """The newest :pool matches of :query in ``table``, with their normalised titles."""
    return text(
        f"""
        SELECT papers.id, papers.title_norm FROM (
            SELECT rowid FROM {table} WHERE {table} MATCH :query
            ORDER BY rowid DESC LIMIT :pool
        ) AS newest JOIN papers INDEXED BY ix_papers_title_by_id ON papers.id = newest.rowid
        """
    )


def _qmark(statement: Any, *names: str) -> str:
    """``statement``'s SQL with its named parameters as the driver's ``?``, in that order."""
    sql = str(statement)
    for name in names:
        sql = sql.replace(f":{name}", "?")
    return sql


_DOCS = {table: docs_statement(table) for table in (HEAD, FULL)}
_NEWEST_SQL = {table: _qmark(newest_statement(table), "query", "pool") for table in (HEAD, FULL)}


async def _rows(conn: AsyncConnection, sql: str, params: tuple[Any, ...]) -> list[Any]:
    """The rows of ``sql`` as the driver returns them, in ``conn``'s transaction: for the
    thousands of (id, title) candidates a search ranks, SQLAlchemy's result rows cost more
    than the query (26 ms for 5,600 rows, against 11 ms for the walk)."""
    driver: Any = (await conn.get_raw_connection()).driver_connection
    return list(await driver.execute_fetchall(sql, params))


async def _docs(conn: AsyncConnection, table: str, query: str) -> int:
    params = {"term": query, "cap": COMMON_DOCS + 1}
    return int((await conn.execute(_DOCS[table], params)).scalar_one())


# A prefix shorter than this starts too many words ("li*": a walk of hundreds of ms over the
# posting lists of "linear", "likelihood" …), so a last word that short is only a word.
PREFIX_MIN = 3


async def _counts(
    conn: AsyncConnection, table: str, tokens: list[str], *, prefix_ok: bool = True
) -> tuple[list[int], bool]:
    """Each token's document count in ``table`` (up to COMMON_DOCS + 1), and whether the last
    one counts as a prefix (it is no word of the index as typed, but starts some; only if
    ``prefix_ok``)."""
    common = remembered(conn.engine.sync_engine, table)
    counts = []
    for token in tokens:
        if token in common:
            counts.append(COMMON_DOCS + 1)
            continue
        counts.append(await _docs(conn, table, fts5_query([token], prefix=False)))
        if counts[-1] > COMMON_DOCS:
            common.add(token)
    if counts[-1] == 0 and prefix_ok and len(tokens[-1]) >= PREFIX_MIN:
        counts[-1] = await _docs(conn, table, fts5_query(tokens[-1:]))
        return counts, counts[-1] > 0
    return counts, False


async def sqlite_search(conn: AsyncConnection, tokens: list[str], limit: int) -> list[int]:
    """Ids of the papers best matching ``tokens``, best first: head matches, then the rest."""
    head, head_prefix = await _counts(conn, HEAD, tokens)
    found: list[int] = []
    if all(head):
        query, pool = _plan(tokens, head, head_prefix)
        found = await _ranked(conn, HEAD, tokens, head_prefix, query, pool, limit)
        if len(found) >= limit:
            return found
    # a last word the heads hold as typed (a surname, mostly) is a word, not a prefix
    whole = head[-1] > 0 and not head_prefix
    full, full_prefix = await _counts(conn, FULL, tokens, prefix_ok=not whole)
    last = len(tokens) - 1
    for in_head, kept, last_resort in fallbacks([n > 0 for n in head], [n > 0 for n in full]):
        if last_resort and found:
            break
        counts, prefix = (head, head_prefix) if in_head else (full, full_prefix)
        common = min(counts[i] for i in kept) > COMMON_DOCS
        if not in_head and common and (found or len(kept) >= SPARSE_WORDS):
            # every word is common in the abstracts: the newest of the thousands of abstracts
            # holding them add little to the titles found; and when no title holds four or
            # more of them, few abstracts do either, and FTS5 reads each word's whole posting
            # list looking for them (90 ms for six at 3 M papers)
            continue
        words, prefix = [tokens[i] for i in kept], prefix and kept[-1] == last
        # filling after the heads' matches, one rare word may lead the abstracts' walk alone
        fill = bool(found) and not in_head
        query, pool = _plan(words, [counts[i] for i in kept], prefix, leaders=1 if fill else 2)
        more = await _ranked(conn, HEAD if in_head else FULL, words, prefix, query, pool, limit)
        found = merge(found, more, limit)
        if len(found) >= limit:
            break
    kept = [i for i, n in enumerate(head) if n > 0 or full[i] > 0]
    # a rare word keeps the quorum's walk short (one clause per word left out: of common
    # words only, each clause reads their whole posting lists: 100 ms for six at 3 M papers)
    rare = sum(0 < head[i] <= COMMON_DOCS for i in kept)
    quorum = QUORUM_MIN <= len(kept) <= QUORUM_MAX and all(head[i] for i in kept) and rare
    if not found and quorum:
        words = [tokens[i] for i in kept]
        prefix = head_prefix and kept[-1] == last
        # every clause holds a rare word when two are rare: all of its matches are ranked
        query = fts5_quorum(words, prefix=prefix)
        return await _ranked(conn, HEAD, words, prefix, query, _pool(rare >= 2), limit)
    return found


def _pool(rare: bool) -> int:
    """How many of the newest matches to rank: every one when a word is rare (at most
    COMMON_DOCS of them then), else the newest COMMON_POOL."""
    return COMMON_DOCS if rare else COMMON_POOL


def _plan(
    tokens: list[str], counts: list[int], prefix: bool, *, leaders: int = 2
) -> tuple[str, int]:
    """The FTS5 query finding the candidates of every token (the last one as a prefix if
    ``prefix``), given their document counts, and how many of them to rank.

    When at least ``leaders`` words are rare and some are not, the rare words alone find the
    candidates: FTS5 leapfrogs every word's posting list, and a pasted title's common words
    make that walk long (an abstract's "neural", "networks", "learning": 50-80 ms at 3 M
    papers, against under 1 ms for a rare word's list). The ranking still counts every word,
    so the titles holding all of them come first. Two rare words are strict enough for the
    heads' every-word search; filling after the heads' matches, one is (an abstract holding
    the query's one distinctive word is what the fill is for)."""
    rare = [t for t, n in zip(tokens, counts, strict=True) if n <= COMMON_DOCS]
    if leaders <= len(rare) < len(tokens):
        return fts5_query(rare, prefix=prefix and rare[-1] == tokens[-1]), _pool(True)
    return fts5_query(tokens, prefix=prefix), _pool(bool(rare))


async def _ranked(
    conn: AsyncConnection,
    table: str,
    tokens: list[str],
    prefix: bool,
    query: str,
    pool: int,
    limit: int,
) -> list[int]:
    """The best ``limit`` of the newest ``pool`` matches of ``query`` in ``table``, ranked by
    how many of ``tokens`` their titles hold (the last one, if ``prefix``, where a title word
    starts with it)."""
    rows = await _rows(conn, _NEWEST_SQL[table], (query, pool))
    wanted = set(tokens)
    last = tokens[-1] if prefix else None

    def rank(row: Any) -> tuple[int, int, int]:
        """More of the words in the title first, then the shorter title (the words make more
        of it, as bm25 would weigh it), then the newest."""
        words = row[1].split()
        hits = len(wanted.intersection(words))
        if last is not None and any(w.startswith(last) for w in words):
            hits += 1
        return (-hits, len(words), -row[0])

    ranked = [(rank(row), row[0]) for row in rows]
    ranked.sort()
    # among the best, at equal title hits: the paper whose first author a word names (a
    # surname typed with a title word: "Vaswani attention"), then papers with summaries
    # (what members look for)
    best = ranked[: max(limit * 10, SUMMARY_TIES)]
    ids = [paper_id for _, paper_id in best]
    summarized = await _with_summaries(conn, ids)
    titled = all(-key[0] >= len(wanted) for key, _ in best)
    named = set() if table != HEAD or titled else await first_author_named(conn, ids, wanted)
    best.sort(
        key=lambda pair: (
            pair[0][0] - (pair[1] in named),
            pair[1] not in summarized,
            pair[0][1:],
        )
    )
    return [paper_id for _, paper_id in best[:limit]]
