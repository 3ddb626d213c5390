"""Wiring: the long-lived resources, opened once and handed to whatever needs them."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from bot.settings import Settings
from papers.usecases import Clock, utcnow
from sources.arxiv import ArxivClient
from sources.fetch import new_client
from storage.db import create_engine, upgrade
from storage.ledger import Ledger
from storage.repository import Store

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    store: Store
    http: httpx.AsyncClient
    clock: Clock = utcnow
    arxiv: ArxivClient | None = None


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
