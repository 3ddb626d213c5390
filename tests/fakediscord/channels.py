"""Routes for a channel and its messages: read, post (nonces honoured), edit, delete, react, type.

The bot's permissions in the channel are checked as Discord does (``Missing Access`` without
View Channel, ``Missing Permissions`` otherwise). The history (``GET .../messages``) leaves out
messages younger than the fake's ``read_lag``, as an eventually consistent read would.
:class:`ChannelRoutes` is a mixin of :class:`~tests.fakediscord.server.FakeDiscord`; messages
live in its :class:`~tests.fakediscord.messages.MessageStore`.
"""

from __future__ import annotations

from aiohttp import web

from tests.fakediscord.api import (
    JSON,
    ApiError,
    Route,
    field_error,
    invalid_form,
    json_response,
    path_snowflake,
    unknown,
)
from tests.fakediscord.models import TEXT_CHANNEL_TYPES, Channel, Guild
from tests.fakediscord.permissions import Permission
from tests.fakediscord.records import RecordedRequest


class ChannelRoutes:
    def _channel_routes(self) -> list[Route]:
        return [
            ("GET", "/channels/{channel_id}", self._get_channel),
            ("GET", "/channels/{channel_id}/messages", self._list_messages),
            ("POST", "/channels/{channel_id}/messages", self._create_message),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self._get_message),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self._edit_channel_message),
            (
                "DELETE",
                "/channels/{channel_id}/messages/{message_id}",
                self._delete_channel_message,
            ),
            ("POST", "/channels/{channel_id}/typing", self._typing),
            (
                "PUT",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
                self._react,
            ),
            (
                "DELETE",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
                self._unreact,
            ),
        ]

    def _channel_for_bot(
        self, request: web.Request, *, needs: int = 0
    ) -> tuple[Channel, Guild | None]:
        found = self._find_channel(path_snowflake(request, "channel_id", "Channel", 10003))
        if found is None:
            raise unknown("Channel", 10003)
        channel, guild = found
        if guild is not None:
            perms = self.bot_permissions_in(channel)
            if not perms & Permission.VIEW_CHANNEL:
                raise ApiError(403, 50001, "Missing Access")
            if needs and (perms & needs) != needs:
                raise ApiError(403, 50013, "Missing Permissions")
        return channel, guild

    def _message_in(self, request: web.Request, channel: Channel) -> JSON:
        mid = path_snowflake(request, "message_id", "Message", 10008)
        message = self._messages.get(mid)
        if message is None or message["channel_id"] != str(channel.id):
            raise unknown("Message", 10008)
        return message

    async def _get_channel(self, request: web.Request, record: RecordedRequest) -> web.Response:
        channel, _ = self._channel_for_bot(request)
        return json_response(channel.payload())

    async def _list_messages(self, request: web.Request, record: RecordedRequest) -> web.Response:
        channel, _ = self._channel_for_bot(request, needs=int(Permission.READ_MESSAGE_HISTORY))
        try:
            limit = int(request.query.get("limit", "50"))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 100:
            raise invalid_form(
                {"limit": field_error("NUMBER_TYPE_MAX", "Must be between 1 and 100.")}
            )
        ids = [i for i in self._channel_messages.get(channel.id, []) if self._readable(i)]
        if "before" in request.query:
            before = int(request.query["before"])
            ids = [i for i in ids if i < before]
        if "after" in request.query:
            after = int(request.query["after"])
            ids = [i for i in ids if i > after][:limit]
        if "around" in request.query:
            around = int(request.query["around"])
            older = [i for i in ids if i <= around][-(limit // 2 + limit % 2) :]
            newer = [i for i in ids if i > around][: limit // 2]
            ids = older + newer
        newest_first = sorted(ids, reverse=True)[:limit]
        return json_response([self._messages[i] for i in newest_first])

    async def _create_message(self, request: web.Request, record: RecordedRequest) -> web.Response:
        channel, guild = self._channel_for_bot(
            request, needs=int(Permission.VIEW_CHANNEL | Permission.SEND_MESSAGES)
        )
        if channel.type not in TEXT_CHANNEL_TYPES:
            raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
        payload = record.json if isinstance(record.json, dict) else {}
        nonce = payload.get("nonce")
        key = (channel.id, str(nonce))
        if nonce is not None and payload.get("enforce_nonce"):
            seen = self._nonces.get(key)
            if (
                seen is not None
                and self.clock() - seen[0] <= self.nonce_window
                and seen[1] in self._messages
            ):
                self.nonce_hits.append((str(nonce), seen[1]))
                return json_response(self._messages[seen[1]])
        self._validate_message(payload, files=record.files, creating=True)
        self._thread_accepts_post(channel)
        reference = payload.get("message_reference")
        if isinstance(reference, dict) and reference.get("message_id") is not None:
            target = self._messages.get(int(reference["message_id"]))
            if target is None and reference.get("fail_if_not_exists", True):
                raise invalid_form(
                    {
                        "message_reference": field_error(
                            "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"
                        )
                    }
                )
            if target is None:
                payload = {k: v for k, v in payload.items() if k != "message_reference"}
        member = self._bot_member(guild) if guild is not None else None
        message = self._build_message(
            channel, guild, self.bot_user, member, payload, files=record.files
        )
        self._store_message(message)
        self._posted()
        if nonce is not None:
            self._nonces[key] = (self.clock(), int(message["id"]))
        await self._dispatch_message("MESSAGE_CREATE", message, guild)
        return json_response(message)

    async def _get_message(self, request: web.Request, record: RecordedRequest) -> web.Response:
        channel, _ = self._channel_for_bot(request, needs=int(Permission.READ_MESSAGE_HISTORY))
        return json_response(self._message_in(request, channel))

    async def _edit_channel_message(
        self, request: web.Request, record: RecordedRequest
    ) -> web.Response:
        channel, guild = self._channel_for_bot(request)
        message = self._message_in(request, channel)
        payload = record.json if isinstance(record.json, dict) else {}
        if message["author"]["id"] != str(self.bot_user.id) and set(payload) - {"flags"}:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        self._validate_message(payload, files=record.files, creating=False)
        self._edit_message(message, payload, files=record.files)
        await self._dispatch_message("MESSAGE_UPDATE", message, guild)
        return json_response(message)

    async def _delete_channel_message(
        self, request: web.Request, record: RecordedRequest
    ) -> web.Response:
        channel, guild = self._channel_for_bot(request)
        message = self._message_in(request, channel)
        if (
            message["author"]["id"] != str(self.bot_user.id)
            and guild is not None
            and not self.bot_permissions_in(channel) & Permission.MANAGE_MESSAGES
        ):
            raise ApiError(403, 50013, "Missing Permissions")
        await self._delete_message(message)
        return web.Response(status=204)

    async def _typing(self, request: web.Request, record: RecordedRequest) -> web.Response:
        self._channel_for_bot(request, needs=int(Permission.SEND_MESSAGES))
        return web.Response(status=204)

    async def _react(self, request: web.Request, record: RecordedRequest) -> web.Response:
        channel, _ = self._channel_for_bot(
            request, needs=int(Permission.ADD_REACTIONS | Permission.READ_MESSAGE_HISTORY)
        )
        message = self._message_in(request, channel)
        emoji = request.match_info["emoji"]
        reactions: list[JSON] = message.setdefault("reactions", [])
        entry = next((r for r in reactions if r["emoji"]["name"] == emoji), None)
        if entry is None:
            reactions.append({"count": 1, "me": True, "emoji": {"id": None, "name": emoji}})
        elif not entry["me"]:
            entry.update(count=entry["count"] + 1, me=True)
        return web.Response(status=204)

    async def _unreact(self, request: web.Request, record: RecordedRequest) -> web.Response:
        channel, _ = self._channel_for_bot(request)
        message = self._message_in(request, channel)
        emoji = request.match_info["emoji"]
        reactions: list[JSON] = message.get("reactions", [])
        entry = next((r for r in reactions if r["emoji"]["name"] == emoji and r["me"]), None)
        if entry is not None:
            entry.update(count=entry["count"] - 1, me=False)
            if entry["count"] <= 0:
                reactions.remove(entry)
        return web.Response(status=204)
