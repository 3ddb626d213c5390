"""Buttons: paging through a paper's summaries, picking one of several title matches."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import discord

from papers.discord_render import paper_embed, paper_page_count
from papers.model import Paper, PaperWithSummaries

VIEW_TIMEOUT = 600.0


def embed(payload: dict[str, object]) -> discord.Embed:
    return discord.Embed.from_dict(payload)


class SummaryPages(discord.ui.View):
    """Previous / next through a paper's summaries."""

    def __init__(self, found: PaperWithSummaries, *, timeout: float = VIEW_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        self.found = found
        self.page = 0
        self.pages = paper_page_count(found)
        self._sync()

    def _sync(self) -> None:
        self.previous.disabled = self.page <= 0
        self.next.disabled = self.page >= self.pages - 1

    async def _show(self, interaction: discord.Interaction) -> None:
        self._sync()
        await interaction.response.edit_message(
            embed=embed(paper_embed(self.found, self.page)), view=self
        )

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(
        self, interaction: discord.Interaction, _button: discord.ui.Button[SummaryPages]
    ) -> None:
        self.page = max(0, self.page - 1)
        await self._show(interaction)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(
        self, interaction: discord.Interaction, _button: discord.ui.Button[SummaryPages]
    ) -> None:
        self.page = min(self.pages - 1, self.page + 1)
        await self._show(interaction)


Show = Callable[[discord.Interaction, Paper], Awaitable[None]]


class PaperChoice(discord.ui.View):
    """Numbered buttons, one per candidate paper."""

    def __init__(
        self, papers: Sequence[Paper], show: Show, *, timeout: float = VIEW_TIMEOUT
    ) -> None:
        super().__init__(timeout=timeout)
        for number, paper in enumerate(papers[:5], start=1):
            button: discord.ui.Button[PaperChoice] = discord.ui.Button(
                label=str(number), style=discord.ButtonStyle.primary
            )
            button.callback = self._callback(paper, show)  # type: ignore[method-assign,assignment]
            self.add_item(button)

    @staticmethod
    def _callback(paper: Paper, show: Show) -> Callable[[discord.Interaction], Awaitable[None]]:
        async def pick(interaction: discord.Interaction) -> None:
            await show(interaction, paper)

        return pick
