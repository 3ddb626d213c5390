"""Storage and lookup, run against a SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, func, insert, select
from sqlalchemy.exc import IntegrityError

from papers.ids import UnusableQuery
from papers.keys import item_key
from papers.ledger import Intent
from papers.model import UpsertResult
from papers.publishing import Post, Sent
from papers.usecases import Found, NotFound, ingest_parsed, latest, lookup, next_digest
from sources.parse import parse_feed
from storage.db import create_engine, head_revision, upgrade
from storage.ledger import Ledger
from storage.repository import Store
from storage.tables import deliveries, metadata, papers, summaries

FIXTURES = Path(__file__).parents[1] / "fixtures"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def sample():
    return parse_feed((FIXTURES / "shortscience-rss.xml").read_bytes(), "sample.xml")


async def send(
    store: Store, destination: str, summary_ids: list[int], *, key: str = "post"
) -> list[str]:
    """Record the summaries as sent to ``destination`` in one post, as delivery does (intent,
    then sent); the ledger's refusals (items it holds already)."""
    ledger = Ledger(store.engine)
    post = Post(key, tuple(item_key(i) for i in summary_ids), {})
    errors = await ledger.record_intents(destination, [Intent(post, 0, None)], NOW)
    if not errors:
        await ledger.mark_sent(destination, key, Sent("1"), NOW)
    return errors


async def test_migrations_reach_head_and_are_idempotent(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        before, after = await upgrade(engine)
        assert before is None
        assert after == head_revision()
        assert await upgrade(engine) == (after, after)
    finally:
        await engine.dispose()


async def test_ingest_twice_changes_nothing(store: Store, sample) -> None:
    first = await ingest_parsed(store, sample, "sample.xml", announce=True, now=NOW)
    assert (first.new, first.updated, first.unchanged) == (12, 0, 0)
    second = await ingest_parsed(store, sample, "sample.xml", announce=True, now=NOW)
    assert (second.new, second.updated, second.unchanged) == (0, 0, 12)
    async with store.engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(summaries))).scalar() == 12
        assert (await conn.execute(select(func.count()).select_from(papers))).scalar() == 11


async def test_lookup_shows_both_summaries_best_voted_first(store: Store, sample) -> None:
    await ingest_parsed(store, sample, "sample.xml", announce=True, now=NOW)
    for query in (
        "https://arxiv.org/pdf/1312.6199v4.pdf",
        "1312.6199",
        "arXiv:1312.6199v1",
        "journals/corr/SzegedyZSBEGF13",
        "<https://arxiv.org/abs/1312.6199v2>",
    ):
        outcome = await lookup(store, query)
        assert isinstance(outcome, Found), query
        paper = outcome.match.paper
        assert (paper.key, paper.arxiv_id) == ("1312.6199", "1312.6199")
        assert paper.title == "Intriguing properties of neural networks"
        assert [s.author for s in outcome.match.summaries] == ["Reader Three", "Reader Ten"]
        assert [s.votes for s in outcome.match.summaries] == [5, 2]


async def test_papers_not_on_arxiv(store: Store, sample) -> None:
    await ingest_parsed(store, sample, "sample.xml", announce=True, now=NOW)
    nips = await lookup(store, "conf/nips/LeeS00")
    assert isinstance(nips, Found)
    assert nips.match.paper.arxiv_id is None
    assert nips.match.paper.title == "Algorithms for Non-negative Matrix Factorization"
    biorxiv = await lookup(store, "https://doi.org/10.1101/262501")
    assert isinstance(biorxiv, Found)
    assert biorxiv.match.paper.key == "10.1101/262501"
    by_title = await lookup(store, "non-negative matrix factorization")
    assert isinstance(by_title, Found)
    assert by_title.match.paper.key == "conf/nips/LeeS00"


async def test_title_words_rank_and_list_others(store: Store, sample) -> None:
    await ingest_parsed(store, sample, "sample.xml", announce=True, now=NOW)
    outcome = await lookup(store, "neural networks")
    assert isinstance(outcome, Found)
    titles = [outcome.match.paper.title, *(p.title for p in outcome.others)]
    assert all("neural network" in t.lower() for t in titles)
    assert len(titles) >= 3
    # the shortest title holding every word first
    assert titles[0] == "Self-Normalizing Neural Networks"
    assert [len(t) for t in titles] == sorted(len(t) for t in titles)


async def test_not_found_and_unusable(store: Store, sample) -> None:
    await ingest_parsed(store, sample, "sample.xml", announce=True, now=NOW)
    assert isinstance(await lookup(store, "2401.12345"), NotFound)
    assert isinstance(await lookup(store, "conf/icml/Nobody99"), NotFound)
    assert isinstance(await lookup(store, "quantum gravity bananas"), NotFound)
    for hostile in ("'; DROP TABLE papers; --", "qqq%zzz_vvv", "100% net_work", "* AND OR", "ural"):
        assert isinstance(await lookup(store, hostile), NotFound), hostile
    for unusable in ("x" * 5000, "%", "_", "\\", "   ", "\x00\u200b"):
        with pytest.raises(UnusableQuery):
            await lookup(store, unusable)
    assert await store.count_papers() == 11  # nothing was dropped


async def test_edit_updates_in_place_and_is_not_announced_again(store: Store, sample) -> None:
    await ingest_parsed(store, sample, "sample.xml", announce=True, now=NOW)
    digest = await next_digest(store, "console", 50)
    assert await send(store, "console", [i.summary.id for i in digest.items]) == []
    original = sample.summaries[2]
    edited = replace(
        original,
        text="An edited summary.",
        votes=9,
        published=original.published + timedelta(days=3),
    )
    later = NOW + timedelta(hours=1)
    (result,) = await store.save_summaries([edited], announce=True, now=later)
    assert result is UpsertResult.UPDATED
    outcome = await lookup(store, "1312.6199")
    assert isinstance(outcome, Found)
    assert len(outcome.match.summaries) == 2
    top = outcome.match.summaries[0]
    assert (top.text, top.votes) == ("An edited summary.", 9)
    assert top.published == original.published
    assert top.edited == edited.published
    assert top.first_seen == NOW
    assert (await next_digest(store, "console", 50)).empty


async def test_digest_order_cap_and_ledger(store: Store, sample) -> None:
    await ingest_parsed(store, sample, "sample.xml", announce=True, now=NOW)
    digest = await next_digest(store, "console", 5)
    assert len(digest.items) == 5
    assert digest.more == 7
    votes = [i.summary.votes for i in digest.items]
    assert votes == sorted(votes, reverse=True)
    assert digest.items[0].papers[0].key == "1512.03385"  # 6 votes, the best
    ids = [i.summary.id for i in digest.items]
    assert await send(store, "console", ids) == []
    assert len(await send(store, "console", ids, key="again")) == 1  # the ledger refuses it
    rest = await next_digest(store, "console", 50)
    assert len(rest.items) == 7
    assert not set(ids) & {i.summary.id for i in rest.items}
    # another destination has its own ledger
    assert len((await next_digest(store, "elsewhere", 50)).items) == 12


async def test_ledger_refuses_a_second_send_at_the_database_level(store: Store, sample) -> None:
    await ingest_parsed(store, sample, "sample.xml", announce=True, now=NOW)
    digest = await next_digest(store, "console", 1)
    row = {
        "destination": "console",
        "item_key": f"summary:{digest.items[0].summary.id}",
        "status": "sent",
        "created_at": NOW,
    }
    async with store.engine.begin() as conn:
        await conn.execute(insert(deliveries).values(**row))
    with pytest.raises(IntegrityError):
        async with store.engine.begin() as conn:
            await conn.execute(insert(deliveries).values(**row))


async def test_seeded_entries_are_not_announced(store: Store, sample) -> None:
    await ingest_parsed(store, sample, "sample.xml", announce=False, now=NOW)
    assert (await next_digest(store, "console", 50)).empty
    assert isinstance(await lookup(store, "1512.03385"), Found)


async def test_times_come_back_aware_utc(store: Store, sample) -> None:
    await ingest_parsed(store, sample, "sample.xml", announce=True, now=NOW)
    outcome = await lookup(store, "1512.03385")
    assert isinstance(outcome, Found)
    summary = outcome.match.summaries[0]
    assert summary.published == datetime(2016, 11, 30, 7, 10, tzinfo=UTC)
    assert summary.first_seen == NOW
    assert summary.published.utcoffset() == timedelta(0)


async def test_arxiv_paper_known_first_by_key_gets_its_id_later(store: Store) -> None:
    from papers.model import IncomingPaper, IncomingSummary

    def entry(guid: str, paper: IncomingPaper) -> IncomingSummary:
        return IncomingSummary(
            guid=guid,
            source="s",
            author="a",
            url=None,
            votes=1,
            text="t",
            published=NOW,
            papers=(paper,),
        )

    await store.save_summaries(
        [entry("g1", IncomingPaper(title="ResNet", bibtex_key="journals/corr/HeZRS15"))],
        announce=True,
        now=NOW,
    )
    await store.save_summaries(
        [
            entry(
                "g2",
                IncomingPaper(
                    title="ResNet",
                    arxiv_id="1512.03385",
                    arxiv_version=3,
                    bibtex_key="journals/corr/HeZRS15",
                ),
            )
        ],
        announce=True,
        now=NOW,
    )
    assert await store.count_papers() == 1
    outcome = await lookup(store, "1512.03385")
    assert isinstance(outcome, Found)
    assert outcome.match.paper.key == "1512.03385"
    assert len(outcome.match.summaries) == 2


async def test_migrated_schema_matches_the_tables(database_url: str) -> None:
    """What the migrations build is what storage/tables.py declares (columns, indexes)."""
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"include_object": _declared}),
                    metadata,
                )
            )
    finally:
        await engine.dispose()
    assert diff == []


def _declared(obj: object, name: str | None, kind: str, reflected: bool, _other: object) -> bool:
    """Leave out the full-text search the migrations add beside the tables (storage/search.py):
    SQLite's FTS5 tables and their shadow tables and its index of titles by id, PostgreSQL's
    ``search`` and ``head`` columns and their indexes."""
    if kind == "table" and (name or "").startswith(("papers_fts", "papers_head")):
        return False
    search_only = ("search", "head", "ix_papers_search", "ix_papers_head", "ix_papers_title_by_id")
    return not (kind in ("column", "index") and name in search_only)


async def test_latest_gives_each_summary_its_first_paper(store: Store, sample) -> None:
    await ingest_parsed(store, sample, "sample.xml", announce=True, now=NOW)
    items = await latest(store, 20)
    assert len(items) == 12  # every summary, once
    for summary, paper in items:
        assert paper is not None and paper.key == summary.paper_keys[0]
    order = [(s.first_seen, s.id) for s, _ in items]
    assert order == sorted(order, reverse=True)
    assert [s.id for s, _ in await latest(store, 3)] == [s.id for s, _ in items[:3]]


async def test_sqlite_connections_are_kept_between_bursts(tmp_path: Path) -> None:
    """Under load SQLite connections are reused, not opened and closed per burst (a new one
    starts with an empty page cache and parses the schema again)."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'pool.db'}")
    opened = 0

    def count(*_: object) -> None:
        nonlocal opened
        opened += 1

    event.listen(engine.sync_engine, "connect", count)
    try:
        await upgrade(engine)
        store = Store(engine)

        async def burst() -> None:
            await asyncio.gather(*(store.latest_summaries(5) for _ in range(12)))

        await burst()
        after_first = opened
        for _ in range(3):
            await burst()
    finally:
        await engine.dispose()
    assert 1 < after_first <= 12
    assert opened == after_first
