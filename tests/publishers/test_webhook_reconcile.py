"""Discord webhook destinations after a crash: with the bot able to read the webhook's channel,
a message cut off between Discord's answer and the ledger's commit is found in the channel's
history (this webhook's messages, the post's content and embeds) and not posted again, also
when the history lags; without that access the destination says it is at-least-once, and why,
and the repeat it makes is the one it announced. The real discord.py (webhook and bot REST
clients) against the fake Discord; the sample summaries in a real database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import datetime

import pytest

from papers.delivery import DeliveryPolicy, deliver, select_digest
from publishers.discord import DiscordSession, DiscordWebhookPublisher
from storage.ledger import Ledger
from storage.repository import Store
from tests.fakediscord import FakeDiscord, discord_endpoints
from tests.fakediscord.permissions import Permission
from tests.fakediscord.webhooks import ChannelWebhook
from tests.papers.test_delivery import START, Clock, setup
from tests.publishers.test_lagging_reads import WallClock
from tests.publishers.test_x_delivery import DiesOnSend, Killed

TOKEN = "MTIzNDU2.webhook-reader-bot-token-SECRET"
POLICY = DeliveryPolicy(reconcile_window_seconds=3.0, reconcile_first_wait_seconds=0.25)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(TOKEN) as fake:
        with discord_endpoints(fake.api_base_url, fake.gateway_url):
            yield fake


@pytest.fixture
def hook(fake: FakeDiscord) -> ChannelWebhook:
    return fake.create_webhook(fake.guild.channel("general"))


@pytest.fixture
async def reader() -> AsyncIterator[DiscordSession]:
    async with DiscordSession(TOKEN) as session:
        yield session


async def crash_then_rerun(
    store: Store,
    ledger: Ledger,
    make: Callable[[], DiscordWebhookPublisher],
    *,
    at: int,
    clock: Callable[[], datetime],
) -> None:
    """A run killed once Discord has its ``at``-th message, then a run of a fresh process."""
    async with make() as first:
        dying = DiesOnSend(first, at=at, after=True)
        with pytest.raises(Killed):
            await deliver(store, ledger, dying, POLICY, clock=clock, sleep=asyncio.sleep)
    async with make() as second:
        report = await deliver(store, ledger, second, POLICY, clock=clock, sleep=asyncio.sleep)
    assert (report.pending, report.failed) == (0, 0)


async def posts_expected(store: Store, publisher: DiscordWebhookPublisher) -> int:
    """How many messages an undisturbed run makes."""
    selection = await select_digest(store, publisher.name, POLICY, START, now=START)
    return len(publisher.render(selection.digest))


@pytest.mark.parametrize("lag", [0.0, 1.0], ids=["history-current", "history-lags-1s"])
async def test_with_read_access_a_cut_off_message_is_found_not_repeated(
    store: Store, fake: FakeDiscord, hook: ChannelWebhook, reader: DiscordSession, lag: float
) -> None:
    fake.read_lag = lag
    ledger = Ledger(store.engine)
    await setup(store, ledger, ("hook", "discord"))

    def make() -> DiscordWebhookPublisher:
        return DiscordWebhookPublisher("hook", url=hook.url, reader=reader)

    async with make() as probe:
        assert await probe.delivery_guarantee() is None
        expected = await posts_expected(store, probe)
    await crash_then_rerun(store, ledger, make, at=1, clock=WallClock())
    messages = fake.webhook_messages(hook)
    assert len(messages) == expected
    assert len({m["content"] for m in messages}) == expected  # none twice
    state = await ledger.destination("hook")
    assert state is not None and state.at_least_once is None
    rows = await ledger.rows(destination="hook")
    assert {r.status for r in rows} == {"sent"}
    assert {r.post_id for r in rows} <= {m["id"] for m in messages}


@pytest.mark.parametrize("access", ["no-token", "no-history"])
async def test_without_read_access_the_destination_says_at_least_once(
    store: Store, fake: FakeDiscord, hook: ChannelWebhook, reader: DiscordSession, access: str
) -> None:
    if access == "no-history":
        fake.deny_bot(fake.guild.channel("general"), Permission.READ_MESSAGE_HISTORY)
    ledger = Ledger(store.engine)
    await setup(store, ledger, ("hook", "discord"))

    def make() -> DiscordWebhookPublisher:
        return DiscordWebhookPublisher(
            "hook", url=hook.url, reader=reader if access == "no-history" else None
        )

    async with make() as probe:
        reason = await probe.delivery_guarantee()
        expected = await posts_expected(store, probe)
    assert reason is not None
    assert ("no Discord bot token" in reason) == (access == "no-token")
    assert ("cannot read channel" in reason) == (access == "no-history")
    await crash_then_rerun(store, ledger, make, at=1, clock=Clock())
    # the repeat the destination announced: the message cut off before its commit, once more
    messages = fake.webhook_messages(hook)
    assert len(messages) == expected + 1
    assert messages[0]["content"] == messages[1]["content"]
    state = await ledger.destination("hook")
    assert state is not None and state.at_least_once == reason
