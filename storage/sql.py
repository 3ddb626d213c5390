"""SQL helpers shared by the repositories: the base every repository builds on, the
dialect's ``INSERT … ON CONFLICT`` written once, and the mapping of ``papers`` and
``summaries`` rows to the domain's values."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Row, Table
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from papers.model import Paper, Summary

# The connection of the use case running in this task, if it opened one (``reading``).
_READING: ContextVar[tuple[AsyncEngine, AsyncConnection] | None] = ContextVar(
    "shortbot_reading", default=None
)


class Repository:
    """One aggregate's database access over one engine (SQLite or PostgreSQL).

    Reads go through :meth:`_connection`: the use case's connection when one is open in this
    task (:meth:`reading`), else a connection of their own. So a command that asks several
    questions (a look-up, its summaries, a search, the titles) checks one connection out of
    the pool, in one transaction, instead of one per question (with aiosqlite, each checkout
    and each return is a hop to the connection's thread).
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[None]:
        """One connection and one transaction for every read made in this task until the
        block ends (nested: the outer one serves). Writes keep their own transactions."""
        bound = _READING.get()
        if bound is not None and bound[0] is self.engine:
            yield
            return
        async with self.engine.connect() as conn:
            token = _READING.set((self.engine, conn))
            try:
                yield
            finally:
                _READING.reset(token)

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[AsyncConnection]:
        """The use case's connection (see :meth:`reading`), or one for this read alone."""
        bound = _READING.get()
        if bound is not None and bound[0] is self.engine:
            yield bound[1]
            return
        async with self.engine.connect() as conn:
            yield conn


def upsert_insert(conn: AsyncConnection, table: Table) -> Any:
    """``INSERT`` on ``table`` in ``conn``'s dialect, which offers ``on_conflict_do_nothing``
    and ``on_conflict_do_update`` (PostgreSQL and SQLite spell them alike)."""
    if conn.dialect.name == "postgresql":
        return postgresql_insert(table)
    return sqlite_insert(table)


async def insert_ignore(conn: AsyncConnection, table: Table, values: dict[str, Any]) -> bool:
    """INSERT that does nothing when a unique key already holds the row. True if inserted."""
    statement = upsert_insert(conn, table).values(**values).on_conflict_do_nothing()
    result = await conn.execute(statement)
    return bool(result.rowcount)


def chunks(values: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    """``values`` in slices of ``size`` (bound parameters per IN list stay few)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def new_id(result: Any) -> int:
    """The primary key of the row an ``INSERT`` just added."""
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("the database returned no primary key for an insert")
    return int(key[0])


def paper_value(row: Row[Any]) -> Paper:
    """A ``papers`` row (or a row holding its columns) as a ``Paper``."""
    m = row._mapping
    return Paper(
        key=m["key"],
        title=m["title"],
        arxiv_id=m["arxiv_id"],
        arxiv_version=m["arxiv_version"],
        authors=tuple(m["authors"] or ()),
        abstract=m["abstract"],
        categories=tuple(m["categories"] or ()),
        doi=m["doi"],
        bibtex_key=m["bibtex_key"],
        published=m["published"],
        updated=m["updated"],
        primary_category=m["primary_category"],
        journal_ref=m["journal_ref"],
        comment=m["comment"],
    )


def summary_value(row: Row[Any], paper_keys: tuple[str, ...]) -> Summary:
    """A ``summaries`` row as a ``Summary`` about the papers of ``paper_keys``."""
    m = row._mapping
    return Summary(
        id=m["id"],
        paper_keys=paper_keys,
        guid=m["guid"],
        source=m["source"],
        author=m["author"],
        url=m["url"],
        votes=m["votes"],
        text=m["text"],
        published=m["published"],
        edited=m["edited"],
        first_seen=m["first_seen"],
        title=m["title"],
    )
