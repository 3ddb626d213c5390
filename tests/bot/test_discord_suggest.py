"""``/summary`` suggests papers while a member types: the real bot (discord.py) answers the fake
Discord's autocomplete interactions from the sample summaries, within Discord's limits (the
fake refuses more than 25 choices, names or values over 100 characters, a late answer)."""

from __future__ import annotations

from typing import Any

from tests.bot.test_discord_bot import app, arxiv_api, bot, fake
from tests.fakediscord import FakeDiscord
from tests.httpserver import LocalHTTPServer

__all__ = ["app", "arxiv_api", "bot", "fake"]  # fixtures shared with test_discord_bot


async def typed(fake: FakeDiscord, text: str) -> list[dict[str, Any]]:
    """The choices the bot offers a member who typed ``text`` into /summary's query."""
    sent = await fake.send_autocomplete(
        "summary",
        user=fake.guild.member("member"),
        channel=fake.guild.channel("general"),
        focused="query",
        options={"query": text},
    )
    return await fake.wait_for_autocomplete_choices(sent.id)


async def test_title_words_offer_the_paper_first(fake: FakeDiscord, bot: Any) -> None:
    choices = await typed(fake, "intriguing prop")
    assert choices[0] == {
        "name": "Intriguing properties of neural networks · 1312.6199",
        "value": "1312.6199",
    }
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in choices)


async def test_an_empty_box_offers_the_newest_summaries_papers(fake: FakeDiscord, bot: Any) -> None:
    choices = await typed(fake, "")
    assert 0 < len(choices) <= 25
    assert len({c["value"] for c in choices}) == len(choices)


async def test_an_unknown_id_offers_nothing_and_never_asks_arxiv(
    fake: FakeDiscord, bot: Any, arxiv_api: LocalHTTPServer
) -> None:
    assert await typed(fake, "2512.99999") == []
    assert arxiv_api.count("/api/query") == 0


async def test_hostile_text_is_answered_without_a_ping(fake: FakeDiscord, bot: Any) -> None:
    for text in ["@everyone", "<@123456789012345678> neural", '"unclosed', "\u202e" + "x" * 99]:
        choices = await typed(fake, text)
        assert all("@everyone" not in c["name"] for c in choices)
