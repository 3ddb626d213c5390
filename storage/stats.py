"""Read-only figures about the database for health checks, metrics and ``shortbot status``."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.tables import deliveries, destinations, feeds, posts


@dataclass(frozen=True, slots=True)
class QueueSizes:
    pending_posts: dict[str, int]  # by destination (every known destination, 0 included)
    pending_deliveries: dict[str, int]
    feeds_due: int


@dataclass(frozen=True, slots=True)
class DatabaseSize:
    backend: str  # "sqlite" or "postgresql"
    size_bytes: int | None  # None: unknown (an in-memory SQLite database)
    files: dict[str, int]  # SQLite: each file and its size (database, -wal); empty otherwise


async def ping(engine: AsyncEngine) -> None:
    """``SELECT 1``; raises whatever the driver raises when the database does not answer."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def queue_sizes(engine: AsyncEngine, now: datetime) -> QueueSizes:
    due = (
        select(func.count())
        .select_from(feeds)
        .where(
            feeds.c.paused.is_(False),
            feeds.c.disabled_reason.is_(None),
            (feeds.c.next_poll.is_(None)) | (feeds.c.next_poll <= now),
        )
    )
    async with engine.connect() as conn:
        names = (await conn.execute(select(destinations.c.name))).scalars().all()
        by_table = []
        for table in (posts, deliveries):
            rows = await conn.execute(
                select(table.c.destination, func.count())
                .where(table.c.status == "pending")
                .group_by(table.c.destination)
            )
            counts = dict.fromkeys(names, 0)
            counts.update({name: int(count) for name, count in rows.all()})
            by_table.append(counts)
        feeds_due = int((await conn.execute(due)).scalar_one())
    return QueueSizes(by_table[0], by_table[1], feeds_due)


async def pending_by_destination(engine: AsyncEngine) -> dict[str, dict[str, int]]:
    """Ledger rows by destination and status (pending, sent, failed, skipped)."""
    query = select(deliveries.c.destination, deliveries.c.status, func.count()).group_by(
        deliveries.c.destination, deliveries.c.status
    )
    out: dict[str, dict[str, int]] = {}
    async with engine.connect() as conn:
        for destination, status, count in (await conn.execute(query)).all():
            out.setdefault(destination, {})[status] = int(count)
    return out


async def last_successful_poll(engine: AsyncEngine) -> datetime | None:
    """When a watched feed was last polled without an error (its latest poll succeeded)."""
    query = select(func.max(feeds.c.last_poll)).where(
        feeds.c.failures == 0, feeds.c.last_poll.is_not(None)
    )
    async with engine.connect() as conn:
        value: datetime | None = (await conn.execute(query)).scalar_one_or_none()
    return value  # max() keeps the column's type, so this is an aware UTC datetime


def _file_sizes(database: Path) -> dict[str, int]:
    path = database.expanduser()
    files = {}
    for candidate in (path, path.with_name(path.name + "-wal")):
        try:
            files[str(candidate)] = candidate.stat().st_size
        except FileNotFoundError:
            continue
    return files


async def database_size(engine: AsyncEngine) -> DatabaseSize:
    """SQLite: the database file plus its write-ahead log; PostgreSQL: pg_database_size."""
    url = make_url(str(engine.url))
    backend = url.get_backend_name()
    if backend == "sqlite":
        database = url.database
        if not database or database == ":memory:":
            return DatabaseSize(backend, None, {})
        files = await asyncio.to_thread(_file_sizes, Path(database))
        return DatabaseSize(backend, sum(files.values()), files)
    async with engine.connect() as conn:
        size = (
            await conn.execute(text("SELECT pg_database_size(current_database())"))
        ).scalar_one()
    return DatabaseSize(backend, int(size), {})
