"""Pacing Discord requests under the global limit, and delivering many channels at once.

The limiter's clock and sleep are injected (a clock that stands still, a sleep that records
what it was asked to wait): no test here waits on the real clock or asserts a duration.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import App, open_app
from bot.delivery import DELIVERY_CONCURRENCY_SQLITE, deliver_all
from bot.settings import Settings
from papers.model import SubscriptionKind
from papers.publishing import Post
from papers.usecases import ingest_parsed, utcnow
from publishers import discord as discord_publishers
from publishers.discord import DiscordChannelPublisher, DiscordSession
from publishers.ratelimit import RateLimiter
from sources.parse import parse_feed
from storage.ledger import Ledger
from tests.fakediscord import Channel, FakeDiscord, Guild, discord_endpoints

TOKEN = "MTIzNDU2.pace-token-value"
LISTING = Path(__file__).parents[1] / "fixtures" / "arxiv-cs.LG-rss.xml"


class StillClock:
    """A clock that stands still; sleeping records the wait and yields to the loop."""

    def __init__(self) -> None:
        self.now = 100.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


def limiter(rate: float, burst: int = 1) -> tuple[RateLimiter, StillClock]:
    clock = StillClock()
    return RateLimiter(rate, burst=burst, clock=clock, sleep=clock.sleep), clock


# ---------------------------------------------------------------------- the limiter


async def test_requests_at_once_are_spaced_by_the_rate() -> None:
    pace, clock = limiter(50)
    await asyncio.gather(*(pace.acquire() for _ in range(5)))
    # the first goes at once; each next one waits one more 1/50 s slot
    assert clock.waits == pytest.approx([0.02, 0.04, 0.06, 0.08])
    assert pace.acquired == 5


async def test_a_burst_goes_at_once_then_the_rate_applies() -> None:
    pace, clock = limiter(10, burst=3)
    for _ in range(5):
        await pace.acquire()
    assert clock.waits == pytest.approx([0.1, 0.2])


async def test_an_idle_limiter_does_not_save_up_more_than_its_burst() -> None:
    pace, clock = limiter(10)
    await pace.acquire()
    clock.now += 60  # a quiet minute
    for _ in range(3):
        await pace.acquire()
    assert clock.waits == pytest.approx([0.1, 0.2])


def test_a_limiter_needs_a_positive_rate() -> None:
    with pytest.raises(ValueError, match="rate"):
        RateLimiter(0)


# ---------------------------------------------------------------------- the publishers


def busy_guild(channels: int) -> Guild:
    guild = Guild("Many Channels")
    for n in range(channels):
        guild.add_channel(f"digest-{n}")
    return guild


def digest_channels(fake: FakeDiscord) -> list[Channel]:
    return [c for c in fake.guild.channels if c.name.startswith("digest-")]


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(TOKEN, guilds=[busy_guild(15)]) as fake:
        with discord_endpoints(fake.api_base_url, fake.gateway_url):
            yield fake


async def test_publishers_sharing_a_session_log_in_once_and_every_request_is_paced(
    fake: FakeDiscord,
) -> None:
    pace, clock = limiter(45)
    channels = digest_channels(fake)
    async with DiscordSession(TOKEN, limiter=pace) as session:
        publishers = [
            DiscordChannelPublisher(
                f"discord:{c.id}",
                channel_id=c.id,
                token=TOKEN,
                session=session,
                guild_id=fake.guild.id,
            )
            for c in channels
        ]
        sent = await asyncio.gather(
            *(
                p.send(Post(f"k{n}", (), {"content": f"digest {n}"}))
                for n, p in enumerate(publishers)
            )
        )
        for publisher in publishers:
            await publisher.close()  # leaves the shared login open
        found = await publishers[0].find_sent(Post("k0", (), {"content": "digest 0"}))
    routes = Counter(f"{r.method} {r.route}" for r in fake.requests)
    assert routes["GET /users/@me"] == 1
    assert not any(r.route == "/channels/{channel_id}" for r in fake.requests)  # no lookups
    assert routes["POST /channels/{channel_id}/messages"] == len(channels)
    assert pace.acquired == len(fake.requests)  # every request waited for its turn
    assert sorted(clock.waits) == pytest.approx([n / 45 for n in range(1, len(fake.requests))])
    assert [len(fake.bot_messages(c)) for c in channels] == [1] * len(channels)
    assert (
        sent[0].url
        == f"https://discord.com/channels/{fake.guild.id}/{channels[0].id}/{sent[0].post_id}"
    )
    assert found is not None and found.post_id == sent[0].post_id
    fake.assert_no_unknown_requests()


async def test_a_refused_token_is_asked_once_for_all_the_channels(fake: FakeDiscord) -> None:
    pace, _ = limiter(1000)
    channels = digest_channels(fake)
    async with DiscordSession("wrong-token", limiter=pace) as session:
        for channel in channels[:3]:
            publisher = DiscordChannelPublisher(
                "x", channel_id=channel.id, token="wrong-token", session=session
            )
            with pytest.raises(discord_publishers.CredentialsRejected, match="token"):
                await publisher.start()
    assert len(fake.requests_to("GET", "/users/@me")) == 1


async def test_a_gone_channel_without_lookup_disables_at_the_first_send(
    fake: FakeDiscord,
) -> None:
    pace, _ = limiter(1000)
    async with DiscordSession(TOKEN, limiter=pace) as session:
        publisher = DiscordChannelPublisher(
            "gone", channel_id=123456789012345678, token=TOKEN, session=session, guild_id=1
        )
        with pytest.raises(discord_publishers.CredentialsRejected, match="gone"):
            await publisher.send(Post("k", (), {"content": "hello"}))


# ---------------------------------------------------------------------- many deliveries at once


@pytest.fixture
async def app(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[App]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'pace.db'}",
        feeds=[],
        console=False,
        arxiv={"enabled": False},
        discord={"token": TOKEN, "api_base_url": fake.api_base_url},
    )
    async with open_app(settings) as running:
        before = utcnow() - timedelta(minutes=1)
        for channel in digest_channels(fake):
            await running.store.subscribe(
                guild_id=fake.guild.id,
                channel_id=channel.id,
                kind=SubscriptionKind.CATEGORY,
                value="cs.LG",
                by=None,
                now=before,
            )
            await Ledger(running.store.engine).ensure_destination(
                f"discord:{channel.id}", "discord", before
            )
        parsed = parse_feed(LISTING.read_bytes(), "listing")
        await ingest_parsed(running.store, parsed, "listing", announce=True, now=utcnow())
        yield running


async def test_concurrent_deliveries_deliver_every_item_once_per_channel(
    fake: FakeDiscord, app: App
) -> None:
    channels = digest_channels(fake)
    assert len(channels) > DELIVERY_CONCURRENCY_SQLITE  # more destinations than run at once
    with contextlib.redirect_stderr(io.StringIO()) as errors:
        # two runs at once (a scheduled digest and `shortbot digest`, say): each destination
        # is delivered by one of them (destination_lock), never by both
        first, second = await asyncio.gather(deliver_all(app), deliver_all(app))
        again = await deliver_all(app)
    assert errors.getvalue() == ""
    # a destination the other run had finished finds nothing left: sent by exactly one run
    delivered = [r.destination for r in first + second if r.sent]
    assert sorted(delivered) == sorted(f"discord:{c.id}" for c in channels)
    assert not any(r.errors or r.failed or r.pending for r in first + second)
    assert [len(fake.bot_messages(c)) for c in channels] == [1] * len(channels)
    assert sum(r.sent for r in again) == 0
    ledger = Ledger(app.store.engine)
    for channel in channels:
        rows = await ledger.rows(destination=f"discord:{channel.id}")
        sent = [r for r in rows if r.status == "sent"]
        assert sent and len({r.item for r in sent}) == len(sent)
        posted = {str(m["id"]) for m in fake.bot_messages(channel)}
        assert {r.post_id for r in sent} == posted
    logins = fake.requests_to("GET", "/users/@me")
    # one shared login per run that sent something (the last sent nothing: it never logged
    # in), not one per channel
    assert 1 <= len(logins) <= 2
    assert not any(r.route == "/channels/{channel_id}" for r in fake.requests)
