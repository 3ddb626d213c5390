"""SQLite statements reach aiosqlite's connection thread once each (storage/sqlite_onehop.py),
and answer exactly as SQLAlchemy's own adapter does: rows, row counts, new row ids, errors.
The hops are counted from aiosqlite's own log, one "executing" line per call it runs."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import sqlite_onehop
from storage.db import create_engine, upgrade
from storage.tables import feeds

NOW = datetime(2026, 12, 3, tzinfo=UTC)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'hops.db'}")
    await upgrade(engine)
    yield engine
    await engine.dispose()


def _hops(caplog: pytest.LogCaptureFixture) -> int:
    return sum(r.getMessage().startswith("executing") for r in caplog.records)


async def test_a_statement_is_one_hop_to_the_connection_thread(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))  # the connection is open and set up
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="aiosqlite"):
            rows = (await conn.execute(text("SELECT 1 UNION ALL SELECT 2"))).all()
            hops = _hops(caplog)
    assert [r[0] for r in rows] == [1, 2]
    assert hops == 1  # SQLAlchemy's adapter: cursor, execute, fetch, close


async def test_rows_counts_and_ids_are_the_drivers(engine: AsyncEngine) -> None:
    row = {"url": "https://example.org/feed.xml", "interval_seconds": 900, "created_at": NOW}
    async with engine.begin() as conn:
        first = await conn.execute(insert(feeds).values(**row))
        second = await conn.execute(insert(feeds).values(**row | {"url": "https://a.org/rss"}))
        assert second.inserted_primary_key[0] == first.inserted_primary_key[0] + 1
        changed = await conn.execute(update(feeds).values(kind="atom"))  # every row
        assert changed.rowcount == 2
        urls = (await conn.execute(select(feeds.c.url).order_by(feeds.c.id))).scalars().all()
        assert urls == [row["url"], "https://a.org/rss"]
        with pytest.raises(IntegrityError):
            await conn.execute(insert(feeds).values(**row))  # the url is unique


def test_anything_but_an_aiosqlite_connection_is_left_alone() -> None:
    assert sqlite_onehop.install(object()) is False
