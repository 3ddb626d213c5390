"""The PostgreSQL bulk writer (see ``storage.bulk``): asyncpg's binary ``COPY`` into a
temporary table, then one ``INSERT … SELECT … ON CONFLICT DO UPDATE``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.bulk_base import BulkBase
from storage.bulk_rows import (
    COLUMNS,
    PROGRESS_COLUMNS,
    PROGRESS_UPDATE,
    Checkpoint,
    Prepared,
    progress_values,
    upsert_sql,
    with_counts,
)

_PROGRESS_POSTGRES = (
    f"INSERT INTO import_progress ({PROGRESS_COLUMNS}) "  # noqa: S608
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
    f"ON CONFLICT (source) DO UPDATE SET {PROGRESS_UPDATE}"
)
_PG_TEMP = "snapshot_import"
_PG_ALIASES = (
    "INSERT INTO paper_aliases (alias, paper_id) "  # noqa: S608
    f"SELECT DISTINCT ON (lower(s.doi)) lower(s.doi), p.id FROM {_PG_TEMP} s "
    "JOIN papers p ON p.arxiv_id = s.arxiv_id WHERE s.doi IS NOT NULL "
    "ORDER BY lower(s.doi), p.id ON CONFLICT DO NOTHING"
)


class PostgresBulkWriter(BulkBase):
    dialect = "postgresql"

    def __init__(self, engine: AsyncEngine, *, now: datetime) -> None:
        super().__init__(engine, now=now)
        self._conn: AsyncConnection | None = None
        upsert = upsert_sql("postgresql", _PG_TEMP)
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

    async def write(self, batch: Prepared, checkpoint: Checkpoint) -> None:
        # one row per arXiv id: a command's ON CONFLICT cannot update a row twice
        rows = list({row[1]: row for row in await self._split(batch)}.values())
        pg = self._pg
        async with pg.transaction():
            await pg.copy_records_to_table(_PG_TEMP, records=rows, columns=list(COLUMNS))
            new = await pg.fetchval(self._upsert)
            await pg.execute(_PG_ALIASES)
            # rows the WHERE clause left unchanged are not returned: known ones either way
            new = int(new or 0)
            cp = with_counts(checkpoint, new, len(rows) - new)
            await pg.execute(
                _PROGRESS_POSTGRES,
                *progress_values(cp),
                datetime.now(UTC),
            )
        checkpoint.new, checkpoint.known = cp.new, cp.known

    async def close(self) -> None:
        if self._conn is not None:
            # fresh statistics: the search's choice of plan reads them (storage/search.py)
            await self._pg.execute("ANALYZE papers")
            await self._conn.close()
            self._conn = None
