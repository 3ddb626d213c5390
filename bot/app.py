"""Wiring: the long-lived resources, opened once and handed to whatever needs them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings
from bot.state import Runtime
from papers.model import IncomingPaper
from papers.ports import MetadataSource, Unavailable
from papers.usecases import Clock, utcnow
from sources.arxiv import ArxivClient, ArxivUnavailable
from sources.fetch import new_client
from storage.db import create_engine, upgrade
from storage.ledger import Ledger
from storage.repository import Store
from storage.schedules import ScheduleStore

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class App:
    """Every long-lived resource of one process, built once by :func:`open_app` and handed
    down; nothing changes it after. ``runtime`` is the one mutable part (``bot.state``)."""

    settings: Settings
    engine: AsyncEngine
    store: Store
    ledger: Ledger
    schedules: ScheduleStore
    http: httpx.AsyncClient
    clock: Clock = utcnow
    arxiv: ArxivClient | None = None
    # what the Discord runner and the scheduler tell /healthz, and the leader's scheduler
    runtime: Runtime = field(default_factory=Runtime)
    # one delivery per destination at a time in this process (bot.locks.destination_lock)
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)
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


def apply_discord_endpoints(settings: Settings) -> None:
    """Point discord.py at a configured REST proxy or gateway (process-wide class attributes:
    discord.py 2.7 has no per-client option). Done once, by :func:`open_app`."""
    discord = settings.discord
    if discord.api_base_url or discord.gateway_url:
        # imported here for its cost only (discord.py takes ~0.5 s to load; most commands
        # never need it): bot.endpoints imports nothing of bot
        from bot.endpoints import apply_endpoints

        apply_endpoints(discord.api_base_url, discord.gateway_url)


@asynccontextmanager
async def open_app(
    settings: Settings, *, migrate: bool = True, clock: Clock = utcnow
) -> AsyncIterator[App]:
    """The composition root: open the database (migrated to head unless told not to), its
    repositories and ledger, the shared HTTP client and the arXiv client, all under one exit
    stack; point discord.py at the configured endpoints; hand them down as one :class:`App`."""
    async with AsyncExitStack() as stack:
        engine = create_engine(settings.database)
        stack.push_async_callback(engine.dispose)
        ledger = Ledger(engine)
        if migrate:
            await upgrade(engine)
            # a destination's digests carry what is first seen from its registration on
            now = clock()
            for destination in settings.all_destinations():
                await ledger.ensure_destination(destination.name, destination.platform, now)
        http = await stack.enter_async_context(new_client())
        apply_discord_endpoints(settings)
        yield App(
            settings,
            engine,
            Store(engine),
            ledger,
            ScheduleStore(engine),
            http,
            clock,
            build_arxiv_client(settings),
        )
