"""Pointing the real discord.py at another Discord (the fake), by configuration only.

discord.py 2.7 has no per-client option for this. Two class attributes decide where it goes:

* ``discord.http.Route.BASE`` (``"https://discord.com/api/v10"``): every REST URL, including
  the interaction and webhook routes, is ``Route.BASE + path``, read when each request is made.
* ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` (``wss://gateway.discord.gg/``): a plain
  ``Client``/``Bot`` connects there directly; it does NOT ask ``GET /gateway/bot`` (only
  ``AutoShardedClient`` does). After READY it reconnects to READY's ``resume_gateway_url``, and
  after a non-resumable INVALID_SESSION it goes back to ``DEFAULT_GATEWAY``.

Both are process-wide, so tests must restore them (:func:`discord_endpoints` does).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Iterator

import yarl

from tests.fakediscord.compat import DiscordWebSocket, Route, discord


def apply_discord_endpoints(api_base_url: str | None, gateway_url: str | None) -> None:
    """What the bot does with its ``discord.api_base_url`` / ``discord.gateway_url`` settings."""
    if api_base_url:
        Route.BASE = api_base_url.rstrip("/")
    if gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


@contextlib.contextmanager
def discord_endpoints(api_base_url: str, gateway_url: str) -> Iterator[None]:
    """Point discord.py at other endpoints for the duration of the block, then restore them."""
    saved_base = Route.BASE
    saved_gateway = DiscordWebSocket.DEFAULT_GATEWAY
    apply_discord_endpoints(api_base_url, gateway_url)
    try:
        yield
    finally:
        Route.BASE = saved_base
        DiscordWebSocket.DEFAULT_GATEWAY = saved_gateway


async def wait_for_keepalive_threads(timeout: float = 2.0) -> None:
    """discord.py heartbeats from a ``keep-alive-handler`` thread; wait until every one has
    stopped, so none outlives the test's event loop."""
    deadline = time.monotonic() + timeout
    while any(
        t.name.startswith("keep-alive-handler") and t.is_alive() for t in threading.enumerate()
    ):
        if time.monotonic() > deadline:
            raise AssertionError("a discord.py keep-alive thread did not stop")
        await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def running_bot(
    bot: discord.Client, token: str, *, timeout: float = 5.0
) -> AsyncIterator[discord.Client]:
    """Run ``bot.start(token)`` in a task; enter once the bot is ready (or re-raise why it
    stopped), and on exit close it, await the task and its heartbeat thread."""
    async with bot:
        task = asyncio.create_task(bot.start(token), name="fakediscord-bot")
        ready = asyncio.create_task(bot.wait_until_ready())
        try:
            done, _ = await asyncio.wait(
                {task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if task in done:
                task.result()
                raise AssertionError("the bot stopped before it was ready")
            if ready not in done:
                raise TimeoutError(f"the bot was not ready after {timeout}s")
            yield bot
        finally:
            ready.cancel()
            await bot.close()
            await asyncio.wait_for(task, timeout)
            await wait_for_keepalive_threads()
