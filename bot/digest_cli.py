"""``shortbot digest``, ``shortbot deliveries`` and ``shortbot destinations``: the faces of
the delivery service (``bot.delivery``) and the ledger on the command line."""

from __future__ import annotations

import json
import sys
from typing import Any

from bot.app import App
from bot.delivery import counts, deliver_all
from bot.destinations import open_destinations
from papers.delivery import DeliveryRow, select_digest
from papers.publishing import DeliveryReport

EXIT_OK, EXIT_FAILED = 0, 1


def describe(report: DeliveryReport) -> str:
    return f"{report.destination}: {counts(report)}"


async def digest(app: App, *, destination: str | None, dry_run: bool, as_json: bool) -> int:
    """Exit status 1 when a destination named does not exist or one could not be built."""
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
            for post in posts:
                line: dict[str, Any] = {
                    "destination": dest.publisher.name,
                    "platform": dest.publisher.platform,
                    "payload": post.payload,
                }
                if as_json:
                    print(json.dumps(line, ensure_ascii=False, default=str))
                else:
                    print(
                        f"--- {dest.publisher.name} ({dest.publisher.platform}), "
                        f"{len(post.items)} items"
                    )
                    print(json.dumps(post.payload, ensure_ascii=False, indent=2, default=str))
            if not posts and not as_json:
                print(f"--- {dest.publisher.name}: nothing new")
    return EXIT_FAILED if problems else EXIT_OK


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


async def deliveries(app: App, *, failed: bool, destination: str | None, as_json: bool) -> int:
    ledger = app.ledger
    rows = await ledger.rows(destination=destination, status="failed" if failed else None)
    if as_json:
        print(json.dumps([_row_json(r) for r in rows], indent=2))
        return EXIT_OK
    for state in await ledger.list_destinations():
        if destination and state.name != destination:
            continue
        status = f"disabled: {state.disabled_reason}" if state.disabled_reason else "active"
        last = state.last_post_at.strftime("%Y-%m-%d %H:%M UTC") if state.last_post_at else "-"
        print(f"{state.name} ({state.platform}): {status}; last post {last}")
    if not rows:
        print("No deliveries" + (" failed." if failed else " yet."))
    for row in rows:
        print(
            f"{row.id:>6}  {row.destination}  {row.item}  {row.status}"
            + (f"  {row.post_id}" if row.post_id else "")
            + (f"  ({row.error})" if row.error else "")
        )
    return EXIT_OK


async def retry(app: App, delivery_id: int) -> int:
    row = await app.ledger.retry(delivery_id)
    if row is None:
        print(f"shortbot: no failed delivery {delivery_id}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Re-queued {row.item} for {row.destination}; the next digest carries it.")
    return EXIT_OK


async def enable(app: App, name: str) -> int:
    ledger = app.ledger
    if await ledger.destination(name) is None:
        print(f"shortbot: no destination {name!r}", file=sys.stderr)
        return EXIT_FAILED
    await ledger.set_disabled(name, None)
    print(f"Enabled {name}; its pending posts go out on the next digest.")
    return EXIT_OK
