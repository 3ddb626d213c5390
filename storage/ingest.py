"""Writing papers and summaries (the ``IngestStore`` port): upserts that merge a paper by arXiv
id or alias (its DOI and bibtex keys, kept in ``paper_aliases``), the announcements of arXiv
listings, and summaries with their edits."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from papers.model import IncomingPaper, IncomingSummary, UpsertResult
from papers.text import normalize_title
from storage.sql import Repository, chunks, insert_ignore, new_id, upsert_insert
from storage.tables import paper_aliases, paper_announcements, papers, summaries, summary_papers


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


class IngestRepository(Repository):
    """Papers and summaries as sources bring them in, each batch in one transaction."""

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
            for chunk in chunks(arxiv_ids):
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
        for chunk in chunks(sorted(set(paper_ids))):
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
            statement = upsert_insert(conn, paper_announcements).on_conflict_do_nothing()
            await conn.execute(statement, rows)

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
            summary_id = new_id(result)
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
            await insert_ignore(
                conn, summary_papers, {"summary_id": summary_id, "paper_id": paper_id}
            )
        return outcome

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
            paper_id = new_id(result)
            outcome = UpsertResult.NEW
        else:
            paper_id = int(row.id)
            changes = self._changes(row, item)
            outcome = UpsertResult.UPDATED if changes else UpsertResult.UNCHANGED
            if changes:
                changes["modified_at"] = now
                await conn.execute(update(papers).where(papers.c.id == paper_id).values(**changes))
        for alias in aliases:
            await insert_ignore(conn, paper_aliases, {"alias": alias, "paper_id": paper_id})
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
