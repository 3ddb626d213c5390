"""The world the fake serves: users, guilds, roles, channels, members, and their JSON payloads.

Tests build it before (or while) the bot runs; the fake reads it on every request, so a change
(a new member, a revoked role) shows in the next REST answer. Nothing here is dispatched over the
gateway by itself.
"""

from __future__ import annotations

import copy
import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.fakediscord.permissions import (
    ALL_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    Permission,
)
from tests.fakediscord.snowflake import iso, new_snowflake

JSON = dict[str, Any]


class ChannelType(enum.IntEnum):
    GUILD_TEXT = 0
    DM = 1
    GUILD_VOICE = 2
    GUILD_CATEGORY = 4
    GUILD_ANNOUNCEMENT = 5
    PUBLIC_THREAD = 11
    GUILD_FORUM = 15


TEXT_CHANNEL_TYPES = frozenset(
    {
        ChannelType.GUILD_TEXT,
        ChannelType.GUILD_ANNOUNCEMENT,
        ChannelType.DM,
        ChannelType.PUBLIC_THREAD,
    }
)


@dataclass(eq=False)
class User:
    """A Discord account (a person or a bot)."""

    username: str
    id: int = field(default_factory=new_snowflake)
    bot: bool = False
    global_name: str | None = None

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def payload(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass(eq=False)
class Role:
    name: str
    permissions: int = 0
    id: int = field(default_factory=new_snowflake)
    position: int = 1
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None
    """Set on a bot's managed role (``tags.bot_id``)."""

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"

    def payload(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "name": self.name,
            "color": self.color,
            "colors": {
                "primary_color": self.color,
                "secondary_color": None,
                "tertiary_color": None,
            },
            "hoist": self.hoist,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass(eq=False)
class PermissionOverwrite:
    """A channel overwrite for a role (``type=0``) or a member (``type=1``)."""

    target_id: int
    type: int = 0
    allow: int = 0
    deny: int = 0

    @classmethod
    def for_role(cls, role: Role, *, allow: int = 0, deny: int = 0) -> PermissionOverwrite:
        return cls(role.id, 0, allow, deny)

    @classmethod
    def for_member(cls, member: Member, *, allow: int = 0, deny: int = 0) -> PermissionOverwrite:
        return cls(member.id, 1, allow, deny)

    def payload(self) -> JSON:
        return {
            "id": str(self.target_id),
            "type": self.type,
            "allow": str(self.allow),
            "deny": str(self.deny),
        }


@dataclass(eq=False)
class Channel:
    name: str
    type: int = ChannelType.GUILD_TEXT
    id: int = field(default_factory=new_snowflake)
    position: int = 0
    topic: str | None = None
    nsfw: bool = False
    parent_id: int | None = None
    overwrites: list[PermissionOverwrite] = field(default_factory=list)
    guild_id: int | None = None
    """Filled in when the channel is added to a guild; ``None`` for DMs."""
    recipients: list[User] = field(default_factory=list)
    """For DMs: the other user."""
    last_message_id: int | None = None
    extra: JSON = field(default_factory=dict)
    """Fields of its kind's payload beyond the common ones (a forum's ``available_tags``, a
    thread's ``owner_id`` and ``thread_metadata``: :mod:`tests.fakediscord.threads`)."""

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    @property
    def is_dm(self) -> bool:
        return self.type == ChannelType.DM

    def payload(self) -> JSON:
        if self.is_dm:
            return {
                "id": str(self.id),
                "type": int(self.type),
                "last_message_id": _opt_str(self.last_message_id),
                "recipients": [u.payload() for u in self.recipients],
                "flags": 0,
            }
        data: JSON = {
            "id": str(self.id),
            "type": int(self.type),
            "guild_id": _opt_str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [o.payload() for o in self.overwrites],
            "parent_id": _opt_str(self.parent_id),
            "nsfw": self.nsfw,
            "flags": 0,
        }
        if self.type in (ChannelType.GUILD_TEXT, ChannelType.GUILD_ANNOUNCEMENT):
            data.update(
                topic=self.topic,
                last_message_id=_opt_str(self.last_message_id),
                rate_limit_per_user=0,
            )
        elif self.type == ChannelType.GUILD_VOICE:
            data.update(
                bitrate=64000,
                user_limit=0,
                rtc_region=None,
                video_quality_mode=1,
                last_message_id=_opt_str(self.last_message_id),
            )
        elif self.type == ChannelType.PUBLIC_THREAD:
            data.update(last_message_id=_opt_str(self.last_message_id), rate_limit_per_user=0)
        data.update(copy.deepcopy(self.extra))
        return data


@dataclass(eq=False)
class Member:
    """A user's membership of one guild.

    ``permissions`` is a shorthand: when non-zero, the guild gives the member a role of its own
    (named ``"<username> permissions"``) carrying those bits, so that what discord.py computes
    from roles and what interactions report as ``member.permissions`` agree.
    """

    user: User
    roles: list[Role] = field(default_factory=list)
    permissions: int = 0
    nick: str | None = None
    joined_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def mention(self) -> str:
        return self.user.mention

    def payload(self, *, with_user: bool = True, permissions: int | None = None) -> JSON:
        data: JSON = {
            "roles": [str(r.id) for r in self.roles],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": iso(self.joined_at),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass(eq=False)
class Guild:
    """A server. ``@everyone`` (the role whose id is the guild id) is created if missing.

    The first member is the owner unless ``owner_id`` says otherwise.
    """

    name: str = "Test Server"
    id: int = field(default_factory=new_snowflake)
    owner_id: int | None = None
    channels: list[Channel] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    threads: list[Channel] = field(default_factory=list)
    """Its threads and forum posts (not in ``channels``: Discord lists them apart)."""
    everyone_permissions: int = DEFAULT_EVERYONE_PERMISSIONS
    large: bool = False

    def __post_init__(self) -> None:
        if not any(r.id == self.id for r in self.roles):
            self.roles.insert(
                0, Role("@everyone", self.everyone_permissions, id=self.id, position=0)
            )
        for channel in self.channels:
            channel.guild_id = self.id
        members, self.members = self.members, []
        for member in members:
            self._adopt(member)

    # -- builders ------------------------------------------------------------------------------

    def add_channel(
        self,
        name: str,
        *,
        type: int = ChannelType.GUILD_TEXT,
        overwrites: list[PermissionOverwrite] | None = None,
        topic: str | None = None,
    ) -> Channel:
        channel = Channel(
            name,
            type=type,
            position=len(self.channels),
            overwrites=list(overwrites or []),
            topic=topic,
            guild_id=self.id,
        )
        self.channels.append(channel)
        return channel

    def add_role(self, name: str, permissions: int = 0, *, mentionable: bool = True) -> Role:
        role = Role(
            name,
            permissions,
            position=max((r.position for r in self.roles), default=0) + 1,
            mentionable=mentionable,
        )
        self.roles.append(role)
        return role

    def ensure_role(self, name: str, permissions: int = 0) -> Role:
        return self.find_role(name) or self.add_role(name, permissions)

    def add_member(
        self,
        user: User | str,
        *,
        roles: list[Role] | None = None,
        permissions: int = 0,
        nick: str | None = None,
    ) -> Member:
        if isinstance(user, str):
            user = User(user)
        return self._adopt(Member(user, list(roles or []), permissions, nick))

    def add_manager(self, username: str = "manager") -> Member:
        """A member with Manage Server (through a "Server Managers" role)."""
        role = self.ensure_role("Server Managers", int(Permission.MANAGE_GUILD))
        return self.add_member(username, roles=[role])

    def add_role_member(self, role_name: str, username: str) -> Member:
        """A member holding the named role (created, without permissions, if missing)."""
        return self.add_member(username, roles=[self.ensure_role(role_name)])

    def add_plain_member(self, username: str = "member") -> Member:
        """A member with no roles beyond @everyone."""
        return self.add_member(username)

    def _adopt(self, member: Member) -> Member:
        for role in member.roles:
            if role not in self.roles:
                self.roles.append(role)
        if member.permissions and not any(
            r.name == f"{member.user.username} permissions" for r in member.roles
        ):
            own = self.add_role(f"{member.user.username} permissions", member.permissions)
            member.roles.append(own)
        self.members.append(member)
        if self.owner_id is None:
            self.owner_id = member.id
        return member

    # -- lookups -------------------------------------------------------------------------------

    @property
    def everyone(self) -> Role:
        return next(r for r in self.roles if r.id == self.id)

    @property
    def owner(self) -> Member | None:
        return self.get_member(self.owner_id) if self.owner_id is not None else None

    def channel(self, name: str) -> Channel:
        found = next((c for c in self.channels if c.name == name), None)
        if found is None:
            raise KeyError(f"no channel {name!r} in guild {self.name!r}")
        return found

    def member(self, username: str) -> Member:
        found = next((m for m in self.members if m.user.username == username), None)
        if found is None:
            raise KeyError(f"no member {username!r} in guild {self.name!r}")
        return found

    def role(self, name: str) -> Role:
        found = self.find_role(name)
        if found is None:
            raise KeyError(f"no role {name!r} in guild {self.name!r}")
        return found

    def find_role(self, name: str) -> Role | None:
        return next((r for r in self.roles if r.name == name), None)

    def get_member(self, user_id: int) -> Member | None:
        return next((m for m in self.members if m.id == user_id), None)

    def get_channel(self, channel_id: int) -> Channel | None:
        return next((c for c in [*self.channels, *self.threads] if c.id == channel_id), None)

    def get_role(self, role_id: int) -> Role | None:
        return next((r for r in self.roles if r.id == role_id), None)

    # -- permissions (https://discord.com/developers/docs/topics/permissions) -------------------

    def base_permissions(self, member: Member) -> int:
        if member.id == self.owner_id:
            return ALL_PERMISSIONS
        perms = self.everyone.permissions
        for role in member.roles:
            perms |= role.permissions
        if perms & Permission.ADMINISTRATOR:
            return ALL_PERMISSIONS
        return perms

    def permissions_for(self, member: Member, channel: Channel | None = None) -> int:
        perms = self.base_permissions(member)
        if channel is None or perms & Permission.ADMINISTRATOR:
            return perms
        overwrites = {(o.type, o.target_id): o for o in channel.overwrites}
        everyone = overwrites.get((0, self.id))
        if everyone is not None:
            perms = (perms & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for role in member.roles:
            o = overwrites.get((0, role.id))
            if o is not None:
                allow |= o.allow
                deny |= o.deny
        perms = (perms & ~deny) | allow
        own = overwrites.get((1, member.id))
        if own is not None:
            perms = (perms & ~own.deny) | own.allow
        if not perms & Permission.VIEW_CHANNEL:
            return 0
        return perms

    # -- payloads ------------------------------------------------------------------------------

    def payload(self) -> JSON:
        """The guild object as ``GET /guilds/{id}`` returns it."""
        system_channel = next((c for c in self.channels if c.type == ChannelType.GUILD_TEXT), None)
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": _opt_str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [r.payload() for r in self.roles],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": _opt_str(system_channel.id if system_channel else None),
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_presences": None,
            "max_members": 500000,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "max_video_channel_users": 25,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
        }

    def gateway_payload(self, *, members: list[Member], joined_at: datetime) -> JSON:
        """The GUILD_CREATE event body: the guild plus the gateway-only fields."""
        data = self.payload()
        data.update(
            joined_at=iso(joined_at),
            large=self.large,
            unavailable=False,
            member_count=len(self.members),
            voice_states=[],
            members=[m.payload() for m in members],
            channels=[c.payload() for c in self.channels],
            threads=[],
            presences=[],
            stage_instances=[],
            guild_scheduled_events=[],
            soundboard_sounds=[],
        )
        return data


def standard_guild(name: str = "Test Server", *, maintainer_role: str = "maintainer") -> Guild:
    """A small server for tests.

    Members (by username): ``owner`` (owns the guild), ``manager`` (Manage Server through the
    "Server Managers" role), ``maintainer`` (holds the ``maintainer_role`` role, no extra
    permissions) and ``member`` (nothing special). Channels: ``general``, ``announcements`` and
    ``staff`` (hidden from @everyone, visible to the maintainer role).
    """
    guild = Guild(name)
    guild.add_member("owner")
    guild.add_manager("manager")
    role = guild.ensure_role(maintainer_role)
    guild.add_member("maintainer", roles=[role])
    guild.add_plain_member("member")
    guild.add_channel("general", topic="General chat")
    guild.add_channel("announcements", type=ChannelType.GUILD_ANNOUNCEMENT)
    guild.add_channel(
        "staff",
        overwrites=[
            PermissionOverwrite(guild.id, 0, deny=int(Permission.VIEW_CHANNEL)),
            PermissionOverwrite.for_role(role, allow=int(Permission.VIEW_CHANNEL)),
        ],
    )
    return guild


def _opt_str(value: int | None) -> str | None:
    return None if value is None else str(value)
