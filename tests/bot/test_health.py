"""The operations endpoint: /healthz, /metrics and the Atom feeds, served on a real socket
(port 0) from a real database on each backend; and ``shortbot run`` serving it."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import signal
import socket
import subprocess
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest

from bot import metrics
from bot.app import App, open_app
from bot.health import HealthServer, check_health, serve_health
from bot.settings import Settings
from bot.watch import poll_feed
from papers.publishing import Post
from storage.db import create_engine
from storage.ledger import Ledger
from storage.repository import Store
from tests.conftest import SHORTBOT
from tests.httpserver import LocalHTTPServer, Response
from tests.offline import clean_env

FIXTURES = Path(__file__).parents[1] / "fixtures"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SAMPLE_LINE = re.compile(
    r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)"
    r'(?:\{(?P<labels>(?:[a-zA-Z_]\w*="(?:[^"\\\n]|\\[\\"n])*",?)*)\})?'
    r" (?P<value>\S+)$"
)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(autouse=True)
def fresh_metrics() -> Iterator[None]:
    metrics.REGISTRY.reset()
    yield
    metrics.REGISTRY.reset()


def settings_for(database_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "data_dir": tmp_path / "data",
        "feeds": [],
        "console": False,
        "allow_private_feeds": True,
        **overrides,
    }
    return Settings(**values)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
async def app(database_url: str, tmp_path: Path, clock: Clock) -> AsyncIterator[App]:
    async with open_app(settings_for(database_url, tmp_path), clock=clock) as running:
        yield running


@pytest.fixture
async def server(app: App) -> AsyncIterator[HealthServer]:
    async with serve_health(app, port=0) as running:
        yield running


async def get(url: str) -> tuple[int, dict[str, str], bytes]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, dict(response.headers), await response.read()


async def healthz(server: HealthServer) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.get(f"{server.url}/healthz") as response:
        return response.status, await response.json()


def parse_exposition(text: str) -> dict[str, float]:
    """Check the text format line by line; return {'name{labels}': value}."""
    assert text.endswith("\n")
    samples: dict[str, float] = {}
    typed: dict[str, str] = {}
    helped: set[str] = set()
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name = line.split(" ")[2]
            assert name not in helped, f"two HELP lines for {name}"
            helped.add(name)
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert kind in {"counter", "gauge", "histogram"}
            assert name in helped and name not in typed
            typed[name] = kind
            continue
        match = SAMPLE_LINE.match(line)
        assert match, f"not a sample line: {line!r}"
        name = match["name"]
        family = re.sub(r"_(bucket|sum|count)$", "", name)
        assert family in typed or name in typed, f"{name} has no TYPE line before it"
        if typed.get(name) == "counter" or typed.get(family) == "counter":
            assert name.endswith("_total")
        key = f"{name}{{{match['labels']}}}" if match["labels"] else name
        assert key not in samples, f"duplicate sample {key}"
        samples[key] = float(match["value"])
    return samples


# -- /healthz -----------------------------------------------------------------------------


async def test_healthz_is_ok_with_a_reachable_database(server: HealthServer) -> None:
    status, body = await healthz(server)
    assert status == 200
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["polls"] == {"status": "ok", "last_success": None, "active_feeds": 0}
    # no Discord token, no scheduler registered: those checks are absent
    assert set(body["checks"]) == {"database", "polls"}


async def test_a_stopped_scheduler_fails_the_health_check(app: App, server: HealthServer) -> None:
    running = True
    app.runtime.scheduler_running = lambda: running
    status, body = await healthz(server)
    assert (status, body["status"], body["checks"]["scheduler"]) == (200, "ok", {"status": "ok"})

    running = False
    status, body = await healthz(server)
    assert status == 503
    assert body["status"] == "failing"
    assert body["checks"]["scheduler"]["status"] == "failing"
    assert body["checks"]["database"]["status"] == "ok"


async def test_a_broken_scheduler_hook_is_a_finding_not_a_crash(
    app: App, server: HealthServer
) -> None:
    def broken() -> bool:
        raise RuntimeError("no scheduler here")

    app.runtime.scheduler_running = broken
    status, body = await healthz(server)
    assert status == 503
    assert "RuntimeError: no scheduler here" in body["checks"]["scheduler"]["error"]


async def test_discord_is_checked_only_with_a_token(
    database_url: str, tmp_path: Path, clock: Clock
) -> None:
    settings = settings_for(database_url, tmp_path, discord={"token": "not-a-real-token"})
    async with open_app(settings, clock=clock) as app, serve_health(app, port=0) as server:
        status, body = await healthz(server)
        # the runner has not registered the client yet: degraded, still 200
        assert (status, body["status"]) == (200, "degraded")
        assert body["checks"]["discord"]["status"] == "degraded"

        connected = False
        app.runtime.discord_ready = lambda: connected
        status, body = await healthz(server)
        assert (status, body["status"]) == (200, "degraded")
        assert body["checks"]["discord"]["error"] == "not connected to the Discord gateway"

        connected = True
        status, body = await healthz(server)
        assert (status, body["status"], body["checks"]["discord"]) == (200, "ok", {"status": "ok"})
        assert "not-a-real-token" not in str(body)


async def test_polls_turn_degraded_when_no_feed_succeeded_for_too_long(
    app: App, server: HealthServer, clock: Clock
) -> None:
    feed = await app.store.ensure_feed(
        "https://example.org/feed.xml",
        name=None,
        interval_seconds=3600,
        announce_existing=False,
        now=NOW,
    )
    polled = NOW - timedelta(minutes=30)
    await app.store.record_poll(feed.id, last_poll=polled, failures=0, last_result="unchanged")
    status, body = await healthz(server)
    assert (status, body["status"]) == (200, "ok")
    assert body["checks"]["polls"]["last_success"] == polled.isoformat()
    assert body["checks"]["polls"]["age_seconds"] == 1800

    # failing since, and more than two intervals and the grace after the start: degraded
    clock.now = NOW + timedelta(hours=2, minutes=6)
    await app.store.record_poll(feed.id, last_poll=clock.now, failures=3, last_result="error: x")
    status, body = await healthz(server)
    assert (status, body["status"]) == (200, "degraded")
    polls = body["checks"]["polls"]
    assert polls["status"] == "degraded"
    assert polls["last_success"] is None  # its latest poll failed
    assert polls["error"] == "no successful poll yet"


async def test_an_unreachable_database_fails_with_503(
    database_url: str, tmp_path: Path, clock: Clock
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings = settings_for(database_url, tmp_path)
    async with open_app(settings, clock=clock) as app:
        dead = create_engine(f"postgresql+asyncpg://nobody@127.0.0.1:{closed_port}/none")
        app = dataclasses.replace(app, engine=dead, store=Store(dead))  # App is never changed
        try:
            async with serve_health(app, port=0) as server:
                status, body = await healthz(server)
                assert status == 503
                assert body["status"] == "failing"
                assert body["checks"]["database"]["status"] == "failing"
                assert "polls" not in body["checks"]  # not asked of a database that is gone
                # the metrics still answer, saying the database is down
                code, _, text = await get(f"{server.url}/metrics")
                assert code == 200
                samples = parse_exposition(text.decode())
                assert samples["shortbot_database_up"] == 0
                assert "shortbot_feeds_due" not in samples
        finally:
            await dead.dispose()


async def test_a_database_that_does_not_answer_fails_within_the_timeout(
    app: App, tmp_path: Path
) -> None:
    with socket.socket() as silent:  # accepts connections and never says anything
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        dead = create_engine(f"postgresql+asyncpg://nobody@127.0.0.1:{port}/none")
        silent_app = dataclasses.replace(app, engine=dead, store=Store(dead))
        try:
            health = await check_health(silent_app, database_timeout=0.2)
        finally:
            await dead.dispose()
    assert health.http_status == 503
    assert health.checks["database"] == {"status": "failing", "error": "no answer within 0.2 s"}


# -- /metrics -----------------------------------------------------------------------------


@pytest.fixture
def feed_server() -> Iterator[LocalHTTPServer]:
    with LocalHTTPServer() as running:
        running.route("/feed.xml", Response.xml((FIXTURES / "shortscience-rss.xml").read_bytes()))
        running.route("/gone.xml", Response(status=404, body=b"gone"))
        yield running


async def test_metrics_count_polls_and_show_queue_sizes(
    app: App, server: HealthServer, feed_server: LocalHTTPServer
) -> None:
    good = await app.store.add_feed(
        feed_server.url("/feed.xml"),
        name="good",
        interval_seconds=900,
        announce_existing=True,
        now=NOW,
    )
    bad = await app.store.add_feed(
        feed_server.url("/gone.xml"),
        name="bad",
        interval_seconds=900,
        announce_existing=True,
        now=NOW,
    )
    assert good and bad
    first = await poll_feed(app, good)
    assert first.report is not None
    await poll_feed(app, (await app.store.find_feed("good")) or good)  # same body: unchanged
    assert (await poll_feed(app, bad)).error

    ledger = Ledger(app.store.engine)
    await ledger.ensure_destination('odd "name"\\', "console", NOW)
    await ledger.ensure_destination("quiet", "console", NOW)
    post = Post("k1", ("summary:1", "summary:2"), {"content": "x"})
    await ledger.record_intent('odd "name"\\', post, seq=0, reply_to_key=None, now=NOW)

    code, headers, body = await get(f"{server.url}/metrics")
    assert code == 200
    assert headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    samples = parse_exposition(body.decode())
    assert samples['shortbot_polls_total{result="ok"}'] == 1
    assert samples['shortbot_polls_total{result="unchanged"}'] == 1
    assert samples['shortbot_polls_total{result="failed"}'] == 1
    assert samples['shortbot_polls_total{result="error"}'] == 0
    assert samples['shortbot_entries_ingested_total{kind="new"}'] == first.report.new > 0
    assert samples['shortbot_ledger_pending_posts{destination="odd \\"name\\"\\\\"}'] == 1
    assert samples['shortbot_ledger_pending_deliveries{destination="odd \\"name\\"\\\\"}'] == 2
    assert samples['shortbot_ledger_pending_deliveries{destination="quiet"}'] == 0
    # both feeds were polled at NOW and are due again in 15 minutes (the failed one later)
    assert samples["shortbot_feeds_due"] == 0
    assert samples["shortbot_database_up"] == 1
    assert samples["shortbot_last_successful_poll_timestamp_seconds"] == NOW.timestamp()


async def test_feeds_due_follow_the_clock(
    app: App, server: HealthServer, clock: Clock, feed_server: LocalHTTPServer
) -> None:
    feed = await app.store.add_feed(
        feed_server.url("/feed.xml"),
        name=None,
        interval_seconds=900,
        announce_existing=False,
        now=NOW,
    )
    assert feed
    samples = parse_exposition((await get(f"{server.url}/metrics"))[2].decode())
    assert samples["shortbot_feeds_due"] == 1  # never polled
    await poll_feed(app, feed)
    samples = parse_exposition((await get(f"{server.url}/metrics"))[2].decode())
    assert samples["shortbot_feeds_due"] == 0
    clock.now = NOW + timedelta(minutes=16)
    samples = parse_exposition((await get(f"{server.url}/metrics"))[2].decode())
    assert samples["shortbot_feeds_due"] == 1


# -- Atom feeds -----------------------------------------------------------------------------


async def raw_get(server: HealthServer, target: str) -> tuple[int, bytes]:
    """A request line sent as is (no client normalises the path)."""
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    answer = await reader.read()
    writer.close()
    await writer.wait_closed()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


async def test_atom_feeds_are_served_by_destination_name_only(
    database_url: str, tmp_path: Path, clock: Clock
) -> None:
    custom = tmp_path / "elsewhere" / "papers.xml"
    custom.parent.mkdir()
    custom.write_bytes(b'<?xml version="1.0" encoding="utf-8"?>\n<feed>custom</feed>\n')
    secret = tmp_path / "data" / "secret.atom"
    secret.parent.mkdir()
    secret.write_text("not a destination")
    settings = settings_for(
        database_url,
        tmp_path,
        console=True,
        destinations=[
            {"name": "papers", "platform": "atom", "path": str(custom)},
            {"name": "feed", "platform": "atom"},  # data/feed.atom, not written yet
        ],
    )
    async with open_app(settings, clock=clock) as app, serve_health(app, port=0) as server:
        code, headers, body = await get(f"{server.url}/feeds/papers.atom")
        assert code == 200
        assert headers["Content-Type"].split(";")[0] == "application/atom+xml"
        assert body == custom.read_bytes()

        for target in (
            "/feeds/feed.atom",  # configured, nothing written yet
            "/feeds/console.atom",  # a destination, not an Atom one
            "/feeds/secret.atom",  # a file in data/, not a destination
            "/feeds/papers",
            "/feeds/papers.xml",
            "/feeds/../data/secret.atom",
            "/feeds/..%2Fdata%2Fsecret.atom",
            "/feeds/%2e%2e%2fsecret.atom",
            "/feeds/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
            f"/feeds/{'%2e%2e%2f' * 8}{str(custom).lstrip('/').replace('/', '%2F')}",
        ):
            code, body = await raw_get(server, target)
            assert code == 404, target
            assert b"custom" not in body and b"not a destination" not in body


# -- shortbot run -------------------------------------------------------------------------


def test_shortbot_run_serves_the_endpoint_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    env = clean_env()
    env |= {"SHORTBOT_HEALTH__PORT": "0", "SHORTBOT_LOG_FORMAT": "kv"}
    process = subprocess.Popen(
        [str(SHORTBOT), "run"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        seen = []
        for line in process.stderr:
            seen.append(line)
            if "health endpoint listening" in line:
                break
        url = re.search(r"url=(\S+)", seen[-1])
        assert url, "".join(seen)
        answer = httpx.get(f"{url[1]}/healthz", timeout=30)
        assert answer.status_code == 200
        assert answer.json()["checks"]["database"]["status"] == "ok"
        assert httpx.get(f"{url[1]}/metrics", timeout=30).text.startswith("# HELP ")
        process.send_signal(signal.SIGTERM)
        rest = process.stderr.read()
        assert process.wait(timeout=60) == 0, rest
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()
    assert "health endpoint stopped" in rest
    # kv logs: one line per event, tracebacks included
    assert all(line.startswith("ts=") for line in [*seen, *rest.splitlines()])
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url[1]}/healthz", timeout=5)
