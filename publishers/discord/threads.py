"""Discord threads over REST: forum posts, threads on messages, and finding them again.

The requests, as Discord documents them (through discord.py's HTTP client, so its rate limits,
retries and the process's pace apply):

* ``POST /channels/{forum}/threads`` starts a forum post with its first message (whose id is
  the thread's): :func:`start_forum_post`;
* ``POST /channels/{channel}/messages/{message}/threads`` opens a thread on a message (the
  thread's id is the message's): :func:`open_thread`. Opening it again answers ``400 160004``
  (the message has its thread already), which is what a second try after a crash wants;
* ``GET /guilds/{guild}/threads/active`` and ``GET /channels/{forum}/threads/archived/public``
  list threads: :func:`find_forum_post` looks there for the bot's post of a given name whose
  first message is the post (a crash between Discord's answer and the ledger's commit).

Errors are discord.py's (``HTTPException``); callers map them with
:func:`publishers.discord.errors.discord_errors`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import aclosing
from typing import Any

import discord
from discord.http import Route

from papers.publishing import Post
from publishers.discord.history import candidates, fingerprint

THREAD_EXISTS = 160004  # a thread was already opened on this message
THREAD_LOCKED = 160005
ARCHIVED_THREAD = 50083  # "operation cannot be performed on an archived thread"
UNKNOWN_CHANNEL = 10003
MISSING_ACCESS = 50001
# a forum post that can no longer take replies: deleted, locked, or out of the bot's reach
LOST_POST = frozenset({UNKNOWN_CHANNEL, MISSING_ACCESS, THREAD_LOCKED, ARCHIVED_THREAD})
ARCHIVED_PAGE = 50


async def find_heading(
    client: discord.Client,
    channel: discord.abc.Messageable,
    post: Post,
    *,
    ours: Callable[[discord.Message], bool],
    limit: int,
) -> discord.Message | None:
    """A digest's heading cut off by a crash, among the channel's last ``limit`` messages:
    the newest of the bot's messages that carry its nonce, or else read as it (an earlier
    digest of as many items reads the same) and whose thread, if it has one yet, holds no
    message. An earlier digest's heading has its digest in its thread, and a heading still
    pending has nothing in its thread: its messages are sent once it is recorded."""
    async with aclosing(candidates(channel, post, ours=ours, limit=limit)) as found:
        async for message in found:
            if str(message.nonce) == post.key:
                return message  # this very heading
            try:
                thread = await client.http.get_channel(message.id)  # the message's id
            except discord.NotFound:
                return message  # no thread yet
            if not thread.get("message_count"):
                return message
    return None


def jump_url(guild_id: int | None, channel_id: int | str, message_id: int | str) -> str:
    return f"https://discord.com/channels/{guild_id or '@me'}/{channel_id}/{message_id}"


def message_body(post: Post) -> dict[str, Any]:
    """A rendered post as the JSON of a message: its content, embeds, components, and
    ``allowed_mentions`` (no one, unless the post names a role: ``papers.discord_pings``)."""
    payload = post.payload
    body: dict[str, Any] = {
        "content": payload.get("content") or "",
        "embeds": payload.get("embeds") or [],
        "allowed_mentions": payload.get("allowed_mentions") or {"parse": []},
    }
    if payload.get("components"):
        body["components"] = payload["components"]
    return body


async def start_forum_post(
    client: discord.Client, forum_id: int, thread: Mapping[str, Any], post: Post
) -> dict[str, Any]:
    """Start a post in the forum: the thread's JSON, with its first ``message``."""
    body = {
        "name": thread["name"],
        "auto_archive_duration": thread["auto_archive_duration"],
        "applied_tags": list(thread.get("applied_tags") or []),
        "message": message_body(post),
    }
    route = Route("POST", "/channels/{channel_id}/threads", channel_id=forum_id)
    data: dict[str, Any] = await client.http.request(route, json=body)
    return data


async def open_thread(
    client: discord.Client, channel_id: int, message_id: int, thread: Mapping[str, Any]
) -> bool:
    """Open a thread on the message (its id is the message's). False: it had one already."""
    route = Route(
        "POST",
        "/channels/{channel_id}/messages/{message_id}/threads",
        channel_id=channel_id,
        message_id=message_id,
    )
    body = {"name": thread["name"], "auto_archive_duration": thread["auto_archive_duration"]}
    try:
        await client.http.request(route, json=body)
    except discord.HTTPException as exc:
        if exc.code == THREAD_EXISTS:
            return False
        raise
    return True


async def find_forum_post(
    client: discord.Client, *, guild_id: int, forum_id: int, name: str, post: Post
) -> int | None:
    """The id of the bot's post in the forum named ``name`` whose first message is ``post``
    (its content and embeds): among the guild's active threads, then the forum's most recently
    archived ones. None when there is none."""
    me = client.user.id if client.user is not None else None
    active = await client.http.request(
        Route("GET", "/guilds/{guild_id}/threads/active", guild_id=guild_id)
    )
    archived = await client.http.request(
        Route("GET", "/channels/{channel_id}/threads/archived/public", channel_id=forum_id),
        params={"limit": ARCHIVED_PAGE},
    )
    wanted = fingerprint(post.payload.get("content"), post.payload.get("embeds") or [])
    for thread in [*active.get("threads", []), *archived.get("threads", [])]:
        if (
            str(thread.get("parent_id")) != str(forum_id)
            or str(thread.get("owner_id")) != str(me)
            or thread.get("name") != name
        ):
            continue
        try:
            first = await client.http.get_message(int(thread["id"]), int(thread["id"]))
        except discord.NotFound:
            continue  # the first message was deleted: not a post we can recognise
        if fingerprint(first.get("content"), first.get("embeds") or []) == wanted:
            return int(thread["id"])
    return None
