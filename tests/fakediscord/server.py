"""``FakeDiscord``: a Discord REST API and gateway on 127.0.0.1 for end-to-end bot tests.

The real discord.py client talks to it over loopback sockets; the test points the client at it
(see :mod:`tests.fakediscord.client`) and then drives users' actions (``send_message``,
``send_interaction``, ``send_autocomplete``, ``press_button``) and inspects what the bot did
(``messages``, ``interaction_responses``, ``requests``). Faults (``fail_next``, ``rate_limit``,
``drop_gateway``) let tests check the bot copes with what production Discord does to it.
``read_lag`` (seconds, settable at any time) makes reads lag writes: a message stored less than
``read_lag`` ago is left out of ``GET /channels/{id}/messages`` (it was answered to its sender
normally, and ``messages()`` and ``bot_messages()`` show it). Channel webhooks
(``create_webhook``) post like Discord's incoming webhooks; ``deny_bot`` takes a permission
from the bot in one channel.

This module holds the fake's state, its lifecycle and the request pipeline (record, inject a
fault, authenticate, rate-limit, route, record the answer). The rest is in mixins, one module
each: :mod:`~tests.fakediscord.world` (lookups), :mod:`~tests.fakediscord.driver` (users'
actions), :mod:`~tests.fakediscord.menus` (a message's context-menu commands),
:mod:`~tests.fakediscord.autocomplete` (a user typing into an option, the bot's suggestions),
:mod:`~tests.fakediscord.inspection` (reading and waiting), :mod:`~tests.fakediscord.faults`,
:mod:`~tests.fakediscord.messages` (the message store) and the routes per resource:
:mod:`~tests.fakediscord.applications`, :mod:`~tests.fakediscord.guilds`,
:mod:`~tests.fakediscord.channels`, :mod:`~tests.fakediscord.interactions`,
:mod:`~tests.fakediscord.webhooks` (channel webhooks). The websocket is
:mod:`~tests.fakediscord.gateway`; what every fake records is :mod:`tests.fakebase`.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from aiohttp import web

from tests.fakebase import FaultQueue, PostHook, RequestLog
from tests.fakediscord.api import (
    API_PREFIX,
    GATEWAY_PATH,
    JSON,
    RESUME_GATEWAY_PATH,
    ApiError,
    Handler,
    json_response,
)
from tests.fakediscord.applications import ApplicationRoutes
from tests.fakediscord.autocomplete import Autocomplete
from tests.fakediscord.channels import ChannelRoutes
from tests.fakediscord.driver import Driver
from tests.fakediscord.faults import Faults
from tests.fakediscord.gateway import Gateway, GatewayConnection, GatewaySession
from tests.fakediscord.guilds import GuildRoutes
from tests.fakediscord.inspection import Inspection
from tests.fakediscord.interactions import InteractionRoutes
from tests.fakediscord.menus import Menus
from tests.fakediscord.messages import MessageStore
from tests.fakediscord.models import Channel, Guild, User, standard_guild
from tests.fakediscord.permissions import DEFAULT_BOT_PERMISSIONS, PRIVILEGED_INTENTS
from tests.fakediscord.records import (
    Fault,
    GatewayFrame,
    InteractionRecord,
    RateLimitRule,
    RecordedRequest,
    UploadedFile,
)
from tests.fakediscord.snowflake import new_snowflake
from tests.fakediscord.threads import ThreadRoutes
from tests.fakediscord.webhooks import ChannelWebhook, WebhookRoutes
from tests.fakediscord.world import World
from tests.secretwatch import secret

__all__ = ["DEFAULT_TOKEN", "ApiError", "FakeDiscord"]

DEFAULT_TOKEN = "test-token"
_RECORD_KEY = web.RequestKey("fake_record", RecordedRequest)


class FakeDiscord(
    World,
    Driver,
    Menus,
    Autocomplete,
    Inspection,
    Faults,
    MessageStore,
    ApplicationRoutes,
    GuildRoutes,
    ChannelRoutes,
    ThreadRoutes,
    InteractionRoutes,
    WebhookRoutes,
    RequestLog[RecordedRequest],
    PostHook,
):
    """A fake Discord (REST under ``/api/v10`` and a gateway websocket) for one test.

    Use as ``async with FakeDiscord() as fake:``; then point discord.py at
    ``fake.api_base_url`` and ``fake.gateway_url`` and log in with ``fake.token``.

    By default the world is one :func:`~tests.fakediscord.models.standard_guild`; pass
    ``guilds`` to choose. The bot's user and its member in every guild (with a managed role
    granting ``bot_permissions``) are created by the fake.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_name: str = "shortbot",
        guilds: list[Guild] | None = None,
        heartbeat_interval: float = 41.25,
        bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
        allowed_privileged_intents: int = PRIVILEGED_INTENTS,
        full_member_lists: bool | None = None,
        interaction_deadline: float | None = 3.0,
        nonce_window: float = 300.0,
        strict: bool = True,
        require_synced_commands: bool = True,
        read_lag: float = 0.0,
        host: str = "127.0.0.1",
    ) -> None:
        self.token = secret(token)
        self.bot_user = User(bot_name, bot=True)
        self.application_id = new_snowflake()
        self.application_owner = User(f"{bot_name}-owner")
        self.guilds: list[Guild] = guilds if guilds is not None else [standard_guild()]
        self.heartbeat_interval = heartbeat_interval
        self.bot_permissions = bot_permissions
        self.allowed_privileged_intents = allowed_privileged_intents
        self.full_member_lists = full_member_lists
        self.interaction_deadline = interaction_deadline
        self.nonce_window = nonce_window
        self.strict = strict
        self.require_synced_commands = require_synced_commands
        self.read_lag = read_lag
        """Seconds a new message stays out of channel history reads (see the module)."""
        self.host = host
        self.ack_heartbeats = True
        self.joined_at = datetime.now(UTC)

        self.requests: list[RecordedRequest] = []
        self.gateway_frames: list[GatewayFrame] = []
        self.connections: list[GatewayConnection] = []
        self.sessions: list[GatewaySession] = []
        self.faults: FaultQueue[Fault] = FaultQueue()
        self.rate_limits: list[RateLimitRule] = []
        self.global_commands: list[JSON] = []
        self.guild_commands: dict[int, list[JSON]] = {}
        self.dm_channels: dict[int, Channel] = {}
        self.deleted_messages: list[JSON] = []
        self.nonce_hits: list[tuple[str, int]] = []
        """(nonce, message id) for every create answered with an existing message."""

        self._messages: dict[int, JSON] = {}
        self._stored_at: dict[int, float] = {}
        """``clock()`` when each message was stored (for ``read_lag``; not in its JSON)."""
        self.webhooks: dict[int, ChannelWebhook] = {}
        """The channel webhooks tests made with ``create_webhook``, by id."""
        self._channel_messages: dict[int, list[int]] = {}
        self._nonces: dict[tuple[int, str], tuple[float, int]] = {}
        self._command_ids: dict[tuple[int | None, int, str], int] = {}
        self._interactions: dict[int, InteractionRecord] = {}
        self._global_limit: tuple[int, float] | None = None
        self._global_window: tuple[float, int] = (0.0, 0)
        self._resume_gate = asyncio.Event()
        self._resume_gate.set()
        self._changed = asyncio.Event()
        self._gateway = Gateway(self)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self.clock: Callable[[], float] = time.monotonic

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(self) -> None:
        for guild in self.guilds:
            self._bot_member(guild)
        app = web.Application(middlewares=[self._middleware])
        self._add_routes(app)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((self.host, 0))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def close(self) -> None:
        for conn in self.connections:
            if conn.open:
                await conn.close(1001, "Fake Discord is shutting down.")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeDiscord is not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base_url(self) -> str:
        """What discord.py's ``Route.BASE`` must become: ``http://127.0.0.1:PORT/api/v10``."""
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}{GATEWAY_PATH}"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}{RESUME_GATEWAY_PATH}"

    # ------------------------------------------------------------------ HTTP plumbing

    def _add_routes(self, app: web.Application) -> None:
        app.router.add_get(GATEWAY_PATH, self._gateway.handle)
        app.router.add_get(RESUME_GATEWAY_PATH, self._gateway.handle)
        routes = [
            *self._application_routes(),
            *self._guild_routes(),
            *self._channel_routes(),
            *self._thread_routes(),
            *self._interaction_routes(),
            *self._webhook_routes(),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, API_PREFIX + path, self._adapt(handler))
        app.router.add_route("*", "/{tail:.*}", self._adapt(self._not_found), name="unknown")

    def _adapt(self, handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def adapted(request: web.Request) -> web.StreamResponse:
            return await handler(request, request[_RECORD_KEY])

        return adapted

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if (
            not request.path.startswith(API_PREFIX + "/")
            and request.match_info.route.name != "unknown"
        ):
            return await handler(request)
        record = await self._record(request)
        request[_RECORD_KEY] = record
        try:
            response = await self._answer(request, handler, record)
        except ApiError as error:
            response = json_response(error.body(), status=error.status)
        record.status = response.status
        if isinstance(response, web.Response) and response.body is not None:
            try:
                record.response = json.loads(response.text or "null")
            except ValueError:
                record.response = response.text
        self._notify()
        return response

    async def _record(self, request: web.Request) -> RecordedRequest:
        matched = request.match_info.route
        route = (
            None
            if matched.name == "unknown" or matched.resource is None
            else matched.resource.canonical.removeprefix(API_PREFIX)
        )
        path = (
            request.path.removeprefix(API_PREFIX)
            if request.path.startswith(API_PREFIX)
            else request.path
        )
        body: Any = None
        files: list[UploadedFile] = []
        if request.content_type == "multipart/form-data":
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    data = value.file.read()
                    if key == "payload_json":
                        body = json.loads(data)
                    else:
                        files.append(
                            UploadedFile(key, value.filename, value.content_type, len(data))
                        )
                elif key == "payload_json":
                    body = json.loads(value)
        elif request.can_read_body:
            raw = await request.read()
            if raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw.decode(errors="replace")
        record = RecordedRequest(
            method=request.method,
            path=path,
            route=route,
            query=dict(request.query),
            headers=dict(request.headers),
            json=body,
            files=files,
            at=self.clock(),
        )
        self.requests.append(record)
        return record

    async def _answer(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
        record: RecordedRequest,
    ) -> web.StreamResponse:
        fault = self.faults.peek(lambda f: record.matches(f.method, f.pattern))
        if fault is not None and not fault.after_processing:
            fault.hits += 1
            record.fault = f"fail_next {fault.status}"
            return self._fault_response(fault)
        if record.route is None:
            return await handler(request)
        if not _auth_exempt(record.route) and record.authorization != f"Bot {self.token}":
            raise ApiError(401, 0, "401: Unauthorized")
        limited = self._check_global_limit(record)
        if limited is not None:
            return limited
        rule = next((r for r in self.rate_limits if record.matches(r.method, r.pattern)), None)
        headers: dict[str, str] = {}
        if rule is not None:
            limited = self._check_rate_limit(rule, record, headers)
            if limited is not None:
                return limited
        try:
            response = await handler(request)
        except ApiError as error:
            response = json_response(error.body(), status=error.status)
        if fault is not None:
            fault.hits += 1
            record.fault = f"fail_next {fault.status} (after processing)"
            return self._fault_response(fault)
        response.headers.update(headers)
        return response

    async def _not_found(self, request: web.Request, record: RecordedRequest) -> web.Response:
        return json_response({"message": "404: Not Found", "code": 0}, status=404)


def _auth_exempt(route: str) -> bool:
    return route in ("/gateway",) or route.startswith(("/interactions/", "/webhooks/"))
