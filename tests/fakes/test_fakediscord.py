"""The fake Discord works with the real discord.py client, end to end over loopback sockets."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from tests.fakediscord import (
    FakeDiscord,
    Guild,
    Permission,
    PermissionOverwrite,
    User,
    check_message_limits,
    discord_endpoints,
    forbids_all_pings,
    running_bot,
    standard_guild,
    wait_for_keepalive_threads,
)
from tests.fakediscord.compat import commands, discord
from tests.fakediscord.permissions import INTENT_MESSAGE_CONTENT

# --------------------------------------------------------------------------- the bot under test


class ConfirmView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Confirm", custom_id="confirm", style=discord.ButtonStyle.primary)
    async def confirm(
        self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmView]
    ) -> None:
        await interaction.response.edit_message(content="confirmed", view=None)
        self.stop()


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    text: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
        label="Your feedback", custom_id="feedback-text"
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks: {self.text.value}", ephemeral=True)


class PingBot(commands.Bot):
    """Minimal bot: hybrid ``ping``, ``slow`` and ``edit``, prefix ``menu`` (a button), slash
    ``feedback`` (a modal)."""

    def __init__(self, *, message_content: bool = True) -> None:
        intents = discord.Intents.default()
        intents.message_content = message_content
        super().__init__(
            command_prefix="!",
            intents=intents,
            help_command=None,
            # READY waits this long after the last GUILD_CREATE (default 2 s).
            guild_ready_timeout=0.1,
        )

        @self.hybrid_command(name="ping", description="Answer pong")
        async def ping(ctx: commands.Context[commands.Bot]) -> None:
            await ctx.send("pong")

        @self.hybrid_command(name="slow", description="Defer, then answer")
        async def slow(ctx: commands.Context[commands.Bot]) -> None:
            await ctx.defer()
            await ctx.send("done")

        @self.hybrid_command(name="edit", description="Answer, then edit the answer")
        async def edit(ctx: commands.Context[commands.Bot]) -> None:
            message = await ctx.send("first")
            await message.edit(content="second")

        @self.tree.command(name="feedback", description="Open a feedback form")
        async def feedback(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(FeedbackModal())

        @self.command(name="menu")
        async def menu(ctx: commands.Context[commands.Bot]) -> None:
            await ctx.send("pick one", view=ConfirmView())

    async def setup_hook(self) -> None:
        await self.tree.sync()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every re-IDENTIFY; not in tests."""


# --------------------------------------------------------------------------- fixtures

# Local to this module; they can move to tests/conftest.py unchanged when other tests need them.


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(heartbeat_interval=1.0) as fake:
        with discord_endpoints(fake.api_base_url, fake.gateway_url):
            yield fake


StartBot = Callable[..., Awaitable[PingBot]]


@pytest.fixture
async def start_bot(fake: FakeDiscord) -> AsyncIterator[StartBot]:
    async with contextlib.AsyncExitStack() as stack:

        async def start(bot: PingBot | None = None, token: str | None = None) -> PingBot:
            bot = bot or PingBot()
            await stack.enter_async_context(running_bot(bot, token or fake.token))
            return bot

        yield start


# --------------------------------------------------------------------------- end to end


async def test_login_ready_guild_create_and_command_sync(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    bot = await start_bot()

    assert [(r.method, r.path) for r in fake.requests] == [
        ("GET", "/users/@me"),
        ("GET", "/oauth2/applications/@me"),
        ("PUT", f"/applications/{fake.application_id}/commands"),
    ]
    assert all(r.authorization == "Bot test-token" for r in fake.requests)
    put = fake.requests[-1]
    assert {c["name"] for c in put.json} == {"ping", "slow", "edit", "feedback"}
    ping = next(c for c in put.json if c["name"] == "ping")
    assert ping["type"] == 1
    assert ping["description"] == "Answer pong"
    assert {c["name"] for c in fake.commands()} == {"ping", "slow", "edit", "feedback"}

    (connection,) = fake.connections
    assert connection.path == "/gateway"
    # zlib-stream, or zstd-stream when a zstd module is importable: never uncompressed.
    assert connection.query["compress"] in {"zlib-stream", "zstd-stream"}
    assert connection.compress == connection.query["compress"]
    assert (connection.query["v"], connection.query["encoding"]) == ("10", "json")
    (session,) = fake.sessions
    assert session.intents & INTENT_MESSAGE_CONTENT
    assert session.identify["token"] == "test-token"
    assert [f.t for f in fake.dispatched_events()] == ["READY", "GUILD_CREATE"]

    assert bot.user is not None
    assert bot.user.id == fake.bot_user.id
    assert bot.application_id == fake.application_id
    (guild,) = bot.guilds
    assert guild.id == fake.guild.id
    assert {c.name for c in guild.text_channels} == {"general", "announcements", "staff"}
    assert guild.me.guild_permissions.send_messages
    assert not guild.me.guild_permissions.administrator
    assert guild.owner_id == fake.guild.member("owner").id
    await fake.wait_until(lambda: connection.heartbeats >= 1, description="a heartbeat")
    fake.assert_no_unknown_requests()


async def test_prefix_command_answers_message_create(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    await start_bot()
    general = fake.guild.channel("general")

    sent = await fake.send_message(general, fake.guild.member("member"), "!ping")
    reply = await fake.wait_for_message(general, after=sent.id)

    assert reply["content"] == "pong"
    (post,) = fake.requests_to("POST", "/channels/*/messages")
    assert post.path == f"/channels/{general.id}/messages"
    assert post.json["content"] == "pong"
    assert post.json["enforce_nonce"] is True
    assert post.json["nonce"]
    assert [m["content"] for m in fake.messages(general)] == ["!ping", "pong"]
    assert fake.check_bot_payloads() == []
    fake.assert_no_unknown_requests()


async def test_slash_command_answers_interaction_create(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    await start_bot()
    general = fake.guild.channel("general")

    sent = await fake.send_interaction("ping", user=fake.guild.member("member"), channel=general)
    response = await fake.wait_for_interaction_response(sent.id)

    assert response.kind == "callback"
    assert response.type == 4
    assert response.content == "pong"
    (callback,) = fake.requests_to("POST", "/interactions/*/callback")
    assert callback.path == f"/interactions/{sent.id}/{sent.token}/callback"
    assert callback.authorization is None  # interaction routes need no bot token
    (message,) = fake.bot_messages(general)
    assert message["content"] == "pong"
    assert message["interaction_metadata"]["name"] == "ping"
    fake.assert_no_unknown_requests()


async def test_deferred_slash_command_followup_replaces_the_thinking_message(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    await start_bot()
    general = fake.guild.channel("general")

    sent = await fake.send_interaction("slow", user=fake.guild.member("member"), channel=general)
    followup = await fake.wait_for_interaction_response(sent.id, kind="followup")

    record = fake.interaction(sent.id)
    assert [r.kind for r in record.responses] == ["callback", "followup"]
    assert record.responses[0].type == 5
    assert followup.content == "done"
    (message,) = fake.bot_messages(general)
    assert message["content"] == "done"
    assert message["id"] == str(record.original_message_id)
    assert not record.loading


async def test_slash_command_edits_its_original_response(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    await start_bot()
    general = fake.guild.channel("general")

    sent = await fake.send_interaction("edit", user=fake.guild.member("member"), channel=general)
    edit = await fake.wait_for_interaction_response(sent.id, kind="edit_original")

    assert edit.content == "second"
    (message,) = fake.bot_messages(general)
    assert message["content"] == "second"
    assert message["edited_timestamp"] is not None
    assert [r.kind for r in fake.interaction_responses(sent.id)] == ["callback", "edit_original"]


async def test_modal_round_trip(fake: FakeDiscord, start_bot: StartBot) -> None:
    await start_bot()
    general = fake.guild.channel("general")
    member = fake.guild.member("member")

    opened = await fake.send_interaction("feedback", user=member, channel=general)
    modal = await fake.wait_for_interaction_response(opened.id)
    assert modal.type == 9
    assert modal.data["title"] == "Feedback"

    submitted = await fake.submit_modal(opened.id, {"feedback-text": "great bot"})
    answer = await fake.wait_for_interaction_response(submitted.id)
    assert answer.content == "thanks: great bot"
    assert answer.ephemeral
    assert fake.bot_messages(general)[-1]["flags"] & 64


async def test_rest_surface_through_discord_py(fake: FakeDiscord, start_bot: StartBot) -> None:
    bot = await start_bot()
    model = fake.guild
    channel = await bot.fetch_channel(model.channel("general").id)
    assert isinstance(channel, discord.TextChannel)

    async with channel.typing():
        first = await channel.send("one")
    second = await channel.send("two", reference=first)
    assert second.reference is not None
    assert second.reference.message_id == first.id
    await first.add_reaction("👍")
    edited = await first.edit(content="uno")
    assert edited.edited_at is not None
    assert [m.content async for m in channel.history(limit=10)] == ["two", "uno"]
    await second.delete()
    assert [m["content"] for m in fake.messages(channel.id)] == ["uno"]
    assert fake.messages(channel.id)[0]["reactions"][0]["emoji"]["name"] == "👍"

    guild = await bot.fetch_guild(model.id)
    assert guild.name == model.name
    member = await guild.fetch_member(model.member("maintainer").id)
    assert [r.name for r in member.roles if r.name != "@everyone"] == ["maintainer"]
    roles = await guild.fetch_roles()
    assert {"maintainer", "Server Managers", "shortbot"} <= {r.name for r in roles}
    assert {c.name for c in await guild.fetch_channels()} == {
        "general",
        "announcements",
        "staff",
    }
    user = await bot.fetch_user(model.member("owner").id)
    assert user.name == "owner"
    dm = await user.create_dm()
    await dm.send("hello owner")
    assert fake.bot_messages(dm.id)[0]["content"] == "hello owner"
    fake.assert_no_unknown_requests()


async def test_button_press_updates_the_message(fake: FakeDiscord, start_bot: StartBot) -> None:
    await start_bot()
    general = fake.guild.channel("general")
    member = fake.guild.member("member")

    sent = await fake.send_message(general, member, "!menu")
    menu = await fake.wait_for_message(general, after=sent.id)
    assert menu["components"][0]["components"][0]["custom_id"] == "confirm"

    pressed = await fake.press_button(int(menu["id"]), "confirm", user=member)
    response = await fake.wait_for_interaction_response(pressed.id)

    assert response.type == 7
    assert fake.message(int(menu["id"]))["content"] == "confirmed"
    assert fake.message(int(menu["id"]))["components"] == []


async def test_bot_retries_after_429_and_posts_once(fake: FakeDiscord, start_bot: StartBot) -> None:
    await start_bot()
    general = fake.guild.channel("general")
    fault = fake.fail_next("POST", "/channels/*/messages", status=429, retry_after=0.3)

    sent = await fake.send_message(general, fake.guild.member("member"), "!ping")
    reply = await fake.wait_for_message(general, after=sent.id)

    assert reply["content"] == "pong"
    first, second = fake.requests_to("POST", "/channels/*/messages")
    assert (first.status, second.status) == (429, 200)
    assert first.response == {
        "message": "You are being rate limited.",
        "retry_after": 0.3,
        "global": False,
    }
    assert second.at - first.at >= 0.3
    assert first.json["nonce"] == second.json["nonce"]
    assert fault.hits == 1
    assert len(fake.bot_messages(general)) == 1


async def test_lost_response_is_deduplicated_by_nonce(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    await start_bot()
    general = fake.guild.channel("general")
    # The message is created but the answer is a 500: discord.py retries (after 1 s).
    fake.fail_next("POST", "/channels/*/messages", status=500, after_processing=True)

    sent = await fake.send_message(general, fake.guild.member("member"), "!ping")
    await fake.wait_for_request(lambda r: r.method == "POST" and r.status == 200)

    first, second = fake.requests_to("POST", "/channels/*/messages")
    assert (first.status, second.status) == (500, 200)
    (message,) = fake.bot_messages(general)
    assert second.response["id"] == message["id"]
    assert fake.nonce_hits == [(first.json["nonce"], int(message["id"]))]
    assert int(message["id"]) > sent.id


async def test_bot_resumes_after_the_gateway_drops(fake: FakeDiscord, start_bot: StartBot) -> None:
    await start_bot()
    general = fake.guild.channel("general")
    fake.hold_resumes()

    assert await fake.drop_gateway() == 1
    # Dispatched while the client is away: must come back through RESUME's replay.
    sent = await fake.send_message(general, fake.guild.member("member"), "!ping")
    await fake.wait_until(lambda: len(fake.connections) == 2, description="the client reconnecting")
    fake.release_resumes()

    reply = await fake.wait_for_message(general, after=sent.id)
    assert reply["content"] == "pong"
    (session,) = fake.sessions
    assert session.resumes == 1
    message_create_seq = next(
        f.s for f in fake.dispatched_events("MESSAGE_CREATE") if f.d["id"] == str(sent.id)
    )
    assert message_create_seq in session.replayed
    assert fake.connections[1].path == "/gateway/resume"
    assert fake.connections[0].close_code == 4000

    # Still answering on the resumed connection.
    again = await fake.send_message(general, fake.guild.member("member"), "!ping")
    assert (await fake.wait_for_message(general, after=again.id))["content"] == "pong"


async def test_bot_identifies_again_after_an_invalid_session(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    bot = await start_bot()
    await fake.invalidate_session(resumable=False)
    await fake.wait_until(lambda: len(fake.sessions) == 2, description="a second IDENTIFY")
    await fake.wait_for_session()
    await asyncio.wait_for(bot.wait_until_ready(), 5)

    general = fake.guild.channel("general")
    sent = await fake.send_message(general, fake.guild.member("member"), "!ping")
    assert (await fake.wait_for_message(general, after=sent.id))["content"] == "pong"
    assert fake.connections[-1].path == "/gateway"  # back to DEFAULT_GATEWAY, not resume


async def test_bot_resumes_after_a_reconnect_request(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    await start_bot()
    await fake.send_reconnect()
    session = await fake.wait_for_resume()
    assert session.connection is not None
    assert session.connection.path == "/gateway/resume"
    general = fake.guild.channel("general")
    sent = await fake.send_message(general, fake.guild.member("member"), "!ping")
    assert (await fake.wait_for_message(general, after=sent.id))["content"] == "pong"


async def test_direct_messages(fake: FakeDiscord, start_bot: StartBot) -> None:
    await start_bot()
    stranger = User("stranger")
    dm = fake.dm_channel(stranger)

    sent = await fake.send_message(dm, stranger, "!ping")
    reply = await fake.wait_for_message(dm, after=sent.id)
    assert reply["content"] == "pong"
    assert "guild_id" not in reply

    interaction = await fake.send_interaction("ping", user=stranger, channel=dm)
    response = await fake.wait_for_interaction_response(interaction.id)
    assert response.content == "pong"
    assert interaction.payload["context"] == 1
    assert "member" not in interaction.payload


async def test_wrong_token_is_rejected_at_login(fake: FakeDiscord) -> None:
    bot = PingBot()
    async with bot:
        with pytest.raises(discord.LoginFailure):
            await bot.start("wrong-token")
    (request,) = fake.requests
    assert (request.path, request.status, request.authorization) == (
        "/users/@me",
        401,
        "Bot wrong-token",
    )
    assert fake.connections == []


async def test_revoked_token_is_rejected_at_identify(fake: FakeDiscord) -> None:
    bot = PingBot()
    async with bot:
        await bot.login(fake.token)
        fake.token = "rotated-token"
        with pytest.raises(discord.ConnectionClosed) as raised:
            await asyncio.wait_for(bot.connect(), 5)
    assert raised.value.code == 4004
    assert fake.sessions == []
    await wait_for_keepalive_threads()


async def test_disallowed_privileged_intent_is_refused() -> None:
    async with FakeDiscord(allowed_privileged_intents=0) as fake:
        with discord_endpoints(fake.api_base_url, fake.gateway_url):
            bot = PingBot(message_content=True)
            async with bot:
                with pytest.raises(discord.PrivilegedIntentsRequired):
                    await asyncio.wait_for(bot.start(fake.token), 5)
            await wait_for_keepalive_threads()


async def test_message_content_is_hidden_without_the_intent(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    await start_bot(PingBot(message_content=False))
    general = fake.guild.channel("general")
    member = fake.guild.member("member")

    hidden = await fake.send_message(general, member, "!ping")
    mentioned = await fake.send_message(general, member, f"{fake.bot_user.mention} hi")

    events = {f.d["id"]: f.d for f in fake.dispatched_events("MESSAGE_CREATE")}
    assert events[str(hidden.id)]["content"] == ""
    assert events[str(mentioned.id)]["content"] == f"<@{fake.bot_user.id}> hi"
    assert fake.message(hidden.id)["content"] == "!ping"


async def test_discord_py_honours_advertised_rate_limits(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    bot = await start_bot()
    rule = fake.rate_limit("POST", "/channels/*/messages", limit=2, per=0.5)
    channel = bot.get_channel(fake.guild.channel("general").id)
    assert isinstance(channel, discord.TextChannel)

    started = time.monotonic()
    await asyncio.gather(*(channel.send(f"n{i}") for i in range(5)))

    assert rule.hits == 5
    assert rule.rejected == 0  # discord.py waited on X-RateLimit-Remaining: 0 instead
    assert time.monotonic() - started >= 0.9
    assert sorted(m["content"] for m in fake.bot_messages(fake.guild.channel("general"))) == [
        f"n{i}" for i in range(5)
    ]


async def test_bot_cannot_post_where_it_may_not(fake: FakeDiscord, start_bot: StartBot) -> None:
    bot = await start_bot()
    staff = bot.get_channel(fake.guild.channel("staff").id)
    assert isinstance(staff, discord.TextChannel)
    with pytest.raises(discord.Forbidden) as raised:
        await staff.send("hello")
    assert raised.value.code == 50001


# --------------------------------------------------------------------------- raw protocol


async def test_rest_records_unknown_routes_and_checks_the_token(fake: FakeDiscord) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{fake.api_base_url}/no/such/route") as response:
            assert response.status == 404
            assert await response.json() == {"message": "404: Not Found", "code": 0}
        async with http.get(f"{fake.api_base_url}/users/@me") as response:
            assert response.status == 401
        headers = {"Authorization": "Bot test-token"}
        async with http.get(f"{fake.api_base_url}/gateway/bot", headers=headers) as response:
            assert (await response.json())["url"] == fake.gateway_url
    assert [r.path for r in fake.unknown_requests] == ["/no/such/route"]
    with pytest.raises(AssertionError, match="/no/such/route"):
        fake.assert_no_unknown_requests()


async def test_route_rate_limit_answers_429_with_discord_headers(fake: FakeDiscord) -> None:
    channel = fake.guild.channel("general")
    fake.rate_limit("POST", "/channels/*/messages", limit=2, per=10.0)
    url = f"{fake.api_base_url}/channels/{channel.id}/messages"
    headers = {"Authorization": "Bot test-token"}
    async with aiohttp.ClientSession() as http:
        statuses = []
        for i in range(3):
            async with http.post(url, json={"content": str(i)}, headers=headers) as response:
                statuses.append(response.status)
                last_headers = response.headers
                last_body = await response.json()
    assert statuses == [200, 200, 429]
    assert last_headers["X-RateLimit-Remaining"] == "0"
    assert last_headers["X-RateLimit-Scope"] == "user"
    assert last_headers["Via"]
    assert last_body["global"] is False
    assert 0 < last_body["retry_after"] <= 10


async def test_global_rate_limit(fake: FakeDiscord) -> None:
    fake.set_global_rate_limit(2, per=10.0)
    headers = {"Authorization": "Bot test-token"}
    async with aiohttp.ClientSession() as http:
        statuses = []
        for _ in range(3):
            async with http.get(f"{fake.api_base_url}/users/@me", headers=headers) as response:
                statuses.append(response.status)
                last_headers = response.headers
                last_body = await response.json()
    assert statuses == [200, 200, 429]
    assert last_headers["X-RateLimit-Global"] == "true"
    assert last_headers["X-RateLimit-Scope"] == "global"
    assert last_body["global"] is True


async def test_global_rate_limit_spares_interaction_endpoints(
    fake: FakeDiscord, start_bot: StartBot
) -> None:
    """Discord: interaction endpoints (the callback, follow-ups and the original response under
    /webhooks/{application_id}/{token}) are not bound to the bot's global limit."""
    await start_bot()
    general = fake.guild.channel("general")
    fake.set_global_rate_limit(1, per=60.0)
    headers = {"Authorization": f"Bot {fake.token}"}
    async with aiohttp.ClientSession() as http:
        for _ in range(2):  # the window's one request, then a global 429
            async with http.get(f"{fake.api_base_url}/users/@me", headers=headers) as response:
                last = response.status
    assert last == 429

    sent = await fake.send_interaction("slow", user=fake.guild.member("member"), channel=general)
    followup = await fake.wait_for_interaction_response(sent.id, kind="followup")

    assert followup.content == "done"
    limited = [r for r in fake.requests if r.fault == "global rate limit"]
    assert [r.route for r in limited] == ["/users/@me"]


async def test_command_sync_is_validated(fake: FakeDiscord) -> None:
    url = f"{fake.api_base_url}/applications/{fake.application_id}/commands"
    headers = {"Authorization": "Bot test-token"}
    bad = [{"name": "Ping", "description": "", "type": 1}]
    good = [{"name": "ping", "description": "Answer pong", "type": 1}]
    async with aiohttp.ClientSession() as http:
        async with http.put(url, json=bad, headers=headers) as response:
            assert response.status == 400
            body = await response.json()
        async with http.put(url, json=good, headers=headers) as response:
            (first,) = await response.json()
        async with http.put(url, json=good, headers=headers) as response:
            (second,) = await response.json()
    assert body["code"] == 50035
    assert "lower case" in json.dumps(body["errors"])
    assert first["id"] == second["id"]  # same name, same id, like Discord
    assert first["application_id"] == str(fake.application_id)


async def test_gateway_without_compression_and_zlib_stream(fake: FakeDiscord) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(f"{fake.gateway_url}?v=10&encoding=json") as ws:
            hello = await ws.receive_json()
            assert hello["op"] == 10
            assert hello["d"]["heartbeat_interval"] == 1000
            await ws.send_json({"op": 1, "d": None})
            assert (await ws.receive_json())["op"] == 11
            await ws.send_json(
                {"op": 2, "d": {"token": "test-token", "intents": 1, "properties": {}}}
            )
            ready = await ws.receive_json()
            assert (ready["t"], ready["s"]) == ("READY", 1)
            assert ready["d"]["resume_gateway_url"] == fake.resume_gateway_url
            guild_create = await ws.receive_json()
            assert guild_create["t"] == "GUILD_CREATE"
            assert [m["user"]["id"] for m in guild_create["d"]["members"]] == [
                str(fake.bot_user.id)
            ]

        zlib_url = f"{fake.gateway_url}?v=10&encoding=json&compress=zlib-stream"
        async with http.ws_connect(zlib_url) as ws:
            inflate = zlib.decompressobj()
            frame = await ws.receive_bytes()
            assert frame.endswith(b"\x00\x00\xff\xff")
            assert json.loads(inflate.decompress(frame))["op"] == 10
            await ws.send_json({"op": 2, "d": {"token": "nope", "intents": 1}})
            closing = await ws.receive()
            assert closing.type is aiohttp.WSMsgType.CLOSE
            assert closing.data == 4004


async def test_interaction_options_resolve_model_objects() -> None:
    guild = standard_guild()
    async with (
        FakeDiscord(guilds=[guild], require_synced_commands=False) as fake,
        aiohttp.ClientSession() as http,
        http.ws_connect(f"{fake.gateway_url}?v=10&encoding=json") as ws,
    ):
        await ws.receive_json()
        await ws.send_json({"op": 2, "d": {"token": fake.token, "intents": 0}})
        await ws.receive_json()  # READY (no GUILDS intent: no GUILD_CREATE)
        target = guild.member("maintainer")
        sent = await fake.send_interaction(
            "feeds add",
            user=guild.member("manager"),
            channel=guild.channel("general"),
            options={"who": target, "count": 3},
        )
        event = await ws.receive_json()
    data = event["d"]
    assert event["t"] == "INTERACTION_CREATE"
    assert data["id"] == str(sent.id)
    (sub,) = data["data"]["options"]
    assert (sub["name"], sub["type"]) == ("add", 1)
    assert sub["options"] == [
        {"name": "who", "type": 6, "value": str(target.id)},
        {"name": "count", "type": 4, "value": 3},
    ]
    assert data["data"]["resolved"]["users"][str(target.id)]["username"] == "maintainer"
    assert int(data["member"]["permissions"]) & Permission.MANAGE_GUILD
    assert data["member"]["user"]["username"] == "manager"


# --------------------------------------------------------------------------- the model


def test_permissions_follow_roles_and_overwrites() -> None:
    guild = standard_guild()
    staff = guild.channel("staff")
    assert guild.permissions_for(guild.member("member"), staff) == 0
    assert guild.permissions_for(guild.member("maintainer"), staff) & Permission.VIEW_CHANNEL
    assert guild.base_permissions(guild.member("manager")) & Permission.MANAGE_GUILD
    assert not guild.base_permissions(guild.member("member")) & Permission.MANAGE_GUILD
    assert guild.base_permissions(guild.member("owner")) & Permission.ADMINISTRATOR

    custom = Guild("Other", members=[])
    alice = custom.add_member(User("alice"), permissions=int(Permission.MANAGE_GUILD))
    assert custom.role("alice permissions") in alice.roles
    assert custom.owner_id == alice.id
    muted = custom.add_channel(
        "muted",
        overwrites=[PermissionOverwrite.for_member(alice, deny=int(Permission.SEND_MESSAGES))],
    )
    # The owner bypasses overwrites; a plain member does not.
    bob = custom.add_plain_member("bob")
    muted.overwrites.append(PermissionOverwrite.for_member(bob, deny=int(Permission.SEND_MESSAGES)))
    assert custom.permissions_for(alice, muted) & Permission.SEND_MESSAGES
    assert not custom.permissions_for(bob, muted) & Permission.SEND_MESSAGES


# --------------------------------------------------------------------------- limits


def _embed(**overrides: Any) -> dict[str, Any]:
    return {"title": "t", "description": "d", **overrides}


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"content": "x" * 2000}, []),
        ({"content": "x" * 2001}, ["content is 2001 characters (max 2000)"]),
        ({"embeds": [_embed(title="x" * 257)]}, ["embeds[0].title is 257 characters (max 256)"]),
        (
            {"embeds": [_embed(description="x" * 4097)]},
            ["embeds[0].description is 4097 characters (max 4096)"],
        ),
        (
            {"embeds": [_embed(fields=[{"name": "n", "value": "v"}] * 26)]},
            ["embeds[0] has 26 fields (max 25)"],
        ),
        (
            {"embeds": [_embed(fields=[{"name": "x" * 257, "value": "x" * 1025}])]},
            [
                "embeds[0].fields[0].name is 257 characters (max 256)",
                "embeds[0].fields[0].value is 1025 characters (max 1024)",
            ],
        ),
        (
            {"embeds": [_embed(footer={"text": "x" * 2049}, author={"name": "x" * 257})]},
            [
                "embeds[0].footer.text is 2049 characters (max 2048)",
                "embeds[0].author.name is 257 characters (max 256)",
            ],
        ),
        (
            {"embeds": [_embed(description="x" * 4000), _embed(description="x" * 2000)]},
            ["embeds hold 6002 characters in all (max 6000)"],
        ),
        ({"embeds": [_embed()] * 11}, ["11 embeds (max 10)"]),
    ],
)
def test_check_message_limits_content_and_embeds(
    payload: dict[str, Any], expected: list[str]
) -> None:
    assert check_message_limits(payload) == expected


def _button(custom_id: str, label: str = "ok") -> dict[str, Any]:
    return {"type": 2, "style": 1, "custom_id": custom_id, "label": label}


def _row(*children: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(children)}


def test_check_message_limits_components() -> None:
    assert check_message_limits({"components": [_row(_button("a"), _button("b"))]}) == []
    assert check_message_limits({"components": [_row(_button(str(i))) for i in range(6)]}) == [
        "6 action rows (max 5)"
    ]
    assert check_message_limits({"components": [_row(*(_button(str(i)) for i in range(6)))]}) == [
        "components[0] has 6 buttons (max 5)"
    ]
    assert check_message_limits({"components": [_row(_button("x" * 101, "y" * 81))]}) == [
        "components[0].components[0].label is 81 characters (max 80)",
        "components[0].components[0].custom_id is 101 characters (max 100)",
    ]
    assert check_message_limits({"components": [_row(_button("a")), _row(_button("a"))]}) == [
        "components[1].components[0].custom_id 'a' is used twice in one message"
    ]
    link = {"type": 2, "style": 5, "label": "site", "url": "https://example.org"}
    assert check_message_limits({"components": [_row(link)]}) == []


def test_allowed_mentions_and_pings() -> None:
    silent = {"content": "<@1>", "allowed_mentions": {"parse": [], "replied_user": False}}
    assert forbids_all_pings(silent)
    assert forbids_all_pings({"allowed_mentions": {}})
    assert not forbids_all_pings({"content": "hi"})
    assert not forbids_all_pings({"allowed_mentions": {"parse": ["users"]}})
    assert not forbids_all_pings({"allowed_mentions": {"parse": [], "users": ["1"]}})
    assert not forbids_all_pings({"allowed_mentions": {"parse": [], "replied_user": True}})
    assert check_message_limits(silent, require_no_pings=True) == []
    assert check_message_limits({"content": "hi"}, require_no_pings=True) == [
        "allowed_mentions does not forbid every ping "
        "(want parse=[], no users, no roles, replied_user false)"
    ]
    assert check_message_limits({"allowed_mentions": {"parse": ["users"], "users": ["1"]}}) == [
        "allowed_mentions: parse 'users' and a users list are mutually exclusive"
    ]


async def test_rejected_payloads_are_checked_too(fake: FakeDiscord) -> None:
    channel = fake.guild.channel("general")
    headers = {"Authorization": "Bot test-token"}
    url = f"{fake.api_base_url}/channels/{channel.id}/messages"
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json={"content": "x" * 2001}, headers=headers) as response:
            assert response.status == 400
            assert (await response.json())["code"] == 50035
        async with http.post(url, json={}, headers=headers) as response:
            assert (await response.json())["code"] == 50006
    assert fake.messages(channel) == []
    assert fake.check_bot_payloads() == [
        f"POST /channels/{channel.id}/messages: content is 2001 characters (max 2000)"
    ]
