"""SQLAlchemy's aiosqlite statements in one hop to the connection's thread instead of four.

aiosqlite runs each call on the connection's own thread: the event loop queues the call, the
thread wakes, runs it and wakes the loop back (about 30 µs of CPU each way on this kind of
machine, more under load as the two threads trade the GIL). SQLAlchemy's adapter makes four
such calls per statement (open a cursor, execute, fetch every row, close the cursor); the
cursor below makes one, which runs all four on the thread. Under 100 commands a second the
hops were a third of the event loop's time (see BENCHMARKS.md, "CPU per command").

Everything else is SQLAlchemy's adapter as it is (connections, transactions, errors, server
side cursors); the rows, the description, the row count and the last row id are those the
sqlite3 cursor gave. It relies on aiosqlite's ``Connection._execute`` (run a function on the
connection's thread) and ``Connection._conn`` (its sqlite3 connection): ``install`` checks
they are there and leaves the adapter alone if an upgrade took them away.
"""

from __future__ import annotations

import collections
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
)


class _Done:
    """What a statement left on its sqlite3 cursor, read on the connection's thread."""

    __slots__ = ("arraysize", "description", "lastrowid", "rowcount")

    def __init__(self, description: Any = None, rowcount: int = -1, lastrowid: Any = None):
        self.description = description
        self.rowcount = rowcount
        self.lastrowid = lastrowid
        self.arraysize = 1

    def close(self) -> None:
        """The sqlite3 cursor was closed on the thread already."""


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()
    _awaitable_cursor_close = False  # nothing left open to close

    def _make_new_cursor(self, connection: Any) -> Any:
        return _Done()

    def _aenter_cursor(self, cursor: Any) -> Any:
        return cursor

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        driver = self._connection
        raw = driver._conn

        def run() -> tuple[_Done, list[Any] | None]:
            cursor = raw.cursor()
            try:
                cursor.execute(operation, () if parameters is None else parameters)
                rows = cursor.fetchall() if cursor.description else None
                return _Done(cursor.description, cursor.rowcount, cursor.lastrowid), rows
            finally:
                cursor.close()

        async with self._adapt_connection._execute_mutex:
            done, rows = await driver._execute(run)
        self._cursor = done
        if rows is not None:
            self._rows = collections.deque(rows)
        return None

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        driver = self._connection
        raw = driver._conn

        def run() -> _Done:
            cursor = raw.cursor()
            try:
                cursor.executemany(operation, seq_of_parameters)
                return _Done(cursor.description, cursor.rowcount, cursor.lastrowid)
            finally:
                cursor.close()

        async with self._adapt_connection._execute_mutex:
            self._cursor = await driver._execute(run)
        return None


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneHopCursor


def install(dbapi_connection: Any) -> bool:
    """Make a freshly opened aiosqlite connection's cursors one hop each; False (and nothing
    changed) if the connection is not one, or aiosqlite no longer has what this relies on."""
    if type(dbapi_connection) is not AsyncAdapt_aiosqlite_connection:
        return False
    driver = dbapi_connection._connection
    if not (hasattr(driver, "_execute") and hasattr(driver, "_conn")):
        return False
    dbapi_connection.__class__ = OneHopConnection
    return True
