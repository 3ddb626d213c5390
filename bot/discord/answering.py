"""A slash command answered in one response when it is quick, deferred only when it is not.

Discord drops an interaction not acknowledged within 3 s. Deferring every command first
("thinking…", then a follow-up message) always meets that, but costs two HTTP requests and a
visible flicker for a command that answers in milliseconds. ``working(ctx)`` wraps the slow
part of a command instead: if it is still running after ``DEFER_AFTER_SECONDS``, the
interaction is deferred then (and the answer comes as a follow-up); otherwise the answer is the
interaction's first and only response. A prefix command shows "typing…" as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import discord
from discord.ext import commands

log = logging.getLogger(__name__)

# from the command starting to run; a command that waited for its member's previous one was
# deferred already (bot/discord/client.py), so the interaction is never older than this plus
# the gateway's delivery when the timer fires
DEFER_AFTER_SECONDS = 1.5


@contextlib.asynccontextmanager
async def working(ctx: commands.Context[Any], *, ephemeral: bool = False) -> AsyncIterator[None]:
    """While the body runs: "typing…" for a prefix command; for a slash command, a deferral
    only once the body has run ``DEFER_AFTER_SECONDS``."""
    if ctx.interaction is None:
        async with ctx.typing():
            yield
        return
    async with deferred_if_slow(ctx.interaction, ephemeral=ephemeral):
        yield


@contextlib.asynccontextmanager
async def deferred_if_slow(
    interaction: discord.Interaction, *, ephemeral: bool = False
) -> AsyncIterator[None]:
    """An interaction (a slash command's, a menu's) deferred ("thinking…") only once the body
    has run ``DEFER_AFTER_SECONDS``; the answer then comes as a followup."""
    deferring: asyncio.Task[Any] | None = None

    def defer() -> None:
        nonlocal deferring
        if not interaction.response.is_done():
            deferring = asyncio.create_task(
                interaction.response.defer(ephemeral=ephemeral, thinking=True)
            )

    timer = asyncio.get_running_loop().call_later(DEFER_AFTER_SECONDS, defer)
    try:
        yield
    finally:
        timer.cancel()
        if deferring is not None:
            # the answer must follow the deferral, never race it; a deferral Discord refused
            # (the interaction expired) leaves the answer to fail and be reported on its own
            try:
                await deferring
            except discord.HTTPException as exc:
                log.warning("could not defer a slow command: %s", exc)
