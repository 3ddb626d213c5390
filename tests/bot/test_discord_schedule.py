"""The maintainers' schedule commands end to end: the real discord.py client on the fake
Discord, a real SQLite database, the clock injected."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, open_app
from bot.scheduler import Scheduler
from bot.settings import Settings
from papers.usecases import ingest_parsed
from sources.parse import parse_feed
from storage.schedules import ScheduleStore
from tests.bot.test_discord_bot import (  # noqa: F401 - fixtures
    arxiv_api,
    bot,
    fake,
    feed_server,
    say,
)
from tests.fakediscord import FakeDiscord, standard_guild
from tests.fakediscord.server import DEFAULT_TOKEN

FIXTURES = Path(__file__).parents[1] / "fixtures"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday, 10:00 in Berlin
TOMORROW_0900_BERLIN = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        feeds=[],
        console=False,
        allow_private_feeds=True,
        discord={"token": DEFAULT_TOKEN, "maintainer_role": "maintainer"},
    )
    async with open_app(settings, clock=Clock()) as opened:
        parsed = parse_feed((FIXTURES / "shortscience-rss.xml").read_bytes(), "sample")
        await ingest_parsed(opened.store, parsed, "sample", announce=True, now=NOW)
        yield opened


def stamp(when: datetime) -> str:
    return f"<t:{int(when.timestamp())}:F>"


async def test_a_maintainer_schedules_a_channel_digest(fake, bot, app: App) -> None:  # noqa: F811
    general = fake.guild.channel("general")
    await say(fake, "!subscribe votes>=0", who="maintainer")
    reply = await say(
        fake, f"!schedule set <#{general.id}> daily 09:00 Europe/Berlin", "maintainer"
    )
    assert "now goes out daily 09:00 Europe/Berlin" in reply["content"]
    assert stamp(TOMORROW_0900_BERLIN) in reply["content"]
    shown = await say(fake, "!schedule show", who="maintainer")
    line = shown["embeds"][0]["description"]
    assert "#general" in line and "daily 09:00 Europe/Berlin" in line
    assert stamp(TOMORROW_0900_BERLIN) in line

    # the schedule is in the database: a restarted process builds the same job from it
    stored = await ScheduleStore(app.store.engine).get(f"discord:{general.id}")
    assert (
        stored is not None and stored.updated_by == f"discord:{fake.guild.member('maintainer').id}"
    )
    fired: list[str] = []

    async def deliver(_app: App, *, which: Any = None, select: bool = True) -> list[Any]:
        fired.extend(n for n in [f"discord:{general.id}", "other"] if which and which(n))
        return []

    async def poll(_app: App, _feed: Any) -> None:
        return None

    restarted = Scheduler(app, poll=poll, deliver=deliver)
    await restarted.refresh()
    assert restarted.next_run(f"digest:discord:{general.id}") == TOMORROW_0900_BERLIN
    # the process was down at 09:00: on start it sends that digest, once
    app.clock.now = TOMORROW_0900_BERLIN + timedelta(minutes=3)  # type: ignore[attr-defined]
    assert await restarted.catch_up() == [f"discord:{general.id}"]
    assert fired == [f"discord:{general.id}"]
    assert await restarted.catch_up() == []


async def test_bad_schedules_and_strangers_change_nothing(fake, bot, app: App) -> None:  # noqa: F811
    general = fake.guild.channel("general")
    await say(fake, "!subscribe votes>=0", who="maintainer")
    bad = await say(fake, f"!schedule set <#{general.id}> 0 61 * * *", who="maintainer")
    assert "hour: 61 is outside 0–23" in bad["content"].lower()
    zone = await say(fake, f"!schedule set <#{general.id}> daily 09:00 Mars/Base", "maintainer")
    assert "is not a time zone" in zone["content"]
    member = await say(fake, f"!schedule set <#{general.id}> daily 09:00", who="member")
    assert "for maintainers" in member["content"]
    elsewhere = await say(fake, "!schedule set <#123456789012345678> daily 09:00", "maintainer")
    assert "not a channel of this server" in elsewhere["content"]
    configured = await say(fake, "!schedule set x daily 09:00", who="maintainer")
    assert "not a channel of this server" in configured["content"]
    unsubscribed = fake.guild.channel("staff")  # no subscription: no digest to schedule
    none = await say(fake, f"!schedule set <#{unsubscribed.id}> daily 09:00", "maintainer")
    assert "#staff has no digest yet: subscribe it first" in none["content"]
    assert "discord:" not in none["content"]  # other destinations are not listed
    assert await ScheduleStore(app.store.engine).list() == []


async def test_pause_resume_and_digest_now(fake, bot, app: App) -> None:  # noqa: F811
    general = fake.guild.channel("general")
    await say(fake, "!subscribe votes>=4", who="maintainer")
    await say(fake, f"!schedule set <#{general.id}> weekly tue 09:00", who="maintainer")
    paused = await say(fake, f"!schedule pause <#{general.id}>", who="maintainer")
    assert "is paused" in paused["content"]
    shown = await say(fake, "!schedule show", who="maintainer")
    assert "(paused)" in shown["embeds"][0]["description"]
    resumed = await say(fake, f"!schedule resume <#{general.id}>", who="maintainer")
    assert (
        "resumed; next: " + stamp(datetime(2026, 11, 24, 9, 0, tzinfo=UTC)) in (resumed["content"])
    )
    before = len(fake.bot_messages(general))
    reply = await digest_now(fake)
    assert re.search(r"sent now: [1-9]\d* sent", reply), reply
    digests = [m for m in fake.bot_messages(general)[before:] if m["content"].startswith("**")]
    assert digests and "new summaries" in digests[0]["content"]
    again = await say(fake, f"!digest now <#{general.id}>", who="maintainer")
    assert "sent now: 0 sent" in again["content"]


async def digest_now(fake: FakeDiscord, channel: str = "general") -> str:  # noqa: F811
    """``!digest now #channel``'s answer (the digest's own messages may come first)."""
    where = fake.guild.channel(channel)
    before = len(fake.bot_messages(where))
    await fake.send_message(where, fake.guild.member("maintainer"), f"!digest now <#{where.id}>")

    def replies() -> list[str]:
        return [
            m["content"] for m in fake.bot_messages(where)[before:] if "sent now" in m["content"]
        ]

    await fake.wait_until(lambda: bool(replies()), description="the digest now reply")
    return replies()[0]


async def test_another_servers_schedules_are_unseen(app: App) -> None:
    from tests.discordbot import serving
    from tests.fakediscord import discord_endpoints

    guild_a, guild_b = standard_guild("A"), standard_guild("B")
    async with FakeDiscord(heartbeat_interval=1.0, guilds=[guild_a, guild_b]) as discord_fake:
        with discord_endpoints(discord_fake.api_base_url, discord_fake.gateway_url):
            async with serving(app, discord_fake.token):

                async def say_in(guild, text: str) -> dict:
                    channel = guild.channel("general")
                    sent = await discord_fake.send_message(
                        channel, guild.member("maintainer"), text
                    )
                    return await discord_fake.wait_for_message(channel, after=sent.id)

                b_general = guild_b.channel("general")
                await say_in(guild_b, "!subscribe cs.LG")
                await say_in(guild_b, f"!schedule set <#{b_general.id}> daily 07:00")
                listed = await say_in(guild_a, "!schedule show")
                assert "No digests in this server" in listed["content"]
                for text in (
                    f"!schedule pause <#{b_general.id}>",
                    f"!schedule set <#{b_general.id}> hourly",
                    f"!digest now <#{b_general.id}>",
                ):
                    refused = await say_in(guild_a, text)
                    assert "not a channel of this server" in refused["content"], text
                (row,) = await ScheduleStore(app.store.engine).list()
                assert row.when.cron == "0 7 * * *" and not row.paused
            assert discord_fake.check_bot_payloads(require_no_pings=True) == []


async def test_feeds_changed_in_discord_reach_the_running_scheduler(
    fake,  # noqa: F811
    bot,  # noqa: F811
    app: App,
    feed_server,  # noqa: F811
) -> None:
    async def nothing(*_args: Any, **_kwargs: Any) -> list[Any]:
        return []

    running = Scheduler(app, poll=nothing, deliver=nothing)
    app.runtime.scheduler = running
    try:
        await running.refresh()
        assert running.job_ids() == ["reconcile"]
        added = await say(fake, f"!feeds add {feed_server.url('/feed.xml')}", who="maintainer")
        assert "Watching feed" in added["content"]
        (feed,) = await app.store.list_feeds()
        assert running.job_ids() == [f"poll:{feed.id}", "reconcile"]  # no restart needed
        await say(fake, f"!feeds pause {feed.id}", who="maintainer")
        assert running.job_ids() == ["reconcile"]
        await say(fake, f"!feeds resume {feed.id}", who="maintainer")
        assert f"poll:{feed.id}" in running.job_ids()
    finally:
        app.runtime.scheduler = None
