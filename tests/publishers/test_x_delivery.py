"""Digests to X through the delivery ledger: tweepy against the fake X, the sample summaries in
a real database. Each item once, threads that stay one thread across a crash, the daily budget,
an expired token."""

from __future__ import annotations

import io

import aiohttp
import pytest

from papers.delivery import DeliveryPolicy, deliver, select_digest
from papers.model import Digest
from papers.publishing import Post, Publisher, Sent
from papers.x_text import url_entities
from publishers.console import ConsolePublisher
from publishers.x import XPublisher
from storage.ledger import Ledger
from storage.repository import Store
from tests.fakex import FakeX
from tests.papers.test_delivery import START, Clock, Sleeps, setup

DIGEST_URL = "https://www.shortscience.org/digests/x"


class Killed(BaseException):
    """The process dying: nothing after it runs, nothing catches it."""


class DiesOnSend:
    """The real publisher, except that the process dies at the ``at``-th send: before the
    request leaves (``after=False``) or once X has the post but before the answer is recorded."""

    def __init__(self, inner: Publisher, *, at: int, after: bool) -> None:
        self.inner, self.at, self.after, self.sends = inner, at, after, 0
        self.name, self.platform = inner.name, inner.platform

    def render(self, digest: Digest) -> list[Post]:
        return self.inner.render(digest)

    async def find_sent(self, post: Post) -> Sent | None:
        return await self.inner.find_sent(post)

    async def delivery_guarantee(self) -> str | None:
        return await self.inner.delivery_guarantee()

    async def send(self, post: Post, *, reply_to: Sent | None = None) -> Sent:
        self.sends += 1
        if self.sends == self.at and not self.after:
            raise Killed
        sent = await self.inner.send(post, reply_to=reply_to)
        if self.sends == self.at:
            raise Killed
        return sent


def x_publisher(fake: FakeX, session: aiohttp.ClientSession, **options: object) -> XPublisher:
    return XPublisher(
        "x", **fake.credentials.as_kwargs(), session=session, digest_url=DIGEST_URL, **options
    )  # type: ignore[arg-type]


def assert_one_thread(fake: FakeX, replies: int) -> None:
    """The account holds one head and ``replies`` replies, each answering the one before."""
    assert len(fake.posts) == 1 + replies
    assert fake.posts[0].in_reply_to is None
    for previous, reply in zip(fake.posts, fake.posts[1:], strict=False):
        assert reply.in_reply_to == previous.id
    assert len(set(fake.texts)) == len(fake.texts)


async def test_a_thread_carries_each_item_once_and_a_second_run_posts_nothing(
    store: Store, fake: FakeX, session: aiohttp.ClientSession
) -> None:
    ledger, clock, sleep = Ledger(store.engine), Clock(), Sleeps()
    await setup(store, ledger, ("x", "x"))
    publisher = x_publisher(fake, session)
    report = await deliver(store, ledger, publisher, DeliveryPolicy(), clock=clock, sleep=sleep)
    assert (report.sent, report.failed, report.pending) == (12, 0, 0)
    assert_one_thread(fake, 12)
    again = await deliver(store, ledger, publisher, DeliveryPolicy(), clock=clock, sleep=sleep)
    assert again.sent == 0 and len(fake.posts) == 13
    rows = await ledger.rows(destination="x")
    assert len(rows) == 12 and {r.status for r in rows} == {"sent"}
    assert {r.post_id for r in rows} == {p.id for p in fake.posts[1:]}


@pytest.mark.parametrize("after", [False, True], ids=["before-the-request", "after-x-has-it"])
@pytest.mark.parametrize("at", [1, 2, 7, 13])
async def test_a_crash_mid_thread_is_completed_as_the_same_thread(
    store: Store, fake: FakeX, session: aiohttp.ClientSession, at: int, after: bool
) -> None:
    ledger, clock, sleep = Ledger(store.engine), Clock(), Sleeps()
    await setup(store, ledger, ("x", "x"))
    publisher = x_publisher(fake, session)
    dying = DiesOnSend(publisher, at=at, after=after)
    with pytest.raises(Killed):
        await deliver(store, ledger, dying, DeliveryPolicy(), clock=clock, sleep=sleep)
    assert len(fake.posts) == at - (not after)
    # the restarted process finishes the digest it had started
    report = await deliver(store, ledger, publisher, DeliveryPolicy(), clock=clock, sleep=sleep)
    assert report.pending == 0 and report.failed == 0
    assert_one_thread(fake, 12)
    rows = await ledger.rows(destination="x")
    assert len(rows) == 12 and {r.status for r in rows} == {"sent"}
    # find_sent was asked only about the post whose send had started
    assert fake.count("get_users_tweets") == 1


async def test_the_daily_budget_sends_the_rest_tomorrow_in_order(
    store: Store, fake: FakeX, session: aiohttp.ClientSession
) -> None:
    from datetime import timedelta

    ledger, clock, sleep = Ledger(store.engine), Clock(), Sleeps()
    await setup(store, ledger, ("x", "x"))
    order = [
        f"summary:{item.summary.id}"
        for item in (
            await select_digest(store, "x", DeliveryPolicy(), START, now=START)
        ).digest.items
    ]
    publisher = x_publisher(fake, session)
    policy = DeliveryPolicy(daily_budget=4)  # a head and three replies a day
    sent_by_day = []
    for day in range(4):
        clock.now = START + timedelta(days=day, minutes=1 + day)  # a rolling 24 hours
        report = await deliver(store, ledger, publisher, policy, clock=clock, sleep=sleep)
        assert report.sent == 3
        assert day == 3 or any("wait for tomorrow" in e for e in report.errors)
        later = await deliver(store, ledger, publisher, policy, clock=clock, sleep=sleep)
        assert later.sent == 0  # the same day: the budget is spent
        rows = [r for r in await ledger.rows(destination="x") if r.status == "sent"]
        sent_by_day.append([r.item for r in sorted(rows, key=lambda r: r.id)])
    assert sent_by_day[-1] == order
    assert [len(day) for day in sent_by_day] == [3, 6, 9, 12]
    heads = [p for p in fake.posts if p.in_reply_to is None]
    assert len(heads) == 4 and all(h.text.startswith("3 new summaries") for h in heads)


async def test_per_item_posts_with_one_link_carry_one_url_per_digest(
    store: Store, fake: FakeX, session: aiohttp.ClientSession
) -> None:
    ledger, clock, sleep = Ledger(store.engine), Clock(), Sleeps()
    await setup(store, ledger, ("x", "x"))
    publisher = x_publisher(fake, session, mode="per-item", link_mode="one-link")
    report = await deliver(store, ledger, publisher, DeliveryPolicy(), clock=clock, sleep=sleep)
    assert report.sent == 12 and len(fake.posts) == 12
    assert all(p.in_reply_to is None for p in fake.posts)
    urls = [url for text in fake.texts for _, _, url in url_entities(text)]
    assert urls == [DIGEST_URL]


async def test_an_expired_token_disables_x_only(
    store: Store, fake: FakeX, session: aiohttp.ClientSession
) -> None:
    ledger, clock, sleep = Ledger(store.engine), Clock(), Sleeps()
    await setup(store, ledger, ("x", "x"), ("console", "console"))
    fake.revoke_token()
    publisher = x_publisher(fake, session)
    report = await deliver(store, ledger, publisher, DeliveryPolicy(), clock=clock, sleep=sleep)
    assert report.disabled and report.disabled.startswith("credentials rejected: X answered 401")
    assert fake.posts == []
    for secret in fake.credentials.secrets:
        assert secret not in report.disabled
    console = ConsolePublisher("console", io.StringIO())
    other = await deliver(store, ledger, console, DeliveryPolicy(), clock=clock, sleep=sleep)
    assert other.sent == 12
    state = await ledger.destination("x")
    assert state is not None and state.disabled_reason == report.disabled
    assert (
        await deliver(store, ledger, publisher, DeliveryPolicy(), clock=clock, sleep=sleep)
    ).disabled
    assert fake.count("create_tweet") == 1  # a disabled destination makes no requests
