"""The ``shortbot`` command line.

Exit codes: 0 success; 1 not found / a source could not be read; 2 unusable input (bad query,
bad arguments); 3 shortbot cannot start (configuration or database); 4 internal error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.app import App, open_app
from bot.logs import configure_logging
from bot.settings import ConfigError, Settings, load_settings
from bot.watch import (
    complete_metadata,
    describe_report,
    ingest,
    poll_feed,
    read_feed,
    sync_configured_feeds,
)
from papers.ids import UnusableQuery
from papers.model import PINNABLE_KINDS, FeedKind, PaperWithSummaries
from papers.ports import Unavailable
from papers.render import console_paper
from papers.usecases import Found, lookup_or_fetch
from sources.fetch import FetchError
from sources.parse import FeedParseError, parse_feed
from storage.db import DatabaseError, describe_url, head_revision

log = logging.getLogger("shortbot")

EXIT_OK, EXIT_NOT_FOUND, EXIT_USAGE, EXIT_CANNOT_START, EXIT_INTERNAL = 0, 1, 2, 3, 4
KINDS = [kind.value for kind in PINNABLE_KINDS]
KIND_HELP = "read the feed as this kind instead of recognising it from its content"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shortbot",
        description=(
            "shortbot watches paper-summary feeds (ShortScience, blogs, arXiv), publishes "
            "digests, and looks papers up. With no configuration it runs the embedded demo: "
            "SQLite in ./data, the bundled sample feeds, digests printed to the console."
        ),
        epilog="Configuration: --config PATH, $SHORTBOT_CONFIG or ./shortbot.toml; "
        "environment variables SHORTBOT_* override the file (see the README).",
    )
    parser.add_argument("--config", metavar="PATH", help="TOML configuration file")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    ingest = sub.add_parser(
        "ingest",
        help="import summaries from feed files or URLs",
        description="Import summaries from each SOURCE (a file path or an http(s) URL). "
        "What is imported counts as new and goes into the next digest. Exit 0 when every "
        "source was read (bad entries are skipped and counted), 1 when a source could not "
        "be read at all.",
    )
    ingest.add_argument("sources", nargs="+", metavar="SOURCE")
    ingest.add_argument("--kind", choices=KINDS, help=KIND_HELP)

    look = sub.add_parser(
        "lookup",
        help="show a paper and its summaries",
        description="Find a paper by arXiv id or URL, DOI, ShortScience URL or bibtex key, "
        "or title words, and show its summaries best-voted first. Exit 0 found, 1 not "
        "found, 2 unusable query.",
    )
    look.add_argument("query", nargs="+", help="what to look up (words are joined)")
    look.add_argument("--json", action="store_true", help="print one JSON object")

    db = sub.add_parser("db", help="database maintenance", description="Database maintenance.")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser(
        "upgrade",
        help="apply pending migrations",
        description="Apply every pending schema migration (also done at every start).",
    )
    backup = db_sub.add_parser(
        "backup",
        help="copy the SQLite database to PATH (safe while the bot runs)",
        description="Copy the SQLite database to PATH through SQLite's online backup API: "
        "one consistent snapshot, taken while the bot keeps writing. Exit 0 written, 1 "
        "refused (no database, PATH exists without --force), 2 PostgreSQL (use pg_dump, "
        "see the README).",
    )
    backup.add_argument("path", metavar="PATH", help="the backup file to write")
    backup.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    restore = db_sub.add_parser(
        "restore",
        help="replace the SQLite database by a backup (stop the bot first)",
        description="Check PATH (a SQLite database with shortbot's tables and a schema "
        "revision this version knows), keep the current database as "
        "<db>.before-restore-<timestamp>, put PATH's data in its place and migrate it to "
        "the newest schema. Exit 0 restored, 1 refused and nothing changed (no such file, "
        "not a SQLite database or not shortbot's, newer schema, database in use), 2 "
        "PostgreSQL (use pg_restore, see the README).",
    )
    restore.add_argument("path", metavar="PATH", help="the backup file to restore")

    feeds = sub.add_parser(
        "feeds",
        help="manage watched feeds",
        description="Manage the feeds `shortbot run` watches. A new feed's current entries "
        "are recorded as seen (no flood) unless --backfill is given.",
    )
    feeds_sub = feeds.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)
    add = feeds_sub.add_parser(
        "add",
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
    listing = feeds_sub.add_parser(
        "list",
        help="list watched feeds",
        description="Each feed: kind, interval, status, last poll and result, failures, next poll.",
    )
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    for action, text in (
        ("remove", "stop watching a feed (its summaries stay)"),
        ("pause", "stop polling a feed for now"),
        ("resume", "poll a paused or disabled feed again"),
    ):
        cmd = feeds_sub.add_parser(action, help=text, description=text[0].upper() + text[1:] + ".")
        cmd.add_argument("feed", metavar="FEED", help="the feed's number, URL or name")

    dig = sub.add_parser(
        "digest",
        help="build and send the digests now",
        description="Build each destination's digest now and send it through the delivery "
        "ledger (each item once per destination). --dry-run prints exactly the payloads it "
        "would send and records nothing.",
    )
    dig.add_argument("--destination", metavar="NAME", help="only this destination")
    dig.add_argument("--dry-run", action="store_true", help="print the payloads, send nothing")
    dig.add_argument(
        "--json",
        action="store_true",
        help='with --dry-run: JSON lines {"destination", "platform", "payload"}',
    )
    dels = sub.add_parser(
        "deliveries",
        help="show the delivery ledger",
        description="The delivery ledger: destinations (active or disabled with the reason), "
        "then one row per item and destination. `deliveries retry ID` re-queues a failed one.",
    )
    dels.add_argument("action", nargs="*", metavar="retry ID", help="re-queue a failed item")
    dels.add_argument("--failed", action="store_true", help="only failed items")
    dels.add_argument("--destination", metavar="NAME", help="only this destination")
    dels.add_argument("--json", action="store_true", help="print a JSON array")
    dests = sub.add_parser(
        "destinations",
        help="re-enable a destination",
        description="`shortbot destinations enable NAME` re-enables a destination disabled "
        "after its credentials were rejected (fix them first).",
    )
    dests.add_argument("action", choices=["enable"])
    dests.add_argument("name", metavar="NAME")

    sched = sub.add_parser(
        "schedule",
        help="when each destination's digest goes out",
        description="Digest schedules. `schedule show` lists every destination with its "
        "schedule and next run; `schedule set NAME WHEN [TZ]` (WHEN: 'daily 09:00', "
        "'weekdays 18:30', 'weekly mon 09:00', 'hourly' or a cron expression 'MIN HOUR DAY "
        "MONTH WEEKDAY'; TZ: e.g. Europe/Berlin, default schedule.timezone); `schedule pause "
        "NAME`, `schedule resume NAME`, `schedule clear NAME` (back to a digest after each "
        "poll). A running `shortbot run` applies changes within schedule.reconcile_interval. "
        "Exit 0 done, 1 no such destination or schedule, 2 invalid schedule (nothing saved).",
    )
    sched_sub = sched.add_subparsers(dest="schedule_command", metavar="ACTION", required=True)
    show = sched_sub.add_parser("show", help="every destination's schedule and next run")
    show.add_argument("--json", action="store_true", help="print a JSON array")
    set_cmd = sched_sub.add_parser("set", help="set a destination's schedule")
    set_cmd.add_argument("destination", metavar="NAME")
    set_cmd.add_argument("when", nargs="+", metavar="WHEN", help="e.g. daily 09:00 Europe/Berlin")
    for action, text in (
        ("pause", "stop a destination's scheduled digests for now"),
        ("resume", "resume a paused schedule"),
        ("clear", "remove a schedule: the digest goes out after each poll again"),
    ):
        cmd = sched_sub.add_parser(action, help=text)
        cmd.add_argument("destination", metavar="NAME")

    disc = sub.add_parser("discord", help="Discord tools", description="Discord tools.")
    disc_sub = disc.add_subparsers(dest="discord_command", metavar="ACTION", required=True)
    disc_sub.add_parser(
        "sync",
        help="register the slash commands with Discord",
        description="Log in with SHORTBOT_DISCORD__TOKEN, register the slash commands, exit. "
        "`shortbot run` also does this at start unless discord.sync_commands is false.",
    )

    stat = sub.add_parser(
        "status",
        help="feeds, destinations and the database at a glance",
        description="Each feed (last poll and result, failures, next poll, paused or "
        "disabled), each destination (last post, pending items, disabled reason) and the "
        "database size. Exit 0.",
    )
    stat.add_argument(
        "--json", action="store_true", help='one object: "feeds", "destinations", "database"'
    )

    imp = sub.add_parser(
        "import",
        help="bulk-import paper metadata",
        description="Bulk-import paper metadata.",
    )
    imp_sub = imp.add_subparsers(dest="import_command", metavar="FORMAT", required=True)
    snapshot = imp_sub.add_parser(
        "arxiv-metadata",
        help="load arXiv's metadata snapshot (arxiv-metadata-oai-snapshot.json, plain or .gz)",
        description="Load arXiv's public metadata snapshot (JSON lines, plain or gzip): "
        "streamed, committed in batches, with a progress line on stderr. Known papers take "
        "the snapshot's values only where it has more (a newer version, or papers known only "
        "from summaries) and otherwise only gain what they lack; summaries and links are "
        "never touched. Ctrl-C / SIGTERM commit what was read and stop; the same command "
        "resumes there. Bad lines are counted and reported. Exit 0 imported (bad lines "
        "included) or already imported, 1 the file cannot be read, 2 usage, 130 "
        "interrupted (run it again to resume).",
    )
    snapshot.add_argument("file", metavar="FILE", help="the snapshot file (.json, .jsonl, .gz)")
    snapshot.add_argument(
        "--batch-size",
        type=int,
        default=10_000,
        metavar="N",
        help="papers per transaction (default 10000)",
    )
    snapshot.add_argument(
        "--stop-after",
        type=int,
        metavar="LINES",
        help="stop after LINES lines, as Ctrl-C would (import a big file in slices)",
    )
    snapshot.add_argument(
        "--parser",
        choices=("auto", "thread", "process"),
        default="auto",
        help="where lines are parsed: a thread of this process, or a worker process so that "
        "parsing and writing use two cores (auto: a worker for files of 64 MB and more)",
    )

    run = sub.add_parser(
        "run",
        help="watch the feeds and publish digests",
        description="Poll every watched feed at its interval and publish the digest of what "
        "is new to every destination. With --once: poll each feed once, publish, exit.",
    )
    run.add_argument("--once", action="store_true", help="one poll and one digest, then exit")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s level=%(levelname)s logger=%(name)s %(message)s",
        stream=sys.stderr,
    )
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"shortbot: {exc}", file=sys.stderr)
        return EXIT_CANNOT_START
    configure_logging(settings)  # the log format, and secrets never printed
    if not args.verbose:
        logging.getLogger().setLevel(settings.log_level.upper())
        logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        return asyncio.run(_dispatch(args, settings))
    except KeyboardInterrupt:
        print("shortbot: interrupted", file=sys.stderr)
        return 130
    except (DatabaseError, SQLAlchemyError, OSError) as exc:
        where = describe_url(settings.database)
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        log.debug("database error", exc_info=True)
        print(f"shortbot: cannot use the database {where}: {reason}", file=sys.stderr)
        return EXIT_CANNOT_START
    except Exception:
        error_id = uuid.uuid4().hex[:8]
        log.exception("internal error error_id=%s", error_id)
        print(
            f"shortbot: internal error (id {error_id}); the log above has the details",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "db" and args.db_command in ("backup", "restore"):
        from bot import backup_cli

        if args.db_command == "backup":
            return await backup_cli.run_backup(settings, args.path, force=args.force)
        return await backup_cli.run_restore(settings, args.path)
    if args.command == "db":
        async with open_app(settings, migrate=False) as app:
            from storage.db import upgrade

            before, after = await upgrade(app.store.engine)
            where = describe_url(settings.database)
            if before == after:
                print(f"{where}: already at revision {after} (head {head_revision()})")
            else:
                print(f"{where}: migrated from {before or 'empty'} to {after}")
        return EXIT_OK
    async with open_app(settings) as app:
        if args.command == "ingest":
            return await _ingest(app, args.sources, FeedKind(args.kind) if args.kind else None)
        if args.command == "import":
            from bot.import_cli import import_arxiv_metadata

            parse_process = {"auto": None, "thread": False, "process": True}[args.parser]
            return await import_arxiv_metadata(
                app,
                args.file,
                batch_size=args.batch_size,
                stop_after=args.stop_after,
                parse_process=parse_process,
            )
        if args.command == "lookup":
            return await _lookup(app, " ".join(args.query), as_json=args.json)
        if args.command == "run":
            return await _run_observed(app, once=args.once)
        if args.command == "status":
            from bot.status_cli import status

            return await status(app, as_json=args.json)
        if args.command == "feeds":
            return await _feeds(app, args)
        if args.command == "discord":
            return await _discord_sync(app)
        if args.command in ("digest", "deliveries", "destinations"):
            return await _digests(app, args)
        if args.command == "schedule":
            from bot.schedule_cli import schedule_command

            return await schedule_command(app, args)
    raise AssertionError(f"unhandled command {args.command}")


async def _run_observed(app: App, *, once: bool) -> int:
    """``run``, with the health endpoint (bot.health) served beside it, but not for --once.
    When it cannot listen, the log says why and the bot runs without it."""
    if once or not app.settings.health.enabled:
        return await _run(app, once=once)
    from contextlib import AsyncExitStack

    from bot.health import HealthServerError, serve_health

    async with AsyncExitStack() as stack:
        try:
            await stack.enter_async_context(serve_health(app))
        except HealthServerError as exc:
            log.error("health endpoint not served reason=%s", exc)
        return await _run(app, once=False)


async def _digests(app: App, args: argparse.Namespace) -> int:
    from bot import digest_cli

    if args.command == "digest":
        return await digest_cli.digest(
            app, destination=args.destination, dry_run=args.dry_run, as_json=args.json
        )
    if args.command == "destinations":
        return await digest_cli.enable(app, args.name)
    if args.action:
        if len(args.action) != 2 or args.action[0] != "retry" or not args.action[1].isdigit():
            print("shortbot: usage: shortbot deliveries retry ID", file=sys.stderr)
            return EXIT_USAGE
        return await digest_cli.retry(app, int(args.action[1]))
    return await digest_cli.deliveries(
        app, failed=args.failed, destination=args.destination, as_json=args.json
    )


async def _feeds(app: App, args: argparse.Namespace) -> int:
    from bot import feeds_cli

    if args.feeds_command == "add":
        return await feeds_cli.add(
            app,
            args.url,
            interval=args.interval,
            name=args.name,
            backfill=args.backfill,
            kind=FeedKind(args.kind) if args.kind else None,
        )
    if args.feeds_command == "list":
        return await feeds_cli.list_feeds(app, as_json=args.json)
    return await feeds_cli.change(app, args.feeds_command, args.feed)


async def _ingest(app: App, sources: list[str], kind: FeedKind | None) -> int:
    failed = 0
    for source in sources:
        try:
            body, _, _ = await read_feed(app, source)
            # no validators were sent, so the body is never None (304)
            parsed = await asyncio.to_thread(parse_feed, body or b"", source, kind=kind)
        except (FetchError, FeedParseError) as exc:
            failed += 1
            reason = exc.reason if isinstance(exc, FetchError) else str(exc)
            print(f"shortbot: {source}: cannot read: {reason}", file=sys.stderr)
            continue
        report = await ingest(app.store, parsed, source, announce=True, now=app.clock())
        print(f"{source}: {describe_report(report)}")
        for warning in report.warnings:
            print(f"  warning: {warning}", file=sys.stderr)
    completed = await complete_metadata(app)
    if completed:
        print(f"arXiv metadata: {completed} papers completed")
    return EXIT_NOT_FOUND if failed else EXIT_OK


def paper_json(found: PaperWithSummaries) -> dict[str, Any]:
    """The ``lookup --json`` object (a contract: keep the keys)."""
    paper = found.paper
    return {
        "paper": {
            "key": paper.key,
            "arxiv_id": paper.arxiv_id,
            "title": paper.title,
            "authors": list(paper.authors),
            "url": paper.url,
        },
        "summaries": [
            {
                "author": s.author,
                "url": s.url,
                "votes": s.votes,
                "published": s.published.isoformat() if s.published else None,
                "edited": s.edited.isoformat() if s.edited else None,
                "source": s.source,
                "text": s.text,
            }
            for s in found.summaries
        ],
    }


async def _lookup(app: App, query: str, *, as_json: bool) -> int:
    """The same use case as ``!summary``: an unknown arXiv id is fetched from arXiv."""
    try:
        outcome = await lookup_or_fetch(
            app.store,
            app.metadata,
            query,
            now=app.clock(),
            offline_reason=app.settings.arxiv_off_reason,
        )
    except UnusableQuery as exc:
        if as_json:
            print(json.dumps({"paper": None, "summaries": [], "error": exc.reason}))
        print(f"shortbot: unusable query: {exc.reason}", file=sys.stderr)
        return EXIT_USAGE
    except Unavailable as exc:
        if as_json:
            print(json.dumps({"paper": None, "summaries": [], "error": str(exc)}))
        print(f"shortbot: {exc}", file=sys.stderr)
        return EXIT_NOT_FOUND
    if not isinstance(outcome, Found):
        if as_json:
            print(json.dumps({"paper": None, "summaries": [], "error": outcome.message}))
        print(f"shortbot: {outcome.message}", file=sys.stderr)
        return EXIT_NOT_FOUND
    if as_json:
        body = paper_json(outcome.match)
        if outcome.others:
            body["others"] = [{"key": p.key, "title": p.title} for p in outcome.others]
        print(json.dumps(body, ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(console_paper(outcome.match))
        if outcome.others:
            print("\nOther papers matching these words:")
            for paper in outcome.others:
                print(f"  - {paper.title} ({paper.key})")
    return EXIT_OK


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
    from bot.delivery import deliver_all

    reports = await deliver_all(app)
    if not any(r.sent or r.failed or r.pending for r in reports):
        print("Nothing new since the last digest.")
    return EXIT_OK


async def _run(app: App, *, once: bool) -> int:
    if once:
        return await run_once(app)
    from bot.service import CannotLead, install_stop_signals, run_service

    stop = asyncio.Event()
    install_stop_signals(stop)
    log.info("running; stop with SIGTERM or Ctrl-C")

    async def loop() -> None:
        await run_service(app, stop)

    try:
        if app.settings.discord.token is None:
            await loop()
            return EXIT_OK
        from bot.discord.runner import DiscordLoginError, run_with_discord

        try:
            await run_with_discord(app, loop)
        except DiscordLoginError as exc:
            print(f"shortbot: {exc}", file=sys.stderr)
            return EXIT_CANNOT_START
    except CannotLead as exc:
        print(f"shortbot: {exc}", file=sys.stderr)
        return EXIT_CANNOT_START
    return EXIT_OK


async def _discord_sync(app: App) -> int:
    import aiohttp

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
