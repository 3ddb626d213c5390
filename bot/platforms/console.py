"""The console: digests printed to standard output."""

from __future__ import annotations

from bot.platforms.base import Build
from bot.settings import DestinationSettings
from papers.publishing import Publisher
from publishers.console import ConsolePublisher


async def build(run: Build, config: DestinationSettings) -> Publisher:
    return ConsolePublisher(config.name)
