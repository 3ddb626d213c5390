"""A destination whose credentials are rejected is disabled, and the maintainers are told in
their alerts channel (the real discord.py client against the fake Discord), once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.app import open_app
from bot.delivery import deliver_all
from bot.settings import DestinationSettings, DiscordSettings, FacebookSettings, Settings
from tests.bot.test_cli import SAMPLE
from tests.fakediscord import FakeDiscord, discord_endpoints
from tests.fakegraph import FakeGraph
from tests.httpserver import LocalHTTPServer

TOKEN = "MTIzNDU2.alerts-bot-token-SECRET"


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(TOKEN) as running:
        with discord_endpoints(running.api_base_url, running.gateway_url):
            yield running


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    with LocalHTTPServer() as server:
        yield FakeGraph(server)


def settings(tmp_path: Path, fake: FakeDiscord, graph: FakeGraph, alerts: int | None) -> Settings:
    return Settings(
        data_dir=tmp_path,
        feeds=[],
        console=False,
        discord=DiscordSettings(
            token=TOKEN, api_base_url=fake.api_base_url, alerts_channel_id=alerts
        ),
        facebook=FacebookSettings(
            page_id=graph.page_id, page_token=graph.token, graph_url=graph.base_url
        ),
        destinations=[DestinationSettings(name="page", platform="facebook")],
    )


async def ingest_sample(app) -> None:
    from papers.usecases import ingest_parsed
    from sources.parse import parse_feed

    parsed = parse_feed(SAMPLE.read_bytes(), "sample")
    await ingest_parsed(app.store, parsed, "sample", announce=True, now=app.clock())


async def test_a_disabled_destination_is_told_once_to_the_alerts_channel(
    tmp_path: Path, fake: FakeDiscord, graph: FakeGraph
) -> None:
    alerts = fake.guild.channel("general").id
    async with open_app(settings(tmp_path, fake, graph, alerts)) as app:
        await ingest_sample(app)
        graph.fail_next("expired")
        (report,) = await deliver_all(app)
        assert report.newly_disabled and graph.posts == []
        (message,) = fake.bot_messages(alerts)
        assert "Digests to **page** are stopped: credentials rejected" in message["content"]
        assert "shortbot destinations enable page" in message["content"]
        assert graph.token not in message["content"]
        # the next run finds it disabled already: nothing new to tell
        (again,) = await deliver_all(app)
        assert again.disabled and not again.newly_disabled
        assert len(fake.bot_messages(alerts)) == 1
    assert fake.check_bot_payloads(require_no_pings=True) == []


async def test_without_an_alerts_channel_the_log_tells(
    tmp_path: Path, fake: FakeDiscord, graph: FakeGraph, caplog: pytest.LogCaptureFixture
) -> None:
    async with open_app(settings(tmp_path, fake, graph, None)) as app:
        await ingest_sample(app)
        graph.fail_next("expired")
        (report,) = await deliver_all(app)
    assert report.newly_disabled
    assert fake.requests == []  # no Discord destination, no alerts channel: Discord untouched
    assert "destination disabled destination=page" in caplog.text
    assert graph.token not in caplog.text


async def test_an_unreachable_alerts_channel_is_logged_not_raised(
    tmp_path: Path, fake: FakeDiscord, graph: FakeGraph, caplog: pytest.LogCaptureFixture
) -> None:
    async with open_app(settings(tmp_path, fake, graph, 424242424242424242)) as app:
        await ingest_sample(app)
        graph.fail_next("expired")
        (report,) = await deliver_all(app)
    assert report.newly_disabled
    assert "could not tell the maintainers" in caplog.text
    assert TOKEN not in caplog.text
