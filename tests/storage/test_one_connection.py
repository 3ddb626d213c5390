"""One connection per use case: a command's reads (a look-up, its summaries, a search, the
titles, the newest summaries' papers) check one connection out of the pool, not one per
question. Counted with SQLAlchemy's pool events on a real SQLite file and PostgreSQL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from papers.usecases import latest, lookup, paper_by_key, search, suggest
from storage.repository import Store

FIXTURES = Path(__file__).parents[1] / "fixtures"
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


async def checkouts(store: Store, work: Callable[[], Awaitable[Any]]) -> tuple[int, int, Any]:
    """Pool checkouts and statements while ``work`` runs, and its result."""
    counted = {"checkouts": 0, "statements": 0}
    pool, sync_engine = store.engine.sync_engine.pool, store.engine.sync_engine

    def checkout(*_: Any) -> None:
        counted["checkouts"] += 1

    def statement(*_: Any) -> None:
        counted["statements"] += 1

    event.listen(pool, "checkout", checkout)
    event.listen(sync_engine, "before_cursor_execute", statement)
    try:
        result = await work()
    finally:
        event.remove(pool, "checkout", checkout)
        event.remove(sync_engine, "before_cursor_execute", statement)
    return counted["checkouts"], counted["statements"], result


@pytest.mark.parametrize(
    "name",
    ["lookup by id", "lookup by title words", "search", "latest", "paper by key", "suggest"],
)
async def test_each_use_case_reads_through_one_connection(sampled: Store, name: str) -> None:
    cases: dict[str, Callable[[], Awaitable[Any]]] = {
        "lookup by id": lambda: lookup(sampled, "1312.6199"),
        "lookup by title words": lambda: lookup(sampled, "properties neural networks"),
        "search": lambda: search(sampled, "adversarial networks"),
        "latest": lambda: latest(sampled, 5),
        "paper by key": lambda: paper_by_key(sampled, "1312.6199"),
        "suggest": lambda: suggest(sampled, "deep residual"),
    }
    taken, statements, result = await checkouts(sampled, cases[name])
    assert result  # each found something: the reads really ran
    assert statements >= 2  # several questions …
    assert taken == 1  # … through one connection
