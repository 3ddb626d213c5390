"""``shortbot status``: feeds, destinations and the database, on both backends and via the CLI."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, open_app
from bot.cli.status import SECTIONS, Section, status
from bot.settings import Settings
from papers.publishing import Post
from storage.db import describe_url
from storage.ledger import Ledger

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
async def app(database_url: str, tmp_path: Path) -> AsyncIterator[App]:
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        feeds=[{"url": "https://example.org/a.xml", "name": "A", "interval": "1h"}],
        console=True,
        destinations=[{"name": "feed", "platform": "atom"}],
    )
    async with open_app(settings, clock=lambda: NOW) as running:
        yield running


async def test_status_json_reports_every_section(
    app: App, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = await app.store.ensure_feed(
        "https://example.org/a.xml",
        name="A",
        interval_seconds=3600,
        announce_existing=False,
        now=NOW,
    )
    await app.store.record_poll(
        feed.id, last_poll=NOW, last_result="error: 503", failures=2, next_poll=NOW
    )
    other = await app.store.add_feed(
        "https://example.org/b.xml",
        name=None,
        interval_seconds=900,
        announce_existing=False,
        now=NOW,
    )
    assert other
    await app.store.set_feed_paused(other.id, True, now=NOW)
    ledger = Ledger(app.store.engine)
    await ledger.record_intent(
        "feed", Post("k1", ("summary:1", "summary:2"), {}), seq=0, reply_to_key=None, now=NOW
    )
    await ledger.set_disabled("console", "stdout is gone")
    await ledger.set_at_least_once("console", "a terminal keeps no record")

    assert await status(app, as_json=True) == 0
    report = json.loads(capsys.readouterr().out)
    assert list(report) == ["feeds", "destinations", "schedules", "database"]
    schedules = {r["destination"]: r for r in report["schedules"]}
    assert schedules["feed"]["schedule"] == "after each poll (no schedule)"
    assert schedules["feed"]["next_run"] is None
    by_url = {f["url"]: f for f in report["feeds"]}
    a = by_url["https://example.org/a.xml"]
    assert (a["name"], a["status"], a["failures"], a["last_result"]) == (
        "A",
        "active",
        2,
        "error: 503",
    )
    assert a["last_poll"] == NOW.isoformat()
    assert by_url["https://example.org/b.xml"]["status"] == "paused"

    destinations = {d["name"]: d for d in report["destinations"]}
    assert destinations["feed"] == {
        "name": "feed",
        "platform": "atom",
        "status": "active",
        "disabled_reason": None,
        "at_least_once": None,
        "last_post": None,
        "pending": 2,
        "failed": 0,
        "configured": True,
    }
    assert destinations["console"]["status"] == "disabled"
    assert destinations["console"]["disabled_reason"] == "stdout is gone"
    assert destinations["console"]["at_least_once"] == "a terminal keeps no record"
    assert await status(app, as_json=False) == 0
    text = capsys.readouterr().out
    assert (
        "at-least-once: a terminal keeps no record, so a crash between the platform's answer "
        "and the ledger's record can repeat a post"
    ) in text

    database = report["database"]
    assert database["size_bytes"] > 0
    if database["backend"] == "sqlite":
        db_file = app.settings.database.removeprefix("sqlite+aiosqlite:///")
        assert db_file in database["files"]
        assert database["size_bytes"] == sum(database["files"].values())
        assert database["size_bytes"] >= Path(db_file).stat().st_size
    else:
        assert database["backend"] == "postgresql"
        assert database["files"] == {}
    assert database["url"] == describe_url(app.settings.database)  # no password shown


async def test_status_text_and_a_section_added_later(
    app: App, capsys: pytest.CaptureFixture[str]
) -> None:
    async def schedules(_app: App) -> list[dict[str, Any]]:
        return [{"destination": "feed", "when": "daily 09:00"}]

    def schedules_text(rows: list[dict[str, Any]]) -> list[str]:
        return [f"  {r['destination']}: {r['when']}" for r in rows]

    sections = [*SECTIONS, Section("schedules", "Schedules", schedules, schedules_text)]
    assert await status(app, as_json=False, sections=sections) == 0
    text = capsys.readouterr().out
    assert text.index("Feeds") < text.index("Destinations") < text.index("Database")
    assert "  feed (atom): active; last post -; 0 pending, 0 failed" in text
    assert "Schedules\n  feed: daily 09:00\n" in text
    assert await status(app, as_json=True, sections=sections) == 0
    assert json.loads(capsys.readouterr().out)["schedules"][0]["when"] == "daily 09:00"


def test_shortbot_status_after_a_run(shortbot) -> None:
    assert shortbot("run", "--once").code == 0
    result = shortbot("status")
    assert result.code == 0, result.err
    assert "ShortScience sample (shortscience) active" in result.out
    assert "console (console): active; last post " in result.out
    assert "sqlite+aiosqlite:///data/shortbot.db (sqlite): " in result.out
    as_json = shortbot("status", "--json")
    assert as_json.code == 0
    report = json.loads(as_json.out)
    assert {f["name"] for f in report["feeds"]} == {"ShortScience sample", "arXiv cs.LG sample"}
    assert all(f["last_result"] and f["failures"] == 0 for f in report["feeds"])
    assert report["database"]["size_bytes"] > 0
