"""A forum channel's posts: one per paper, later summaries as replies in it.

A post rendered by :func:`papers.discord_forum.forum_posts` carries ``forum_post`` (its name,
tags, archive duration and paper). :meth:`ForumPoster.send` answers in the paper's post when it
has one (its home, :class:`papers.ports.ThreadHomes`): a message in that thread, with the
post's key as its nonce (an archived post is unarchived by it, as Discord does for the bot).
Otherwise, or when the home can no longer take replies (deleted, locked, out of reach: 404,
403, 400 160005), it starts a new post and records it as the paper's home before answering.

After a crash (:meth:`ForumPoster.find`): with a home, the message is looked for in that
thread's last messages (nonce, or content and embeds: :mod:`publishers.discord.history`);
without one, the forum's posts are looked through for the bot's post of that name whose first
message is this post (:func:`publishers.discord.threads.find_forum_post`), which then becomes
the paper's home. So a kill between Discord making the post and the ledger's commit never
makes a second post.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import discord

from papers.discord_forum import FORUM_POST
from papers.ports import ThreadHomes
from papers.publishing import Post, Sent
from publishers.discord.base import message_parts
from publishers.discord.history import find_in_history
from publishers.discord.threads import LOST_POST, find_forum_post, jump_url, start_forum_post

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Forum:
    """A forum channel as the run found it: its guild and the tags the bot may apply (id and
    name; a moderated tag is the moderators' to apply)."""

    channel_id: int
    guild_id: int
    tags: tuple[dict[str, str], ...]

    @classmethod
    def of(cls, channel: discord.ForumChannel) -> Forum:
        tags = tuple(
            {"id": str(t.id), "name": t.name} for t in channel.available_tags if not t.moderated
        )
        return cls(channel.id, channel.guild.id, tags)


class ForumPoster:
    """Sends and finds the posts of one forum for one run (see the module)."""

    def __init__(
        self,
        client: discord.Client,
        forum: Forum,
        homes: ThreadHomes | None,
        *,
        scan_limit: int,
    ) -> None:
        self.client = client
        self.forum = forum
        self.homes = homes
        self.scan_limit = scan_limit

    def _meta(self, post: Post) -> tuple[dict[str, Any], str | None]:
        meta: dict[str, Any] = post.payload[FORUM_POST]
        paper = meta.get("paper")
        return meta, str(paper) if paper else None

    async def _home(self, paper: str | None) -> int | None:
        if paper is None or self.homes is None:
            return None
        return await self.homes.thread_home(self.forum.channel_id, paper)

    async def _set_home(self, paper: str | None, thread_id: int) -> None:
        if paper is not None and self.homes is not None:
            await self.homes.set_thread_home(
                self.forum.channel_id,
                paper,
                thread_id,
                guild_id=self.forum.guild_id,
                now=datetime.now(UTC),
            )

    def _thread(self, thread_id: int) -> discord.PartialMessageable:
        return self.client.get_partial_messageable(
            thread_id, guild_id=self.forum.guild_id, type=discord.ChannelType.public_thread
        )

    async def send(self, post: Post) -> Sent:
        meta, paper = self._meta(post)
        home = await self._home(paper)
        if home is not None:
            try:
                return await self._reply(home, post)
            except discord.HTTPException as exc:
                if exc.code not in LOST_POST:
                    raise
                log.warning(
                    "forum post %s of paper %s takes no reply (%s): starting a new one",
                    home,
                    paper,
                    exc.text or exc.code,
                )
                if self.homes is not None and paper is not None:
                    await self.homes.forget_thread_home(self.forum.channel_id, paper)
        data = await start_forum_post(self.client, self.forum.channel_id, meta, post)
        thread_id = int(data["id"])
        await self._set_home(paper, thread_id)  # before the answer goes to the ledger
        message_id = (data.get("message") or {}).get("id") or thread_id
        return Sent(str(message_id), jump_url(self.forum.guild_id, thread_id, message_id))

    async def _reply(self, thread_id: int, post: Post) -> Sent:
        parts = message_parts(post)
        message = await self._thread(thread_id).send(
            content=parts.content,
            embeds=parts.embeds,
            nonce=post.key,
            allowed_mentions=parts.allowed_mentions,
            view=parts.view or discord.utils.MISSING,
        )
        return Sent(str(message.id), jump_url(self.forum.guild_id, thread_id, message.id))

    async def find(self, post: Post) -> Sent | None:
        meta, paper = self._meta(post)
        me = self.client.user.id if self.client.user is not None else None
        home = await self._home(paper)
        if home is not None:
            try:
                message = await find_in_history(
                    self._thread(home),
                    post,
                    ours=lambda m: m.author.id == me,
                    limit=self.scan_limit,
                )
            except discord.NotFound:
                message = None  # the post is gone: the send starts a new one
            if message is not None:
                return Sent(str(message.id), jump_url(self.forum.guild_id, home, message.id))
        found = await find_forum_post(
            self.client,
            guild_id=self.forum.guild_id,
            forum_id=self.forum.channel_id,
            name=meta["name"],
            post=post,
        )
        if found is None:
            return None
        await self._set_home(paper, found)
        return Sent(str(found), jump_url(self.forum.guild_id, found, found))
