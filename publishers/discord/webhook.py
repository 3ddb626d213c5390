"""The webhook publisher: digests posted through a channel webhook, with its own HTTP session.

Webhooks have no nonce, and a webhook's token can fetch its messages by id only. A post cut off
by a crash is therefore looked for in the channel's history *as the bot* (``reader``: the
run's bot login, when a bot token is configured), among the messages whose ``webhook_id`` is
this webhook's. Where the bot cannot read that channel (no token, not in that server, no View
Channel or Read Message History), ``find_sent`` finds nothing and ``delivery_guarantee`` says
why: such a destination is at-least-once (a crash between Discord's answer and the ledger's
commit, which follows the answer directly, repeats a message).
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
from papers.publishing import Post, PublishError, Sent
from publishers.discord.base import DEFAULT_TIMEOUT, DiscordPublisher, message_parts
from publishers.discord.channel import SCAN_LIMIT
from publishers.discord.errors import discord_errors
from publishers.discord.history import find_in_history
from publishers.discord.session import DiscordSession

_WEBHOOK_URL = re.compile(
    r"discord(?:app)?\.com/api/webhooks/(?P<id>[0-9]{17,20})/(?P<token>[A-Za-z0-9.\-_]{60,})"
)


class DiscordWebhookPublisher(DiscordPublisher):
    """Posts digests through a channel webhook (``https://discord.com/api/webhooks/ID/TOKEN``).

    The URL's token is a secret: it stays out of ``repr``, logs and exception text. A ping
    role is mentioned without the "Notify me" button: a webhook made in a server's settings is
    not the application's, and Discord ignores the interactive components it sends.
    """

    buttons = False

    def __init__(
        self,
        name: str,
        *,
        url: str,
        heading: str = DIGEST_HEADING,
        timeout: float = DEFAULT_TIMEOUT,
        reader: DiscordSession | None = None,
        scan_limit: int = SCAN_LIMIT,
        ping_role_id: int | None = None,
    ) -> None:
        match = _WEBHOOK_URL.search(url)
        if match is None:
            raise ValueError(f"destination {name!r}: the webhook URL is not a Discord webhook URL")
        super().__init__(name, heading=heading, timeout=timeout, ping_role_id=ping_role_id)
        self.webhook_id = int(match["id"])
        self.__url = url
        self.__token = match["token"]
        self._session: aiohttp.ClientSession | None = None
        self._webhook: discord.Webhook | None = None
        self._reader = reader
        self.scan_limit = scan_limit
        self._history: discord.abc.Messageable | None = None
        self._guarantee: str | None = None
        self._checked = False

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
            self._history, self._checked = None, False
            if session is not None:
                await session.close()

    async def send(self, post: Post, *, reply_to: Sent | None = None) -> Sent:
        """Execute the webhook with ``wait=true`` (to learn the message id)."""
        await self.start()
        webhook = self._webhook
        if webhook is None:
            raise self._closed()
        parts = message_parts(post)
        with discord_errors(self._where, secret=self.__token):
            async with asyncio.timeout(self.timeout):
                message = await webhook.send(
                    content=parts.content or discord.utils.MISSING,
                    embeds=parts.embeds,
                    allowed_mentions=parts.allowed_mentions,
                    wait=True,
                )
        guild = webhook.guild_id if webhook.guild_id is not None else "@me"
        url = f"https://discord.com/channels/{guild}/{message.channel.id}/{message.id}"
        return Sent(post_id=str(message.id), url=url)

    async def delivery_guarantee(self) -> str | None:
        """None when the bot can read the webhook's channel; otherwise why not (checked once
        per run: one history request as the bot)."""
        await self.start()
        async with self._lock:
            if not self._checked:
                self._guarantee = await self._check_reading()
                self._checked = True
            return self._guarantee

    async def _check_reading(self) -> str | None:
        webhook = self._webhook
        if webhook is None:
            raise self._closed()
        if webhook.channel_id is None:
            return "Discord did not say which channel the webhook posts to"
        where = f"channel {webhook.channel_id}"
        if self._reader is None:
            return f"no Discord bot token is configured to read {where}"
        try:
            client = await self._reader.client()
        except PublishError as exc:
            return f"the bot cannot log in to read {where}: {exc.reason}"
        channel = client.get_partial_messageable(webhook.channel_id, guild_id=webhook.guild_id)
        with discord_errors(where):  # what is not about access: Transient and the like
            try:
                async with asyncio.timeout(self.timeout):
                    async for _ in channel.history(limit=1):
                        break
            except discord.Forbidden as exc:
                return f"the bot cannot read {where} ({exc.text or 'Missing Access'})"
            except discord.NotFound:
                return f"the bot cannot see {where} (is it in that server?)"
        self._history = channel
        return None

    async def find_sent(self, post: Post) -> Sent | None:
        """This webhook's message for ``post`` among the channel's last ``scan_limit``, read
        as the bot; None when not there or when the bot cannot read the channel."""
        if await self.delivery_guarantee() is not None:
            return None
        channel, webhook = self._history, self._webhook
        if channel is None or webhook is None:
            raise self._closed()
        with discord_errors(f"channel {webhook.channel_id}"):
            async with asyncio.timeout(self.timeout):
                message = await find_in_history(
                    channel,
                    post,
                    ours=lambda m: m.webhook_id == self.webhook_id,
                    limit=self.scan_limit,
                )
        if message is None:
            return None
        guild = webhook.guild_id if webhook.guild_id is not None else "@me"
        url = f"https://discord.com/channels/{guild}/{message.channel.id}/{message.id}"
        return Sent(post_id=str(message.id), url=url)
