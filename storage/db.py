"""Engine creation and schema migrations.

SQLite gets WAL, a busy timeout and foreign keys on every connection; PostgreSQL goes through
asyncpg. Migrations are Alembic's, run programmatically on an open connection.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage import sqlite_onehop

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_POOL_SIZE = 15  # as many as SQLAlchemy's default 5 + 10 overflow, all kept


class DatabaseError(Exception):
    """The database could not be opened or migrated; the message says why."""


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create the async engine for ``url`` (``sqlite+aiosqlite://…`` or ``postgresql+asyncpg://…``)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            # connections kept rather than "overflow" ones opened and closed under load: a new
            # SQLite connection starts with an empty page cache and parses the schema again
            kwargs.setdefault("pool_size", SQLITE_POOL_SIZE)
            kwargs.setdefault("max_overflow", 0)
        kwargs.setdefault("connect_args", {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    sqlite_onehop.install(dbapi_connection)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine) -> tuple[str | None, str | None]:
    """Apply every pending migration. Returns (revision before, revision after)."""

    def _run(connection: Connection) -> tuple[str | None, str | None]:
        before = MigrationContext.configure(connection).get_current_revision()
        command.upgrade(_alembic_config(connection), "head")
        after = MigrationContext.configure(connection).get_current_revision()
        return before, after

    try:
        async with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                # several processes may start at once: one migrates, the others wait for it
                # (a transaction-level lock, released at commit)
                await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
            before, after = await conn.run_sync(_run)
    except OSError as exc:
        raise DatabaseError(f"cannot reach the database: {exc}") from exc
    if before != after:
        log.info("database migrated from=%s to=%s", before, after)
    return before, after


MIGRATION_LOCK = 0x73686F7274626F74  # "shortbot"


def head_revision() -> str | None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def describe_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)
