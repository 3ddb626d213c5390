"""Digests delivered exactly once: the real Facebook and Atom publishers against a fake Graph
API and a real file, through the ledger, on SQLite and PostgreSQL. Time and sleep are injected."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from papers.delivery import DeliveryPolicy, deliver
from papers.model import Subscription, SubscriptionKind
from papers.usecases import ingest_parsed
from publishers.atom import AtomPublisher
from publishers.console import ConsolePublisher
from publishers.facebook import FacebookPublisher
from sources.parse import parse_feed
from storage.ledger import Ledger
from storage.repository import Store
from tests.fakegraph import FakeGraph
from tests.httpserver import LocalHTTPServer

FIXTURES = Path(__file__).parents[1] / "fixtures"
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    with LocalHTTPServer() as server:
        yield FakeGraph(server)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=1.0) as client:
        yield client


@pytest.fixture
def facebook(graph: FakeGraph, http: httpx.AsyncClient) -> FacebookPublisher:
    return FacebookPublisher(
        "page",
        page_id=graph.page_id,
        page_token=graph.token,
        client=http,
        graph_url=graph.base_url,
    )


async def setup(store: Store, ledger: Ledger, *names: tuple[str, str]) -> None:
    for name, platform in names:  # registered before anything is seen, as at start
        await ledger.ensure_destination(name, platform, START)
    parsed = parse_feed((FIXTURES / "shortscience-rss.xml").read_bytes(), "sample")
    await ingest_parsed(store, parsed, "sample", announce=True, now=START)


async def test_each_item_once_per_destination_and_a_second_run_posts_nothing(
    store: Store, graph: FakeGraph, facebook: FacebookPublisher, tmp_path: Path
) -> None:
    ledger, clock, sleep = Ledger(store.engine), Clock(), Sleeps()
    atom = AtomPublisher("atom", path=tmp_path / "digest.atom", feed_url="https://x.org/f")
    stream = io.StringIO()
    console = ConsolePublisher("console", stream)
    await setup(store, ledger, ("page", "facebook"), ("atom", "atom"), ("console", "console"))
    for publisher in (facebook, atom, console):
        report = await deliver(store, ledger, publisher, DeliveryPolicy(), clock=clock, sleep=sleep)
        assert (report.sent, report.failed, report.pending) == (12, 0, 0), publisher.name
    (post,) = graph.posts
    # 12 summaries of 11 papers: each paper on a line of its own (excerpts' lists use "• " too)
    assert sum(line.startswith("• ") for line in post.message.split("\n")) == 11
    assert post.message.count("(2 summaries)") == 1
    assert "12 new summaries of 11 papers" in stream.getvalue()
    assert (tmp_path / "digest.atom").read_text().count("<entry>") == 1
    for publisher in (facebook, atom, console):
        report = await deliver(store, ledger, publisher, DeliveryPolicy(), clock=clock, sleep=sleep)
        assert report.sent == 0
    assert len(graph.posts) == 1
    rows = await ledger.rows(destination="page")
    assert len(rows) == 12
    assert {r.status for r in rows} == {"sent"}
    assert {r.post_id for r in rows} == {post.id}
    assert sleep.waits == []


async def test_a_crash_after_the_post_is_reconciled_not_reposted(
    store: Store, graph: FakeGraph, facebook: FacebookPublisher
) -> None:
    ledger, clock, sleep = Ledger(store.engine), Clock(), Sleeps()
    await setup(store, ledger, ("page", "facebook"))
    # what a run does up to the platform's answer, then the process dies before recording it
    from papers.delivery import select_digest

    selection = await select_digest(store, "page", DeliveryPolicy(), START, now=START)
    (post,) = facebook.render(selection.digest)
    await ledger.record_intent("page", post, seq=0, reply_to_key=None, now=START)
    await ledger.start_attempt("page", post.key, START)
    await facebook.send(post)
    assert len(graph.posts) == 1
    # the restarted process reconciles with the Page before sending anything
    report = await deliver(store, ledger, facebook, DeliveryPolicy(), clock=clock, sleep=sleep)
    assert report.sent == 12
    assert len(graph.posts) == 1
    assert {r.status for r in await ledger.rows(destination="page")} == {"sent"}


async def test_a_crash_before_the_post_sends_it_once(
    store: Store, graph: FakeGraph, facebook: FacebookPublisher
) -> None:
    ledger, clock, sleep = Ledger(store.engine), Clock(), Sleeps()
    await setup(store, ledger, ("page", "facebook"))
    from papers.delivery import select_digest

    selection = await select_digest(store, "page", DeliveryPolicy(), START, now=START)
    (post,) = facebook.render(selection.digest)
    await ledger.record_intent("page", post, seq=0, reply_to_key=None, now=START)
    report = await deliver(store, ledger, facebook, DeliveryPolicy(), clock=clock, sleep=sleep)
    assert report.sent == 12
    assert len(graph.posts) == 1


async def test_an_answer_lost_in_transit_is_not_a_second_post(
    store: Store, graph: FakeGraph, facebook: FacebookPublisher
) -> None:
    ledger, clock, sleep = Ledger(store.engine), Clock(), Sleeps()
    await setup(store, ledger, ("page", "facebook"))
    graph.fail_next("drop", delay=3)  # posted, but the answer comes after the client's timeout
    report = await deliver(store, ledger, facebook, DeliveryPolicy(), clock=clock, sleep=sleep)
    assert report.sent == 12
    assert len(graph.posts) == 1  # the retry met "duplicate" and found the first post
    assert len(sleep.waits) == 1


async def test_expired_token_disables_only_that_destination(
    store: Store, graph: FakeGraph, facebook: FacebookPublisher, tmp_path: Path
) -> None:
    ledger, clock, sleep = Ledger(store.engine), Clock(), Sleeps()
    atom = AtomPublisher("atom", path=tmp_path / "d.atom", feed_url="https://x.org/f")
    await setup(store, ledger, ("page", "facebook"), ("atom", "atom"))
    graph.fail_next("expired")
    report = await deliver(store, ledger, facebook, DeliveryPolicy(), clock=clock, sleep=sleep)
    assert report.disabled and "Session has expired" in report.disabled
    assert graph.token not in report.disabled
    assert (
        await deliver(store, ledger, atom, DeliveryPolicy(), clock=clock, sleep=sleep)
    ).sent == 12
    again = await deliver(store, ledger, facebook, DeliveryPolicy(), clock=clock, sleep=sleep)
    assert again.disabled and graph.posts == []
    state = await ledger.destination("page")
    assert state is not None and state.disabled_reason == report.disabled
    # a maintainer fixes the token and re-enables: the pending post goes out once
    await ledger.set_disabled("page", None)
    fixed = await deliver(store, ledger, facebook, DeliveryPolicy(), clock=clock, sleep=sleep)
    assert fixed.sent == 12
    assert len(graph.posts) == 1


async def test_rate_limit_waits_then_posts(
    store: Store, graph: FakeGraph, facebook: FacebookPublisher
) -> None:
    ledger, clock, sleep = Ledger(store.engine), Clock(), Sleeps()
    await setup(store, ledger, ("page", "facebook"))
    graph.fail_next("page_rate_limit")
    report = await deliver(store, ledger, facebook, DeliveryPolicy(), clock=clock, sleep=sleep)
    assert report.sent == 12
    assert len(sleep.waits) == 1 and sleep.waits[0] >= 1
    assert len(graph.posts) == 1


async def test_outage_backs_off_then_stays_pending_for_the_next_run(
    store: Store, graph: FakeGraph, facebook: FacebookPublisher
) -> None:
    ledger, clock, sleep = Ledger(store.engine), Clock(), Sleeps()
    await setup(store, ledger, ("page", "facebook"))
    for _ in range(4):
        graph.fail_next("server_error")
    policy = DeliveryPolicy(max_attempts=4, backoff_seconds=2.0)
    report = await deliver(store, ledger, facebook, policy, clock=clock, sleep=sleep)
    assert (report.sent, report.pending) == (0, 12)
    assert len(sleep.waits) == 3
    assert all(1.0 <= w <= 3.0 * 2**n for n, w in enumerate(sleep.waits))  # jittered doubling
    assert {r.status for r in await ledger.rows(destination="page")} == {"pending"}
    recovered = await deliver(store, ledger, facebook, policy, clock=clock, sleep=sleep)
    assert recovered.sent == 12
    assert len(graph.posts) == 1


async def test_rules_cap_and_budget(
    store: Store, graph: FakeGraph, facebook: FacebookPublisher
) -> None:
    ledger, clock, sleep = Ledger(store.engine), Clock(), Sleeps()
    await setup(store, ledger, ("page", "facebook"))
    rules = (Subscription(0, 0, 0, SubscriptionKind.MIN_VOTES, "4"),)
    policy = DeliveryPolicy(max_items=3, rules=rules, daily_budget=1)
    report = await deliver(store, ledger, facebook, policy, clock=clock, sleep=sleep)
    assert report.sent == 3
    (post,) = graph.posts
    assert "and 3 more" in post.message  # six summaries have 4 votes or more
    rows = {r.item: r for r in await ledger.rows(destination="page")}
    assert sum(r.status == "skipped" and r.error == "not subscribed" for r in rows.values()) == 6
    assert sum(r.status == "skipped" and "capped" in (r.error or "") for r in rows.values()) == 3
    # the budget allows one post a day: nothing new goes out until tomorrow
    await store.save_summaries(
        [_summary("late", votes=9)], announce=True, now=START + timedelta(hours=1)
    )
    clock.now = START + timedelta(hours=2)
    held = await deliver(store, ledger, facebook, policy, clock=clock, sleep=sleep)
    assert held.sent == 0 and any("daily budget" in e for e in held.errors)
    clock.now = START + timedelta(days=1, hours=1)
    tomorrow = await deliver(store, ledger, facebook, policy, clock=clock, sleep=sleep)
    assert tomorrow.sent == 1
    assert len(graph.posts) == 2


def _summary(guid: str, votes: int):
    from papers.model import IncomingPaper, IncomingSummary

    return IncomingSummary(
        guid=guid,
        source="s",
        author="Late Writer",
        url=f"https://x.org/{guid}",
        votes=votes,
        text="A late summary.",
        published=START,
        papers=(IncomingPaper(title="Late paper", arxiv_id="2401.00001"),),
    )
