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

This module holds the ``BulkWriter`` protocol and ``open_bulk_writer``; the columns, merge SQL,
rows and checkpoint are in ``storage.bulk_rows`` (pure Python), what both writers share in
``storage.bulk_base``, and the writers in ``storage.bulk_sqlite`` and ``storage.bulk_postgres``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from papers.model import IncomingPaper
from storage.bulk_postgres import PostgresBulkWriter
from storage.bulk_rows import BAD_LINES_KEPT, Checkpoint, Prepared, rows_for
from storage.bulk_sqlite import (
    FTS_BULK_HASHSIZE,
    FTS_DEFAULT_HASHSIZE,
    SQLITE_CACHE_MAX_KIB,
    SQLITE_IMPORT_AUTOCHECKPOINT,
    SqliteBulkWriter,
)

__all__ = [
    "BAD_LINES_KEPT",
    "FTS_BULK_HASHSIZE",
    "FTS_DEFAULT_HASHSIZE",
    "SQLITE_CACHE_MAX_KIB",
    "SQLITE_IMPORT_AUTOCHECKPOINT",
    "BulkWriter",
    "Checkpoint",
    "PostgresBulkWriter",
    "Prepared",
    "SqliteBulkWriter",
    "open_bulk_writer",
    "rows_for",
]


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
