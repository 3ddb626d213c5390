"""Threads from the configuration and from Discord: ``thread`` and ``thread_archive`` validated
with the key named; ``digest thread`` setting a subscribed channel's digests in a thread on
each digest (and back); ``!summary`` linking to the paper's forum post in the server where it
is asked. The real discord.py client on the fake Discord, a real SQLite database with the
sample summaries."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.settings import ConfigError, Settings, load_settings
from papers.discord_threads import ThreadStyle
from tests.bot.test_discord_bot import (  # noqa: F401 - fixtures
    NOW,
    arxiv_api,
    bot,
    fake,
    say,
)
from tests.bot.test_discord_schedule import app, digest_now  # noqa: F401 - a bot token: digests go
from tests.fakediscord import FakeDiscord
from tests.fakediscord.models import Channel
from tests.fakediscord.threads import add_forum


def test_a_discord_destination_takes_a_thread_style() -> None:
    settings = Settings(
        console=False,
        destinations=[
            {"name": "a", "platform": "discord", "channel_id": 1, "thread": "per-digest"},
            {
                "name": "b",
                "platform": "discord",
                "channel_id": 2,
                "thread": "per-digest",
                "thread_archive": "1w",
            },
            {"name": "c", "platform": "discord", "channel_id": 3},
        ],
    )
    styles = [d.thread_style for d in settings.destinations]
    assert styles == [
        ThreadStyle("per-digest", "1d"),
        ThreadStyle("per-digest", "1w"),
        ThreadStyle(),
    ]
    assert [s.archive_minutes for s in styles] == [1440, 10080, 1440]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ('thread = "per-paper"\n', "destinations.0.thread: Input should be 'none' or 'per-digest'"),
        (
            'thread = "per-digest"\nthread_archive = "2d"\n',
            "destinations.0.thread_archive: Input should be '1h', '1d', '3d' or '1w'",
        ),
        ("thread_archive = 60\n", "destinations.0.thread_archive: Input should be"),
    ],
)
def test_a_bad_thread_setting_names_the_key(tmp_path: Path, lines: str, expected: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(
        '[[destinations]]\nname = "papers"\nplatform = "discord"\nchannel_id = 5\n' + lines
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(str(config))
    assert expected in str(caught.value)


def test_only_a_discord_channel_has_threads(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[[destinations]]\nname = "x"\nplatform = "x"\nthread = "per-digest"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(str(config))
    assert 'thread: only a Discord channel (platform = "discord") has threads' in str(caught.value)


async def test_a_maintainer_puts_a_channels_digests_in_threads(
    fake: FakeDiscord,  # noqa: F811
    bot: Any,  # noqa: F811
    app: App,  # noqa: F811
) -> None:
    general = fake.guild.channel("general")
    await say(fake, "!subscribe votes>=0", who="maintainer")
    reply = await say(fake, f"!digest thread <#{general.id}> per-digest 3d", who="maintainer")
    assert reply["content"] == (
        f"The digests of <#{general.id}>: a thread on each digest, archived after 3d without "
        "a message."
    )
    listed = await say(fake, "!subscriptions", who="maintainer")
    assert "thread: per-digest, archived after 3d" in listed["embeds"][0]["description"]
    before = len(fake.bot_messages(general))
    assert "sent now: 12 sent" in await digest_now(fake)
    heads = [m for m in fake.bot_messages(general)[before:] if m["content"].startswith("**")]
    assert [m["content"] for m in heads] == ["**12 new summaries**"]
    assert heads[0]["embeds"] == []
    [thread] = fake.threads(general)
    assert thread.id == int(heads[0]["id"])
    assert thread.extra["thread_metadata"]["auto_archive_duration"] == 4320
    inside = [f for m in fake.messages(thread) for e in m["embeds"] for f in e["fields"]]
    assert len(inside) == 12

    off = await say(fake, f"!digest thread <#{general.id}> none", who="maintainer")
    assert "digests as messages in the channel (no thread)" in off["content"]
    held = await app.store.list_subscriptions(guild_id=fake.guild.id)
    assert [s.kind.value for s in held] == ["min-votes"]


@pytest.mark.parametrize(
    ("words", "says"),
    [
        ("per-paper", "A thread is none or per-digest, not 'per-paper'"),
        ("per-digest 2d", "A thread's archive duration is 1h, 1d, 3d, 1w, not '2d'"),
        ("none 1d", "Only a thread has an archive duration"),
    ],
)
async def test_words_that_are_no_thread_setting_are_explained_and_nothing_changes(
    fake: FakeDiscord,  # noqa: F811
    bot: Any,  # noqa: F811
    app: App,  # noqa: F811
    words: str,
    says: str,
) -> None:
    general = fake.guild.channel("general")
    await say(fake, "!subscribe cs.LG", who="maintainer")
    reply = await say(fake, f"!digest thread <#{general.id}> {words}", who="maintainer")
    assert says in reply["content"]
    stranger = await say(fake, f"!digest thread <#{general.id}> per-digest", who="member")
    assert "for maintainers" in stranger["content"]
    held = await app.store.list_subscriptions(guild_id=fake.guild.id)
    assert [(s.kind.value, s.value) for s in held] == [("category", "cs.LG")]


async def test_summary_links_to_the_papers_forum_post_in_this_server(
    fake: FakeDiscord,  # noqa: F811
    bot: Any,  # noqa: F811
    app: App,  # noqa: F811
) -> None:
    forum = add_forum(fake.guild, "paper-forum", ["cs.LG", "cs.CV"])
    elsewhere = 424242424242424242  # another server's forum post of the same paper
    await app.store.set_thread_home(
        77, "1312.6199", elsewhere, guild_id=elsewhere, now=NOW - timedelta(days=1)
    )
    plain = await say(fake, "!summary 1312.6199")
    assert plain["content"] == ""  # no post here yet: no link
    post = 515151515151515151
    await app.store.set_thread_home(forum.id, "1312.6199", post, guild_id=fake.guild.id, now=NOW)
    linked = await say(fake, "!summary 1312.6199")
    assert linked["content"] == f"Discussed in <#{post}>"
    assert linked["embeds"][0]["title"] == "Intriguing properties of neural networks"
    sent = await fake.send_interaction(
        "summary",
        user=fake.guild.member("member"),
        channel=fake.guild.channel("general"),
        options={"query": "1312.6199"},
    )
    answer = await fake.wait_for_answer(sent.id)
    assert answer.data["content"] == f"Discussed in <#{post}>"


@pytest.fixture
def forum(fake: FakeDiscord) -> Channel:  # noqa: F811
    """A forum of the server, there before the bot connects (it is in the bot's cache)."""
    return add_forum(fake.guild, "paper-forum", ["cs.LG", "stat.ML"])


async def test_a_subscribed_forum_gets_a_post_per_paper_and_summary_links_to_it(
    fake: FakeDiscord,  # noqa: F811
    forum: Channel,
    bot: Any,  # noqa: F811
    app: App,  # noqa: F811
) -> None:
    reply = await say(fake, f"!subscribe votes>=0 <#{forum.id}>", who="maintainer")
    assert reply["content"] == f"<#{forum.id}> now also carries: min-votes 0."
    listed = await say(fake, f"!subscriptions <#{forum.id}>", who="maintainer")
    assert "a forum: a post per paper" in listed["embeds"][0]["description"]
    done = await say(fake, f"!digest now <#{forum.id}>", who="maintainer")
    assert "sent now: 12 sent" in done["content"]
    posts = fake.threads(forum)
    assert len(posts) == 11  # the sample's 12 summaries are of 11 papers
    [intriguing] = [p for p in posts if p.name == "Intriguing properties of neural networks"]
    [first] = fake.messages(intriguing)
    assert len(first["embeds"][0]["fields"]) == 2  # both of its summaries, in its one post
    linked = await say(fake, "!summary 1312.6199")
    assert linked["content"] == f"Discussed in <#{intriguing.id}>"
    again = await say(fake, f"!digest now <#{forum.id}>", who="maintainer")
    assert "sent now" in again["content"] and len(fake.threads(forum)) == 11
