"""Platforms whose reads lag their writes: X's timeline and a Page's feed show a new post only
a while after it was made (the fakes' ``read_lag``). A send cut off by a crash is looked for
until the destination's window past its start is over, never re-sent while the platform still
hides it; X's 403 "duplicate content" never leaves a post without its id, and the thread's
next reply waits for it. Real tweepy and httpx against the fakes, a real database, real
sleeps (the lags are short)."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta

import aiohttp
import pytest

from papers.delivery import DeliveryPolicy, deliver
from papers.reconcile import look_times
from publishers.facebook import FacebookPublisher
from storage.ledger import Ledger
from storage.repository import Store
from tests.fakegraph import FakeGraph
from tests.fakex import FakeX
from tests.papers.test_delivery import START, facebook, graph, http, setup
from tests.publishers.test_x_delivery import DiesOnSend, Killed, assert_one_thread, x_publisher

LAG = 1.0
__all__ = ["facebook", "graph", "http"]  # fixtures shared with tests.papers.test_delivery


def test_looks_double_their_spacing_and_end_with_the_window() -> None:
    assert look_times(0.0, 60.0, 1.0) == [0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0]
    assert look_times(5.0, 60.0, 1.0) == [5.0, 8.0, 16.0, 32.0, 60.0]  # a later restart
    assert look_times(3600.0, 60.0, 1.0) == [3600.0]  # long after: one look
    assert look_times(0.0, 0.0, 1.0) == [0.0]  # no window: one look, as before


class WallClock:
    """``START`` moved on by the real time that passes (the lagging fakes use real time)."""

    def __init__(self) -> None:
        self.base = time.monotonic()

    def __call__(self) -> datetime:
        return START + timedelta(seconds=time.monotonic() - self.base)


def policy(window: float) -> DeliveryPolicy:
    return DeliveryPolicy(reconcile_window_seconds=window, reconcile_first_wait_seconds=0.25)


@pytest.mark.parametrize("window", [0.0, 3.0], ids=["no-window", "window"])
async def test_a_page_post_cut_off_is_found_once_the_feed_shows_it(
    store: Store, graph: FakeGraph, facebook: FacebookPublisher, window: float
) -> None:
    """The process dies once the Page has the post; the restart comes at once, while the
    Page's feed does not show it yet. Without a window it is posted twice (what the issue
    saw: 17 items duplicated); with one, it is found."""
    graph.read_lag = LAG
    graph.duplicate_window = 0.0  # the Page's own guard off: only shortbot keeps posts single
    ledger, clock = Ledger(store.engine), WallClock()
    await setup(store, ledger, ("page", "facebook"))
    dying = DiesOnSend(facebook, at=1, after=True)
    with pytest.raises(Killed):
        await deliver(store, ledger, dying, policy(window), clock=clock, sleep=asyncio.sleep)
    report = await deliver(
        store, ledger, facebook, policy(window), clock=clock, sleep=asyncio.sleep
    )
    assert report.sent == 12
    if window:
        assert len(graph.posts) == 1
        reads = [r for r in graph.server.requests(graph.path) if r.method == "GET"]
        assert len(reads) > 1  # looked again while the feed lagged
    else:
        assert len(graph.posts) == 2  # the lag shows: a repeat


async def test_x_duplicate_while_the_timeline_lags_keeps_the_thread_whole(
    store: Store, fake: FakeX, session: aiohttp.ClientSession
) -> None:
    """Killed once X has reply 4; the restart's window (0.3 s) is shorter than X's lag: it
    re-sends, X answers 403 duplicate, the post is still not readable. Then the post stays
    pending (never ``unknown``), nothing else goes out, nothing is failed; once X shows it,
    the next run completes the same thread."""
    fake.reject_duplicates = True
    fake.read_lag = LAG
    ledger, clock = Ledger(store.engine), WallClock()
    await setup(store, ledger, ("x", "x"))
    publisher = x_publisher(fake, session)
    short = policy(0.3)
    dying = DiesOnSend(publisher, at=4, after=True)
    with pytest.raises(Killed):
        await deliver(store, ledger, dying, short, clock=clock, sleep=asyncio.sleep)
    assert len(fake.posts) == 4
    report = await deliver(store, ledger, publisher, short, clock=clock, sleep=asyncio.sleep)
    assert report.pending > 0 and report.failed == 0
    assert any("not found on the platform yet" in e for e in report.errors)
    assert len(fake.posts) == 4  # no reply went out after the post X would not show
    rows = await ledger.rows(destination="x")
    assert "failed" not in {r.status for r in rows}
    assert "unknown" not in {r.post_id for r in rows}
    await asyncio.sleep(LAG)
    report = await deliver(store, ledger, publisher, short, clock=clock, sleep=asyncio.sleep)
    assert report.pending == 0 and report.failed == 0
    assert_one_thread(fake, 12)
    rows = await ledger.rows(destination="x")
    assert {r.status for r in rows} == {"sent"}
    assert {r.post_id for r in rows} <= {p.id for p in fake.posts}


async def test_x_cut_off_within_the_window_is_found_not_resent(
    store: Store, fake: FakeX, session: aiohttp.ClientSession
) -> None:
    """The same crash with the window longer than the lag: found, the thread goes on."""
    fake.read_lag = LAG
    ledger, clock = Ledger(store.engine), WallClock()
    await setup(store, ledger, ("x", "x"))
    publisher = x_publisher(fake, session)
    dying = DiesOnSend(publisher, at=2, after=True)
    with pytest.raises(Killed):
        await deliver(store, ledger, dying, policy(3.0), clock=clock, sleep=asyncio.sleep)
    report = await deliver(store, ledger, publisher, policy(3.0), clock=clock, sleep=asyncio.sleep)
    assert (report.sent, report.pending, report.failed) == (12, 0, 0)
    assert_one_thread(fake, 12)
    assert fake.count("get_users_tweets") > 1
