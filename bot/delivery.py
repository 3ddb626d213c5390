"""The delivery service: every destination's next digest through the ledger, and telling the
maintainers when one is stopped. Used by the scheduler, ``shortbot digest`` and the Discord
``digest now``; it returns values and logs, and leaves the wording to each face.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot import metrics
from bot.app import App
from bot.destinations import Destination, open_destinations, open_run
from bot.locks import destination_lock
from bot.platforms import DISCORD_CHANNEL, DestinationError, load
from papers.delivery import deliver
from papers.discord_render import escape
from papers.keys import discord_post_key
from papers.publishing import DeliveryReport, Post, PublishError

# Destinations delivered at once. On PostgreSQL each holds a connection for its lock and uses
# one more at a time: 2 × 6 stays inside SQLAlchemy's default pool of 5 + 10. SQLite's lock is
# in-process, so twice as many fit (enough to keep up with Discord's pace: bench/bench_fanout).
DELIVERY_CONCURRENCY = 6
DELIVERY_CONCURRENCY_SQLITE = 12
log = logging.getLogger(__name__)


def at_least_once(reason: str) -> str:
    """What an at-least-once destination means, for ``status`` and ``deliveries``."""
    return (
        f"at-least-once: {reason}, so a crash between the platform's answer and the "
        "ledger's record can repeat a post"
    )


def counts(report: DeliveryReport) -> str:
    """``3 sent, 1 failed, 2 pending (disabled: …)``."""
    parts = [f"{report.sent} sent"]
    if report.failed:
        parts.append(f"{report.failed} failed")
    if report.pending:
        parts.append(f"{report.pending} pending")
    text = ", ".join(parts)
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
    ``select`` False only what earlier runs left pending. Destinations that cannot be built are
    logged (and added to ``problems`` when given), not raised; each report carries its errors.

    Up to ``DELIVERY_CONCURRENCY`` destinations (SQLite: ``…_SQLITE``) are delivered at once
    (a thousand Discord channels would otherwise wait for each other's round trips; the
    platforms' own limits pace the requests). An unexpected error in one delivery lets the
    others finish, then is raised."""
    async with open_destinations(app, only=only) as (destinations, unbuilt):
        for problem in unbuilt:
            log.warning("destination cannot be built: %s", problem)
        if problems is not None:
            problems += unbuilt
        sqlite = app.engine.dialect.name == "sqlite"
        gate = asyncio.Semaphore(DELIVERY_CONCURRENCY_SQLITE if sqlite else DELIVERY_CONCURRENCY)

        async def one(destination: Destination) -> DeliveryReport | None:
            name = destination.publisher.name
            async with gate, destination_lock(app, name) as held:
                if not held:
                    log.info("delivery skipped destination=%s reason=busy elsewhere", name)
                    return None
                report = await deliver(
                    app.store,
                    app.ledger,
                    destination.publisher,
                    destination.policy,
                    clock=app.clock,
                    sleep=asyncio.sleep,
                    select=select,
                )
            for error in report.errors:
                log.warning("delivery destination=%s error=%s", report.destination, error)
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
    channel_id = app.settings.discord.alerts_channel_id
    if not disabled or channel_id is None or app.settings.discord.token is None:
        return
    try:
        async with open_run(app) as run:
            alerts = await load(DISCORD_CHANNEL)(run, "alerts", channel_id)
            for report in disabled:
                key = discord_post_key("alerts", (report.destination, report.disabled or ""))
                await alerts.send(Post(key, (), {"content": alert_text(report), "embeds": []}))
    except DestinationError as exc:
        log.error("could not tell the maintainers channel=%s reason=%s", channel_id, exc)
    except PublishError as exc:
        log.error("could not tell the maintainers channel=%s reason=%s", channel_id, exc.reason)
