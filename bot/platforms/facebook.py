"""A Facebook Page, through the Graph API on the run's shared HTTP client."""

from __future__ import annotations

from bot.platforms.base import Build, DestinationError, secret
from bot.settings import DestinationSettings
from papers.publishing import Publisher
from publishers.facebook import FacebookPublisher


async def build(run: Build, config: DestinationSettings) -> Publisher:
    facebook = run.settings.facebook
    if not facebook.page_id:
        raise DestinationError("facebook.page_id is not set")
    return FacebookPublisher(
        config.name,
        page_id=facebook.page_id,
        page_token=secret(facebook.page_token, "SHORTBOT_FACEBOOK__PAGE_TOKEN"),
        client=run.http,
        graph_url=facebook.graph_url,
        version=facebook.version,
        digest_url=run.settings.digest_url,
    )
