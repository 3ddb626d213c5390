"""Delivering digests exactly once: reconcile, select, render, record the intent, send.

For each destination:
1. Posts left ``pending`` by a crash are reconciled first: the platform is asked whether it has
   the post (``find_sent``); if not, the same post (same key, same nonce) is sent again.
2. The digest is selected (items not in the ledger, first seen since the destination was
   created, matching its rules, capped), rendered, and sent post by post: each post's intent is
   committed before its request.
3. 429 waits ``retry_after`` (on the event loop's clock, never blocking it); 5xx and timeouts
   retry with exponential back-off and jitter, then stay pending for the next run; rejected
   credentials disable the destination (the others carry on); a post refused for good marks
   its items failed; a post the platform already has counts as sent.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from papers import subscriptions as rules
from papers.model import Digest, Subscription
from papers.ports import DigestStore
from papers.publishing import (
    AlreadyPosted,
    CredentialsRejected,
    DeliveryReport,
    ItemRejected,
    Post,
    Publisher,
    PublishError,
    RateLimited,
    Sent,
    Transient,
)

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
SCAN = 500


class ItemAlreadyInLedger(Exception):
    """An item of a post is recorded for this destination already: it is never sent twice."""


@dataclass(frozen=True, slots=True)
class DestinationState:
    name: str
    platform: str
    disabled_reason: str | None
    created_at: datetime
    last_post_at: datetime | None


@dataclass(frozen=True, slots=True)
class PendingPost:
    post: Post
    reply_to: Sent | None
    attempts: int


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

    async def mark_sent(self, destination: str, key: str, sent: Sent, now: datetime) -> None: ...

    async def mark_failed(self, destination: str, key: str, reason: str) -> None: ...

    async def note_attempt(self, destination: str, key: str, error: str) -> None: ...

    async def pending_posts(self, destination: str) -> list[PendingPost]: ...

    async def posts_sent_since(self, destination: str, since: datetime) -> int: ...

    async def skip_items(
        self, destination: str, items: Sequence[str], *, reason: str, now: datetime
    ) -> int: ...


@dataclass(frozen=True)
class DeliveryPolicy:
    """How one destination's digests are chosen and sent."""

    max_items: int = 25
    rules: tuple[Subscription, ...] = ()
    # posts per rolling 24 hours (X's pay-per-use plan); what does not fit waits, in order
    daily_budget: int | None = None
    max_attempts: int = 4
    backoff_seconds: float = 2.0
    max_backoff_seconds: float = 60.0
    # a 429 asking for a longer wait leaves the post pending for the next run instead
    max_rate_wait_seconds: float = 900.0


@dataclass
class _Run:
    ledger: LedgerPort
    publisher: Publisher
    policy: DeliveryPolicy
    clock: Callable[[], datetime]
    sleep: Sleep
    jitter: Callable[[], float]
    report: DeliveryReport
    sent: dict[str, Sent] = field(default_factory=dict)


def item_key(summary_id: int) -> str:
    return f"summary:{summary_id}"


@dataclass(frozen=True, slots=True)
class Selection:
    """The next digest, the items its rules leave out, and those beyond its cap."""

    digest: Digest
    unsubscribed: list[str]
    overflow: list[str]


async def select_digest(
    store: DigestStore, name: str, policy: DeliveryPolicy, since: datetime | None
) -> Selection:
    items, _ = await store.undelivered(name, SCAN, since=since)
    chosen = [i for i in items if rules.matches(i, policy.rules)]
    unsubscribed = [item_key(i.summary.id) for i in items if not rules.matches(i, policy.rules)]
    shown, overflow = chosen[: policy.max_items], chosen[policy.max_items :]
    digest = Digest(name, tuple(shown), more=len(overflow))
    return Selection(digest, unsubscribed, [item_key(i.summary.id) for i in overflow])


async def deliver(
    store: DigestStore,
    ledger: LedgerPort,
    publisher: Publisher,
    policy: DeliveryPolicy,
    *,
    clock: Callable[[], datetime],
    sleep: Sleep,
    jitter: Callable[[], float] = random.random,
) -> DeliveryReport:
    """Reconcile, then send ``publisher``'s next digest. Never raises for platform faults."""
    report = DeliveryReport(publisher.name)
    state = await ledger.ensure_destination(publisher.name, publisher.platform, clock())
    if state.disabled_reason:
        report.disabled = state.disabled_reason
        return report
    run = _Run(ledger, publisher, policy, clock, sleep, jitter, report)
    for pending in await ledger.pending_posts(publisher.name):
        if not await _reconcile(run, pending):
            return report

    selection = await select_digest(store, publisher.name, policy, state.created_at)
    digest, now = selection.digest, clock()
    if selection.unsubscribed:
        await ledger.skip_items(
            publisher.name, selection.unsubscribed, reason="not subscribed", now=now
        )
    if digest.empty:
        return report
    posts = publisher.render(digest)
    if policy.daily_budget is not None:
        used = await ledger.posts_sent_since(publisher.name, now - timedelta(days=1))
        allowed = max(0, policy.daily_budget - used)
        if allowed < len(posts):
            report.errors.append(
                f"daily budget of {policy.daily_budget} posts reached: "
                f"{len(posts) - allowed} posts wait for tomorrow"
            )
            posts = posts[:allowed]
    budget_cut = len(posts) < len(publisher.render(digest)) if policy.daily_budget else False
    keys = [p.key for p in posts]
    for seq, post in enumerate(posts):
        reply_key = keys[post.reply_to] if post.reply_to is not None else None
        try:
            await ledger.record_intent(
                publisher.name, post, seq=seq, reply_to_key=reply_key, now=clock()
            )
        except ItemAlreadyInLedger as exc:
            report.errors.append(str(exc))
            continue
        reply_to = run.sent.get(reply_key) if reply_key else None
        if not await _send(run, post, reply_to):
            return report
    if selection.overflow and not budget_cut:
        # the digest said "and N more" with a link: they are not carried into the next one
        await ledger.skip_items(
            publisher.name, selection.overflow, reason="left out of a capped digest", now=clock()
        )
    return report


async def _reconcile(run: _Run, pending: PendingPost) -> bool:
    """A post cut off by a crash: recorded as sent if the platform has it, else sent again."""
    try:
        found = await run.publisher.find_sent(pending.post)
    except PublishError as exc:
        return await _handle(run, pending.post, exc, attempt=run.policy.max_attempts) is True
    if found is not None:
        await run.ledger.mark_sent(run.publisher.name, pending.post.key, found, run.clock())
        run.sent[pending.post.key] = found
        run.report.sent += len(pending.post.items)
        return True
    return await _send(run, pending.post, pending.reply_to)


async def _send(run: _Run, post: Post, reply_to: Sent | None) -> bool:
    """Send one post with retries. False: stop this destination for now."""
    name = run.publisher.name
    for attempt in range(1, run.policy.max_attempts + 1):
        try:
            sent = await run.publisher.send(post, reply_to=reply_to)
        except PublishError as exc:
            verdict = await _handle(run, post, exc, attempt=attempt)
            if verdict is None:
                continue
            return verdict
        await run.ledger.mark_sent(name, post.key, sent, run.clock())
        run.sent[post.key] = sent
        run.report.sent += len(post.items)
        return True
    return False


async def _handle(run: _Run, post: Post, exc: PublishError, *, attempt: int) -> bool | None:
    """What an error means: None to try again, True to go on, False to stop for now."""
    name, policy = run.publisher.name, run.policy
    if isinstance(exc, AlreadyPosted):
        sent = exc.sent or Sent("unknown")
        await run.ledger.mark_sent(name, post.key, sent, run.clock())
        run.sent[post.key] = sent
        run.report.sent += len(post.items)
        return True
    if isinstance(exc, CredentialsRejected):
        reason = f"credentials rejected: {exc.reason}"
        await run.ledger.set_disabled(name, reason)
        run.report.disabled = reason
        run.report.pending += len(post.items)
        log.error("destination disabled destination=%s reason=%s", name, exc.reason)
        return False
    if isinstance(exc, ItemRejected):
        await run.ledger.mark_failed(name, post.key, exc.reason)
        run.report.failed += len(post.items)
        run.report.errors.append(exc.reason)
        return True
    await run.ledger.note_attempt(name, post.key, exc.reason)
    if isinstance(exc, RateLimited):
        if exc.retry_after > policy.max_rate_wait_seconds or attempt >= policy.max_attempts:
            run.report.pending += len(post.items)
            run.report.errors.append(f"rate limited for {exc.retry_after:.0f} s: kept pending")
            return False
        await run.sleep(exc.retry_after)
        return None
    if isinstance(exc, Transient) and attempt < policy.max_attempts:
        delay = min(policy.max_backoff_seconds, policy.backoff_seconds * 2 ** (attempt - 1))
        await run.sleep(delay * (0.5 + run.jitter()))
        return None
    run.report.pending += len(post.items)
    run.report.errors.append(f"{exc.reason}: kept pending for the next run")
    return False
