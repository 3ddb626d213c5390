"""Reads that lag writes: each fake hides a post from its read endpoint for ``read_lag`` seconds.

The post is answered to its creator at once and the test sees it at once (``posts``,
``messages``); the timeline, feed or channel history shows it only once it is ``read_lag`` old.
Clients are the real ones: tweepy for X, httpx for Graph, discord.py for Discord.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import aiohttp
import httpx
import pytest
from tweepy.asynchronous import AsyncClient
from tweepy.errors import Forbidden

from tests.fakediscord import FakeDiscord, discord_endpoints
from tests.fakediscord.compat import discord
from tests.fakegraph import FakeGraph
from tests.fakex import DUPLICATE_DETAIL, FakeX
from tests.httpserver import LocalHTTPServer

LAG = 0.3


async def appears(read: Callable[[], Awaitable[bool]], since: float, timeout: float = 3.0) -> float:
    """Poll ``read`` until it is true; how long after ``since`` (monotonic) that was."""
    while not await read():
        if time.monotonic() - since > timeout:
            raise AssertionError(f"not readable after {timeout}s")
        await asyncio.sleep(0.02)
    return time.monotonic() - since


# ------------------------------------------------------------------------------------------- X


def x_client(fake: FakeX, session: aiohttp.ClientSession) -> AsyncClient:
    client = AsyncClient(**fake.credentials.as_kwargs())
    client.session = session
    return client


async def timeline(client: AsyncClient, fake: FakeX) -> list[str]:
    answer: Any = await client.get_users_tweets(fake.user_id, max_results=5, user_auth=True)
    return [str(t["id"]) for t in answer.data or []]


@pytest.mark.parametrize("lag", [LAG, 0.0])
async def test_x_timeline_lags(fake: FakeX, session: aiohttp.ClientSession, lag: float) -> None:
    fake.read_lag = lag
    client = x_client(fake, session)
    old = fake.add_post("made before")
    old.stored_at -= 10  # long ago: visible through any lag
    start = time.monotonic()
    answer: Any = await client.create_tweet(text="fresh", user_auth=True)
    new_id = answer.data["id"]
    assert [p.id for p in fake.posts] == [old.id, new_id]  # stored, and answered, at once
    if lag:
        assert await timeline(client, fake) == [old.id]
        assert [p.id for p in fake.visible_posts()] == [old.id]

    async def shown() -> bool:
        return new_id in await timeline(client, fake)

    waited = await appears(shown, start)
    assert waited >= lag
    assert await timeline(client, fake) == [new_id, old.id]


async def test_x_duplicate_check_sees_what_the_timeline_does_not(
    fake: FakeX, session: aiohttp.ClientSession
) -> None:
    fake.read_lag = LAG
    client = x_client(fake, session)
    answer: Any = await client.create_tweet(text="once only", user_auth=True)
    with pytest.raises(Forbidden, match=DUPLICATE_DETAIL):
        await client.create_tweet(text="once only", user_auth=True)
    assert await timeline(client, fake) == []  # refused as a duplicate, yet not shown
    assert fake.texts == ["once only"]
    await asyncio.sleep(LAG)
    assert await timeline(client, fake) == [answer.data["id"]]


# --------------------------------------------------------------------------------------- Graph


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    with LocalHTTPServer() as server:
        yield FakeGraph(server)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(2.0)) as client:
        yield client


async def graph_post(http: httpx.AsyncClient, graph: FakeGraph, message: str) -> str:
    answer = await http.post(
        graph.base_url + graph.path,
        data={"message": message},
        headers={"Authorization": f"Bearer {graph.token}"},
    )
    assert answer.status_code == 200
    return str(answer.json()["id"])


async def feed(http: httpx.AsyncClient, graph: FakeGraph, limit: int = 25) -> list[str]:
    answer = await http.get(
        graph.base_url + graph.path,
        params={"fields": "id,message", "limit": str(limit)},
        headers={"Authorization": f"Bearer {graph.token}"},
    )
    assert answer.status_code == 200
    return [p["id"] for p in answer.json()["data"]]


@pytest.mark.parametrize("lag", [LAG, 0.0])
async def test_graph_feed_lags(graph: FakeGraph, http: httpx.AsyncClient, lag: float) -> None:
    graph.read_lag = lag
    old = await graph_post(http, graph, "made before")
    graph.posts[0].created -= 10  # long ago
    start = time.monotonic()
    new = await graph_post(http, graph, "fresh")
    assert [p.id for p in graph.posts] == [old, new]
    if lag:
        assert await feed(http, graph) == [old]
        assert await feed(http, graph, limit=1) == [old]  # the limit counts what is shown

    async def shown() -> bool:
        return new in await feed(http, graph)

    assert await appears(shown, start) >= lag
    assert await feed(http, graph, limit=1) == [new]


async def test_graph_duplicate_check_sees_what_the_feed_does_not(
    graph: FakeGraph, http: httpx.AsyncClient
) -> None:
    graph.read_lag = LAG
    await graph_post(http, graph, "once only")
    answer = await http.post(
        graph.base_url + graph.path,
        data={"message": "once only"},
        headers={"Authorization": f"Bearer {graph.token}"},
    )
    assert answer.json()["error"]["code"] == 506
    assert await feed(http, graph) == []


# ------------------------------------------------------------------------------------- Discord


@pytest.fixture
async def discord_fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(read_lag=LAG) as fake:
        with discord_endpoints(fake.api_base_url, fake.gateway_url):
            yield fake


@pytest.fixture
async def bot(discord_fake: FakeDiscord) -> AsyncIterator[discord.Client]:
    """The bot's REST client (logged in, no gateway)."""
    async with discord.Client(intents=discord.Intents.none()) as client:
        await client.login(discord_fake.token)
        yield client


async def history(bot: discord.Client, channel: discord.TextChannel) -> list[int]:
    return [m.id async for m in channel.history(limit=10)]


@pytest.mark.parametrize("lag", [LAG, 0.0])
async def test_discord_history_lags(
    discord_fake: FakeDiscord, bot: discord.Client, lag: float
) -> None:
    assert discord_fake.read_lag == LAG  # the constructor's keyword
    discord_fake.read_lag = lag
    general = discord_fake.guild.channel("general")
    channel = await bot.fetch_channel(general.id)
    assert isinstance(channel, discord.TextChannel)
    start = time.monotonic()
    sent = await channel.send("fresh")
    assert sent.content == "fresh"  # answered at once
    assert [int(m["id"]) for m in discord_fake.bot_messages(general)] == [sent.id]
    hook = discord_fake.create_webhook(general)
    async with aiohttp.ClientSession() as session:
        posted = await discord.Webhook.from_url(hook.url, session=session).send("hi", wait=True)
    assert len(discord_fake.messages(general)) == 2
    if lag:
        assert await history(bot, channel) == []
        assert [m.id async for m in channel.history(limit=10, after=discord.Object(1))] == []

    async def shown() -> bool:
        return await history(bot, channel) == [posted.id, sent.id]

    assert await appears(shown, start) >= lag
    raw = await bot.http.logs_from(general.id, 10)
    assert raw == discord_fake.messages(general)[::-1]  # the stored time is not in the JSON
