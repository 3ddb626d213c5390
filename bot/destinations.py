"""Destinations: configured ``[[destinations]]``, Discord channels with subscriptions, and the
console, each built by its platform's factory (``bot.platforms``) once per run and closed
after."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from bot.app import App
from bot.platforms import DISCORD_CHANNEL, DISCORD_SESSION, Build, DestinationError, factory, load
from bot.settings import DestinationSettings
from papers import top
from papers.delivery import DeliveryPolicy
from papers.discord_pings import filter_rules, ping_role
from papers.discord_threads import style_of
from papers.model import Subscription
from papers.model import SubscriptionKind as Kind
from papers.publishing import Publisher

log = logging.getLogger(__name__)

__all__ = ["Destination", "DestinationError", "channel_policy", "open_destinations", "rules_of"]


@dataclass(frozen=True)
class Destination:
    publisher: Publisher
    policy: DeliveryPolicy


def rules_of(config: DestinationSettings) -> tuple[Subscription, ...]:
    """A configured destination's filters, as the rules a Discord channel's subscriptions are
    (the settings hold them already read as ``subscribe`` reads them)."""
    lists = (
        (Kind.CATEGORY, config.categories),
        (Kind.KEYWORD, config.keywords),
        (Kind.AUTHOR, config.authors),
        (Kind.EXCLUDE_CATEGORY, config.exclude_categories),
        (Kind.EXCLUDE_KEYWORD, config.exclude_keywords),
    )
    out = [Subscription(0, 0, 0, kind, value) for kind, values in lists for value in values]
    if config.min_votes:
        out.append(Subscription(0, 0, 0, Kind.MIN_VOTES, str(config.min_votes)))
    if config.replacements:
        out.append(Subscription(0, 0, 0, Kind.REPLACEMENTS, "yes"))
    return tuple(out)


def reconcile_window(app: App, platform: str) -> float:
    """How long a cut-off send is looked for on ``platform`` (its reads lag its writes)."""
    settings = app.settings
    windows = {
        "discord": settings.discord.reconcile_window,
        "discord-webhook": settings.discord.reconcile_window,
        "x": settings.x.reconcile_window,
        "facebook": settings.facebook.reconcile_window,
    }
    return float(windows.get(platform, 0))  # a file, a terminal: read back at once


@asynccontextmanager
async def open_run(app: App) -> AsyncIterator[Build]:
    """One run's shared parts: its exit stack and, with a bot token, one Discord login shared
    by its channel publishers (closed last; no request until a publisher first needs it)."""
    async with AsyncExitStack() as stack:
        token = app.settings.discord.token
        session = None
        if token is not None and token.get_secret_value():
            session = await load(DISCORD_SESSION)(stack, token.get_secret_value())
        yield Build(app.settings, app.http, stack, session, homes=app.store)


@asynccontextmanager
async def open_destinations(
    app: App, *, only: str | None = None
) -> AsyncIterator[tuple[list[Destination], list[str]]]:
    """Every destination (or just ``only``), ready to publish; and the ones that could not be
    built, each with its reason. Closed on exit."""
    problems: list[str] = []
    async with open_run(app) as run:
        out: list[Destination] = []
        for config in app.settings.all_destinations():
            if only and config.name != only:
                continue
            try:
                publisher = await factory(config.platform)(run, config)
            except DestinationError as exc:
                problems.append(f"{config.name}: {exc}")
                continue
            window = config.top_window
            policy = DeliveryPolicy(
                max_items=config.max_items or max_items(app, window),
                rules=rules_of(config),
                window=window,
                daily_budget=config.daily_budget,
                reconcile_window_seconds=reconcile_window(app, config.platform),
            )
            out.append(Destination(publisher, policy))
        if run.discord_session is not None:
            out += await _subscribed_channels(app, run, only, problems)
        yield out, problems


async def _subscribed_channels(
    app: App, run: Build, only: str | None, problems: list[str]
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
        if not filter_rules(subs):  # a ping role alone subscribes to nothing
            continue
        try:
            # the guild is known: the channel needs no lookup, but a forum's (its tags)
            forum = any(s.kind is Kind.FORUM for s in subs)
            guild = None if forum else subs[0].guild_id or None
            publisher = await load(DISCORD_CHANNEL)(
                run,
                name,
                channel_id,
                guild_id=guild,
                ping_role_id=ping_role(subs),
                thread=style_of(subs),
            )
        except DestinationError as exc:
            problems.append(f"{name}: {exc}")
            continue
        out.append(Destination(publisher, channel_policy(app, subs)))
    return out


def max_items(app: App, window: timedelta | None) -> int:
    """A digest's length when its destination sets none: a top digest's is ``TOP_ITEMS``."""
    return top.TOP_ITEMS if window is not None else app.settings.digest.max_items


def channel_policy(app: App, subs: Sequence[Subscription]) -> DeliveryPolicy:
    """A subscribed channel's policy: its filters, and its window when its digest is a top
    digest (its ``top`` rule, ``papers.top``)."""
    window = top.window_of(subs)
    return DeliveryPolicy(
        max_items=max_items(app, window),
        rules=tuple(s for s in subs if s.kind not in (Kind.TOP, Kind.THREAD, Kind.FORUM)),
        window=window,
        reconcile_window_seconds=reconcile_window(app, "discord"),
    )
