"""Routes for guilds, their channels, roles and members, and for users and DM channels.

A member's roles change through ``PUT`` / ``DELETE /guilds/{guild}/members/{user}/roles/{role}``
as on Discord: the bot needs Manage Roles (or Administrator) and a highest role above the
role it gives or takes (403 50013 Missing Permissions otherwise); ``@everyone`` and managed
roles cannot be given or taken. ``GUILD_MEMBER_UPDATE`` goes to sessions with the members
intent only.

:class:`GuildRoutes` is a mixin of :class:`~tests.fakediscord.server.FakeDiscord`; answers come
from the fake's world (:mod:`tests.fakediscord.models`).
"""

from __future__ import annotations

from aiohttp import web

from tests.fakediscord.api import ApiError, Route, json_response, path_snowflake, unknown
from tests.fakediscord.models import Guild
from tests.fakediscord.permissions import INTENT_GUILD_MEMBERS, Permission
from tests.fakediscord.records import RecordedRequest


class GuildRoutes:
    def _guild_routes(self) -> list[Route]:
        return [
            ("POST", "/users/@me/channels", self._create_dm),
            ("GET", "/users/{user_id}", self._get_user),
            ("GET", "/guilds/{guild_id}", self._get_guild),
            ("GET", "/guilds/{guild_id}/channels", self._get_guild_channels),
            ("GET", "/guilds/{guild_id}/roles", self._get_guild_roles),
            ("GET", "/guilds/{guild_id}/members", self._list_members),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self._get_member),
            ("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", self._add_role),
            ("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", self._remove_role),
        ]

    async def _get_user(self, request: web.Request, record: RecordedRequest) -> web.Response:
        user = self._find_user(path_snowflake(request, "user_id", "User", 10013))
        if user is None:
            raise unknown("User", 10013)
        return json_response(user.payload())

    async def _create_dm(self, request: web.Request, record: RecordedRequest) -> web.Response:
        body = record.json if isinstance(record.json, dict) else {}
        try:
            user = self._find_user(int(body.get("recipient_id", 0)))
        except (TypeError, ValueError):
            user = None
        if user is None:
            raise unknown("User", 10013)
        return json_response(self.dm_channel(user).payload())

    def _guild_for_bot(self, request: web.Request) -> Guild:
        guild = self._guild_by_id(path_snowflake(request, "guild_id", "Guild", 10004))
        if guild is None:
            raise unknown("Guild", 10004)
        return guild

    async def _get_guild(self, request: web.Request, record: RecordedRequest) -> web.Response:
        guild = self._guild_for_bot(request)
        data = guild.payload()
        if request.query.get("with_counts") in ("true", "1"):
            data.update(approximate_member_count=len(guild.members), approximate_presence_count=0)
        return json_response(data)

    async def _get_guild_channels(
        self, request: web.Request, record: RecordedRequest
    ) -> web.Response:
        guild = self._guild_for_bot(request)
        return json_response([c.payload() for c in guild.channels])

    async def _get_guild_roles(self, request: web.Request, record: RecordedRequest) -> web.Response:
        guild = self._guild_for_bot(request)
        return json_response([r.payload() for r in guild.roles])

    async def _list_members(self, request: web.Request, record: RecordedRequest) -> web.Response:
        guild = self._guild_for_bot(request)
        limit = int(request.query.get("limit", "1"))
        after = int(request.query.get("after", "0"))
        members = sorted((m for m in guild.members if m.id > after), key=lambda m: m.id)[:limit]
        return json_response([m.payload() for m in members])

    async def _get_member(self, request: web.Request, record: RecordedRequest) -> web.Response:
        guild = self._guild_for_bot(request)
        member = guild.get_member(path_snowflake(request, "user_id", "Member", 10007))
        if member is None:
            raise unknown("Member", 10007)
        return json_response(member.payload())

    async def _add_role(self, request: web.Request, record: RecordedRequest) -> web.Response:
        return await self._change_role(request, add=True)

    async def _remove_role(self, request: web.Request, record: RecordedRequest) -> web.Response:
        return await self._change_role(request, add=False)

    async def _change_role(self, request: web.Request, *, add: bool) -> web.Response:
        guild = self._guild_for_bot(request)
        member = guild.get_member(path_snowflake(request, "user_id", "Member", 10007))
        if member is None:
            raise unknown("Member", 10007)
        role = guild.get_role(path_snowflake(request, "role_id", "Role", 10011))
        if role is None:
            raise unknown("Role", 10011)
        bot = self._bot_member(guild)
        if not guild.base_permissions(bot) & Permission.MANAGE_ROLES:
            raise ApiError(403, 50013, "Missing Permissions")
        highest = max((r.position for r in bot.roles), default=0)
        if bot.id != guild.owner_id and role.position >= highest:
            raise ApiError(403, 50013, "Missing Permissions")
        if role.managed or role.id == guild.id:
            raise ApiError(403, 50013, "Missing Permissions")
        held = role in member.roles
        if add and not held:
            member.roles.append(role)
        elif not add and held:
            member.roles.remove(role)
        if held != add:
            data = member.payload()
            data["guild_id"] = str(guild.id)
            for session in self.sessions:
                if not session.ended and session.has_intent(INTENT_GUILD_MEMBERS):
                    await self._gateway.dispatch(session, "GUILD_MEMBER_UPDATE", data)
        self._notify()
        return web.Response(status=204)
