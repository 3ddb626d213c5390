"""Routes for the bot's application: what discord.py asks at login, and its application commands.

``/users/@me``, ``/gateway``, ``/gateway/bot`` and ``/applications/@me`` at login; global and
guild commands read and overwritten in bulk, each command checked like Discord does (names,
descriptions, options, choices) before it is stored with a stable id.
:class:`ApplicationRoutes` is a mixin of :class:`~tests.fakediscord.server.FakeDiscord`.
"""

from __future__ import annotations

import copy
import re
import secrets
from typing import Any

from aiohttp import web

from tests.fakediscord.api import (
    JSON,
    ApiError,
    Route,
    application_flags,
    field_error,
    invalid_form,
    json_response,
    path_snowflake,
)
from tests.fakediscord.models import Guild
from tests.fakediscord.records import RecordedRequest
from tests.fakediscord.snowflake import new_snowflake

_COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")


class ApplicationRoutes:
    def _application_routes(self) -> list[Route]:
        return [
            ("GET", "/gateway", self._get_gateway),
            ("GET", "/gateway/bot", self._get_gateway_bot),
            ("GET", "/users/@me", self._get_me),
            ("GET", "/oauth2/applications/@me", self._get_application),
            ("GET", "/applications/@me", self._get_application),
            ("GET", "/applications/{application_id}/commands", self._get_commands),
            ("PUT", "/applications/{application_id}/commands", self._put_commands),
            (
                "GET",
                "/applications/{application_id}/guilds/{guild_id}/commands",
                self._get_commands,
            ),
            (
                "PUT",
                "/applications/{application_id}/guilds/{guild_id}/commands",
                self._put_commands,
            ),
        ]

    async def _get_gateway(self, request: web.Request, record: RecordedRequest) -> web.Response:
        return json_response({"url": self.gateway_url})

    async def _get_gateway_bot(self, request: web.Request, record: RecordedRequest) -> web.Response:
        return json_response(
            {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 1000 - len(self.sessions),
                    "reset_after": 86_400_000,
                    "max_concurrency": 1,
                },
            }
        )

    async def _get_me(self, request: web.Request, record: RecordedRequest) -> web.Response:
        user = self.bot_user.payload()
        user.update(verified=True, mfa_enabled=False, email=None, locale="en-US", flags=0)
        return json_response(user)

    async def _get_application(self, request: web.Request, record: RecordedRequest) -> web.Response:
        return json_response(
            {
                "id": str(self.application_id),
                "name": self.bot_user.username,
                "icon": None,
                "description": "A fake application",
                "summary": "",
                "type": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "verify_key": secrets.token_hex(32),
                "owner": self.application_owner.payload(),
                "team": None,
                "flags": application_flags(),
                "bot": self.bot_user.payload(),
                "redirect_uris": [],
                "interactions_endpoint_url": None,
                "rpc_origins": [],
                "tags": [],
                "approximate_guild_count": len(self.guilds),
                "integration_types_config": {"0": {}},
            }
        )

    # -- application commands

    def _check_application(self, request: web.Request) -> None:
        if request.match_info["application_id"] != str(self.application_id):
            raise ApiError(403, 50001, "Missing Access")

    def _command_guild(self, request: web.Request) -> Guild | None:
        if "guild_id" not in request.match_info:
            return None
        guild = self._guild_by_id(path_snowflake(request, "guild_id", "Guild", 10004))
        if guild is None:
            raise ApiError(403, 50001, "Missing Access")
        return guild

    async def _get_commands(self, request: web.Request, record: RecordedRequest) -> web.Response:
        self._check_application(request)
        guild = self._command_guild(request)
        return json_response(self.commands(guild.id if guild else None))

    async def _put_commands(self, request: web.Request, record: RecordedRequest) -> web.Response:
        self._check_application(request)
        guild = self._command_guild(request)
        body = record.json
        if not isinstance(body, list):
            raise invalid_form(
                {"_errors": [{"code": "LIST_TYPE_CONVERT", "message": "Must be an array."}]}
            )
        errors: JSON = {}
        seen: set[tuple[int, str]] = set()
        for i, command in enumerate(body):
            problems = _command_problems(command)
            key = (int(command.get("type", 1)), str(command.get("name")))
            if key in seen:
                problems.append(f"duplicate command name {key[1]!r}")
            seen.add(key)
            if problems:
                errors[str(i)] = field_error("APPLICATION_COMMAND_INVALID", "; ".join(problems))
        if len(body) > 100:
            errors["_errors"] = [
                {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 100 or fewer in length."}
            ]
        if errors:
            raise invalid_form(errors)
        stored: list[JSON] = []
        for command in body:
            ctype = int(command.get("type", 1))
            key3 = (guild.id if guild else None, ctype, command["name"])
            cid = self._command_ids.setdefault(key3, new_snowflake())
            entry = copy.deepcopy(command)
            entry.update(
                id=str(cid),
                application_id=str(self.application_id),
                version=str(new_snowflake()),
                type=ctype,
                default_member_permissions=command.get("default_member_permissions"),
                nsfw=bool(command.get("nsfw", False)),
                integration_types=command.get("integration_types") or [0],
                contexts=command.get("contexts"),
            )
            entry.setdefault("description", "")
            if guild is not None:
                entry["guild_id"] = str(guild.id)
            stored.append(entry)
        if guild is None:
            self.global_commands = stored
        else:
            self.guild_commands[guild.id] = stored
        return json_response(copy.deepcopy(stored))


def _command_problems(command: Any) -> list[str]:
    if not isinstance(command, dict):
        return ["not an object"]
    problems: list[str] = []
    name = command.get("name")
    ctype = int(command.get("type", 1))
    if not isinstance(name, str) or (ctype == 1 and not _COMMAND_NAME.match(name)):
        problems.append(f"invalid name {name!r}")
    elif ctype == 1 and name != name.lower():
        problems.append(f"name {name!r} must be lower case")
    if ctype == 1:
        description = command.get("description")
        if not isinstance(description, str) or not 1 <= len(description) <= 100:
            problems.append(f"/{name}: description must be 1-100 characters")
        problems.extend(_option_problems(str(name), command.get("options") or []))
    return problems


def _option_problems(where: str, options: list[Any]) -> list[str]:
    problems: list[str] = []
    if len(options) > 25:
        problems.append(f"/{where}: {len(options)} options (max 25)")
    seen_optional = False
    names: set[str] = set()
    for option in options:
        name = option.get("name")
        if not isinstance(name, str) or not _COMMAND_NAME.match(name) or name != name.lower():
            problems.append(f"/{where}: invalid option name {name!r}")
        if name in names:
            problems.append(f"/{where}: duplicate option {name!r}")
        names.add(str(name))
        description = option.get("description")
        if not isinstance(description, str) or not 1 <= len(description) <= 100:
            problems.append(f"/{where} {name}: description must be 1-100 characters")
        otype = option.get("type")
        if otype not in range(1, 12):
            problems.append(f"/{where} {name}: invalid option type {otype!r}")
        if otype in (1, 2):
            problems.extend(_option_problems(f"{where} {name}", option.get("options") or []))
            continue
        if option.get("required"):
            if seen_optional:
                problems.append(f"/{where}: required option {name!r} after an optional one")
        else:
            seen_optional = True
        if len(option.get("choices") or []) > 25:
            problems.append(f"/{where} {name}: more than 25 choices")
        if option.get("autocomplete") and otype not in (3, 4, 10):
            problems.append(f"/{where} {name}: autocomplete on a type {otype} option")
        if option.get("autocomplete") and option.get("choices"):
            problems.append(f"/{where} {name}: autocomplete with choices")
    return problems
