"""Commands for everyone: summary, search, latest, help, and the message menu "Summaries of
linked papers". Parse, call a use case, render."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import metrics
from bot.discord.answering import deferred_if_slow, working
from bot.discord.client import ShortBot
from bot.discord.views import PaperChoice, SummaryPages, embed
from papers import discord_limits as limits
from papers import discord_render as render
from papers.discord_linked import linked_embed
from papers.errors import UserError
from papers.ids import ArxivId
from papers.linked import linked_papers
from papers.model import Paper
from papers.usecases import (
    Found,
    NotFound,
    discussed_in,
    find_paper,
    latest,
    paper_by_key,
    search,
    suggest,
)

log = logging.getLogger(__name__)

LATEST_DEFAULT, LATEST_MAX = 5, 10
SUGGEST_SECONDS = 2.0  # Discord drops an autocomplete answer after 3 s
LINKED_MENU = "Summaries of linked papers"


def _member_id(origin: Any) -> int:
    """Whose arXiv budget a command spends: a message's author, or who used a menu."""
    if isinstance(origin, discord.Interaction):
        return origin.user.id
    return int(origin.author.id)


def message_text(message: discord.Message) -> str:
    """What a message says, its embeds' links and text included (a digest's papers)."""
    parts = [message.content]
    for shown in message.embeds:
        parts += [shown.url or "", shown.title or "", shown.description or ""]
        parts += [f"{field.name} {field.value}" for field in shown.fields]
    return "\n".join(p for p in parts if p)


class PapersCog(commands.Cog, name="Papers"):
    # a member's answers come in the order of their commands (bot/discord/turns.py)
    answers_in_order = True

    def __init__(self, bot: ShortBot) -> None:
        self.bot = bot
        settings = bot.app.settings.discord
        # arXiv look-ups per member: summary and the linked papers menu share one budget
        self.api_cooldown: commands.CooldownMapping[Any] = commands.CooldownMapping.from_cooldown(
            settings.api_cooldown_uses, settings.api_cooldown_seconds, _member_id
        )
        self.linked_menu = app_commands.ContextMenu(name=LINKED_MENU, callback=self.linked)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.linked_menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.linked_menu.name, type=self.linked_menu.type)

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
        guild_id = ctx.guild.id if ctx.guild else None
        home = await discussed_in(self.bot.app.store, found.paper.key, guild_id)
        content = f"Discussed in <#{home}>" if home else None
        if view is None:
            await ctx.send(content, embed=embed(render.paper_embed(found)))
        else:
            await ctx.send(content, embed=embed(render.paper_embed(found)), view=view)

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

    async def linked(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """The message menu: the papers ``message`` links, with their summaries, shown only to
        whoever asked (deferred only when the look-ups are slow: ``deferred_if_slow``)."""
        started = time.perf_counter()
        app = self.bot.app

        def may_fetch() -> bool:
            bucket = self.api_cooldown.get_bucket(interaction)
            return not (bucket and bucket.update_rate_limit())

        result = "ok"
        try:
            async with deferred_if_slow(interaction, ephemeral=True):
                found = await linked_papers(
                    app.store,
                    self.bot.metadata,
                    message_text(message),
                    now=app.clock(),
                    may_fetch=may_fetch,
                    offline_reason=app.settings.arxiv_off_reason,
                )
            payload = linked_embed(found)
        except Exception:
            result, error_id = "error", uuid.uuid4().hex[:8]
            log.exception("the linked papers menu failed error_id=%s", error_id)
            payload = {
                "description": f"Sorry, something went wrong on my side (error id `{error_id}`)."
            }
        await self._answer_privately(interaction, payload)
        metrics.record_command(LINKED_MENU, result, time.perf_counter() - started)

    @staticmethod
    async def _answer_privately(interaction: discord.Interaction, payload: limits.Payload) -> None:
        if interaction.response.is_done():
            await interaction.followup.send(embed=embed(payload), ephemeral=True)
        else:
            await interaction.response.send_message(embed=embed(payload), ephemeral=True)

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
            "`unsubscribe`, `subscriptions`, `digest preview`, `digest ping`, `digest thread`."
        )
        lines.append(f"On any message: Apps → {LINKED_MENU}.")
        await ctx.send(
            embed=embed({"title": "shortbot help", "description": "\n".join(lines)[:4000]})
        )


async def setup(bot: ShortBot) -> None:
    await bot.add_cog(PapersCog(bot))
