"""The delivery ledger as the use cases see it (``storage.ledger.Ledger`` implements it): a
destination's state, the posts recorded before they are sent, and each item's row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from papers.publishing import Post, Sent


@dataclass(frozen=True, slots=True)
class Intent:
    """A post about to be sent: its place in the digest and the post it answers (a thread)."""

    post: Post
    seq: int
    reply_to_key: str | None


class ItemAlreadyInLedger(Exception):
    """An item of a post is recorded for this destination already: it is never sent twice."""


@dataclass(frozen=True, slots=True)
class DestinationState:
    name: str
    platform: str
    disabled_reason: str | None
    created_at: datetime
    last_post_at: datetime | None
    # why a crash can repeat a post here (the platform cannot be searched); None: it cannot
    at_least_once: str | None = None


@dataclass(frozen=True, slots=True)
class PendingPost:
    """A post recorded but not settled. ``attempts``: sends started (0: never sent, so the
    platform cannot have it); ``attempted_at``: when the last one started; ``reply_to``: the
    post it answers, if that one was sent."""

    post: Post
    reply_to: Sent | None
    attempts: int
    reply_to_key: str | None = None
    attempted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    id: int
    destination: str
    item: str
    status: str
    post_id: str | None
    error: str | None
    created_at: datetime
    sent_at: datetime | None


class LedgerPort(Protocol):
    async def ensure_destination(
        self, name: str, platform: str, now: datetime
    ) -> DestinationState: ...

    async def set_disabled(self, name: str, reason: str | None) -> None: ...

    async def record_intent(
        self, destination: str, post: Post, *, seq: int, reply_to_key: str | None, now: datetime
    ) -> None: ...

    async def record_intents(
        self, destination: str, intents: Sequence[Intent], now: datetime
    ) -> list[str]: ...

    async def mark_sent(self, destination: str, key: str, sent: Sent, now: datetime) -> None: ...

    async def mark_failed(self, destination: str, key: str, reason: str) -> None: ...

    async def start_attempt(self, destination: str, key: str, now: datetime) -> None: ...

    async def set_at_least_once(self, destination: str, reason: str | None) -> None: ...

    async def note_attempt(self, destination: str, key: str, error: str) -> None: ...

    async def pending_posts(self, destination: str) -> list[PendingPost]: ...

    async def posts_sent_since(self, destination: str, since: datetime) -> int: ...

    async def skip_items(
        self, destination: str, items: Sequence[str], *, reason: str, now: datetime
    ) -> int: ...
