"""shortbot's own Discord client, made for the fake Discord (no 5 s wait before re-IDENTIFY,
a short wait for guilds), and run for the duration of a block."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot.app import App
from tests.fakediscord import running_bot


def make_test_bot(app: App) -> Any:
    from bot.discord.client import ShortBot

    class TestBot(ShortBot):
        async def before_identify_hook(
            self, shard_id: int | None, *, initial: bool = False
        ) -> None:
            """discord.py waits 5 s before a re-IDENTIFY; not in tests."""

    shortbot = TestBot(app)
    shortbot._connection.guild_ready_timeout = 0.1
    return shortbot


@asynccontextmanager
async def serving(app: App, token: str) -> AsyncIterator[Any]:
    """The bot of ``app`` logged in to the fake Discord with ``token`` until the block ends."""
    shortbot = make_test_bot(app)
    async with running_bot(shortbot, token):
        yield shortbot
