"""bot.metrics: the text /metrics serves (every family as before prometheus_client took over),
and the counters the code updates (deliveries, Discord commands on the fake Discord with the
real discord.py client)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import prometheus_client
import pytest
from prometheus_client.exposition import choose_encoder

from bot import metrics
from bot.app import App, open_app
from bot.delivery import deliver_all
from bot.settings import Settings
from papers.usecases import ingest_parsed
from sources.parse import parse_feed
from tests.discordbot import serving
from tests.fakediscord import FakeDiscord, discord_endpoints

FIXTURES = Path(__file__).parents[1] / "fixtures"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

# What /metrics exposed before prometheus_client (the hand-written exposition of issue 6):
# dashboards and alerts rely on these names, types, label sets and buckets.
FAMILIES = {
    "shortbot_polls_total": ("counter", {"result"}),
    "shortbot_entries_ingested_total": ("counter", {"kind"}),
    "shortbot_deliveries_total": ("counter", {"destination", "result"}),
    "shortbot_commands_total": ("counter", {"command", "result"}),
    "shortbot_command_duration_seconds": ("histogram", {"command"}),
    "shortbot_database_up": ("gauge", set()),
    "shortbot_ledger_pending_posts": ("gauge", {"destination"}),
    "shortbot_ledger_pending_deliveries": ("gauge", {"destination"}),
    "shortbot_feeds_due": ("gauge", set()),
    "shortbot_last_successful_poll_timestamp_seconds": ("gauge", set()),
}
BUCKETS = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30"]
SAMPLE = re.compile(r"^(?P<name>[a-z_]+)(?:\{(?P<labels>.*)\})? (?P<value>\S+)$")
LABEL = re.compile(r'([a-z_]+)="((?:[^"\\]|\\.)*)"')
ODD = 'odd "name"\\'


@pytest.fixture(autouse=True)
def fresh_metrics() -> Iterator[None]:
    metrics.REGISTRY.reset()
    yield
    metrics.REGISTRY.reset()


def exposition(text: str) -> tuple[dict[str, str], dict[tuple[str, frozenset[Any]], float]]:
    """The TYPE of each family, and each sample's value by name and labels."""
    types: dict[str, str] = {}
    samples: dict[tuple[str, frozenset[Any]], float] = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            types[name] = kind
        elif not line.startswith("# HELP "):
            match = SAMPLE.match(line)
            assert match, line
            labels = frozenset(LABEL.findall(match["labels"] or ""))
            assert (match["name"], labels) not in samples
            samples[match["name"], labels] = float(match["value"])
    return types, samples


def a_busy_process() -> None:
    """Every kind of update the code makes, and the gauges as one scrape sets them."""
    metrics.record_poll("ok", new=3, updated=1)
    metrics.record_poll("ok", new=2)
    metrics.record_poll("unchanged")
    metrics.record_poll("failed")
    metrics.record_delivery("console", sent=5, failed=1, pending=0)
    metrics.record_delivery(ODD, sent=0, failed=0, pending=2)
    metrics.record_command("latest", "ok", 0.004)
    metrics.record_command("latest", "ok", 1.0)
    metrics.record_command("search", "error", 31.5)
    metrics.record_command("feeds list", "rejected", None)
    metrics.DATABASE_UP.set(1)
    metrics.PENDING_POSTS.set_all([({"destination": ODD}, 1), ({"destination": "quiet"}, 0)])
    metrics.PENDING_ROWS.set_all([({"destination": ODD}, 2), ({"destination": "quiet"}, 0)])
    metrics.FEEDS_DUE.set(1)
    metrics.LAST_SUCCESSFUL_POLL.set_all([({}, 1795424400.0)])


def test_every_family_keeps_its_name_type_labels_and_buckets() -> None:
    a_busy_process()
    types, samples = exposition(metrics.REGISTRY.render())
    assert types == {name: kind for name, (kind, _) in FAMILIES.items()}
    label_sets: dict[str, set[frozenset[str]]] = {}
    for name, labels in samples:  # nothing else (no *_created series)
        family = name if name in FAMILIES else re.sub(r"_(bucket|sum|count)$", "", name)
        assert FAMILIES[family][0] == "histogram" or family == name, name
        label_sets.setdefault(family, set()).add(frozenset(k for k, _ in labels if k != "le"))
    assert label_sets == {name: {frozenset(labels)} for name, (_, labels) in FAMILIES.items()}
    les = [dict(labels)["le"] for name, labels in samples if name.endswith("_bucket")]
    assert les == [*BUCKETS, "+Inf"] * 2  # le="1", not prometheus_client's le="1.0"

    def value(name: str, **labels: str) -> float:
        return samples[name, frozenset(labels.items())]

    assert value("shortbot_polls_total", result="ok") == 2
    assert value("shortbot_polls_total", result="error") == 0
    assert value("shortbot_entries_ingested_total", kind="new") == 5
    assert value("shortbot_deliveries_total", destination=r"odd \"name\"\\", result="pending") == 2
    assert value("shortbot_commands_total", command="feeds list", result="rejected") == 1
    assert value("shortbot_command_duration_seconds_bucket", command="latest", le="1") == 2
    assert value("shortbot_command_duration_seconds_bucket", command="search", le="30") == 0
    assert value("shortbot_command_duration_seconds_bucket", command="search", le="+Inf") == 1
    assert value("shortbot_command_duration_seconds_sum", command="latest") == 1.004
    assert value("shortbot_command_duration_seconds_count", command="search") == 1
    assert value("shortbot_ledger_pending_posts", destination="quiet") == 0
    assert value("shortbot_last_successful_poll_timestamp_seconds") == 1795424400
    assert value("shortbot_database_up") == value("shortbot_feeds_due") == 1


def test_gauges_without_a_value_have_no_sample() -> None:
    a_busy_process()
    metrics.DATABASE_UP.set(0)  # what bot.health does when the database does not answer
    for gauge in (metrics.PENDING_POSTS, metrics.PENDING_ROWS, metrics.FEEDS_DUE):
        gauge.reset()
    text = metrics.REGISTRY.render()
    types, samples = exposition(text)
    assert len(types) == len(FAMILIES)  # HELP and TYPE stay
    sampled = {name for name, _ in samples}
    assert "shortbot_feeds_due" not in sampled
    assert "shortbot_ledger_pending_posts" not in sampled
    assert "shortbot_database_up 0.0\n" in text
    assert "shortbot_last_successful_poll_timestamp_seconds 1.7954244e+09\n" in text
    metrics.LAST_SUCCESSFUL_POLL.set_all([])  # no successful poll yet
    _, samples = exposition(metrics.REGISTRY.render())
    assert "shortbot_last_successful_poll_timestamp_seconds" not in {name for name, _ in samples}


def test_declared_series_show_zero_and_survive_a_reset() -> None:
    metrics.record_poll("ok", new=3, updated=1)
    assert metrics.POLLS.get(result="ok") == 1
    assert metrics.ENTRIES.get(kind="new") == 3
    metrics.REGISTRY.reset()
    text = metrics.REGISTRY.render()
    assert 'shortbot_polls_total{result="ok"} 0.0\n' in text
    assert 'shortbot_polls_total{result="error"} 0.0\n' in text
    assert 'shortbot_entries_ingested_total{kind="updated"} 0.0\n' in text
    assert "shortbot_deliveries_total{" not in text
    assert "shortbot_command_duration_seconds_count{" not in text


def test_exposition_format_of_each_kind() -> None:
    registry = metrics.Registry()
    hits = registry.counter("demo_hits", "Hits.\nSecond line \\ here.", ["path"])
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
        'demo_hits_total{path="/a\\"b\\\\c\\nd"} 1.0\n'
        'demo_hits_total{path="/plain"} 2.0\n'
        "# HELP demo_level A level.\n"
        "# TYPE demo_level gauge\n"
        "demo_level 0.5\n"
        "# HELP demo_seconds Latency.\n"
        "# TYPE demo_seconds histogram\n"
        'demo_seconds_bucket{le="0.1",op="x"} 2.0\n'
        'demo_seconds_bucket{le="1",op="x"} 3.0\n'
        'demo_seconds_bucket{le="+Inf",op="x"} 4.0\n'
        'demo_seconds_count{op="x"} 4.0\n'
        'demo_seconds_sum{op="x"} 3.85\n'
    )
    registry.reset()
    assert registry.render() == (
        "# HELP demo_hits_total Hits.\\nSecond line \\\\ here.\n"
        "# TYPE demo_hits_total counter\n"
        "# HELP demo_level A level.\n"
        "# TYPE demo_level gauge\n"
        "# HELP demo_seconds Latency.\n"
        "# TYPE demo_seconds histogram\n"
    )


def test_registry_refuses_what_prometheus_would_not_read() -> None:
    registry = metrics.Registry()
    with pytest.raises(ValueError, match="Reserved label"):
        registry.histogram("demo_seconds", "x", ["le"], buckets=[1])
    counter = registry.counter("demo", "x", ["a"])
    with pytest.raises(ValueError, match="Incorrect label names"):
        counter.inc(b="1")
    with pytest.raises(ValueError, match="missing label values"):
        counter.inc()
    with pytest.raises(ValueError, match="non-negative"):
        counter.inc(-1, a="1")
    with pytest.raises(ValueError, match="Duplicated timeseries"):
        registry.counter("demo", "x", ["a"])


def test_registries_are_separate_from_each_other_and_from_the_global_one() -> None:
    first, second = metrics.Registry(), metrics.Registry()
    first.counter("shortbot_polls", "x", ["result"]).inc(result="ok")
    second.counter("shortbot_polls", "x", ["result"])
    assert 'shortbot_polls_total{result="ok"} 1.0' in first.render()
    assert "shortbot_polls_total{" not in second.render()
    assert "shortbot_" not in prometheus_client.generate_latest().decode()


def test_content_type_is_the_text_format_prometheus_reads() -> None:
    # what prometheus_client itself answers to a scraper asking for the 0.0.4 text format
    encoder, content_type = choose_encoder("text/plain;version=0.0.4")
    assert encoder is prometheus_client.generate_latest
    assert metrics.CONTENT_TYPE == content_type == "text/plain; version=0.0.4; charset=utf-8"


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
    _, samples = exposition(metrics.REGISTRY.render())
    rejected = {
        dict(labels)["command"]: value
        for (name, labels), value in samples.items()
        if name == "shortbot_commands_total" and ("result", "rejected") in labels
    }
    assert list(rejected.values()) == [1]
    assert next(iter(rejected)).startswith("feeds")

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
    assert 'shortbot_command_duration_seconds_count{command="latest"} 1.0\n' in text
    assert 'shortbot_command_duration_seconds_bucket{command="search",le="+Inf"} 1.0\n' in text
