"""Discord: a channel posted to through the bot's login, or a webhook."""

from __future__ import annotations

from contextlib import AsyncExitStack

from bot.platforms.base import Build, DestinationError, secret
from bot.settings import DestinationSettings
from papers.discord_threads import ThreadStyle
from papers.publishing import Publisher
from publishers.discord import DiscordChannelPublisher, DiscordSession, DiscordWebhookPublisher


async def open_session(stack: AsyncExitStack, token: str) -> DiscordSession:
    """One bot login for the run, closed with ``stack`` (no request until first needed)."""
    return await stack.enter_async_context(DiscordSession(token))


async def build_channel(run: Build, config: DestinationSettings) -> Publisher:
    if config.channel_id is None:
        raise DestinationError(f"destinations.{config.name}.channel_id is not set")
    return await channel(
        run,
        config.name,
        config.channel_id,
        ping_role_id=config.ping_role_id,
        thread=config.thread_style,
    )


async def channel(
    run: Build,
    name: str,
    channel_id: int,
    *,
    guild_id: int | None = None,
    ping_role_id: int | None = None,
    thread: ThreadStyle | None = None,
) -> DiscordChannelPublisher:
    """A channel publisher on the run's Discord login (``guild_id`` when known: no lookup);
    with ``ping_role_id``, its digests mention that role and carry the "Notify me" button;
    ``thread``: a thread per digest, or not. A forum channel (found when its guild is not
    known) gets a post per paper, each paper's post kept in the run's store."""
    publisher = DiscordChannelPublisher(
        name,
        channel_id=channel_id,
        token=secret(run.settings.discord.token, "SHORTBOT_DISCORD__TOKEN"),
        session=run.discord_session,
        guild_id=guild_id,
        ping_role_id=ping_role_id,
        thread=thread,
        homes=run.homes,
    )
    return await run.stack.enter_async_context(publisher)


async def build_webhook(run: Build, config: DestinationSettings) -> Publisher:
    url = secret(config.webhook_url, f"destinations.{config.name}.webhook_url")
    try:
        # the run's bot login reads the webhook's channel to find a cut-off post again
        webhook = DiscordWebhookPublisher(
            config.name,
            url=url,
            reader=run.discord_session,
            ping_role_id=config.ping_role_id,
        )
    except ValueError:
        raise DestinationError(
            "webhook_url is not a Discord webhook URL (https://discord.com/api/webhooks/ID/TOKEN)"
        ) from None
    return await run.stack.enter_async_context(webhook)
