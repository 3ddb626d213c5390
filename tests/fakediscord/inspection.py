"""What tests read and wait for: messages, interaction responses, the bot's payloads, frames.

:class:`Inspection` is a mixin of :class:`~tests.fakediscord.server.FakeDiscord`. Reads return
copies. ``wait_until`` re-checks its condition whenever the fake notifies a change (a request
answered, a gateway frame, a user's action), so the ``wait_for_*`` helpers never poll. The
request log itself (``requests``, ``requests_to``, ``unknown_requests``) is
:class:`tests.fakebase.RequestLog`.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import Callable, Iterator
from typing import Literal, TypeVar

from tests.fakediscord.api import CALLBACK_CHANNEL_MESSAGE, CALLBACK_UPDATE_MESSAGE, JSON
from tests.fakediscord.gateway import OP_DISPATCH, GatewaySession, make_frame
from tests.fakediscord.limits import check_message_limits
from tests.fakediscord.models import Channel
from tests.fakediscord.records import (
    GatewayFrame,
    InteractionRecord,
    InteractionResponse,
    RecordedRequest,
)

T = TypeVar("T")


class Inspection:
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
        and 7: their ``data``), followups, channel webhook executions (they share followups'
        route) and webhook message edits.
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

    # -- waiting

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

    async def wait_for_answer(
        self, interaction_id: int, *, timeout: float = 5.0
    ) -> InteractionResponse:
        """The response that carries the command's result, however the bot answered: at once
        (callback type 4) or deferred, then a followup or an edit."""
        return await self.wait_until(
            lambda: self._interactions[interaction_id].answer,
            timeout=timeout,
            description=f"the answer to interaction {interaction_id}",
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

    # -- gateway frames

    def _record_frame(self, connection: int, direction: str, payload: JSON) -> None:
        self.gateway_frames.append(make_frame(direction, connection, payload))

    def dispatched_events(self, name: str | None = None) -> list[GatewayFrame]:
        return [
            f
            for f in self.gateway_frames
            if f.direction == "out" and f.op == OP_DISPATCH and (name is None or f.t == name)
        ]
