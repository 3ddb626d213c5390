"""``shortbot digest``, ``shortbot deliveries`` and ``shortbot destinations``."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Callable
from typing import Any

from bot import metrics
from bot.app import App
from bot.destinations import Destination, apply_discord_endpoints, open_destinations
from bot.locks import destination_lock
from papers.delivery import DeliveryRow, deliver, select_digest
from papers.discord_render import escape, post_key
from papers.publishing import DeliveryReport, Post, PublishError
from storage.ledger import Ledger

EXIT_OK, EXIT_FAILED = 0, 1
# Destinations delivered at once. On PostgreSQL each holds a connection for its lock and uses
# one more at a time: 2 × 6 stays inside SQLAlchemy's default pool of 5 + 10. SQLite's lock is
# in-process, so twice as many fit (enough to keep up with Discord's pace: bench/bench_fanout).
DELIVERY_CONCURRENCY = 6
DELIVERY_CONCURRENCY_SQLITE = 12
log = logging.getLogger(__name__)


def describe(report: DeliveryReport) -> str:
    parts = [f"{report.sent} sent"]
    if report.failed:
        parts.append(f"{report.failed} failed")
    if report.pending:
        parts.append(f"{report.pending} pending")
    text = f"{report.destination}: " + ", ".join(parts)
    if report.disabled:
        text += f" (disabled: {report.disabled})"
    return text


async def deliver_all(
    app: App,
    *,
    only: str | None = None,
    problems: list[str] | None = None,
    which: Callable[[str], bool] | None = None,
    select: bool = True,
) -> list[DeliveryReport]:
    """Every destination's next digest (or only those ``which`` accepts), through the ledger,
    one delivery per destination at a time across processes (``destination_lock``); with
    ``select`` False only what earlier runs left pending. Problems are reported (and added to
    ``problems`` when given), not raised.

    Up to ``DELIVERY_CONCURRENCY`` destinations (SQLite: ``…_SQLITE``) are delivered at once
    (a thousand Discord channels would otherwise wait for each other's round trips; the
    platforms' own limits pace the requests). An unexpected error in one delivery lets the
    others finish, then is raised."""
    ledger = Ledger(app.store.engine)
    async with open_destinations(app, only=only) as (destinations, unbuilt):
        for problem in unbuilt:
            print(f"shortbot: destination {problem}", file=sys.stderr)
        if problems is not None:
            problems += unbuilt
        sqlite = app.store.engine.dialect.name == "sqlite"
        gate = asyncio.Semaphore(DELIVERY_CONCURRENCY_SQLITE if sqlite else DELIVERY_CONCURRENCY)

        async def one(destination: Destination) -> DeliveryReport | None:
            name = destination.publisher.name
            async with gate, destination_lock(app, name) as held:
                if not held:
                    log.info("delivery skipped destination=%s reason=busy elsewhere", name)
                    return None
                report = await deliver(
                    app.store,
                    ledger,
                    destination.publisher,
                    destination.policy,
                    clock=app.clock,
                    sleep=asyncio.sleep,
                    select=select,
                )
            for error in report.errors:
                print(f"shortbot: {report.destination}: {error}", file=sys.stderr)
            metrics.record_delivery(
                report.destination, sent=report.sent, failed=report.failed, pending=report.pending
            )
            return report

        chosen = [d for d in destinations if which is None or which(d.publisher.name)]
        outcomes = await asyncio.gather(*(one(d) for d in chosen), return_exceptions=True)
    reports = [r for r in outcomes if isinstance(r, DeliveryReport)]
    await tell_maintainers(app, [r for r in reports if r.newly_disabled])
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return reports


def alert_text(report: DeliveryReport) -> str:
    name = escape(report.destination)
    return (
        f"Digests to **{name}** are stopped: {escape(report.disabled or 'disabled')}. "
        f"Fix its credentials, then run `shortbot destinations enable {name}`; "
        "nothing is lost meanwhile: its items wait in the ledger."
    )


async def tell_maintainers(app: App, disabled: list[DeliveryReport]) -> None:
    """Post one message per newly disabled destination to ``discord.alerts_channel_id`` (the
    log has them in any case). A failure to tell is logged, never raised."""
    discord_settings = app.settings.discord
    channel_id, token = discord_settings.alerts_channel_id, discord_settings.token
    if not disabled or channel_id is None or token is None:
        return
    from publishers.discord import DiscordChannelPublisher

    apply_discord_endpoints(app)
    try:
        async with DiscordChannelPublisher(
            "alerts", channel_id=channel_id, token=token.get_secret_value()
        ) as alerts:
            for report in disabled:
                text = alert_text(report)
                key = post_key("alerts", (report.destination, report.disabled or ""))
                await alerts.send(Post(key, (), {"content": text, "embeds": []}))
    except PublishError as exc:
        log.error("could not tell the maintainers channel=%s reason=%s", channel_id, exc.reason)


async def digest(app: App, *, destination: str | None, dry_run: bool, as_json: bool) -> int:
    """Exit status 1 when a destination named does not exist or one could not be built."""
    if not dry_run:
        problems: list[str] = []
        reports = await deliver_all(app, only=destination, problems=problems)
        for report in reports:
            print(describe(report))
        if destination and not reports and not problems:
            print(f"shortbot: no destination {destination!r}", file=sys.stderr)
        return EXIT_FAILED if problems or (destination and not reports) else EXIT_OK
    ledger = Ledger(app.store.engine)
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
    ledger = Ledger(app.store.engine)
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
    row = await Ledger(app.store.engine).retry(delivery_id)
    if row is None:
        print(f"shortbot: no failed delivery {delivery_id}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Re-queued {row.item} for {row.destination}; the next digest carries it.")
    return EXIT_OK


async def enable(app: App, name: str) -> int:
    ledger = Ledger(app.store.engine)
    if await ledger.destination(name) is None:
        print(f"shortbot: no destination {name!r}", file=sys.stderr)
        return EXIT_FAILED
    await ledger.set_disabled(name, None)
    print(f"Enabled {name}; its pending posts go out on the next digest.")
    return EXIT_OK
