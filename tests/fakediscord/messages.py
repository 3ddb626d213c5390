"""Messages as Discord keeps them: built, stored, edited, deleted, validated and dispatched.

:class:`MessageStore` is a mixin of :class:`~tests.fakediscord.server.FakeDiscord`, used by the
channel and interaction routes and by the driver. A message is its JSON payload as Discord
sends it (mentions resolved against ``allowed_mentions``, embeds normalised, attachments given
URLs). MESSAGE_CREATE/UPDATE/DELETE go to every session with the intent, content hidden from a
session without the message content intent as Discord does. In strict mode payloads over
Discord's limits are refused with its ``Invalid Form Body``. When each message was stored is
kept beside it (``_stored_at``, by the fake's ``clock``), for ``read_lag``.
"""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from typing import Any

from tests.fakediscord.api import (
    FLAG_EPHEMERAL,
    FLAG_IS_COMPONENTS_V2,
    FLAG_LOADING,
    FLAG_SUPPRESS_EMBEDS,
    INTERACTION_APPLICATION_COMMAND,
    JSON,
    MESSAGE_CHAT_INPUT_COMMAND,
    MESSAGE_DEFAULT,
    MESSAGE_REPLY,
    ApiError,
    field_error,
    invalid_form,
)
from tests.fakediscord.limits import CONTENT_MAX, check_message_limits
from tests.fakediscord.models import Channel, Guild, Member, User
from tests.fakediscord.permissions import (
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MESSAGES,
    INTENT_MESSAGE_CONTENT,
)
from tests.fakediscord.records import InteractionRecord, UploadedFile
from tests.fakediscord.snowflake import iso, new_snowflake, snowflake_time

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
_EDITABLE_FIELDS = ("content", "embeds", "components", "attachments", "allowed_mentions", "flags")


class MessageStore:
    async def _dispatch_message(self, event: str, message: JSON, guild: Guild | None) -> None:
        if int(message.get("flags") or 0) & FLAG_EPHEMERAL:
            return
        needed = INTENT_GUILD_MESSAGES if guild is not None else INTENT_DIRECT_MESSAGES
        bot_id = str(self.bot_user.id)
        for session in [s for s in self.sessions if not s.ended]:
            if not session.has_intent(needed):
                continue
            data = copy.deepcopy(message)
            sees_content = (
                session.has_intent(INTENT_MESSAGE_CONTENT)
                or guild is None
                or data["author"]["id"] == bot_id
                or any(m["id"] == bot_id for m in data.get("mentions", []))
            )
            if not sees_content:
                data.update(content="", embeds=[], attachments=[], components=[])
                data.pop("poll", None)
            await self._gateway.dispatch(session, event, data)

    def _build_message(
        self,
        channel: Channel,
        guild: Guild | None,
        author: User,
        member: Member | None,
        payload: JSON,
        *,
        message_type: int | None = None,
        webhook_id: int | None = None,
        interaction: InteractionRecord | None = None,
        files: list[UploadedFile] | None = None,
    ) -> JSON:
        mid = new_snowflake()
        content = payload.get("content") or ""
        reference = payload.get("message_reference")
        referenced: JSON | None = None
        if isinstance(reference, dict) and reference.get("message_id") is not None:
            target = self._messages.get(int(reference["message_id"]))
            if target is not None:
                referenced = copy.deepcopy(target)
                referenced.pop("referenced_message", None)
        mentions, roles, everyone = self._mentions(content, payload, guild, referenced)
        message: JSON = {
            "id": str(mid),
            "channel_id": str(channel.id),
            "author": author.payload(),
            "content": content,
            "timestamp": iso(snowflake_time(mid)),
            "edited_timestamp": None,
            "tts": bool(payload.get("tts")),
            "mention_everyone": everyone,
            "mentions": mentions,
            "mention_roles": roles,
            "attachments": [self._attachment(f) for f in files or []],
            "embeds": [_normalise_embed(e) for e in payload.get("embeds") or []],
            "pinned": False,
            "type": MESSAGE_DEFAULT,
            "flags": int(payload.get("flags") or 0),
            "components": copy.deepcopy(payload.get("components") or []),
        }
        if guild is not None:
            message["guild_id"] = str(guild.id)
            if member is not None and webhook_id is None:
                message["member"] = member.payload(with_user=False)
        if payload.get("nonce") is not None:
            message["nonce"] = payload["nonce"]
        if webhook_id is not None:
            message["webhook_id"] = str(webhook_id)
            if webhook_id == self.application_id:  # an interaction's answer, not a channel's
                message["application_id"] = str(self.application_id)
        if isinstance(reference, dict) and reference.get("message_id") is not None:
            message["type"] = MESSAGE_REPLY
            message["message_reference"] = {
                "type": 0,
                "message_id": str(reference["message_id"]),
                "channel_id": str(reference.get("channel_id") or channel.id),
                **({"guild_id": str(guild.id)} if guild is not None else {}),
            }
            message["referenced_message"] = referenced
        if interaction is not None:
            user = self._find_user(interaction.user_id)
            meta: JSON = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": user.payload() if user else None,
                "authorizing_integration_owners": interaction.payload.get(
                    "authorizing_integration_owners", {}
                ),
            }
            if interaction.type == INTERACTION_APPLICATION_COMMAND:
                meta["name"] = interaction.payload["data"]["name"]
                message["type"] = MESSAGE_CHAT_INPUT_COMMAND
            elif interaction.original_message_id is not None:
                meta["interacted_message_id"] = str(interaction.original_message_id)
            message["interaction_metadata"] = meta
        if message_type is not None:
            message["type"] = message_type
        return message

    def _attachment(self, f: UploadedFile) -> JSON:
        aid = new_snowflake()
        url = f"{self.base_url}/attachments/{aid}/{f.filename}"
        return {
            "id": str(aid),
            "filename": f.filename,
            "size": f.size,
            "url": url,
            "proxy_url": url,
            "content_type": f.content_type,
        }

    def _mentions(
        self, content: str, payload: JSON, guild: Guild | None, referenced: JSON | None
    ) -> tuple[list[JSON], list[str], bool]:
        """Who a message pings, applying ``allowed_mentions`` like Discord."""
        allowed = payload.get("allowed_mentions")
        if isinstance(allowed, dict):
            parse = set(allowed.get("parse") or [])
            users = {str(u) for u in allowed.get("users") or []}
            roles = {str(r) for r in allowed.get("roles") or []}
            replied = bool(allowed.get("replied_user", False))
        else:
            parse, users, roles, replied = {"users", "roles", "everyone"}, set(), set(), True
        user_ids = [
            u
            for u in dict.fromkeys(_USER_MENTION.findall(content))
            if "users" in parse or u in users
        ]
        if referenced is not None and replied and referenced["author"]["id"] not in user_ids:
            user_ids.append(referenced["author"]["id"])
        mentions: list[JSON] = []
        for uid in user_ids:
            user = self._find_user(int(uid))
            if user is None:
                continue
            entry = user.payload()
            member = guild.get_member(user.id) if guild is not None else None
            if member is not None:
                entry["member"] = member.payload(with_user=False)
            mentions.append(entry)
        role_ids = [
            r
            for r in dict.fromkeys(_ROLE_MENTION.findall(content))
            if "roles" in parse or r in roles
        ]
        if guild is not None:
            role_ids = [r for r in role_ids if guild.get_role(int(r)) is not None]
        everyone = "everyone" in parse and ("@everyone" in content or "@here" in content)
        return mentions, role_ids, everyone

    def _store_message(self, message: JSON) -> None:
        mid = int(message["id"])
        cid = int(message["channel_id"])
        self._messages[mid] = message
        self._stored_at[mid] = self.clock()
        self._channel_messages.setdefault(cid, []).append(mid)
        found = self._find_channel(cid)
        if found is not None:
            found[0].last_message_id = mid

    def _readable(self, message_id: int) -> bool:
        """Whether history reads show the message yet: stored ``read_lag`` or more ago."""
        if self.read_lag <= 0:
            return True
        stored = self._stored_at.get(message_id, float("-inf"))
        return self.clock() - stored >= self.read_lag

    def _edit_message(
        self, message: JSON, payload: JSON, *, files: list[UploadedFile] | None = None
    ) -> None:
        guild = self._guild_by_id(int(message["guild_id"])) if message.get("guild_id") else None
        for key in _EDITABLE_FIELDS:
            if key not in payload or key == "allowed_mentions":
                continue
            value = payload[key]
            if key == "embeds":
                message["embeds"] = [_normalise_embed(e) for e in value or []]
            elif key == "flags":
                keep = int(message.get("flags") or 0) & (FLAG_EPHEMERAL | FLAG_IS_COMPONENTS_V2)
                message["flags"] = keep | (int(value or 0) & FLAG_SUPPRESS_EMBEDS)
            elif key == "attachments":
                kept_ids = {str(a.get("id")) for a in value or [] if isinstance(a, dict)}
                message["attachments"] = [a for a in message["attachments"] if a["id"] in kept_ids]
            elif key == "content":
                message["content"] = value or ""
            else:
                message[key] = copy.deepcopy(value or [])
        if files:
            message["attachments"] += [self._attachment(f) for f in files]
        if "content" in payload or "allowed_mentions" in payload:
            mentions, roles, everyone = self._mentions(
                message["content"], payload, guild, message.get("referenced_message")
            )
            message.update(mentions=mentions, mention_roles=roles, mention_everyone=everyone)
        if int(message.get("flags") or 0) & FLAG_LOADING:
            message["flags"] = int(message["flags"]) & ~FLAG_LOADING
        else:
            message["edited_timestamp"] = iso(datetime.now(UTC))

    async def _delete_message(self, message: JSON) -> None:
        mid = int(message["id"])
        cid = int(message["channel_id"])
        self._messages.pop(mid, None)
        self._stored_at.pop(mid, None)
        ids = self._channel_messages.get(cid, [])
        if mid in ids:
            ids.remove(mid)
        self.deleted_messages.append(message)
        guild = self._guild_by_id(int(message["guild_id"])) if message.get("guild_id") else None
        data: JSON = {"id": str(mid), "channel_id": str(cid)}
        if guild is not None:
            data["guild_id"] = str(guild.id)
        if not int(message.get("flags") or 0) & FLAG_EPHEMERAL:
            for session in [s for s in self.sessions if not s.ended]:
                needed = INTENT_GUILD_MESSAGES if guild is not None else INTENT_DIRECT_MESSAGES
                if session.has_intent(needed):
                    await self._gateway.dispatch(session, "MESSAGE_DELETE", copy.deepcopy(data))

    def _validate_message(
        self, payload: JSON, *, files: list[UploadedFile], creating: bool
    ) -> None:
        if creating and not (
            payload.get("content")
            or payload.get("embeds")
            or payload.get("components")
            or payload.get("sticker_ids")
            or payload.get("poll")
            or files
        ):
            raise ApiError(400, 50006, "Cannot send an empty message")
        if not self.strict:
            return
        problems = check_message_limits(payload)
        content = payload.get("content")
        if isinstance(content, str) and len(content) > CONTENT_MAX:
            raise invalid_form(
                {
                    "content": field_error(
                        "BASE_TYPE_MAX_LENGTH", f"Must be {CONTENT_MAX} or fewer in length."
                    )
                }
            )
        if problems:
            raise invalid_form({"_fake": field_error("LIMITS", "; ".join(problems))})


def _normalise_embed(embed: Any) -> JSON:
    data = copy.deepcopy(embed) if isinstance(embed, dict) else {}
    data.setdefault("type", "rich")
    for field in data.get("fields") or []:
        field.setdefault("inline", False)
    return data
