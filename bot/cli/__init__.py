"""The ``shortbot`` command line: each command is a module of this package that registers its
parser and its handler (``bot.cli.base``); ``main`` parses, opens what the handler needs and
turns what escapes into an exit code.

Exit codes: 0 success; 1 not found / a source could not be read; 2 unusable input (bad query,
bad arguments); 3 shortbot cannot start (configuration or database); 4 internal error.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import uuid
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError

from bot.app import open_app
from bot.cli import db, digests, feeds, imports, papers, run, schedule, status
from bot.cli.base import EXIT_CANNOT_START, EXIT_INTERNAL
from bot.logs import configure_logging
from bot.settings import ConfigError, Settings, load_settings
from storage.db import DatabaseError, describe_url

log = logging.getLogger("shortbot")

# in the order `shortbot --help` lists them
REGISTER = (
    papers.register,
    db.register,
    feeds.register,
    digests.register,
    schedule.register,
    run.register_discord,
    status.register,
    imports.register,
    run.register,
)


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
    for register in REGISTER:
        register(sub)
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
    if args.opens == "settings":
        return int(await args.handler(settings, args))
    async with open_app(settings, migrate=args.opens == "app") as app:
        return int(await args.handler(app, args))


__all__ = ["build_parser", "main"]
