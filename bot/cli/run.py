"""``shortbot run [--once]`` (the service, with Discord and the health endpoint beside it) and
``shortbot discord sync``.

discord.py and aiohttp load in the handlers that need them, for their cost (about 0.5 s;
``lookup``, ``ingest`` and the other commands never need them), not to break an import cycle.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from contextlib import AsyncExitStack
from typing import Any

from bot.app import App
from bot.cli.base import EXIT_CANNOT_START, EXIT_OK, command
from bot.delivery import deliver_all
from bot.service import CannotLead, install_stop_signals, run_service
from bot.watch import complete_metadata, poll_feed, sync_configured_feeds

log = logging.getLogger("shortbot")


def register(sub: Any) -> None:
    run = command(
        sub,
        "run",
        _run_observed,
        help="watch the feeds and publish digests",
        description="Poll every watched feed at its interval and publish the digest of what "
        "is new to every destination. With --once: poll each feed once, publish, exit.",
    )
    run.add_argument("--once", action="store_true", help="one poll and one digest, then exit")


def register_discord(sub: Any) -> None:
    disc = sub.add_parser("discord", help="Discord tools", description="Discord tools.")
    actions = disc.add_subparsers(dest="discord_command", metavar="ACTION", required=True)
    command(
        actions,
        "sync",
        _discord_sync,
        help="register the slash commands with Discord",
        description="Log in with SHORTBOT_DISCORD__TOKEN, register the slash commands, exit. "
        "`shortbot run` also does this at start unless discord.sync_commands is false.",
    )


async def _run_observed(app: App, args: argparse.Namespace) -> int:
    """``run``, with the health endpoint (bot.health) served beside it, but not for --once.
    When it cannot listen, the log says why and the bot runs without it."""
    if args.once:
        return await run_once(app)
    if not app.settings.health.enabled:
        return await _run(app)
    from bot.health import HealthServerError, serve_health  # aiohttp: see the docstring

    async with AsyncExitStack() as stack:
        try:
            await stack.enter_async_context(serve_health(app))
        except HealthServerError as exc:
            log.error("health endpoint not served reason=%s", exc)
        return await _run(app)


async def run_once(app: App, *, due_only: bool = False) -> int:
    """Poll every watched feed once (or only those due), then publish each digest."""
    feeds = await sync_configured_feeds(app)
    now = app.clock()
    for feed in feeds:
        if due_only and feed.next_poll and feed.next_poll > now:
            continue
        result = await poll_feed(app, feed)
        log.info("poll %s", result.describe())
        if result.error:
            print(f"shortbot: {result.describe()}", file=sys.stderr)
    await complete_metadata(app)
    problems: list[str] = []
    reports = await deliver_all(app, problems=problems)
    for problem in problems:
        print(f"shortbot: destination {problem}", file=sys.stderr)
    for report in reports:
        for error in report.errors:
            print(f"shortbot: {report.destination}: {error}", file=sys.stderr)
    if not any(r.sent or r.failed or r.pending for r in reports):
        print("Nothing new since the last digest.")
    return EXIT_OK


async def _run(app: App) -> int:
    stop = asyncio.Event()
    install_stop_signals(stop)
    log.info("running; stop with SIGTERM or Ctrl-C")

    async def loop() -> None:
        await run_service(app, stop)

    try:
        if app.settings.discord.token is None:
            await loop()
            return EXIT_OK
        from bot.discord.runner import DiscordLoginError, run_with_discord  # see the docstring

        try:
            await run_with_discord(app, loop)
        except DiscordLoginError as exc:
            print(f"shortbot: {exc}", file=sys.stderr)
            return EXIT_CANNOT_START
    except CannotLead as exc:
        print(f"shortbot: {exc}", file=sys.stderr)
        return EXIT_CANNOT_START
    return EXIT_OK


async def _discord_sync(app: App, args: argparse.Namespace) -> int:
    import aiohttp  # see the docstring

    from bot.discord.runner import DiscordLoginError, sync_commands

    try:
        count = await sync_commands(app)
    except DiscordLoginError as exc:
        print(f"shortbot: {exc}", file=sys.stderr)
        return EXIT_CANNOT_START
    except (aiohttp.ClientError, TimeoutError) as exc:
        # the network, not the database: say which service could not be reached
        where = app.settings.discord.api_base_url or "https://discord.com/api"
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"shortbot: cannot reach Discord at {where}: {reason}", file=sys.stderr)
        return EXIT_CANNOT_START
    print(f"Synced {count} slash commands.")
    return EXIT_OK
