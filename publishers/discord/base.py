"""What the Discord publishers (channel and webhook) and the shared login have in common.

:class:`Closing`: ``async with`` whose entry makes no request and whose exit closes.
:class:`DiscordPublisher`: a destination's name, heading and timeout, rendering with
:func:`papers.discord_render.digest_posts` (pure), and :func:`message_parts`, which turns a
rendered post into what discord.py sends (every message goes with ``allowed_mentions`` none,
except the first message of a digest with a ping role, which may ping that role only:
:mod:`papers.discord_pings`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from types import TracebackType
from typing import Self

import discord

from papers.discord_pings import NOTIFY_ID, NOTIFY_LABEL, has_button, pinged_roles, with_ping
from papers.discord_render import digest_heading, digest_posts
from papers.model import Digest
from papers.publishing import ItemRejected, Post, Transient

DEFAULT_TIMEOUT = 120.0  # one request, including discord.py's own waits and retries


class Closing:
    """``async with`` support for something that starts on first use and ends with ``close()``."""

    async def close(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        """Nothing happens on entry (a dry run makes no request); the first use starts, and
        leaving closes."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class DiscordPublisher(Closing):
    """A Discord destination: ``send`` and ``find_sent`` start it on first use (``start()``
    checks it early, raising the ``PublishError`` kinds of :mod:`publishers.discord.errors`)."""

    platform = "discord"
    # whether its messages can carry the "Notify me" button (a webhook not owned by the
    # application cannot send interactive components)
    buttons = True

    def __init__(
        self, name: str, *, heading: str, timeout: float, ping_role_id: int | None = None
    ) -> None:
        self.name = name
        self.heading = heading
        self.timeout = timeout
        self.ping_role_id = ping_role_id
        self._lock = asyncio.Lock()

    @property
    def _where(self) -> str:
        """The destination in words, for errors and the log (never with a secret)."""
        raise NotImplementedError

    def render(self, digest: Digest) -> list[Post]:
        posts = digest_posts(
            digest, destination=self.name, heading=digest_heading(digest, self.heading)
        )
        return self._pinged(posts)

    def _pinged(self, posts: list[Post]) -> list[Post]:
        """The digest's first post mentioning the ping role, if there is one."""
        if self.ping_role_id is None:
            return posts
        return with_ping(posts, self.ping_role_id, button=self.buttons)

    async def delivery_guarantee(self) -> str | None:
        """None: the channel's history (and the message nonce) find a cut-off post again."""
        return None

    def _closed(self) -> Transient:
        return Transient(f"the publisher for {self._where} was closed while in use")


@dataclass(frozen=True)
class Message:
    """What discord.py sends for a rendered post."""

    content: str | None
    embeds: list[discord.Embed]
    allowed_mentions: discord.AllowedMentions
    view: discord.ui.View | None


def notify_view() -> discord.ui.View:
    """The "Notify me" button as discord.py sends it (the bot answers its presses by its
    fixed custom id; this view is only the button's shape)."""
    view = discord.ui.View(timeout=None)
    view.add_item(
        discord.ui.Button(
            label=NOTIFY_LABEL, custom_id=NOTIFY_ID, style=discord.ButtonStyle.secondary
        )
    )
    return view


def message_parts(post: Post) -> Message:
    """What to send for a rendered post (``ItemRejected`` if it is not a message): no one
    pinged, but for the role a digest's first message names in its ``allowed_mentions``."""
    try:
        content = post.payload.get("content") or None
        embeds = [discord.Embed.from_dict(e) for e in post.payload.get("embeds") or []]
        roles = pinged_roles(post.payload)
    except (TypeError, ValueError, AttributeError) as exc:
        raise ItemRejected(f"the post is not a Discord message: {exc}") from exc
    if content is not None and not isinstance(content, str):
        raise ItemRejected("the post's content is not text")
    allowed = discord.AllowedMentions.none()
    if roles:
        allowed.roles = [discord.Object(r) for r in roles]
    view = notify_view() if has_button(post.payload) else None
    return Message(content, embeds, allowed, view)
