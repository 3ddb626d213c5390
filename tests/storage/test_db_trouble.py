"""Database trouble under a running bot: PostgreSQL restarted, SQLite locked by another writer.

The bot's work is done by the scheduler's jobs (``bot.service.new_scheduler``: poll a feed,
then deliver the digests); a job that fails is logged and retried at its next run. These tests
run those real jobs, on a private PostgreSQL cluster that is stopped and started again in the
middle, and on a SQLite file that a CLI command holds locked: nothing stored is lost, nothing
is delivered twice, and the first run after the trouble does the work.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import open_app
from bot.service import new_scheduler
from bot.settings import DestinationSettings, FeedSettings, Settings
from bot.watch import sync_configured_feeds
from storage.ledger import Ledger
from tests.httpserver import LocalHTTPServer, Response
from tests.pg import PostgresServer, find_pg_bin, pg_required
from tests.scenarios.chaos_world import feed as summaries_feed


class Clock:
    def __init__(self) -> None:
        from datetime import UTC, datetime

        self.now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now

    def advance(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)


@pytest.fixture
def private_pg() -> Iterator[PostgresServer]:
    if find_pg_bin() is None and not pg_required():
        pytest.skip("no PostgreSQL server binaries installed (CI installs them)")
    with PostgresServer() as server:
        yield server


def settings_for(url: str, feed_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=url,
        data_dir=tmp_path,
        allow_private_feeds=True,
        console=False,
        feeds=[FeedSettings(url=feed_url, name="summaries", announce_existing=True)],
        destinations=[
            DestinationSettings(name="atom", platform="atom", path=str(tmp_path / "d.atom"))
        ],
    )


async def delivered(app) -> list[str]:  # type: ignore[no-untyped-def]
    rows = await Ledger(app.store.engine).rows(destination="atom")
    assert {r.status for r in rows} <= {"sent"}, rows
    return [r.item for r in rows]


@pytest.mark.postgresql
async def test_postgresql_restarted_under_the_bot_loses_nothing(
    private_pg: PostgresServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = private_pg.create_database("bot")
    with LocalHTTPServer() as http:
        http.route("/feed.xml", Response.xml(summaries_feed(10)))
        clock = Clock()
        async with open_app(settings_for(url, http.url("/feed.xml"), tmp_path), clock=clock) as app:
            await sync_configured_feeds(app)  # as `shortbot run` does at start
            scheduler = new_scheduler(app)
            (feed,) = await app.store.list_feeds()
            job = scheduler._poll_job(feed.id)
            await job()
            assert len(await delivered(app)) == 10

            # the database goes away; the feed has new summaries meanwhile
            await asyncio.to_thread(private_pg.stop)
            http.route("/feed.xml", Response.xml(summaries_feed(15)))
            clock.advance(16)
            with caplog.at_level(logging.ERROR, logger="bot.scheduler"):
                await job()  # fails, is logged, does not raise
            assert any("job failed job=poll:" in r.getMessage() for r in caplog.records)

            # back on the same port with the same data: the next run does the work
            await asyncio.to_thread(private_pg.start)
            clock.advance(16)
            await job()
            keys = await delivered(app)
            assert len(keys) == len(set(keys)) == 15
            stored = await app.store.latest_summaries(50)
            texts = [s.text for s in stored]
            for i in range(15):  # every summary stored once, the three new ones included
                assert sum(t.startswith(f"Summary {i} of") for t in texts) == 1, i


def test_sqlite_locked_by_another_writer_waits_then_writes(tmp_path: Path, shortbot) -> None:
    """A CLI command writing while another connection holds the write lock for a while: it
    waits (busy timeout, 10 s) and succeeds."""
    (tmp_path / "shortbot.toml").write_text("feeds = []\n")
    assert shortbot("db", "upgrade").code == 0
    db = tmp_path / "data" / "shortbot.db"
    assert db.exists()

    def hold(seconds: float, ready: threading.Event) -> None:
        conn = sqlite3.connect(db, timeout=30)
        conn.execute("BEGIN IMMEDIATE")
        ready.set()
        threading.Event().wait(seconds)
        conn.execute("ROLLBACK")
        conn.close()

    ready = threading.Event()
    holder = threading.Thread(target=hold, args=(3.0, ready))
    holder.start()
    ready.wait(10)
    result = shortbot("schedule", "set", "console", "daily 09:00")
    holder.join()
    assert result.code == 0, result.err
    assert "daily 09:00" in shortbot("schedule", "show").out
