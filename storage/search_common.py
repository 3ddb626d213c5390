"""What the two search engines of ``storage.search`` share: the user's words as search terms,
FTS5 query text, the papers with summaries among candidates, and the words found common."""

from __future__ import annotations

import json
import re
import unicodedata
import weakref
from collections.abc import Sequence

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncConnection

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

# A word in more than COMMON_DOCS papers is common: its matches are too many to rank.
COMMON_DOCS = 5_000
# Among equal matches, papers with summaries first: the best SUMMARY_TIES candidates are looked up.
SUMMARY_TIES = 200


def terms(words: Sequence[str]) -> list[str]:
    """The searchable tokens of the user's words, in order, without duplicates."""
    seen: dict[str, None] = {}
    for word in words:
        for token in _TOKEN.findall(word.casefold()):
            if token not in STOPWORDS:
                seen.setdefault(token, None)
    return list(seen)[:MAX_TERMS]


# A last resort when nothing holds every word: titles holding all but one of them (a typo that
# happens to be some other paper's word, "Lear" for "Learn"), for queries of QUORUM_MIN words
# or more (with fewer, one word alone would be too loose to show as a match).
QUORUM_MIN = 3
QUORUM_MAX = 8


def _quoted(tokens: Sequence[str], prefix: bool) -> list[str]:
    """Every token as a quoted FTS5 string, the last one as a prefix if ``prefix``."""
    quoted = ['"' + t.replace('"', '""') + '"' for t in tokens]
    if quoted and prefix:
        quoted[-1] += "*"
    return quoted


def fts5_query(tokens: Sequence[str], *, prefix: bool = True) -> str:
    """Every token as a quoted FTS5 string (the last one as a prefix), all required."""
    return " ".join(_quoted(tokens, prefix))


def fts5_quorum(tokens: Sequence[str], *, prefix: bool) -> str:
    """An FTS5 query matching every token but (at most) one: an OR of the ways to leave one
    out, each token quoted as in :func:`fts5_query`."""
    quoted = _quoted(tokens, prefix)
    clauses = [
        "(" + " ".join(q for j, q in enumerate(quoted) if j != left_out) + ")"
        for left_out in range(len(quoted))
    ]
    return " OR ".join(clauses)


_WITH_SUMMARIES = text(
    "SELECT DISTINCT paper_id FROM summary_papers WHERE paper_id IN :ids"
).bindparams(bindparam("ids", expanding=True))


async def with_summaries(conn: AsyncConnection, ids: list[int]) -> set[int]:
    """Which of ``ids`` have a summary."""
    if not ids:
        return set()
    return {row[0] for row in (await conn.execute(_WITH_SUMMARIES, {"ids": ids})).all()}


_FIRST_AUTHORS = text("SELECT id, authors FROM papers WHERE id IN :ids").bindparams(
    bindparam("ids", expanding=True)
)


def plain(word: str) -> str:
    """``word`` without its accents, as the indexes keep it ("Fernández" → "fernandez")."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


async def first_author_named(conn: AsyncConnection, ids: list[int], words: set[str]) -> set[int]:
    """Which of ``ids`` have a first author one of ``words`` names."""
    wanted = {plain(w) for w in words}
    named = set()
    for paper_id, authors in (await conn.execute(_FIRST_AUTHORS, {"ids": ids})).all():
        names = json.loads(authors) if isinstance(authors, str) else authors
        first = names[0] if names and isinstance(names, list) else None
        if isinstance(first, str) and wanted.intersection(map(plain, _TOKEN.findall(first))):
            named.add(paper_id)
    return named


# A common word's probe walks COMMON_DOCS postings (milliseconds); papers are only ever added
# (a deletion is rare), so a word found common stays common: it is remembered, per database
# and index, and not probed again. Rare words are probed each time: their probe is short, and
# a new paper can change their count.
_REMEMBERED_MAX = 100_000
_remembered: weakref.WeakKeyDictionary[Engine, dict[str, set[str]]] = weakref.WeakKeyDictionary()


def remembered(engine: Engine, kind: str) -> set[str]:
    """The words remembered as ``kind`` in the database behind ``engine``: found common in an
    index (SQLite), or found in an index at all (PostgreSQL's "held:" kinds) — sets that only
    grow while papers are only added."""
    kinds = _remembered.setdefault(engine, {})
    words = kinds.get(kind)
    if words is None or len(words) > _REMEMBERED_MAX:
        words = kinds[kind] = set()
    return words


def fallbacks(
    in_head: Sequence[bool], in_full: Sequence[bool]
) -> list[tuple[bool, list[int], bool]]:
    """The searches after the heads' with every word, in order, as (in the heads?, the indexes
    of the words required, only if nothing was found before?). A word in neither index (a
    typo, mostly) is left out. First the heads, when they hold every other word; then titles
    and abstracts, with the words they hold (a surname is in no abstract's index); then, if
    still nothing matched, the heads with only the words they hold (a misspelling that some
    abstract happens to hold must not hide the title)."""
    kept = [i for i, (h, f) in enumerate(zip(in_head, in_full, strict=True)) if h or f]
    head = [i for i in kept if in_head[i]]
    full = [i for i in kept if in_full[i]]
    out: list[tuple[bool, list[int], bool]] = []
    if head and head == kept and not all(in_head):
        out.append((True, head, False))
    if full:
        out.append((False, full, False))
    if head and head != kept:
        out.append((True, head, True))
    return out


def merge(found: list[int], more: list[int], limit: int) -> list[int]:
    """``found``, then those of ``more`` not in it, up to ``limit``."""
    seen = set(found)
    return (found + [paper_id for paper_id in more if paper_id not in seen])[:limit]
