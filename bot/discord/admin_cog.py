"""Commands for maintainers (Manage Server, the server owner, or the maintainer role):
feeds, subscriptions, digest preview. Everyone else gets a clear refusal and nothing changes.
Every command acts on the guild it is typed in: another guild's feeds and channels are unseen.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import feeds, subscriptions
from bot.delivery import counts, deliver_all
from bot.discord.checks import (
    check_maintainer,
    guild_of,
    resolve_destination,
)
from bot.discord.client import ShortBot
from bot.discord.views import embed
from bot.watch import describe_skipped
from papers import discord_limits as limits
from papers import discord_render as render
from papers.discord_pings import mention
from papers.model import Feed, SubscriptionKind

log = logging.getLogger(__name__)

# a channel that takes a digest: a text channel, or a forum (a post per paper)
DigestChannel = discord.TextChannel | discord.ForumChannel


def _feed_line(feed: Feed) -> str:
    state = feed.status
    last = feed.last_result or "never polled"
    label = render.escape(limits.clip(feed.label, 120))
    return f"**{feed.id}** {label} — {state}; {render.escape(last[:200])}"


_NO_ROLE = ("none", "off", "no", "nobody")

if TYPE_CHECKING:
    RoleOrNone = discord.Role | None
else:

    class RoleOrNone(commands.Converter):
        """A role (@mention, id or name) of this server, or ``none``."""

        async def convert(self, ctx: commands.Context[ShortBot], text: str) -> discord.Role | None:
            if text.strip().lower() in _NO_ROLE:
                return None
            return await commands.RoleConverter().convert(ctx, text.strip())


def _ping_warnings(role: discord.Role) -> list[str]:
    """What keeps the role from working as a digest's ping and its Notify me button."""
    problems = []
    me = role.guild.me
    if not role.mentionable and (me is None or not me.guild_permissions.mention_everyone):
        problems.append(
            "the role is not mentionable: allow anyone to mention it in its settings, or give "
            "me Mention @everyone, @here and All Roles"
        )
    if me is not None and not me.guild_permissions.manage_roles:
        problems.append("the Notify me button needs me to have Manage Roles")
    elif me is not None and role >= me.top_role:
        problems.append("the Notify me button needs my highest role above it")
    return problems


class AdminCog(commands.Cog, name="Maintainers"):
    def __init__(self, bot: ShortBot) -> None:
        self.bot = bot

    async def cog_check(self, ctx: commands.Context[ShortBot]) -> bool:  # type: ignore[override]
        return await check_maintainer(ctx)

    def _channel(
        self, ctx: commands.Context[ShortBot], channel: DigestChannel | None
    ) -> DigestChannel:
        guild = guild_of(ctx)
        target = channel or ctx.channel
        if not isinstance(target, discord.TextChannel | discord.ForumChannel):
            raise commands.BadArgument("name a text or forum channel of this server")
        if target.guild.id != guild.id:
            raise commands.BadArgument("that channel is not in this server")
        return target

    # -- feeds ----------------------------------------------------------------------------

    @commands.hybrid_group(
        name="feeds",
        fallback="list",
        description="The feeds this server watches",
        help="List the feeds this server watches; subcommands add, remove, pause, resume.",
    )
    async def feeds(self, ctx: commands.Context[ShortBot]) -> None:
        guild = guild_of(ctx)
        rows = await feeds.list_feeds(self.bot.app, guild_id=guild.id)
        if not rows:
            await ctx.send(f"No feeds yet. Add one with `{ctx.clean_prefix}feeds add URL`.")
            return
        lines = [_feed_line(f) for f in rows]
        await ctx.send(
            embed=embed(
                {"title": "Watched feeds", "description": limits.clip("\n".join(lines), 4000)}
            )
        )

    @feeds.command(
        ignore_extra=False, name="add", usage="URL [INTERVAL]", description="Watch a feed"
    )
    @app_commands.describe(url="the feed's http(s) URL", interval="how often: 15m, 1h, 1d")
    async def feeds_add(
        self, ctx: commands.Context[ShortBot], url: str, interval: str | None = None
    ) -> None:
        guild = guild_of(ctx)
        async with ctx.typing():
            try:
                added = await feeds.add_feed(
                    self.bot.app, url, interval=interval, guild_id=guild.id
                )
            except feeds.FeedNotAdded as exc:
                await ctx.send(f"Not added: {render.escape(exc.reason)}.")
                return
        report = added.report
        count = report.new + report.updated + report.unchanged
        await ctx.send(
            f"Watching feed **{added.feed.id}** ({report.kind.value}): {count} entries recorded "
            f"as seen{describe_skipped(report)}; new ones go into the digests."
        )

    async def _own_feed(self, ctx: commands.Context[ShortBot], ref: str) -> Feed:
        return await feeds.find_feed(self.bot.app, ref, guild_id=guild_of(ctx).id)

    @feeds.command(
        ignore_extra=False, name="remove", usage="FEED", description="Stop watching a feed"
    )
    @app_commands.describe(feed="the feed's number or URL")
    async def feeds_remove(self, ctx: commands.Context[ShortBot], feed: str) -> None:
        row = await self._own_feed(ctx, feed)
        await feeds.remove_feed(self.bot.app, row)
        await ctx.send(f"Stopped watching feed **{row.id}**; its summaries stay.")

    @feeds.command(
        ignore_extra=False, name="pause", usage="FEED", description="Stop polling a feed for now"
    )
    @app_commands.describe(feed="the feed's number or URL")
    async def feeds_pause(self, ctx: commands.Context[ShortBot], feed: str) -> None:
        row = await self._own_feed(ctx, feed)
        await feeds.set_paused(self.bot.app, row, True)
        await ctx.send(f"Paused feed **{row.id}**.")

    @feeds.command(
        ignore_extra=False,
        name="resume",
        usage="FEED",
        description="Poll a paused or disabled feed again",
    )
    @app_commands.describe(feed="the feed's number or URL")
    async def feeds_resume(self, ctx: commands.Context[ShortBot], feed: str) -> None:
        row = await self._own_feed(ctx, feed)
        await feeds.set_paused(self.bot.app, row, False)
        await ctx.send(f"Resumed feed **{row.id}**.")

    # -- subscriptions --------------------------------------------------------------------

    @commands.hybrid_command(
        ignore_extra=False,
        name="subscribe",
        usage='"WHAT, WHAT…" [#channel]',
        description="Choose what a channel's digest carries",
        help="Add to a channel's digest, several separated by commas (quote them when they "
        'hold spaces: !subscribe "cs.LG, author:Diederik P. Kingma, -cs.CV"): arXiv '
        'categories (cs.LG, or stat for the archive), keywords ("graph neural networks", '
        "whole words; keyword:math for one that reads as a category), authors "
        "(author:Kingma for a surname, author:D. Kingma or author:Diederik P. Kingma for one "
        "person; case and accents ignored), what to leave out (-cs.CV, -survey), a vote "
        "threshold (votes>=3). A summary goes in when it matches any category, keyword or "
        "author (or there are none), nothing left out, and has the votes. Categories, keywords "
        "and authors also bring the new arXiv papers they match (new and cross-listed; add "
        '"replacements" for replaced versions too).',
    )
    @app_commands.describe(
        what="cs.LG, keywords, author:Kingma, -cs.CV, -keyword, votes>=N; commas between",
        channel="default: this channel",
    )
    async def subscribe(
        self,
        ctx: commands.Context[ShortBot],
        what: str,
        channel: DigestChannel | None = None,
    ) -> None:
        target = self._channel(ctx, channel)
        added = await subscriptions.subscribe(  # BadSubscription: the error handler says why
            self.bot.app,
            guild_id=target.guild.id,
            channel_id=target.id,
            what=what,
            by=ctx.author.id,
            forum=isinstance(target, discord.ForumChannel),
        )
        what_added = ", ".join(added) if added else "nothing new"
        await ctx.send(f"{target.mention} now also carries: {render.escape(what_added)}.")

    @commands.hybrid_command(
        ignore_extra=False,
        name="unsubscribe",
        usage='["WHAT, WHAT…"|all] [#channel]',
        description="Remove from a channel's digest",
        help="Remove what subscribe added, in the same words (author:Kingma, -cs.CV, cs.LG, "
        "votes>=3), or all of it.",
    )
    @app_commands.describe(
        what="the same words as subscribe (author:Kingma, -cs.CV …), or all",
        channel="default: this channel",
    )
    async def unsubscribe(
        self,
        ctx: commands.Context[ShortBot],
        what: str = "all",
        channel: DigestChannel | None = None,
    ) -> None:
        target = self._channel(ctx, channel)
        removed = await subscriptions.unsubscribe(
            self.bot.app, guild_id=target.guild.id, channel_id=target.id, what=what
        )
        await ctx.send(
            f"Removed {removed} subscription{'' if removed == 1 else 's'} of {target.mention}."
        )

    @commands.hybrid_command(
        ignore_extra=False,
        name="subscriptions",
        usage="[#channel]",
        description="What channels' digests carry",
    )
    @app_commands.describe(channel="default: every channel of this server")
    async def subscriptions(
        self, ctx: commands.Context[ShortBot], channel: DigestChannel | None = None
    ) -> None:
        guild = guild_of(ctx)
        target = self._channel(ctx, channel) if channel else None
        rows = await subscriptions.list_subscriptions(
            self.bot.app, guild_id=guild.id, channel_id=target.id if target else None
        )
        if not rows:
            await ctx.send("No subscriptions: digests carry every new summary.")
            return
        lines = [
            f"<#{s.channel_id}>: "
            + (
                f"mentions {mention(int(s.value))}, with a Notify me button"
                if s.kind is SubscriptionKind.PING_ROLE
                else render.escape(s.describe())
            )
            for s in rows
        ]
        await ctx.send(
            embed=embed(
                {"title": "Subscriptions", "description": limits.clip("\n".join(lines), 4000)}
            )
        )

    # -- digests --------------------------------------------------------------------------

    @commands.hybrid_group(name="digest", description="Digest tools", invoke_without_command=True)
    async def digest(self, ctx: commands.Context[ShortBot]) -> None:
        await ctx.send(
            f"Usage: `{ctx.clean_prefix}digest preview [#channel]`, "
            f"`{ctx.clean_prefix}digest now DESTINATION`, "
            f"`{ctx.clean_prefix}digest ping ROLE|none [#channel]` or "
            f"`{ctx.clean_prefix}digest thread #channel per-digest|none [1h|1d|3d|1w]`"
        )

    @digest.command(
        ignore_extra=False,
        name="now",
        usage="DESTINATION",
        description="Send a digest now",
        help="Build and send the digest of a #channel (or a destination of this server) now.",
    )
    @app_commands.describe(destination="#channel or destination name")
    async def digest_now(self, ctx: commands.Context[ShortBot], destination: str) -> None:
        name, label = resolve_destination(ctx, destination)
        await ctx.defer()
        reports = await deliver_all(self.bot.app, which=lambda n: n == name)
        if not reports:
            await ctx.send(
                f"**{render.escape(label)}** has no digest to send now (no subscription, or "
                "another process is sending it)."
            )
            return
        text = counts(reports[0])
        await ctx.send(f"Digest of **{render.escape(label)}** sent now: {render.escape(text)}.")

    @digest.command(
        ignore_extra=False,
        name="ping",
        usage="ROLE|none [#channel]",
        description="Mention a role in a channel's digests, with a Notify me button",
        help="The channel's digests mention ROLE (an @mention, id or name), and only it; "
        "members take or drop the role with the digest's Notify me button. `none` stops it.",
    )
    @app_commands.describe(
        role="the role to mention (its name or id), or none", channel="default: this channel"
    )
    async def digest_ping(
        self,
        ctx: commands.Context[ShortBot],
        role: RoleOrNone,
        channel: discord.TextChannel | None = None,
    ) -> None:
        target = self._channel(ctx, channel)
        if role is not None and (role.is_default() or role.managed):
            raise commands.BadArgument("pick a role members can hold (not @everyone nor a bot's)")
        await subscriptions.set_ping_role(  # no subscription: the error handler says why
            self.bot.app,
            guild_id=target.guild.id,
            channel_id=target.id,
            role_id=role.id if role is not None else None,
            by=ctx.author.id,
        )
        if role is None:
            await ctx.send(f"The digests of {target.mention} mention no role now.")
            return
        text = (
            f"The digests of {target.mention} now mention {mention(role.id)}, with a Notify me "
            "button members press to take or drop the role."
        )
        warnings = _ping_warnings(role)
        if warnings:
            text += " Note: " + "; ".join(warnings) + "."
        await ctx.send(text)

    @digest.command(
        ignore_extra=False,
        name="thread",
        usage="#CHANNEL per-digest|none [1h|1d|3d|1w]",
        description="Post a channel's digests in a thread on each digest, or not",
        help="per-digest: the channel keeps one line per digest (its heading and count) and "
        "the digest goes in a thread opened on it, archived after 1h, 1d (default), 3d or 1w "
        "without a message; none: the digest in the channel (the default).",
    )
    @app_commands.describe(
        channel="the channel", mode="per-digest or none", archive="1h, 1d, 3d or 1w"
    )
    async def digest_thread(
        self,
        ctx: commands.Context[ShortBot],
        channel: discord.TextChannel,
        mode: str,
        archive: str | None = None,
    ) -> None:
        target = self._channel(ctx, channel)
        style = await subscriptions.set_thread(  # BadThread, no digest: the handler says why
            self.bot.app,
            guild_id=target.guild.id,
            channel_id=target.id,
            mode=mode,
            archive=archive,
            by=ctx.author.id,
        )
        await ctx.send(f"The digests of {target.mention}: {style.describe()}.")

    @digest.command(
        ignore_extra=False,
        name="preview",
        usage="[#channel]",
        description="Show you what the next digest would post",
        help="What the channel's next digest would post, then what each of its filters let "
        "through or held back, with the items held and the filter that held each.",
    )
    @app_commands.describe(channel="default: this channel")
    async def digest_preview(
        self, ctx: commands.Context[ShortBot], channel: DigestChannel | None = None
    ) -> None:
        target = self._channel(ctx, channel)
        selection = await subscriptions.preview(
            self.bot.app, guild_id=target.guild.id, channel_id=target.id
        )
        payload = render.digest_embed(selection.digest, f"Next digest for #{target.name}")
        report = render.escape("\n".join(selection.report.lines()))
        filters = {"title": "What the filters did", "description": limits.clip(report, 4000)}
        # two messages: both embeds in one could pass Discord's 6,000 characters a message
        if ctx.interaction is not None:
            await ctx.send(embed=embed(payload), ephemeral=True)
            await ctx.send(embed=embed(filters), ephemeral=True)
        else:
            await ctx.author.send(embed=embed(payload))
            await ctx.author.send(embed=embed(filters))
            await ctx.send("Sent you the preview in a direct message.")


async def setup(bot: ShortBot) -> None:
    await bot.add_cog(AdminCog(bot))
