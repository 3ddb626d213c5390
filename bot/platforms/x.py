"""An X account (OAuth 1.0a user context, tweepy); its HTTP session closes with the run."""

from __future__ import annotations

from bot.platforms.base import Build, secret
from bot.settings import DestinationSettings
from papers.publishing import Publisher
from publishers.x import XPublisher


async def build(run: Build, config: DestinationSettings) -> Publisher:
    x = run.settings.x
    publisher = XPublisher(
        config.name,
        consumer_key=secret(x.api_key, "SHORTBOT_X__API_KEY"),
        consumer_secret=secret(x.api_secret, "SHORTBOT_X__API_SECRET"),
        access_token=secret(x.access_token, "SHORTBOT_X__ACCESS_TOKEN"),
        access_token_secret=secret(x.access_secret, "SHORTBOT_X__ACCESS_SECRET"),
        mode=config.mode,
        link_mode=config.link_mode,
        digest_url=run.settings.digest_url,
    )
    return await run.stack.enter_async_context(publisher)
