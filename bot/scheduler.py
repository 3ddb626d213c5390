"""The scheduled jobs of ``shortbot run``, on APScheduler 3.11's ``AsyncIOScheduler``.

Our tables are the source of truth; the job list is a projection of them, rebuilt at start and
re-read every ``schedule.reconcile_interval`` (so a change made by another process, or by the
CLI, applies within that), and at once when a command of this process changes a schedule.
Stable job ids (``replace_existing=True``):

* ``poll:{feed id}``: each feed at its own interval; arXiv listings (kind ``arxiv-listing``)
  instead at 00:30 and 02:30 US Eastern, Monday to Friday, and only while today's listing is
  unread (``papers.schedule.listing_poll_due``): no polls at weekends or on arXiv holidays.
* ``digest:{destination}``: a destination with a schedule, at its cron times in its zone.
  Destinations without one get their digest after each poll (as before schedules existed).
* ``reconcile``, ``metadata``: the table re-read; arXiv metadata completion.

A digest run records its start (``schedules.last_run_at``) before delivering. At start, a
scheduled run missed by at most ``schedule.misfire_grace`` (the process was down) runs once,
then is recorded: a restart sends it once, not never and not twice. What an interrupted run
left pending in the ledger is settled at start. APScheduler coalesces and bounds misfires too,
for a loop that was merely busy.

Only the leader (``bot.locks``) runs any of this; decisions read ``app.clock``.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.app import App
from papers.model import Feed, FeedKind
from papers.schedule import (
    ARXIV_HOLIDAYS,
    ARXIV_POLL_CRON,
    ARXIV_ZONE,
    BadSchedule,
    Schedule,
    When,
    listing_poll_due,
)

log = logging.getLogger(__name__)

METADATA_INTERVAL = 600


def trigger_for(when: When) -> CronTrigger:
    """APScheduler's trigger for a schedule; BadSchedule (with APScheduler's reason) if it
    cannot make one."""
    try:
        return CronTrigger.from_crontab(when.cron, timezone=when.timezone)
    except (ValueError, KeyError, LookupError) as exc:
        raise BadSchedule(f"{when.cron!r}: {exc}") from None


def next_fire(when: When, after: datetime) -> datetime | None:
    """The first time ``when`` fires at or after ``after``."""
    fire = trigger_for(when).get_next_fire_time(None, after)
    return fire.astimezone(UTC) if fire else None


def last_fire(when: When, now: datetime, within: timedelta) -> datetime | None:
    """The latest time ``when`` fired in (now - within, now], if any."""
    trigger = trigger_for(when)
    latest = None
    fire = trigger.get_next_fire_time(None, now - within)
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return latest.astimezone(UTC) if latest else None


def missed_run(schedule: Schedule, now: datetime, grace: timedelta) -> datetime | None:
    """The scheduled time a restart must still honour: it fired within ``grace`` before
    ``now``, after the schedule was set, and no run was recorded since."""
    if schedule.paused:
        return None
    fired = last_fire(schedule.when, now, grace)
    if fired is None or fired <= schedule.updated_at:
        return None
    if schedule.last_run_at is not None and schedule.last_run_at >= fired:
        return None
    return fired


Job = Callable[[], Awaitable[Any]]


def _same_trigger(old: Any, new: Any) -> bool:
    """Whether two triggers fire alike. An interval trigger's start (and so its ``repr``) is
    "now + interval" when made, so two made a second apart still fire alike."""
    if isinstance(old, IntervalTrigger) and isinstance(new, IntervalTrigger):
        return (old.interval, old.jitter, str(old.timezone)) == (
            new.interval,
            new.jitter,
            str(new.timezone),
        )
    return type(old) is type(new) and repr(old) == repr(new)


def _slack(feed: Feed) -> timedelta:
    """How early an interval job may find a feed (the poll itself took time); back-off waits
    are whole multiples of the interval, so they still hold the feed back."""
    return timedelta(seconds=max(60.0, feed.interval_seconds * 0.25))


class Scheduler:
    """The leader's jobs. ``deliver(app, which=…, select=…)`` and ``poll(app, feed)`` are the
    application's (``bot.delivery.deliver_all``, ``bot.watch.poll_feed``)."""

    def __init__(
        self,
        app: App,
        *,
        poll: Callable[[App, Feed], Awaitable[Any]],
        deliver: Callable[..., Awaitable[Any]],
        complete_metadata: Callable[[App], Awaitable[Any]] | None = None,
    ) -> None:
        self.app = app
        self.schedules = app.schedules
        settings = app.settings.schedule
        self.grace = timedelta(seconds=settings.misfire_grace)
        self.holidays = (
            frozenset(app.settings.arxiv.holidays)
            if app.settings.arxiv.holidays is not None
            else ARXIV_HOLIDAYS
        )
        self._poll = poll
        self._deliver = deliver
        self._complete_metadata = complete_metadata
        self.aps = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={
                "coalesce": True,
                "misfire_grace_time": int(self.grace.total_seconds()),
                "max_instances": 1,
            },
        )
        self._inflight: set[asyncio.Task[Any]] = set()
        self._scheduled: set[str] = set()  # destinations with an active schedule
        self._refresh_lock = asyncio.Lock()

    # -- lifecycle

    @property
    def running(self) -> bool:
        return bool(self.aps.running)

    async def start(self) -> None:
        """Rebuild the jobs from the tables, settle what a crash left pending, run the digests
        a downtime made us miss (once), and start."""
        await self.refresh()
        if not self.aps.running:
            self.aps.start()
        await self.catch_up()
        await self.poll_due_now()

    async def stop(self, grace_seconds: float) -> bool:
        """No new job; let those in flight finish within ``grace_seconds``. False if some
        did not (they are cancelled)."""
        if self.aps.running:
            self.aps.pause()  # shutting down now would cancel the jobs in flight
        pending = {t for t in self._inflight if not t.done()}
        still: set[asyncio.Task[Any]] = set()
        if pending:
            _, still = await asyncio.wait(pending, timeout=grace_seconds)
        if self.aps.running:
            self.aps.shutdown(wait=False)  # cancels what is still running
        return not still

    # -- the job list

    async def refresh(self) -> None:
        """Make the job list match the feeds and schedules tables."""
        async with self._refresh_lock:
            wanted: dict[str, tuple[Any, Job]] = {}
            for feed in await self.app.store.list_feeds():
                if feed.paused or feed.disabled_reason:
                    continue
                wanted[f"poll:{feed.id}"] = (self._feed_trigger(feed), self._poll_job(feed.id))
            scheduled: set[str] = set()
            for schedule in await self.schedules.list():
                if schedule.paused:
                    scheduled.add(schedule.destination)  # paused: no digest at all
                    continue
                try:
                    trigger = trigger_for(schedule.when)
                except BadSchedule as exc:  # written by an older version, say: keep going
                    log.error(
                        "schedule unusable destination=%s reason=%s", schedule.destination, exc
                    )
                    continue
                scheduled.add(schedule.destination)
                wanted[f"digest:{schedule.destination}"] = (
                    trigger,
                    self._digest_job(schedule.destination),
                )
            self._scheduled = scheduled
            wanted["reconcile"] = (
                IntervalTrigger(seconds=self.app.settings.schedule.reconcile_interval),
                self._guarded("reconcile", self.refresh),
            )
            if self._complete_metadata is not None:
                wanted["metadata"] = (
                    IntervalTrigger(seconds=METADATA_INTERVAL),
                    self._guarded("metadata", self._metadata),
                )
            for job in self.aps.get_jobs():
                if job.id not in wanted:
                    job.remove()
            for job_id, (trigger, func) in wanted.items():
                existing = self.aps.get_job(job_id)
                if existing is not None:
                    if _same_trigger(existing.trigger, trigger):
                        continue  # unchanged: keep its next run time
                    # before start, APScheduler queues an add without replacing the queued one
                    existing.remove()
                self.aps.add_job(func, trigger, id=job_id, name=job_id, replace_existing=True)

    def job_ids(self) -> list[str]:
        return sorted(job.id for job in self.aps.get_jobs())

    def next_run(self, job_id: str) -> datetime | None:
        """When the job fires next, from its trigger and ``app.clock`` (in production the
        same instant APScheduler's timer waits for)."""
        job = self.aps.get_job(job_id)
        if job is None:
            return None
        when = job.trigger.get_next_fire_time(None, self.app.clock())
        return when.astimezone(UTC) if when else None

    def _feed_trigger(self, feed: Feed) -> Any:
        if feed.kind is FeedKind.ARXIV_LISTING:
            return CronTrigger.from_crontab(ARXIV_POLL_CRON, timezone=ARXIV_ZONE)
        return IntervalTrigger(seconds=feed.interval_seconds)

    # -- jobs

    def _guarded(self, name: str, work: Job) -> Job:
        """``work`` as a job: tracked (graceful stop waits for it), never raising."""

        async def job() -> None:
            task = asyncio.current_task()
            if task is not None:
                self._inflight.add(task)
            try:
                await work()
            except asyncio.CancelledError:
                raise
            except Exception:
                error_id = uuid.uuid4().hex[:8]
                log.exception("job failed job=%s error_id=%s", name, error_id)
            finally:
                if task is not None:
                    self._inflight.discard(task)

        return job

    def _poll_job(self, feed_id: int) -> Job:
        return self._guarded(f"poll:{feed_id}", lambda: self.poll_now(feed_id))

    def _digest_job(self, destination: str) -> Job:
        return self._guarded(f"digest:{destination}", lambda: self.digest_now(destination))

    async def poll_now(self, feed_id: int, *, scheduled: bool = True) -> None:
        """Poll one feed if it is due (interval, back-off, arXiv's calendar), then deliver the
        digests of the destinations without a schedule."""
        feed = await self.app.store.get_feed(feed_id)
        if feed is None or feed.paused or feed.disabled_reason:
            return
        now = self.app.clock()
        if feed.kind is FeedKind.ARXIV_LISTING:
            if scheduled and not listing_poll_due(
                now, feed.last_poll, feed.last_result, self.holidays
            ):
                log.debug("listing poll skipped feed=%s reason=no announcement", feed.label)
                return
        elif feed.next_poll is not None and feed.next_poll > now + _slack(feed):
            return  # backing off after failures
        await self._poll(self.app, feed)
        await self._deliver(self.app, which=lambda name: name not in self._scheduled)

    async def digest_now(self, destination: str, *, record: bool = True) -> Any:
        """Deliver one destination's digest now (recorded as its scheduled run)."""
        if record:
            await self.schedules.mark_run(destination, self.app.clock())
        return await self._deliver(self.app, which=lambda name: name == destination)

    async def catch_up(self) -> list[str]:
        """Settle every destination's pending posts; run each digest a downtime missed."""
        await self._deliver(self.app, select=False)
        now, ran = self.app.clock(), []
        for schedule in await self.schedules.list():
            try:
                missed = missed_run(schedule, now, self.grace)
            except BadSchedule:
                continue
            if missed is not None:
                log.info(
                    "missed digest run destination=%s scheduled=%s",
                    schedule.destination,
                    missed.isoformat(),
                )
                await self._guarded(
                    f"digest:{schedule.destination}",
                    lambda d=schedule.destination: self.digest_now(d),  # type: ignore[misc]
                )()
                ran.append(schedule.destination)
        return ran

    async def poll_due_now(self) -> list[str]:
        """Bring forward the poll jobs of feeds already due (at start, after a downtime)."""
        now, moved = self.app.clock(), []
        for feed in await self.app.store.list_feeds():
            job_id = f"poll:{feed.id}"
            if self.aps.get_job(job_id) is None:
                continue
            due = feed.last_poll is None or (feed.next_poll is not None and feed.next_poll <= now)
            if feed.kind is FeedKind.ARXIV_LISTING:
                due = listing_poll_due(now, feed.last_poll, feed.last_result, self.holidays)
            if due:
                self.aps.modify_job(job_id, next_run_time=datetime.now(UTC))
                moved.append(job_id)
        return moved

    async def _metadata(self) -> None:
        if self._complete_metadata is not None:
            await self._complete_metadata(self.app)
