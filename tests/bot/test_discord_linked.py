"""The "Summaries of linked papers" message menu end to end: the real discord.py client on
the fake Discord (a message command of type 3), a local arXiv API, a real SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.discord.papers_cog import LINKED_MENU
from papers.discord_linked import NO_LINKS
from papers.linked import SLOW_DOWN
from tests.bot.test_discord_bot import (  # noqa: F401 - fixtures
    KNOWN_ON_ARXIV,
    app,
    bot,
    fake,
    recorded,
)
from tests.fakediscord import FakeDiscord
from tests.httpserver import LocalHTTPServer, Response

EPHEMERAL = 64


@pytest.fixture
def arxiv_api() -> Iterator[LocalHTTPServer]:
    """arXiv knows 1605.08386 alone, asked for with others or not."""
    known = recorded("id_1605.08386_s0_m100_199195aa31ad.json")
    empty = recorded("id_0000.0000_s0_m100_8b51d9633a68.json")

    def answer(request: Any) -> Response:
        ids = request.query.get("id_list", [""])[0].split(",")
        return Response.xml(known if KNOWN_ON_ARXIV in ids else empty, "application/atom+xml")

    with LocalHTTPServer() as server:
        server.route("/api/query", answer)
        yield server


async def linked(discord: FakeDiscord, text: str, who: str = "member") -> dict[str, Any]:
    """``who`` posts ``text`` and another member asks for its linked papers: the answer."""
    general = discord.guild.channel("general")
    posted = await discord.send_message(general, discord.guild.member(who), text)
    sent = await discord.use_message_command(
        LINKED_MENU, posted.id, user=discord.guild.member("maintainer")
    )
    answer = await discord.wait_for_answer(sent.id)
    data = answer.payload.get("data", answer.payload)
    assert data["flags"] & EPHEMERAL, "shown only to whoever asked"
    (embed,) = data["embeds"]
    return embed


async def test_a_message_with_three_links_gets_their_summaries(fake, bot) -> None:  # noqa: F811
    embed = await linked(
        fake,
        "Worth reading: the pdf https://arxiv.org/pdf/1312.6199v2.pdf, "
        "[this one](https://www.shortscience.org/paper?bibtexKey=conf/nips/LeeS00) and "
        "<https://doi.org/10.1101/262501>.",
    )
    assert embed["title"] == "Papers linked in this message"
    names = [f["name"] for f in embed["fields"]]
    assert names[0] == "Intriguing properties of neural networks"
    assert len(names) == 3 and not any(n.startswith("Not known") for n in names)
    first = embed["fields"][0]["value"]
    assert first.startswith("[arXiv:1312.6199](https://arxiv.org/abs/1312.6199) · 2 summaries")
    assert "**5 votes · Reader Three" in first  # the best-voted summary's opening
    assert all("summar" in f["value"] for f in embed["fields"])
    assert "more linked" not in embed["footer"]["text"]
    assert [c["name"] for c in fake.commands() if c["type"] == 3] == [LINKED_MENU]


async def test_unknown_papers_are_fetched_together_and_listed(fake, bot, arxiv_api) -> None:  # noqa: F811
    embed = await linked(
        fake, f"arXiv:{KNOWN_ON_ARXIV} and https://arxiv.org/abs/2401.00001v3, both new here"
    )
    fetched, missing = embed["fields"]
    assert "No summary yet." in fetched["value"]
    assert fetched["value"].startswith(f"[arXiv:{KNOWN_ON_ARXIV}]")
    assert missing == {
        "name": "Not known: arXiv:2401.00001v3",
        "value": "arXiv has no paper arXiv:2401.00001v3.",
    }
    assert arxiv_api.count("/api/query") == 1  # one request for both


async def test_a_member_asking_again_and_again_does_not_storm_arxiv(fake, bot, arxiv_api) -> None:  # noqa: F811
    text = "https://arxiv.org/abs/2401.00001 https://arxiv.org/abs/2401.00002"
    for _ in range(2):  # the cooldown allows two arXiv look-ups a minute in this app
        await linked(fake, text)
    embed = await linked(fake, text)
    assert [f["value"].replace("\\", "") for f in embed["fields"]] == [
        f"No paper arXiv:2401.0000{n} is known yet ({SLOW_DOWN})." for n in (1, 2)
    ]
    assert arxiv_api.count("/api/query") == 2


async def test_at_most_five_papers_and_how_many_more(fake, bot) -> None:  # noqa: F811
    ids = ["1312.6199", "1502.04623", "1511.07289", "1512.03385", "1603.08983", "1611.03530"]
    text = " ".join(f"arXiv:{i}" for i in ids) + " https://arxiv.org/abs/1703.09202"
    embed = await linked(fake, text)
    assert len(embed["fields"]) == 5
    assert embed["footer"]["text"].startswith("and 2 more linked papers")


async def test_a_message_without_paper_links_says_so(fake, bot) -> None:  # noqa: F811
    embed = await linked(fake, "see https://example.com/blog and 1312.6199 (a bare number)")
    assert embed["description"] == NO_LINKS
