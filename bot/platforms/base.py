"""What every publisher factory gets, and the error it raises."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import SecretStr

from bot.settings import DestinationSettings, Settings
from papers.ports import ThreadHomes
from papers.publishing import Publisher


class DestinationError(Exception):
    """A destination cannot be built (missing credentials, bad settings); says which."""


@dataclass(frozen=True)
class Build:
    """One run's shared parts: publishers built with it close when ``stack`` closes."""

    settings: Settings
    http: httpx.AsyncClient
    stack: AsyncExitStack
    discord_session: Any = None  # the run's one Discord login (publishers.discord.DiscordSession)
    homes: ThreadHomes | None = None  # each paper's forum post (the store)


Factory = Callable[[Build, DestinationSettings], Awaitable[Publisher]]


def secret(value: SecretStr | None, what: str) -> str:
    """The secret's value; DestinationError naming ``what`` when it is not set."""
    if value is None or not value.get_secret_value():
        raise DestinationError(f"{what} is not set")
    return value.get_secret_value()
