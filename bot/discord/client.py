"""The discord.py client: opened with the application's resources, cogs loaded in
``setup_hook``, every message sent with ``allowed_mentions`` none, one central error handler.
"""

from __future__ import annotations

import logging
import time
import uuid
import weakref

import discord
from discord.ext import commands

from bot import metrics
from bot.app import App
from bot.discord.turns import Turn, Turns
from papers import discord_render as render
from papers.errors import UserError
from papers.ids import UnusableQuery
from papers.ports import MetadataSource, Unavailable
from publishers.discord import paced_trace

log = logging.getLogger(__name__)


# the cogs, loaded by name in setup_hook: they import this module, it never imports them
EXTENSIONS = (
    "bot.discord.papers_cog",
    "bot.discord.admin_cog",
    "bot.discord.schedule_cog",
    "bot.discord.notify",
)


def _sentence(reason: str) -> str:
    """A reason as one short sentence: capitalised, mentions defused, a full stop."""
    reason = reason.rstrip(".")
    reason = reason[:1].upper() + reason[1:]
    return f"{discord.utils.escape_mentions(reason)[:300]}."


class ShortBot(commands.Bot):
    def __init__(self, app: App, *, metadata: MetadataSource | None = None) -> None:
        settings = app.settings.discord
        intents = discord.Intents.default()
        intents.message_content = settings.message_content
        super().__init__(
            command_prefix=commands.when_mentioned_or(settings.prefix),
            intents=intents,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            case_insensitive=True,
            strip_after_prefix=True,
            # the process's one pace for Discord's global limit, shared with the publishers
            http_trace=paced_trace(),
        )
        self.app = app
        self.metadata = metadata if metadata is not None else app.metadata
        # command timings for bot.metrics: [start] or, once a command failed inside, [start, end]
        self._timings: weakref.WeakKeyDictionary[commands.Context[ShortBot], list[float]] = (
            weakref.WeakKeyDictionary()
        )
        # each member's answers in the order of their commands (cogs with answers_in_order)
        self.turns = Turns()
        self._turn_of: weakref.WeakKeyDictionary[commands.Context[ShortBot], Turn] = (
            weakref.WeakKeyDictionary()
        )
        self.before_invoke(self._command_started)
        self.after_invoke(self._command_finished)

    async def get_context(  # type: ignore[override]
        self,
        origin: discord.Message | discord.Interaction[ShortBot],
        /,
        *,
        cls: type[commands.Context[ShortBot]] = commands.Context,
    ) -> commands.Context[ShortBot]:
        """The context, and the command's turn among its author's (taken before any pause, so
        in the order the commands arrived)."""
        ctx = await super().get_context(origin, cls=cls)
        # a slash command's context holds the app command, whose cog is its ``binding``
        cog = getattr(ctx.command, "cog", None) or getattr(ctx.command, "binding", None)
        if ctx.command is not None and getattr(cog, "answers_in_order", False):
            self._turn_of[ctx] = self.turns.take(ctx.author.id)
        return ctx

    async def _command_started(self, ctx: commands.Context[ShortBot]) -> None:
        await self._wait_turn(ctx, ephemeral=False)
        self._timings[ctx] = [time.perf_counter()]

    async def _wait_turn(self, ctx: commands.Context[ShortBot], *, ephemeral: bool) -> None:
        """Until the author's previous command has answered; a slash command deferred
        ("thinking…") meanwhile, so Discord keeps the interaction. No-op once waited."""
        turn = self._turn_of.get(ctx)
        if turn is None or turn.ready:
            return
        if ctx.interaction is not None and not ctx.interaction.response.is_done():
            await ctx.defer(ephemeral=ephemeral)  # a slash command's deferral is "thinking…"
        await turn.wait()

    async def _command_finished(self, ctx: commands.Context[ShortBot]) -> None:
        """Count a command that ran to its end; a failed one is counted by on_command_error
        (a failed slash command never gets here)."""
        if not ctx.command_failed:  # a failed one answers in on_command_error
            self._give_back_turn(ctx)
        timing = self._timings.get(ctx)
        if timing is None or ctx.command is None:
            return
        if ctx.command_failed:
            timing.append(time.perf_counter())
            return
        del self._timings[ctx]
        elapsed = time.perf_counter() - timing[0]
        metrics.record_command(ctx.command.qualified_name, "ok", elapsed)

    def _count_failure(self, ctx: commands.Context[ShortBot]) -> None:
        """error: it failed while running (timed); rejected: refused before it ran."""
        if ctx.command is None:
            return
        timing = self._timings.pop(ctx, None)
        if timing is None:
            metrics.record_command(ctx.command.qualified_name, "rejected", None)
            return
        end = timing[1] if len(timing) > 1 else time.perf_counter()
        metrics.record_command(ctx.command.qualified_name, "error", end - timing[0])

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:  # each cog module's setup() adds its cog
            await self.load_extension(extension)
        if self.app.settings.discord.sync_commands:
            synced = await self.tree.sync()
            log.info("slash commands synced count=%d", len(synced))

    async def on_command_error(  # type: ignore[override]
        self, ctx: commands.Context[ShortBot], error: commands.CommandError
    ) -> None:
        """The one place where errors become replies: usage, refusals, apologies with an id."""
        self._count_failure(ctx)
        try:
            message = self.describe_error(ctx, error)
            if message is None:
                return
            await self._wait_turn(ctx, ephemeral=True)  # refused before it ran: still in turn
            await ctx.send(message, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not send an error reply command=%s", ctx.command, exc_info=True)
        finally:
            self._give_back_turn(ctx)

    def _give_back_turn(self, ctx: commands.Context[ShortBot]) -> None:
        turn = self._turn_of.pop(ctx, None)
        if turn is not None:
            turn.give_back()

    def describe_error(
        self, ctx: commands.Context[ShortBot], error: commands.CommandError
    ) -> str | None:
        original = getattr(error, "original", error)
        if isinstance(error, commands.HybridCommandError):
            original = getattr(error.original, "original", error.original)
        usage = ""
        if ctx.command is not None:
            prefix = "/" if ctx.interaction else ctx.clean_prefix
            arguments = f" {ctx.command.usage}" if ctx.command.usage else ""
            usage = f"Usage: `{prefix}{ctx.command.qualified_name}{arguments}`"
        if isinstance(error, commands.CommandNotFound):
            return None
        if isinstance(original, UnusableQuery):
            return f"I can't look that up: {original.reason}. {usage}"
        if isinstance(original, UserError):  # the domain's one root: its reason, as is
            return _sentence(render.escape(original.reason)) + f" {usage}"
        if isinstance(original, Unavailable):
            return f"{original}."
        if isinstance(error, commands.CommandOnCooldown):
            return f"Slow down a little: try again in {error.retry_after:.0f} s."
        if isinstance(error, commands.NoPrivateMessage | commands.CheckFailure):
            return str(error) or "You can't use this command here."
        if isinstance(error, commands.UserInputError):
            reason = str(error)
            if isinstance(error, commands.MissingRequiredArgument):
                reason = f"{error.param.name} is missing"
            return _sentence(reason) + f" {usage}"
        error_id = uuid.uuid4().hex[:8]
        log.error("command failed error_id=%s command=%s", error_id, ctx.command, exc_info=original)
        return f"Sorry, something went wrong on my side (error id `{error_id}`)."
