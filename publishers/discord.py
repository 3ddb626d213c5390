"""Discord publishers: digests posted to a channel by the bot (REST only) or through a webhook.

Both render with :func:`papers.discord_render.digest_posts` (pure) and send every message with
``allowed_mentions`` none. One start serves a whole run: ``send`` and ``find_sent`` start on
first use (or call ``start()`` to check the destination early: it raises the errors below), and
``close()`` (or leaving ``async with``, whose entry makes no request) ends it.

Error mapping (both publishers; Discord's JSON error codes):

* 401, ``LoginFailure``                       → ``CredentialsRejected`` (token / webhook token)
* 429 the library could not wait out         → ``RateLimited``. discord.py waits on 429s itself;
  it raises ``discord.RateLimited`` only when the wait exceeds ``max_ratelimit_timeout``, and a
  plain ``HTTPException`` for a 429 without ``Via`` (a Cloudflare ban), both mapped here.
  (discord.py's webhook client waits out any 429; ``timeout`` bounds it, then ``Transient``.)
* 5xx, ``DiscordServerError``, connection errors, timeouts → ``Transient``. discord.py already
  retried 500/502/504/524 (channels) or any 5xx (webhooks) five times with 1-9 s sleeps.
* 10003 Unknown Channel, 10004 Unknown Guild, 10015 Unknown Webhook, 50001 Missing Access,
  50013 Missing Permissions, 50008 non-text channel, any other 403, and any 4xx while starting
  → ``CredentialsRejected`` with the reason in words. These are about the destination, not the
  post: the channel is gone, or the bot was kicked, lost View Channel or Send Messages. Every
  later post would fail the same way, so the destination is disabled (its items stay pending
  until someone fixes the permission or the setting) instead of marking each item failed.
  ``papers.publishing`` has no "destination broken" class; ``CredentialsRejected`` is the one
  that disables a destination.
* 50035 Invalid Form Body, 50006 empty message, and any other 4xx → ``ItemRejected``.

Pacing. Discord allows a bot 50 requests a second in all (its global limit) and answers 429
beyond. Every bot-token REST request of the process goes through one shared
:class:`~publishers.ratelimit.RateLimiter` (:data:`GLOBAL_LIMITER`, 47 a second: headroom for
jitter between our clock and Discord's window), hooked into aiohttp's request start
(:func:`paced_trace`), so retries and history pages are paced too; interaction callbacks and
follow-ups are not (Discord does not count them). :class:`DiscordSession` is one logged-in
REST client shared by the channel publishers of a run (one ``GET /users/@me``, not one per
channel); given the channel's guild, a publisher addresses the channel without looking it up
(no ``GET /channels/{id}``): a gone or forbidden channel then shows at the first send, mapped
as below.

Idempotency. The channel publisher sends ``Post.key`` as the message ``nonce`` with
``enforce_nonce``: within Discord's de-duplication window (a few minutes) a re-send of the same
post returns the message already created, so a retry after a lost response makes no duplicate.
``find_sent`` covers older crashes: it scans the channel's last ``scan_limit`` (50) messages for
one by the bot whose nonce, or whose content and embeds, equal the post's. Past that window and
those messages a crash can still lead to a duplicate.

Webhooks have no nonce and their messages can only be fetched by id, so the webhook publisher's
``find_sent`` returns ``None``: a crash between the request and the ledger's record can post a
message twice. Webhook URLs hold a secret token: it is never logged by this module nor put in an
exception's text or a repr (discord.py itself logs the URL at DEBUG level on the
``discord.webhook.async_`` logger; keep that logger above DEBUG in production).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Self

import aiohttp
import discord

from papers.discord_render import DIGEST_HEADING, digest_heading, digest_posts
from papers.model import Digest
from papers.publishing import (
    CredentialsRejected,
    ItemRejected,
    Post,
    PublishError,
    RateLimited,
    Sent,
    Transient,
)
from publishers.ratelimit import RateLimiter

log = logging.getLogger(__name__)

# Discord JSON error codes that mean the destination, not the post, is the problem.
UNKNOWN_CHANNEL = 10003
UNKNOWN_GUILD = 10004
UNKNOWN_WEBHOOK = 10015
MISSING_ACCESS = 50001
NOT_A_TEXT_CHANNEL = 50008
MISSING_PERMISSIONS = 50013
INVALID_WEBHOOK_TOKEN = 50027

DEFAULT_TIMEOUT = 120.0  # one request, including discord.py's own waits and retries
DEFAULT_MAX_RATELIMIT_WAIT = 60.0  # longer 429 waits raise RateLimited (discord.py minimum: 30)
SCAN_LIMIT = 50
CLOUDFLARE_BAN_RETRY = 3600.0

# Discord's global limit is 50 requests a second per bot; we keep under it on our own.
GLOBAL_REQUESTS_PER_SECOND = 47.0
GLOBAL_LIMITER = RateLimiter(GLOBAL_REQUESTS_PER_SECOND)
"""Shared by every bot-token REST client of the process (publishers, alerts, the bot)."""

_WEBHOOK_URL = re.compile(
    r"discord(?:app)?\.com/api/webhooks/(?P<id>[0-9]{17,20})/(?P<token>[A-Za-z0-9.\-_]{60,})"
)


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
            await (limiter or GLOBAL_LIMITER).acquire()

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    return trace


class DiscordSession:
    """One bot login over REST (no gateway), shared by the channel publishers of a run.

    Nothing happens until :meth:`client` is first awaited: it logs in (``GET /users/@me``)
    once; a refusal is remembered and raised again (as ``CredentialsRejected`` and the like)
    to every later caller, without asking Discord again. Every request is paced by
    ``limiter`` (default: :data:`GLOBAL_LIMITER`). ``close()`` (or leaving ``async with``)
    logs out.
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
                async with asyncio.timeout(self.timeout):
                    await client.login(self.__token)
            except BaseException as exc:
                await client.close()
                mapped = map_error(exc, "the bot login", starting=True)
                if mapped is None or mapped is exc:
                    raise
                if isinstance(mapped, CredentialsRejected):
                    self._failure = mapped
                raise mapped from exc
            self._client = client
            return client

    async def close(self) -> None:
        async with self._lock:
            client, self._client = self._client, None
            if client is not None:
                await client.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class DiscordChannelPublisher:
    """Posts digests to one channel as the bot, over REST only (no gateway connection).

    With ``session`` it uses that shared login (and leaves it open on close); without, it logs
    in on its own. With ``guild_id`` the channel is addressed without looking it up first.
    """

    platform = "discord"

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
    ) -> None:
        self.name = name
        self.channel_id = channel_id
        self.guild_id = guild_id
        self.heading = heading
        self.timeout = timeout
        self.max_ratelimit_wait = max_ratelimit_wait
        self.scan_limit = scan_limit
        self.__token = token
        self._session = session
        self._own_session: DiscordSession | None = None
        self._client: discord.Client | None = None
        self._channel: discord.abc.Messageable | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"DiscordChannelPublisher(name={self.name!r}, channel_id={self.channel_id})"

    @property
    def _where(self) -> str:
        return f"channel {self.channel_id}"

    def render(self, digest: Digest) -> list[Post]:
        return digest_posts(
            digest, destination=self.name, heading=digest_heading(digest, self.heading)
        )

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
                client = await session.client()
                if self.guild_id is not None:
                    channel = client.get_partial_messageable(
                        self.channel_id, guild_id=self.guild_id, type=discord.ChannelType.text
                    )
                else:
                    async with asyncio.timeout(self.timeout):
                        channel = await client.fetch_channel(self.channel_id)
                if not isinstance(channel, discord.abc.Messageable):
                    raise CredentialsRejected(
                        f"{self._where} is a {type(channel).__name__}: it takes no messages"
                    )
            except BaseException as exc:
                if session is not self._session:
                    await session.close()
                mapped = map_error(exc, self._where, starting=True)
                if mapped is None or mapped is exc:
                    raise
                raise mapped from exc
            if session is not self._session:
                self._own_session = session
            self._client, self._channel = client, channel

    async def close(self) -> None:
        async with self._lock:
            own, self._own_session = self._own_session, None
            self._client, self._channel = None, None
            if own is not None:
                await own.close()

    async def __aenter__(self) -> Self:
        """Nothing happens on entry (a dry run makes no request); the first ``send`` or
        ``find_sent`` starts, and leaving closes."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _ready(self) -> tuple[discord.Client, discord.abc.Messageable]:
        await self.start()
        client, channel = self._client, self._channel
        if client is None or channel is None:
            raise Transient(f"the publisher for {self._where} was closed while in use")
        return client, channel

    # -- posting

    async def send(self, post: Post, *, reply_to: Sent | None = None) -> Sent:
        """Post one message with ``post.key`` as its enforced nonce (``reply_to`` is unused:
        Discord digests are not threads)."""
        _, channel = await self._ready()
        content, embeds = _message_parts(post)
        try:
            async with asyncio.timeout(self.timeout):
                message = await channel.send(
                    content=content,
                    embeds=embeds,
                    nonce=post.key,  # discord.py adds enforce_nonce=true with every nonce
                    allowed_mentions=discord.AllowedMentions.none(),
                )
        except Exception as exc:
            mapped = map_error(exc, self._where)
            if mapped is None:
                raise
            raise mapped from exc
        return Sent(post_id=str(message.id), url=self._jump_url(message))

    def _jump_url(self, message: discord.Message) -> str:
        if message.guild is None and self.guild_id is not None:  # a channel not looked up
            return f"https://discord.com/channels/{self.guild_id}/{self.channel_id}/{message.id}"
        return message.jump_url

    async def find_sent(self, post: Post) -> Sent | None:
        """The bot's message for ``post`` among the channel's last ``scan_limit`` messages.

        Within Discord's nonce window ``send`` is idempotent anyway; this covers older crashes.
        Without Read Message History the scan is skipped (``None``, with a warning).
        """
        client, channel = await self._ready()
        me = client.user.id if client.user is not None else None
        wanted = _fingerprint(post.payload.get("content"), post.payload.get("embeds") or [])
        try:
            async with asyncio.timeout(self.timeout):
                async for message in channel.history(limit=self.scan_limit):
                    if message.author.id != me:
                        continue
                    found = _fingerprint(message.content, [e.to_dict() for e in message.embeds])
                    if str(message.nonce) == post.key or found == wanted:
                        return Sent(post_id=str(message.id), url=self._jump_url(message))
        except discord.Forbidden as exc:
            if exc.code != MISSING_PERMISSIONS:
                raise _map_http(exc, self._where, starting=False) from exc
            log.warning(
                "cannot read the history of %s (no Read Message History): relying on the nonce",
                self._where,
            )
        except Exception as exc:
            mapped = map_error(exc, self._where)
            if mapped is None:
                raise
            raise mapped from exc
        return None


class DiscordWebhookPublisher:
    """Posts digests through a channel webhook (``https://discord.com/api/webhooks/ID/TOKEN``).

    The URL's token is a secret: it stays out of ``repr``, logs and exception text.
    """

    platform = "discord"

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
        self.name = name
        self.webhook_id = int(match["id"])
        self.heading = heading
        self.timeout = timeout
        self.__url = url
        self.__token = match["token"]
        self._session: aiohttp.ClientSession | None = None
        self._webhook: discord.Webhook | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"DiscordWebhookPublisher(name={self.name!r}, webhook_id={self.webhook_id})"

    @property
    def _where(self) -> str:
        return f"webhook {self.webhook_id}"

    def render(self, digest: Digest) -> list[Post]:
        return digest_posts(
            digest, destination=self.name, heading=digest_heading(digest, self.heading)
        )

    async def start(self) -> None:
        """Open an HTTP session and fetch the webhook once (its guild and channel, for links)."""
        async with self._lock:
            if self._webhook is not None:
                return
            session = aiohttp.ClientSession()
            try:
                partial = discord.Webhook.from_url(self.__url, session=session)
                async with asyncio.timeout(self.timeout):
                    webhook = await partial.fetch(prefer_auth=False)
            except BaseException as exc:
                await session.close()
                mapped = map_error(exc, self._where, starting=True)
                if mapped is None:
                    raise
                raise self._scrubbed(mapped) from None
            self._session, self._webhook = session, webhook

    async def close(self) -> None:
        async with self._lock:
            session, self._session, self._webhook = self._session, None, None
            if session is not None:
                await session.close()

    async def __aenter__(self) -> Self:
        """Nothing happens on entry (a dry run makes no request); the first ``send`` or
        ``find_sent`` starts, and leaving closes."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def send(self, post: Post, *, reply_to: Sent | None = None) -> Sent:
        """Execute the webhook with ``wait=true`` (to learn the message id)."""
        await self.start()
        webhook = self._webhook
        if webhook is None:
            raise Transient(f"the publisher for {self._where} was closed while in use")
        content, embeds = _message_parts(post)
        try:
            async with asyncio.timeout(self.timeout):
                message = await webhook.send(
                    content=content or discord.utils.MISSING,
                    embeds=embeds,
                    allowed_mentions=discord.AllowedMentions.none(),
                    wait=True,
                )
        except Exception as exc:
            mapped = map_error(exc, self._where)
            if mapped is None:
                raise
            # from None: the cause would carry the response, whose URL holds the token.
            raise self._scrubbed(mapped) from None
        guild = webhook.guild_id if webhook.guild_id is not None else "@me"
        url = f"https://discord.com/channels/{guild}/{message.channel.id}/{message.id}"
        return Sent(post_id=str(message.id), url=url)

    async def find_sent(self, post: Post) -> Sent | None:
        """Always ``None``: webhooks have no nonce, and their messages can be fetched by id
        only, so an earlier post cannot be found. A crash between request and record may
        therefore post a message twice."""
        return None

    def _scrubbed(self, error: PublishError) -> PublishError:
        if self.__token in error.reason:
            error.reason = error.reason.replace(self.__token, "<token>")
            error.args = (error.reason, *error.args[1:])
        return error


# ---------------------------------------------------------------------- helpers


def _message_parts(post: Post) -> tuple[str | None, list[discord.Embed]]:
    try:
        content = post.payload.get("content") or None
        embeds = [discord.Embed.from_dict(e) for e in post.payload.get("embeds") or []]
    except (TypeError, ValueError, AttributeError) as exc:
        raise ItemRejected(f"the post is not a Discord message: {exc}") from exc
    if content is not None and not isinstance(content, str):
        raise ItemRejected("the post's content is not text")
    return content, embeds


def _fingerprint(content: Any, embeds: Sequence[Mapping[str, Any]]) -> tuple[Any, ...]:
    """What must match for a message to be a post: its text, not Discord's additions
    (``type``, ``inline``, colours) nor surrounding whitespace Discord may trim."""

    def text(value: Any) -> str:
        return str(value or "").strip()

    return (
        text(content),
        tuple(
            (
                text(e.get("title")),
                text(e.get("url")),
                text(e.get("description")),
                text((e.get("footer") or {}).get("text")),
                tuple((text(f.get("name")), text(f.get("value"))) for f in e.get("fields") or []),
            )
            for e in embeds
        ),
    )


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _retry_after(exc: discord.HTTPException) -> float:
    try:
        return float(exc.response.headers.get("Retry-After", ""))
    except (TypeError, ValueError, AttributeError):
        return CLOUDFLARE_BAN_RETRY


def map_error(exc: BaseException, where: str, *, starting: bool = False) -> PublishError | None:
    """The ``PublishError`` for what discord.py or aiohttp raised (``None``: not a platform
    error, let it propagate). ``starting``: while logging in or looking the destination up,
    where any refusal means the destination is unusable."""
    if isinstance(exc, PublishError):
        return exc
    if isinstance(exc, discord.LoginFailure):
        return CredentialsRejected("Discord rejected the bot token (401 Unauthorized)")
    if isinstance(exc, discord.RateLimited):
        return RateLimited(
            f"Discord rate-limits {where} for {exc.retry_after:.0f} s", exc.retry_after
        )
    if isinstance(exc, discord.HTTPException):
        return _map_http(exc, where, starting=starting)
    if isinstance(exc, TimeoutError | aiohttp.ClientError | OSError):
        return Transient(f"could not reach Discord for {where} ({type(exc).__name__})")
    return None


def _map_http(exc: discord.HTTPException, where: str, *, starting: bool) -> PublishError:
    status, code = exc.status, exc.code
    said = _one_line(f"{status} (code {code}): {exc.text}" if exc.text else f"{status}")
    if status == 401 or code == INVALID_WEBHOOK_TOKEN:
        return CredentialsRejected(f"Discord rejected the credentials for {where}: {said}")
    if status == 429:
        return RateLimited(
            f"Discord refuses requests (429 without retry) for {where}", _retry_after(exc)
        )
    if status >= 500:
        return Transient(f"Discord failed for {where}: {said}")
    if code in (UNKNOWN_CHANNEL, UNKNOWN_GUILD):
        return CredentialsRejected(f"{where} is gone (the channel or server was deleted): {said}")
    if code == UNKNOWN_WEBHOOK:
        return CredentialsRejected(f"{where} was deleted or its URL is wrong: {said}")
    if code == MISSING_ACCESS:
        return CredentialsRejected(f"the bot cannot see {where} (View Channel): {said}")
    if code == MISSING_PERMISSIONS:
        return CredentialsRejected(f"the bot may not post in {where} (Send Messages): {said}")
    if code == NOT_A_TEXT_CHANNEL:
        return CredentialsRejected(f"{where} does not take messages: {said}")
    if status == 403 or starting:
        return CredentialsRejected(f"Discord refuses {where}: {said}")
    return ItemRejected(f"Discord refused the message for {where}: {said}")
