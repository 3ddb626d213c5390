"""Threads in text channels (``thread = "per-digest"``): the channel keeps one line per digest
(its heading and count), a thread is opened on it with the configured archive duration, and
the digest's messages go in the thread; a crash between Discord's answer and the ledger's
commit, at the heading (its thread opened or not yet) or inside the thread, makes no second
heading, thread or message. The real discord.py against the fake Discord, the real delivery
and ledger, the sample summaries."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from papers.delivery import DeliveryPolicy, deliver, select_digest
from papers.discord_threads import ThreadStyle
from publishers.discord import DiscordChannelPublisher
from storage.ledger import Ledger
from storage.repository import Store
from tests.fakediscord import FakeDiscord, discord_endpoints
from tests.fakediscord.models import Channel
from tests.papers.test_delivery import START, Clock, setup
from tests.publishers.test_x_delivery import DiesOnSend, Killed

TOKEN = "MTIzNDU2.thread-bot-token-SECRET"
POLICY = DeliveryPolicy(reconcile_window_seconds=0.0)
STYLE = ThreadStyle("per-digest", "3d")
HEADING = "**12 new summaries**"


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(TOKEN) as fake:
        with discord_endpoints(fake.api_base_url, fake.gateway_url):
            yield fake


def publisher(fake: FakeDiscord) -> DiscordChannelPublisher:
    channel = fake.guild.channel("general")
    return DiscordChannelPublisher(
        "papers", channel_id=channel.id, guild_id=fake.guild.id, token=TOKEN, thread=STYLE
    )


async def no_wait(seconds: float) -> None:
    return None


def fields(fake: FakeDiscord, thread: Channel) -> list[str]:
    return [f["value"] for m in fake.messages(thread) for e in m["embeds"] for f in e["fields"]]


def check_one_digest(fake: FakeDiscord) -> None:
    """What an undisturbed run leaves: one heading, one thread on it, every summary once."""
    channel = fake.guild.channel("general")
    [head] = fake.messages(channel)
    assert (head["content"], head["embeds"]) == (HEADING, [])
    [thread] = fake.threads(channel)
    assert thread.id == int(head["id"])  # a thread on a message has the message's id
    assert thread.name == "12 new summaries"
    assert thread.extra["thread_metadata"]["auto_archive_duration"] == 4320
    inside = fields(fake, thread)
    assert len(inside) == len(set(inside)) == 12
    assert all(m["content"] == "" for m in fake.messages(thread))


async def test_the_channel_keeps_the_heading_and_the_thread_holds_the_items(
    store: Store, fake: FakeDiscord
) -> None:
    ledger = Ledger(store.engine)
    await setup(store, ledger, ("papers", "discord"))
    async with publisher(fake) as pub:
        selection = await select_digest(store, pub.name, POLICY, START, now=START)
        posts = pub.render(selection.digest)
        report = await deliver(store, ledger, pub, POLICY, clock=Clock(), sleep=no_wait)
    assert (report.sent, report.pending, report.failed) == (12, 0, 0), report.errors
    assert posts[0].items == () and all(p.reply_to == 0 for p in posts[1:])
    check_one_digest(fake)
    [opened] = fake.requests_to("POST", "/channels/*/messages/*/threads")
    assert opened.json == {"name": "12 new summaries", "auto_archive_duration": 4320}
    sent_to = {r.path for r in fake.requests_to("POST", "/channels/*/messages")}
    assert len(sent_to) == 2  # the channel (the heading) and the thread (the items)


@pytest.mark.parametrize("at", [1, 2, 3], ids=["heading", "first-in-thread", "last-in-thread"])
async def test_a_kill_between_discords_answer_and_the_commit_makes_nothing_twice(
    store: Store, fake: FakeDiscord, at: int
) -> None:
    ledger = Ledger(store.engine)
    await setup(store, ledger, ("papers", "discord"))
    fake.nonce_window = 0.0  # found again by reading, not by Discord's nonce
    async with publisher(fake) as first:
        dying = DiesOnSend(first, at=at, after=True)
        with pytest.raises(Killed):
            await deliver(store, ledger, dying, POLICY, clock=Clock(), sleep=no_wait)
    async with publisher(fake) as second:
        report = await deliver(store, ledger, second, POLICY, clock=Clock(), sleep=no_wait)
    assert (report.pending, report.failed) == (0, 0), report.errors
    check_one_digest(fake)
    rows = await ledger.rows(destination="papers")
    assert {r.status for r in rows} == {"sent"}


async def test_a_heading_whose_thread_was_not_opened_gets_it_on_the_next_run(
    store: Store, fake: FakeDiscord
) -> None:
    ledger = Ledger(store.engine)
    await setup(store, ledger, ("papers", "discord"))
    fake.nonce_window = 0.0
    fake.fail_next("POST", re.compile(r".*/messages/\d+/threads$"), status=503)
    once = DeliveryPolicy(reconcile_window_seconds=0.0, max_attempts=1)
    async with publisher(fake) as first:
        report = await deliver(store, ledger, first, once, clock=Clock(), sleep=no_wait)
    assert report.sent == 0 and "503" in report.errors[0]
    assert fake.threads(fake.guild.channel("general")) == []
    assert {r.status for r in await ledger.rows(destination="papers")} == {"pending"}
    async with publisher(fake) as second:
        report = await deliver(store, ledger, second, POLICY, clock=Clock(), sleep=no_wait)
    assert (report.sent, report.pending) == (12, 0), report.errors
    check_one_digest(fake)


async def test_an_earlier_digests_heading_that_reads_the_same_is_not_taken_for_this_one(
    store: Store, fake: FakeDiscord
) -> None:
    # a channel's history may not report a nonce: a heading is then known by its text, and
    # the heading of an earlier digest of as many items reads the same
    ledger = Ledger(store.engine)
    await setup(store, ledger, ("papers", "discord"))
    async with publisher(fake) as pub:
        selection = await select_digest(store, pub.name, POLICY, START, now=START)
        head = pub.render(selection.digest)[0]
        await deliver(store, ledger, pub, POLICY, clock=Clock(), sleep=no_wait)
    check_one_digest(fake)
    later = replace(head, key="a-later-digest-heading")  # the same words, never sent
    async with publisher(fake) as pub:
        assert await pub.find_sent(head) is not None  # its own heading, by its nonce
        assert await pub.find_sent(later) is None  # the earlier one's thread holds its digest
        sent = await pub.send(later)
        assert await pub.find_sent(later) == sent  # a heading whose thread is still empty
    assert len(fake.threads(fake.guild.channel("general"))) == 2
