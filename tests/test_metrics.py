"""bot.metrics: the exposition format, and the counters the code updates (deliveries, Discord
commands on the fake Discord with the real discord.py client)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot import metrics
from bot.app import App, open_app
from bot.delivery import deliver_all
from bot.settings import Settings
from papers.usecases import ingest_parsed
from sources.parse import parse_feed
from tests.discordbot import serving
from tests.fakediscord import FakeDiscord, discord_endpoints

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_metrics() -> Iterator[None]:
    metrics.REGISTRY.reset()
    yield
    metrics.REGISTRY.reset()


def test_exposition_format_of_each_kind() -> None:
    registry = metrics.Registry()
    hits = registry.counter("demo_hits_total", "Hits.\nSecond line \\ here.", ["path"])
    hits.inc(path='/a"b\\c\nd')
    hits.inc(2, path="/plain")
    level = registry.gauge("demo_level", "A level.")
    level.set(0.5)
    latency = registry.histogram("demo_seconds", "Latency.", ["op"], buckets=[0.1, 1])
    for value in (0.05, 0.1, 0.7, 3):
        latency.observe(value, op="x")
    assert registry.render() == (
        "# HELP demo_hits_total Hits.\\nSecond line \\\\ here.\n"
        "# TYPE demo_hits_total counter\n"
        'demo_hits_total{path="/a\\"b\\\\c\\nd"} 1\n'
        'demo_hits_total{path="/plain"} 2\n'
        "# HELP demo_level A level.\n"
        "# TYPE demo_level gauge\n"
        "demo_level 0.5\n"
        "# HELP demo_seconds Latency.\n"
        "# TYPE demo_seconds histogram\n"
        'demo_seconds_bucket{op="x",le="0.1"} 2\n'
        'demo_seconds_bucket{op="x",le="1"} 3\n'
        'demo_seconds_bucket{op="x",le="+Inf"} 4\n'
        'demo_seconds_sum{op="x"} 3.85\n'
        'demo_seconds_count{op="x"} 4\n'
    )
    registry.reset()
    assert "demo_hits_total{" not in registry.render()


def test_registry_refuses_what_prometheus_would_not_read() -> None:
    registry = metrics.Registry()
    with pytest.raises(ValueError, match="must end in _total"):
        registry.counter("demo_hits", "x")
    with pytest.raises(ValueError, match="not a valid"):
        registry.gauge("demo-level", "x")
    with pytest.raises(ValueError, match="reserved"):
        registry.histogram("demo_seconds", "x", ["le"])
    counter = registry.counter("demo_total", "x", ["a"])
    with pytest.raises(ValueError, match="takes the labels"):
        counter.inc(b="1")
    with pytest.raises(ValueError, match="only goes up"):
        counter.inc(-1, a="1")
    with pytest.raises(ValueError, match="registered already"):
        registry.counter("demo_total", "x")


def test_declared_series_show_zero_and_survive_a_reset() -> None:
    metrics.record_poll("ok", new=3, updated=1)
    assert metrics.POLLS.get(result="ok") == 1
    assert metrics.ENTRIES.get(kind="new") == 3
    metrics.REGISTRY.reset()
    text = metrics.REGISTRY.render()
    assert 'shortbot_polls_total{result="ok"} 0\n' in text
    assert 'shortbot_polls_total{result="error"} 0\n' in text
    assert 'shortbot_entries_ingested_total{kind="updated"} 0\n' in text


async def test_deliver_all_counts_items_by_destination_and_result(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", feeds=[], console=True
    )
    async with open_app(settings, clock=lambda: NOW) as app:
        parsed = parse_feed((FIXTURES / "shortscience-rss.xml").read_bytes(), "sample")
        report = await ingest_parsed(app.store, parsed, "sample", announce=True, now=NOW)
        (delivered,) = await deliver_all(app)
        again = await deliver_all(app)
    assert delivered.sent == min(report.new, settings.digest.max_items) > 0
    assert metrics.DELIVERIES.get(destination="console", result="sent") == delivered.sent
    assert metrics.DELIVERIES.get(destination="console", result="failed") == 0
    assert sum(r.sent for r in again) == 0  # nothing new: the counter stays
    assert metrics.DELIVERIES.get(destination="console", result="sent") == delivered.sent
    assert "Intriguing properties of neural networks" in capsys.readouterr().out


# -- Discord commands -------------------------------------------------------------------------


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        feeds=[],
        console=False,
        discord={"maintainer_role": "maintainer"},
    )
    async with open_app(settings, clock=lambda: NOW) as running:
        parsed = parse_feed((FIXTURES / "shortscience-rss.xml").read_bytes(), "sample")
        await ingest_parsed(running.store, parsed, "sample", announce=True, now=NOW)
        yield running


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(heartbeat_interval=1.0) as running:
        with discord_endpoints(running.api_base_url, running.gateway_url):
            yield running


@pytest.fixture
async def bot(app: App, fake: FakeDiscord) -> AsyncIterator[Any]:
    async with serving(app, fake.token) as shortbot:
        yield shortbot


async def say(fake: FakeDiscord, text: str, who: str = "member") -> dict[str, Any]:
    general = fake.guild.channel("general")
    sent = await fake.send_message(general, fake.guild.member(who), text)
    return await fake.wait_for_message(general, after=sent.id)


async def test_discord_commands_are_counted_and_timed(
    fake: FakeDiscord, bot: Any, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ok: command_completion is dispatched after the after-invoke hook has counted it
    completed = asyncio.ensure_future(bot.wait_for("command_completion"))
    await say(fake, "!latest 1")
    await completed
    assert metrics.COMMANDS.get(command="latest", result="ok") == 1
    assert metrics.COMMAND_SECONDS.count(command="latest") == 1

    # slash commands go through the same hooks
    completed = asyncio.ensure_future(bot.wait_for("command_completion"))
    await fake.send_interaction(
        "summary",
        user=fake.guild.member("member"),
        channel=fake.guild.channel("general"),
        options={"query": "1312.6199"},
    )
    await completed
    assert metrics.COMMANDS.get(command="summary", result="ok") == 1
    assert metrics.COMMAND_SECONDS.count(command="summary") == 1

    # rejected before running (not a maintainer): counted, not timed
    denied = await say(fake, "!feeds list")
    assert "for maintainers" in denied["content"]
    rejected = {k: v for k, v in metrics.COMMANDS.values.items() if k[1] == "rejected"}
    assert list(rejected.values()) == [1]
    assert next(iter(rejected))[0].startswith("feeds")

    # failed while running: counted as an error, and timed (the error handler counts it
    # before it replies)
    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(app.store, "search_papers", broken)
    reply = await say(fake, "!search anything")
    assert reply["content"].startswith("Sorry, something went wrong")
    assert metrics.COMMANDS.get(command="search", result="error") == 1
    assert metrics.COMMAND_SECONDS.count(command="search") == 1

    text = metrics.REGISTRY.render()
    assert 'shortbot_command_duration_seconds_count{command="latest"} 1\n' in text
    assert 'shortbot_command_duration_seconds_bucket{command="search",le="+Inf"} 1\n' in text
