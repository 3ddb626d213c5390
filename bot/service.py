"""``shortbot run``: the service. Leader election, the scheduler, a clean stop.

Every process answers Discord commands (``bot.discord.runner`` runs beside this); the one
process that holds the leadership (``bot.locks``) runs the scheduled jobs (``bot.scheduler``).
A follower retries every ``schedule.leader_retry`` and takes over when the leader's lock goes
(PostgreSQL frees it when the leader's connection or process dies). With SQLite a second
process is refused (``CannotLead``).

SIGTERM / SIGINT: no new job starts, the jobs in flight get ``schedule.stop_timeout`` to
finish (a delivery records each post it sent), then everything closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal

from bot.app import App
from bot.delivery import deliver_all
from bot.locks import CannotLead, leadership_for
from bot.scheduler import Scheduler
from bot.watch import complete_metadata, poll_feed, sync_configured_feeds
from papers.model import Feed

log = logging.getLogger(__name__)

__all__ = ["CannotLead", "install_stop_signals", "new_scheduler", "run_service"]


async def poll_and_log(app: App, feed: Feed) -> None:
    result = await poll_feed(app, feed)
    log.info("poll %s", result.describe())


def new_scheduler(app: App) -> Scheduler:
    return Scheduler(
        app, poll=poll_and_log, deliver=deliver_all, complete_metadata=complete_metadata
    )


def install_stop_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)


async def run_service(app: App, stop: asyncio.Event) -> None:
    """Lead (or follow) until ``stop`` is set. Raises CannotLead for a second SQLite process."""
    await sync_configured_feeds(app)
    leadership = leadership_for(app.store.engine)
    settings = app.settings.schedule
    scheduler: Scheduler | None = None
    said_follower = False
    # /healthz: the leader's scheduler must be running; a follower's loop is its scheduler
    runtime = app.runtime
    runtime.scheduler_running = lambda: scheduler is None or scheduler.running
    try:
        while not stop.is_set():
            if scheduler is None:
                if await leadership.acquire():
                    log.info("leader: this process runs the scheduled jobs pid=%d", os.getpid())
                    scheduler = new_scheduler(app)
                    runtime.scheduler = scheduler
                    await scheduler.start()
                    said_follower = False
                elif not said_follower:
                    log.info(
                        "follower: another process runs the scheduled jobs pid=%d", os.getpid()
                    )
                    said_follower = True
            elif not await leadership.held():
                log.warning("leadership lost (database connection): scheduled jobs stop here")
                runtime.scheduler = None
                await scheduler.stop(settings.stop_timeout)
                scheduler = None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=settings.leader_retry)
    finally:
        runtime.scheduler = None
        runtime.scheduler_running = None
        if scheduler is not None:
            finished = await scheduler.stop(settings.stop_timeout)
            if not finished:
                log.warning("stopped with jobs unfinished after %ss", settings.stop_timeout)
        await leadership.release()
        log.info("stopped")
