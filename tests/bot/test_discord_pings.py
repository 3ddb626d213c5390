"""Opt-in pings end to end: a digest mentions its role and only it, its "Notify me" button
gives and takes the role (after a restart too), and a bot that may not manage the role says
so. The real discord.py client on the fake Discord, a real SQLite database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, open_app
from bot.delivery import deliver_all
from bot.settings import Settings
from papers import discord_pings as pings
from papers.usecases import ingest_parsed
from sources.parse import parse_feed
from tests.discordbot import serving
from tests.fakediscord import (
    DEFAULT_BOT_PERMISSIONS,
    FakeDiscord,
    Permission,
    Role,
    discord_endpoints,
    forbids_all_pings,
)
from tests.fakediscord.server import DEFAULT_TOKEN

FIXTURES = Path(__file__).parents[1] / "fixtures"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DIGEST_ROUTE = "/channels/{channel_id}/messages"


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(
        heartbeat_interval=1.0,
        bot_permissions=DEFAULT_BOT_PERMISSIONS | Permission.MANAGE_ROLES,
    ) as fake:
        fake.guild.add_role("paper-news")
        fake.guild.add_role("staff-news")
        (bot_role,) = fake.bot_member().roles  # a server admin puts the bot's role above them
        bot_role.position = max(r.position for r in fake.guild.roles) + 1
        with discord_endpoints(fake.api_base_url, fake.gateway_url):
            yield fake


@pytest.fixture
async def app(tmp_path: Path, fake: FakeDiscord) -> AsyncIterator[App]:
    announcements = fake.guild.channel("announcements")
    hook = fake.create_webhook(announcements)
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        feeds=[],
        console=False,
        discord={"token": DEFAULT_TOKEN, "maintainer_role": "maintainer"},
        destinations=[
            {
                "name": "staff-digest",
                "platform": "discord",
                "channel_id": announcements.id,
                "ping_role_id": fake.guild.role("staff-news").id,
            },
            {
                "name": "hook-digest",
                "platform": "discord-webhook",
                "webhook_url": hook.url,
                "ping_role_id": fake.guild.role("staff-news").id,
            },
        ],
    )
    async with open_app(settings, clock=lambda: NOW) as opened:
        yield opened


async def ingest_sample(app: App) -> None:
    parsed = parse_feed((FIXTURES / "shortscience-rss.xml").read_bytes(), "sample")
    await ingest_parsed(app.store, parsed, "sample", announce=True, now=NOW)


def ping_problems(fake: FakeDiscord, *roles: Role) -> list[str]:
    """Every message the bot sent that may ping anyone, but a digest's first message that
    may ping its role alone."""
    allowed = {str(r.id) for r in roles}
    problems = fake.check_bot_payloads()
    for request in fake.requests:
        body = request.json
        if not isinstance(body, dict) or request.route is None:
            continue
        payloads = [body.get("data") or {}] if "/callback" in request.route else [body]
        for payload in payloads:
            if "content" not in payload and "embeds" not in payload:
                continue
            mentions = payload.get("allowed_mentions") or {}
            if forbids_all_pings(payload):
                continue
            may_ping = {str(r) for r in mentions.get("roles") or []}
            if mentions.get("parse") or mentions.get("users") or not may_ping <= allowed:
                problems.append(f"{request.method} {request.path} may ping {mentions}")
    return problems


@pytest.fixture
async def bot(app: App, fake: FakeDiscord) -> AsyncIterator[Any]:
    async with serving(app, fake.token) as shortbot:
        yield shortbot
    fake.assert_no_unknown_requests()


async def say(fake: FakeDiscord, text: str, who: str = "maintainer") -> dict[str, Any]:
    general = fake.guild.channel("general")
    sent = await fake.send_message(general, fake.guild.member(who), text)
    return await fake.wait_for_message(general, after=sent.id)


async def digest_now(fake: FakeDiscord, destination: str) -> list[dict[str, Any]]:
    """Send a digest now from Discord; the digest's messages, oldest first."""
    general = fake.guild.channel("general")
    sent = await fake.send_message(
        general, fake.guild.member("maintainer"), f"!digest now {destination}"
    )
    reply = await fake.wait_for_message(
        general, after=sent.id, predicate=lambda m: "sent now" in m["content"]
    )
    return [
        m
        for channel in fake.guild.channels
        for m in fake.bot_messages(channel)
        if m["embeds"] and int(m["id"]) < int(reply["id"]) and "new summar" in m["content"]
    ]


async def subscribe_with_ping(fake: FakeDiscord, role: Role) -> None:
    general = fake.guild.channel("general")
    await say(fake, "!subscribe votes>=1")
    answer = await say(fake, f"!digest ping {role.mention}")
    assert answer["content"] == (
        f"The digests of <#{general.id}> now mention {role.mention}, with a Notify me button "
        "members press to take or drop the role."
    )


async def digest_with_ping(fake: FakeDiscord, app: App, role: Role) -> dict[str, Any]:
    """#general subscribed with ``role`` to ping; its first digest message."""
    await subscribe_with_ping(fake, role)
    await ingest_sample(app)
    first, *_ = await digest_now(fake, f"<#{fake.guild.channel('general').id}>")
    return first


async def press(fake: FakeDiscord, message: dict[str, Any], who: str) -> str:
    sent = await fake.press_button(int(message["id"]), pings.NOTIFY_ID, user=fake.guild.member(who))
    answer = await fake.wait_for_answer(sent.id)
    assert answer.payload["data"]["flags"] & 64, "the answer is ephemeral"
    return str(answer.payload["data"]["content"])


async def test_a_digest_mentions_only_its_role(fake, bot, app: App) -> None:
    role = fake.guild.role("paper-news")
    await subscribe_with_ping(fake, role)
    await ingest_sample(app)
    general = fake.guild.channel("general")
    first, *rest = await digest_now(fake, f"<#{general.id}>")
    assert first["content"].startswith(f"{role.mention} **")
    assert first["mention_roles"] == [str(role.id)]
    assert first["mentions"] == [] and first["mention_everyone"] is False
    (row,) = first["components"]
    assert [(b["label"], b["custom_id"]) for b in row["components"]] == [
        ("Notify me", pings.NOTIFY_ID)
    ]
    posts = fake.requests_to("POST", "/channels/*/messages")
    (request,) = [r for r in posts if r.json.get("content") == first["content"]]
    assert request.json["allowed_mentions"] == {"parse": [], "roles": [role.id]}
    for later in rest:  # the mention and the button are the first message's only
        assert later["mention_roles"] == [] and not later["components"]
    assert all(forbids_all_pings(r.json) for r in posts if r is not request)
    assert ping_problems(fake, role) == []


async def test_the_notify_me_button_gives_and_takes_the_role(fake, bot, app: App) -> None:
    role = fake.guild.role("paper-news")
    first = await digest_with_ping(fake, app, role)
    member = fake.guild.member("member")
    assert await press(fake, first, "member") == pings.NOW_NOTIFIED
    assert role in member.roles
    assert await press(fake, first, "member") == pings.NO_LONGER_NOTIFIED
    assert role not in member.roles
    path = f"/guilds/{fake.guild.id}/members/{member.id}/roles/{role.id}"
    assert [(r.method, r.status) for r in fake.requests_to("*", path)] == [
        ("PUT", 204),
        ("DELETE", 204),
    ]
    assert ping_problems(fake, role) == []


async def test_a_configured_destination_pings_its_ping_role_id(fake, bot, app: App) -> None:
    role = fake.guild.role("staff-news")
    await ingest_sample(app)
    first, *_ = await digest_now(fake, "staff-digest")
    assert first["channel_id"] == str(fake.guild.channel("announcements").id)
    assert first["mention_roles"] == [str(role.id)]
    assert await press(fake, first, "owner") == pings.NOW_NOTIFIED
    assert role in fake.guild.member("owner").roles
    assert ping_problems(fake, role) == []


async def test_a_webhook_digest_mentions_its_role_without_a_button(fake, bot, app: App) -> None:
    role = fake.guild.role("staff-news")
    await ingest_sample(app)
    (report,) = await deliver_all(app, which=lambda name: name == "hook-digest")
    assert report.sent == 12 and report.failed == 0 and report.errors == []
    (hook,) = fake.webhooks.values()
    first, *rest = fake.webhook_messages(hook)
    assert first["content"].startswith(f"{role.mention} **")
    assert first["mention_roles"] == [str(role.id)] and not first["components"]
    assert all(m["mention_roles"] == [] for m in rest)
    assert ping_problems(fake, role) == []


async def test_the_button_works_after_a_restart(fake, app: App) -> None:
    role = fake.guild.role("paper-news")
    async with serving(app, fake.token):
        first = await digest_with_ping(fake, app, role)
    async with serving(app, fake.token):  # a new process: no view made by the first one
        assert await press(fake, first, "member") == pings.NOW_NOTIFIED
    assert role in fake.guild.member("member").roles
    assert ping_problems(fake, role) == []


async def test_without_manage_roles_the_member_is_told(fake, bot, app: App) -> None:
    role = fake.guild.role("paper-news")
    first = await digest_with_ping(fake, app, role)
    (bot_role,) = fake.bot_member().roles
    bot_role.permissions &= ~Permission.MANAGE_ROLES  # a server admin takes it away
    assert await press(fake, first, "member") == pings.NO_MANAGE_ROLES
    assert role not in fake.guild.member("member").roles
    (refused,) = fake.requests_to("PUT", "/guilds/*/members/*/roles/*")
    assert (refused.status, refused.response["code"]) == (403, 50013)
    assert ping_problems(fake, role) == []


async def test_a_role_above_the_bots_is_explained(fake, bot, app: App) -> None:
    high = fake.guild.add_role("everything-news")  # made after the bot joined: above its role
    await fake.dispatch(
        "GUILD_ROLE_CREATE", {"guild_id": str(fake.guild.id), "role": high.payload()}
    )
    await say(fake, "!subscribe votes>=1")
    answer = await say(fake, "!digest ping everything-news")
    assert "Note: the Notify me button needs my highest role above it." in answer["content"]
    await ingest_sample(app)
    first, *_ = await digest_now(fake, f"<#{fake.guild.channel('general').id}>")
    assert await press(fake, first, "member") == pings.ROLE_ABOVE_ME.format(role=high.mention)
    assert high not in fake.guild.member("member").roles
    assert ping_problems(fake, high) == []


async def test_ping_none_stops_the_mentions_and_strangers_change_nothing(
    fake, bot, app: App
) -> None:
    role = fake.guild.role("paper-news")
    general = fake.guild.channel("general")
    refused = await say(fake, f"!digest ping {role.mention}")
    assert refused["content"].startswith("That channel has no digest yet: subscribe it")
    await subscribe_with_ping(fake, role)
    stranger = await say(fake, "!digest ping none", who="member")
    assert stranger["content"].startswith("This command is for maintainers")
    listed = await say(fake, "!subscriptions")
    assert f"mentions {role.mention}, with a Notify me button" in listed["embeds"][0]["description"]
    cleared = await say(fake, "!digest ping none")
    assert cleared["content"] == f"The digests of <#{general.id}> mention no role now."
    await ingest_sample(app)
    digest = await digest_now(fake, f"<#{general.id}>")
    assert digest and all(m["mention_roles"] == [] and not m["components"] for m in digest)
    assert await press_missing(fake, digest[0]) is None
    assert ping_problems(fake) == []


async def press_missing(fake: FakeDiscord, message: dict[str, Any]) -> None:
    """A digest without a ping role has no button to press."""
    with pytest.raises(LookupError):
        await fake.press_button(
            int(message["id"]), pings.NOTIFY_ID, user=fake.guild.member("member")
        )


async def test_slash_digest_ping_takes_the_roles_name(fake, bot, app: App) -> None:
    role = fake.guild.role("paper-news")
    await say(fake, "!subscribe votes>=1")
    sent = await fake.send_interaction(
        "digest ping",
        user=fake.guild.member("manager"),
        channel=fake.guild.channel("general"),
        options={"role": "paper-news"},
    )
    answer = await fake.wait_for_answer(sent.id)
    content = answer.payload.get("data", answer.payload)["content"]
    assert content.startswith(f"The digests of <#{fake.guild.channel('general').id}> now mention")
    assert role.mention in content
    listed = await say(fake, "!subscriptions")
    assert f"mentions {role.mention}" in listed["embeds"][0]["description"]
    assert ping_problems(fake) == []
