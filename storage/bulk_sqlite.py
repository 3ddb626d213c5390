"""The SQLite bulk writer (see ``storage.bulk``): a connection of the standard ``sqlite3``
module in a thread of its own, ``executemany`` of one upsert, the FTS5 index fed per batch
with its insert trigger dropped and re-created inside the batch's transaction (the index of
heads, ``papers_head``, is fed by its trigger: it computes the authors' text), and PRAGMAs for
this connection only."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.bulk_base import BulkBase
from storage.bulk_rows import (
    PROGRESS_COLUMNS,
    PROGRESS_UPDATE,
    Checkpoint,
    Prepared,
    progress_values,
    sqlite_time,
    upsert_sql,
    with_counts,
)

FTS_BULK_HASHSIZE = 64 * 1024 * 1024
FTS_DEFAULT_HASHSIZE = 1024 * 1024  # FTS5's default
_FTS_HASHSIZE = (
    "INSERT INTO papers_fts(papers_fts, rank) VALUES ('hashsize', ?)",
    "INSERT INTO papers_head(papers_head, rank) VALUES ('hashsize', ?)",
)
SQLITE_CACHE_MAX_KIB = 1024 * 1024  # 1 GiB, or a quarter of the memory if that is less
# WAL pages between checkpoints during an import (SQLite's default: 1,000). A batch dirties
# tens of MB; checkpointing after every commit copies pages that the next batches change
# again (index and FTS pages). 400 MB of WAL between checkpoints writes each such page once.
SQLITE_IMPORT_AUTOCHECKPOINT = 100_000


def _cache_kib() -> int:
    """The import connection's page cache: SQLITE_CACHE_MAX_KIB, at most a quarter of RAM."""
    try:
        ram_kib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 1024
    except (AttributeError, OSError, ValueError):
        return 256 * 1024
    return max(64 * 1024, min(SQLITE_CACHE_MAX_KIB, ram_kib // 4))


_PROGRESS_SQLITE = (  # constant SQL: no value is ever formatted into it
    f"INSERT INTO import_progress ({PROGRESS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "  # noqa: S608
    f"ON CONFLICT (source) DO UPDATE SET {PROGRESS_UPDATE}"
)


class SqliteBulkWriter(BulkBase):
    dialect = "sqlite"

    def __init__(self, engine: AsyncEngine, path: Path, *, now: datetime) -> None:
        super().__init__(engine, now=now)
        self.path = path
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-bulk")
        self._db: sqlite3.Connection | None = None
        self._insert_trigger = ""
        self._upsert = upsert_sql("sqlite", "")

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
            for hashsize in _FTS_HASHSIZE:
                db.execute(hashsize, (FTS_BULK_HASHSIZE,))
            db.executemany(self._upsert, rows)
            new = db.execute(
                "INSERT INTO papers_fts(rowid, title, abstract) "
                "SELECT id, title, coalesce(abstract, '') FROM papers WHERE id > ?",
                (before,),
            ).rowcount
            for hashsize in _FTS_HASHSIZE:
                db.execute(hashsize, (FTS_DEFAULT_HASHSIZE,))
            db.execute(self._insert_trigger)
            db.executemany(
                "INSERT OR IGNORE INTO paper_aliases(alias, paper_id) "
                "SELECT ?, id FROM papers WHERE arxiv_id = ?",
                aliases,
            )
            values = (
                *progress_values(with_counts(cp, new, len(rows) - new)),
                sqlite_time(datetime.now(UTC)),
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
