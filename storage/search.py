"""Full-text search of paper titles and abstracts, one interface over two engines.

SQLite uses the FTS5 index (matches ranked by how many of the words their title holds, then
shorter titles, then newest); PostgreSQL the generated ``search`` tsvector with a GIN index
(``ts_rank_cd``).
User words are data: each is quoted as an FTS5 string or passed through ``plainto_tsquery``,
so quotes, dashes, ``AND``, ``*`` or ``hep-th/9901001`` never change the query's syntax.
"""

from __future__ import annotations

import json
import logging
import re
import weakref
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection

log = logging.getLogger(__name__)

MAX_TERMS = 12
# letters and digits: the characters FTS5's unicode61 tokenizer keeps together. An underscore
# (a word character to Python) splits words there, so "foo_bar" is two terms, never a phrase
# (the index keeps no positions: detail=column, migration 0008).
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
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

# Among equal matches, as on SQLite: papers with summaries first (what members look for), then
# the shorter title, then the newest.
_POSTGRES = text(
    """
    SELECT id FROM papers
    WHERE search @@ plainto_tsquery('english', :query)
    ORDER BY ts_rank_cd(search, plainto_tsquery('english', :query)) DESC,
        EXISTS (SELECT 1 FROM summary_papers WHERE summary_papers.paper_id = papers.id) DESC,
        length(title_norm), id DESC
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


def fts5_query(tokens: Sequence[str], *, prefix: bool = True) -> str:
    """Every token as a quoted FTS5 string (the last one as a prefix), all required."""
    quoted = ['"' + t.replace('"', '""') + '"' for t in tokens]
    if quoted and prefix:
        quoted[-1] += "*"
    return " ".join(quoted)


# SQLite, on millions of papers. FTS5's bm25 reads the whole posting list of every term (for
# its IDF) and scores every match, and without word positions (detail=column, migration 0008)
# each score walks the lists again: seconds for a common word, a minute for a prefix ("phi*")
# that starts many words. So no bm25: each word's document count is probed, up to COMMON_DOCS
# (walking at most that many postings; a word found common is remembered); the matches are
# taken newest first, which FTS5 answers by walking the posting lists in rowid order and
# stopping at the limit — all of them when every word is rare (at most COMMON_DOCS), the
# newest COMMON_POOL when one is common — and ranked by how many of the words their title
# holds, then shorter titles, then newest first. The last word is a prefix only when it is no
# word of the index as typed ("resid" → "residual"). (A column filter, "title : (…)", is no
# shortcut: it walks the posting lists until enough titles hold every word, hundreds of ms
# for common words.) The titles are read from an index of (id, title_norm) alone (migration
# 0010), a small part of the file that stays cached, rather than from the rows of ``papers``.
COMMON_DOCS = 5_000
COMMON_POOL = 500
_SQLITE_DOCS = text(
    "SELECT count(*) FROM (SELECT rowid FROM papers_fts WHERE papers_fts MATCH :term LIMIT :cap)"
)
_SQLITE_NEWEST = text(
    """
    SELECT papers.id, papers.title_norm FROM (
        SELECT rowid FROM papers_fts WHERE papers_fts MATCH :query
        ORDER BY rowid DESC LIMIT :pool
    ) AS newest JOIN papers INDEXED BY ix_papers_title_by_id ON papers.id = newest.rowid
    """
)


# PostgreSQL, likewise: ts_rank_cd reads the tsvector of every match. The planner's estimate
# of the matches (its statistics of the search column, kept by ANALYZE) decides: up to
# COMMON_DOCS they are ranked as before; beyond, the newest matches are taken, which the
# primary key walked backwards finds after about limit × papers / matches rows.
_POSTGRES_ESTIMATE = text(
    "EXPLAIN (FORMAT JSON) SELECT 1 FROM papers WHERE search @@ plainto_tsquery('english', :query)"
)
_POSTGRES_HOLDS = text(
    "SELECT EXISTS (SELECT 1 FROM papers WHERE search @@ plainto_tsquery('english', :term))"
)
_POSTGRES_NEWEST = text(
    """
    SELECT id FROM papers
    WHERE search @@ plainto_tsquery('english', :query)
    ORDER BY id DESC
    LIMIT :limit
    """
)


# A common word's probe walks COMMON_DOCS postings (milliseconds); papers are only ever added
# (a deletion is rare), so a word found common stays common: it is remembered, per database,
# and not probed again. Rare words are probed each time: their probe is short, and a new
# paper can change their count.
_COMMON_KEPT = 100_000
_common_words: weakref.WeakKeyDictionary[Engine, set[str]] = weakref.WeakKeyDictionary()


def _known_common(engine: Engine) -> set[str]:
    words = _common_words.get(engine)
    if words is None or len(words) > _COMMON_KEPT:
        words = _common_words[engine] = set()
    return words


async def _sqlite_docs(conn: AsyncConnection, term: str) -> int:
    params = {"term": term, "cap": COMMON_DOCS + 1}
    return int((await conn.execute(_SQLITE_DOCS, params)).scalar_one())


async def _sqlite_search(conn: AsyncConnection, tokens: list[str], limit: int) -> list[int]:
    common = _known_common(conn.engine.sync_engine)
    counts = []
    for token in tokens:
        if token in common:
            counts.append(COMMON_DOCS + 1)
            continue
        counts.append(await _sqlite_docs(conn, fts5_query([token], prefix=False)))
        if counts[-1] > COMMON_DOCS:
            common.add(token)
    if counts[-1] == 0 and await _sqlite_docs(conn, fts5_query(tokens[-1:])) == 0:
        counts[-1] = -1  # not even a prefix ("resid" → "residual") of an indexed word
    # A word no paper holds (a typo, mostly) would make every query with it find nothing:
    # it is left out, and the other words searched, unless it was the only one.
    kept = [
        (t, n) for t, n in zip(tokens, counts, strict=True) if n > 0 or (n == 0 and t == tokens[-1])
    ]
    if not kept:
        return []
    tokens, counts = [t for t, _ in kept], [n for _, n in kept]
    query = fts5_query(tokens, prefix=counts[-1] == 0)
    # every match when a word is rare (at most COMMON_DOCS), else the newest COMMON_POOL
    pool = COMMON_POOL if max(counts) > COMMON_DOCS else COMMON_DOCS
    rows = (await conn.execute(_SQLITE_NEWEST, {"query": query, "pool": pool})).all()
    wanted = set(tokens)
    last = tokens[-1] if counts[-1] == 0 else None  # typed as a prefix

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
    # among the best, at equal title hits: papers with summaries first (what members look for)
    best = ranked[: max(limit * 10, SUMMARY_TIES)]
    summarized = await _with_summaries(conn, [paper_id for _, paper_id in best])
    best.sort(key=lambda pair: (pair[0][0], pair[1] not in summarized, pair[0][1:]))
    return [paper_id for _, paper_id in best[:limit]]


SUMMARY_TIES = 200
_WITH_SUMMARIES = text(
    "SELECT DISTINCT paper_id FROM summary_papers WHERE paper_id IN :ids"
).bindparams(bindparam("ids", expanding=True))


async def _with_summaries(conn: AsyncConnection, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return {row[0] for row in (await conn.execute(_WITH_SUMMARIES, {"ids": ids})).all()}


async def search_ids(conn: AsyncConnection, words: Sequence[str], limit: int) -> list[int]:
    """Ids of the papers best matching ``words``, best first (on ``conn``)."""
    tokens = terms(words)
    if not tokens:
        return []
    if conn.dialect.name == "sqlite":
        try:
            return await _sqlite_search(conn, tokens, limit)
        except OperationalError as exc:
            # a character FTS5 splits a word at but Python does not would make a phrase,
            # which an index without positions cannot answer: no match, not an error
            if "phrase queries are not supported" not in str(exc):
                raise
            log.info("search: a word splits into a phrase in the index: %r", tokens)
            return []
    # as on SQLite, a word no paper holds is left out unless it is the only one
    held = [t for t in tokens if (await conn.execute(_POSTGRES_HOLDS, {"term": t})).scalar()]
    if not held:
        return []
    params: dict[str, Any] = {"limit": limit, "query": " ".join(held)}
    plan: Any = (await conn.execute(_POSTGRES_ESTIMATE, params)).scalar()
    estimate = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"]
    statement = _POSTGRES_NEWEST if estimate > COMMON_DOCS else _POSTGRES
    return [row[0] for row in (await conn.execute(statement, params)).all()]
