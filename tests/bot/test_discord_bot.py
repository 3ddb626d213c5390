"""shortbot's Discord commands end to end: the real discord.py client on the fake Discord,
the arXiv package on a local API server, a real SQLite database."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, open_app
from bot.settings import Settings
from papers.model import IncomingPaper, IncomingSummary
from papers.usecases import ingest_parsed
from sources.parse import parse_feed
from tests.discordbot import serving
from tests.fakediscord import FakeDiscord, discord_endpoints
from tests.httpserver import LocalHTTPServer, Response

FIXTURES = Path(__file__).parents[1] / "fixtures"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
KNOWN_ON_ARXIV = "1605.08386"


def recorded(name: str) -> bytes:
    data = json.loads((FIXTURES / "arxiv" / "api" / name).read_text(encoding="utf-8"))
    return data["body"].encode("latin-1")


@pytest.fixture
def arxiv_api() -> Iterator[LocalHTTPServer]:
    known = recorded("id_1605.08386_s0_m100_199195aa31ad.json")
    empty = recorded("id_0000.0000_s0_m100_8b51d9633a68.json")

    def answer(request: Any) -> Response:
        ids = request.query.get("id_list", [""])[0]
        body = known if ids == KNOWN_ON_ARXIV else empty
        return Response.xml(body, "application/atom+xml")

    with LocalHTTPServer() as server:
        server.route("/api/query", answer)
        yield server


@pytest.fixture
def feed_server() -> Iterator[LocalHTTPServer]:
    with LocalHTTPServer() as server:
        server.route("/feed.xml", Response.xml((FIXTURES / "shortscience-rss.xml").read_bytes()))
        yield server


@pytest.fixture
async def app(tmp_path: Path, arxiv_api: LocalHTTPServer) -> AsyncIterator[App]:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        feeds=[],
        console=False,
        allow_private_feeds=True,
        discord={"maintainer_role": "maintainer", "api_cooldown_uses": 2},
        arxiv={"api_url": arxiv_api.url("/api/query"), "delay_seconds": 0, "num_retries": 0},
    )
    async with open_app(settings, clock=lambda: NOW) as app:
        parsed = parse_feed((FIXTURES / "shortscience-rss.xml").read_bytes(), "sample")
        await ingest_parsed(app.store, parsed, "sample", announce=True, now=NOW)
        yield app


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(heartbeat_interval=1.0) as fake:
        with discord_endpoints(fake.api_base_url, fake.gateway_url):
            yield fake


@pytest.fixture
async def bot(app: App, fake: FakeDiscord) -> AsyncIterator[Any]:
    async with serving(app, fake.token) as shortbot:
        yield shortbot
    assert fake.check_bot_payloads(require_no_pings=True) == []
    fake.assert_no_unknown_requests()


async def say(fake: FakeDiscord, text: str, who: str = "member", channel: str = "general"):
    general = fake.guild.channel(channel)
    sent = await fake.send_message(general, fake.guild.member(who), text)
    return await fake.wait_for_message(general, after=sent.id)


async def test_summary_by_prefix_shows_the_paper_and_both_summaries(fake, bot) -> None:
    reply = await say(fake, "!summary https://arxiv.org/abs/1312.6199v2")
    (embed,) = reply["embeds"]
    assert embed["title"] == "Intriguing properties of neural networks"
    assert embed["url"] == "https://arxiv.org/abs/1312.6199"
    assert "arXiv:1312.6199" in embed["description"]
    names = [f["name"] for f in embed["fields"]]
    assert names[0].startswith("5 votes · Reader Three")
    assert names[1].startswith("2 votes · Reader Ten")
    post = fake.requests_to("POST", "/channels/*/messages")[-1]
    assert post.json["allowed_mentions"]["parse"] == []
    assert not reply.get("components")  # two summaries fit on one page


async def test_slash_summary_gives_the_same_answer(fake, bot) -> None:
    prefix = await say(fake, "!summary 1312.6199")
    general = fake.guild.channel("general")
    sent = await fake.send_interaction(
        "summary",
        user=fake.guild.member("member"),
        channel=general,
        options={"query": "1312.6199"},
    )
    response = await fake.wait_for_answer(sent.id)
    slash_embed, prefix_embed = response.data["embeds"][0], prefix["embeds"][0]

    def seen(embed: dict) -> tuple:
        fields = [(f["name"], f["value"]) for f in embed["fields"]]
        return embed["title"], embed["url"], embed["description"], fields, embed["footer"]

    assert seen(slash_embed) == seen(prefix_embed)


async def test_mention_prefix_works_without_message_content(fake, bot) -> None:
    reply = await say(fake, f"<@{fake.bot_user.id}> summary conf/nips/LeeS00")
    assert reply["embeds"][0]["title"] == "Algorithms for Non-negative Matrix Factorization"


async def test_pages_of_summaries_with_buttons(fake, bot, app: App) -> None:
    many = [
        IncomingSummary(
            guid=f"extra-{n}",
            source="s",
            author=f"Writer {n}",
            url=f"https://x.org/{n}",
            votes=n,
            text=f"Summary number {n}.",
            published=NOW,
            papers=(IncomingPaper(title="", arxiv_id="1512.03385"),),
        )
        for n in range(1, 7)
    ]
    await app.store.save_summaries(many, announce=False, now=NOW)
    reply = await say(fake, "!summary 1512.03385")
    assert reply["embeds"][0]["footer"]["text"] == "7 summaries · page 1 of 3"
    buttons = [c for row in reply["components"] for c in row["components"]]
    assert [b["label"] for b in buttons] == ["Previous", "Next"]
    assert buttons[0]["disabled"] is True
    pressed = await fake.press_button(
        int(reply["id"]), buttons[1]["custom_id"], user=fake.guild.member("member")
    )
    update = await fake.wait_for_interaction_response(pressed.id)
    assert update.type == 7
    assert update.data["embeds"][0]["footer"]["text"] == "7 summaries · page 2 of 3"


async def test_several_title_matches_offer_a_numbered_choice(fake, bot) -> None:
    reply = await say(fake, "!summary neural")
    embed = reply["embeds"][0]
    assert embed["title"].startswith("Papers matching")
    assert embed["description"].startswith("**1.**")
    buttons = [c for row in reply["components"] for c in row["components"]]
    assert [b["label"] for b in buttons][:2] == ["1", "2"]
    pressed = await fake.press_button(
        int(reply["id"]), buttons[0]["custom_id"], user=fake.guild.member("member")
    )
    update = await fake.wait_for_interaction_response(pressed.id)
    assert update.data["embeds"][0]["title"] in embed["description"]


async def test_unknown_arxiv_id_is_fetched_from_the_api(fake, bot, arxiv_api) -> None:
    reply = await say(fake, f"!summary {KNOWN_ON_ARXIV}")
    embed = reply["embeds"][0]
    assert embed["url"] == f"https://arxiv.org/abs/{KNOWN_ON_ARXIV}"
    assert "No summary yet." in embed["description"]
    assert "Write the first summary" in embed["description"]
    assert arxiv_api.count("/api/query") == 1
    again = await say(fake, f"!summary {KNOWN_ON_ARXIV}")
    assert again["embeds"][0]["title"] == embed["title"]
    assert arxiv_api.count("/api/query") == 1  # stored: arXiv is not asked twice


async def test_id_arxiv_does_not_know(fake, bot, arxiv_api) -> None:
    reply = await say(fake, "!summary 2411.99999")
    assert "arXiv has no paper arXiv:2411.99999" in reply["content"]
    assert arxiv_api.count("/api/query") == 1


async def test_api_cooldown_per_user(fake, bot, arxiv_api) -> None:
    for n in range(2):
        await say(fake, f"!summary 2411.9999{n}")
    third = await say(fake, "!summary 2411.99992")
    assert "Slow down" in third["content"]
    assert arxiv_api.count("/api/query") == 2
    other = await say(fake, "!summary 2411.99993", who="maintainer")
    assert "arXiv has no paper" in other["content"]


async def test_search_and_latest_and_help(fake, bot) -> None:
    found = await say(fake, '!search "residual" AND learning*')
    assert "Deep Residual Learning" in found["embeds"][0]["description"]
    latest = await say(fake, "!latest 3")
    assert len(latest["embeds"][0]["fields"]) == 3
    helped = await say(fake, "!help")
    assert "!summary QUERY" in helped["embeds"][0]["description"]


async def test_bad_arguments_get_the_usage_line(fake, bot) -> None:
    missing = await say(fake, "!summary")
    assert "Usage: `!summary QUERY`" in missing["content"]
    huge = await say(fake, "!summary " + "x" * 50_000)
    assert "I can't look that up" in huge["content"]
    assert "Usage: `!summary QUERY`" in huge["content"]
    assert len(huge["content"]) <= 2000
    latest = await say(fake, "!latest 500")
    assert "Usage: `!latest [N]`" in latest["content"]


async def test_everyone_in_feed_text_pings_nobody(fake, bot, app: App) -> None:
    hostile = IncomingSummary(
        guid="hostile",
        source="s",
        author="@everyone",
        url=None,
        votes=99,
        text="@everyone @here <@&123> look",
        published=NOW,
        papers=(IncomingPaper(title="@everyone **Ping** Paper", arxiv_id="2001.00001"),),
    )
    await app.store.save_summaries([hostile], announce=True, now=NOW)
    reply = await say(fake, "!summary 2001.00001")
    text = json.dumps(reply["embeds"])
    assert "@everyone" not in text.replace("@\\u200beveryone", "")
    # the bot's own check_bot_payloads (in the fixture) asserts no payload could ping


async def test_maintainer_commands_are_refused_to_members(fake, bot, app, feed_server) -> None:
    url = feed_server.url("/feed.xml")
    refused = await say(fake, f"!feeds add {url}")
    assert "for maintainers" in refused["content"]
    assert await app.store.list_feeds() == []
    assert feed_server.count("/feed.xml") == 0

    added = await say(fake, f"!feeds add {url}", who="maintainer")
    assert "Watching feed" in added["content"]
    (feed,) = await app.store.list_feeds()
    assert feed.guild_id == fake.guild.id
    listed = await say(fake, "!feeds", who="owner")
    assert url in listed["embeds"][0]["description"]


async def test_feeds_add_says_the_kind_and_why_entries_were_skipped(
    fake, bot, app, feed_server
) -> None:
    blogger = FIXTURES / "platforms" / "blogger-atom.xml"
    feed_server.route("/blogger.xml", Response.xml(blogger.read_bytes()))
    added = await say(fake, f"!feeds add {feed_server.url('/blogger.xml')}", who="maintainer")
    reply = added["content"]
    assert "(blog): 3 entries recorded as seen, 1 skipped (1 names no known paper)" in reply
    listed = await say(fake, "!feeds", who="maintainer")
    shown = listed["embeds"][0]["description"].replace("\\", "")  # Markdown escapes
    assert "blog feed, 3 new, 0 updated, 0 unchanged, 1 skipped (1 names no known paper)" in shown


async def test_subscriptions_and_digest_preview(fake, bot, app) -> None:
    general = fake.guild.channel("general")
    reply = await say(fake, '!subscribe "cs.LG, votes>=4"', who="maintainer")
    assert "category cs.LG" in reply["content"] and "min-votes 4" in reply["content"]
    subs = await say(fake, "!subscriptions", who="maintainer")
    assert "summaries with at least 4 votes" in subs["embeds"][0]["description"]
    sent = await fake.send_interaction(
        "digest preview", user=fake.guild.member("maintainer"), channel=general
    )
    preview = await fake.wait_for_interaction_response(sent.id)
    assert preview.data["flags"] & 64  # ephemeral: only the maintainer sees it
    assert preview.data["embeds"][0]["title"] == "Next digest for #general"
    filters = await fake.wait_for_interaction_response(sent.id, index=1)
    assert filters.data["flags"] & 64
    # 12 summaries; the 3 with at least 4 votes have no category yet (no arXiv metadata)
    shown = filters.data["embeds"][0]["description"].replace("\\", "")  # Markdown escapes
    assert shown.splitlines()[:2] == [
        "0 of 12 summaries let through, 12 held back",
        "Held back by: no category, keyword or author matched (6); fewer than 4 votes (6)",
    ]
    denied = await say(fake, "!unsubscribe all")
    assert "for maintainers" in denied["content"]
    assert len(await app.store.list_subscriptions(guild_id=fake.guild.id)) == 2


async def test_internal_error_apologises_with_an_id_that_the_log_has(
    fake, bot, app: App, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(app.store, "search_papers", broken)
    reply = await say(fake, "!search anything")
    assert reply["content"].startswith("Sorry, something went wrong on my side (error id `")
    error_id = reply["content"].split("`")[1]
    assert "database fell over" not in reply["content"]
    (record,) = [r for r in caplog.records if error_id in r.getMessage()]
    assert record.exc_info is not None
    assert "the database fell over" in str(record.exc_info[1])


async def test_unknown_commands_are_ignored(fake, bot) -> None:
    general = fake.guild.channel("general")
    await fake.send_message(general, fake.guild.member("member"), "!nosuchcommand at all")
    answered = await say(fake, "!latest 1")  # the bot answers in order; nothing came before
    assert [m["content"] for m in fake.bot_messages(general)] == [""]
    assert answered["embeds"][0]["title"] == "Latest summaries"


async def test_one_guild_never_sees_or_touches_another_guilds_feeds(
    app: App, feed_server: LocalHTTPServer
) -> None:
    from tests.fakediscord import standard_guild

    guild_a, guild_b = standard_guild("A"), standard_guild("B")
    async with FakeDiscord(heartbeat_interval=1.0, guilds=[guild_a, guild_b]) as fake:
        with discord_endpoints(fake.api_base_url, fake.gateway_url):
            async with serving(app, fake.token):

                async def say_in(guild, text: str) -> dict:
                    channel = guild.channel("general")
                    sent = await fake.send_message(channel, guild.member("maintainer"), text)
                    return await fake.wait_for_message(channel, after=sent.id)

                added = await say_in(guild_b, f"!feeds add {feed_server.url('/feed.xml')}")
                assert "Watching feed" in added["content"]
                (feed_b,) = await app.store.list_feeds()
                listed = await say_in(guild_a, "!feeds")
                assert listed["content"].startswith("No feeds yet")
                for action in ("remove", "pause", "resume"):
                    refused = await say_in(guild_a, f"!feeds {action} {feed_b.id}")
                    assert "This server watches no feed" in refused["content"]
                other_channel = guild_b.channel("general").id
                crossed = await say_in(guild_a, f"!subscribe cs.LG <#{other_channel}>")
                assert "Usage" in crossed["content"]
                assert await app.store.list_feeds() == [feed_b]
                assert await app.store.list_subscriptions(guild_id=guild_b.id) == []
                assert await app.store.list_subscriptions(guild_id=guild_a.id) == []
            assert fake.check_bot_payloads(require_no_pings=True) == []


@pytest.mark.parametrize(
    ("command", "options", "expected"),
    [
        ("search", {"words": "residual learning"}, "Deep Residual Learning"),
        ("latest", {"count": 2}, "Latest summaries"),
        ("help", {}, "/summary QUERY"),
        ("summary", {"query": "conf/nips/LeeS00"}, "Non-negative Matrix Factorization"),
    ],
)
async def test_every_command_as_a_slash_command(fake, bot, command, options, expected) -> None:
    sent = await fake.send_interaction(
        command,
        user=fake.guild.member("member"),
        channel=fake.guild.channel("general"),
        options=options,
    )
    response = await fake.wait_for_answer(sent.id)
    assert expected in json.dumps(response.data["embeds"], ensure_ascii=False)


async def test_slash_admin_command_refused_to_a_member(fake, bot, app: App) -> None:
    sent = await fake.send_interaction(
        "subscribe",
        user=fake.guild.member("member"),
        channel=fake.guild.channel("general"),
        options={"what": "cs.LG"},
    )
    response = await fake.wait_for_interaction_response(sent.id)
    assert "for maintainers" in response.content
    assert response.data["flags"] & 64  # only the member sees the refusal
    assert await app.store.list_subscriptions(guild_id=fake.guild.id) == []


async def test_a_429_from_discord_is_waited_out_and_the_reply_sent_once(fake, bot) -> None:
    general = fake.guild.channel("general")
    fake.fail_next("POST", "/channels/*/messages", status=429, retry_after=0.3)
    reply = await say(fake, "!summary 1312.6199")
    assert reply["embeds"][0]["title"] == "Intriguing properties of neural networks"
    assert len(fake.requests_to("POST", "/channels/*/messages")) == 2
    assert len(fake.bot_messages(general)) == 1


def hold_searches(app: App, monkeypatch: Any) -> asyncio.Event:
    """Searches wait until the returned event is set (a slow query, on demand)."""
    gate = asyncio.Event()
    original = app.store.search_papers

    async def held(words: Any, limit: int = 10) -> Any:
        await gate.wait()
        return await original(words, limit)

    monkeypatch.setattr(app.store, "search_papers", held)
    return gate


async def test_a_members_answers_come_in_the_order_of_their_commands(
    fake, bot, app: App, monkeypatch
) -> None:
    """A slow search, then a summary and a refused prefix command from the same member: the
    answers in that order; the waiting slash command is deferred in time; another member is
    not held up."""
    gate = hold_searches(app, monkeypatch)
    general = fake.guild.channel("general")
    member, other = fake.guild.member("member"), fake.guild.member("maintainer")
    slow = await fake.send_interaction(
        "search", user=member, channel=general, options={"words": "neural networks"}
    )
    fast = await fake.send_interaction(
        "summary", user=member, channel=general, options={"query": "1312.6199"}
    )
    await fake.send_message(general, member, "!latest 500")  # refused: usage
    elsewhere = await fake.send_interaction(
        "summary", user=other, channel=general, options={"query": "1312.6199"}
    )

    await fake.wait_for_answer(elsewhere.id)
    deferral = await fake.wait_for_interaction_response(fast.id, kind="callback")
    assert deferral.type == 5  # "thinking…": the interaction is kept while it waits
    assert [r.kind for r in fake.interaction(fast.id).responses] == ["callback"]
    assert fake.requests_to("POST", "/channels/*/messages") == []  # the refusal waits too
    assert fake.interaction(slow.id).answer is None
    assert bot.turns.members_waiting() == 1

    gate.set()
    searched = await fake.wait_for_answer(slow.id)
    summary = await fake.wait_for_interaction_response(fast.id, kind="followup")
    (error_post,) = await fake.wait_until(
        lambda: fake.requests_to("POST", "/channels/*/messages"), description="the refusal"
    )
    assert "Usage: `!latest [N]`" in error_post.json["content"]
    assert searched.at < summary.at < error_post.at
    assert searched.data["embeds"] and summary.data["embeds"][0]["title"].startswith("Intriguing")
    await fake.wait_until(lambda: bot.turns.members_waiting() == 0, description="turns back")
