"""An Atom feed file, served at ``/feeds/{name}.atom`` while ``shortbot run`` runs."""

from __future__ import annotations

from bot.platforms.base import Build
from bot.settings import DestinationSettings
from papers.publishing import Publisher
from publishers.atom import AtomPublisher


async def build(run: Build, config: DestinationSettings) -> Publisher:
    settings = run.settings
    return AtomPublisher(
        config.name,
        path=settings.atom_path(config),
        feed_url=config.feed_url or settings.digest_url,
    )
