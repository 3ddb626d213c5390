"""The fake gateway: one websocket connection per :class:`GatewayConnection`, sessions that
outlive connections (so RESUME can replay what a dropped client missed), transport compression.

Discord's protocol: https://discord.com/developers/docs/events/gateway. The server sends HELLO;
the client IDENTIFYs (new session: READY then one GUILD_CREATE per guild) or RESUMEs (missed
dispatches replayed, then RESUMED); heartbeats are ACKed. Every dispatch gets the session's next
sequence number and is logged on the session whether or not a connection is attached.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import secrets
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from tests.fakediscord.permissions import (
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_PRESENCES,
    INTENT_GUILDS,
    PRIVILEGED_INTENTS,
)
from tests.fakediscord.records import GatewayFrame

if TYPE_CHECKING:
    from tests.fakediscord.server import FakeDiscord

JSON = dict[str, Any]

# Opcodes (https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway).
OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE_UPDATE = 3
OP_VOICE_STATE_UPDATE = 4
OP_RESUME = 6
OP_RECONNECT = 7
OP_REQUEST_GUILD_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

# Close codes.
CLOSE_UNKNOWN_ERROR = 4000
CLOSE_UNKNOWN_OPCODE = 4001
CLOSE_DECODE_ERROR = 4002
CLOSE_NOT_AUTHENTICATED = 4003
CLOSE_AUTHENTICATION_FAILED = 4004
CLOSE_ALREADY_AUTHENTICATED = 4005
CLOSE_INVALID_SHARD = 4010
CLOSE_INVALID_API_VERSION = 4012
CLOSE_INVALID_INTENTS = 4013
CLOSE_DISALLOWED_INTENTS = 4014


class _Compressor:
    """Transport compression for one connection: a single stream for its whole life."""

    def __init__(self, kind: str | None) -> None:
        self.kind = kind
        self._zlib: Any = None
        self._zstd: Any = None
        self._flush: Any = None
        if kind == "zlib-stream":
            self._zlib = zlib.compressobj()
        elif kind == "zstd-stream":
            self._zstd, self._flush = _zstd_stream()

    def encode(self, text: str) -> bytes | str:
        raw = text.encode()
        if self._zlib is not None:
            return bytes(self._zlib.compress(raw) + self._zlib.flush(zlib.Z_SYNC_FLUSH))
        if self._zstd is not None:
            return bytes(self._flush(raw))
        return text


def _zstd_stream() -> tuple[Any, Callable[[bytes], bytes]]:
    """A zstd stream flushed per message, from ``compression.zstd`` (3.14) or ``zstandard``."""
    try:
        stdlib: Any = importlib.import_module("compression.zstd")
    except ImportError:
        zstandard: Any = importlib.import_module("zstandard")  # raises if absent: see supports
        obj = zstandard.ZstdCompressor().compressobj()
        block = zstandard.COMPRESSOBJ_FLUSH_BLOCK
        return obj, lambda raw: obj.compress(raw) + obj.flush(block)
    comp = stdlib.ZstdCompressor()
    return comp, lambda raw: comp.compress(raw, mode=stdlib.ZstdCompressor.FLUSH_BLOCK)


def supported_compressions() -> set[str | None]:
    kinds: set[str | None] = {None, "zlib-stream"}
    for module in ("compression.zstd", "zstandard"):
        with contextlib.suppress(ImportError):
            importlib.import_module(module)
            kinds.add("zstd-stream")
    return kinds


@dataclass(eq=False)
class GatewayConnection:
    """One websocket: who connected where, with which options, and how it ended."""

    number: int
    ws: web.WebSocketResponse
    path: str
    query: dict[str, str]
    compressor: _Compressor
    session: GatewaySession | None = None
    heartbeats: int = 0
    opened_at: float = field(default_factory=time.monotonic)
    close_code: int | None = None
    """The code the server closed with, or else the client's."""
    closed_by_server: bool = False
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def compress(self) -> str | None:
        return self.compressor.kind

    @property
    def open(self) -> bool:
        return not self.ws.closed

    async def send(self, payload: JSON) -> bool:
        """Send one gateway message; False if the socket is already gone."""
        text = json.dumps(payload, separators=(",", ":"))
        async with self._lock:
            if self.ws.closed:
                return False
            data = self.compressor.encode(text)
            try:
                if isinstance(data, bytes):
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(data)
            except (ConnectionError, RuntimeError):
                return False
        return True

    async def close(self, code: int, message: str = "") -> None:
        self.closed_by_server = True
        self.close_code = code
        await self.ws.close(code=code, message=message.encode())


@dataclass(eq=False)
class GatewaySession:
    """A gateway session: created by IDENTIFY, survives dropped connections until it ends."""

    session_id: str
    token: str
    intents: int
    identify: JSON
    shard: tuple[int, int] | None = None
    seq: int = 0
    events: list[tuple[int, str, JSON]] = field(default_factory=list)
    connection: GatewayConnection | None = None
    resumes: int = 0
    replayed: list[int] = field(default_factory=list)
    """Sequence numbers delivered by a RESUME's replay rather than live."""
    presence: JSON | None = None
    ended: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def has_intent(self, bit: int) -> bool:
        return bool(self.intents & bit)

    async def dispatch(self, event: str, data: JSON, on_frame: Callable[[JSON], None]) -> int:
        async with self.lock:
            self.seq += 1
            seq = self.seq
            self.events.append((seq, event, data))
            frame = {"op": OP_DISPATCH, "t": event, "s": seq, "d": data}
            on_frame(frame)
            if self.connection is not None:
                await self.connection.send(frame)
        return seq


class Gateway:
    """The websocket endpoint of a :class:`FakeDiscord`; all state lives on the fake."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake

    async def handle(self, request: web.Request) -> web.StreamResponse:
        fake = self.fake
        ws = web.WebSocketResponse(compress=False, max_msg_size=4 * 1024 * 1024, autoping=True)
        if not ws.can_prepare(request).ok:
            return web.Response(status=400, text="Expected a websocket upgrade")
        await ws.prepare(request)
        query = dict(request.query)
        compress = query.get("compress")
        conn = GatewayConnection(
            number=len(fake.connections) + 1,
            ws=ws,
            path=request.path,
            query=query,
            compressor=_Compressor(compress if compress in supported_compressions() else None),
        )
        fake.connections.append(conn)
        fake._notify()
        try:
            if query.get("v", "10") not in ("9", "10"):
                await conn.close(CLOSE_INVALID_API_VERSION, "Invalid API version.")
                return ws
            if query.get("encoding", "json") != "json":
                await conn.close(CLOSE_DECODE_ERROR, "The fake gateway speaks JSON only.")
                return ws
            if compress not in supported_compressions():
                await conn.close(CLOSE_DECODE_ERROR, f"Unsupported compression {compress!r}.")
                return ws
            await self._send(
                conn,
                {
                    "op": OP_HELLO,
                    "d": {
                        "heartbeat_interval": round(fake.heartbeat_interval * 1000),
                        "_trace": ["fake-gateway"],
                    },
                    "s": None,
                    "t": None,
                },
            )
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_text(conn, msg.data)
                elif msg.type is WSMsgType.BINARY:
                    await conn.close(CLOSE_DECODE_ERROR, "Binary frames are not accepted.")
                elif msg.type is WSMsgType.ERROR:
                    break
        finally:
            if not conn.closed_by_server:
                conn.close_code = ws.close_code
            session = conn.session
            if session is not None and session.connection is conn:
                session.connection = None
                if not conn.closed_by_server and ws.close_code in (1000, 1001):
                    # A client that closes normally ends its session (it cannot RESUME).
                    session.ended = True
            fake._notify()
        return ws

    async def _send(self, conn: GatewayConnection, payload: JSON) -> None:
        self.fake._record_frame(conn.number, "out", payload)
        await conn.send(payload)

    async def _on_text(self, conn: GatewayConnection, text: str) -> None:
        try:
            payload = json.loads(text)
            op = payload["op"]
        except (ValueError, KeyError, TypeError):
            await conn.close(CLOSE_DECODE_ERROR, "Decode error.")
            return
        self.fake._record_frame(conn.number, "in", payload)
        data = payload.get("d")
        handlers: dict[int, Callable[[GatewayConnection, Any], Awaitable[None]]] = {
            OP_HEARTBEAT: self._heartbeat,
            OP_IDENTIFY: self._identify,
            OP_RESUME: self._resume,
            OP_PRESENCE_UPDATE: self._presence,
            OP_REQUEST_GUILD_MEMBERS: self._request_members,
            OP_VOICE_STATE_UPDATE: self._voice_state,
        }
        handler = handlers.get(op)
        if handler is None:
            await conn.close(CLOSE_UNKNOWN_OPCODE, "Unknown opcode.")
            return
        if conn.session is None and op not in (OP_HEARTBEAT, OP_IDENTIFY, OP_RESUME):
            await conn.close(CLOSE_NOT_AUTHENTICATED, "Not authenticated.")
            return
        await handler(conn, data)
        self.fake._notify()

    async def _heartbeat(self, conn: GatewayConnection, _data: Any) -> None:
        conn.heartbeats += 1
        if self.fake.ack_heartbeats:
            await self._send(conn, {"op": OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None})

    async def _identify(self, conn: GatewayConnection, data: Any) -> None:
        fake = self.fake
        if conn.session is not None:
            await conn.close(CLOSE_ALREADY_AUTHENTICATED, "Already authenticated.")
            return
        if not isinstance(data, dict) or data.get("token") != fake.token:
            await conn.close(CLOSE_AUTHENTICATION_FAILED, "Authentication failed.")
            return
        intents = data.get("intents")
        if not isinstance(intents, int) or intents < 0:
            await conn.close(CLOSE_INVALID_INTENTS, "Invalid intent(s).")
            return
        if intents & PRIVILEGED_INTENTS & ~fake.allowed_privileged_intents:
            await conn.close(CLOSE_DISALLOWED_INTENTS, "Disallowed intent(s).")
            return
        shard: tuple[int, int] | None = None
        if data.get("shard") is not None:
            shard_id, shard_count = data["shard"]
            if not 0 <= shard_id < shard_count:
                await conn.close(CLOSE_INVALID_SHARD, "Invalid shard.")
                return
            shard = (shard_id, shard_count)
        session = GatewaySession(
            session_id=secrets.token_hex(16),
            token=data["token"],
            intents=intents,
            identify=data,
            shard=shard,
            connection=conn,
        )
        conn.session = session
        fake.sessions.append(session)
        guilds = [g for g in fake.guilds if shard is None or (g.id >> 22) % shard[1] == shard[0]]
        await self.dispatch(session, "READY", fake._ready_payload(session, guilds))
        if session.has_intent(INTENT_GUILDS):
            for guild in guilds:
                members = [fake._bot_member(guild)]
                full = fake.full_member_lists
                if full is None:
                    full = session.has_intent(INTENT_GUILD_PRESENCES) and not guild.large
                if full:
                    members = list(guild.members)
                await self.dispatch(
                    session,
                    "GUILD_CREATE",
                    guild.gateway_payload(members=members, joined_at=fake.joined_at),
                )

    async def _resume(self, conn: GatewayConnection, data: Any) -> None:
        fake = self.fake
        if conn.session is not None:
            await conn.close(CLOSE_ALREADY_AUTHENTICATED, "Already authenticated.")
            return
        session_id = data.get("session_id") if isinstance(data, dict) else None
        session = next((s for s in fake.sessions if s.session_id == session_id), None)
        if session is None or session.ended or data.get("token") != fake.token:
            await self._send(conn, {"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        await fake._resume_gate.wait()
        async with session.lock:
            previous = session.connection
            session.connection = conn
            conn.session = session
            if previous is not None and previous is not conn and previous.open:
                asyncio.get_running_loop().create_task(previous.close(CLOSE_UNKNOWN_ERROR))
            last_seen = data.get("seq") or 0
            for seq, event, payload in list(session.events):
                if seq > last_seen:
                    frame = {"op": OP_DISPATCH, "t": event, "s": seq, "d": payload}
                    fake._record_frame(conn.number, "out", frame)
                    await conn.send(frame)
                    session.replayed.append(seq)
            session.seq += 1
            resumed = {"op": OP_DISPATCH, "t": "RESUMED", "s": session.seq, "d": {"_trace": []}}
            fake._record_frame(conn.number, "out", resumed)
            await conn.send(resumed)
            session.resumes += 1

    async def _presence(self, conn: GatewayConnection, data: Any) -> None:
        assert conn.session is not None
        conn.session.presence = data if isinstance(data, dict) else None

    async def _voice_state(self, conn: GatewayConnection, data: Any) -> None:
        """Recorded in the frame log only: the fake has no voice."""

    async def _request_members(self, conn: GatewayConnection, data: Any) -> None:
        fake = self.fake
        session = conn.session
        assert session is not None
        if not isinstance(data, dict):
            await conn.close(CLOSE_DECODE_ERROR, "Decode error.")
            return
        guild = next((g for g in fake.guilds if str(g.id) == str(data.get("guild_id"))), None)
        if guild is None:
            return
        query = data.get("query")
        user_ids = {str(u) for u in data.get("user_ids") or []}
        if not user_ids and query == "" and not session.has_intent(INTENT_GUILD_MEMBERS):
            await conn.close(CLOSE_DISALLOWED_INTENTS, "Disallowed intent(s).")
            return
        members = list(guild.members)
        if user_ids:
            members = [m for m in members if str(m.id) in user_ids]
        elif query:
            members = [m for m in members if m.user.username.lower().startswith(query.lower())]
        limit = int(data.get("limit") or 0)
        if limit:
            members = members[:limit]
        chunk: JSON = {
            "guild_id": str(guild.id),
            "members": [m.payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": sorted(user_ids - {str(m.id) for m in members}),
        }
        if data.get("presences"):
            chunk["presences"] = []
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        await self.dispatch(session, "GUILD_MEMBERS_CHUNK", chunk)

    async def dispatch(self, session: GatewaySession, event: str, data: JSON) -> int:
        connection = session.connection
        number = connection.number if connection is not None else 0

        def record(frame: JSON) -> None:
            self.fake._record_frame(number, "out", frame)

        return await session.dispatch(event, data, record)


def make_frame(direction: str, connection: int, payload: JSON) -> GatewayFrame:
    return GatewayFrame(
        direction="in" if direction == "in" else "out",
        op=payload.get("op"),
        t=payload.get("t"),
        s=payload.get("s"),
        d=payload.get("d"),
        connection=connection,
        at=time.monotonic(),
    )
