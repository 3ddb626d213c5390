"""``shortbot feeds add | list | remove | pause | resume``: the command-line face of the feeds
service (``bot.feeds``), which the maintainers' Discord commands share."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from bot import feeds as service
from bot.app import App
from bot.cli.base import EXIT_FAILED, EXIT_OK, EXIT_USAGE, KIND_HELP, KINDS, command
from bot.watch import describe_skipped
from papers.errors import NotKnown, UserError
from papers.model import Feed, FeedKind


def register(sub: Any) -> None:
    feeds = sub.add_parser(
        "feeds",
        help="manage watched feeds",
        description="Manage the feeds `shortbot run` watches. A new feed's current entries "
        "are recorded as seen (no flood) unless --backfill is given.",
    )
    actions = feeds.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)
    add = command(
        actions,
        "add",
        _add,
        help="watch a feed",
        description="Watch the feed at URL: it is polled once now to check it is a feed.",
    )
    add.add_argument("url", metavar="URL")
    add.add_argument("--interval", help="how often to poll: 15m (default), 1h, 1d …")
    add.add_argument("--name", help="a short name shown in lists")
    add.add_argument(
        "--backfill",
        action="store_true",
        help="announce what the feed holds now in the next digest",
    )
    add.add_argument("--kind", choices=KINDS, help=KIND_HELP)
    listing = command(
        actions,
        "list",
        _list,
        help="list watched feeds",
        description="Each feed: kind, interval, status, last poll and result, failures, next poll.",
    )
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    for action, text in (
        ("remove", "stop watching a feed (its summaries stay)"),
        ("pause", "stop polling a feed for now"),
        ("resume", "poll a paused or disabled feed again"),
    ):
        cmd = command(
            actions, action, _change, help=text, description=text[0].upper() + text[1:] + "."
        )
        cmd.add_argument("feed", metavar="FEED", help="the feed's number, URL or name")


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def _every(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


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
        "status": feed.state,
        "disabled_reason": feed.disabled_reason,
    }


async def _add(app: App, args: argparse.Namespace) -> int:
    """Watch a URL: checked by polling it once, its entries recorded as seen."""
    url, backfill = args.url, args.backfill
    kind = FeedKind(args.kind) if args.kind else None
    try:
        added = await service.add_feed(
            app, url, interval=args.interval, name=args.name, backfill=backfill, kind=kind
        )
    except service.BadInterval as exc:
        print(f"shortbot: --interval: {exc.reason}", file=sys.stderr)
        return EXIT_USAGE
    except UserError as exc:
        print(f"shortbot: {url}: not added: {exc.reason}", file=sys.stderr)
        return EXIT_USAGE
    except service.AlreadyWatched:
        print(f"shortbot: {url} is watched already (see `shortbot feeds list`)", file=sys.stderr)
        return EXIT_FAILED
    except service.FeedNotAdded as exc:
        print(f"shortbot: {url}: not added: {exc.reason}", file=sys.stderr)
        return EXIT_FAILED
    feed, report = added.feed, added.report
    entries = report.new + report.updated + report.unchanged
    fate = "will be announced in the next digest" if backfill else "recorded as seen"
    pinned = " (pinned)" if kind else ""
    print(
        f"Watching feed {feed.id} {feed.label}: {report.kind.value} feed{pinned}, {entries} "
        f"entries {fate}{describe_skipped(report)}; polled every {_every(added.interval_seconds)}."
    )
    for warning in report.warnings:
        print(f"  warning: {warning}", file=sys.stderr)
    return EXIT_OK


async def _list(app: App, args: argparse.Namespace) -> int:
    feeds = await service.list_feeds(app)
    if args.json:
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
        print(f"     {kind_text(feed)}, every {every}; status: {feed.status}")
        print(f"     last poll: {_when(feed.last_poll)} - {feed.last_result or 'never polled'}")
        print(f"     failures in a row: {feed.failures}; next poll: {_when(feed.next_poll)}")
    return EXIT_OK


async def _change(app: App, args: argparse.Namespace) -> int:
    try:
        feed = await service.find_feed(app, args.feed)
    except NotKnown:
        print(
            f"shortbot: no watched feed {args.feed!r} (see `shortbot feeds list`)", file=sys.stderr
        )
        return EXIT_FAILED
    action = args.feeds_command
    if action == "remove":
        await service.remove_feed(app, feed)
        print(f"Stopped watching {feed.label}; its summaries stay.")
    elif action == "pause":
        await service.set_paused(app, feed, True)
        print(f"Paused {feed.label}.")
    else:
        await service.set_paused(app, feed, False)
        print(f"Resumed {feed.label}; it is polled on the next run.")
    return EXIT_OK
