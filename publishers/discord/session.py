"""The bot's REST login (no gateway), shared by the channel publishers of a run.

:class:`DiscordSession` logs in once (one ``GET /users/@me``, not one per channel), paced by
:mod:`publishers.discord.pacing`, and remembers a refused token so that the other channels of
the run do not ask Discord again.
"""

from __future__ import annotations

import asyncio

import discord

from papers.publishing import CredentialsRejected, PublishError
from publishers.discord.base import DEFAULT_TIMEOUT, Closing
from publishers.discord.errors import discord_errors
from publishers.discord.pacing import paced_trace
from publishers.ratelimit import RateLimiter

DEFAULT_MAX_RATELIMIT_WAIT = 60.0  # longer 429 waits raise RateLimited (discord.py minimum: 30)


class DiscordSession(Closing):
    """One bot login over REST (no gateway), shared by the channel publishers of a run.

    Nothing happens until :meth:`client` is first awaited: it logs in (``GET /users/@me``)
    once; a refusal is remembered and raised again (as ``CredentialsRejected`` and the like)
    to every later caller, without asking Discord again. Every request is paced by
    ``limiter`` (default: :data:`~publishers.discord.pacing.GLOBAL_LIMITER`). ``close()`` (or
    leaving ``async with``) logs out.
    """

    def __init__(
        self,
        token: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_ratelimit_wait: float | None = DEFAULT_MAX_RATELIMIT_WAIT,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_ratelimit_wait = max_ratelimit_wait
        self.limiter = limiter
        self.__token = token
        self._client: discord.Client | None = None
        self._failure: PublishError | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"DiscordSession(logged_in={self._client is not None})"

    async def client(self) -> discord.Client:
        async with self._lock:
            if self._client is not None:
                return self._client
            if self._failure is not None:
                raise self._failure
            intents = discord.Intents.none()
            intents.guilds = True  # unused without a gateway; discord.py warns when it is off
            client = discord.Client(
                intents=intents,
                allowed_mentions=discord.AllowedMentions.none(),
                max_ratelimit_timeout=self.max_ratelimit_wait,
                http_trace=paced_trace(self.limiter),
            )
            try:
                with discord_errors("the bot login", starting=True):
                    async with asyncio.timeout(self.timeout):
                        await client.login(self.__token)
            except BaseException as exc:
                await client.close()
                if isinstance(exc, CredentialsRejected):
                    self._failure = exc
                raise
            self._client = client
            return client

    async def close(self) -> None:
        async with self._lock:
            client, self._client = self._client, None
            if client is not None:
                await client.close()
