"""Each platform's publisher, built by its own factory and registered by platform name.

A new platform is one new module here (a ``build`` factory) and one line in ``FACTORIES``.
A factory gets the run's :class:`~bot.platforms.base.Build` (settings, the shared HTTP client,
the run's exit stack, the run's Discord login) and one ``[[destinations]]`` table; it returns
a ready :class:`~papers.publishing.Publisher` whose resources close with the stack, or raises
:class:`~bot.platforms.base.DestinationError` saying what is missing.
"""

from __future__ import annotations

from bot.platforms import atom, console, discord, facebook, x
from bot.platforms.base import Build, DestinationError, Factory

FACTORIES: dict[str, Factory] = {
    "console": console.build,
    "atom": atom.build,
    "facebook": facebook.build,
    "x": x.build,
    "discord": discord.build_channel,
    "discord-webhook": discord.build_webhook,
}

__all__ = ["FACTORIES", "Build", "DestinationError", "Factory"]
