"""What the use cases need from the outside world, as protocols. ``storage`` and ``publishers``
provide the implementations; tests can provide their own."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from papers.model import (
    Digest,
    DigestItem,
    IncomingSummary,
    Paper,
    PaperWithSummaries,
    UpsertResult,
)


class PaperStore(Protocol):
    async def paper_by_arxiv_id(self, arxiv_id: str) -> PaperWithSummaries | None: ...

    async def paper_by_alias(self, alias: str) -> PaperWithSummaries | None: ...

    async def papers_by_title(self, words: Sequence[str], limit: int = 10) -> list[Paper]: ...


class SummaryStore(Protocol):
    async def save_summaries(
        self, items: Sequence[IncomingSummary], *, announce: bool, now: datetime
    ) -> list[UpsertResult]: ...


class DigestStore(Protocol):
    async def undelivered(self, destination: str, limit: int) -> tuple[list[DigestItem], int]: ...

    async def record_deliveries(
        self,
        destination: str,
        summary_ids: Iterable[int],
        *,
        status: str,
        now: datetime,
        error: str | None = None,
    ) -> int: ...


class Publisher(Protocol):
    """One destination's adapter: it sends a digest and raises if it could not."""

    name: str
    platform: str

    async def publish(self, digest: Digest) -> None: ...
