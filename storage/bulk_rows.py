"""The rows and SQL of a bulk import of papers (see ``storage.bulk``), in pure Python: the
columns and their merge rules, the ``INSERT … ON CONFLICT DO UPDATE`` of each database, the
import's checkpoint, and a batch turned into rows (safe in any thread or process: the import
parses in a process of its own).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from papers.model import IncomingPaper
from papers.text import normalize_title

BAD_LINES_KEPT = 10

# (column, merge rule): "fill" takes the snapshot's value where it has more, else only fills a
# missing value; "list" the same for JSON lists ([] is missing).
COLUMNS = (
    "key",
    "arxiv_id",
    "arxiv_version",
    "title",
    "title_norm",
    "authors",
    "abstract",
    "categories",
    "doi",
    "published",
    "updated",
    "metadata_complete",
    "created_at",
    "modified_at",
    "primary_category",
    "journal_ref",
    "comment",
)
_FILL = ("abstract", "doi", "published", "updated", "primary_category", "journal_ref", "comment")
_LISTS = ("authors", "categories")


@dataclass
class Checkpoint:
    """How far the import of one file got (what ``import_progress`` holds)."""

    source: str
    path: str
    line: int = 0
    offset: int = 0
    new: int = 0
    known: int = 0
    bad: int = 0
    bad_lines: list[int] = field(default_factory=list)
    finished: bool = False

    def add_bad(self, line: int) -> None:
        self.bad += 1
        if len(self.bad_lines) < BAD_LINES_KEPT:
            self.bad_lines.append(line)


def upsert_sql(dialect: str, source: str) -> str:
    """``INSERT INTO papers … SELECT/VALUES … ON CONFLICT (arxiv_id) DO UPDATE``, with the
    merge rules that ``storage.bulk`` describes."""
    sqlite = dialect == "sqlite"
    greatest = "max" if sqlite else "GREATEST"
    empty = "'[]'"

    def js(expr: str) -> str:
        return expr if sqlite else f"{expr}::text"

    more = (
        "(coalesce(excluded.arxiv_version, 0) > coalesce(papers.arxiv_version, 0) "
        "OR NOT papers.metadata_complete)"
    )
    sets = [
        f"arxiv_version = nullif({greatest}(coalesce(papers.arxiv_version, 0), "
        "coalesce(excluded.arxiv_version, 0)), 0)",
        f"title = CASE WHEN {more} THEN excluded.title ELSE papers.title END",
        f"title_norm = CASE WHEN {more} THEN excluded.title_norm ELSE papers.title_norm END",
        "metadata_complete = true" if not sqlite else "metadata_complete = 1",
        "modified_at = excluded.modified_at",
    ]
    missing = [f"{more}", "papers.arxiv_version IS NULL"]
    for col in _FILL:
        stored = f"nullif(papers.{col}, '')" if col in ("abstract", "comment") else f"papers.{col}"
        sets.append(
            f"{col} = CASE WHEN {more} THEN coalesce(excluded.{col}, {stored}) "
            f"ELSE coalesce({stored}, excluded.{col}) END"
        )
        missing.append(f"({stored} IS NULL AND excluded.{col} IS NOT NULL)")
    for col in _LISTS:
        have_new = f"{js(f'excluded.{col}')} <> {empty}"
        have_old = f"{js(f'papers.{col}')} <> {empty}"
        sets.append(
            f"{col} = CASE WHEN {more} AND {have_new} THEN excluded.{col} "
            f"WHEN {have_old} THEN papers.{col} ELSE excluded.{col} END"
        )
        missing.append(f"(NOT {have_old} AND {have_new})")
    columns = ", ".join(COLUMNS)
    if sqlite:
        values = f"VALUES ({', '.join('?' for _ in COLUMNS)})"
    else:
        casts = {"authors": "::json", "categories": "::json"}
        values = f"SELECT {', '.join(c + casts.get(c, '') for c in COLUMNS)} FROM {source}"  # noqa: S608
    return (
        f"INSERT INTO papers ({columns}) {values} "
        f"ON CONFLICT (arxiv_id) DO UPDATE SET {', '.join(sets)} "
        f"WHERE {' OR '.join(missing)}"
    )


def _json(values: Sequence[str]) -> str:
    return json.dumps(list(values))


def sqlite_time(value: datetime | None) -> str | None:
    """As SQLAlchemy stores DateTime on SQLite (naive UTC, microseconds)."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    # isoformat is implemented in C: several times faster than strftime
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


@dataclass
class Prepared:
    """A batch turned into database rows (``rows_for``), ready for ``write``.

    ``papers``: the batch's papers, or (when the rows were made in another process, which
    sends rows only) ``reparse``, which turns the i-th row back into its paper; either serves
    the rare merge with a paper known only from summaries."""

    papers: Sequence[IncomingPaper]
    rows: list[tuple[Any, ...]]
    reparse: Any = None

    def paper(self, index: int) -> IncomingPaper:
        if self.papers:
            return self.papers[index]
        if self.reparse is None:
            raise LookupError("no paper behind this row")
        paper: IncomingPaper = self.reparse(index)
        return paper


def rows_for(dialect: str, papers: Sequence[IncomingPaper], now: datetime) -> list[tuple[Any, ...]]:
    """The rows of ``papers`` for ``dialect``'s writer: pure Python, safe in any thread or
    process (the import parses in a process of its own)."""
    if dialect == "sqlite":
        # as SQLAlchemy stores them on SQLite: naive UTC text, and 1 for true
        stamp = sqlite_time(now)
        return [_row(p, sqlite_time(p.published), sqlite_time(p.updated), 1, stamp) for p in papers]
    return [_row(p, p.published, p.updated, True, now) for p in papers]


def _row(p: IncomingPaper, published: Any, updated: Any, true: Any, now: Any) -> tuple[Any, ...]:
    """One paper in the order of ``COLUMNS``; times and true as the database takes them."""
    return (
        p.arxiv_id,
        p.arxiv_id,
        p.arxiv_version,
        p.title,
        normalize_title(p.title),
        _json(p.authors),
        p.abstract,
        _json(p.categories),
        p.doi,
        published,
        updated,
        true,
        now,
        now,
        p.primary_category,
        p.journal_ref,
        p.comment,
    )


def with_counts(cp: Checkpoint, new: int, known: int) -> Checkpoint:
    """``cp`` with ``new`` and ``known`` papers more."""
    return Checkpoint(
        source=cp.source,
        path=cp.path,
        line=cp.line,
        offset=cp.offset,
        new=cp.new + new,
        known=cp.known + known,
        bad=cp.bad,
        bad_lines=list(cp.bad_lines),
        finished=cp.finished,
    )


def progress_values(cp: Checkpoint) -> tuple[Any, ...]:
    """``cp`` as the first values of ``PROGRESS_COLUMNS`` (``updated_at`` follows)."""
    return (
        cp.source,
        cp.path,
        cp.line,
        cp.offset,
        cp.new,
        cp.known,
        cp.bad,
        json.dumps(cp.bad_lines),
        cp.finished,
    )


PROGRESS_COLUMNS = 'source, path, line, "offset", new, known, bad, bad_lines, finished, updated_at'
PROGRESS_UPDATE = (
    'path = excluded.path, line = excluded.line, "offset" = excluded."offset", '
    "new = excluded.new, known = excluded.known, bad = excluded.bad, "
    "bad_lines = excluded.bad_lines, finished = excluded.finished, "
    "updated_at = excluded.updated_at"
)
