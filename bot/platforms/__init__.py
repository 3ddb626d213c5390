"""Each platform's publisher, built by its own factory and registered by platform name.

A new platform is one new module here (a ``build`` factory) and one line in ``FACTORIES``.
A factory gets the run's :class:`~bot.platforms.base.Build` (settings, the shared HTTP client,
the run's exit stack, the run's Discord login) and one ``[[destinations]]`` table; it returns
a ready :class:`~papers.publishing.Publisher` whose resources close with the stack, or raises
:class:`~bot.platforms.base.DestinationError` saying what is missing.

The registry names each factory by ``module:function`` and loads it on first use: a platform's
SDK (discord.py, tweepy: about 0.9 s together) loads only in a process that delivers there,
so ``shortbot lookup`` and the other commands start without them.
"""

from __future__ import annotations

import importlib
from typing import Any

from bot.platforms.base import Build, DestinationError, Factory

FACTORIES: dict[str, str] = {
    "console": "bot.platforms.console:build",
    "atom": "bot.platforms.atom:build",
    "facebook": "bot.platforms.facebook:build",
    "x": "bot.platforms.x:build",
    "discord": "bot.platforms.discord:build_channel",
    "discord-webhook": "bot.platforms.discord:build_webhook",
}
# the run's one Discord login, and a channel publisher on it (alerts, subscribed channels)
DISCORD_SESSION = "bot.platforms.discord:open_session"
DISCORD_CHANNEL = "bot.platforms.discord:channel"


def load(target: str) -> Any:
    """The function ``module:function`` names (its module imported on first use)."""
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def factory(platform: str) -> Factory:
    """The publisher factory registered for ``platform``."""
    built: Factory = load(FACTORIES[platform])
    return built


__all__ = [
    "DISCORD_CHANNEL",
    "DISCORD_SESSION",
    "FACTORIES",
    "Build",
    "DestinationError",
    "Factory",
    "factory",
    "load",
]
