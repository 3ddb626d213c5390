"""Watching feeds: first sight, edits, back-off, disabling, recovery. Time is injected."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App, open_app
from bot.settings import FeedSettings, Settings
from bot.watch import backoff_delay, poll_feed, sync_configured_feeds
from papers.usecases import next_digest

FIXTURES = Path(__file__).parents[1] / "fixtures"
SAMPLE = (FIXTURES / "shortscience-rss.xml").read_text()
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> Clock:
    return Clock()


def settings_for(tmp_path: Path, feeds: list[FeedSettings], **extra) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'watch.db'}",
        feeds=feeds,
        console=False,
        **extra,
    )


@pytest.fixture
async def app_factory(tmp_path: Path, clock: Clock):
    apps: list = []

    async def make(feeds: list[FeedSettings], **extra) -> App:
        context = open_app(settings_for(tmp_path, feeds, **extra), clock=clock)
        apps.append(context)
        return await context.__aenter__()

    yield make
    for context in reversed(apps):
        await context.__aexit__(None, None, None)


async def poll_all(app: App):
    return {f.url: await poll_feed(app, f) for f in await sync_configured_feeds(app)}


def with_new_item(text: str) -> str:
    item = (
        "<item><shortscience:arxivid>1706.03762</shortscience:arxivid>"
        "<shortscience:votes>7</shortscience:votes><title>Attention Is All You Need</title>"
        "<author>Reader New</author><description>Transformers.</description>"
        "<link>https://www.shortscience.org/paper?bibtexKey=journals/corr/VaswaniSPUJGKP17#new"
        "</link><guid>https://www.shortscience.org/paper?bibtexKey=journals/corr/"
        "VaswaniSPUJGKP17#new</guid><pubDate>Mon, 23 Nov 2026 08:00:00 +0000</pubDate></item>"
    )
    return text.replace("</channel>", item + "</channel>")


async def test_first_sight_does_not_flood_then_new_entries_are_announced(
    tmp_path: Path, app_factory, clock: Clock
) -> None:
    feed_file = tmp_path / "feed.xml"
    feed_file.write_text(SAMPLE)
    app = await app_factory([FeedSettings(url=str(feed_file))])
    (first,) = (await poll_all(app)).values()
    assert first.report is not None and first.report.new == 12
    assert (await next_digest(app.store, "console", 50)).empty  # seeded, not announced

    clock.advance(timedelta(minutes=20))
    (unchanged,) = (await poll_all(app)).values()
    assert unchanged.not_modified  # same bytes: not parsed again

    # one new summary, and one edited (same guid, later pubDate, new text)
    edited = SAMPLE.replace(
        "Fri, 02 Feb 2018 09:00:00 +0000", "Sun, 22 Nov 2026 10:00:00 +0000"
    ).replace("the semantic meaning of individual units", "EDITED: the meaning of units")
    feed_file.write_text(with_new_item(edited))
    clock.advance(timedelta(minutes=20))
    (changed,) = (await poll_all(app)).values()
    assert changed.report is not None
    assert (changed.report.new, changed.report.updated) == (1, 1)
    digest = await next_digest(app.store, "console", 50)
    assert [i.summary.author for i in digest.items] == ["Reader New"]


async def test_backfill_announces_what_the_feed_holds(tmp_path: Path, app_factory) -> None:
    feed_file = tmp_path / "feed.xml"
    feed_file.write_text(SAMPLE)
    app = await app_factory([FeedSettings(url=str(feed_file), announce_existing=True)])
    await poll_all(app)
    assert len((await next_digest(app.store, "console", 50)).items) == 12


async def test_failing_feed_backs_off_is_disabled_and_others_never_notice(
    tmp_path: Path, app_factory, clock: Clock
) -> None:
    good, bad = tmp_path / "good.xml", tmp_path / "bad.xml"
    good.write_text(SAMPLE)
    app = await app_factory(
        [FeedSettings(url=str(good), interval=600), FeedSettings(url=str(bad), interval=600)],
        feed_max_failures=3,
    )
    waits = []
    for attempt in range(1, 4):
        results = await poll_all(app)
        assert results[str(good)].error is None
        failed = results[str(bad)]
        assert failed.error == "no such file"
        assert failed.disabled is (attempt == 3)
        row = await app.store.find_feed(str(bad))
        assert row is not None and row.failures == attempt
        waits.append(row.next_poll - clock.now)
        clock.advance(timedelta(hours=1))
    assert waits[:2] == [timedelta(seconds=1200), timedelta(seconds=2400)]  # 600 × 2^n
    row = await app.store.find_feed(str(bad))
    assert row is not None
    assert row.disabled_reason is not None
    assert re.match(
        r"disabled after 3 failed polls in a row; last: no such file", row.disabled_reason
    )
    # a disabled feed is no longer polled; the good one still is
    assert set(await poll_all(app)) == {str(good)}
    # resumed and repaired, it is picked up again
    bad.write_text(SAMPLE)
    await app.store.set_feed_paused(row.id, False, now=clock.now)
    results = await poll_all(app)
    assert results[str(bad)].error is None
    row = await app.store.find_feed(str(bad))
    assert row is not None and (row.failures, row.disabled_reason) == (0, None)


async def test_a_feed_that_recovers_resets_its_failures(
    tmp_path: Path, app_factory, clock: Clock
) -> None:
    flaky = tmp_path / "flaky.xml"
    app = await app_factory([FeedSettings(url=str(flaky))], feed_max_failures=5)
    await poll_all(app)
    await poll_all(app)
    row = await app.store.find_feed(str(flaky))
    assert row is not None and row.failures == 2
    flaky.write_text("<html>a broken deploy served a page</html>")
    (result,) = (await poll_all(app)).values()
    assert result.error and "not" in result.error
    flaky.write_text(SAMPLE)
    (result,) = (await poll_all(app)).values()
    assert result.report is not None and result.report.new == 12
    row = await app.store.find_feed(str(flaky))
    assert row is not None and (row.failures, row.last_result) == (
        0,
        "shortscience feed, 12 new, 0 updated, 0 unchanged",
    )


@pytest.mark.parametrize(
    ("failures", "seconds"), [(0, 900), (1, 1800), (3, 7200), (7, 86400), (60, 86400)]
)
def test_backoff_doubles_up_to_the_cap(failures: int, seconds: int) -> None:
    assert backoff_delay(900, failures, 86400) == timedelta(seconds=seconds)


async def test_the_demo_does_not_use_the_network(tmp_path: Path) -> None:
    demo = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}")
    assert not demo.arxiv_enabled
    configured = Settings(feeds=[])
    assert configured.arxiv_enabled
    async with open_app(demo) as app:
        assert app.arxiv is None
