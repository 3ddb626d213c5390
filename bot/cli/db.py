"""``shortbot db upgrade``, and ``db backup PATH`` / ``db restore PATH`` (SQLite).

Exit codes of backup and restore: 0 done; 1 refused, nothing changed (no such file, not a
SQLite database, not shortbot's, a newer schema, the target exists without --force, the
database in use); 2 the database is PostgreSQL (pg_dump / pg_restore, see the README) or the
request is unusable.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.app import App
from bot.cli.base import EXIT_OK, EXIT_USAGE, command
from bot.settings import Settings
from storage.backup import BackupError, backup, restore, sqlite_path
from storage.db import describe_url, head_revision, upgrade

EXIT_REFUSED = 1


def register(sub: Any) -> None:
    db = sub.add_parser("db", help="database maintenance", description="Database maintenance.")
    actions = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    command(
        actions,
        "upgrade",
        _upgrade,
        opens="app-as-is",
        help="apply pending migrations",
        description="Apply every pending schema migration (also done at every start).",
    )
    saving = command(
        actions,
        "backup",
        _backup,
        opens="settings",
        help="copy the SQLite database to PATH (safe while the bot runs)",
        description="Copy the SQLite database to PATH through SQLite's online backup API: "
        "one consistent snapshot, taken while the bot keeps writing. Exit 0 written, 1 "
        "refused (no database, PATH exists without --force), 2 PostgreSQL (use pg_dump, "
        "see the README).",
    )
    saving.add_argument("path", metavar="PATH", help="the backup file to write")
    saving.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    restoring = command(
        actions,
        "restore",
        _restore,
        opens="settings",
        help="replace the SQLite database by a backup (stop the bot first)",
        description="Check PATH (a SQLite database with shortbot's tables and a schema "
        "revision this version knows), keep the current database as "
        "<db>.before-restore-<timestamp>, put PATH's data in its place and migrate it to "
        "the newest schema. Exit 0 restored, 1 refused and nothing changed (no such file, "
        "not a SQLite database or not shortbot's, newer schema, database in use), 2 "
        "PostgreSQL (use pg_restore, see the README).",
    )
    restoring.add_argument("path", metavar="PATH", help="the backup file to restore")


async def _upgrade(app: App, args: argparse.Namespace) -> int:
    before, after = await upgrade(app.engine)
    where = describe_url(app.settings.database)
    if before == after:
        print(f"{where}: already at revision {after} (head {head_revision()})")
    else:
        print(f"{where}: migrated from {before or 'empty'} to {after}")
    return EXIT_OK


POSTGRES_ROUTE = (
    "is not SQLite: `shortbot db {action}` copies SQLite files only. For PostgreSQL use "
    "pg_dump / pg_restore (README, section Deploy → Backups), e.g. "
    "`pg_dump --format=custom --file=shortbot.dump DBNAME`."
)


async def _backup(settings: Settings, args: argparse.Namespace) -> int:
    target, force = args.path, args.force
    database = _database(settings, "backup")
    if isinstance(database, int):
        return database
    try:
        done = await asyncio.to_thread(backup, database, Path(target), force=force)
    except BackupError as exc:
        return _refused(exc)
    revision = f"schema revision {done.revision}" if done.revision else "no schema yet"
    print(f"Backed up {database} to {done.path} ({_size(done.size)}, {revision}).")
    return EXIT_OK


async def _restore(settings: Settings, args: argparse.Namespace) -> int:
    source = args.path
    database = _database(settings, "restore")
    if isinstance(database, int):
        return database
    try:
        done = await restore(Path(source), database, now=datetime.now(UTC))
    except BackupError as exc:
        return _refused(exc)
    print(f"Restored {database} from {source} (schema revision {done.revision}).")
    if done.upgraded_to != done.revision:
        print(f"Migrated it from {done.revision} to {done.upgraded_to}.")
    if done.kept is not None:
        print(f"The database it replaced is kept as {done.kept}.")
    return EXIT_OK


def _database(settings: Settings, action: str) -> Path | int:
    try:
        path = sqlite_path(settings.database)
    except BackupError as exc:
        return _refused(exc)
    if path is None:
        where = describe_url(settings.database)
        print(f"shortbot: {where} {POSTGRES_ROUTE.format(action=action)}", file=sys.stderr)
        return EXIT_USAGE
    return path


def _refused(exc: BackupError) -> int:
    print(f"shortbot: {exc}", file=sys.stderr)
    return EXIT_USAGE if exc.usage else EXIT_REFUSED


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"
