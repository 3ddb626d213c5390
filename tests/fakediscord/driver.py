"""What tests make users do: post a message, run a slash command, press a button, pick, submit.

:class:`Driver` is a mixin of :class:`~tests.fakediscord.server.FakeDiscord`. Each action is
stored like Discord would and dispatched to the bot's sessions (MESSAGE_CREATE,
INTERACTION_CREATE); slash command options are checked against the synced commands and
resolved (users, members, roles, channels) as Discord sends them. ``dispatch`` sends any event.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Mapping
from typing import Any

from tests.fakediscord.api import (
    INTERACTION_APPLICATION_COMMAND,
    INTERACTION_MESSAGE_COMPONENT,
    INTERACTION_MODAL_SUBMIT,
    JSON,
)
from tests.fakediscord.gateway import GatewaySession
from tests.fakediscord.models import Channel, Guild, Member, Role, User
from tests.fakediscord.records import InteractionRecord, SentInteraction, SentMessage
from tests.fakediscord.snowflake import new_snowflake


class Driver:
    def _live_sessions(self) -> list[GatewaySession]:
        sessions = [s for s in self.sessions if not s.ended]
        if not sessions:
            raise RuntimeError("no bot has identified on the fake gateway")
        return sessions

    async def dispatch(self, event: str, data: JSON) -> None:
        """Send any dispatch event, as is, to every session."""
        for session in self._live_sessions():
            await self._gateway.dispatch(session, event, copy.deepcopy(data))
        self._notify()

    async def send_message(
        self,
        channel: Channel | int,
        author: Member | User,
        content: str,
        *,
        reply_to: int | None = None,
        embeds: list[JSON] | None = None,
        components: list[JSON] | None = None,
    ) -> SentMessage:
        """A user posts a message: stored, then MESSAGE_CREATE to the bot (content hidden
        from a session without the message content intent, as Discord does, unless the
        message mentions the bot or is a DM)."""
        chan, guild = self._channel_arg(channel)
        user, member = self._author_arg(author, guild)
        payload: JSON = {"content": content, "embeds": embeds or [], "components": components or []}
        if reply_to is not None:
            payload["message_reference"] = {"message_id": str(reply_to)}
        message = self._build_message(chan, guild, user, member, payload)
        self._store_message(message)
        await self._dispatch_message("MESSAGE_CREATE", message, guild)
        self._notify()
        return SentMessage(
            id=int(message["id"]),
            channel_id=chan.id,
            guild_id=guild.id if guild else None,
            author_id=user.id,
            payload=copy.deepcopy(message),
        )

    async def send_interaction(
        self,
        name: str,
        *,
        user: Member | User,
        channel: Channel | int,
        options: Mapping[str, Any] | None = None,
    ) -> SentInteraction:
        """A user runs slash command ``name`` (``"group sub"`` for subcommands) with
        ``options`` (Python values; users, members, roles and channels from the model become
        snowflakes plus ``resolved`` data). The command must have been synced unless the fake
        was made with ``require_synced_commands=False``."""
        chan, guild = self._channel_arg(channel)
        data = self._command_data(name, options or {}, guild, chan)
        return await self._send_interaction(
            INTERACTION_APPLICATION_COMMAND, user, chan, guild, data
        )

    def _command_data(
        self,
        name: str,
        options: Mapping[str, Any],
        guild: Guild | None,
        chan: Channel,
        *,
        partial: bool = False,
    ) -> JSON:
        """Slash command ``name``'s data; ``partial``: required options may be missing."""
        root, *path = name.split()
        command = self._synced_command(root, guild)
        resolved: JSON = {}
        schema = command.get("options") if command is not None else None
        data: JSON = {
            "id": command["id"] if command is not None else str(new_snowflake()),
            "name": root,
            "type": 1,
            "options": self._build_options(
                root, schema, path, options, resolved, guild, chan, partial=partial
            ),
        }
        if command is not None and command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return data

    async def press_button(
        self, message_id: int, custom_id: str, *, user: Member | User
    ) -> SentInteraction:
        """A user clicks the button ``custom_id`` on a message (it must exist and be enabled)."""
        message = self._messages.get(message_id)
        if message is None:
            raise LookupError(f"no message {message_id}")
        component = self._find_component(message, custom_id)
        if component.get("type") != 2:
            raise ValueError(f"{custom_id!r} is not a button")
        if component.get("disabled"):
            raise ValueError(f"button {custom_id!r} is disabled; a user cannot press it")
        chan, guild = self._channel_arg(int(message["channel_id"]))
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._send_interaction(
            INTERACTION_MESSAGE_COMPONENT, user, chan, guild, data, message=message
        )

    async def select(
        self, message_id: int, custom_id: str, values: list[str], *, user: Member | User
    ) -> SentInteraction:
        """A user picks ``values`` in the select menu ``custom_id`` of a message."""
        message = self._messages.get(message_id)
        if message is None:
            raise LookupError(f"no message {message_id}")
        component = self._find_component(message, custom_id)
        if component.get("disabled"):
            raise ValueError(f"select {custom_id!r} is disabled")
        chan, guild = self._channel_arg(int(message["channel_id"]))
        data = {"custom_id": custom_id, "component_type": component["type"], "values": values}
        return await self._send_interaction(
            INTERACTION_MESSAGE_COMPONENT, user, chan, guild, data, message=message
        )

    async def submit_modal(
        self, interaction_id: int, values: Mapping[str, str | list[str]]
    ) -> SentInteraction:
        """The user who got a modal (callback type 9) submits it with ``values`` by custom_id."""
        record = self._interactions[interaction_id]
        if record.modal is None:
            raise LookupError(f"interaction {interaction_id} opened no modal")
        chan, guild = self._channel_arg(record.channel_id)
        user = self._find_user(record.user_id)
        assert user is not None

        def fill(components: list[JSON]) -> list[JSON]:
            out: list[JSON] = []
            for c in components:
                if c.get("type") == 1:
                    out.append({"type": 1, "components": fill(c.get("components") or [])})
                elif c.get("type") == 18 and isinstance(c.get("component"), dict):
                    out.append({"type": 18, "component": fill([c["component"]])[0]})
                elif c.get("custom_id") is not None:
                    value = values.get(c["custom_id"], "")
                    entry: JSON = {"type": c["type"], "custom_id": c["custom_id"]}
                    if isinstance(value, list):
                        entry["values"] = value
                    else:
                        entry["value"] = value
                    out.append(entry)
            return out

        data = {
            "custom_id": record.modal.get("custom_id"),
            "components": fill(record.modal.get("components") or []),
        }
        member_or_user: Member | User = user
        if guild is not None:
            member_or_user = guild.get_member(user.id) or user
        return await self._send_interaction(
            INTERACTION_MODAL_SUBMIT, member_or_user, chan, guild, data
        )

    def _channel_arg(self, channel: Channel | int) -> tuple[Channel, Guild | None]:
        cid = channel.id if isinstance(channel, Channel) else channel
        found = self._find_channel(cid)
        if found is None:
            raise LookupError(f"no channel {cid} in the fake's world (DMs: use fake.dm_channel)")
        return found

    def _author_arg(self, author: Member | User, guild: Guild | None) -> tuple[User, Member | None]:
        user = author.user if isinstance(author, Member) else author
        if guild is None:
            return user, None
        member = guild.get_member(user.id)
        if member is None:
            raise LookupError(f"{user.username} is not a member of {guild.name}")
        return user, member

    def _find_component(self, message: JSON, custom_id: str) -> JSON:
        found: list[JSON] = []

        def walk(components: list[Any]) -> None:
            for c in components:
                if not isinstance(c, dict):
                    continue
                if c.get("custom_id") == custom_id:
                    found.append(c)
                walk(c.get("components") or [])
                for key in ("accessory", "component"):
                    if isinstance(c.get(key), dict):
                        walk([c[key]])

        walk(message.get("components") or [])
        if not found:
            raise LookupError(f"message {message['id']} has no component {custom_id!r}")
        return found[0]

    async def _send_interaction(
        self,
        itype: int,
        author: Member | User,
        channel: Channel,
        guild: Guild | None,
        data: JSON,
        *,
        message: JSON | None = None,
    ) -> SentInteraction:
        user, member = self._author_arg(author, guild)
        sessions = self._live_sessions()
        iid = new_snowflake()
        token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)
        payload: JSON = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "data": data,
            "token": token,
            "version": 1,
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
            "app_permissions": str(self.bot_permissions_in(channel)),
            "channel_id": str(channel.id),
            "channel": channel.payload(),
        }
        if guild is not None and member is not None:
            payload.update(
                guild_id=str(guild.id),
                guild={"id": str(guild.id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                member=member.payload(permissions=guild.permissions_for(member, channel)),
                authorizing_integration_owners={"0": str(guild.id)},
                context=0,
            )
        else:
            payload.update(
                user=user.payload(),
                authorizing_integration_owners={"0": str(user.id)},
                context=1,
            )
        if message is not None:
            payload["message"] = copy.deepcopy(message)
        record = InteractionRecord(
            id=iid,
            token=token,
            type=itype,
            channel_id=channel.id,
            guild_id=guild.id if guild else None,
            user_id=user.id,
            payload=payload,
            created_at=self.clock(),
        )
        if message is not None:
            record.original_message_id = int(message["id"])
        self._interactions[iid] = record
        for session in sessions:
            await self._gateway.dispatch(session, "INTERACTION_CREATE", copy.deepcopy(payload))
        self._notify()
        return SentInteraction(
            id=iid,
            token=token,
            type=itype,
            channel_id=channel.id,
            guild_id=record.guild_id,
            user_id=user.id,
            payload=copy.deepcopy(payload),
        )

    def _build_options(
        self,
        command: str,
        schema: list[JSON] | None,
        path: list[str],
        values: Mapping[str, Any],
        resolved: JSON,
        guild: Guild | None,
        channel: Channel,
        *,
        partial: bool = False,
    ) -> list[JSON]:
        if path:
            sub = path[0]
            sub_schema = next(
                (o for o in schema or [] if o["name"] == sub and o.get("type") in (1, 2)), None
            )
            if schema is not None and sub_schema is None:
                raise LookupError(f"/{command} has no subcommand {sub!r}")
            return [
                {
                    "name": sub,
                    "type": sub_schema["type"] if sub_schema else (2 if len(path) > 1 else 1),
                    "options": self._build_options(
                        f"{command} {sub}",
                        sub_schema.get("options") if sub_schema else None,
                        path[1:],
                        values,
                        resolved,
                        guild,
                        channel,
                        partial=partial,
                    ),
                }
            ]
        out: list[JSON] = []
        for name, value in values.items():
            option = next((o for o in schema or [] if o["name"] == name), None)
            if schema is not None and option is None:
                raise LookupError(f"/{command} has no option {name!r}")
            otype = option["type"] if option is not None else _infer_option_type(value)
            if option is not None and option.get("choices"):
                allowed = [c["value"] for c in option["choices"]]
                if value not in allowed:
                    raise ValueError(f"/{command} {name}: {value!r} is not one of {allowed}")
            out.append(
                {
                    "name": name,
                    "type": otype,
                    "value": self._option_value(otype, value, resolved, guild),
                }
            )
        for option in schema or []:
            if option.get("required") and not partial and option["name"] not in values:
                raise ValueError(f"/{command} needs option {option['name']!r}")
        return out

    def _option_value(self, otype: int, value: Any, resolved: JSON, guild: Guild | None) -> Any:
        if otype in (6, 9) and isinstance(value, (User, Member)):
            user = value.user if isinstance(value, Member) else value
            resolved.setdefault("users", {})[str(user.id)] = user.payload()
            member = guild.get_member(user.id) if guild is not None else None
            if member is not None:
                resolved.setdefault("members", {})[str(user.id)] = member.payload(
                    with_user=False, permissions=guild.base_permissions(member) if guild else 0
                )
            return str(user.id)
        if otype in (8, 9) and isinstance(value, Role):
            resolved.setdefault("roles", {})[str(value.id)] = value.payload()
            return str(value.id)
        if otype == 7 and isinstance(value, Channel):
            entry = {
                "id": str(value.id),
                "name": value.name,
                "type": int(value.type),
                "permissions": str(self.bot_permissions_in(value)),
                "parent_id": None if value.parent_id is None else str(value.parent_id),
            }
            resolved.setdefault("channels", {})[str(value.id)] = entry
            return str(value.id)
        if otype == 4:
            return int(value)
        if otype == 10:
            return float(value)
        if otype == 5:
            return bool(value)
        if otype in (6, 7, 8, 9, 11):
            return str(value)
        return value


def _infer_option_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    if isinstance(value, (User, Member)):
        return 6
    if isinstance(value, Channel):
        return 7
    if isinstance(value, Role):
        return 8
    return 3
