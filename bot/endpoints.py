"""Pointing discord.py at another REST base or gateway (a proxy, or the tests' fake Discord)."""

from __future__ import annotations

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route


def apply_endpoints(api_base_url: str | None, gateway_url: str | None) -> None:
    """Process-wide class attributes: discord.py 2.7 has no per-client option. A plain
    Client connects to DEFAULT_GATEWAY."""
    if api_base_url:
        Route.BASE = api_base_url.rstrip("/")
    if gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
