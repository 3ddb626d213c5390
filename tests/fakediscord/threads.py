"""Forum channels and threads, as Discord's API documents them.

* A forum (channel type 15) carries ``available_tags``; ``POST /channels/{forum}/threads``
  starts a post: ``name`` (1-100 characters), ``auto_archive_duration`` (60, 1440, 4320 or
  10080 minutes), ``applied_tags`` (at most 5 of the forum's tag ids) and ``message`` (the
  first message, required). The post is a thread (type 11) with ``parent_id`` the forum and
  ``owner_id`` the bot; its first message's id is the thread's id. The answer is the thread
  with that ``message``. Needs Send Messages.
* ``POST /channels/{channel}/messages/{message}/threads`` starts a thread on a message of a
  text channel: the thread's id is the message's, and the message gains ``thread``; a second
  start on the same message is ``400 160004``.
* Messages are posted in a thread like in any channel. An archived thread is unarchived by
  a post; a locked one refuses it (``400 160005 Thread is locked``); a deleted one is
  ``404 10003 Unknown Channel``.
* ``GET /guilds/{guild}/threads/active`` lists the guild's threads that are not archived;
  ``GET /channels/{channel}/threads/archived/public`` a channel's archived ones, newest
  archived first (``before``, ``limit`` 2-100), and needs Read Message History.

:class:`ThreadRoutes` is a mixin of :class:`~tests.fakediscord.server.FakeDiscord`; tests make
forums with :func:`add_forum` and archive, lock or delete threads with its methods.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from aiohttp import web

from tests.fakediscord.api import (
    JSON,
    ApiError,
    Route,
    field_error,
    invalid_form,
    json_response,
)
from tests.fakediscord.models import Channel, ChannelType, Guild
from tests.fakediscord.permissions import Permission
from tests.fakediscord.records import RecordedRequest
from tests.fakediscord.snowflake import iso, new_snowflake, snowflake_time

ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)
NAME_MAX = 100
TAGS_PER_POST = 5
FLAG_HAS_THREAD = 1 << 5
THREAD_EXISTS = 160004
THREAD_LOCKED = 160005


def add_forum(
    guild: Guild, name: str, tags: list[str], *, moderated: tuple[str, ...] = ()
) -> Channel:
    """A forum channel of ``guild`` whose ``available_tags`` are ``tags`` (by name); those in
    ``moderated`` only members with Manage Threads may apply."""
    forum = guild.add_channel(name, type=ChannelType.GUILD_FORUM)
    forum.extra = {
        "available_tags": [
            {
                "id": str(new_snowflake()),
                "name": t,
                "moderated": t in moderated,
                "emoji_id": None,
                "emoji_name": None,
            }
            for t in tags
        ],
        "default_auto_archive_duration": 4320,
        "default_reaction_emoji": None,
        "default_sort_order": None,
        "default_forum_layout": 0,
        "rate_limit_per_user": 0,
        "topic": None,
        "last_message_id": None,
    }
    return forum


def tag_ids(forum: Channel, *names: str) -> list[str]:
    """The ids of the forum's tags called ``names``, in that order."""
    by_name = {t["name"]: t["id"] for t in forum.extra.get("available_tags", [])}
    return [by_name[n] for n in names]


class ThreadRoutes:
    def _thread_routes(self) -> list[Route]:
        return [
            ("POST", "/channels/{channel_id}/threads", self._start_forum_post),
            (
                "POST",
                "/channels/{channel_id}/messages/{message_id}/threads",
                self._start_message_thread,
            ),
            ("GET", "/guilds/{guild_id}/threads/active", self._active_threads),
            (
                "GET",
                "/channels/{channel_id}/threads/archived/public",
                self._archived_public_threads,
            ),
        ]

    # -- what tests read and do

    def threads(self, parent: Channel | int) -> list[Channel]:
        """The threads (forum posts) of ``parent``, oldest first."""
        pid = parent.id if isinstance(parent, Channel) else parent
        return [t for g in self.guilds for t in g.threads if t.parent_id == pid]

    def archive_thread(self, thread: Channel, *, locked: bool = False) -> None:
        meta = thread.extra["thread_metadata"]
        meta.update(archived=True, locked=locked, archive_timestamp=iso(datetime.now(UTC)))

    def delete_thread(self, thread: Channel) -> None:
        for guild in self.guilds:
            if thread in guild.threads:
                guild.threads.remove(thread)

    # -- the routes

    def _thread_accepts_post(self, channel: Channel) -> None:
        """A post in a thread: unarchived when archived, refused when locked."""
        if channel.type != ChannelType.PUBLIC_THREAD:
            return
        meta = channel.extra["thread_metadata"]
        if meta["locked"]:
            raise ApiError(400, THREAD_LOCKED, "Thread is locked")
        if meta["archived"]:
            meta.update(archived=False, archive_timestamp=iso(datetime.now(UTC)))
        channel.extra["message_count"] += 1
        channel.extra["total_message_sent"] += 1

    def _thread_fields(self, payload: JSON) -> tuple[str, int]:
        name = payload.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= NAME_MAX:
            raise invalid_form(
                {
                    "name": field_error(
                        "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
                    )
                }
            )
        duration = payload.get("auto_archive_duration", 4320)
        if duration not in ARCHIVE_DURATIONS:
            raise invalid_form(
                {
                    "auto_archive_duration": field_error(
                        "BASE_TYPE_CHOICES",
                        f"Value must be one of {{{', '.join(map(str, ARCHIVE_DURATIONS))}}}.",
                    )
                }
            )
        return name, int(duration)

    def _new_thread(
        self, parent: Channel, guild: Guild, thread_id: int, name: str, duration: int
    ) -> Channel:
        now = iso(snowflake_time(thread_id))
        thread = Channel(
            name,
            type=ChannelType.PUBLIC_THREAD,
            id=thread_id,
            parent_id=parent.id,
            guild_id=guild.id,
            overwrites=parent.overwrites,
        )
        thread.extra = {
            "owner_id": str(self.bot_user.id),
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": duration,
                "archive_timestamp": now,
                "locked": False,
                "create_timestamp": now,
            },
            "message_count": 0,
            "total_message_sent": 0,
            "member_count": 1,
            "applied_tags": [],
        }
        guild.threads.append(thread)
        return thread

    async def _start_forum_post(
        self, request: web.Request, record: RecordedRequest
    ) -> web.Response:
        forum, guild = self._channel_for_bot(
            request, needs=int(Permission.VIEW_CHANNEL | Permission.SEND_MESSAGES)
        )
        if forum.type != ChannelType.GUILD_FORUM or guild is None:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        payload: JSON = record.json if isinstance(record.json, dict) else {}
        name, duration = self._thread_fields(payload)
        tags = [str(t) for t in payload.get("applied_tags") or []]
        known = {t["id"] for t in forum.extra.get("available_tags", [])}
        if len(tags) > TAGS_PER_POST or not set(tags) <= known:
            raise invalid_form(
                {"applied_tags": field_error("BASE_TYPE_BAD_TAGS", "Invalid or too many tags.")}
            )
        moderated = {t["id"] for t in forum.extra["available_tags"] if t["moderated"]}
        if moderated & set(tags) and not self.bot_permissions_in(forum) & Permission.MANAGE_THREADS:
            raise ApiError(403, 50013, "Missing Permissions")
        message_payload = payload.get("message")
        if not isinstance(message_payload, dict):
            raise invalid_form(
                {"message": field_error("BASE_TYPE_REQUIRED", "This field is required")}
            )
        self._validate_message(message_payload, files=record.files, creating=True)
        thread = self._new_thread(forum, guild, new_snowflake(), name, duration)
        thread.extra["applied_tags"] = tags
        message = self._build_message(
            thread, guild, self.bot_user, self._bot_member(guild), message_payload
        )
        message["id"] = str(thread.id)  # a forum post's first message has the thread's id
        message["timestamp"] = iso(snowflake_time(thread.id))
        message.pop("nonce", None)
        self._thread_accepts_post(thread)
        self._store_message(message)
        forum.extra["last_message_id"] = str(thread.id)
        self._posted()
        await self._dispatch_message("MESSAGE_CREATE", message, guild)
        return json_response({**thread.payload(), "message": copy.deepcopy(message)}, status=201)

    async def _start_message_thread(
        self, request: web.Request, record: RecordedRequest
    ) -> web.Response:
        channel, guild = self._channel_for_bot(
            request, needs=int(Permission.VIEW_CHANNEL | Permission.CREATE_PUBLIC_THREADS)
        )
        text = (ChannelType.GUILD_TEXT, ChannelType.GUILD_ANNOUNCEMENT)
        if guild is None or channel.type not in text:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        message = self._message_in(request, channel)
        payload: JSON = record.json if isinstance(record.json, dict) else {}
        name, duration = self._thread_fields(payload)
        if "thread" in message:
            raise ApiError(400, THREAD_EXISTS, "A thread has already been created for this message")
        thread = self._new_thread(channel, guild, int(message["id"]), name, duration)
        message["thread"] = thread.payload()
        message["flags"] = int(message.get("flags") or 0) | FLAG_HAS_THREAD
        self._posted()
        return json_response(thread.payload(), status=201)

    async def _active_threads(self, request: web.Request, record: RecordedRequest) -> web.Response:
        guild = self._guild_for_bot(request)
        threads = [
            t.payload()
            for t in guild.threads
            if not t.extra["thread_metadata"]["archived"]
            and self.bot_permissions_in(t) & Permission.VIEW_CHANNEL
        ]
        return json_response({"threads": threads, "members": []})

    async def _archived_public_threads(
        self, request: web.Request, record: RecordedRequest
    ) -> web.Response:
        parent, guild = self._channel_for_bot(request, needs=int(Permission.READ_MESSAGE_HISTORY))
        limit = _int(request.query.get("limit", "50"))
        if limit is None or not 2 <= limit <= 100:
            raise invalid_form(
                {"limit": field_error("NUMBER_TYPE_MAX", "Must be between 2 and 100.")}
            )
        archived = [
            t
            for t in (guild.threads if guild is not None else [])
            if t.parent_id == parent.id and t.extra["thread_metadata"]["archived"]
        ]
        archived.sort(key=lambda t: t.extra["thread_metadata"]["archive_timestamp"], reverse=True)
        before = request.query.get("before")
        if before:
            archived = [
                t for t in archived if t.extra["thread_metadata"]["archive_timestamp"] < before
            ]
        shown = archived[:limit]
        return json_response(
            {
                "threads": [t.payload() for t in shown],
                "members": [],
                "has_more": len(archived) > limit,
            }
        )


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None
