"""Who may run the maintainers' commands: an authorization matrix over every one of them, for
the owner, a member with Manage Server, a holder of the maintainer role, a plain member, a DM,
and a maintainer of server A acting on server B's channel or feed (refused, B unchanged)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, open_app
from bot.settings import Settings
from storage.ledger import Ledger
from storage.schedules import ScheduleStore
from tests.discordbot import serving
from tests.fakediscord import FakeDiscord, discord_endpoints, standard_guild
from tests.fakediscord.server import DEFAULT_TOKEN
from tests.httpserver import LocalHTTPServer, Response

FIXTURES = Path(__file__).parents[1] / "fixtures"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
REFUSED = "for maintainers"

# Every maintainers' command, as typed in server A; {a} is A's #general, {feed} a feed URL.
COMMANDS = [
    "!feeds",
    "!feeds add {feed}",
    "!feeds pause 1",
    "!feeds resume 1",
    "!feeds remove 1",
    "!subscribe cs.LG",
    "!unsubscribe all",
    "!subscriptions",
    "!digest preview",
    "!digest now <#{a}>",
    "!digest thread <#{a}> per-digest 1d",
    "!schedule show",
    "!schedule set <#{a}> daily 09:00",
    "!schedule pause <#{a}>",
    "!schedule resume <#{a}>",
]


@pytest.fixture
def feed_server() -> AsyncIterator[LocalHTTPServer]:
    with LocalHTTPServer() as server:
        server.route("/feed.xml", Response.xml((FIXTURES / "shortscience-rss.xml").read_bytes()))
        yield server


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        feeds=[],
        console=False,
        allow_private_feeds=True,
        discord={"token": DEFAULT_TOKEN, "maintainer_role": "maintainer"},
    )
    async with open_app(settings, clock=lambda: NOW) as opened:
        yield opened


@pytest.fixture
async def world(app: App) -> AsyncIterator[tuple[FakeDiscord, Any, Any]]:
    a, b = standard_guild("A"), standard_guild("B")
    async with FakeDiscord(heartbeat_interval=1.0, guilds=[a, b]) as fake:
        with discord_endpoints(fake.api_base_url, fake.gateway_url):
            async with serving(app, fake.token):
                yield fake, a, b
            assert fake.check_bot_payloads(require_no_pings=True) == []


async def state(app: App) -> tuple[Any, ...]:
    """Everything a maintainers' command can change."""
    feeds = [(f.id, f.url, f.paused, f.guild_id) for f in await app.store.list_feeds()]
    subs = [
        (s.channel_id, s.kind, s.value) for s in await app.store.list_subscriptions(guild_id=None)
    ]
    schedules = [
        (s.destination, s.when, s.paused) for s in await ScheduleStore(app.store.engine).list()
    ]
    deliveries = [(r.destination, r.item, r.status) for r in await Ledger(app.store.engine).rows()]
    return feeds, subs, schedules, deliveries


async def say(fake: FakeDiscord, guild: Any, who: str, text: str) -> dict[str, Any]:
    channel = guild.channel("general")
    sent = await fake.send_message(channel, guild.member(who), text)
    return await fake.wait_for_message(channel, after=sent.id)


async def dm(fake: FakeDiscord, guild: Any, who: str, text: str) -> dict[str, Any]:
    member = guild.member(who)
    channel = fake.dm_channel(member)
    sent = await fake.send_message(channel, member, text)
    return await fake.wait_for_message(channel, after=sent.id)


async def prepare(app: App, fake: FakeDiscord, b: Any, feed_url: str) -> None:
    """Server B has a feed, a subscribed channel and a schedule."""
    assert (
        "Watching feed" in (await say(fake, b, "maintainer", f"!feeds add {feed_url}"))["content"]
    )
    await say(fake, b, "maintainer", "!subscribe cs.LG")
    general = b.channel("general")
    await say(fake, b, "maintainer", f"!schedule set <#{general.id}> daily 07:00")
    assert len((await state(app))[2]) == 1


async def test_members_and_dms_are_refused_every_maintainers_command(
    app: App, world: Any, feed_server: LocalHTTPServer
) -> None:
    fake, a, b = world
    await prepare(app, fake, b, feed_server.url("/feed.xml"))
    before = await state(app)
    for template in COMMANDS:
        text = template.format(a=a.channel("general").id, feed=feed_server.url("/feed.xml"))
        refused = await say(fake, a, "member", text)
        assert REFUSED in refused["content"], (text, refused["content"])
        in_dm = await dm(fake, a, "maintainer", text)
        assert "works in a server, not in DMs" in in_dm["content"], (text, in_dm["content"])
    assert await state(app) == before
    assert feed_server.count("/feed.xml") == 1  # only B's own `feeds add`


@pytest.mark.parametrize("who", ["owner", "manager", "maintainer"])
async def test_owner_manager_and_maintainer_role_may(
    app: App, world: Any, feed_server: LocalHTTPServer, who: str
) -> None:
    fake, a, _ = world
    added = await say(fake, a, who, f"!feeds add {feed_server.url('/feed.xml')}")
    assert "Watching feed" in added["content"]
    subscribed = await say(fake, a, who, "!subscribe cs.LG")
    assert "now also carries" in subscribed["content"]
    general = a.channel("general")
    scheduled = await say(fake, a, who, f"!schedule set <#{general.id}> weekly mon 08:00")
    assert "now goes out weekly mon 08:00 UTC" in scheduled["content"]


async def test_a_maintainer_of_a_cannot_touch_or_see_b(
    app: App, world: Any, feed_server: LocalHTTPServer
) -> None:
    fake, a, b = world
    await prepare(app, fake, b, feed_server.url("/feed.xml"))
    before = await state(app)
    (b_feed,) = await app.store.list_feeds()
    b_general = b.channel("general").id
    attempts = {
        f"!feeds pause {b_feed.id}": "watches no feed",
        f"!feeds resume {b_feed.id}": "watches no feed",
        f"!feeds remove {b_feed.id}": "watches no feed",
        f"!feeds remove {feed_server.url('/feed.xml')}": "watches no feed",
        f"!subscribe cs.CV <#{b_general}>": "Usage",
        f"!unsubscribe all <#{b_general}>": "Usage",
        f"!subscriptions <#{b_general}>": "Usage",
        f"!digest preview <#{b_general}>": "Usage",
        f"!digest now <#{b_general}>": "not a channel of this server",
        f"!digest thread <#{b_general}> per-digest 1d": "Usage",
        f"!schedule set <#{b_general}> hourly": "not a channel of this server",
        f"!schedule pause <#{b_general}>": "not a channel of this server",
        f"!schedule resume <#{b_general}>": "not a channel of this server",
    }
    for text, expected in attempts.items():
        reply = await say(fake, a, "owner", text)
        assert expected in reply["content"], (text, reply["content"])
    seen = [await say(fake, a, "owner", text) for text in ("!feeds", "!subscriptions")]
    seen.append(await say(fake, a, "owner", "!schedule show"))
    for reply in seen:
        shown = reply["content"] + "".join(e.get("description", "") for e in reply["embeds"])
        assert feed_server.url("/feed.xml") not in shown
        assert str(b_general) not in shown and "daily 07:00" not in shown
    assert await state(app) == before
