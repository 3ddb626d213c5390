"""The channel publisher: digests posted to a channel by the bot, over REST only.

It logs in through a :class:`~publishers.discord.session.DiscordSession` (the run's shared one,
or its own); given the channel's guild, it addresses the channel without looking it up (no
``GET /channels/{id}``): a gone or forbidden channel then shows at the first send, mapped as in
:mod:`publishers.discord.errors`.

Idempotency. The publisher sends ``Post.key`` as the message ``nonce`` with ``enforce_nonce``:
within Discord's de-duplication window (a few minutes) a re-send of the same post returns the
message already created, so a retry after a lost response makes no duplicate. ``find_sent``
covers older crashes: it scans the channel's last ``scan_limit`` (50) messages for one by the
bot whose nonce, or whose content and embeds, equal the post's
(:mod:`publishers.discord.history`). Past that window and those
messages a crash can still lead to a duplicate.

Threads. A channel that is a forum (type 15, found by ``prepare``: the digest is rendered
after it) gets a post per paper (:mod:`publishers.discord.forum`). With ``thread``
``per-digest`` a text channel gets the digest's heading, a thread opened on it, and the
digest's messages in that thread (:mod:`papers.discord_threads`): the heading's send opens the
thread, and a heading found again after a crash opens it if it is not there yet (Discord
answers 160004 when it is); a message of the thread is looked for in that thread.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord

from papers.discord_forum import FORUM_POST, forum_posts
from papers.discord_render import DIGEST_HEADING, digest_heading
from papers.discord_threads import (
    IN_THREAD,
    PER_DIGEST,
    START_THREAD,
    ThreadStyle,
    per_digest_posts,
)
from papers.model import Digest
from papers.ports import ThreadHomes
from papers.publishing import CredentialsRejected, Post, Sent
from publishers.discord.base import DEFAULT_TIMEOUT, DiscordPublisher, message_parts
from publishers.discord.errors import MISSING_PERMISSIONS, discord_errors, map_http_error
from publishers.discord.forum import Forum, ForumPoster
from publishers.discord.history import find_in_history
from publishers.discord.session import DEFAULT_MAX_RATELIMIT_WAIT, DiscordSession
from publishers.discord.threads import find_heading, jump_url, open_thread

log = logging.getLogger(__name__)

SCAN_LIMIT = 50


class DiscordChannelPublisher(DiscordPublisher):
    """Posts digests to one channel as the bot, over REST only (no gateway connection).

    With ``session`` it uses that shared login (and leaves it open on close); without, it logs
    in on its own. With ``guild_id`` the channel is addressed without looking it up first.
    """

    def __init__(
        self,
        name: str,
        *,
        channel_id: int,
        token: str,
        heading: str = DIGEST_HEADING,
        timeout: float = DEFAULT_TIMEOUT,
        max_ratelimit_wait: float | None = DEFAULT_MAX_RATELIMIT_WAIT,
        scan_limit: int = SCAN_LIMIT,
        session: DiscordSession | None = None,
        guild_id: int | None = None,
        ping_role_id: int | None = None,
        thread: ThreadStyle | None = None,
        homes: ThreadHomes | None = None,
    ) -> None:
        super().__init__(name, heading=heading, timeout=timeout, ping_role_id=ping_role_id)
        self.channel_id = channel_id
        self.thread = thread or ThreadStyle()
        self.homes = homes
        self._forum: ForumPoster | None = None
        self.guild_id = guild_id
        self.max_ratelimit_wait = max_ratelimit_wait
        self.scan_limit = scan_limit
        self.__token = token
        self._session = session
        self._own_session: DiscordSession | None = None
        self._client: discord.Client | None = None
        self._channel: discord.abc.Messageable | None = None

    def __repr__(self) -> str:
        return f"DiscordChannelPublisher(name={self.name!r}, channel_id={self.channel_id})"

    @property
    def _where(self) -> str:
        return f"channel {self.channel_id}"

    # -- lifecycle

    async def start(self) -> None:
        """Log in (``GET /users/@me``, or the shared session's login; no gateway) and look the
        channel up once for the run (not when its guild is known)."""
        async with self._lock:
            if self._channel is not None:
                return
            session = self._session
            if session is None:
                session = DiscordSession(
                    self.__token, timeout=self.timeout, max_ratelimit_wait=self.max_ratelimit_wait
                )
            channel: Any
            try:
                with discord_errors(self._where, starting=True):
                    client = await session.client()
                    if self.guild_id is not None:
                        channel = client.get_partial_messageable(
                            self.channel_id, guild_id=self.guild_id, type=discord.ChannelType.text
                        )
                    else:
                        async with asyncio.timeout(self.timeout):
                            channel = await client.fetch_channel(self.channel_id)
                    if isinstance(channel, discord.ForumChannel):
                        forum = Forum.of(channel)
                        self._forum = ForumPoster(
                            client, forum, self.homes, scan_limit=self.scan_limit
                        )
                        channel = client.get_partial_messageable(
                            self.channel_id, guild_id=forum.guild_id, type=channel.type
                        )
                        self.guild_id = forum.guild_id
                    if not isinstance(channel, discord.abc.Messageable):
                        raise CredentialsRejected(
                            f"{self._where} is a {type(channel).__name__}: it takes no messages"
                        )
            except BaseException:
                if session is not self._session:
                    await session.close()
                raise
            if session is not self._session:
                self._own_session = session
            self._client, self._channel = client, channel

    async def close(self) -> None:
        async with self._lock:
            own, self._own_session = self._own_session, None
            self._client, self._channel, self._forum = None, None, None
            if own is not None:
                await own.close()

    async def _ready(self) -> tuple[discord.Client, discord.abc.Messageable]:
        await self.start()
        client, channel = self._client, self._channel
        if client is None or channel is None:
            raise self._closed()
        return client, channel

    # -- rendering

    async def prepare(self) -> None:
        """Find out whether the channel is a forum (when its guild is not known: the lookup
        ``start`` makes) before a digest is rendered."""
        await self._ready()

    def render(self, digest: Digest) -> list[Post]:
        """A forum: a post per paper; ``per-digest``: the heading, then the messages in a
        thread on it; else the messages in the channel."""
        minutes = self.thread.archive_minutes
        if self._forum is not None:
            tags = self._forum.forum.tags
            return self._pinged(
                forum_posts(digest, destination=self.name, tags=tags, archive_minutes=minutes)
            )
        if self.thread.mode == PER_DIGEST:
            heading = digest_heading(digest, self.heading)
            return self._pinged(
                per_digest_posts(
                    digest, destination=self.name, heading=heading, archive_minutes=minutes
                )
            )
        return super().render(digest)

    # -- posting

    async def send(self, post: Post, *, reply_to: Sent | None = None) -> Sent:
        """Post one message with ``post.key`` as its enforced nonce: in the forum as its
        paper's post or a reply in it, in the thread of ``reply_to`` (a message of a
        ``per-digest`` thread), or in the channel (a heading then opens its thread)."""
        client, channel = await self._ready()
        with discord_errors(self._where):
            async with asyncio.timeout(self.timeout):
                if FORUM_POST in post.payload and self._forum is not None:
                    return await self._forum.send(post)
                if post.payload.get(IN_THREAD) and reply_to is not None:
                    channel = self._thread(int(reply_to.post_id))
                message = await self._post(channel, post)
                if START_THREAD in post.payload:
                    thread = post.payload[START_THREAD]
                    await open_thread(client, self.channel_id, message.id, thread)
        return Sent(post_id=str(message.id), url=self._jump_url(message))

    async def _post(self, channel: discord.abc.Messageable, post: Post) -> discord.Message:
        parts = message_parts(post)
        return await channel.send(
            content=parts.content,
            embeds=parts.embeds,
            nonce=post.key,  # discord.py adds enforce_nonce=true with every nonce
            allowed_mentions=parts.allowed_mentions,
            view=parts.view or discord.utils.MISSING,
        )

    def _thread(self, thread_id: int) -> discord.PartialMessageable:
        client = self._client
        if client is None:
            raise self._closed()
        return client.get_partial_messageable(
            thread_id, guild_id=self.guild_id, type=discord.ChannelType.public_thread
        )

    def _jump_url(self, message: discord.Message) -> str:
        if message.guild is None and self.guild_id is not None:  # a channel not looked up
            return jump_url(self.guild_id, message.channel.id, message.id)
        return message.jump_url

    async def find_sent(self, post: Post) -> Sent | None:
        """The bot's message for ``post`` among the channel's last ``scan_limit`` messages.

        Within Discord's nonce window ``send`` is idempotent anyway; this covers older crashes.
        Without Read Message History the scan is skipped (``None``, with a warning).
        """
        client, channel = await self._ready()
        if FORUM_POST in post.payload and self._forum is not None:
            with discord_errors(self._where):
                async with asyncio.timeout(self.timeout):
                    return await self._forum.find(post)
        me = client.user.id if client.user is not None else None
        with discord_errors(self._where):
            try:
                async with asyncio.timeout(self.timeout):
                    if START_THREAD in post.payload:
                        message = await find_heading(
                            client,
                            channel,
                            post,
                            ours=lambda m: m.author.id == me,
                            limit=self.scan_limit,
                        )
                    else:
                        message = await find_in_history(
                            channel, post, ours=lambda m: m.author.id == me, limit=self.scan_limit
                        )
                    if message is not None and START_THREAD in post.payload:
                        # the heading was made; its thread perhaps not (Discord: 160004 if so)
                        thread = post.payload[START_THREAD]
                        await open_thread(client, self.channel_id, message.id, thread)
            except discord.Forbidden as exc:
                if exc.code != MISSING_PERMISSIONS:
                    raise map_http_error(exc, self._where, starting=False) from exc
                log.warning(
                    "cannot read the history of %s (no Read Message History): relying on the nonce",
                    self._where,
                )
                return None
        return Sent(post_id=str(message.id), url=self._jump_url(message)) if message else None

    async def find_reply(self, post: Post, reply_to: Sent) -> Sent | None:
        """A message of a ``per-digest`` thread, looked for in the thread its heading opened
        (the thread's id is the heading's)."""
        if not post.payload.get(IN_THREAD):
            return await self.find_sent(post)
        client, _ = await self._ready()
        me = client.user.id if client.user is not None else None
        thread_id = int(reply_to.post_id)
        with discord_errors(self._where):
            async with asyncio.timeout(self.timeout):
                message = await find_in_history(
                    self._thread(thread_id),
                    post,
                    ours=lambda m: m.author.id == me,
                    limit=self.scan_limit,
                )
        if message is None:
            return None
        return Sent(str(message.id), jump_url(self.guild_id, thread_id, message.id))
