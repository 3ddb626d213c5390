"""What the maintainers' cogs share: who is a maintainer, the server a command is typed in,
and which destinations a server's maintainers may name.

A destination is named by a channel of this server (``#papers``: its subscribed digest,
``discord:{id}``) or by the name of a configured Discord destination whose channel is in this
server. Other servers' channels and the configured X, Facebook or Atom destinations are not
for a server's maintainers (the CLI manages those): they are refused as unknown, unseen.
"""

from __future__ import annotations

import re

import discord
from discord.ext import commands

from bot.discord.client import ShortBot
from papers import discord_render as render

_CHANNEL = re.compile(r"^(?:<#(\d{15,22})>|(\d{15,22}))$")


class NotMaintainer(commands.CheckFailure):
    pass


def is_maintainer(member: discord.Member, role: str | None) -> bool:
    if member.guild.owner_id == member.id or member.guild_permissions.manage_guild:
        return True
    return bool(role) and any(r.name == role or str(r.id) == role for r in member.roles)


async def check_maintainer(ctx: commands.Context[ShortBot]) -> bool:
    """Every maintainers' command: in a server, and by a maintainer; else a clear refusal."""
    if ctx.guild is None or not isinstance(ctx.author, discord.Member):
        raise commands.NoPrivateMessage("This command works in a server, not in DMs.")
    role = ctx.bot.app.settings.discord.maintainer_role
    if not is_maintainer(ctx.author, role):
        raise NotMaintainer(
            "This command is for maintainers: members with Manage Server"
            + (" or the maintainer role." if role else ".")
        )
    return True


def guild_of(ctx: commands.Context[ShortBot]) -> discord.Guild:
    if ctx.guild is None:
        raise commands.NoPrivateMessage("This command works in a server, not in DMs.")
    return ctx.guild


def channel_destination(channel: discord.abc.GuildChannel) -> str:
    """The destination of a subscribed channel: ``discord:{channel id}``."""
    return f"discord:{channel.id}"


def guild_destinations(bot: ShortBot, guild: discord.Guild) -> dict[str, str]:
    """Configured Discord destinations whose channel is in ``guild``: name → label."""
    out = {}
    for config in bot.app.settings.all_destinations():
        if config.platform == "discord" and config.channel_id is not None:
            channel = guild.get_channel(config.channel_id)
            if channel is not None:
                out[config.name] = f"{config.name} (#{channel.name})"
    return out


def resolve_destination(ctx: commands.Context[ShortBot], text: str) -> tuple[str, str]:
    """(destination name, label) for what a maintainer typed, or BadArgument."""
    guild = guild_of(ctx)
    cleaned = text.strip()
    match = _CHANNEL.match(cleaned)
    if match:
        channel = guild.get_channel(int(match.group(1) or match.group(2)))
        if not isinstance(channel, discord.TextChannel | discord.ForumChannel):
            raise commands.BadArgument(
                "that is not a channel of this server (name a text or forum channel here)"
            )
        return channel_destination(channel), f"#{channel.name}"
    configured = guild_destinations(ctx.bot, guild)
    if cleaned in configured:
        return cleaned, configured[cleaned]
    raise commands.BadArgument(
        f"{render.escape(cleaned[:60])} is not a channel of this server or one of its destinations"
    )
