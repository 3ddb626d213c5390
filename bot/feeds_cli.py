"""``shortbot feeds …``: watch, list, pause, resume and remove feeds.

The same store methods serve the maintainers' Discord commands.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any

from bot.app import App
from bot.settings import parse_duration
from bot.watch import describe_skipped, poll_feed
from papers.model import Feed, FeedKind
from sources.safety import UnsafeURL, check_url_syntax

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def _every(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def status(feed: Feed) -> str:
    if feed.disabled_reason:
        return f"disabled: {feed.disabled_reason}"
    return "paused" if feed.paused else "active"


def kind_text(feed: Feed) -> str:
    """The feed's kind, "(pinned)" when set by ``feeds add --kind``."""
    return f"{feed.kind.value} (pinned)" if feed.pinned_kind else feed.kind.value


def feed_json(feed: Feed) -> dict[str, Any]:
    return {
        "id": feed.id,
        "url": feed.url,
        "name": feed.name,
        "kind": feed.kind.value,
        "kind_pinned": feed.pinned_kind is not None,
        "last_skipped": dict(feed.last_skipped),
        "interval_seconds": feed.interval_seconds,
        "last_poll": feed.last_poll.isoformat() if feed.last_poll else None,
        "last_result": feed.last_result,
        "failures": feed.failures,
        "next_poll": feed.next_poll.isoformat() if feed.next_poll else None,
        "status": "disabled" if feed.disabled_reason else "paused" if feed.paused else "active",
        "disabled_reason": feed.disabled_reason,
    }


async def add(
    app: App,
    url: str,
    *,
    interval: str | None,
    name: str | None,
    backfill: bool,
    kind: FeedKind | None = None,
) -> int:
    """Watch ``url``: check it is a feed by polling it once, recording its entries as seen.
    With ``kind``, the feed is read as that kind at every poll instead of recognised."""
    try:
        url = check_url_syntax(url, allow_private=app.settings.allow_private_feeds)
    except UnsafeURL as exc:
        print(f"shortbot: {url}: not added: {exc.reason}", file=sys.stderr)
        return EXIT_USAGE
    try:
        seconds = parse_duration(interval) if interval else app.settings.poll_interval
    except ValueError as exc:
        print(f"shortbot: --interval: {exc}", file=sys.stderr)
        return EXIT_USAGE
    feed = await app.store.add_feed(
        url,
        name=name,
        interval_seconds=seconds,
        announce_existing=backfill,
        now=app.clock(),
        pinned_kind=kind,
    )
    if feed is None:
        print(f"shortbot: {url} is watched already (see `shortbot feeds list`)", file=sys.stderr)
        return EXIT_FAILED
    result = await poll_feed(app, feed)
    if result.error or result.report is None:
        await app.store.remove_feed(feed.id)
        print(f"shortbot: {url}: not added: {result.error or 'no content'}", file=sys.stderr)
        return EXIT_FAILED
    report = result.report
    entries = report.new + report.updated + report.unchanged
    fate = "will be announced in the next digest" if backfill else "recorded as seen"
    pinned = " (pinned)" if kind else ""
    print(
        f"Watching feed {feed.id} {feed.label}: {report.kind.value} feed{pinned}, {entries} "
        f"entries {fate}{describe_skipped(report)}; polled every {_every(seconds)}."
    )
    for warning in report.warnings:
        print(f"  warning: {warning}", file=sys.stderr)
    return EXIT_OK


async def list_feeds(app: App, *, as_json: bool) -> int:
    feeds = await app.store.list_feeds()
    if as_json:
        print(json.dumps([feed_json(f) for f in feeds], indent=2))
        return EXIT_OK
    if not feeds:
        print("No feeds are watched. Add one with `shortbot feeds add URL`.")
        return EXIT_OK
    for feed in feeds:
        print(f"{feed.id:>3}  {feed.label}")
        if feed.name:
            print(f"     url: {feed.url}")
        every = _every(feed.interval_seconds)
        print(f"     {kind_text(feed)}, every {every}; status: {status(feed)}")
        print(f"     last poll: {_when(feed.last_poll)} - {feed.last_result or 'never polled'}")
        print(f"     failures in a row: {feed.failures}; next poll: {_when(feed.next_poll)}")
    return EXIT_OK


async def change(app: App, action: str, ref: str) -> int:
    feed = await app.store.find_feed(ref)
    if feed is None:
        print(f"shortbot: no watched feed {ref!r} (see `shortbot feeds list`)", file=sys.stderr)
        return EXIT_FAILED
    if action == "remove":
        await app.store.remove_feed(feed.id)
        print(f"Stopped watching {feed.label}; its summaries stay.")
    elif action == "pause":
        await app.store.set_feed_paused(feed.id, True, now=app.clock())
        print(f"Paused {feed.label}.")
    else:
        await app.store.set_feed_paused(feed.id, False, now=app.clock())
        print(f"Resumed {feed.label}; it is polled on the next run.")
    return EXIT_OK
