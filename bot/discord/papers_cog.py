"""Commands for everyone: summary, search, latest, help. Parse, call a use case, render."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.answering import working
from bot.discord.client import ShortBot
from bot.discord.views import PaperChoice, SummaryPages, embed
from papers import discord_render as render
from papers.errors import UserError
from papers.ids import ArxivId
from papers.model import Paper
from papers.usecases import Found, NotFound, find_paper, latest, paper_by_key, search, suggest

log = logging.getLogger(__name__)

LATEST_DEFAULT, LATEST_MAX = 5, 10
SUGGEST_SECONDS = 2.0  # Discord drops an autocomplete answer after 3 s


class PapersCog(commands.Cog, name="Papers"):
    # a member's answers come in the order of their commands (bot/discord/turns.py)
    answers_in_order = True

    def __init__(self, bot: ShortBot) -> None:
        self.bot = bot
        settings = bot.app.settings.discord
        self.api_cooldown = commands.CooldownMapping.from_cooldown(
            settings.api_cooldown_uses, settings.api_cooldown_seconds, commands.BucketType.user
        )

    @commands.hybrid_command(
        name="summary",
        usage="QUERY",
        description="Show a paper and its summaries",
        help="Show a paper and its summaries. QUERY: an arXiv id or URL, a DOI, a ShortScience "
        "link or bibtex key, or title words.",
    )
    @app_commands.describe(query="arXiv id or URL, DOI, ShortScience key, or title words")
    async def summary(self, ctx: commands.Context[ShortBot], *, query: str) -> None:
        async with working(ctx):
            outcome = await find_paper(
                self.bot.app.store,
                self.bot.metadata,
                query,
                now=self.bot.app.clock(),
                before_fetch=lambda: self._check_api_cooldown(ctx),
                offline_reason=self.bot.app.settings.arxiv_off_reason,
            )
        if isinstance(outcome, NotFound):
            hint = "" if isinstance(outcome.ref, ArxivId) else f" Try `{ctx.clean_prefix}search`."
            await ctx.send(render.escape(outcome.message) + "." + hint)
            return
        if not outcome.exact:
            await self._send_choices(ctx, query, [outcome.match.paper, *outcome.others])
            return
        await self._send_paper(ctx, outcome)

    @summary.autocomplete("query")
    async def suggest_papers(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Papers for what the member is typing: at most 25, answered within Discord's 3 s
        (a slower search suggests nothing rather than failing the box)."""
        try:
            async with asyncio.timeout(SUGGEST_SECONDS):
                papers = await suggest(self.bot.app.store, current)
        except (TimeoutError, UserError) as exc:
            log.info("no suggestions for /summary reason=%s", type(exc).__name__)
            return []
        choices = (render.choice(p) for p in papers)
        return [
            app_commands.Choice(name=name, value=value) for name, value in filter(None, choices)
        ]

    def _check_api_cooldown(self, ctx: commands.Context[ShortBot]) -> None:
        bucket = self.api_cooldown.get_bucket(ctx.message)
        retry_after = bucket.update_rate_limit() if bucket else None
        if retry_after:
            raise commands.CommandOnCooldown(bucket, retry_after, commands.BucketType.user)

    async def _send_paper(self, ctx: commands.Context[ShortBot], outcome: Found) -> None:
        found = outcome.match
        view = SummaryPages(found) if render.paper_page_count(found) > 1 else None
        if view is None:
            await ctx.send(embed=embed(render.paper_embed(found)))
        else:
            await ctx.send(embed=embed(render.paper_embed(found)), view=view)

    async def _send_choices(
        self, ctx: commands.Context[ShortBot], query: str, papers: list[Paper]
    ) -> None:
        async def show(interaction: discord.Interaction, paper: Paper) -> None:
            found = await paper_by_key(self.bot.app.store, paper.key)
            if found is None:
                await interaction.response.send_message("That paper is gone.", ephemeral=True)
                return
            pages = SummaryPages(found) if render.paper_page_count(found) > 1 else None
            await interaction.response.edit_message(
                embed=embed(render.paper_embed(found)), view=pages
            )

        shown = papers[:5]
        await ctx.send(
            embed=embed(render.choices_embed(query[:100], shown)),
            view=PaperChoice(shown, show),
        )

    @commands.hybrid_command(
        name="search",
        usage="WORDS",
        description="Search paper titles and abstracts",
        help="Search paper titles and abstracts; best matches first.",
    )
    @app_commands.describe(words="words from the title or abstract")
    async def search(self, ctx: commands.Context[ShortBot], *, words: str) -> None:
        # a slash command is deferred only if the query is slow (a cold cache on millions of
        # papers), so it cannot outlast Discord's 3 s to answer an interaction
        async with working(ctx):
            papers = await search(self.bot.app.store, words)
        await ctx.send(embed=embed(render.search_embed(words[:100], papers)))

    @commands.hybrid_command(
        name="latest",
        usage="[N]",
        description="The newest summaries",
        help=f"The newest summaries ({LATEST_DEFAULT} unless N, at most {LATEST_MAX}).",
    )
    @app_commands.describe(count=f"how many (1 to {LATEST_MAX})")
    async def latest(
        self,
        ctx: commands.Context[ShortBot],
        count: commands.Range[int, 1, LATEST_MAX] = LATEST_DEFAULT,
    ) -> None:
        async with working(ctx):  # as for search
            items = await latest(self.bot.app.store, count)
        await ctx.send(embed=embed(render.latest_embed(items)))

    @commands.hybrid_command(
        name="help", description="What shortbot does and how to use it", help="This help."
    )
    async def help(self, ctx: commands.Context[ShortBot]) -> None:
        prefix = ctx.clean_prefix if ctx.interaction is None else "/"
        lines = [
            "shortbot shows papers and their community summaries, and posts digests of new ones.",
            "",
        ]
        for command in self.bot.commands:
            if command.hidden:
                continue
            usage = f" {command.usage}" if command.usage else ""
            lines.append(f"`{prefix}{command.qualified_name}{usage}` — {command.description}")
        lines.append("")
        lines.append(
            "Maintainers (Manage Server or the maintainer role): `feeds`, `subscribe`, "
            "`unsubscribe`, `subscriptions`, `digest preview`."
        )
        await ctx.send(
            embed=embed({"title": "shortbot help", "description": "\n".join(lines)[:4000]})
        )


async def setup(bot: ShortBot) -> None:
    await bot.add_cog(PapersCog(bot))
