"""The fake Discord's channel webhooks, driven by the real discord.py ``discord.Webhook``."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.fakediscord import (
    ChannelWebhook,
    FakeDiscord,
    Permission,
    discord_endpoints,
    new_snowflake,
)
from tests.fakediscord.compat import discord
from tests.secretwatch import SECRETS

ROUTE = "/webhooks/{application_id}/{token}"


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(heartbeat_interval=1.0) as fake:
        with discord_endpoints(fake.api_base_url, fake.gateway_url):
            yield fake


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as running:
        yield running


@pytest.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[discord.Client]:
    """The bot's REST client (logged in, no gateway)."""
    async with discord.Client(intents=discord.Intents.none()) as client:
        await client.login(fake.token)
        yield client


@pytest.fixture
def hook(fake: FakeDiscord) -> ChannelWebhook:
    return fake.create_webhook(fake.guild.channel("general"))


async def history(bot: discord.Client, channel_id: int) -> list[discord.Message]:
    channel = await bot.fetch_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return [m async for m in channel.history(limit=10)]


def test_a_webhook_looks_like_discords(fake: FakeDiscord, hook: ChannelWebhook) -> None:
    general = fake.guild.channel("general")
    assert (hook.channel_id, hook.guild_id, hook.name) == (general.id, fake.guild.id, hook.name)
    assert hook.name == "shortbot digests"
    assert re.fullmatch(r"[A-Za-z0-9_-]{68,}", hook.token)
    assert hook.url == f"https://discord.com/api/webhooks/{hook.id}/{hook.token}"
    assert hook.token in SECRETS
    assert hook.token not in repr(hook)
    assert fake.webhooks == {hook.id: hook}
    with pytest.raises(ValueError, match="cannot contain"):
        fake.create_webhook(general, name="my Discord hook")


async def test_fetch_then_send_and_wait(
    fake: FakeDiscord, hook: ChannelWebhook, session: aiohttp.ClientSession, bot: discord.Client
) -> None:
    webhook = await discord.Webhook.from_url(hook.url, session=session).fetch()
    assert (webhook.id, webhook.type) == (hook.id, discord.WebhookType.incoming)
    assert (webhook.channel_id, webhook.guild_id) == (hook.channel_id, hook.guild_id)
    assert webhook.name == hook.name and webhook.token == hook.token
    assert webhook.user is None

    embed = discord.Embed(title="Digest", description="Three papers")
    sent = await webhook.send(
        "hello <@&1>",
        embeds=[embed],
        allowed_mentions=discord.AllowedMentions.none(),
        wait=True,
    )
    with_file = await webhook.send(
        "with a file", file=discord.File(io.BytesIO(b"abc"), "a.txt"), wait=True
    )

    assert sent.webhook_id == hook.id and sent.channel.id == hook.channel_id
    assert sent.content == "hello <@&1>" and sent.embeds[0].title == "Digest"
    assert sent.author.id == hook.id and sent.author.name == hook.name and sent.author.bot
    stored = fake.webhook_messages(hook)
    assert [m["id"] for m in stored] == [str(sent.id), str(with_file.id)]
    assert stored[0]["author"] == {
        "id": str(hook.id),
        "username": hook.name,
        "avatar": None,
        "discriminator": "0000",
        "bot": True,
    }
    assert stored[0]["webhook_id"] == str(hook.id) and "application_id" not in stored[0]
    assert stored[0]["mention_roles"] == [] and "member" not in stored[0]
    assert [a["filename"] for a in stored[1]["attachments"]] == ["a.txt"]
    assert fake.messages(hook.channel_id) == stored
    assert fake.bot_messages(hook.channel_id) == []  # the webhook is not the bot

    seen = await history(bot, hook.channel_id)
    assert [m.id for m in seen] == [with_file.id, sent.id]
    assert all(m.webhook_id == hook.id and m.author.name == hook.name for m in seen)
    executes = fake.requests_to("POST", hook.path)
    assert [r.route for r in executes] == [ROUTE, ROUTE]
    assert all(r.authorization is None and r.status == 200 for r in executes)
    assert executes[0].json["allowed_mentions"] == {"parse": []}
    assert fake.check_bot_payloads(require_no_pings=True) == [
        f"POST {hook.path}: allowed_mentions does not forbid every ping "
        "(want parse=[], no users, no roles, replied_user false)"
    ]
    fake.assert_no_unknown_requests()


async def test_without_wait_the_answer_is_204(
    fake: FakeDiscord, hook: ChannelWebhook, session: aiohttp.ClientSession
) -> None:
    webhook = discord.Webhook.from_url(hook.url, session=session)
    await webhook.send("no wait", username="Renamed")  # answers None
    (request,) = fake.requests_to("POST", hook.path)
    assert (request.query["wait"], request.status, request.response) == ("0", 204, None)
    (message,) = fake.webhook_messages(hook)
    assert message["content"] == "no wait" and message["author"]["username"] == "Renamed"


async def test_wrong_token_and_unknown_id(
    fake: FakeDiscord, hook: ChannelWebhook, session: aiohttp.ClientSession
) -> None:
    other_token = "x" * 68
    wrong = discord.Webhook.from_url(
        f"https://discord.com/api/webhooks/{hook.id}/{other_token}", session=session
    )
    with pytest.raises(discord.HTTPException) as caught:
        await wrong.send("nope", wait=True)
    assert (caught.value.status, caught.value.code) == (401, 50027)
    assert caught.value.text == "Invalid Webhook Token"
    with pytest.raises(discord.HTTPException) as caught:
        await wrong.fetch()
    assert (caught.value.status, caught.value.code) == (401, 50027)

    unknown = discord.Webhook.partial(new_snowflake(), hook.token, session=session)
    with pytest.raises(discord.NotFound) as missing:
        await unknown.send("nope", wait=True)
    assert (missing.value.code, missing.value.text) == (10015, "Unknown Webhook")
    with pytest.raises(discord.NotFound) as missing:
        await unknown.fetch()
    assert missing.value.code == 10015
    assert fake.webhook_messages(hook) == []
    assert fake.messages(hook.channel_id) == []


async def test_the_post_hook_fires_after_storing_before_answering(
    fake: FakeDiscord, hook: ChannelWebhook, session: aiohttp.ClientSession
) -> None:
    seen: list[tuple[int, int]] = []

    def on_post() -> None:
        seen.append((len(fake.webhook_messages(hook)), fake.requests[-1].status))

    fake.on_post = on_post
    await discord.Webhook.from_url(hook.url, session=session).send("hooked", wait=True)
    assert seen == [(1, 0)]  # stored; not answered yet


async def test_faults_and_limits_on_the_webhook_route(
    fake: FakeDiscord, hook: ChannelWebhook, session: aiohttp.ClientSession
) -> None:
    webhook = discord.Webhook.from_url(hook.url, session=session)
    fake.set_global_rate_limit(1)  # the bot's global limit does not count webhooks
    fake.fail_next("POST", ROUTE, status=429, retry_after=0.01)
    first = await webhook.send("retried", wait=True)
    fake.fail_next("POST", hook.path, status=429, retry_after=0.01, after_processing=True)
    second = await webhook.send("posted twice", wait=True)

    statuses = [(r.status, r.fault) for r in fake.requests_to("POST", hook.path)]
    assert statuses == [
        (429, "fail_next 429"),
        (200, None),
        (429, "fail_next 429 (after processing)"),
        (200, None),
    ]
    contents = [m["content"] for m in fake.webhook_messages(hook)]
    assert contents == ["retried", "posted twice", "posted twice"]  # a lost answer, retried
    assert [first.id, second.id] == [int(m["id"]) for m in fake.webhook_messages(hook)[::2]]


async def test_invalid_payloads_are_refused_like_the_bots(
    fake: FakeDiscord, hook: ChannelWebhook, session: aiohttp.ClientSession
) -> None:
    webhook = discord.Webhook.from_url(hook.url, session=session)
    with pytest.raises(discord.HTTPException) as caught:
        await webhook.send("x" * 2001, wait=True)
    assert (caught.value.status, caught.value.code) == (400, 50035)
    with pytest.raises(discord.HTTPException) as caught:
        await webhook.send("hi", username="Discord bot", wait=True)
    assert caught.value.code == 50035
    assert fake.webhook_messages(hook) == []


async def test_denied_read_history_forbids_the_bots_reads_not_the_webhook(
    fake: FakeDiscord, hook: ChannelWebhook, session: aiohttp.ClientSession, bot: discord.Client
) -> None:
    general = fake.guild.channel("general")
    overwrite = fake.deny_bot(general)
    assert overwrite.target_id == fake.bot_member().id
    assert overwrite.deny == Permission.READ_MESSAGE_HISTORY
    assert not fake.bot_permissions_in(general) & Permission.READ_MESSAGE_HISTORY

    await discord.Webhook.from_url(hook.url, session=session).send("posted", wait=True)
    with pytest.raises(discord.Forbidden) as caught:
        await history(bot, general.id)
    assert (caught.value.status, caught.value.code) == (403, 50013)

    fake.deny_bot(general, Permission.VIEW_CHANNEL)
    assert len(general.overwrites) == 1  # the same overwrite, denying more
    with pytest.raises(discord.Forbidden) as caught:
        await bot.http.logs_from(general.id, 10)
    assert caught.value.code == 50001

    general.overwrites.remove(overwrite)
    assert [m.content for m in await history(bot, general.id)] == ["posted"]
