"""Polling watched feeds: fetch, parse off the event loop, store, remember validators.

A failing feed backs off exponentially from its interval and is disabled, with its reason,
after ``feed_max_failures`` failures in a row; the other feeds never notice.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import metrics
from bot.app import App
from papers.model import Feed, FeedKind, IngestReport, describe_skips
from papers.usecases import ingest_parsed
from sources.arxiv import ArxivUnavailable
from sources.fetch import FetchError, fetch, is_url
from sources.parse import FeedParseError, parse_feed

log = logging.getLogger(__name__)

ARXIV_API_SOURCE = "arxiv-api"


@dataclass(frozen=True, slots=True)
class PollResult:
    feed: Feed
    report: IngestReport | None
    error: str | None = None
    not_modified: bool = False
    disabled: bool = False

    def describe(self) -> str:
        if self.error:
            suffix = " (feed disabled)" if self.disabled else ""
            return f"{self.feed.label}: failed: {self.error}{suffix}"
        if self.not_modified or self.report is None:
            return f"{self.feed.label}: unchanged"
        return f"{self.feed.label}: {describe_report(self.report)}"


INGEST_LOCK = "\x00ingest"  # not a destination name (those share App.locks)


def describe_report(report: IngestReport) -> str:
    """``blog feed, 3 new, 0 updated, 0 unchanged, 2 skipped (2 name no known paper)``."""
    return (
        f"{report.kind.value} feed, {report.new} new, {report.updated} updated, "
        f"{report.unchanged} unchanged{describe_skipped(report)}"
    )


def describe_skipped(report: IngestReport) -> str:
    """``, 2 skipped (2 name no known paper)``; empty when nothing was skipped."""
    if not report.skipped:
        return ""
    reasons = describe_skips(report.skip_reasons)
    return f", {report.skipped} skipped" + (f" ({reasons})" if reasons else "")


def backoff_delay(interval_seconds: int, failures: int, max_seconds: int) -> timedelta:
    """How long a feed that failed ``failures`` times in a row waits: interval × 2^failures."""
    return timedelta(seconds=min(interval_seconds * 2 ** min(failures, 20), max_seconds))


async def sync_configured_feeds(app: App) -> list[Feed]:
    """Make the feeds table hold every configured feed; return the feeds to poll."""
    now = app.clock()
    for feed in app.settings.watched_feeds():
        await app.store.ensure_feed(
            feed.url,
            name=feed.name,
            interval_seconds=feed.interval,
            announce_existing=feed.announce_existing,
            now=now,
            pinned_kind=FeedKind(feed.kind) if feed.kind else None,
        )
    return [f for f in await app.store.list_feeds() if not f.paused and not f.disabled_reason]


async def read_feed(
    app: App, url: str, *, etag: str | None = None, last_modified: str | None = None
) -> tuple[bytes | None, str | None, str | None]:
    """Fetch a feed's bytes with the shared client and the safety rules (body None: 304);
    at most ``app.fetch_slots`` at once."""
    async with app.fetch_slots:
        fetched = await fetch(
            url,
            app.http,
            etag=etag,
            last_modified=last_modified,
            allow_private=app.settings.allow_private_feeds or not is_url(url),
        )
    return fetched.body, fetched.etag, fetched.last_modified


async def poll_feed(app: App, feed: Feed) -> PollResult:
    """Poll one feed once. Never raises for the feed's own faults: they are recorded on it."""
    try:
        result = await _poll_feed(app, feed)
    except Exception:
        metrics.record_poll("error")
        raise
    if result.error:
        metrics.record_poll("failed")
    elif result.report is None:
        metrics.record_poll("unchanged")
    else:
        metrics.record_poll("ok", new=result.report.new, updated=result.report.updated)
    return result


async def _poll_feed(app: App, feed: Feed) -> PollResult:
    now = app.clock()
    next_poll = now + timedelta(seconds=feed.interval_seconds)
    try:
        body, etag, last_modified = await read_feed(
            app, feed.url, etag=feed.etag, last_modified=feed.last_modified
        )
        if body is None:
            await app.store.record_poll(
                feed.id,
                last_poll=now,
                last_result="not modified",
                failures=0,
                next_poll=next_poll,
            )
            return PollResult(feed, None, not_modified=True)
        body_hash = hashlib.sha256(body).hexdigest()
        if body_hash == feed.content_hash and feed.seeded:
            await app.store.record_poll(
                feed.id,
                last_poll=now,
                last_result="unchanged",
                failures=0,
                etag=etag,
                last_modified=last_modified,
                next_poll=next_poll,
            )
            return PollResult(feed, None, not_modified=True)
        parsed = await asyncio.to_thread(parse_feed, body, feed.url, kind=feed.pinned_kind)
    except (FetchError, FeedParseError) as exc:
        reason = exc.reason if isinstance(exc, FetchError) else str(exc)
        return await _record_failure(app, feed, reason, now)
    announce = feed.seeded or feed.announce_existing
    # one ingest at a time: feeds polled at once may name the same new paper, and two
    # inserts of it would race on its unique arXiv id (fetching and parsing stay parallel)
    async with app.locks.setdefault(INGEST_LOCK, asyncio.Lock()):
        report = await ingest_parsed(app.store, parsed, feed.url, announce=announce, now=now)
    await app.store.record_poll(
        feed.id,
        kind=parsed.kind,
        last_poll=now,
        last_result=describe_report(report),
        last_skipped=report.skip_reasons,
        failures=0,
        seeded=True,
        etag=etag,
        last_modified=last_modified,
        content_hash=body_hash,
        next_poll=next_poll,
    )
    for warning in report.warnings:
        log.warning("feed warning feed=%s warning=%s", feed.url, warning)
    return PollResult(feed, report)


async def _record_failure(app: App, feed: Feed, reason: str, now: datetime) -> PollResult:
    failures = feed.failures + 1
    limit = app.settings.feed_max_failures
    disabled = failures >= limit
    delay = backoff_delay(feed.interval_seconds, failures, app.settings.feed_max_backoff)
    await app.store.record_poll(
        feed.id,
        last_poll=now,
        last_result=f"error: {reason}",
        failures=failures,
        next_poll=now + delay,
        disabled_reason=(
            f"disabled after {failures} failed polls in a row; last: {reason}" if disabled else None
        ),
    )
    log.warning(
        "feed poll failed feed=%s failures=%d reason=%s disabled=%s",
        feed.url,
        failures,
        reason,
        disabled,
    )
    return PollResult(feed, None, error=reason, disabled=disabled)


async def complete_metadata(app: App, *, limit: int = 500) -> int:
    """Fetch arXiv metadata for papers known only from summaries. Returns papers completed.

    When the API cannot answer now, the papers keep what is known and a later poll tries again.
    """
    if app.arxiv is None:
        return 0
    ids = await app.store.incomplete_arxiv_ids(limit)
    if not ids:
        return 0
    try:
        found = await app.arxiv.fetch(ids)
    except ArxivUnavailable as exc:
        log.warning("arXiv metadata postponed papers=%d reason=%s", len(ids), exc)
        return 0
    if found:
        await app.store.save_papers(
            list(found.values()), source=ARXIV_API_SOURCE, announce=False, now=app.clock()
        )
    missing = len(ids) - len(found)
    if missing:
        log.info("arXiv does not know papers=%d of %d", missing, len(ids))
    return len(found)
