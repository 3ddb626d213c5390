"""The long-running loop of ``shortbot run`` (until the scheduler arrives): poll, publish, wait
for the next feed to be due, stop cleanly on SIGTERM / SIGINT."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable

from bot.app import App

log = logging.getLogger(__name__)

MIN_WAIT_SECONDS = 60.0


async def run_forever(app: App, cycle: Callable[[App], Awaitable[int]]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log.info("running; stop with SIGTERM or Ctrl-C")
    while not stop.is_set():
        await cycle(app)
        wait = await seconds_until_next_poll(app)
        try:
            await asyncio.wait_for(stop.wait(), timeout=wait)
        except TimeoutError:
            continue
    log.info("stopped")


async def seconds_until_next_poll(app: App) -> float:
    feeds = [f for f in await app.store.list_feeds() if f.next_poll and not f.paused]
    if not feeds:
        return float(app.settings.poll_interval)
    soonest = min(f.next_poll for f in feeds if f.next_poll)
    return max(MIN_WAIT_SECONDS, (soonest - app.clock()).total_seconds())
