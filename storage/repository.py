"""Every database access of shortbot. Methods take and return domain values from ``papers``."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, String, and_, cast, exists, func, insert, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from papers.keys import PAPER_PREFIX, SUMMARY_PREFIX, item_key
from papers.model import (
    DigestItem,
    Feed,
    FeedKind,
    IncomingPaper,
    IncomingSummary,
    Paper,
    PaperItem,
    PaperWithSummaries,
    Subscription,
    SubscriptionKind,
    Summary,
    UpsertResult,
)
from papers.text import normalize_title
from storage.search import search_ids
from storage.tables import (
    deliveries,
    feeds,
    paper_aliases,
    paper_announcements,
    papers,
    subscriptions,
    summaries,
    summary_papers,
)

log = logging.getLogger(__name__)


def _content_hash(item: IncomingSummary) -> str:
    blob = json.dumps(
        [
            item.author,
            item.url,
            item.votes,
            item.text,
            item.title,
            item.published.isoformat() if item.published else None,
            sorted(p.key or "" for p in item.papers),
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


async def _insert_ignore(conn: AsyncConnection, table: Any, values: dict[str, Any]) -> bool:
    """INSERT that does nothing when a unique key already holds the row. True if inserted."""
    statement: Any
    if conn.dialect.name == "postgresql":
        statement = postgresql_insert(table).values(**values).on_conflict_do_nothing()
    else:
        statement = sqlite_insert(table).values(**values).on_conflict_do_nothing()
    result = await conn.execute(statement)
    return bool(result.rowcount)


def _chunks(values: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    """``values`` in slices of ``size`` (bound parameters per IN list stay few)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _new_paper(item: IncomingPaper, now: datetime) -> dict[str, Any]:
    """The ``papers`` row of a paper seen for the first time."""
    key = item.key
    if key is None:
        raise ValueError("a paper needs an arXiv id, a bibtex key or a DOI")
    return {
        "key": key,
        "arxiv_id": item.arxiv_id,
        "arxiv_version": item.arxiv_version,
        "title": item.title,
        "title_norm": normalize_title(item.title),
        "authors": list(item.authors),
        "abstract": item.abstract,
        "categories": list(item.categories),
        "primary_category": item.primary_category,
        "doi": item.doi,
        "bibtex_key": item.bibtex_key,
        "journal_ref": item.journal_ref,
        "comment": item.comment,
        "published": item.published,
        "updated": item.updated,
        "metadata_complete": item.complete,
        "created_at": now,
        "modified_at": now,
    }


def _new_id(result: Any) -> int:
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("the database returned no primary key for an insert")
    return int(key[0])


def _paper(row: Row[Any]) -> Paper:
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


def _summary(row: Row[Any], paper_keys: tuple[str, ...]) -> Summary:
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


def _feed(row: Row[Any]) -> Feed:
    m = row._mapping
    return Feed(
        id=m["id"],
        url=m["url"],
        name=m["name"],
        kind=FeedKind(m["kind"]),
        interval_seconds=m["interval_seconds"],
        announce_existing=m["announce_existing"],
        seeded=m["seeded"],
        paused=m["paused"],
        etag=m["etag"],
        last_modified=m["last_modified"],
        last_poll=m["last_poll"],
        last_result=m["last_result"],
        failures=m["failures"],
        disabled_reason=m["disabled_reason"],
        content_hash=m["content_hash"],
        next_poll=m["next_poll"],
        guild_id=m["guild_id"],
        pinned_kind=FeedKind(m["pinned_kind"]) if m["pinned_kind"] else None,
        last_skipped=dict(m["last_skipped"] or {}),
    )


def best_first(items: Iterable[Summary]) -> list[Summary]:
    """Best-voted first, then newest (by last edit, else publication)."""

    def newest(s: Summary) -> float:
        when = s.edited or s.published or s.first_seen
        return when.timestamp()

    return sorted(items, key=lambda s: (-(s.votes or 0), -newest(s), s.id))


class Store:
    """shortbot's repository over one engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    # -- papers ---------------------------------------------------------------------------

    async def paper_by_arxiv_id(self, arxiv_id: str) -> PaperWithSummaries | None:
        return await self._paper_where(papers.c.arxiv_id == arxiv_id)

    async def paper_by_alias(self, alias: str) -> PaperWithSummaries | None:
        """A paper by bibtex key or DOI (case-insensitive), or by its own key."""
        alias_q = select(paper_aliases.c.paper_id).where(paper_aliases.c.alias == alias.casefold())
        return await self._paper_where(or_(papers.c.id.in_(alias_q), papers.c.key == alias))

    async def _paper_where(self, condition: Any) -> PaperWithSummaries | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(papers).where(condition).limit(1))).first()
            if row is None:
                return None
            paper = _paper(row)
            query = (
                select(summaries)
                .join(summary_papers, summary_papers.c.summary_id == summaries.c.id)
                .where(summary_papers.c.paper_id == row.id)
            )
            rows = (await conn.execute(query)).all()
            keys = await self._paper_keys(conn, [r.id for r in rows])
        found = [_summary(r, keys.get(r.id, (paper.key,))) for r in rows]
        return PaperWithSummaries(paper, tuple(best_first(found)))

    async def _paper_keys(
        self, conn: AsyncConnection, summary_ids: Sequence[int]
    ) -> dict[int, tuple[str, ...]]:
        if not summary_ids:
            return {}
        query = (
            select(summary_papers.c.summary_id, papers.c.key)
            .join(papers, papers.c.id == summary_papers.c.paper_id)
            .where(summary_papers.c.summary_id.in_(summary_ids))
            .order_by(summary_papers.c.summary_id, papers.c.id)
        )
        out: dict[int, list[str]] = {}
        for summary_id, key in (await conn.execute(query)).all():
            out.setdefault(summary_id, []).append(key)
        return {k: tuple(v) for k, v in out.items()}

    async def count_papers(self) -> int:
        async with self.engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(papers))).scalar_one())

    async def search_papers(self, words: Sequence[str], limit: int = 10) -> list[Paper]:
        """Title and abstract search, best match first (FTS5 or PostgreSQL full text)."""
        ids = await search_ids(self.engine, words, limit)
        if not ids:
            return []
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(papers).where(papers.c.id.in_(ids)))).all()
        by_id = {r.id: _paper(r) for r in rows}
        return [by_id[i] for i in ids if i in by_id]

    async def papers_by_exact_titles(self, normalized: Sequence[str]) -> list[Paper]:
        """Papers whose normalised title equals one of ``normalized`` (an indexed lookup)."""
        if not normalized:
            return []
        query = (
            select(papers).where(papers.c.title_norm.in_(list(normalized))).order_by(papers.c.id)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_paper(r) for r in rows]

    async def papers_by_keys(self, keys: Sequence[str]) -> list[Paper]:
        """The papers of these keys (``Paper.key``) that exist, in no particular order."""
        if not keys:
            return []
        query = select(papers).where(papers.c.key.in_(sorted(set(keys))))
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_paper(r) for r in rows]

    async def incomplete_arxiv_ids(self, limit: int) -> list[str]:
        """arXiv papers known only from summaries, whose metadata the arXiv API should fill in."""
        query = (
            select(papers.c.arxiv_id)
            .where(papers.c.metadata_complete.is_(False), papers.c.arxiv_id.is_not(None))
            .order_by(papers.c.id)
            .limit(limit)
        )
        async with self.engine.connect() as conn:
            return [r[0] for r in (await conn.execute(query)).all()]

    async def _upsert_paper(
        self,
        conn: AsyncConnection,
        item: IncomingPaper,
        now: datetime,
        *,
        known: Row[Any] | None = None,
    ) -> tuple[int, UpsertResult]:
        """``known``: the stored row of ``item``'s arXiv id, already read by the caller."""
        aliases = [a.casefold() for a in (item.bibtex_key, item.doi) if a]
        row = known
        if row is None and item.arxiv_id:
            query = select(papers).where(papers.c.arxiv_id == item.arxiv_id)
            row = (await conn.execute(query)).first()
        if row is None and aliases:
            alias_q = select(paper_aliases.c.paper_id).where(paper_aliases.c.alias.in_(aliases))
            query = select(papers).where(papers.c.id.in_(alias_q))
            if item.arxiv_id:  # never merge two different arXiv papers through a shared alias
                query = query.where(papers.c.arxiv_id.is_(None))
            row = (await conn.execute(query.limit(1))).first()

        if row is None:
            result = await conn.execute(insert(papers).values(**_new_paper(item, now)))
            paper_id = _new_id(result)
            outcome = UpsertResult.NEW
        else:
            paper_id = int(row.id)
            changes = self._changes(row, item)
            outcome = UpsertResult.UPDATED if changes else UpsertResult.UNCHANGED
            if changes:
                changes["modified_at"] = now
                await conn.execute(update(papers).where(papers.c.id == paper_id).values(**changes))
        for alias in aliases:
            await _insert_ignore(conn, paper_aliases, {"alias": alias, "paper_id": paper_id})
        return paper_id, outcome

    @staticmethod
    def _changes(row: Row[Any], item: IncomingPaper) -> dict[str, Any]:
        """What ``item`` changes in a stored paper.

        Metadata from arXiv itself (``item.complete``) replaces what summaries said; anything
        else only fills what is missing. The arXiv version only ever goes up.
        """
        m = row._mapping
        changes: dict[str, Any] = {}
        if item.arxiv_id and not m["arxiv_id"]:
            changes.update(arxiv_id=item.arxiv_id, key=item.arxiv_id)
        if item.arxiv_version and (m["arxiv_version"] or 0) < item.arxiv_version:
            changes["arxiv_version"] = item.arxiv_version
        authoritative = item.complete
        fields = (
            "title",
            "abstract",
            "doi",
            "bibtex_key",
            "published",
            "updated",
            "primary_category",
            "journal_ref",
            "comment",
            "authors",
            "categories",
        )
        for field in fields:
            value = getattr(item, field)
            if field in ("authors", "categories"):
                value = list(value)
            if not value or value == m[field]:
                continue
            if field == "bibtex_key" and m[field]:
                continue  # the first ShortScience key stays; others are aliases
            if authoritative or not m[field]:
                changes[field] = value
        if "title" in changes:
            changes["title_norm"] = normalize_title(changes["title"])
        if authoritative and not m["metadata_complete"]:
            changes["metadata_complete"] = True
        return changes

    async def save_papers(
        self, items: Sequence[IncomingPaper], *, source: str, announce: bool, now: datetime
    ) -> list[UpsertResult]:
        """Upsert papers from an arXiv listing or the API, with their announcements.

        A new announcement (a paper listed as new, cross, replace …) counts as new; changed
        metadata as updated.

        In bulk (a listing holds thousands): the stored papers and announcements of the batch
        are read with one query per 500 ids, papers new by arXiv id go in with one multi-row
        INSERT, and so do the new announcements (``ON CONFLICT DO NOTHING`` keeps a concurrent
        writer harmless; its rows then count as new here). A paper whose arXiv id is not stored
        but which has a DOI or bibtex key (it may be known under that alias), or whose arXiv id
        appears twice in the batch, takes the one-by-one path.
        """
        results: list[UpsertResult] = []
        async with self.engine.begin() as conn:
            known: dict[str, Row[Any]] = {}
            arxiv_ids = list(dict.fromkeys(i.arxiv_id for i in items if i.arxiv_id))
            for chunk in _chunks(arxiv_ids):
                query = select(papers).where(papers.c.arxiv_id.in_(chunk))
                known.update((row.arxiv_id, row) for row in (await conn.execute(query)).all())
            fresh: dict[str, IncomingPaper] = {}
            for item in items:
                arxiv_id = item.arxiv_id
                aliased = bool(item.bibtex_key or item.doi)  # maybe stored under an alias
                if arxiv_id and not aliased and arxiv_id not in known and arxiv_id not in fresh:
                    fresh[arxiv_id] = item
            inserted: dict[str, int] = {}
            if fresh:
                statement = insert(papers).returning(papers.c.id, papers.c.arxiv_id)
                values = [_new_paper(i, now) for i in fresh.values()]
                rows = await conn.execute(statement, values)
                inserted = {row.arxiv_id: int(row.id) for row in rows}
            seen: set[str] = set()
            paper_ids: list[int] = []
            for item in items:
                repeated = item.arxiv_id in seen if item.arxiv_id else False
                if item.arxiv_id:
                    seen.add(item.arxiv_id)
                if item.arxiv_id in inserted and not repeated:
                    paper_id, outcome = inserted[item.arxiv_id], UpsertResult.NEW
                else:
                    row = known.get(item.arxiv_id) if item.arxiv_id and not repeated else None
                    paper_id, outcome = await self._upsert_paper(conn, item, now, known=row)
                paper_ids.append(paper_id)
                results.append(outcome)
            await self._save_announcements(conn, items, paper_ids, results, source, announce, now)
        return results

    @staticmethod
    async def _save_announcements(
        conn: AsyncConnection,
        items: Sequence[IncomingPaper],
        paper_ids: list[int],
        results: list[UpsertResult],
        source: str,
        announce: bool,
        now: datetime,
    ) -> None:
        """Record the batch's announcements; an item whose announcement is new becomes NEW, a
        new paper whose announcement was already there UPDATED (``results`` is updated)."""
        ann = paper_announcements.c
        stored: set[tuple[int, str, int]] = set()
        for chunk in _chunks(sorted(set(paper_ids))):
            query = select(ann.paper_id, ann.announce_type, ann.arxiv_version).where(
                ann.source == source, ann.paper_id.in_(chunk)
            )
            stored.update((r[0], r[1], r[2]) for r in (await conn.execute(query)).all())
        rows: list[dict[str, Any]] = []
        for index, (item, paper_id) in enumerate(zip(items, paper_ids, strict=True)):
            if not item.announce_type:
                continue
            key = (paper_id, item.announce_type, item.arxiv_version or 0)
            if key in stored:
                if results[index] is UpsertResult.NEW:
                    results[index] = UpsertResult.UPDATED
                continue
            stored.add(key)
            results[index] = UpsertResult.NEW
            rows.append(
                {
                    "paper_id": paper_id,
                    "source": source,
                    "announce_type": item.announce_type,
                    "arxiv_version": item.arxiv_version or 0,
                    "announced": item.published,
                    "first_seen": now,
                    "announce": announce,
                }
            )
        if rows:
            maker = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
            await conn.execute(maker(paper_announcements).on_conflict_do_nothing(), rows)

    async def announcements(self, paper_key: str) -> list[tuple[str, str, int]]:
        """(source, announce type, version) of every announcement of a paper."""
        query = (
            select(
                paper_announcements.c.source,
                paper_announcements.c.announce_type,
                paper_announcements.c.arxiv_version,
            )
            .join(papers, papers.c.id == paper_announcements.c.paper_id)
            .where(papers.c.key == paper_key)
            .order_by(paper_announcements.c.id)
        )
        async with self.engine.connect() as conn:
            return [(r[0], r[1], r[2]) for r in (await conn.execute(query)).all()]

    # -- summaries ------------------------------------------------------------------------

    async def save_summaries(
        self, items: Sequence[IncomingSummary], *, announce: bool, now: datetime
    ) -> list[UpsertResult]:
        """Upsert summaries and their papers in one transaction.

        A known guid with changed content is an edit: updated in place, never a second summary,
        and never announced again. ``announce`` marks new summaries for the next digest.
        """
        results: list[UpsertResult] = []
        async with self.engine.begin() as conn:
            for item in items:
                results.append(await self._save_summary(conn, item, announce=announce, now=now))
        return results

    async def _save_summary(
        self, conn: AsyncConnection, item: IncomingSummary, *, announce: bool, now: datetime
    ) -> UpsertResult:
        digest = _content_hash(item)
        row = (
            await conn.execute(
                select(summaries.c.id, summaries.c.content_hash, summaries.c.published).where(
                    summaries.c.guid == item.guid
                )
            )
        ).first()
        paper_ids = [(await self._upsert_paper(conn, p, now))[0] for p in item.papers]
        if row is None:
            result = await conn.execute(
                insert(summaries).values(
                    guid=item.guid,
                    source=item.source,
                    author=item.author,
                    url=item.url,
                    votes=item.votes,
                    title=item.title,
                    text=item.text,
                    published=item.published,
                    edited=None,
                    content_hash=digest,
                    first_seen=now,
                    announce=announce,
                )
            )
            summary_id = _new_id(result)
            outcome = UpsertResult.NEW
        else:
            summary_id = int(row.id)
            if row.content_hash == digest:
                outcome = UpsertResult.UNCHANGED
            else:
                edited = item.published if item.published != row.published else None
                await conn.execute(
                    update(summaries)
                    .where(summaries.c.id == summary_id)
                    .values(
                        author=item.author,
                        url=item.url,
                        votes=item.votes,
                        title=item.title,
                        text=item.text,
                        content_hash=digest,
                        **({"edited": edited} if edited else {}),
                    )
                )
                outcome = UpsertResult.UPDATED
        for paper_id in paper_ids:
            await _insert_ignore(
                conn, summary_papers, {"summary_id": summary_id, "paper_id": paper_id}
            )
        return outcome

    async def latest_summaries(self, limit: int = 10) -> list[Summary]:
        query = select(summaries).order_by(summaries.c.first_seen.desc(), summaries.c.id.desc())
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query.limit(limit))).all()
            keys = await self._paper_keys(conn, [r.id for r in rows])
        return [_summary(r, keys.get(r.id, ())) for r in rows]

    # -- digests and the delivery ledger ---------------------------------------------------

    async def undelivered(
        self, destination: str, limit: int, *, since: datetime | None = None
    ) -> tuple[list[DigestItem], int]:
        """Announced summaries not in ``destination``'s ledger yet: (the first ``limit``, total).

        ``since``: only summaries first seen from then on (a new destination does not get the
        whole history).
        """
        ledger_key = literal(SUMMARY_PREFIX) + cast(summaries.c.id, String)
        delivered = exists().where(
            and_(deliveries.c.destination == destination, deliveries.c.item_key == ledger_key)
        )
        pending = and_(summaries.c.announce.is_(True), ~delivered)
        if since is not None:
            pending = and_(pending, summaries.c.first_seen >= since)
        async with self.engine.connect() as conn:
            total = int(
                (
                    await conn.execute(select(func.count()).select_from(summaries).where(pending))
                ).scalar_one()
            )
            rows = (
                await conn.execute(
                    select(summaries)
                    .where(pending)
                    .order_by(
                        summaries.c.votes.desc().nulls_last(),
                        func.coalesce(summaries.c.edited, summaries.c.published).desc(),
                        summaries.c.id,
                    )
                    .limit(limit)
                )
            ).all()
            ids = [r.id for r in rows]
            by_summary: dict[int, list[Paper]] = {}
            if ids:
                query = (
                    select(summary_papers.c.summary_id, papers)
                    .join(papers, papers.c.id == summary_papers.c.paper_id)
                    .where(summary_papers.c.summary_id.in_(ids))
                    .order_by(summary_papers.c.summary_id, papers.c.id)
                )
                for prow in (await conn.execute(query)).all():
                    by_summary.setdefault(prow.summary_id, []).append(_paper(prow))
        items = []
        for r in rows:
            linked = by_summary.get(r.id, [])
            summary = _summary(r, tuple(p.key for p in linked))
            items.append(DigestItem(summary=summary, papers=tuple(linked)))
        return items, total

    async def new_papers(self, destination: str, *, since: datetime, limit: int) -> list[PaperItem]:
        """Papers arXiv listings announced (first seen from ``since`` on, oldest first) that
        are not in ``destination``'s ledger yet; one item per paper and version (a paper
        cross-listed in several watched listings comes once)."""
        ledger_key = (  # papers.keys.paper_key in SQL
            literal(PAPER_PREFIX)
            + cast(paper_announcements.c.paper_id, String)
            + literal("v")
            + cast(paper_announcements.c.arxiv_version, String)
        )
        delivered = exists().where(
            and_(deliveries.c.destination == destination, deliveries.c.item_key == ledger_key)
        )
        query = (
            select(
                paper_announcements.c.paper_id,
                paper_announcements.c.announce_type,
                paper_announcements.c.arxiv_version.label("announced_version"),
                paper_announcements.c.announced,
                paper_announcements.c.first_seen.label("announcement_seen"),
                papers,
            )
            .join(papers, papers.c.id == paper_announcements.c.paper_id)
            .where(
                paper_announcements.c.announce.is_(True),
                paper_announcements.c.first_seen >= since,
                ~delivered,
            )
            .order_by(paper_announcements.c.first_seen, paper_announcements.c.id)
            .limit(limit)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        out: dict[tuple[int, int], PaperItem] = {}
        for row in rows:
            m = row._mapping
            key = (m["paper_id"], m["announced_version"])
            if key not in out:
                out[key] = PaperItem(
                    paper=_paper(row),
                    announce_type=m["announce_type"],
                    version=m["announced_version"],
                    paper_id=m["paper_id"],
                    first_seen=m["announcement_seen"],
                    announced=m["announced"],
                )
        return list(out.values())

    async def record_deliveries(
        self,
        destination: str,
        summary_ids: Iterable[int],
        *,
        status: str,
        now: datetime,
        error: str | None = None,
    ) -> int:
        """Add ledger rows; an existing (destination, item) row is left alone. Returns added."""
        added = 0
        async with self.engine.begin() as conn:
            for summary_id in summary_ids:
                added += await _insert_ignore(
                    conn,
                    deliveries,
                    {
                        "destination": destination,
                        "item_key": item_key(summary_id),
                        "status": status,
                        "error": error,
                        "created_at": now,
                        "sent_at": now if status == "sent" else None,
                    },
                )
        return added

    # -- feeds ----------------------------------------------------------------------------

    async def ensure_feed(
        self,
        url: str,
        *,
        name: str | None,
        interval_seconds: int,
        announce_existing: bool,
        now: datetime,
    ) -> Feed:
        """The feed row for ``url``, created if missing; name and interval follow the config."""
        async with self.engine.begin() as conn:
            inserted = await _insert_ignore(
                conn,
                feeds,
                {
                    "url": url,
                    "name": name,
                    "kind": FeedKind.UNKNOWN.value,
                    "interval_seconds": interval_seconds,
                    "announce_existing": announce_existing,
                    "seeded": False,
                    "paused": False,
                    "failures": 0,
                    "created_at": now,
                },
            )
            if not inserted:
                await conn.execute(
                    update(feeds)
                    .where(feeds.c.url == url)
                    .values(
                        name=name,
                        interval_seconds=interval_seconds,
                        announce_existing=announce_existing,
                    )
                )
            row = (await conn.execute(select(feeds).where(feeds.c.url == url))).one()
        return _feed(row)

    async def add_feed(
        self,
        url: str,
        *,
        name: str | None,
        interval_seconds: int,
        announce_existing: bool,
        now: datetime,
        guild_id: int | None = None,
        pinned_kind: FeedKind | None = None,
    ) -> Feed | None:
        """Watch a new feed (owned by ``guild_id`` when added from Discord; read as
        ``pinned_kind`` at every poll when given); None when ``url`` is watched already."""
        async with self.engine.begin() as conn:
            inserted = await _insert_ignore(
                conn,
                feeds,
                {
                    "url": url,
                    "name": name,
                    "kind": FeedKind.UNKNOWN.value,
                    "interval_seconds": interval_seconds,
                    "announce_existing": announce_existing,
                    "seeded": False,
                    "paused": False,
                    "failures": 0,
                    "next_poll": now,
                    "created_at": now,
                    "guild_id": guild_id,
                    "pinned_kind": pinned_kind.value if pinned_kind else None,
                },
            )
            if not inserted:
                return None
            row = (await conn.execute(select(feeds).where(feeds.c.url == url))).one()
        return _feed(row)

    async def find_feed(self, ref: str, *, guild_id: int | None = None) -> Feed | None:
        """A feed by its number (as ``feeds list`` shows it), URL or name.

        With ``guild_id``, only that guild's own feeds are found: another guild's are unseen.
        """
        condition: Any = or_(feeds.c.url == ref, feeds.c.name == ref)
        if ref.isdigit() and len(ref) < 12:
            condition = or_(condition, feeds.c.id == int(ref))
        if guild_id is not None:
            condition = and_(condition, feeds.c.guild_id == guild_id)
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(feeds).where(condition).limit(1))).first()
        return _feed(row) if row else None

    async def remove_feed(self, feed_id: int) -> bool:
        """Stop watching a feed. Summaries it brought stay."""
        async with self.engine.begin() as conn:
            result = await conn.execute(feeds.delete().where(feeds.c.id == feed_id))
        return bool(result.rowcount)

    async def set_feed_paused(self, feed_id: int, paused: bool, *, now: datetime) -> None:
        """Pause, or resume: resuming also lifts a disabling and polls at once."""
        values: dict[str, Any] = {"paused": paused}
        if not paused:
            values.update(disabled_reason=None, failures=0, next_poll=now)
        await self.record_poll(feed_id, **values)

    async def get_feed(self, feed_id: int) -> Feed | None:
        """One feed by its id (a poll job reads its own feed, not the whole table)."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(feeds).where(feeds.c.id == feed_id))).first()
        return _feed(row) if row else None

    async def list_feeds(self, *, guild_id: int | None = None) -> list[Feed]:
        """Every feed, or with ``guild_id`` only those that guild added."""
        query = select(feeds).order_by(feeds.c.id)
        if guild_id is not None:
            query = query.where(feeds.c.guild_id == guild_id)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_feed(r) for r in rows]

    # -- subscriptions --------------------------------------------------------------------

    async def subscribe(
        self,
        *,
        guild_id: int,
        channel_id: int,
        kind: SubscriptionKind,
        value: str,
        by: int | None,
        now: datetime,
    ) -> bool:
        """Add what ``channel_id``'s digest carries; False when it carries it already.

        A channel has one minimum vote count: a new one replaces the old.
        """
        async with self.engine.begin() as conn:
            if kind is SubscriptionKind.MIN_VOTES:
                await conn.execute(
                    subscriptions.delete().where(
                        subscriptions.c.channel_id == channel_id,
                        subscriptions.c.kind == kind.value,
                    )
                )
            return await _insert_ignore(
                conn,
                subscriptions,
                {
                    "guild_id": guild_id,
                    "channel_id": channel_id,
                    "kind": kind.value,
                    "value": value,
                    "created_by": by,
                    "created_at": now,
                },
            )

    async def unsubscribe(
        self, *, guild_id: int, channel_id: int, kind: SubscriptionKind | None, value: str | None
    ) -> int:
        """Remove matching subscriptions of a channel of ``guild_id``. Returns how many."""
        condition = and_(
            subscriptions.c.guild_id == guild_id, subscriptions.c.channel_id == channel_id
        )
        if kind is not None:
            condition = and_(condition, subscriptions.c.kind == kind.value)
        if value is not None:
            condition = and_(condition, subscriptions.c.value == value)
        async with self.engine.begin() as conn:
            result = await conn.execute(subscriptions.delete().where(condition))
        return int(result.rowcount or 0)

    async def list_subscriptions(
        self, *, guild_id: int | None, channel_id: int | None = None
    ) -> list[Subscription]:
        """A guild's subscriptions (``guild_id`` None: every guild's, for the digest runner)."""
        query = select(subscriptions)
        if guild_id is not None:
            query = query.where(subscriptions.c.guild_id == guild_id)
        if channel_id is not None:
            query = query.where(subscriptions.c.channel_id == channel_id)
        query = query.order_by(
            subscriptions.c.channel_id, subscriptions.c.kind, subscriptions.c.value
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            Subscription(r.id, r.guild_id, r.channel_id, SubscriptionKind(r.kind), r.value)
            for r in rows
        ]

    async def record_poll(self, feed_id: int, **values: Any) -> None:
        """Store the outcome of one poll (validators, result, failures, kind, next poll,
        skipped entries per reason)."""
        if "kind" in values and isinstance(values["kind"], FeedKind):
            values["kind"] = values["kind"].value
        if "last_skipped" in values:
            values["last_skipped"] = {str(k): int(n) for k, n in values["last_skipped"].items()}
        async with self.engine.begin() as conn:
            await conn.execute(update(feeds).where(feeds.c.id == feed_id).values(**values))
