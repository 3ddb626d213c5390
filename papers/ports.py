"""What the use cases need from the outside world, as protocols. ``storage`` and ``publishers``
provide the implementations; tests can provide their own."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol

from papers.model import (
    DigestItem,
    IncomingPaper,
    IncomingSummary,
    Paper,
    PaperItem,
    PaperWithSummaries,
    Summary,
    UpsertResult,
)


class PaperStore(Protocol):
    def reading(self) -> AbstractAsyncContextManager[None]:
        """One connection and one transaction for the reads of a use case (nested: the
        outer one serves)."""
        ...

    async def paper_by_arxiv_id(self, arxiv_id: str) -> PaperWithSummaries | None: ...

    async def paper_by_alias(self, alias: str) -> PaperWithSummaries | None: ...

    async def papers_by_exact_titles(self, normalized: Sequence[str]) -> list[Paper]: ...

    async def papers_by_keys(self, keys: Sequence[str]) -> list[Paper]: ...

    async def search_papers(self, words: Sequence[str], limit: int = 10) -> list[Paper]: ...

    async def latest_summaries(self, limit: int = 10) -> list[Summary]: ...


class Unavailable(Exception):
    """An outside service cannot answer now; the message says why, for people."""


class MetadataSource(Protocol):
    """Paper metadata by arXiv id (the arXiv API). Raises ``Unavailable``."""

    async def fetch(self, ids: Sequence[str]) -> dict[str, IncomingPaper]: ...


class IngestStore(PaperStore, Protocol):
    async def save_summaries(
        self, items: Sequence[IncomingSummary], *, announce: bool, now: datetime
    ) -> list[UpsertResult]: ...

    async def save_papers(
        self, items: Sequence[IncomingPaper], *, source: str, announce: bool, now: datetime
    ) -> list[UpsertResult]: ...


class DigestStore(Protocol):
    async def undelivered(
        self, destination: str, limit: int, *, since: datetime | None = None
    ) -> tuple[list[DigestItem], int]: ...

    async def new_papers(
        self, destination: str, *, since: datetime, limit: int
    ) -> list[PaperItem]: ...


class ThreadHomes(Protocol):
    """Each paper's Discord home in a forum channel: the post (thread) holding its summaries."""

    async def thread_home(self, channel_id: int, paper_key: str) -> int | None: ...

    async def set_thread_home(
        self,
        channel_id: int,
        paper_key: str,
        thread_id: int,
        *,
        guild_id: int | None,
        now: datetime,
    ) -> None: ...

    async def forget_thread_home(self, channel_id: int, paper_key: str) -> None: ...

    async def paper_threads(self, paper_key: str, guild_id: int) -> list[int]: ...
