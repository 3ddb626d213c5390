"""``FakeDiscord``: a Discord REST API and gateway on 127.0.0.1 for end-to-end bot tests.

The real discord.py client talks to it over loopback sockets; the test points the client at it
(see :mod:`tests.fakediscord.client`) and then drives users' actions (``send_message``,
``send_interaction``, ``press_button``) and inspects what the bot did (``messages``,
``interaction_responses``, ``requests``). Faults (``fail_next``, ``rate_limit``,
``drop_gateway``) let tests check the bot copes with what production Discord does to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import math
import re
import secrets
import socket
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal, TypeVar

from aiohttp import web
from multidict import CIMultiDict

from tests.fakediscord.gateway import (
    OP_DISPATCH,
    OP_INVALID_SESSION,
    OP_RECONNECT,
    Gateway,
    GatewayConnection,
    GatewaySession,
    make_frame,
)
from tests.fakediscord.limits import CONTENT_MAX, check_message_limits
from tests.fakediscord.models import (
    TEXT_CHANNEL_TYPES,
    Channel,
    ChannelType,
    Guild,
    Member,
    Role,
    User,
    standard_guild,
)
from tests.fakediscord.permissions import (
    DEFAULT_BOT_PERMISSIONS,
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MESSAGES,
    INTENT_MESSAGE_CONTENT,
    PRIVILEGED_INTENTS,
    Permission,
)
from tests.fakediscord.records import (
    Fault,
    GatewayFrame,
    InteractionRecord,
    InteractionResponse,
    RateLimitRule,
    RecordedRequest,
    SentInteraction,
    SentMessage,
    UploadedFile,
)
from tests.fakediscord.snowflake import iso, new_snowflake, snowflake_time
from tests.secretwatch import secret

JSON = dict[str, Any]
T = TypeVar("T")
Handler = Callable[[web.Request, RecordedRequest], Awaitable[web.StreamResponse]]

DEFAULT_TOKEN = "test-token"
API_PREFIX = "/api/v10"
GATEWAY_PATH = "/gateway"
RESUME_GATEWAY_PATH = "/gateway/resume"

# Message flags and types.
FLAG_SUPPRESS_EMBEDS = 1 << 2
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_SUPPRESS_NOTIFICATIONS = 1 << 12
FLAG_IS_COMPONENTS_V2 = 1 << 15
MESSAGE_DEFAULT = 0
MESSAGE_REPLY = 19
MESSAGE_CHAT_INPUT_COMMAND = 20

# Interaction types and callback types.
INTERACTION_APPLICATION_COMMAND = 2
INTERACTION_MESSAGE_COMPONENT = 3
INTERACTION_MODAL_SUBMIT = 5
CALLBACK_PONG = 1
CALLBACK_CHANNEL_MESSAGE = 4
CALLBACK_DEFERRED_CHANNEL_MESSAGE = 5
CALLBACK_DEFERRED_UPDATE_MESSAGE = 6
CALLBACK_UPDATE_MESSAGE = 7
CALLBACK_AUTOCOMPLETE_RESULT = 8
CALLBACK_MODAL = 9

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
_COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")
_RECORD_KEY = web.RequestKey("fake_record", RecordedRequest)
_EDITABLE_FIELDS = ("content", "embeds", "components", "attachments", "allowed_mentions", "flags")


class ApiError(Exception):
    """Raised by a handler to answer with Discord's JSON error shape."""

    def __init__(self, status: int, code: int, message: str, errors: JSON | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> JSON:
        body: JSON = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def json_response(
    data: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """JSON with Discord's exact ``Content-Type: application/json``: discord.py compares the
    header by equality, so aiohttp's ``application/json; charset=utf-8`` reads as text."""
    response = web.Response(body=json.dumps(data).encode(), status=status, headers=headers)
    response.headers["Content-Type"] = "application/json"
    return response


def _unknown(what: str, code: int) -> ApiError:
    return ApiError(404, code, f"Unknown {what}")


def _invalid_form(errors: JSON) -> ApiError:
    return ApiError(400, 50035, "Invalid Form Body", errors)


def _field_error(code: str, message: str) -> JSON:
    return {"_errors": [{"code": code, "message": message}]}


class FakeDiscord:
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
        self.host = host
        self.ack_heartbeats = True
        self.joined_at = datetime.now(UTC)

        self.requests: list[RecordedRequest] = []
        self.gateway_frames: list[GatewayFrame] = []
        self.connections: list[GatewayConnection] = []
        self.sessions: list[GatewaySession] = []
        self.faults: list[Fault] = []
        self.rate_limits: list[RateLimitRule] = []
        self.global_commands: list[JSON] = []
        self.guild_commands: dict[int, list[JSON]] = {}
        self.dm_channels: dict[int, Channel] = {}
        self.deleted_messages: list[JSON] = []
        self.nonce_hits: list[tuple[str, int]] = []
        self.on_post: Callable[[], None] | None = None
        """Called once a bot message is stored, before it is answered (chaos tests kill there)."""
        """(nonce, message id) for every create answered with an existing message."""

        self._messages: dict[int, JSON] = {}
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

    # ------------------------------------------------------------------ world

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

    # ------------------------------------------------------------------ inspection

    def messages(self, channel_id: int | Channel) -> list[JSON]:
        """The channel's live messages, oldest first (copies)."""
        cid = channel_id.id if isinstance(channel_id, Channel) else channel_id
        return [copy.deepcopy(self._messages[m]) for m in self._channel_messages.get(cid, [])]

    def bot_messages(self, channel_id: int | Channel) -> list[JSON]:
        return [m for m in self.messages(channel_id) if m["author"]["id"] == str(self.bot_user.id)]

    def message(self, message_id: int) -> JSON:
        return copy.deepcopy(self._messages[message_id])

    def interaction(self, interaction_id: int) -> InteractionRecord:
        return self._interactions[interaction_id]

    def interaction_responses(self, interaction_id: int) -> list[InteractionResponse]:
        return list(self._interactions[interaction_id].responses)

    def requests_to(
        self, method: str, path_pattern: str | re.Pattern[str]
    ) -> list[RecordedRequest]:
        """Completed requests matching ``method`` (or ``"*"``) and a path glob/regex."""
        return [r for r in self.requests if r.status and r.matches(method, path_pattern)]

    @property
    def unknown_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.unknown]

    def assert_no_unknown_requests(self) -> None:
        unknown = self.unknown_requests
        if unknown:
            listed = ", ".join(f"{r.method} {r.path}" for r in unknown)
            raise AssertionError(f"the bot called routes the fake does not know: {listed}")

    @property
    def identify_payloads(self) -> list[JSON]:
        return [s.identify for s in self.sessions]

    def commands(self, guild_id: int | None = None) -> list[JSON]:
        """The synced application commands (global, or one guild's)."""
        if guild_id is None:
            return copy.deepcopy(self.global_commands)
        return copy.deepcopy(self.guild_commands.get(guild_id, []))

    def all_bot_payloads(self) -> list[JSON]:
        """Every message-shaped payload the bot sent, accepted or not, oldest first.

        Channel message creates and edits, interaction callbacks that carry a message (types 4
        and 7: their ``data``), followups and webhook message edits.
        """
        return [payload for _, payload in self._bot_payloads()]

    def check_bot_payloads(self, *, require_no_pings: bool = False) -> list[str]:
        """:func:`check_message_limits` over :meth:`all_bot_payloads`, each problem prefixed
        with the request that carried it."""
        problems: list[str] = []
        for request, payload in self._bot_payloads():
            for problem in check_message_limits(payload, require_no_pings=require_no_pings):
                problems.append(f"{request.method} {request.path}: {problem}")
        return problems

    def _bot_payloads(self) -> Iterator[tuple[RecordedRequest, JSON]]:
        for r in self.requests:
            body = r.json
            if not isinstance(body, dict) or r.route is None:
                continue
            route = r.route
            if route == "/interactions/{interaction_id}/{token}/callback":
                if body.get("type") in (CALLBACK_CHANNEL_MESSAGE, CALLBACK_UPDATE_MESSAGE):
                    yield r, body.get("data") or {}
            elif (
                (r.method == "POST" and route == "/channels/{channel_id}/messages")
                or (r.method == "PATCH" and route == "/channels/{channel_id}/messages/{message_id}")
                or (r.method == "POST" and route == "/webhooks/{application_id}/{token}")
                or (
                    r.method == "PATCH"
                    and route == "/webhooks/{application_id}/{token}/messages/{message_id}"
                )
            ):
                yield r, body

    # ------------------------------------------------------------------ waiting

    def _notify(self) -> None:
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def wait_until(
        self,
        condition: Callable[[], T | None],
        *,
        timeout: float = 5.0,
        description: str = "a condition",
    ) -> T:
        """Wait until ``condition()`` returns something truthy (re-checked on every change)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = condition()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"timed out after {timeout}s waiting for {description}; {self._summary()}"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    def _summary(self) -> str:
        recent = ", ".join(str(r) for r in self.requests[-8:]) or "none"
        unknown = ", ".join(f"{r.method} {r.path}" for r in self.unknown_requests) or "none"
        return (
            f"last requests: {recent}; unknown routes: {unknown}; "
            f"gateway connections: {len(self.connections)}, sessions: {len(self.sessions)}"
        )

    async def wait_for_request(
        self,
        predicate: Callable[[RecordedRequest], bool],
        *,
        timeout: float = 5.0,
        after: int = 0,
    ) -> RecordedRequest:
        """The first answered request (at index ``after`` or later) the predicate accepts."""

        def find() -> RecordedRequest | None:
            return next((r for r in self.requests[after:] if r.status and predicate(r)), None)

        return await self.wait_until(find, timeout=timeout, description="a matching request")

    async def wait_for_message(
        self,
        channel_id: int | Channel,
        *,
        after: int | None = None,
        author_id: int | Literal["bot"] | None = "bot",
        predicate: Callable[[JSON], bool] | None = None,
        timeout: float = 5.0,
    ) -> JSON:
        """The first message in the channel newer than snowflake ``after`` (by default: by the
        bot) that the predicate accepts. Pass ``author_id=None`` for any author."""
        cid = channel_id.id if isinstance(channel_id, Channel) else channel_id
        wanted = str(self.bot_user.id) if author_id == "bot" else author_id

        def find() -> JSON | None:
            for mid in self._channel_messages.get(cid, []):
                message = self._messages[mid]
                if after is not None and mid <= after:
                    continue
                if wanted is not None and message["author"]["id"] != str(wanted):
                    continue
                if predicate is not None and not predicate(message):
                    continue
                return copy.deepcopy(message)
            return None

        return await self.wait_until(
            find, timeout=timeout, description=f"a message in channel {cid}"
        )

    async def wait_for_interaction_response(
        self,
        interaction_id: int,
        *,
        kind: str | None = None,
        index: int = 0,
        timeout: float = 5.0,
    ) -> InteractionResponse:
        """The ``index``-th response (of ``kind``, if given) to the interaction."""

        def find() -> InteractionResponse | None:
            record = self._interactions[interaction_id]
            matching = [r for r in record.responses if kind is None or r.kind == kind]
            return matching[index] if len(matching) > index else None

        return await self.wait_until(
            find, timeout=timeout, description=f"a response to interaction {interaction_id}"
        )

    async def wait_for_session(self, *, timeout: float = 5.0) -> GatewaySession:
        """The newest session once it is connected and has received READY."""

        def find() -> GatewaySession | None:
            live = [s for s in self.sessions if s.connection is not None and not s.ended]
            return live[-1] if live else None

        return await self.wait_until(find, timeout=timeout, description="an identified session")

    async def wait_for_resume(self, count: int = 1, *, timeout: float = 5.0) -> GatewaySession:
        def find() -> GatewaySession | None:
            return next((s for s in self.sessions if s.resumes >= count), None)

        return await self.wait_until(find, timeout=timeout, description=f"{count} RESUME(s)")

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        path_pattern: str | re.Pattern[str],
        status: int = 429,
        retry_after: float = 1.0,
        global_: bool = False,
        times: int = 1,
        *,
        scope: str = "user",
        after_processing: bool = False,
        body: Any = None,
        via_header: bool = True,
    ) -> Fault:
        """Answer the next ``times`` matching requests with ``status``.

        429s carry Discord's body (``retry_after``, ``global``) and headers (``Retry-After``,
        ``X-RateLimit-*``, ``X-RateLimit-Scope``, ``Via``; without ``Via`` discord.py takes a
        429 for a Cloudflare ban and gives up). ``after_processing`` lets the request take
        effect and only replaces the answer: a lost response, which a retry with the same
        nonce must not turn into a duplicate. ``path_pattern``: see
        :func:`~tests.fakediscord.records.path_matches`.
        """
        fault = Fault(
            method=method,
            pattern=path_pattern,
            status=status,
            retry_after=retry_after,
            global_=global_,
            times=times,
            scope="global" if global_ else scope,
            after_processing=after_processing,
            body=body,
            via_header=via_header,
        )
        self.faults.append(fault)
        return fault

    def rate_limit(
        self,
        method: str,
        path_pattern: str | re.Pattern[str],
        limit: int,
        per: float = 1.0,
        *,
        bucket: str | None = None,
    ) -> RateLimitRule:
        """Enforce ``limit`` requests per ``per`` seconds on matching routes (per channel /
        guild / webhook), advertising it in ``X-RateLimit-*`` headers like Discord does."""
        rule = RateLimitRule(
            method=method,
            pattern=path_pattern,
            limit=limit,
            per=per,
            bucket=bucket or secrets.token_hex(8),
        )
        self.rate_limits.append(rule)
        return rule

    def set_global_rate_limit(self, limit: int | None, per: float = 1.0) -> None:
        """Discord's global limit (50 requests/second for bots); ``None`` turns it off."""
        self._global_limit = None if limit is None else (limit, per)
        self._global_window = (0.0, 0)

    async def drop_gateway(self, code: int = 4000) -> int:
        """Close every open gateway connection with ``code`` (default: 4000, which discord.py
        answers with a RESUME). Events dispatched until the client resumes are replayed then.
        Returns how many connections were closed."""
        dropped = [c for c in self.connections if c.open]
        for conn in dropped:
            if conn.session is not None and conn.session.connection is conn:
                conn.session.connection = None
        await asyncio.gather(*(c.close(code, "Dropped by the test.") for c in dropped))
        self._notify()
        return len(dropped)

    async def send_reconnect(self) -> None:
        """Send op 7 RECONNECT on every open connection."""
        for conn in self.connections:
            if conn.open and conn.session is not None:
                self._record_frame(conn.number, "out", {"op": OP_RECONNECT, "d": None})
                await conn.send({"op": OP_RECONNECT, "d": None, "s": None, "t": None})

    async def invalidate_session(self, *, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION on every open connection (non-resumable by default:
        the session ends and the client must IDENTIFY again)."""
        for conn in self.connections:
            if conn.open and conn.session is not None:
                if not resumable:
                    conn.session.ended = True
                frame = {"op": OP_INVALID_SESSION, "d": resumable, "s": None, "t": None}
                self._record_frame(conn.number, "out", frame)
                await conn.send(frame)

    def hold_resumes(self) -> None:
        """Make RESUMEs wait (so a test can dispatch while the client is surely away)."""
        self._resume_gate.clear()

    def release_resumes(self) -> None:
        self._resume_gate.set()

    # ------------------------------------------------------------------ dispatching

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
        root, *path = name.split()
        command = self._find_command(root, guild)
        if command is None and self.require_synced_commands:
            synced = [c["name"] for c in self.global_commands]
            if guild is not None:
                synced += [c["name"] for c in self.guild_commands.get(guild.id, [])]
            raise LookupError(f"/{root} was never synced (synced: {sorted(synced)})")
        resolved: JSON = {}
        schema = command.get("options") if command is not None else None
        data: JSON = {
            "id": command["id"] if command is not None else str(new_snowflake()),
            "name": root,
            "type": 1,
            "options": self._build_options(
                root, schema, path, options or {}, resolved, guild, chan
            ),
        }
        if command is not None and command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return await self._send_interaction(
            INTERACTION_APPLICATION_COMMAND, user, chan, guild, data
        )

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

    def _find_command(self, name: str, guild: Guild | None) -> JSON | None:
        if guild is not None:
            for command in self.guild_commands.get(guild.id, []):
                if command["name"] == name and command.get("type", 1) == 1:
                    return command
        for command in self.global_commands:
            if command["name"] == name and command.get("type", 1) == 1:
                return command
        return None

    def _build_options(
        self,
        command: str,
        schema: list[JSON] | None,
        path: list[str],
        values: Mapping[str, Any],
        resolved: JSON,
        guild: Guild | None,
        channel: Channel,
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
            if option.get("required") and option["name"] not in values:
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

    # ------------------------------------------------------------------ gateway payloads

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
            "application": {"id": str(self.application_id), "flags": _application_flags()},
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

    def _record_frame(self, connection: int, direction: str, payload: JSON) -> None:
        self.gateway_frames.append(make_frame(direction, connection, payload))

    def dispatched_events(self, name: str | None = None) -> list[GatewayFrame]:
        return [
            f
            for f in self.gateway_frames
            if f.direction == "out" and f.op == OP_DISPATCH and (name is None or f.t == name)
        ]

    # ------------------------------------------------------------------ messages

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
        self._channel_messages.setdefault(cid, []).append(mid)
        found = self._find_channel(cid)
        if found is not None:
            found[0].last_message_id = mid

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
            raise _invalid_form(
                {
                    "content": _field_error(
                        "BASE_TYPE_MAX_LENGTH", f"Must be {CONTENT_MAX} or fewer in length."
                    )
                }
            )
        if problems:
            raise _invalid_form({"_fake": _field_error("LIMITS", "; ".join(problems))})

    # ------------------------------------------------------------------ HTTP plumbing

    def _add_routes(self, app: web.Application) -> None:
        app.router.add_get(GATEWAY_PATH, self._gateway.handle)
        app.router.add_get(RESUME_GATEWAY_PATH, self._gateway.handle)
        routes: list[tuple[str, str, Handler]] = [
            ("GET", "/gateway", self._get_gateway),
            ("GET", "/gateway/bot", self._get_gateway_bot),
            ("GET", "/users/@me", self._get_me),
            ("POST", "/users/@me/channels", self._create_dm),
            ("GET", "/users/{user_id}", self._get_user),
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
            ("POST", "/interactions/{interaction_id}/{token}/callback", self._interaction_callback),
            ("POST", "/webhooks/{application_id}/{token}", self._followup),
            (
                "GET",
                "/webhooks/{application_id}/{token}/messages/{message_id}",
                self._get_webhook_message,
            ),
            (
                "PATCH",
                "/webhooks/{application_id}/{token}/messages/{message_id}",
                self._edit_webhook_message,
            ),
            (
                "DELETE",
                "/webhooks/{application_id}/{token}/messages/{message_id}",
                self._delete_webhook_message,
            ),
            ("GET", "/guilds/{guild_id}", self._get_guild),
            ("GET", "/guilds/{guild_id}/channels", self._get_guild_channels),
            ("GET", "/guilds/{guild_id}/roles", self._get_guild_roles),
            ("GET", "/guilds/{guild_id}/members", self._list_members),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self._get_member),
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
        fault = next(
            (f for f in self.faults if f.applies_to(record.method, record.path, record.route)),
            None,
        )
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
        rule = next(
            (r for r in self.rate_limits if r.applies_to(record.method, record.path, record.route)),
            None,
        )
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

    def _fault_response(self, fault: Fault) -> web.Response:
        headers: CIMultiDict[str] = CIMultiDict()
        if fault.via_header:
            headers["Via"] = "1.1 google"
        if fault.status == 429:
            body = fault.body or {
                "message": "You are being rate limited.",
                "retry_after": fault.retry_after,
                "global": fault.global_,
            }
            headers["Retry-After"] = str(math.ceil(fault.retry_after))
            headers["X-RateLimit-Scope"] = fault.scope
            if fault.global_:
                headers["X-RateLimit-Global"] = "true"
            else:
                headers.update(
                    {
                        "X-RateLimit-Limit": "1",
                        "X-RateLimit-Remaining": "0",
                        "X-RateLimit-Reset": f"{time.time() + fault.retry_after:.3f}",
                        "X-RateLimit-Reset-After": f"{fault.retry_after:.3f}",
                        "X-RateLimit-Bucket": f"fake-injected-{fault.bucket}",
                    }
                )
        else:
            body = fault.body or _default_error_body(fault.status)
        if isinstance(body, str):
            return web.Response(
                text=body, status=fault.status, headers=headers, content_type="text/html"
            )
        return json_response(body, status=fault.status, headers=headers)

    def _check_global_limit(self, record: RecordedRequest) -> web.Response | None:
        # Discord: "interaction endpoints are not bound to the bot's Global Rate Limit" — the
        # callback and everything under the interaction's token (follow-ups, the original
        # response), which share /webhooks/{application_id}/{token} with nothing else
        route = record.route or ""
        if self._global_limit is None or route.startswith("/interactions/"):
            return None
        if route.startswith("/webhooks/{application_id}/"):
            return None
        limit, per = self._global_limit
        now = self.clock()
        start, count = self._global_window
        if now >= start + per:
            start, count = now, 0
        if count >= limit:
            retry = math.ceil((start + per - now) * 1000) / 1000
            record.fault = "global rate limit"
            return json_response(
                {
                    "message": "You are being rate limited.",
                    "retry_after": round(retry, 3),
                    "global": True,
                },
                status=429,
                headers={
                    "Via": "1.1 google",
                    "Retry-After": str(math.ceil(retry)),
                    "X-RateLimit-Global": "true",
                    "X-RateLimit-Scope": "global",
                },
            )
        self._global_window = (start, count + 1)
        return None

    def _check_rate_limit(
        self, rule: RateLimitRule, record: RecordedRequest, headers: dict[str, str]
    ) -> web.Response | None:
        now = self.clock()
        major = _major_parameter(record.path)
        start, count = rule.windows.get(major, (now, 0))
        if now >= start + rule.per:
            start, count = now, 0
        # Rounded up: a client that sleeps exactly this long must find the window reset.
        reset_after = math.ceil((start + rule.per - now) * 1000) / 1000
        common = {
            "X-RateLimit-Limit": str(rule.limit),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": rule.bucket,
        }
        if count >= rule.limit:
            rule.rejected += 1
            record.fault = "route rate limit"
            return json_response(
                {
                    "message": "You are being rate limited.",
                    "retry_after": round(reset_after, 3),
                    "global": False,
                },
                status=429,
                headers={
                    **common,
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Scope": "user",
                    "Retry-After": str(math.ceil(reset_after)),
                    "Via": "1.1 google",
                },
            )
        count += 1
        rule.hits += 1
        rule.windows[major] = (start, count)
        headers.update(common, **{"X-RateLimit-Remaining": str(rule.limit - count)})
        return None

    # ------------------------------------------------------------------ route handlers

    async def _not_found(self, request: web.Request, record: RecordedRequest) -> web.Response:
        return json_response({"message": "404: Not Found", "code": 0}, status=404)

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

    async def _get_user(self, request: web.Request, record: RecordedRequest) -> web.Response:
        user = self._find_user(_snowflake(request, "user_id", "User", 10013))
        if user is None:
            raise _unknown("User", 10013)
        return json_response(user.payload())

    async def _create_dm(self, request: web.Request, record: RecordedRequest) -> web.Response:
        body = record.json if isinstance(record.json, dict) else {}
        try:
            user = self._find_user(int(body.get("recipient_id", 0)))
        except (TypeError, ValueError):
            user = None
        if user is None:
            raise _unknown("User", 10013)
        return json_response(self.dm_channel(user).payload())

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
                "flags": _application_flags(),
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
        guild = self._guild_by_id(_snowflake(request, "guild_id", "Guild", 10004))
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
            raise _invalid_form(
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
                errors[str(i)] = _field_error("APPLICATION_COMMAND_INVALID", "; ".join(problems))
        if len(body) > 100:
            errors["_errors"] = [
                {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 100 or fewer in length."}
            ]
        if errors:
            raise _invalid_form(errors)
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

    # -- channels and messages

    def _channel_for_bot(
        self, request: web.Request, *, needs: int = 0
    ) -> tuple[Channel, Guild | None]:
        found = self._find_channel(_snowflake(request, "channel_id", "Channel", 10003))
        if found is None:
            raise _unknown("Channel", 10003)
        channel, guild = found
        if guild is not None:
            perms = self.bot_permissions_in(channel)
            if not perms & Permission.VIEW_CHANNEL:
                raise ApiError(403, 50001, "Missing Access")
            if needs and (perms & needs) != needs:
                raise ApiError(403, 50013, "Missing Permissions")
        return channel, guild

    def _message_in(self, request: web.Request, channel: Channel) -> JSON:
        mid = _snowflake(request, "message_id", "Message", 10008)
        message = self._messages.get(mid)
        if message is None or message["channel_id"] != str(channel.id):
            raise _unknown("Message", 10008)
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
            raise _invalid_form(
                {"limit": _field_error("NUMBER_TYPE_MAX", "Must be between 1 and 100.")}
            )
        ids = list(self._channel_messages.get(channel.id, []))
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
        reference = payload.get("message_reference")
        if isinstance(reference, dict) and reference.get("message_id") is not None:
            target = self._messages.get(int(reference["message_id"]))
            if target is None and reference.get("fail_if_not_exists", True):
                raise _invalid_form(
                    {
                        "message_reference": _field_error(
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
        if self.on_post is not None:
            self.on_post()
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

    # -- interactions

    def _interaction_by_token(self, request: web.Request) -> InteractionRecord:
        if request.match_info["application_id"] != str(self.application_id):
            raise _unknown("Webhook", 10015)
        token = request.match_info["token"]
        record = next((r for r in self._interactions.values() if r.token == token), None)
        if record is None:
            raise _unknown("Webhook", 10015)
        return record

    async def _interaction_callback(
        self, request: web.Request, record: RecordedRequest
    ) -> web.Response:
        try:
            interaction = self._interactions[int(request.match_info["interaction_id"])]
        except (KeyError, ValueError):
            raise _unknown("interaction", 10062) from None
        if interaction.token != request.match_info["token"]:
            raise _unknown("interaction", 10062)
        if interaction.acknowledged:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        if (
            self.interaction_deadline is not None
            and self.clock() - interaction.created_at > self.interaction_deadline
        ):
            raise _unknown("interaction", 10062)
        body = record.json if isinstance(record.json, dict) else {}
        ctype = body.get("type")
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        assert isinstance(data, dict)
        found = self._find_channel(interaction.channel_id)
        assert found is not None
        channel, guild = found
        is_component = interaction.type in (INTERACTION_MESSAGE_COMPONENT, INTERACTION_MODAL_SUBMIT)
        message: JSON | None = None
        if ctype == CALLBACK_CHANNEL_MESSAGE:
            self._validate_message(data, files=record.files, creating=True)
            message = self._build_message(
                channel, guild, self.bot_user, None, data,
                webhook_id=self.application_id, interaction=interaction, files=record.files,
            )  # fmt: skip
            self._store_message(message)
            interaction.original_message_id = int(message["id"])
            await self._dispatch_message("MESSAGE_CREATE", message, guild)
        elif ctype == CALLBACK_DEFERRED_CHANNEL_MESSAGE:
            flags = (int(data.get("flags") or 0) & FLAG_EPHEMERAL) | FLAG_LOADING
            message = self._build_message(
                channel, guild, self.bot_user, None, {"content": "", "flags": flags},
                webhook_id=self.application_id, interaction=interaction,
            )  # fmt: skip
            self._store_message(message)
            interaction.original_message_id = int(message["id"])
            interaction.loading = True
            await self._dispatch_message("MESSAGE_CREATE", message, guild)
        elif ctype in (CALLBACK_DEFERRED_UPDATE_MESSAGE, CALLBACK_UPDATE_MESSAGE):
            if not is_component:
                raise _invalid_form(
                    {"type": _field_error("INTERACTION_RESPONSE_TYPE_INVALID", "Invalid type")}
                )
            if (
                ctype == CALLBACK_UPDATE_MESSAGE
                and interaction.original_message_id in self._messages
            ):
                self._validate_message(data, files=record.files, creating=False)
                message = self._messages[interaction.original_message_id]
                self._edit_message(message, data, files=record.files)
                await self._dispatch_message("MESSAGE_UPDATE", message, guild)
        elif ctype == CALLBACK_MODAL:
            if interaction.type == INTERACTION_MODAL_SUBMIT:
                raise _invalid_form(
                    {"type": _field_error("INTERACTION_RESPONSE_TYPE_INVALID", "Invalid type")}
                )
            if not data.get("custom_id") or not data.get("title") or not data.get("components"):
                raise _invalid_form(
                    {
                        "data": _field_error(
                            "BASE_TYPE_REQUIRED", "A modal needs custom_id, title and components"
                        )
                    }
                )
            interaction.modal = copy.deepcopy(data)
        elif ctype not in (CALLBACK_PONG, CALLBACK_AUTOCOMPLETE_RESULT):
            raise _invalid_form(
                {"type": _field_error("BASE_TYPE_CHOICES", f"Invalid callback type {ctype!r}")}
            )
        interaction.callback_type = int(ctype) if isinstance(ctype, int) else None
        interaction.responses.append(
            InteractionResponse(
                "callback", copy.deepcopy(body), int(message["id"]) if message else None
            )
        )
        if request.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        answer: JSON = {
            "interaction": {
                "id": str(interaction.id),
                "type": interaction.type,
                "response_message_loading": interaction.loading,
                "response_message_ephemeral": bool(
                    message and int(message["flags"]) & FLAG_EPHEMERAL
                ),
            },
            "resource": {"type": ctype},
        }
        if message is not None:
            answer["interaction"]["response_message_id"] = message["id"]
            answer["resource"]["message"] = message
        return json_response(answer)

    async def _followup(self, request: web.Request, record: RecordedRequest) -> web.Response:
        interaction = self._interaction_by_token(request)
        if not interaction.acknowledged:
            raise _unknown("Webhook", 10015)
        payload = record.json if isinstance(record.json, dict) else {}
        found = self._find_channel(interaction.channel_id)
        assert found is not None
        channel, guild = found
        if interaction.loading and interaction.original_message_id in self._messages:
            # The first followup after a "thinking" defer replaces the loading message.
            self._validate_message(payload, files=record.files, creating=True)
            message = self._messages[interaction.original_message_id]
            self._edit_message(message, payload, files=record.files)
            interaction.loading = False
            await self._dispatch_message("MESSAGE_UPDATE", message, guild)
        else:
            self._validate_message(payload, files=record.files, creating=True)
            message = self._build_message(
                channel, guild, self.bot_user, None, payload,
                webhook_id=self.application_id, interaction=interaction, files=record.files,
            )  # fmt: skip
            self._store_message(message)
            interaction.followup_ids.append(int(message["id"]))
            await self._dispatch_message("MESSAGE_CREATE", message, guild)
        interaction.responses.append(
            InteractionResponse("followup", copy.deepcopy(payload), int(message["id"]))
        )
        if request.query.get("wait") in ("1", "true", "True"):
            return json_response(message)
        return web.Response(status=204)

    def _webhook_message(
        self, request: web.Request, interaction: InteractionRecord
    ) -> tuple[JSON, bool]:
        raw = request.match_info["message_id"]
        if raw == "@original":
            mid = interaction.original_message_id
            if mid is None or mid not in self._messages:
                raise _unknown("Message", 10008)
            return self._messages[mid], True
        try:
            mid = int(raw)
        except ValueError:
            raise _unknown("Message", 10008) from None
        if mid not in interaction.followup_ids and mid != interaction.original_message_id:
            raise _unknown("Message", 10008)
        if mid not in self._messages:
            raise _unknown("Message", 10008)
        return self._messages[mid], mid == interaction.original_message_id

    async def _get_webhook_message(
        self, request: web.Request, record: RecordedRequest
    ) -> web.Response:
        interaction = self._interaction_by_token(request)
        message, _ = self._webhook_message(request, interaction)
        return json_response(message)

    async def _edit_webhook_message(
        self, request: web.Request, record: RecordedRequest
    ) -> web.Response:
        interaction = self._interaction_by_token(request)
        message, original = self._webhook_message(request, interaction)
        payload = record.json if isinstance(record.json, dict) else {}
        self._validate_message(payload, files=record.files, creating=False)
        self._edit_message(message, payload, files=record.files)
        if original:
            interaction.loading = False
        guild = self._guild_by_id(interaction.guild_id) if interaction.guild_id else None
        await self._dispatch_message("MESSAGE_UPDATE", message, guild)
        interaction.responses.append(
            InteractionResponse(
                "edit_original" if original else "edit_followup",
                copy.deepcopy(payload),
                int(message["id"]),
            )
        )
        return json_response(message)

    async def _delete_webhook_message(
        self, request: web.Request, record: RecordedRequest
    ) -> web.Response:
        interaction = self._interaction_by_token(request)
        message, original = self._webhook_message(request, interaction)
        await self._delete_message(message)
        interaction.responses.append(
            InteractionResponse(
                "delete_original" if original else "delete_followup", {}, int(message["id"])
            )
        )
        return web.Response(status=204)

    # -- guilds

    def _guild_for_bot(self, request: web.Request) -> Guild:
        guild = self._guild_by_id(_snowflake(request, "guild_id", "Guild", 10004))
        if guild is None:
            raise _unknown("Guild", 10004)
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
        member = guild.get_member(_snowflake(request, "user_id", "Member", 10007))
        if member is None:
            raise _unknown("Member", 10007)
        return json_response(member.payload())


# ---------------------------------------------------------------------- helpers


def _snowflake(request: web.Request, key: str, what: str, code: int) -> int:
    try:
        return int(request.match_info[key])
    except ValueError:
        raise _unknown(what, code) from None


def _auth_exempt(route: str) -> bool:
    return route in ("/gateway",) or route.startswith(("/interactions/", "/webhooks/"))


def _major_parameter(path: str) -> str:
    match = re.match(r"^/(channels|guilds)/(\d+)", path) or re.match(
        r"^/(webhooks|interactions)/(\d+)/([^/]+)", path
    )
    return match.group(0) if match else ""


def _default_error_body(status: int) -> JSON:
    messages = {
        400: "400: Bad Request",
        401: "401: Unauthorized",
        403: "403: Forbidden",
        404: "404: Not Found",
        500: "500: Internal Server Error",
        502: "502: Bad Gateway",
        503: "503: Service Unavailable",
        504: "504: Gateway Timeout",
    }
    return {"message": messages.get(status, f"{status}: Error"), "code": 0}


def _application_flags() -> int:
    # GATEWAY_PRESENCE_LIMITED | GATEWAY_GUILD_MEMBERS_LIMITED | GATEWAY_MESSAGE_CONTENT_LIMITED
    return (1 << 13) | (1 << 15) | (1 << 19)


def _normalise_embed(embed: Any) -> JSON:
    data = copy.deepcopy(embed) if isinstance(embed, dict) else {}
    data.setdefault("type", "rich")
    for field in data.get("fields") or []:
        field.setdefault("inline", False)
    return data


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
    return problems
