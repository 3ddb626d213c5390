"""Who may do what at once: one delivery per destination, one scheduler per database.

* ``destination_lock``: a digest for one destination is delivered by one task at a time, in
  this process (an asyncio lock) and, on PostgreSQL, across processes (a session advisory lock
  on a connection held for the delivery). Two deliveries at once could both send a post the
  other left pending; with the lock the second one skips the destination for this round.
* ``Leadership``: exactly one process runs the scheduled jobs. PostgreSQL: a session advisory
  lock on a dedicated connection (released by the server when that connection or process
  dies, so a follower takes over at its next try). SQLite: an exclusive ``flock`` on a file
  beside the database; a second process is refused with a clear message.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.app import App

log = logging.getLogger(__name__)

LEADER_KEY = "shortbot:scheduler"


def advisory_key(name: str) -> int:
    """A signed 64-bit key for ``pg_advisory_lock`` from a name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def is_postgresql(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "postgresql"


@contextlib.asynccontextmanager
async def destination_lock(app: App, name: str) -> AsyncIterator[bool]:
    """Hold the right to deliver ``name``'s digest; yields False when another task or
    process holds it (the caller skips the destination this round)."""
    lock = app.locks.setdefault(name, asyncio.Lock())
    if lock.locked():
        yield False
        return
    async with lock:
        if not is_postgresql(app.store.engine):
            yield True  # SQLite: one process (the scheduler lock makes sure)
            return
        key = advisory_key(f"shortbot:deliver:{name}")
        async with app.store.engine.connect() as conn:
            got = bool(await conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}))
            try:
                yield got
            finally:
                if got:
                    with contextlib.suppress(DBAPIError, OSError):
                        await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                await conn.rollback()


class CannotLead(Exception):
    """This process must not run the scheduler; the message says why (and what to do)."""


class Leadership(Protocol):
    async def acquire(self) -> bool:
        """Try to become the leader; True when this process is (or already was)."""

    async def held(self) -> bool:
        """Whether the leadership is still held (False after the connection was lost)."""

    async def release(self) -> None: ...


class PostgresLeadership:
    """A session advisory lock on a connection of its own, kept open while leading."""

    def __init__(self, engine: AsyncEngine, key: str = LEADER_KEY) -> None:
        self.engine = engine
        self.key = advisory_key(key)
        self._conn: AsyncConnection | None = None

    async def acquire(self) -> bool:
        if self._conn is not None:
            return await self.held()
        conn = await self.engine.connect()
        try:
            got = bool(await conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}))
            await conn.commit()
        except (DBAPIError, OSError) as exc:
            log.warning("leader election failed reason=%s", type(exc).__name__)
            await _close_quietly(conn)
            return False
        if not got:
            await _close_quietly(conn)
            return False
        self._conn = conn
        return True

    async def held(self) -> bool:
        conn = self._conn
        if conn is None:
            return False
        try:
            async with asyncio.timeout(10):
                await conn.scalar(text("SELECT 1"))
                await conn.commit()
            return True
        except (DBAPIError, OperationalError, OSError, TimeoutError):
            self._conn = None
            await _close_quietly(conn)
            return False

    async def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        with contextlib.suppress(DBAPIError, OSError):
            await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
        await _close_quietly(conn)


async def _close_quietly(conn: AsyncConnection) -> None:
    with contextlib.suppress(Exception):
        await conn.close()


class SqliteLeadership:
    """An exclusive lock on ``<database>.scheduler.lock`` (held until the process ends)."""

    def __init__(self, database_file: Path) -> None:
        self.database = database_file
        self.path = database_file.with_name(database_file.name + ".scheduler.lock")
        self._file: IO[str] | None = None

    async def acquire(self) -> bool:
        if self._file is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise CannotLead(
                f"another shortbot process (pid {holder}) runs the scheduler for "
                f"{self.database}: SQLite allows one process; stop "
                "it first, or use PostgreSQL to run several"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle
        return True

    async def held(self) -> bool:
        return self._file is not None

    async def release(self) -> None:
        handle, self._file = self._file, None
        if handle is not None:
            with contextlib.suppress(OSError):
                handle.truncate(0)
            handle.close()  # closing drops the flock


class MemoryLeadership:
    """An in-memory SQLite database: nothing to share, this process leads."""

    async def acquire(self) -> bool:
        return True

    async def held(self) -> bool:
        return True

    async def release(self) -> None:
        return None


def leadership_for(engine: AsyncEngine) -> Leadership:
    if is_postgresql(engine):
        return PostgresLeadership(engine)
    database = make_url(str(engine.url)).database
    if not database or database == ":memory:":
        return MemoryLeadership()
    return SqliteLeadership(Path(database).resolve())
