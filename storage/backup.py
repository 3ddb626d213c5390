"""Backup and restore of a SQLite database (``shortbot db backup`` / ``shortbot db restore``).

A backup goes through SQLite's online backup API: it reads one consistent snapshot (the main
file and whatever the write-ahead log holds) while the bot keeps writing, into a temporary file
next to the target that is renamed into place once complete and checked. The copy is a single
self-contained file (rollback-journal mode; the bot switches it back to WAL when it opens it).

A restore checks the file first (a SQLite database, shortbot's tables, a schema revision this
version knows), copies it next to the database and migrates the copy to head, then keeps the
current database as ``<db>.before-restore-<timestamp>`` and puts the copy in its place. It
refuses while another process has the database open.

PostgreSQL is backed up with ``pg_dump`` / ``pg_restore`` (see the README); these functions take
SQLite files only.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import stat
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from storage.db import MIGRATIONS, SQLITE_BUSY_TIMEOUT_MS, create_engine, upgrade

SQLITE_MAGIC = b"SQLite format 3\x00"
# The tables every shortbot database has had since the first migration.
CORE_TABLES = frozenset({"papers", "paper_aliases", "summaries", "summary_papers", "feeds"})


class BackupError(Exception):
    """A backup or restore was refused or failed; nothing was changed. ``str()`` says why."""

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage  # the request itself is unusable (e.g. the target is a directory)


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    revision: str | None


@dataclass(frozen=True)
class RestoreResult:
    database: Path
    kept: Path | None  # where the database that was replaced now is
    revision: str | None  # the restored file's revision
    upgraded_to: str | None  # its revision after the migrations


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite…://`` URL; None for any other database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(f"{url} is not a SQLite database file", usage=True)
    return Path(database).expanduser()


def known_revisions() -> tuple[set[str], str | None]:
    """Every revision this version's migrations know, and the head."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    return {rev.revision for rev in script.walk_revisions()}, script.get_current_head()


# --------------------------------------------------------------------------- backup


def backup(database: Path, target: Path, *, force: bool = False) -> BackupResult:
    """Copy ``database`` (possibly in use) to ``target`` consistently. Raises BackupError."""
    if not database.is_file():
        raise BackupError(f"there is no database at {database} to back up")
    _check_magic(database)
    if target.is_dir():
        raise BackupError(f"{target} is a directory; give the backup's file name", usage=True)
    if target.exists() and _same_file(database, target):
        raise BackupError(f"{target} is the database itself", usage=True)
    if target.exists() and not force:
        raise BackupError(f"{target} already exists; use --force to overwrite it")
    if not target.parent.is_dir():
        raise BackupError(f"the directory {target.parent} does not exist")

    temp = _temp_name(target)
    try:
        try:
            with _connect(database) as source, _connect(temp) as copy:
                # One step: the whole database in a single read transaction, i.e. one
                # consistent snapshot including the WAL; the bot's writers are not blocked.
                source.backup(copy, pages=-1)
                _single_file(copy)
                _quick_check(copy, database)
                revision = _revision(copy)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"cannot back up {database}: {exc}") from None
        with contextlib.suppress(OSError):
            os.chmod(temp, stat.S_IMODE(database.stat().st_mode))
        _fsync(temp)
        _publish(temp, target, force=force)
    finally:
        _remove(temp)
    _fsync_dir(target.parent)
    return BackupResult(target, target.stat().st_size, revision)


def _publish(temp: Path, target: Path, *, force: bool) -> None:
    if force:
        os.replace(temp, target)
        return
    try:
        os.link(temp, target)  # fails if the target appeared meanwhile: never overwritten
    except FileExistsError:
        raise BackupError(f"{target} already exists; use --force to overwrite it") from None
    except OSError:  # a file system without hard links
        if target.exists():
            raise BackupError(f"{target} already exists; use --force to overwrite it") from None
        os.replace(temp, target)
    else:
        temp.unlink()


# --------------------------------------------------------------------------- restore


async def restore(source: Path, database: Path, *, now: datetime) -> RestoreResult:
    """Replace ``database`` by the backup ``source``, migrated to head. Raises BackupError.

    Nothing changes unless every check passes; the replaced database is kept beside it.
    """
    staging = _temp_name(database)
    try:
        revision = await asyncio.to_thread(_stage, source, database, staging)
        engine = create_engine(f"sqlite+aiosqlite:///{staging}")
        try:
            _, upgraded_to = await upgrade(engine)
        finally:
            await engine.dispose()
        kept = await asyncio.to_thread(_finish, staging, database, now)
    finally:
        await asyncio.to_thread(_remove, staging)
    return RestoreResult(database, kept, revision, upgraded_to)


def _stage(source: Path, database: Path, staging: Path) -> str:
    """Check ``source`` and copy it to ``staging``; its schema revision."""
    if not source.exists():
        raise BackupError(f"{source} does not exist")
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    if database.exists() and _same_file(source, database):
        raise BackupError(f"{source} is the database itself", usage=True)
    _check_magic(source)
    known, head = known_revisions()
    database.parent.mkdir(parents=True, exist_ok=True)
    # The backup file is opened read-only and left as it is, unless a write-ahead log lies
    # beside it (a copy of a live database): then it is opened as SQLite always would, which
    # folds the log into it.
    read_only = not source.with_name(source.name + "-wal").exists()
    try:
        with _connect(source, read_only=read_only) as origin, _connect(staging) as copy:
            origin.backup(copy, pages=-1)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} is not a usable SQLite database: {exc}") from None
    with _connect(staging) as copy:
        revision = _check_shortbot(copy, source, known, head)
        _quick_check(copy, source)
    return revision


def _finish(staging: Path, database: Path, now: datetime) -> Path | None:
    with _connect(staging) as copy:
        _single_file(copy)
    _fsync(staging)
    kept = _swap(staging, database, now)
    _fsync_dir(database.parent)
    return kept


def _check_shortbot(
    connection: sqlite3.Connection, source: Path, known: set[str], head: str | None
) -> str:
    tables = {
        row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    missing = CORE_TABLES - tables
    if missing or "alembic_version" not in tables:
        raise BackupError(
            f"{source} is a SQLite database but not shortbot's "
            f"(missing tables: {', '.join(sorted(missing | ({'alembic_version'} - tables)))})"
        )
    revisions = [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]
    if len(revisions) != 1:
        raise BackupError(f"{source} has no single schema revision ({len(revisions)} found)")
    revision = str(revisions[0])
    if revision not in known:
        raise BackupError(
            f"{source} has schema revision {revision}, newer than this shortbot knows "
            f"(its newest is {head}): upgrade shortbot, then restore it"
        )
    return revision


def _swap(staging: Path, database: Path, now: datetime) -> Path | None:
    """Keep the current database beside it and put ``staging`` in its place."""
    if not database.exists():
        os.replace(staging, database)
        return None
    stamp = f"{now:%Y%m%dT%H%M%SZ}"
    kept = database.with_name(f"{database.name}.before-restore-{stamp}")
    counter = 1
    while kept.exists():
        kept = database.with_name(f"{database.name}.before-restore-{stamp}-{counter}")
        counter += 1
    current = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        try:
            # Leaving WAL mode folds the log into the file and needs the only connection:
            # if the bot (or anything else) has the database open, this fails.
            current.execute("PRAGMA journal_mode=DELETE").fetchone()
            current.execute("BEGIN EXCLUSIVE")  # nobody opens it until the swap is done
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise BackupError(
                    f"{database} is in use (is shortbot running?); stop it, then restore"
                ) from None
            # a damaged database is what a restore is for: it is kept aside as it is
        except sqlite3.DatabaseError:
            pass
        os.rename(database, kept)
        # a log left beside the old file goes with it: never pair it with the new one
        for suffix in ("-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.rename(
                    database.with_name(database.name + suffix), kept.with_name(kept.name + suffix)
                )
        os.replace(staging, database)
    finally:
        current.close()
    return kept


# --------------------------------------------------------------------------- helpers


@contextlib.contextmanager
def _connect(path: Path, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    if read_only:  # immutable: no -shm / -wal is created beside the file
        connection = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro&immutable=1",
            uri=True,
            timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
        )
    else:
        connection = sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        yield connection
    finally:
        connection.close()


def _temp_name(beside: Path) -> Path:
    """A fresh hidden file name in ``beside``'s directory."""
    return beside.with_name(f".{beside.name}.tmp-{uuid.uuid4().hex[:12]}")


def _remove(temp: Path) -> None:
    """Remove ``temp`` and any journal SQLite left beside it."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            temp.with_name(temp.name + suffix).unlink()


def _check_magic(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror}") from None
    if header != SQLITE_MAGIC:
        raise BackupError(f"{path} is not a SQLite database")


def _single_file(connection: sqlite3.Connection) -> None:
    connection.execute("PRAGMA journal_mode=DELETE")


def _quick_check(connection: sqlite3.Connection, name: Path) -> None:
    result = connection.execute("PRAGMA quick_check").fetchall()
    if result != [("ok",)]:
        problem = "; ".join(str(row[0]) for row in result[:3])
        raise BackupError(f"{name} fails SQLite's integrity check: {problem}")


def _revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    return str(row[0]) if row else None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
