"""What the bulk writers of ``storage.bulk`` share: reading an import's checkpoint, and
sending the rare paper that must merge with one known only from summaries (by DOI or key,
without an arXiv id) through the repository's ordinary upsert instead of the bulk path."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from papers.model import IncomingPaper
from storage.bulk_rows import Checkpoint, Prepared, rows_for
from storage.ingest import IngestRepository
from storage.tables import import_progress, paper_aliases
from storage.tables import papers as papers_table


async def _merge_candidates(conn: AsyncConnection, rows: Sequence[tuple[Any, ...]]) -> list[int]:
    """Indexes of the rows whose arXiv id is new but whose DOI or key names a paper with no
    arXiv id (row[1]: the arXiv id, which is also the key; row[8]: the DOI)."""
    # usually there is no paper without an arXiv id at all: one indexed probe, nothing more
    orphan = select(papers_table.c.id).where(papers_table.c.arxiv_id.is_(None)).limit(1)
    if (await conn.execute(orphan)).first() is None:
        return []
    dois = {row[8].casefold(): i for i, row in enumerate(rows) if row[8]}
    keys = {row[1]: i for i, row in enumerate(rows) if row[1]}
    found: dict[str, int] = {}
    chunk = 5_000
    doi_list = list(dois)
    for i in range(0, len(doi_list), chunk):
        query = (
            select(paper_aliases.c.alias)
            .join(papers_table, papers_table.c.id == paper_aliases.c.paper_id)
            .where(paper_aliases.c.alias.in_(doi_list[i : i + chunk]))
            .where(papers_table.c.arxiv_id.is_(None))
        )
        for (alias,) in (await conn.execute(query)).all():
            index = dois[alias]
            found[rows[index][1] or ""] = index
    key_list = list(keys)
    for i in range(0, len(key_list), chunk):
        query = select(papers_table.c.key).where(
            papers_table.c.key.in_(key_list[i : i + chunk]), papers_table.c.arxiv_id.is_(None)
        )
        for (key,) in (await conn.execute(query)).all():
            found[key] = keys[key]
    if not found:
        return []
    # ... unless the arXiv id is known already: then the ordinary path keeps them apart too
    ids = list(found)
    known = select(papers_table.c.arxiv_id).where(papers_table.c.arxiv_id.in_(ids))
    for (arxiv_id,) in (await conn.execute(known)).all():
        found.pop(arxiv_id, None)
    return sorted(found.values())


class BulkBase:
    """What both writers share; each sets ``dialect``."""

    dialect = ""

    def __init__(self, engine: AsyncEngine, *, now: datetime) -> None:
        self.engine = engine
        self.store = IngestRepository(engine)
        self.now = now

    def prepare(self, papers: Sequence[IncomingPaper]) -> Prepared:
        return Prepared(papers, rows_for(self.dialect, papers, self.now))

    async def checkpoint(self, source: str) -> Checkpoint | None:
        async with self.engine.connect() as conn:
            query = select(import_progress).where(import_progress.c.source == source)
            row = (await conn.execute(query)).first()
        if row is None:
            return None
        m = row._mapping
        return Checkpoint(
            source=m["source"],
            path=m["path"],
            line=m["line"],
            offset=m["offset"],
            new=m["new"],
            known=m["known"],
            bad=m["bad"],
            bad_lines=list(json.loads(m["bad_lines"])),
            finished=bool(m["finished"]),
        )

    async def _split(self, batch: Prepared) -> list[tuple[Any, ...]]:
        """Merge the rare DOI / key matches through the repository; the rest goes in bulk."""
        async with self.engine.connect() as conn:
            indexes = await _merge_candidates(conn, batch.rows)
        if not indexes:
            return batch.rows
        merge = [batch.paper(i) for i in indexes]
        await self.store.save_papers(merge, source="arxiv-snapshot", announce=False, now=self.now)
        merged = {p.arxiv_id for p in merge}
        return [row for row in batch.rows if row[1] not in merged]  # row[1]: arxiv_id
