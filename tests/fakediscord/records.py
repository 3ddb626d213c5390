"""What the fake remembers, and the knobs tests turn: recorded requests, faults, rate limits.

The request record and the fault's use count extend :mod:`tests.fakebase`, shared with the
fakes of X and the Graph API.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from tests import fakebase
from tests.fakebase import Armed

JSON = dict[str, Any]


@dataclass
class UploadedFile:
    field_name: str
    filename: str
    content_type: str
    size: int


@dataclass
class RecordedRequest(fakebase.RecordedRequest[str]):
    """One REST request, as the fake received and answered it.

    ``path`` is relative to the API base, e.g. ``/channels/123/messages`` (no ``/api/v10``);
    ``route`` the matched template, e.g. ``/channels/{channel_id}/messages``; ``fault`` why the
    fake answered with an injected error (``fail_next``/rate limit), if it did.
    """

    json: Any
    """The JSON body (for multipart uploads: the parsed ``payload_json``); None if none."""
    files: list[UploadedFile] = field(default_factory=list)
    response: Any = None
    at: float = 0.0
    """``time.monotonic()`` when it arrived."""

    @property
    def authorization(self) -> str | None:
        return self.header("Authorization")


@dataclass
class Fault(Armed):
    """An injected failure, armed by :meth:`FakeDiscord.fail_next` for ``times`` requests."""

    method: str
    pattern: str | re.Pattern[str]
    status: int
    retry_after: float
    global_: bool
    scope: str
    after_processing: bool
    body: Any = None
    via_header: bool = True

    @property
    def bucket(self) -> str:
        """A bucket hash of its own, so injected 429s do not merge discord.py's buckets."""
        return f"{id(self):x}"


@dataclass
class RateLimitRule:
    """Enforced per-route limit: ``limit`` requests per ``per`` seconds per bucket.

    Buckets are split by Discord's major parameters (channel, guild, webhook/interaction id).
    """

    method: str
    pattern: str | re.Pattern[str]
    limit: int
    per: float
    bucket: str
    hits: int = 0
    rejected: int = 0
    windows: dict[str, tuple[float, int]] = field(default_factory=dict)
    """Major parameter -> (window start, requests counted in it)."""


@dataclass
class InteractionResponse:
    """One thing the bot sent about an interaction."""

    kind: Literal[
        "callback",
        "followup",
        "edit_original",
        "delete_original",
        "edit_followup",
        "delete_followup",
    ]
    payload: JSON
    """The JSON body as sent."""
    message_id: int | None = None
    """The message it created or changed, if any."""
    at: float = field(default_factory=time.monotonic)
    """When the fake received it (``time.monotonic()``): latency measurements."""

    @property
    def type(self) -> int | None:
        """The callback type (4 message, 5 deferred, 6 deferred update, 7 update, 8 autocomplete
        result, 9 modal)."""
        return self.payload.get("type") if self.kind == "callback" else None

    @property
    def data(self) -> JSON:
        """The message-shaped part: the callback's ``data`` or the whole body otherwise."""
        if self.kind == "callback":
            inner = self.payload.get("data")
            return inner if isinstance(inner, dict) else {}
        return self.payload

    @property
    def content(self) -> str | None:
        value = self.data.get("content")
        return value if isinstance(value, str) else None

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.data.get("flags") or 0) & 64)


@dataclass
class InteractionRecord:
    """An interaction the fake dispatched and everything the bot answered to it."""

    id: int
    token: str
    type: int
    channel_id: int
    guild_id: int | None
    user_id: int
    payload: JSON
    created_at: float
    responses: list[InteractionResponse] = field(default_factory=list)
    callback_type: int | None = None
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    modal: JSON | None = None
    """The modal the bot opened (callback type 9), if any."""
    loading: bool = False
    """Deferred with a "thinking" message that no followup or edit has replaced yet."""

    @property
    def acknowledged(self) -> bool:
        return self.callback_type is not None

    @property
    def answer(self) -> InteractionResponse | None:
        """The response that carries the command's result: the first response with a message
        (callback type 4) or, after a bare deferral ("thinking…"), the followup or the edit of
        the original response."""
        for response in self.responses:
            if response.kind == "callback" and response.type == 4:
                return response
            if response.kind in ("followup", "edit_original"):
                return response
        return None


@dataclass(frozen=True)
class SentMessage:
    """A MESSAGE_CREATE the fake dispatched on behalf of a user."""

    id: int
    channel_id: int
    guild_id: int | None
    author_id: int
    payload: JSON


@dataclass(frozen=True)
class SentInteraction:
    """An INTERACTION_CREATE the fake dispatched; use ``id`` to find the bot's answers."""

    id: int
    token: str
    type: int
    channel_id: int
    guild_id: int | None
    user_id: int
    payload: JSON


@dataclass
class GatewayFrame:
    """One gateway message, either direction (``"in"``: from the client)."""

    direction: Literal["in", "out"]
    op: int | None
    t: str | None
    s: int | None
    d: Any
    connection: int
    at: float
