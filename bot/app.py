"""Wiring: the long-lived resources, opened once and handed to whatever needs them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import httpx

from bot.health import HealthState
from bot.settings import Settings
from papers.model import IncomingPaper
from papers.ports import MetadataSource, Unavailable
from papers.usecases import Clock, utcnow
from sources.arxiv import ArxivClient, ArxivUnavailable
from sources.fetch import new_client
from storage.db import create_engine, upgrade
from storage.ledger import Ledger
from storage.repository import Store

log = logging.getLogger(__name__)


class SchedulerHandle(Protocol):
    """What commands may ask of the running scheduler (``bot.scheduler``)."""

    async def refresh(self) -> None:
        """Re-read the schedules and feeds tables into the job list now."""

    def next_run(self, job_id: str) -> datetime | None: ...


@dataclass(eq=False)
class App:
    settings: Settings
    store: Store
    http: httpx.AsyncClient
    clock: Clock = utcnow
    arxiv: ArxivClient | None = None
    # set by `shortbot run` in the process that leads (runs the scheduled jobs)
    scheduler: SchedulerHandle | None = None
    # one delivery per destination at a time (bot.locks.destination_lock)
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    # what the Discord runner and the scheduler tell /healthz (bot.health)
    health: HealthState = field(default_factory=HealthState)
    # feed fetches in flight at once (bot.watch): below the shared client's pool of 100
    # connections, whose queue of waiting requests costs O(n²) with a thousand feeds due at once
    fetch_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(32))

    @property
    def metadata(self) -> MetadataSource | None:
        """The arXiv API as the use cases see it (None when arXiv look-ups are off)."""
        return ArxivMetadata(self.arxiv) if self.arxiv is not None else None


class ArxivMetadata:
    """The arXiv client as the use cases see it: ``Unavailable`` when arXiv cannot answer."""

    def __init__(self, client: ArxivClient) -> None:
        self.client = client

    async def fetch(self, ids: Sequence[str]) -> dict[str, IncomingPaper]:
        try:
            return await self.client.fetch(ids)
        except ArxivUnavailable as exc:
            raise Unavailable(
                "arXiv is not answering right now; try again in a few minutes"
            ) from exc


def build_arxiv_client(settings: Settings) -> ArxivClient | None:
    if not settings.arxiv_enabled:
        return None
    return ArxivClient(
        settings.arxiv.api_url,
        delay_seconds=settings.arxiv.delay_seconds,
        num_retries=settings.arxiv.num_retries,
        batch_size=settings.arxiv.batch_size,
    )


@asynccontextmanager
async def open_app(
    settings: Settings, *, migrate: bool = True, clock: Clock = utcnow
) -> AsyncIterator[App]:
    """Open the database (migrated to head unless told not to) and the shared HTTP client."""
    engine = create_engine(settings.database)
    try:
        if migrate:
            await upgrade(engine)
            # a destination's digests carry what is first seen from its registration on
            ledger, now = Ledger(engine), clock()
            for destination in settings.all_destinations():
                await ledger.ensure_destination(destination.name, destination.platform, now)
        async with new_client() as http:
            yield App(settings, Store(engine), http, clock, build_arxiv_client(settings))
    finally:
        await engine.dispose()
