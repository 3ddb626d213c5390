"""Maintainers' schedule commands: ``schedule show | set | pause | resume | kind`` (``kind``: a
channel's digest is what is new, or the best of a window). Destinations are named as
``bot.discord.checks.resolve_destination`` says."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import schedules, subscriptions
from bot.discord.checks import check_maintainer, guild_destinations, guild_of, resolve_destination
from bot.discord.client import ShortBot
from bot.discord.views import embed
from papers import discord_limits as limits
from papers import discord_render as render
from papers import top
from papers.schedule import EXAMPLES


def _when(row: schedules.ScheduleRow) -> str:
    if row.next_run is None:
        return "—"
    return (
        discord.utils.format_dt(row.next_run, "F")
        + f" ({discord.utils.format_dt(row.next_run, 'R')})"
    )


class ScheduleCog(commands.Cog, name="Schedules"):
    def __init__(self, bot: ShortBot) -> None:
        self.bot = bot

    async def cog_check(self, ctx: commands.Context[ShortBot]) -> bool:  # type: ignore[override]
        return await check_maintainer(ctx)

    @staticmethod
    def _no_digest(ctx: commands.Context[ShortBot], label: str) -> str:
        """Said instead of the list of destinations (other servers' are not to be seen)."""
        return (
            f"{render.escape(label)} has no digest yet: subscribe it first "
            f"(`{ctx.clean_prefix}subscribe cs.LG {render.escape(label)}`)"
        )

    async def _rows(self, guild: discord.Guild) -> list[tuple[str, schedules.ScheduleRow]]:
        mine = guild_destinations(self.bot, guild)
        out = []
        for row in await schedules.rows_of(self.bot.app):
            if row.destination.startswith("discord:"):
                channel = guild.get_channel(int(row.destination.split(":", 1)[1]))
                if channel is not None:
                    out.append((f"#{channel.name}", row))
            elif row.destination in mine:
                out.append((mine[row.destination], row))
        return out

    @commands.hybrid_group(
        name="schedule", description="When digests go out", invoke_without_command=True
    )
    async def schedule(self, ctx: commands.Context[ShortBot]) -> None:
        await self.schedule_show(ctx)

    @schedule.command(
        ignore_extra=False, name="show", description="Every digest of this server and its next run"
    )
    async def schedule_show(self, ctx: commands.Context[ShortBot]) -> None:
        guild = guild_of(ctx)
        rows = await self._rows(guild)
        if not rows:
            await ctx.send(
                "No digests in this server yet: `subscribe` a channel first "
                f"(e.g. `{ctx.clean_prefix}subscribe cs.LG #papers`)."
            )
            return
        lines = [
            f"**{render.escape(label)}**: {row.describe} — next: {_when(row)}"
            for label, row in rows
        ]
        await ctx.send(
            embed=embed(
                {"title": "Digest schedules", "description": limits.clip("\n".join(lines), 4000)}
            )
        )

    @schedule.command(
        ignore_extra=False,
        name="set",
        usage="DESTINATION WHEN [TZ]",
        description="Set when a digest goes out",
        help=f"WHEN: {EXAMPLES}; TZ: a time zone such as Europe/Berlin (default UTC). "
        "Example: schedule set #papers daily 09:00 Europe/Berlin",
    )
    @app_commands.describe(
        destination="#channel or destination name", when="e.g. daily 09:00 Europe/Berlin"
    )
    async def schedule_set(
        self, ctx: commands.Context[ShortBot], destination: str, *, when: str
    ) -> None:
        name, label = resolve_destination(ctx, destination)
        try:
            row = await schedules.set_schedule(
                self.bot.app, name, when, by=f"discord:{ctx.author.id}"
            )
        except schedules.UnknownDestination:
            raise commands.BadArgument(self._no_digest(ctx, label)) from None
        await ctx.send(
            f"The digest of **{render.escape(label)}** now goes out {row.describe}"
            f"; next: {_when(row)}."
        )

    async def _pause(self, ctx: commands.Context[ShortBot], destination: str, paused: bool) -> None:
        name, label = resolve_destination(ctx, destination)
        try:
            row = await schedules.set_paused(
                self.bot.app, name, paused, by=f"discord:{ctx.author.id}"
            )
        except schedules.UnknownDestination:
            raise commands.BadArgument(self._no_digest(ctx, label)) from None
        state = "paused" if paused else f"resumed; next: {_when(row)}"
        await ctx.send(f"The schedule of **{render.escape(label)}** is {state}.")

    @schedule.command(
        ignore_extra=False,
        name="pause",
        usage="DESTINATION",
        description="Pause a digest's schedule",
    )
    @app_commands.describe(destination="#channel or destination name")
    async def schedule_pause(self, ctx: commands.Context[ShortBot], destination: str) -> None:
        await self._pause(ctx, destination, True)

    @schedule.command(
        ignore_extra=False,
        name="resume",
        usage="DESTINATION",
        description="Resume a paused schedule",
    )
    @app_commands.describe(destination="#channel or destination name")
    async def schedule_resume(self, ctx: commands.Context[ShortBot], destination: str) -> None:
        await self._pause(ctx, destination, False)

    @schedule.command(
        ignore_extra=False,
        name="kind",
        usage="#CHANNEL new|top [WINDOW]",
        description="Make a digest the best of a window (top) or what is new",
        help="top: at each run the digest posts the best-voted summaries first seen in the "
        "last WINDOW (24h, 7d, 30d; default 7d), best first, each once, leaving the others for "
        "the next run while they are in the window; new (the default): what is new since the "
        "last digest. Example: schedule kind #papers top 7d, then "
        "schedule set #papers weekly mon 09:00",
    )
    @app_commands.describe(
        destination="#channel", kind="new or top", window="top only: e.g. 7d, 24h, 30d"
    )
    async def schedule_kind(
        self,
        ctx: commands.Context[ShortBot],
        destination: str,
        kind: str,
        window: str | None = None,
    ) -> None:
        name, label = resolve_destination(ctx, destination)
        if not name.startswith("discord:"):
            raise commands.BadArgument(
                f"{render.escape(label)} is configured in the configuration file: set its "
                "`kind` and `window` there"
            )
        span = await subscriptions.set_kind(
            self.bot.app,
            guild_id=guild_of(ctx).id,
            channel_id=int(name.split(":", 1)[1]),
            kind=kind,
            window=window,
            by=ctx.author.id,
        )
        what = (
            "now carries what is new since its last digest"
            if span is None
            else f"is now {top.heading(span).lower()}: at each run, the best-voted summaries "
            f"first seen in the last {top.window_text(span)}, each posted once"
        )
        await ctx.send(f"The digest of **{render.escape(label)}** {what}.")


async def setup(bot: ShortBot) -> None:
    await bot.add_cog(ScheduleCog(bot))
