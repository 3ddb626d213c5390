"""Schedules: what maintainers type, arXiv's calendar, the scheduler's job list rebuilt from the
tables, missed runs after a restart (once), leader election, one delivery per destination.
Time is injected (``App.clock``); APScheduler's own timer is only asked to run a job now."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot import schedules
from bot.app import App, open_app
from bot.locks import (
    CannotLead,
    PostgresLeadership,
    SqliteLeadership,
    destination_lock,
    leadership_for,
)
from bot.scheduler import Scheduler, last_fire, missed_run, next_fire, trigger_for
from bot.settings import DestinationSettings, FeedSettings, ScheduleSettings, Settings
from papers.model import Feed
from papers.schedule import (
    BadSchedule,
    Schedule,
    When,
    is_announcement_day,
    listing_poll_due,
    normalise_cron,
    parse_when,
)
from storage.schedules import ScheduleStore

FIXTURES = Path(__file__).parents[1] / "fixtures"
# Monday 23 November 2026, 08:00 UTC (09:00 in Berlin)
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


# ---------------------------------------------------------------------- what people type


@pytest.mark.parametrize(
    ("text", "cron", "zone"),
    [
        ("daily 09:00", "0 9 * * *", "UTC"),
        ("daily 9:05 Europe/Berlin", "5 9 * * *", "Europe/Berlin"),
        ("weekdays 18:30 america/new_york", "30 18 * * mon-fri", "America/New_York"),
        ("weekly mon 09:00", "0 9 * * mon", "UTC"),
        ("weekly Sunday 23:59 Asia/Tokyo", "59 23 * * sun", "Asia/Tokyo"),
        ("hourly", "0 * * * *", "UTC"),
        ("0 9 * * 1-5", "0 9 * * mon-fri", "UTC"),
        ("cron */15 8-18 * * MON-FRI UTC", "*/15 8-18 * * mon-fri", "UTC"),
        ("0 9 * * 0", "0 9 * * sun", "UTC"),
        ("0 9 * * 7", "0 9 * * sun", "UTC"),
        ("0 9 1,15 jan *", "0 9 1,15 1 *", "UTC"),
    ],
)
def test_schedules_people_type(text: str, cron: str, zone: str) -> None:
    when = parse_when(text)
    assert when == When(cron, zone)
    assert trigger_for(when) is not None  # APScheduler builds it


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "say when"),
        ("daily", "'daily' takes a time"),
        ("daily 25:00", "is not a time of day"),
        ("weekly funday 09:00", "'funday' is not a day"),
        ("0 9 * *", "is not a schedule"),
        ("0 61 * * *", "hour: 61 is outside 0–23"),
        ("61 9 * * *", "minute: 61 is outside 0–59"),
        ("0 9 * * 8", "day of week: 8 is outside 0–7"),
        ("0 9 5-1 * *", "runs backwards"),
        ("*/0 9 * * *", "must be a whole number above 0"),
        ("0 9 * * * *", "is not a schedule"),
        ("daily 09:00 Mars/Olympus", "not a time zone"),
        ("daily 09:00 Europe/Berlin; DROP TABLE schedules", "'daily' takes a time"),
        ("x" * 500, "at most 200"),
    ],
)
def test_bad_schedules_are_explained(text: str, reason: str) -> None:
    with pytest.raises(BadSchedule, match=reason):
        parse_when(text)


def test_weekday_numbers_mean_what_cron_means() -> None:
    # APScheduler 3 counts weekdays from Monday = 0; cron from Sunday = 0. Names settle it.
    assert normalise_cron("0 9 * * 1-5") == "0 9 * * mon-fri"
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
    fire = next_fire(parse_when("0 9 * * 1-5 Europe/Berlin"), friday_evening)
    assert fire == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin
    assert parse_when("weekly mon 09:00 Europe/Berlin").describe() == (
        "weekly mon 09:00 Europe/Berlin"
    )


def test_time_zones_and_summer_time() -> None:
    when = parse_when("daily 09:00 Europe/Berlin")
    winter = next_fire(when, datetime(2026, 1, 10, tzinfo=UTC))
    summer = next_fire(when, datetime(2026, 7, 10, tzinfo=UTC))
    assert winter is not None and winter.hour == 8
    assert summer is not None and summer.hour == 7


# ---------------------------------------------------------------------- arXiv's calendar


def test_announcement_days() -> None:
    assert is_announcement_day(date(2026, 11, 23))  # Monday
    assert not is_announcement_day(date(2026, 11, 28))  # Saturday
    assert not is_announcement_day(date(2026, 11, 29))  # Sunday
    assert not is_announcement_day(date(2026, 11, 27))  # the Friday after Thanksgiving
    assert is_announcement_day(date(2026, 11, 27), frozenset())


def test_listing_polls_only_when_a_listing_can_have_changed() -> None:
    eastern_0030 = datetime(2026, 11, 24, 5, 30, tzinfo=UTC)  # Tuesday 00:30 in New York
    yesterday = eastern_0030 - timedelta(days=1)
    assert listing_poll_due(eastern_0030, None, None)  # never polled
    assert listing_poll_due(eastern_0030, yesterday, "arxiv-listing feed, 5 new")
    read = eastern_0030 + timedelta(minutes=1)
    assert not listing_poll_due(read + timedelta(hours=2), read, "arxiv-listing feed, 9 new")
    # 00:30 found nothing new yet (arXiv late): the 02:30 poll is still due
    assert listing_poll_due(read + timedelta(hours=2), read, "not modified")
    assert listing_poll_due(read + timedelta(hours=2), read, "error: timed out")
    saturday = datetime(2026, 11, 28, 5, 30, tzinfo=UTC)
    assert not listing_poll_due(saturday, yesterday, "not modified")
    thanksgiving_friday = datetime(2026, 11, 27, 5, 30, tzinfo=UTC)
    assert not listing_poll_due(thanksgiving_friday, yesterday, "unchanged")


# ---------------------------------------------------------------------- missed runs


def schedule(when: When, *, set_at: datetime, last_run: datetime | None = None) -> Schedule:
    return Schedule("d", when, False, set_at, None, last_run)


def test_a_run_missed_within_the_grace_is_made_once() -> None:
    daily = parse_when("daily 09:00 Europe/Berlin")
    grace = timedelta(hours=1)
    set_at = MONDAY - timedelta(days=2)
    fired = MONDAY  # 09:00 Berlin
    assert last_fire(daily, MONDAY + timedelta(minutes=10), grace) == fired
    assert missed_run(schedule(daily, set_at=set_at), MONDAY + timedelta(minutes=10), grace) == (
        fired
    )
    ran = schedule(daily, set_at=set_at, last_run=fired + timedelta(seconds=1))
    assert missed_run(ran, MONDAY + timedelta(minutes=10), grace) is None  # not twice
    assert missed_run(schedule(daily, set_at=set_at), MONDAY + timedelta(hours=2), grace) is None
    fresh = schedule(daily, set_at=MONDAY + timedelta(minutes=5))  # set after 09:00: not then
    assert missed_run(fresh, MONDAY + timedelta(minutes=10), grace) is None


# ---------------------------------------------------------------------- the scheduler


class Recorder:
    """Stands in for the application's poll and deliver (the scheduler's own logic is real)."""

    def __init__(self) -> None:
        self.polls: list[int] = []
        self.deliveries: list[tuple[list[str], bool]] = []
        self.names = ["console", "papers", "x"]
        self.ran = asyncio.Event()

    async def poll(self, app: App, feed: Feed) -> None:
        self.polls.append(feed.id)
        now = app.clock()
        await app.store.record_poll(
            feed.id,
            last_poll=now,
            last_result="rss feed, 1 new",
            next_poll=now + timedelta(seconds=feed.interval_seconds),
        )

    async def deliver(self, app: App, *, which: Any = None, select: bool = True) -> list[Any]:
        chosen = [n for n in self.names if which is None or which(n)]
        self.deliveries.append((chosen, select))
        self.ran.set()
        return []


@pytest.fixture
async def app(database_url: str, tmp_path: Path) -> AsyncIterator[App]:
    settings = Settings(
        data_dir=tmp_path,
        database_url=database_url,
        feeds=[FeedSettings(url=str(FIXTURES / "shortscience-rss.xml"), name="ss")],
        schedule=ScheduleSettings(misfire_grace=3600),
        destinations=[
            DestinationSettings(name="papers", platform="atom"),
            DestinationSettings(name="x", platform="x"),
        ],
    )
    async with open_app(settings, clock=Clock(MONDAY - timedelta(hours=1))) as opened:
        from bot.watch import sync_configured_feeds

        await sync_configured_feeds(opened)
        yield opened


@pytest.fixture
async def scheduler(app: App) -> AsyncIterator[tuple[Scheduler, Recorder]]:
    recorder = Recorder()
    made = Scheduler(app, poll=recorder.poll, deliver=recorder.deliver)
    app.runtime.scheduler = made
    yield made, recorder
    await made.stop(5)
    app.runtime.scheduler = None


async def test_jobs_are_rebuilt_from_the_tables(app: App, scheduler: Any) -> None:
    made, _ = scheduler
    store = ScheduleStore(app.store.engine)
    await store.set("console", parse_when("daily 09:00 Europe/Berlin"), by="t", now=app.clock())
    await made.refresh()
    (feed,) = await app.store.list_feeds()
    assert made.job_ids() == ["digest:console", f"poll:{feed.id}", "reconcile"]
    assert made.next_run("digest:console") == MONDAY
    # a second scheduler (a restart) builds the same list from the same rows
    again = Scheduler(app, poll=scheduler[1].poll, deliver=scheduler[1].deliver)
    await again.refresh()
    assert again.job_ids() == made.job_ids()
    assert again.next_run("digest:console") == MONDAY


async def test_refreshes_a_second_apart_keep_one_job_each(app: App, scheduler: Any) -> None:
    """An interval trigger made later has a later start: still the same job, not a second
    one (before the scheduler starts, APScheduler queues every add)."""
    made, _ = scheduler
    await made.refresh()
    before = made.job_ids()
    (feed,) = await app.store.list_feeds()
    first_poll = made.aps.get_job(f"poll:{feed.id}")
    await asyncio.sleep(1.05)  # past the next whole second: the triggers' reprs now differ
    await made.refresh()
    await made.refresh()
    assert made.job_ids() == before == [f"poll:{feed.id}", "reconcile"]
    assert made.aps.get_job(f"poll:{feed.id}") is first_poll  # kept, not rebuilt


async def test_a_command_moves_the_next_run_without_a_restart(app: App, scheduler: Any) -> None:
    made, _ = scheduler
    made.aps.start(paused=True)  # running, but never firing by itself in this test
    row = await schedules.set_schedule(app, "console", "daily 09:00 Europe/Berlin", by="t")
    assert row.next_run == MONDAY and made.next_run("digest:console") == MONDAY
    job = made.aps.get_job("digest:console")
    row = await schedules.set_schedule(app, "console", "weekly wed 18:30 UTC", by="t")
    assert row.next_run == datetime(2026, 11, 25, 18, 30, tzinfo=UTC)
    replaced = made.aps.get_job("digest:console")
    assert replaced is not job and "day_of_week='wed'" in repr(replaced.trigger)
    await schedules.set_paused(app, "console", True, by="t")
    assert "digest:console" not in made.job_ids()
    assert (await schedules.row(app, "console")).next_run is None
    await schedules.set_paused(app, "console", False, by="t")
    assert made.next_run("digest:console") == row.next_run
    with pytest.raises(BadSchedule):
        await schedules.set_schedule(app, "console", "daily 31:00", by="t")
    stored = await ScheduleStore(app.store.engine).get("console")
    assert stored is not None and stored.when == When("30 18 * * wed", "UTC")  # unchanged
    with pytest.raises(LookupError, match="no destination 'nope'"):
        await schedules.set_schedule(app, "nope", "daily 09:00", by="t")


async def test_a_missed_digest_runs_once_after_a_restart(app: App, scheduler: Any) -> None:
    made, recorder = scheduler
    clock = app.clock
    assert isinstance(clock, Clock)
    await schedules.set_schedule(app, "console", "daily 09:00 Europe/Berlin", by="t")
    clock.now = MONDAY + timedelta(minutes=20)  # the process was down at 09:00
    assert await made.catch_up() == ["console"]
    assert recorder.deliveries == [(["console", "papers", "x"], False), (["console"], True)]
    # restarted again: the run is recorded, nothing more
    restarted = Scheduler(app, poll=recorder.poll, deliver=recorder.deliver)
    assert await restarted.catch_up() == []
    assert len(recorder.deliveries) == 3  # only the settling of pending posts
    stored = await ScheduleStore(app.store.engine).get("console")
    assert stored is not None and stored.last_run_at == clock.now
    # a downtime longer than the grace: that run is gone, the next one is on time
    clock.now = MONDAY + timedelta(days=1, hours=3)
    assert await restarted.catch_up() == []


async def test_the_running_scheduler_fires_the_job(app: App, scheduler: Any) -> None:
    made, recorder = scheduler
    await schedules.set_schedule(app, "papers", "hourly", by="t")
    await made.refresh()
    made.aps.start()
    made.aps.modify_job("digest:papers", next_run_time=datetime.now(UTC))  # due now
    await asyncio.wait_for(recorder.ran.wait(), timeout=10)
    assert recorder.deliveries == [(["papers"], True)]


async def test_polls_respect_back_off_and_deliver_the_unscheduled(app: App, scheduler: Any) -> None:
    made, recorder = scheduler
    await schedules.set_schedule(app, "papers", "daily 09:00", by="t")
    await made.refresh()
    (feed,) = await app.store.list_feeds()
    await made.poll_now(feed.id)
    assert recorder.polls == [feed.id]
    (chosen, select) = recorder.deliveries[-1]
    assert chosen == ["console", "x"] and select  # "papers" waits for its schedule
    await made.poll_now(feed.id)  # polled a moment ago: not due yet
    assert recorder.polls == [feed.id]


# ---------------------------------------------------------------------- leadership and locks


async def test_sqlite_allows_one_scheduler(tmp_path: Path) -> None:
    database = tmp_path / "shortbot.db"
    first, second = SqliteLeadership(database), SqliteLeadership(database)
    assert await first.acquire()
    with pytest.raises(CannotLead, match=r"another shortbot process \(pid \d+\)"):
        await second.acquire()
    await first.release()
    assert await second.acquire()
    await second.release()


@pytest.mark.postgresql
async def test_postgresql_elects_one_leader_and_hands_over(pg_database_url: str) -> None:
    from sqlalchemy import text

    from storage.db import create_engine

    one, two = create_engine(pg_database_url), create_engine(pg_database_url)
    try:
        first, second = leadership_for(one), leadership_for(two)
        assert isinstance(first, PostgresLeadership)
        assert await first.acquire() and await first.held()
        assert not await second.acquire()
        assert not await second.acquire()  # still not: no leak of half-held locks
        # the leader's connection dies (its process was killed): the server frees the lock
        async with two.connect() as admin:
            killed = await admin.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND granted"
                )
            )
        assert killed == 1
        assert not await first.held()
        assert await second.acquire() and await second.held()
        assert not await first.acquire()  # the old leader comes back as a follower
        await second.release()
        assert await first.acquire()
        await first.release()
    finally:
        await one.dispose()
        await two.dispose()


async def test_one_delivery_per_destination_at_a_time(app: App) -> None:
    async with destination_lock(app, "console") as first:
        async with destination_lock(app, "console") as second:
            assert first and not second
        async with destination_lock(app, "x") as other:
            assert other
    async with destination_lock(app, "console") as again:
        assert again


@pytest.mark.postgresql
async def test_delivery_lock_spans_processes(pg_database_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=pg_database_url, feeds=[])
    async with open_app(settings) as one, open_app(settings) as two:
        async with (
            destination_lock(one, "console") as held,
            destination_lock(two, "console") as elsewhere,
        ):
            assert held and not elsewhere
        async with destination_lock(two, "console") as later:
            assert later
