"""Maintainers' schedule commands: ``schedule show | set | pause | resume`` and ``digest now``.

A destination is named by a channel of this server (``#papers``: its subscribed digest,
``discord:{id}``) or by the name of a configured Discord destination whose channel is in this
server. Other servers' channels and the configured X, Facebook or Atom destinations are not
for a server's maintainers (the CLI manages those): they are refused as unknown, unseen.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import schedules
from bot.discord.admin_cog import _guild, check_maintainer
from bot.discord.views import embed
from papers import discord_render as render
from papers.schedule import EXAMPLES, BadSchedule

if TYPE_CHECKING:
    from bot.discord.client import ShortBot

_CHANNEL = re.compile(r"^(?:<#(\d{15,22})>|(\d{15,22}))$")


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

    def _guild_destinations(self, guild: discord.Guild) -> dict[str, str]:
        """Configured Discord destinations whose channel is in ``guild``: name → label."""
        out = {}
        for config in self.bot.app.settings.all_destinations():
            if config.platform == "discord" and config.channel_id is not None:
                channel = guild.get_channel(config.channel_id)
                if channel is not None:
                    out[config.name] = f"{config.name} (#{channel.name})"
        return out

    def _resolve(self, ctx: commands.Context[ShortBot], text: str) -> tuple[str, str]:
        """(destination name, label) for what a maintainer typed, or BadArgument."""
        guild = _guild(ctx)
        cleaned = text.strip()
        match = _CHANNEL.match(cleaned)
        if match:
            channel = guild.get_channel(int(match.group(1) or match.group(2)))
            if not isinstance(channel, discord.TextChannel):
                raise commands.BadArgument(
                    "that is not a channel of this server (name a text channel here)"
                )
            return f"discord:{channel.id}", f"#{channel.name}"
        configured = self._guild_destinations(guild)
        if cleaned in configured:
            return cleaned, configured[cleaned]
        raise commands.BadArgument(
            f"{render.escape(cleaned[:60])} is not a channel of this server or one of its "
            "destinations"
        )

    @staticmethod
    def _no_digest(ctx: commands.Context[ShortBot], label: str) -> str:
        """Said instead of the list of destinations (other servers' are not to be seen)."""
        return (
            f"{render.escape(label)} has no digest yet: subscribe it first "
            f"(`{ctx.clean_prefix}subscribe cs.LG {render.escape(label)}`)"
        )

    async def _rows(self, guild: discord.Guild) -> list[tuple[str, schedules.ScheduleRow]]:
        mine = self._guild_destinations(guild)
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
        guild = _guild(ctx)
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
                {"title": "Digest schedules", "description": render.clip("\n".join(lines), 4000)}
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
        name, label = self._resolve(ctx, destination)
        try:
            row = await schedules.set_schedule(
                self.bot.app, name, when, by=f"discord:{ctx.author.id}"
            )
        except schedules.UnknownDestination:
            raise commands.BadArgument(self._no_digest(ctx, label)) from None
        except (BadSchedule, LookupError) as exc:
            raise commands.BadArgument(
                render.escape(str(exc.args[0] if exc.args else exc))
            ) from None
        await ctx.send(
            f"The digest of **{render.escape(label)}** now goes out {row.describe}"
            f"; next: {_when(row)}."
        )

    async def _pause(self, ctx: commands.Context[ShortBot], destination: str, paused: bool) -> None:
        name, label = self._resolve(ctx, destination)
        try:
            row = await schedules.set_paused(
                self.bot.app, name, paused, by=f"discord:{ctx.author.id}"
            )
        except schedules.UnknownDestination:
            raise commands.BadArgument(self._no_digest(ctx, label)) from None
        except LookupError as exc:
            raise commands.BadArgument(
                render.escape(str(exc.args[0] if exc.args else exc))
            ) from None
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

    async def digest_now(self, ctx: commands.Context[ShortBot], destination: str) -> None:
        """``digest now DESTINATION`` (registered on the maintainers' ``digest`` group)."""
        from bot.digest_cli import deliver_all, describe

        name, label = self._resolve(ctx, destination)
        await ctx.defer()
        app = self.bot.app
        reports = await deliver_all(app, which=lambda n: n == name)
        if not reports:
            await ctx.send(
                f"**{render.escape(label)}** has no digest to send now (no subscription, or "
                "another process is sending it)."
            )
            return
        text = describe(reports[0]).split(": ", 1)[1]
        await ctx.send(f"Digest of **{render.escape(label)}** sent now: {render.escape(text)}.")
