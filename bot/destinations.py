"""Destinations: configured ``[[destinations]]``, Discord channels with subscriptions, and the
console. Opens each platform's adapter once per run and closes it after."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import App
from bot.settings import DestinationSettings, Settings
from papers.delivery import DeliveryPolicy
from papers.model import Subscription, SubscriptionKind
from papers.publishing import Publisher
from publishers.console import ConsolePublisher

log = logging.getLogger(__name__)


class DestinationError(Exception):
    """A destination cannot be built (missing credentials, bad settings); says which."""


@dataclass(frozen=True)
class Destination:
    publisher: Publisher
    policy: DeliveryPolicy


def rules_of(config: DestinationSettings) -> tuple[Subscription, ...]:
    out = [Subscription(0, 0, 0, SubscriptionKind.CATEGORY, c) for c in config.categories]
    out += [Subscription(0, 0, 0, SubscriptionKind.KEYWORD, k.casefold()) for k in config.keywords]
    if config.min_votes:
        out.append(Subscription(0, 0, 0, SubscriptionKind.MIN_VOTES, str(config.min_votes)))
    if config.replacements:
        out.append(Subscription(0, 0, 0, SubscriptionKind.REPLACEMENTS, "yes"))
    return tuple(out)


def apply_discord_endpoints(app: App) -> None:
    """Point discord.py at the configured REST base (a proxy, or a test's fake Discord)."""
    from bot.discord.client import apply_endpoints

    apply_endpoints(app.settings.discord.api_base_url, app.settings.discord.gateway_url)


def atom_path(settings: Settings, config: DestinationSettings) -> Path:
    """The file an ``atom`` destination writes (and ``/feeds/{name}.atom`` serves)."""
    return Path(config.path or settings.data_dir / f"{config.name}.atom")


def _secret(value: Any, what: str) -> str:
    if value is None or not value.get_secret_value():
        raise DestinationError(f"{what} is not set")
    return str(value.get_secret_value())


async def _publisher(
    app: App, config: DestinationSettings, stack: AsyncExitStack, session: Any = None
) -> Publisher:
    """``session``: the run's shared Discord login (``publishers.discord.DiscordSession``)."""
    settings = app.settings
    if config.platform == "console":
        return ConsolePublisher(config.name)
    if config.platform == "atom":
        from publishers.atom import AtomPublisher

        return AtomPublisher(
            config.name,
            path=atom_path(settings, config),
            feed_url=config.feed_url or settings.digest_url,
        )
    if config.platform == "facebook":
        from publishers.facebook import FacebookPublisher

        page_id = settings.facebook.page_id
        if not page_id:
            raise DestinationError("facebook.page_id is not set")
        return FacebookPublisher(
            config.name,
            page_id=page_id,
            page_token=_secret(settings.facebook.page_token, "SHORTBOT_FACEBOOK__PAGE_TOKEN"),
            client=app.http,
            graph_url=settings.facebook.graph_url,
            version=settings.facebook.version,
            digest_url=settings.digest_url,
        )
    if config.platform == "x":
        from publishers.x import XPublisher

        x = settings.x
        return XPublisher(
            config.name,
            consumer_key=_secret(x.api_key, "SHORTBOT_X__API_KEY"),
            consumer_secret=_secret(x.api_secret, "SHORTBOT_X__API_SECRET"),
            access_token=_secret(x.access_token, "SHORTBOT_X__ACCESS_TOKEN"),
            access_token_secret=_secret(x.access_secret, "SHORTBOT_X__ACCESS_SECRET"),
            mode=config.mode,
            link_mode=config.link_mode,
            digest_url=settings.digest_url,
        )
    if config.platform == "discord-webhook":
        from publishers.discord import DiscordWebhookPublisher

        apply_discord_endpoints(app)
        try:
            webhook = DiscordWebhookPublisher(
                config.name,
                url=_secret(config.webhook_url, f"destinations.{config.name}.webhook_url"),
            )
        except ValueError:
            raise DestinationError(
                "webhook_url is not a Discord webhook URL (https://discord.com/api/webhooks/ID/TOKEN)"
            ) from None
        await stack.enter_async_context(webhook)
        return webhook
    if config.platform == "discord":
        from publishers.discord import DiscordChannelPublisher

        apply_discord_endpoints(app)
        if config.channel_id is None:
            raise DestinationError(f"destinations.{config.name}.channel_id is not set")
        channel = DiscordChannelPublisher(
            config.name,
            channel_id=config.channel_id,
            token=_secret(settings.discord.token, "SHORTBOT_DISCORD__TOKEN"),
            session=session,
        )
        await stack.enter_async_context(channel)
        return channel
    raise DestinationError(f"unknown platform {config.platform}")


@asynccontextmanager
async def open_destinations(
    app: App, *, only: str | None = None
) -> AsyncIterator[tuple[list[Destination], list[str]]]:
    """Every destination (or just ``only``), ready to publish; and the ones that could not be
    built, each with its reason. Closed on exit."""
    problems: list[str] = []
    async with AsyncExitStack() as stack:
        session = await _discord_session(app, stack)
        out: list[Destination] = []
        for config in app.settings.all_destinations():
            if only and config.name != only:
                continue
            try:
                publisher = await _publisher(app, config, stack, session)
            except DestinationError as exc:
                problems.append(f"{config.name}: {exc}")
                continue
            policy = DeliveryPolicy(
                max_items=config.max_items or app.settings.digest.max_items,
                rules=rules_of(config),
                daily_budget=config.daily_budget,
            )
            out.append(Destination(publisher, policy))
        if app.settings.discord.token is not None:
            out += await _subscribed_channels(app, stack, only, problems, session)
        yield out, problems


async def _discord_session(app: App, stack: AsyncExitStack) -> Any:
    """One Discord login for the run, shared by its channel publishers (closed last); None
    without a bot token. Makes no request until a publisher first needs it."""
    token = app.settings.discord.token
    if token is None or not token.get_secret_value():
        return None
    from publishers.discord import DiscordSession

    apply_discord_endpoints(app)
    return await stack.enter_async_context(DiscordSession(token.get_secret_value()))


async def _subscribed_channels(
    app: App,
    stack: AsyncExitStack,
    only: str | None,
    problems: list[str],
    session: Any = None,
) -> list[Destination]:
    """Every Discord channel a maintainer subscribed: destination ``discord:{channel id}``."""
    by_channel: dict[int, list[Subscription]] = {}
    for sub in await app.store.list_subscriptions(guild_id=None):
        by_channel.setdefault(sub.channel_id, []).append(sub)
    out = []
    for channel_id, subs in by_channel.items():
        name = f"discord:{channel_id}"
        if only and name != only:
            continue
        from publishers.discord import DiscordChannelPublisher

        apply_discord_endpoints(app)
        try:
            publisher = DiscordChannelPublisher(
                name,
                channel_id=channel_id,
                token=_secret(app.settings.discord.token, "SHORTBOT_DISCORD__TOKEN"),
                session=session,
                guild_id=subs[0].guild_id or None,  # known: the channel needs no lookup
            )
            await stack.enter_async_context(publisher)
        except DestinationError as exc:
            problems.append(f"{name}: {exc}")
            continue
        policy = DeliveryPolicy(max_items=app.settings.digest.max_items, rules=tuple(subs))
        out.append(Destination(publisher, policy))
    return out
