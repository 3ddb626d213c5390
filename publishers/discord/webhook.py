"""The webhook publisher: digests posted through a channel webhook, with its own HTTP session.

Webhooks have no nonce and their messages can only be fetched by id, so ``find_sent`` returns
``None``: a crash between the request and the ledger's record can post a message twice.
Webhook URLs hold a secret token: it is never logged by this module nor put in an exception's
text or a repr (discord.py itself logs the URL at DEBUG level on the ``discord.webhook.async_``
logger; keep that logger above DEBUG in production). Webhook requests are not paced: Discord's
global limit does not count them (:mod:`publishers.discord.pacing`).
"""

from __future__ import annotations

import asyncio
import re

import aiohttp
import discord

from papers.discord_render import DIGEST_HEADING
from papers.publishing import Post, Sent
from publishers.discord.base import DEFAULT_TIMEOUT, DiscordPublisher, message_parts
from publishers.discord.errors import discord_errors

_WEBHOOK_URL = re.compile(
    r"discord(?:app)?\.com/api/webhooks/(?P<id>[0-9]{17,20})/(?P<token>[A-Za-z0-9.\-_]{60,})"
)


class DiscordWebhookPublisher(DiscordPublisher):
    """Posts digests through a channel webhook (``https://discord.com/api/webhooks/ID/TOKEN``).

    The URL's token is a secret: it stays out of ``repr``, logs and exception text.
    """

    def __init__(
        self,
        name: str,
        *,
        url: str,
        heading: str = DIGEST_HEADING,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        match = _WEBHOOK_URL.search(url)
        if match is None:
            raise ValueError(f"destination {name!r}: the webhook URL is not a Discord webhook URL")
        super().__init__(name, heading=heading, timeout=timeout)
        self.webhook_id = int(match["id"])
        self.__url = url
        self.__token = match["token"]
        self._session: aiohttp.ClientSession | None = None
        self._webhook: discord.Webhook | None = None

    def __repr__(self) -> str:
        return f"DiscordWebhookPublisher(name={self.name!r}, webhook_id={self.webhook_id})"

    @property
    def _where(self) -> str:
        return f"webhook {self.webhook_id}"

    async def start(self) -> None:
        """Open an HTTP session and fetch the webhook once (its guild and channel, for links)."""
        async with self._lock:
            if self._webhook is not None:
                return
            session = aiohttp.ClientSession()
            try:
                with discord_errors(self._where, starting=True, secret=self.__token):
                    partial = discord.Webhook.from_url(self.__url, session=session)
                    async with asyncio.timeout(self.timeout):
                        webhook = await partial.fetch(prefer_auth=False)
            except BaseException:
                await session.close()
                raise
            self._session, self._webhook = session, webhook

    async def close(self) -> None:
        async with self._lock:
            session, self._session, self._webhook = self._session, None, None
            if session is not None:
                await session.close()

    async def send(self, post: Post, *, reply_to: Sent | None = None) -> Sent:
        """Execute the webhook with ``wait=true`` (to learn the message id)."""
        await self.start()
        webhook = self._webhook
        if webhook is None:
            raise self._closed()
        content, embeds = message_parts(post)
        with discord_errors(self._where, secret=self.__token):
            async with asyncio.timeout(self.timeout):
                message = await webhook.send(
                    content=content or discord.utils.MISSING,
                    embeds=embeds,
                    allowed_mentions=discord.AllowedMentions.none(),
                    wait=True,
                )
        guild = webhook.guild_id if webhook.guild_id is not None else "@me"
        url = f"https://discord.com/channels/{guild}/{message.channel.id}/{message.id}"
        return Sent(post_id=str(message.id), url=url)

    async def find_sent(self, post: Post) -> Sent | None:
        """Always ``None``: webhooks have no nonce, and their messages can be fetched by id
        only, so an earlier post cannot be found. A crash between request and record may
        therefore post a message twice."""
        return None
