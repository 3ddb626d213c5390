"""A maintainer narrows a channel's digest from Discord: an author by full name typed without
its accent, an excluded category, an excluded keyword; ``digest preview`` then says what each
filter let through and which filter held each item back; ``unsubscribe`` takes the same words.
The real discord.py client on the fake Discord, a real SQLite database with the sample
summaries and their papers' arXiv metadata."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import App
from tests.arxiv_metadata import add_metadata
from tests.bot.test_discord_bot import (  # noqa: F401 - fixtures
    NOW,
    app,
    arxiv_api,
    bot,
    fake,
    say,
)
from tests.fakediscord import FakeDiscord


@pytest.fixture
async def described(app: App) -> App:  # noqa: F811 - the fixture above
    """The sample's papers with their authors and categories, as the arXiv API gives them."""
    await add_metadata(app.store, NOW)
    return app


async def preview_lines(discord: FakeDiscord, channel: str = "general") -> list[str]:
    """The second answer to ``/digest preview``: what the filters did, line by line."""
    sent = await discord.send_interaction(
        "digest preview",
        user=discord.guild.member("maintainer"),
        channel=discord.guild.channel(channel),
    )
    answer = await discord.wait_for_interaction_response(sent.id, index=1)
    (embed,) = answer.data["embeds"]
    assert embed["title"] == "What the filters did"
    return str(embed["description"]).replace("\\", "").splitlines()  # Markdown escapes


async def test_a_maintainer_adds_an_author_and_exclusions_and_sees_what_they_hold_back(
    fake: FakeDiscord,  # noqa: F811
    bot: Any,  # noqa: F811
    described: App,
) -> None:
    reply = await say(
        fake, '!subscribe "author:Gunter Klambauer, author:A. Graves, -cs.CV"', who="maintainer"
    )
    assert reply["content"] == (
        "<#{}> now also carries: author Gunter Klambauer, author A. Graves, "
        "exclude-category cs.CV.".format(fake.guild.channel("general").id)
    )
    listed = await say(fake, "!subscriptions", who="maintainer")
    shown = listed["embeds"][0]["description"]
    assert "author Gunter Klambauer" in shown and "not arXiv category cs.CV" in shown

    lines = await preview_lines(fake)
    assert lines[:3] == [
        "2 of 12 summaries let through, 10 held back",
        "Let through by: author Gunter Klambauer (1); author A. Graves (1)",
        "Held back by: no category, keyword or author matched (6); not arXiv category cs.CV (4)",
    ]
    # DRAW is Alex Graves's, but in cs.CV: the exclusion wins
    assert (
        "held: summary of DRAW: A Recurrent Neural Network For Image Generation "
        "(arXiv:1502.04623): not arXiv category cs.CV"
    ) in lines
    assert (
        "held: summary of Deep Residual Learning for Image Recognition (arXiv:1512.03385): "
        "not arXiv category cs.CV"
    ) in lines
    assert (
        "held: summary of Fast and Accurate Deep Network Learning by Exponential Linear Units "
        "(ELUs) (arXiv:1511.07289): no category, keyword or author matched"
    ) in lines

    # the same words take them away; the accent typed this time finds the name stored without
    removed = await say(fake, '!unsubscribe "author:Günter Klambauer"', who="maintainer")
    assert removed["content"].startswith("Removed 1 subscription of")
    await say(fake, "!subscribe -adversarial", who="maintainer")
    lines = await preview_lines(fake)
    assert lines[:3] == [
        "1 of 12 summaries let through, 11 held back",
        "Let through by: author A. Graves (1)",
        "Held back by: no category, keyword or author matched (5); "
        "not arXiv category cs.CV (4); not keyword “adversarial” (2)",
    ]
    assert (
        "held: summary of Biologically inspired protection of deep networks from adversarial "
        "attacks (arXiv:1703.09202): not keyword “adversarial”"
    ) in lines


async def test_words_that_are_no_filter_are_explained_and_nothing_changes(
    fake: FakeDiscord,  # noqa: F811
    bot: Any,  # noqa: F811
    described: App,
) -> None:
    reply = await say(fake, '!subscribe "cs.LG, -author:Kingma"', who="maintainer")
    assert reply["content"].startswith(
        "Only categories and keywords can be left out: -cs.CV, -survey. Usage: `!subscribe"
    )
    sent = await fake.send_interaction(
        "subscribe",
        user=fake.guild.member("maintainer"),
        channel=fake.guild.channel("general"),
        options={"what": "author:"},
    )
    answer = await fake.wait_for_answer(sent.id)
    assert "author:Surname or author:Full Name" in str(answer.content)
    assert await described.store.list_subscriptions(guild_id=fake.guild.id) == []
