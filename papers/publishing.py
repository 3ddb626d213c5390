"""The contract between digests and platforms: posts, adapters, and what can go wrong.

A ``Publisher`` renders a digest into ``Post`` values (pure, with the renderers of ``papers``),
sends one post at a time, and after a crash can tell whether a post was already made. The
delivery ledger records each post's intent before ``send`` and its platform id after, so an item
is never posted twice and never lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from papers.model import Digest


@dataclass(frozen=True, slots=True)
class Post:
    """One request to a platform.

    ``key`` is stable for the same items on the same destination (an idempotency key: Discord's
    nonce, the ledger's post key). ``items`` are the ledger keys it carries (``summary:12``).
    ``payload`` is the platform's own request body, as ``digest --dry-run --json`` prints it.
    ``reply_to`` is the index, within the same digest, of the post this one answers (X threads).
    """

    key: str
    items: tuple[str, ...]
    payload: dict[str, Any]
    reply_to: int | None = None


@dataclass(frozen=True, slots=True)
class Sent:
    """A post the platform accepted (or already had): its id there, and a link if there is one."""

    post_id: str
    url: str | None = None


class PublishError(Exception):
    """The root of what a platform adapter raises; ``reason`` is one line for people."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RateLimited(PublishError):
    """429: wait ``retry_after`` seconds (``Retry-After`` / ``x-rate-limit-reset``), then retry."""

    def __init__(self, reason: str, retry_after: float) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Transient(PublishError):
    """5xx, timeouts, connection errors: retry with back-off, else keep pending for next run."""


class CredentialsRejected(PublishError):
    """Expired or invalid token (X 401, Graph error 190, Discord 401): disable the destination."""


class ItemRejected(PublishError):
    """The platform refuses this post for good (Discord 50035, …): mark its items failed."""


class AlreadyPosted(PublishError):
    """The platform says it has this post already (X 403 duplicate content, Graph 506).

    ``sent`` is the earlier post when the adapter could find it.
    """

    def __init__(self, reason: str, sent: Sent | None = None) -> None:
        super().__init__(reason)
        self.sent = sent


class Publisher(Protocol):
    """One destination's adapter."""

    name: str
    platform: str

    def render(self, digest: Digest) -> list[Post]:
        """The posts this digest becomes, in order (pure: no I/O)."""
        ...

    async def send(self, post: Post, *, reply_to: Sent | None = None) -> Sent:
        """Make one post. Raises the ``PublishError`` subclasses above."""
        ...

    async def find_sent(self, post: Post) -> Sent | None:
        """After a crash between request and record: the post if the platform already has it."""
        ...

    async def delivery_guarantee(self) -> str | None:
        """None when ``find_sent`` can find what this destination posted (exactly once);
        otherwise why it cannot (a crash between answer and record can repeat a post)."""
        ...


@runtime_checkable
class Prepares(Protocol):
    """A publisher whose rendering depends on the destination (a Discord channel's type: a
    forum gets a post per paper): ``prepare`` learns it before the digest is rendered, and
    raises the ``PublishError`` kinds above."""

    async def prepare(self) -> None: ...


@runtime_checkable
class FindsReplies(Protocol):
    """A publisher whose posts answering another are found where that one is (a message in
    a Discord thread, looked for in the thread its head opened)."""

    async def find_reply(self, post: Post, reply_to: Sent) -> Sent | None: ...


@dataclass
class DeliveryReport:
    """What one digest run did for one destination."""

    destination: str
    sent: int = 0
    failed: int = 0
    pending: int = 0
    disabled: str | None = None
    errors: list[str] = field(default_factory=list)
    # this run disabled the destination (``disabled`` alone may be an earlier run's doing)
    newly_disabled: bool = False
    # why this destination is at-least-once (``Publisher.delivery_guarantee``); None: exactly
    at_least_once: str | None = None
