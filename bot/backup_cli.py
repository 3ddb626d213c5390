"""``shortbot db backup PATH`` and ``shortbot db restore PATH`` (SQLite).

Exit codes: 0 done; 1 refused, nothing changed (no such file, not a SQLite database, not
shortbot's, a newer schema, the target exists without --force, the database in use); 2 the
database is PostgreSQL (pg_dump / pg_restore, see the README) or the request is unusable.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.settings import Settings
from storage.backup import BackupError, backup, restore, sqlite_path
from storage.db import describe_url

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2

POSTGRES_ROUTE = (
    "is not SQLite: `shortbot db {action}` copies SQLite files only. For PostgreSQL use "
    "pg_dump / pg_restore (README, section Deploy → Backups), e.g. "
    "`pg_dump --format=custom --file=shortbot.dump DBNAME`."
)


async def run_backup(settings: Settings, target: str, *, force: bool) -> int:
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


async def run_restore(settings: Settings, source: str) -> int:
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
