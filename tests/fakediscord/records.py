"""What the fake remembers, and the knobs tests turn: recorded requests, faults, rate limits."""

from __future__ import annotations

import fnmatch
import re
import time
from dataclasses import dataclass, field
from typing import Any, Literal

JSON = dict[str, Any]


@dataclass
class UploadedFile:
    field_name: str
    filename: str
    content_type: str
    size: int


@dataclass
class RecordedRequest:
    """One REST request, as the fake received and answered it."""

    method: str
    path: str
    """Relative to the API base, e.g. ``/channels/123/messages`` (no ``/api/v10``)."""
    route: str | None
    """The matched route template, e.g. ``/channels/{channel_id}/messages``; None if unknown."""
    query: dict[str, str]
    headers: dict[str, str]
    json: Any
    """The JSON body (for multipart uploads: the parsed ``payload_json``); None if none."""
    files: list[UploadedFile] = field(default_factory=list)
    status: int = 0
    response: Any = None
    at: float = 0.0
    """``time.monotonic()`` when it arrived."""
    fault: str | None = None
    """Why the fake answered with an injected error (``fail_next``/rate limit), if it did."""

    @property
    def unknown(self) -> bool:
        return self.route is None

    @property
    def authorization(self) -> str | None:
        return self.header("Authorization")

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)

    def matches(self, method: str, pattern: str | re.Pattern[str]) -> bool:
        return _method_matches(method, self.method) and path_matches(pattern, self.path, self.route)

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status}"


def path_matches(pattern: str | re.Pattern[str], path: str, route: str | None = None) -> bool:
    """A compiled regex is searched in the path; a string is an fnmatch glob against the path
    (``/channels/*/messages``) or the route template (``/channels/{channel_id}/messages``)."""
    if isinstance(pattern, re.Pattern):
        return pattern.search(path) is not None
    return fnmatch.fnmatchcase(path, pattern) or (
        route is not None and fnmatch.fnmatchcase(route, pattern)
    )


def _method_matches(wanted: str, actual: str) -> bool:
    return wanted == "*" or wanted.upper() == actual.upper()


@dataclass
class Fault:
    """An injected failure, armed by :meth:`FakeDiscord.fail_next`."""

    method: str
    pattern: str | re.Pattern[str]
    status: int
    retry_after: float
    global_: bool
    times: int
    scope: str
    after_processing: bool
    body: Any = None
    via_header: bool = True
    hits: int = 0

    @property
    def bucket(self) -> str:
        """A bucket hash of its own, so injected 429s do not merge discord.py's buckets."""
        return f"{id(self):x}"

    @property
    def exhausted(self) -> bool:
        return self.hits >= self.times

    def applies_to(self, method: str, path: str, route: str | None) -> bool:
        return (
            not self.exhausted
            and _method_matches(self.method, method)
            and path_matches(self.pattern, path, route)
        )


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

    def applies_to(self, method: str, path: str, route: str | None) -> bool:
        return _method_matches(self.method, method) and path_matches(self.pattern, path, route)


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
        """The callback type (4 message, 5 deferred, 6 deferred update, 7 update, 9 modal)."""
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
