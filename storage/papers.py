"""Reading papers and their summaries: look-ups by arXiv id, alias, key or exact title, the
hand-off to full-text search (``storage.search``), the newest summaries, and what the
bookkeeping of papers holds (incomplete metadata, announcements, counts)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select, union
from sqlalchemy.ext.asyncio import AsyncConnection

from papers.model import Paper, PaperWithSummaries, Summary
from storage.search import search_ids
from storage.sql import Repository, paper_value, summary_value
from storage.tables import paper_aliases, paper_announcements, papers, summaries, summary_papers


def best_first(items: Iterable[Summary]) -> list[Summary]:
    """Best-voted first, then newest (by last edit, else publication)."""

    def newest(s: Summary) -> float:
        when = s.edited or s.published or s.first_seen
        return when.timestamp()

    return sorted(items, key=lambda s: (-(s.votes or 0), -newest(s), s.id))


class PaperRepository(Repository):
    """Papers and summaries as the use cases read them (the ``PaperStore`` port)."""

    async def paper_by_arxiv_id(self, arxiv_id: str) -> PaperWithSummaries | None:
        return await self._paper_where(papers.c.arxiv_id == arxiv_id)

    async def paper_by_alias(self, alias: str) -> PaperWithSummaries | None:
        """A paper by bibtex key or DOI (case-insensitive), or by its own key."""
        # one id list from two index look-ups: "id IN (aliases) OR key = …" reads every paper
        # on PostgreSQL (seconds at 3 M papers), which cannot use an index across the OR
        by_alias = select(paper_aliases.c.paper_id).where(paper_aliases.c.alias == alias.casefold())
        by_key = select(papers.c.id).where(papers.c.key == alias)
        return await self._paper_where(papers.c.id.in_(union(by_alias, by_key)))

    async def _paper_where(self, condition: Any) -> PaperWithSummaries | None:
        async with self._connection() as conn:
            row = (await conn.execute(select(papers).where(condition).limit(1))).first()
            if row is None:
                return None
            paper = paper_value(row)
            query = (
                select(summaries)
                .join(summary_papers, summary_papers.c.summary_id == summaries.c.id)
                .where(summary_papers.c.paper_id == row.id)
            )
            rows = (await conn.execute(query)).all()
            keys = await _paper_keys(conn, [r.id for r in rows])
        found = [summary_value(r, keys.get(r.id, (paper.key,))) for r in rows]
        return PaperWithSummaries(paper, tuple(best_first(found)))

    async def count_papers(self) -> int:
        async with self._connection() as conn:
            return int((await conn.execute(select(func.count()).select_from(papers))).scalar_one())

    async def search_papers(self, words: Sequence[str], limit: int = 10) -> list[Paper]:
        """Title and abstract search, best match first (FTS5 or PostgreSQL full text)."""
        async with self._connection() as conn:
            ids = await search_ids(conn, words, limit)
            if not ids:
                return []
            rows = (await conn.execute(select(papers).where(papers.c.id.in_(ids)))).all()
        by_id = {r.id: paper_value(r) for r in rows}
        return [by_id[i] for i in ids if i in by_id]

    async def papers_by_exact_titles(self, normalized: Sequence[str]) -> list[Paper]:
        """Papers whose normalised title equals one of ``normalized`` (an indexed lookup)."""
        if not normalized:
            return []
        query = (
            select(papers).where(papers.c.title_norm.in_(list(normalized))).order_by(papers.c.id)
        )
        async with self._connection() as conn:
            rows = (await conn.execute(query)).all()
        return [paper_value(r) for r in rows]

    async def papers_by_keys(self, keys: Sequence[str]) -> list[Paper]:
        """The papers of these keys (``Paper.key``) that exist, in no particular order."""
        if not keys:
            return []
        query = select(papers).where(papers.c.key.in_(sorted(set(keys))))
        async with self._connection() as conn:
            rows = (await conn.execute(query)).all()
        return [paper_value(r) for r in rows]

    async def incomplete_arxiv_ids(self, limit: int) -> list[str]:
        """arXiv papers known only from summaries, whose metadata the arXiv API should fill in."""
        query = (
            select(papers.c.arxiv_id)
            .where(papers.c.metadata_complete.is_(False), papers.c.arxiv_id.is_not(None))
            .order_by(papers.c.id)
            .limit(limit)
        )
        async with self._connection() as conn:
            return [r[0] for r in (await conn.execute(query)).all()]

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
        async with self._connection() as conn:
            return [(r[0], r[1], r[2]) for r in (await conn.execute(query)).all()]

    async def latest_summaries(self, limit: int = 10) -> list[Summary]:
        query = select(summaries).order_by(summaries.c.first_seen.desc(), summaries.c.id.desc())
        async with self._connection() as conn:
            rows = (await conn.execute(query.limit(limit))).all()
            keys = await _paper_keys(conn, [r.id for r in rows])
        return [summary_value(r, keys.get(r.id, ())) for r in rows]


async def _paper_keys(
    conn: AsyncConnection, summary_ids: Sequence[int]
) -> dict[int, tuple[str, ...]]:
    """The keys of the papers each summary is about, in the papers' order of creation."""
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
