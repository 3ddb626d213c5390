"""``shortbot digest``, ``shortbot deliveries`` and ``shortbot destinations``: the faces of
the delivery service (``bot.delivery``) and of the ledger on the command line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.app import App
from bot.cli.base import EXIT_FAILED, EXIT_OK, EXIT_USAGE, command
from bot.delivery import at_least_once, counts, deliver_all
from bot.destinations import open_destinations
from papers import top
from papers.delivery import select_digest
from papers.filter_report import FilterReport
from papers.ledger import DeliveryRow
from papers.publishing import DeliveryReport, Publisher

PAGE = 200  # rows `shortbot deliveries` shows by default, newest first


def register(sub: Any) -> None:
    dig = command(
        sub,
        "digest",
        _digest,
        help="build and send the digests now",
        description="Build each destination's digest now and send it through the delivery "
        "ledger (each item once per destination). --dry-run prints exactly the payloads it "
        "would send, then what each destination's filters let through or held back, and "
        "records nothing.",
    )
    dig.add_argument("--destination", metavar="NAME", help="only this destination")
    dig.add_argument("--dry-run", action="store_true", help="print the payloads, send nothing")
    dig.add_argument(
        "--json",
        action="store_true",
        help='with --dry-run: JSON lines {"destination", "platform", "payload"}, and '
        '{"destination", "platform", "filters"} for a destination with filters',
    )
    dels = command(
        sub,
        "deliveries",
        _deliveries,
        help="show the delivery ledger",
        description="The delivery ledger: destinations (active or disabled with the reason), "
        "then one row per item and destination. `deliveries retry ID` re-queues a failed one.",
    )
    dels.add_argument("action", nargs="*", metavar="retry ID", help="re-queue a failed item")
    dels.add_argument("--failed", action="store_true", help="only failed items")
    dels.add_argument("--destination", metavar="NAME", help="only this destination")
    dels.add_argument("--json", action="store_true", help="print a JSON array")
    dels.add_argument(
        "--limit", type=int, default=PAGE, metavar="N", help=f"at most N rows (default {PAGE})"
    )
    dels.add_argument("--before", type=int, metavar="ID", help="only rows older than ID")
    dels.add_argument("--all", action="store_true", help="every row (no limit)")
    dests = command(
        sub,
        "destinations",
        _enable,
        help="re-enable a destination",
        description="`shortbot destinations enable NAME` re-enables a destination disabled "
        "after its credentials were rejected (fix them first).",
    )
    dests.add_argument("action", choices=["enable"])
    dests.add_argument("name", metavar="NAME")


def describe(report: DeliveryReport) -> str:
    return f"{report.destination}: {counts(report)}"


async def _digest(app: App, args: argparse.Namespace) -> int:
    """Exit status 1 when a destination named does not exist or one could not be built."""
    destination, dry_run, as_json = args.destination, args.dry_run, args.json
    if not dry_run:
        problems: list[str] = []
        reports = await deliver_all(app, only=destination, problems=problems)
        for problem in problems:
            print(f"shortbot: destination {problem}", file=sys.stderr)
        for report in reports:
            for error in report.errors:
                print(f"shortbot: {report.destination}: {error}", file=sys.stderr)
            print(describe(report))
        if destination and not reports and not problems:
            print(f"shortbot: no destination {destination!r}", file=sys.stderr)
        return EXIT_FAILED if problems or (destination and not reports) else EXIT_OK
    ledger = app.ledger
    async with open_destinations(app, only=destination) as (destinations, problems):
        for problem in problems:
            print(f"shortbot: destination {problem}", file=sys.stderr)
        for dest in destinations:
            state = await ledger.destination(dest.publisher.name)
            since = state.created_at if state else None
            selection = await select_digest(
                app.store, dest.publisher.name, dest.policy, since, now=app.clock()
            )
            posts = [] if selection.digest.empty else dest.publisher.render(selection.digest)
            window = dest.policy.window
            for post in posts:
                line: dict[str, Any] = {
                    "destination": dest.publisher.name,
                    "platform": dest.publisher.platform,
                    "payload": post.payload,
                }
                if window is not None:  # a top digest
                    line |= {"kind": top.TOP, "window": top.window_text(window)}
                if as_json:
                    print(json.dumps(line, ensure_ascii=False, default=str))
                else:
                    print(
                        f"--- {dest.publisher.name} ({dest.publisher.platform}), "
                        f"{len(post.items)} items"
                        + (f", {top.heading(window).lower()}" if window is not None else "")
                    )
                    print(json.dumps(post.payload, ensure_ascii=False, indent=2, default=str))
            if not posts and not as_json:
                print(f"--- {dest.publisher.name}: nothing new")
            if dest.policy.rules:
                _print_filters(dest.publisher, selection.report, as_json=as_json)
    return EXIT_FAILED if problems else EXIT_OK


def _print_filters(publisher: Publisher, report: FilterReport, *, as_json: bool) -> None:
    """What a destination's filters let through and held back (``papers.filter_report``)."""
    if as_json:
        line = {"destination": publisher.name, "platform": publisher.platform}
        print(json.dumps(line | {"filters": report.as_json()}, ensure_ascii=False))
        return
    print(f"--- {publisher.name}: filters")
    for text in report.lines():
        print(f"  {text}")


def _row_json(row: DeliveryRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "destination": row.destination,
        "item": row.item,
        "status": row.status,
        "post_id": row.post_id,
        "error": row.error,
        "created_at": row.created_at.isoformat(),
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
    }


async def _deliveries(app: App, args: argparse.Namespace) -> int:
    if args.action:
        if len(args.action) != 2 or args.action[0] != "retry" or not args.action[1].isdigit():
            print("shortbot: usage: shortbot deliveries retry ID", file=sys.stderr)
            return EXIT_USAGE
        return await _retry(app, int(args.action[1]))
    failed, destination, as_json = args.failed, args.destination, args.json
    if args.limit < 1:
        print("shortbot: --limit must be 1 or more", file=sys.stderr)
        return EXIT_USAGE
    ledger = app.ledger
    limit = None if args.all else args.limit
    rows = await ledger.rows(
        destination=destination,
        status="failed" if failed else None,
        limit=None if limit is None else limit + 1,  # one more: are there more?
        before=args.before,
    )
    more = limit is not None and len(rows) > limit
    rows = rows[:limit] if limit is not None else rows
    # the rest of the ledger, one page further (the JSON array stays as it is: stderr says it)
    next_page = f"shortbot deliveries --before {rows[-1].id}" if more and rows else ""
    if as_json:
        print(json.dumps([_row_json(r) for r in rows], indent=2))
        if next_page:
            print(f"shortbot: more rows: {next_page} (or --all)", file=sys.stderr)
    states = [
        s for s in await ledger.list_destinations() if not destination or s.name == destination
    ]
    if as_json:
        for state in states:
            if state.at_least_once:
                print(
                    f"shortbot: {state.name} is {at_least_once(state.at_least_once)}",
                    file=sys.stderr,
                )
        return EXIT_OK
    for state in states:
        status = f"disabled: {state.disabled_reason}" if state.disabled_reason else "active"
        last = state.last_post_at.strftime("%Y-%m-%d %H:%M UTC") if state.last_post_at else "-"
        guarantee = f"; {at_least_once(state.at_least_once)}" if state.at_least_once else ""
        print(f"{state.name} ({state.platform}): {status}; last post {last}{guarantee}")
    if not rows:
        print("No deliveries" + (" failed." if failed else " yet."))
    for row in rows:
        print(
            f"{row.id:>6}  {row.destination}  {row.item}  {row.status}"
            + (f"  {row.post_id}" if row.post_id else "")
            + (f"  ({row.error})" if row.error else "")
        )
    if next_page:
        print(f"More rows: {next_page} (or --all).")
    return EXIT_OK


async def _retry(app: App, delivery_id: int) -> int:
    row = await app.ledger.retry(delivery_id)
    if row is None:
        print(f"shortbot: no failed delivery {delivery_id}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Re-queued {row.item} for {row.destination}; the next digest carries it.")
    return EXIT_OK


async def _enable(app: App, args: argparse.Namespace) -> int:
    name = args.name
    ledger = app.ledger
    if await ledger.destination(name) is None:
        print(f"shortbot: no destination {name!r}", file=sys.stderr)
        return EXIT_FAILED
    await ledger.set_disabled(name, None)
    print(f"Enabled {name}; its pending posts go out on the next digest.")
    return EXIT_OK
