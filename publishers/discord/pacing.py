"""The process-wide pace of Discord requests, under Discord's global rate limit.

Discord allows a bot 50 requests a second in all (its global limit) and answers 429 beyond.
Every bot-token REST request of the process goes through one shared
:class:`~publishers.ratelimit.RateLimiter` (:data:`GLOBAL_LIMITER`, 47 a second: headroom for
jitter between our clock and Discord's window), hooked into aiohttp's request start
(:func:`paced_trace`), so discord.py's own retries and history pages are paced too; interaction
callbacks and follow-ups are not (Discord does not count them). The 429s that get through
anyway are waited out by discord.py and mapped in :mod:`publishers.discord.errors`.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from publishers.ratelimit import RateLimiter

# Discord's global limit is 50 requests a second per bot; we keep under it on our own.
GLOBAL_REQUESTS_PER_SECOND = 47.0
GLOBAL_LIMITER = RateLimiter(GLOBAL_REQUESTS_PER_SECOND)
"""Shared by every bot-token REST client of the process (publishers, alerts, the bot).

The one in use is the package's ``publishers.discord.GLOBAL_LIMITER`` (this object, re-exported
there): :func:`paced_trace` reads it there at each request, so replacing it there (as
``bench/bench_fanout.py`` does for its unpaced baseline) applies to clients already made.
"""


def paced_trace(limiter: RateLimiter | None = None) -> aiohttp.TraceConfig:
    """An aiohttp trace that makes every request wait for ``limiter`` (by default the
    process's :data:`GLOBAL_LIMITER`, looked up at each request) before it starts, except
    interaction callbacks and webhook requests (a slash command's follow-ups and edits go to
    ``/webhooks/{application}/{interaction token}``): Discord's global limit counts neither,
    and pacing them made every slash answer queue behind the others at 47 a second."""

    async def on_request_start(
        session: aiohttp.ClientSession,
        context: Any,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        path = params.url.path
        if "/interactions/" not in path and "/webhooks/" not in path:
            await (limiter or _process_limiter()).acquire()

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    return trace


def _process_limiter() -> RateLimiter:
    from publishers import discord as package  # at run time: the package imports this module

    return package.GLOBAL_LIMITER
