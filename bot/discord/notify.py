"""The "Notify me" button of digests that ping a role (``papers.discord_pings``): a member's
press gives them the channel's ping role, or takes it back. The view is persistent (no timeout,
a fixed custom id), registered at start-up, so a digest sent before a restart still answers.
Every answer is ephemeral and pings no one.
"""

from __future__ import annotations

import logging

import discord

from bot import subscriptions
from bot.discord.client import ShortBot
from papers import discord_pings as pings

log = logging.getLogger(__name__)


class NotifyMe(discord.ui.View):
    """The button on every digest that pings a role; the role is the channel's, looked up at
    each press (a maintainer's change applies to digests already sent)."""

    def __init__(self, bot: ShortBot) -> None:
        super().__init__(timeout=None)
        self.bot = bot

    @discord.ui.button(
        label=pings.NOTIFY_LABEL, custom_id=pings.NOTIFY_ID, style=discord.ButtonStyle.secondary
    )
    async def notify_me(
        self, interaction: discord.Interaction, _button: discord.ui.Button[NotifyMe]
    ) -> None:
        try:
            answer = await self._toggle(interaction)
        except discord.Forbidden:
            answer = pings.NO_MANAGE_ROLES
        except discord.HTTPException as exc:
            log.warning("could not change a member's notify role: %s", exc)
            answer = "Discord did not let me change your role just now; try again later."
        await interaction.response.send_message(answer, ephemeral=True)

    async def _toggle(self, interaction: discord.Interaction) -> str:
        member, guild = interaction.user, interaction.guild
        if guild is None or not isinstance(member, discord.Member):
            return pings.NOTHING_TO_JOIN
        role_id = await subscriptions.channel_ping_role(self.bot.app, interaction.channel_id or 0)
        if role_id is None:
            return pings.NOTHING_TO_JOIN
        role = guild.get_role(role_id)
        if role is None:
            return pings.ROLE_GONE
        me = guild.me
        if me is not None and not me.guild_permissions.manage_roles:
            return pings.NO_MANAGE_ROLES
        if me is not None and role >= me.top_role:
            return pings.ROLE_ABOVE_ME.format(role=role.mention)
        reason = "asked with the Notify me button of a digest"
        if any(r.id == role.id for r in member.roles):
            await member.remove_roles(role, reason=reason)
            return pings.NO_LONGER_NOTIFIED
        await member.add_roles(role, reason=reason)
        return pings.NOW_NOTIFIED


async def setup(bot: ShortBot) -> None:
    bot.add_view(NotifyMe(bot))
