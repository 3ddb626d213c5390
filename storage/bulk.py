"""Bulk writes of papers (``shortbot import arxiv-metadata``), each database on its fast path.

One batch is one transaction holding the papers, their DOI aliases, the full-text index and the
import's checkpoint (table ``import_progress``), so an interrupted import resumes exactly after
its last commit.

Merging with what is known, per paper (by arXiv id): a new paper is inserted; a known one takes
the snapshot's values where the snapshot has more (a higher version than stored, or the stored
paper only known from summaries), and otherwise only fills what is missing. Nothing is ever
cleared (an empty value never replaces a value), links (summaries, aliases, announcements)
are never touched, the arXiv version only goes up. A snapshot paper whose arXiv id is new but
whose DOI names a paper known only from summaries (no arXiv id) goes through the repository's
ordinary upsert instead, which merges the two as the arXiv API would.

* SQLite: a connection of the standard ``sqlite3`` module in a thread of its own (the parsing
  goes on meanwhile), ``executemany`` of one ``INSERT … ON CONFLICT DO UPDATE``, and the FTS5
  index fed per batch with one ``INSERT … SELECT`` of the new rows: the insert trigger is
  dropped and re-created *inside* the batch's transaction (SQLite's DDL is transactional), so
  no committed state ever lacks it, even after a crash. Updates of known papers keep going
  through the update trigger. PRAGMAs on this connection only (the bot's own connections keep
  theirs): a page cache of up to 1 GB (a quarter of the memory at most), checkpoints every
  400 MB of WAL instead of every 4 MB, temporary tables in memory, and ``synchronous=OFF`` (set back
  to NORMAL before it closes; being per connection, it cannot outlive the import even after a
  crash). OFF saves the fsyncs of the WAL checkpoints, about a quarter of the writer's time; a
  crash of the import process loses nothing committed, but an operating-system crash or power
  loss during an import can damage the database: back it up first (``shortbot db backup``).
* PostgreSQL: asyncpg's binary ``COPY`` into a temporary table, then one
  ``INSERT … SELECT … ON CONFLICT DO UPDATE`` (the generated ``search`` tsvector column and its
  GIN index follow by themselves).
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from papers.model import IncomingPaper
from papers.text import normalize_title
from storage.repository import Store
from storage.tables import import_progress

BAD_LINES_KEPT = 10
FTS_BULK_HASHSIZE = 64 * 1024 * 1024
FTS_DEFAULT_HASHSIZE = 1024 * 1024  # FTS5's default
_FTS_HASHSIZE = "INSERT INTO papers_fts(papers_fts, rank) VALUES ('hashsize', ?)"
SQLITE_CACHE_MAX_KIB = 1024 * 1024  # 1 GiB, or a quarter of the memory if that is less
# WAL pages between checkpoints during an import (SQLite's default: 1,000). A batch dirties
# tens of MB; checkpointing after every commit copies pages that the next batches change
# again (index and FTS pages). 400 MB of WAL between checkpoints writes each such page once.
SQLITE_IMPORT_AUTOCHECKPOINT = 100_000
_SQLITE_VARIABLES = 30_000  # below SQLITE_MAX_VARIABLE_NUMBER (32766)

# (column, merge rule): "fill" takes the snapshot's value where it has more, else only fills a
# missing value; "list" the same for JSON lists ([] is missing).
_COLUMNS = (
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


def _cache_kib() -> int:
    """The import connection's page cache: SQLITE_CACHE_MAX_KIB, at most a quarter of RAM."""
    try:
        ram_kib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 1024
    except (AttributeError, OSError, ValueError):
        return 256 * 1024
    return max(64 * 1024, min(SQLITE_CACHE_MAX_KIB, ram_kib // 4))


def _upsert_sql(dialect: str, source: str) -> str:
    """``INSERT INTO papers … SELECT/VALUES … ON CONFLICT (arxiv_id) DO UPDATE`` (see module)."""
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
    columns = ", ".join(_COLUMNS)
    if sqlite:
        values = f"VALUES ({', '.join('?' for _ in _COLUMNS)})"
    else:
        casts = {"authors": "::json", "categories": "::json"}
        values = f"SELECT {', '.join(c + casts.get(c, '') for c in _COLUMNS)} FROM {source}"  # noqa: S608
    return (
        f"INSERT INTO papers ({columns}) {values} "
        f"ON CONFLICT (arxiv_id) DO UPDATE SET {', '.join(sets)} "
        f"WHERE {' OR '.join(missing)}"
    )


def _json(values: Sequence[str]) -> str:
    return json.dumps(list(values))


def _sqlite_time(value: datetime | None) -> str | None:
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
        stamp = _sqlite_time(now)
        return [
            _row(p, _sqlite_time(p.published), _sqlite_time(p.updated), 1, stamp) for p in papers
        ]
    return [_row(p, p.published, p.updated, True, now) for p in papers]


def _row(p: IncomingPaper, published: Any, updated: Any, true: Any, now: Any) -> tuple[Any, ...]:
    """One paper in the order of ``_COLUMNS``; times and true as the database takes them."""
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


class BulkWriter(Protocol):
    dialect: str
    now: datetime

    async def checkpoint(self, source: str) -> Checkpoint | None:
        """Where an earlier import of ``source`` stopped, if it did."""

    def prepare(self, papers: Sequence[IncomingPaper]) -> Prepared:
        """The rows of ``papers``: pure Python, safe in any thread (the reader's)."""

    async def write(self, batch: Prepared, checkpoint: Checkpoint) -> None:
        """Upsert the batch and save ``checkpoint`` (new / known counted) in one commit."""

    async def close(self) -> None: ...


async def open_bulk_writer(engine: AsyncEngine, *, now: datetime) -> BulkWriter:
    """The writer for ``engine``'s database (migrated already)."""
    if engine.dialect.name == "sqlite":
        database = make_url(str(engine.url)).database
        if not database or database == ":memory:":
            raise ValueError("bulk imports need a SQLite database file")
        writer = SqliteBulkWriter(engine, Path(database), now=now)
        await writer.open()
        return writer
    pg = PostgresBulkWriter(engine, now=now)
    await pg.open()
    return pg


async def _merge_candidates(conn: AsyncConnection, rows: Sequence[tuple[Any, ...]]) -> list[int]:
    """Indexes of the rows whose arXiv id is new but whose DOI or key names a paper with no
    arXiv id (row[1]: the arXiv id, which is also the key; row[8]: the DOI)."""
    from storage.tables import paper_aliases
    from storage.tables import papers as papers_table

    # usually there is no paper without an arXiv id at all: one indexed probe, nothing more
    orphan = select(papers_table.c.id).where(papers_table.c.arxiv_id.is_(None)).limit(1)
    if (await conn.execute(orphan)).first() is None:
        return []
    dois = {row[8].casefold(): i for i, row in enumerate(rows) if row[8]}
    keys = {row[1]: i for i, row in enumerate(rows) if row[1]}
    found: dict[str, int] = {}
    chunk = 5_000
    doi_list = list(dois)
    for i in range(0, len(doi_list), chunk):
        query = (
            select(paper_aliases.c.alias)
            .join(papers_table, papers_table.c.id == paper_aliases.c.paper_id)
            .where(paper_aliases.c.alias.in_(doi_list[i : i + chunk]))
            .where(papers_table.c.arxiv_id.is_(None))
        )
        for (alias,) in (await conn.execute(query)).all():
            index = dois[alias]
            found[rows[index][1] or ""] = index
    key_list = list(keys)
    for i in range(0, len(key_list), chunk):
        query = select(papers_table.c.key).where(
            papers_table.c.key.in_(key_list[i : i + chunk]), papers_table.c.arxiv_id.is_(None)
        )
        for (key,) in (await conn.execute(query)).all():
            found[key] = keys[key]
    if not found:
        return []
    # ... unless the arXiv id is known already: then the ordinary path keeps them apart too
    ids = list(found)
    known = select(papers_table.c.arxiv_id).where(papers_table.c.arxiv_id.in_(ids))
    for (arxiv_id,) in (await conn.execute(known)).all():
        found.pop(arxiv_id, None)
    return sorted(found.values())


class _Base:
    dialect = ""

    def __init__(self, engine: AsyncEngine, *, now: datetime) -> None:
        self.engine = engine
        self.store = Store(engine)
        self.now = now

    async def checkpoint(self, source: str) -> Checkpoint | None:
        async with self.engine.connect() as conn:
            query = select(import_progress).where(import_progress.c.source == source)
            row = (await conn.execute(query)).first()
        if row is None:
            return None
        m = row._mapping
        return Checkpoint(
            source=m["source"],
            path=m["path"],
            line=m["line"],
            offset=m["offset"],
            new=m["new"],
            known=m["known"],
            bad=m["bad"],
            bad_lines=list(json.loads(m["bad_lines"])),
            finished=bool(m["finished"]),
        )

    async def _split(self, batch: Prepared) -> list[tuple[Any, ...]]:
        """Merge the rare DOI / key matches through the repository; the rest goes in bulk."""
        async with self.engine.connect() as conn:
            indexes = await _merge_candidates(conn, batch.rows)
        if not indexes:
            return batch.rows
        merge = [batch.paper(i) for i in indexes]
        await self.store.save_papers(merge, source="arxiv-snapshot", announce=False, now=self.now)
        merged = {p.arxiv_id for p in merge}
        return [row for row in batch.rows if row[1] not in merged]  # row[1]: arxiv_id

    def _progress_values(self, cp: Checkpoint) -> tuple[Any, ...]:
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


_PROGRESS_COLUMNS = 'source, path, line, "offset", new, known, bad, bad_lines, finished, updated_at'
_PROGRESS_UPDATE = (
    'path = excluded.path, line = excluded.line, "offset" = excluded."offset", '
    "new = excluded.new, known = excluded.known, bad = excluded.bad, "
    "bad_lines = excluded.bad_lines, finished = excluded.finished, "
    "updated_at = excluded.updated_at"
)


_PROGRESS_SQLITE = (  # constant SQL: no value is ever formatted into it
    f"INSERT INTO import_progress ({_PROGRESS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "  # noqa: S608
    f"ON CONFLICT (source) DO UPDATE SET {_PROGRESS_UPDATE}"
)
_PROGRESS_POSTGRES = (
    f"INSERT INTO import_progress ({_PROGRESS_COLUMNS}) "  # noqa: S608
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
    f"ON CONFLICT (source) DO UPDATE SET {_PROGRESS_UPDATE}"
)


class SqliteBulkWriter(_Base):
    dialect = "sqlite"

    def __init__(self, engine: AsyncEngine, path: Path, *, now: datetime) -> None:
        super().__init__(engine, now=now)
        self.path = path
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-bulk")
        self._db: sqlite3.Connection | None = None
        self._insert_trigger = ""
        self._upsert = _upsert_sql("sqlite", "")

    async def _run(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._thread, fn, *args)

    async def open(self) -> None:
        await self._run(self._open)

    def _open(self) -> None:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA busy_timeout=10000")
        db.execute("PRAGMA foreign_keys=ON")
        # this connection only, restored at close: see the module docstring
        db.execute("PRAGMA synchronous=OFF")
        db.execute(f"PRAGMA cache_size=-{_cache_kib()}")
        db.execute(f"PRAGMA wal_autocheckpoint={SQLITE_IMPORT_AUTOCHECKPOINT}")
        db.execute("PRAGMA temp_store=MEMORY")
        row = db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'papers_fts_insert'"
        ).fetchone()
        if row is None:
            db.close()
            raise RuntimeError("the papers_fts_insert trigger is missing: is the schema migrated?")
        self._insert_trigger = row[0]
        self._db = db

    def prepare(self, papers: Sequence[IncomingPaper]) -> Prepared:
        return Prepared(papers, rows_for(self.dialect, papers, self.now))

    async def write(self, batch: Prepared, checkpoint: Checkpoint) -> None:
        rows = await self._split(batch)
        aliases = [(row[8].casefold(), row[1]) for row in rows if row[8]]  # (doi, arxiv_id)
        new = await self._run(self._write, rows, aliases, checkpoint)
        checkpoint.new += new
        checkpoint.known += len(rows) - new

    def _write(
        self, rows: list[tuple[Any, ...]], aliases: list[tuple[str, str]], cp: Checkpoint
    ) -> int:
        db = self._db
        if db is None:
            raise RuntimeError("the bulk writer is closed")
        db.execute("BEGIN IMMEDIATE")
        try:
            (before,) = db.execute("SELECT coalesce(max(id), 0) FROM papers").fetchone()
            db.execute("DROP TRIGGER papers_fts_insert")
            # FTS5 flushes its in-memory terms to a new segment whenever they pass 'hashsize'
            # (1 MB): at 64 MB a batch makes one segment instead of dozens, which halves the
            # cost of the index (fewer segments, fewer merges). Restored before the commit.
            db.execute(_FTS_HASHSIZE, (FTS_BULK_HASHSIZE,))
            db.executemany(self._upsert, rows)
            new = db.execute(
                "INSERT INTO papers_fts(rowid, title, abstract) "
                "SELECT id, title, coalesce(abstract, '') FROM papers WHERE id > ?",
                (before,),
            ).rowcount
            db.execute(_FTS_HASHSIZE, (FTS_DEFAULT_HASHSIZE,))
            db.execute(self._insert_trigger)
            db.executemany(
                "INSERT OR IGNORE INTO paper_aliases(alias, paper_id) "
                "SELECT ?, id FROM papers WHERE arxiv_id = ?",
                aliases,
            )
            values = (
                *self._progress_values(_with_counts(cp, new, len(rows) - new)),
                _sqlite_time(datetime.now(UTC)),
            )
            db.execute(_PROGRESS_SQLITE, values)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return int(new)

    async def close(self) -> None:
        def _close() -> None:
            if self._db is not None:
                self._db.execute("PRAGMA optimize")  # statistics for the new rows
                self._db.execute("PRAGMA synchronous=NORMAL")
                # the WAL grew up to SQLITE_IMPORT_AUTOCHECKPOINT pages: copy it back, shrink it
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self._db.close()
                self._db = None

        try:
            await self._run(_close)
        finally:
            self._thread.shutdown(wait=True)


def _with_counts(cp: Checkpoint, new: int, known: int) -> Checkpoint:
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


_PG_TEMP = "snapshot_import"
_PG_ALIASES = (
    "INSERT INTO paper_aliases (alias, paper_id) "  # noqa: S608
    f"SELECT DISTINCT ON (lower(s.doi)) lower(s.doi), p.id FROM {_PG_TEMP} s "
    "JOIN papers p ON p.arxiv_id = s.arxiv_id WHERE s.doi IS NOT NULL "
    "ORDER BY lower(s.doi), p.id ON CONFLICT DO NOTHING"
)


class PostgresBulkWriter(_Base):
    dialect = "postgresql"

    def __init__(self, engine: AsyncEngine, *, now: datetime) -> None:
        super().__init__(engine, now=now)
        self._conn: AsyncConnection | None = None
        upsert = _upsert_sql("postgresql", _PG_TEMP)
        self._upsert = (
            f"WITH up AS ({upsert} RETURNING (xmax = 0) AS inserted) "  # noqa: S608
            "SELECT count(*) FILTER (WHERE inserted) FROM up"
        )
        self._pg: Any = None

    async def open(self) -> None:
        self._conn = await self.engine.connect()
        raw = await self._conn.get_raw_connection()
        self._pg = raw.driver_connection
        await self._pg.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {_PG_TEMP} ("
            "key text, arxiv_id text, arxiv_version integer, title text, title_norm text, "
            "authors text, abstract text, categories text, doi text, published timestamptz, "
            "updated timestamptz, metadata_complete boolean, created_at timestamptz, "
            "modified_at timestamptz, primary_category text, journal_ref text, comment text"
            ") ON COMMIT DELETE ROWS"
        )

    def prepare(self, papers: Sequence[IncomingPaper]) -> Prepared:
        return Prepared(papers, rows_for(self.dialect, papers, self.now))

    async def write(self, batch: Prepared, checkpoint: Checkpoint) -> None:
        # one row per arXiv id: a command's ON CONFLICT cannot update a row twice
        rows = list({row[1]: row for row in await self._split(batch)}.values())
        pg = self._pg
        async with pg.transaction():
            await pg.copy_records_to_table(_PG_TEMP, records=rows, columns=list(_COLUMNS))
            new = await pg.fetchval(self._upsert)
            await pg.execute(_PG_ALIASES)
            # rows the WHERE clause left unchanged are not returned: known ones either way
            new = int(new or 0)
            cp = _with_counts(checkpoint, new, len(rows) - new)
            await pg.execute(
                _PROGRESS_POSTGRES,
                *self._progress_values(cp),
                datetime.now(UTC),
            )
        checkpoint.new, checkpoint.known = cp.new, cp.known

    async def close(self) -> None:
        if self._conn is not None:
            # fresh statistics: the search's choice of plan reads them (storage/search.py)
            await self._pg.execute("ANALYZE papers")
            await self._conn.close()
            self._conn = None
