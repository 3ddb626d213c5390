"""What a destination gets next (the ``DigestStore`` port): announced summaries and arXiv
papers that are not in its ledger yet. The ledger itself (posts, per-item rows) is
``storage.ledger``; this module only reads it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Exists, String, and_, cast, exists, func, literal, select

from papers.keys import PAPER_PREFIX, SUMMARY_PREFIX
from papers.model import DigestItem, Paper, PaperItem
from storage.sql import Repository, paper_value, summary_value
from storage.tables import deliveries, paper_announcements, papers, summaries, summary_papers


class DigestRepository(Repository):
    """The items waiting for a destination, read against its ledger."""

    async def undelivered(
        self, destination: str, limit: int, *, since: datetime | None = None
    ) -> tuple[list[DigestItem], int]:
        """Announced summaries not in ``destination``'s ledger yet: (the first ``limit``, total).

        ``since``: only summaries first seen from then on (a new destination does not get the
        whole history).
        """
        ledger_key = literal(SUMMARY_PREFIX) + cast(summaries.c.id, String)
        delivered = _in_ledger(destination, ledger_key)
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
                    by_summary.setdefault(prow.summary_id, []).append(paper_value(prow))
        items = []
        for r in rows:
            linked = by_summary.get(r.id, [])
            summary = summary_value(r, tuple(p.key for p in linked))
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
        delivered = _in_ledger(destination, ledger_key)
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
                    paper=paper_value(row),
                    announce_type=m["announce_type"],
                    version=m["announced_version"],
                    paper_id=m["paper_id"],
                    first_seen=m["announcement_seen"],
                    announced=m["announced"],
                )
        return list(out.values())


def _in_ledger(destination: str, ledger_key: ColumnElement[Any]) -> Exists:
    """Whether ``destination``'s ledger holds the item of ``ledger_key`` (an SQL expression)."""
    return exists().where(
        and_(deliveries.c.destination == destination, deliveries.c.item_key == ledger_key)
    )
