"""Polling watched feeds: fetch, parse off the event loop, store, remember validators."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.app import App
from papers.model import Feed, IngestReport
from papers.usecases import ingest_parsed
from sources.fetch import FetchError, fetch
from sources.parse import FeedParseError, parse_feed

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PollResult:
    feed: Feed
    report: IngestReport | None
    error: str | None = None
    not_modified: bool = False

    def describe(self) -> str:
        if self.error:
            return f"{self.feed.label}: failed: {self.error}"
        if self.not_modified or self.report is None:
            return f"{self.feed.label}: unchanged"
        return f"{self.feed.label}: {describe_report(self.report)}"


def describe_report(report: IngestReport) -> str:
    text = (
        f"{report.kind.value} feed, {report.new} new, {report.updated} updated, "
        f"{report.unchanged} unchanged"
    )
    if report.skipped:
        text += f", {report.skipped} skipped"
    return text


async def sync_configured_feeds(app: App) -> list[Feed]:
    """Make the feeds table hold every configured feed; return the watched feeds."""
    now = app.clock()
    for feed in app.settings.watched_feeds():
        await app.store.ensure_feed(
            feed.url,
            name=feed.name,
            interval_seconds=feed.interval,
            announce_existing=feed.announce_existing,
            now=now,
        )
    return [f for f in await app.store.list_feeds() if not f.paused and not f.disabled_reason]


async def poll_feed(app: App, feed: Feed) -> PollResult:
    """Poll one feed once. Never raises for the feed's own faults: they are recorded on it."""
    now = app.clock()
    next_poll = now + timedelta(seconds=feed.interval_seconds)
    try:
        fetched = await fetch(feed.url, app.http, etag=feed.etag, last_modified=feed.last_modified)
        if fetched.body is None:
            await app.store.record_poll(
                feed.id,
                last_poll=now,
                last_result="not modified",
                failures=0,
                next_poll=next_poll,
            )
            return PollResult(feed, None, not_modified=True)
        body_hash = hashlib.sha256(fetched.body).hexdigest()
        if body_hash == feed.content_hash and feed.seeded:
            await app.store.record_poll(
                feed.id,
                last_poll=now,
                last_result="unchanged",
                failures=0,
                etag=fetched.etag,
                last_modified=fetched.last_modified,
                next_poll=next_poll,
            )
            return PollResult(feed, None, not_modified=True)
        parsed = await asyncio.to_thread(parse_feed, fetched.body, feed.url)
    except (FetchError, FeedParseError) as exc:
        reason = exc.reason if isinstance(exc, FetchError) else str(exc)
        await app.store.record_poll(
            feed.id,
            last_poll=now,
            last_result=f"error: {reason}",
            failures=feed.failures + 1,
            next_poll=next_poll,
        )
        log.warning("feed poll failed feed=%s reason=%s", feed.url, reason)
        return PollResult(feed, None, error=reason)
    announce = feed.seeded or feed.announce_existing
    report = await ingest_parsed(app.store, parsed, feed.url, announce=announce, now=now)
    await app.store.record_poll(
        feed.id,
        kind=parsed.kind,
        last_poll=now,
        last_result=describe_report(report),
        failures=0,
        seeded=True,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        content_hash=body_hash,
        next_poll=next_poll,
    )
    for warning in report.warnings:
        log.warning("feed warning feed=%s warning=%s", feed.url, warning)
    return PollResult(feed, report)
