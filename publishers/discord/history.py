"""Finding a post again in a channel's history: what the channel publisher's and the webhook
publisher's ``find_sent`` share.

A message is a post's when it is ours (the bot's, or the webhook's: its ``webhook_id``) and
carries the post's marker: its nonce where Discord still reports it, else its content and
embeds as Discord keeps them (:func:`fingerprint`: the text, not Discord's additions).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from contextlib import aclosing
from typing import Any

import discord

from papers.publishing import Post


def fingerprint(content: Any, embeds: Sequence[Mapping[str, Any]]) -> tuple[Any, ...]:
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


async def find_in_history(
    channel: discord.abc.Messageable,
    post: Post,
    *,
    ours: Callable[[discord.Message], bool],
    limit: int,
) -> discord.Message | None:
    """The newest of the channel's last ``limit`` messages that is ``ours`` and is ``post``.
    Raises discord.py's errors (``Forbidden`` without Read Message History)."""
    async with aclosing(candidates(channel, post, ours=ours, limit=limit)) as found:
        async for message in found:
            return message
    return None


async def candidates(
    channel: discord.abc.Messageable,
    post: Post,
    *,
    ours: Callable[[discord.Message], bool],
    limit: int,
) -> AsyncGenerator[discord.Message, None]:
    """Every one of the channel's last ``limit`` messages that is ``ours`` and is ``post``
    (its nonce, or its content and embeds), newest first."""
    wanted = fingerprint(post.payload.get("content"), post.payload.get("embeds") or [])
    async for message in channel.history(limit=limit):
        if not ours(message):
            continue
        if str(message.nonce) == post.key or wanted == fingerprint(
            message.content, [e.to_dict() for e in message.embeds]
        ):
            yield message
