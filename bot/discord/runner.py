"""Running the Discord bot beside the polling loop, and ``shortbot discord sync``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import discord

from bot.app import App
from bot.discord.client import ShortBot

log = logging.getLogger(__name__)


class DiscordLoginError(Exception):
    """Discord refused the token or cannot be reached; the message says which."""


def _token(app: App) -> str:
    token = app.settings.discord.token
    if token is None or not token.get_secret_value().strip():
        raise DiscordLoginError("no Discord token: set SHORTBOT_DISCORD__TOKEN")
    return token.get_secret_value().strip()


async def run_with_discord(app: App, loop: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Serve Discord commands while ``loop`` polls and publishes; stop when either stops."""
    token = _token(app)
    bot = ShortBot(app)
    app.runtime.discord_ready = lambda: bot.is_ready() and not bot.is_closed()
    async with bot:
        bot_task = asyncio.create_task(bot.start(token), name="discord")
        loop_task = asyncio.create_task(loop(), name="poll-loop")
        done, _ = await asyncio.wait({bot_task, loop_task}, return_when=asyncio.FIRST_COMPLETED)
        if loop_task in done:
            await bot.close()
        else:
            loop_task.cancel()
        for task in (bot_task, loop_task):
            try:
                await task
            except asyncio.CancelledError:
                pass
            except discord.LoginFailure:
                raise DiscordLoginError("Discord refused the token (check it is current)") from None
            except (discord.GatewayNotFound, discord.ConnectionClosed, OSError) as exc:
                raise DiscordLoginError(f"cannot reach Discord: {exc}") from None


async def sync_commands(app: App) -> int:
    """Log in, register the slash commands, log out. Returns how many were synced."""
    token = _token(app)
    bot = ShortBot(app)
    async with bot:
        try:
            await bot.login(token)  # runs setup_hook, which loads the cogs
        except discord.LoginFailure:
            raise DiscordLoginError("Discord refused the token (check it is current)") from None
        synced = await bot.tree.sync()
    return len(synced)
