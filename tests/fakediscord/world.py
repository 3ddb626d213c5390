"""The fake's world as its parts look it up: guilds, channels, DMs, users, bot member, commands.

:class:`World` is a mixin of :class:`~tests.fakediscord.server.FakeDiscord`; the guilds and DM
channels it searches live on the fake. It also builds the READY payload of a new session, and
changes what the bot may do in one channel (``deny_bot``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.fakediscord.api import JSON, application_flags
from tests.fakediscord.models import (
    Channel,
    ChannelType,
    Guild,
    Member,
    PermissionOverwrite,
    Role,
    User,
)
from tests.fakediscord.permissions import Permission

if TYPE_CHECKING:
    from tests.fakediscord.gateway import GatewaySession


class World:
    @property
    def guild(self) -> Guild:
        """The only guild (an error if there are several)."""
        if len(self.guilds) != 1:
            raise RuntimeError(f"{len(self.guilds)} guilds; pick one from fake.guilds")
        return self.guilds[0]

    def dm_channel(self, user: User | Member) -> Channel:
        """The DM channel between ``user`` and the bot (created on first use)."""
        if isinstance(user, Member):
            user = user.user
        channel = self.dm_channels.get(user.id)
        if channel is None:
            channel = Channel(user.username, type=ChannelType.DM, recipients=[user])
            self.dm_channels[user.id] = channel
        return channel

    def bot_member(self, guild: Guild | None = None) -> Member:
        """The bot's member in ``guild`` (default: the only guild)."""
        return self._bot_member(guild if guild is not None else self.guild)

    def deny_bot(
        self, channel: Channel, permissions: int = Permission.READ_MESSAGE_HISTORY
    ) -> PermissionOverwrite:
        """Deny the bot ``permissions`` (default: Read Message History) in one guild channel,
        through a member overwrite on the channel, as a server admin would; returns it.

        Without Read Message History the bot's ``GET /channels/{id}/messages`` answers 403
        50013 Missing Permissions; without View Channel (``Permission.VIEW_CHANNEL``) every
        channel route answers 403 50001 Missing Access. Takes effect on the next request;
        nothing is dispatched (``await fake.dispatch("CHANNEL_UPDATE", channel.payload())``
        tells a running bot's cache). To lift it: ``channel.overwrites.remove(overwrite)``.
        """
        if channel.guild_id is None:
            raise ValueError("a DM channel has no permission overwrites")
        guild = self._guild_by_id(channel.guild_id)
        if guild is None:
            raise ValueError(f"channel {channel.name!r} is in none of the fake's guilds")
        member = self._bot_member(guild)
        overwrite = next(
            (o for o in channel.overwrites if o.type == 1 and o.target_id == member.id), None
        )
        if overwrite is None:
            overwrite = PermissionOverwrite.for_member(member)
            channel.overwrites.append(overwrite)
        overwrite.deny |= int(permissions)
        overwrite.allow &= ~int(permissions)
        return overwrite

    def _bot_member(self, guild: Guild) -> Member:
        member = guild.get_member(self.bot_user.id)
        if member is None:
            role = Role(
                self.bot_user.username,
                self.bot_permissions,
                managed=True,
                bot_id=self.bot_user.id,
                position=max((r.position for r in guild.roles), default=0) + 1,
            )
            member = guild.add_member(self.bot_user, roles=[role])
        return member

    def _find_channel(self, channel_id: int) -> tuple[Channel, Guild | None] | None:
        for guild in self.guilds:
            channel = guild.get_channel(channel_id)
            if channel is not None:
                return channel, guild
        for channel in self.dm_channels.values():
            if channel.id == channel_id:
                return channel, None
        return None

    def _find_user(self, user_id: int) -> User | None:
        if user_id == self.bot_user.id:
            return self.bot_user
        for guild in self.guilds:
            member = guild.get_member(user_id)
            if member is not None:
                return member.user
        for channel in self.dm_channels.values():
            for user in channel.recipients:
                if user.id == user_id:
                    return user
        return None

    def _find_command(self, name: str, guild: Guild | None, ctype: int = 1) -> JSON | None:
        """A synced command: slash (type 1), user (2) or message (3) menu command."""
        if guild is not None:
            for command in self.guild_commands.get(guild.id, []):
                if command["name"] == name and command.get("type", 1) == ctype:
                    return command
        for command in self.global_commands:
            if command["name"] == name and command.get("type", 1) == ctype:
                return command
        return None

    def _synced_command(self, name: str, guild: Guild | None) -> JSON | None:
        """Slash command ``name`` as synced (global or ``guild``'s); a LookupError if it never
        was, unless the fake was made with ``require_synced_commands=False`` (then None)."""
        command = self._find_command(name, guild)
        if command is None and self.require_synced_commands:
            synced = [c["name"] for c in self.global_commands]
            if guild is not None:
                synced += [c["name"] for c in self.guild_commands.get(guild.id, [])]
            raise LookupError(f"/{name} was never synced (synced: {sorted(synced)})")
        return command

    def _guild_by_id(self, guild_id: int) -> Guild | None:
        return next((g for g in self.guilds if g.id == guild_id), None)

    def bot_permissions_in(self, channel: Channel) -> int:
        found = self._find_channel(channel.id)
        if found is None or found[1] is None:
            return int(
                Permission.VIEW_CHANNEL | Permission.SEND_MESSAGES | Permission.READ_MESSAGE_HISTORY
            )
        guild = found[1]
        return guild.permissions_for(self._bot_member(guild), channel)

    def _ready_payload(self, session: GatewaySession, guilds: list[Guild]) -> JSON:
        user = self.bot_user.payload()
        user.update(verified=True, mfa_enabled=False, email=None, flags=0)
        data: JSON = {
            "v": 10,
            "user": user,
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url,
            "application": {"id": str(self.application_id), "flags": application_flags()},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["fake"],
            "user_settings": {},
            "auth": {},
            "_trace": ["fake-gateway"],
        }
        if session.shard is not None:
            data["shard"] = list(session.shard)
        return data
