"""Delivering digests exactly once: reconcile, select, render, record the intent, send.

For each destination:
1. Posts left ``pending`` by an earlier run are settled first, in order. One whose send had
   started (a crash may have cut it off after the platform took it) is looked for on the
   platform (``find_sent``), again and again until the destination's reconciliation window
   past that start is over (reads lag writes: :mod:`papers.reconcile`), and only then sent
   again (same key, same nonce); one never started is simply sent.
   A message in a thread is looked for in the thread its head opened (``FindsReplies``).
2. The digest is selected (items not in the ledger, first seen since the destination was
   created, matching its rules, capped, trimmed to the daily budget; a top destination's: the
   best-voted first seen in its window, and only what it posts enters the ledger), rendered
   (a publisher whose rendering depends on the destination learns it first, when there is
   something to post: ``Prepares``, a Discord channel's type),
   every post's intent committed (pending), then the posts are sent in order, each send's
   start committed before its request.
3. 429 waits ``retry_after`` (on the event loop's clock, never blocking it); 5xx and timeouts
   retry with exponential back-off and jitter, then stay pending for the next run; rejected
   credentials disable the destination (the others carry on); a post refused for good marks
   its items failed; a post the platform says it already has (X's 403 "duplicate content") is
   looked for like a cut-off send, and stays pending until it is found: it is never recorded
   without its id, so a thread's next reply waits for it rather than answering nothing.
4. A destination that cannot look its posts up (a Discord webhook whose channel the bot cannot
   read) says so (``Publisher.delivery_guarantee``); the ledger keeps the reason, which
   ``status`` and ``deliveries`` show: there, a crash between Discord's answer and the
   ledger's commit repeats a message.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from papers import top
from papers.budget import within_budget
from papers.filter_report import FilterReport
from papers.filters import Filters
from papers.keys import item_key
from papers.ledger import DestinationState, Intent, LedgerPort, PendingPost
from papers.model import Digest, DigestItem, PaperItem, Subscription
from papers.ports import DigestStore
from papers.publishing import (
    AlreadyPosted,
    CredentialsRejected,
    DeliveryReport,
    FindsReplies,
    ItemRejected,
    Post,
    Prepares,
    Publisher,
    PublishError,
    RateLimited,
    Sent,
    Transient,
)
from papers.reconcile import look_for

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
SCAN = 500
PAPER_SCAN = 5000
# A paper is news for a week after its announcement: older ones are not put in a digest.
PAPER_FRESHNESS = timedelta(days=7)


@dataclass(frozen=True)
class DeliveryPolicy:
    """How one destination's digests are chosen and sent."""

    max_items: int = 25
    rules: tuple[Subscription, ...] = ()
    # a top digest (papers.top): the best-voted summaries first seen in this window ending at
    # the run; None: what is new since the last digest
    window: timedelta | None = None
    # posts per rolling 24 hours (X's pay-per-use plan); what does not fit waits, in order
    daily_budget: int | None = None
    max_attempts: int = 4
    backoff_seconds: float = 2.0
    max_backoff_seconds: float = 60.0
    # a 429 asking for a longer wait leaves the post pending for the next run instead
    max_rate_wait_seconds: float = 900.0
    # how long after a send started a post may take to show in what the platform reads back:
    # a cut-off send is looked for until then before it is sent again (papers.reconcile)
    reconcile_window_seconds: float = 0.0  # bot.destinations sets it per platform
    reconcile_first_wait_seconds: float = 1.0


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


@dataclass(frozen=True, slots=True)
class Selection:
    """The next digest, the items its rules leave out, those beyond its cap, and what each
    rule let through or held back."""

    digest: Digest
    unsubscribed: list[str]
    overflow: list[str]
    report: FilterReport = field(default_factory=FilterReport)


async def select_digest(
    store: DigestStore,
    name: str,
    policy: DeliveryPolicy,
    since: datetime | None,
    *,
    now: datetime,
) -> Selection:
    """Summaries first (best voted first), then papers announced in the last week (oldest
    first) if the destination subscribes to categories, keywords or authors; capped at
    ``max_items`` in all. Unsubscribed summaries are reported (to be skipped for good);
    unsubscribed papers are not (they leave the window by age). A top destination's
    selection is :func:`_select_top`'s."""
    if policy.window is not None:
        return await _select_top(store, name, policy, policy.window, now=now)
    filters = Filters(policy.rules)
    report = FilterReport()
    items, _ = await store.undelivered(name, SCAN, since=since)
    chosen: list[DigestItem] = []
    unsubscribed: list[DigestItem] = []
    for item in items:
        verdict = filters.judge(item)
        report.summary(item, verdict)
        (chosen if verdict.passed else unsubscribed).append(item)
    fresh: list[PaperItem] = []
    if filters.topics:
        start = now - PAPER_FRESHNESS if since is None else max(since, now - PAPER_FRESHNESS)
        for paper in await store.new_papers(name, since=start, limit=PAPER_SCAN):
            verdict = filters.judge_paper(paper)
            report.paper(paper, verdict)
            if verdict.passed:
                fresh.append(paper)
    shown, left = chosen[: policy.max_items], chosen[policy.max_items :]
    room = policy.max_items - len(shown)
    shown_papers, left_papers = fresh[:room], fresh[room:]
    overflow = [item_key(i.summary) for i in left] + [p.key for p in left_papers]
    digest = Digest(
        name,
        tuple(shown),
        more=len(overflow),
        papers=tuple(shown_papers),
        more_papers=len(left_papers),
    )
    skipped = [item_key(i.summary) for i in unsubscribed]
    return Selection(digest, skipped, overflow, report)


async def _select_top(
    store: DigestStore, name: str, policy: DeliveryPolicy, window: timedelta, *, now: datetime
) -> Selection:
    """The best-voted summaries first seen in ``window`` up to ``now`` (ties: newer first) that
    are not in the ledger and pass the filters, capped at ``max_items``; no papers. Nothing is
    reported to be skipped: a summary left out (filtered, or beyond the cap) stays eligible for
    the next run while it is in the window, with the votes it has then."""
    filters = Filters(policy.rules)
    report = FilterReport()
    items, _ = await store.undelivered(name, SCAN, since=now - window)
    chosen = []
    for item in items:
        if item.summary.first_seen > now:
            continue  # seen after the window ends (a run computed for an earlier time)
        verdict = filters.judge(item)
        report.summary(item, verdict)
        if verdict.passed:
            chosen.append(item)
    shown = tuple(chosen[: policy.max_items])
    return Selection(Digest(name, shown, title=top.heading(window)), [], [], report)


async def deliver(
    store: DigestStore,
    ledger: LedgerPort,
    publisher: Publisher,
    policy: DeliveryPolicy,
    *,
    clock: Callable[[], datetime],
    sleep: Sleep,
    jitter: Callable[[], float] = random.random,
    select: bool = True,
) -> DeliveryReport:
    """Reconcile, then send ``publisher``'s next digest (with ``select`` False: only settle
    what an earlier run left pending). Never raises for platform faults."""
    report = DeliveryReport(publisher.name)
    state = await ledger.ensure_destination(publisher.name, publisher.platform, clock())
    if state.disabled_reason:
        report.disabled = state.disabled_reason
        return report
    run = _Run(ledger, publisher, policy, clock, sleep, jitter, report)
    await _note_guarantee(run, state)
    if not await _drain(run) or not select:  # an earlier run's leftovers first, in order
        return report

    now = clock()
    selection = await select_digest(store, publisher.name, policy, state.created_at, now=now)
    digest = selection.digest
    if selection.unsubscribed:
        await ledger.skip_items(
            publisher.name, selection.unsubscribed, reason="not subscribed", now=now
        )
    if digest.empty or not await _prepare(run):  # nothing to say: not a request more
        return report
    posts = publisher.render(digest)
    budget_cut = False
    if policy.daily_budget is not None:
        used = await ledger.posts_sent_since(publisher.name, now - timedelta(days=1))
        allowed = max(0, policy.daily_budget - used)
        if allowed < len(posts):
            budget_cut = True
            today, posts = within_budget(publisher, digest, allowed)
            report.errors.append(
                f"daily budget of {policy.daily_budget} posts reached: "
                f"{len(digest.keys) - len(today.keys)} items wait for tomorrow"
            )
    # The whole digest is recorded, in one transaction, before the first request: a crash
    # part-way leaves the rest pending, and the next run completes the same digest (the same
    # thread on X). (One commit per post let a crash leave half a digest recorded: the next
    # run then made the other half a second digest, with a second thread head.)
    keys = [p.key for p in posts]
    intents = [
        Intent(post, seq, keys[post.reply_to] if post.reply_to is not None else None)
        for seq, post in enumerate(posts)
    ]
    report.errors += await ledger.record_intents(publisher.name, intents, clock())
    if selection.overflow and not budget_cut:
        # the digest said "and N more" with a link: they are not carried into the next one
        await ledger.skip_items(
            publisher.name, selection.overflow, reason="left out of a capped digest", now=clock()
        )
    await _drain(run)
    return report


async def _note_guarantee(run: _Run, state: DestinationState) -> None:
    """Record whether this destination can find a cut-off post again (status shows it)."""
    try:
        reason = await run.publisher.delivery_guarantee()
    except PublishError:
        return  # the send will meet the same trouble, and report it
    run.report.at_least_once = reason
    if reason != state.at_least_once:
        await run.ledger.set_at_least_once(run.publisher.name, reason)
        if reason:
            log.debug("destination at-least-once destination=%s reason=%s", state.name, reason)


async def _prepare(run: _Run) -> bool:
    """Learn what rendering needs from the platform (``Prepares``: a Discord channel's type).
    False: stop this destination for now (nothing is rendered nor recorded)."""
    if not isinstance(run.publisher, Prepares):
        return True
    try:
        await run.publisher.prepare()
    except CredentialsRejected as exc:
        return await _disable(run, exc)
    except PublishError as exc:
        run.report.errors.append(f"{exc.reason}: the digest waits for the next run")
        return False
    return True


async def _disable(run: _Run, exc: CredentialsRejected) -> bool:
    reason = f"credentials rejected: {exc.reason}"
    await run.ledger.set_disabled(run.publisher.name, reason)
    run.report.disabled = reason
    run.report.newly_disabled = True
    log.error("destination disabled destination=%s reason=%s", run.publisher.name, exc.reason)
    return False


async def _drain(run: _Run) -> bool:
    """Settle every pending post, oldest first. False: stop this destination for now."""
    for pending in await run.ledger.pending_posts(run.publisher.name):
        if not await _reconcile(run, pending):
            return False
    return True


async def _reconcile(run: _Run, pending: PendingPost) -> bool:
    """Send a pending post; first, if a send was started (a crash may have cut it off after
    the platform took it), look for it there and record it as sent if it is found."""
    reply_to = run.sent.get(pending.reply_to_key or "") or pending.reply_to
    if pending.attempts == 0:
        return await _send(run, pending.post, reply_to)
    try:
        found = await _look(run, pending.post, pending.attempted_at, reply_to)
    except PublishError as exc:
        return await _handle(run, pending.post, exc, attempt=run.policy.max_attempts) is True
    if found is not None:
        await _record_sent(run, pending.post, found)
        return True
    return await _send(run, pending.post, reply_to)


async def _look(
    run: _Run, post: Post, started: datetime | None, reply_to: Sent | None = None
) -> Sent | None:
    # a destination that cannot search its posts gains nothing by waiting
    window = 0.0 if run.report.at_least_once else run.policy.reconcile_window_seconds
    find = run.publisher.find_sent
    if reply_to is not None and isinstance(run.publisher, FindsReplies):
        find = partial(run.publisher.find_reply, reply_to=reply_to)  # in the head's thread
    return await look_for(
        find,
        post,
        started=started,
        now=run.clock(),
        window=window,
        first_wait=run.policy.reconcile_first_wait_seconds,
        sleep=run.sleep,
    )


async def _record_sent(run: _Run, post: Post, sent: Sent) -> None:
    await run.ledger.mark_sent(run.publisher.name, post.key, sent, run.clock())
    run.sent[post.key] = sent
    run.report.sent += len(post.items)


async def _send(run: _Run, post: Post, reply_to: Sent | None) -> bool:
    """Send one post with retries. False: stop this destination for now."""
    name = run.publisher.name
    for attempt in range(1, run.policy.max_attempts + 1):
        started = run.clock()
        await run.ledger.start_attempt(name, post.key, started)
        try:
            sent = await run.publisher.send(post, reply_to=reply_to)
        except PublishError as exc:
            verdict = await _handle(run, post, exc, attempt=attempt, started=started)
            if verdict is None:
                continue
            return verdict
        # nothing between the platform's answer and this commit
        await _record_sent(run, post, sent)
        return True
    return False


async def _handle(
    run: _Run, post: Post, exc: PublishError, *, attempt: int, started: datetime | None = None
) -> bool | None:
    """What an error means: None to try again, True to go on, False to stop for now."""
    name, policy = run.publisher.name, run.policy
    if isinstance(exc, AlreadyPosted):
        found = exc.sent
        if found is None:
            try:
                found = await _look(run, post, started)
            except PublishError as trouble:
                log.warning("cannot look a post up destination=%s reason=%s", name, trouble)
        if found is not None:
            await _record_sent(run, post, found)
            return True
        # the platform has it, but it does not read it back yet: without its id a reply
        # would answer nothing, so the post (and what follows it) waits for the next run
        reason = f"{exc.reason}; not found on the platform yet: kept pending"
        await run.ledger.note_attempt(name, post.key, reason)
        run.report.pending += len(post.items)
        run.report.errors.append(reason)
        return False
    if isinstance(exc, CredentialsRejected):
        run.report.pending += len(post.items)
        return await _disable(run, exc)
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
