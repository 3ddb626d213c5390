"""Digests as Discord messages: the pure renderer against Discord's limits, and both publishers
end to end with the real discord.py (the channel publisher on the fake Discord's REST API, the
webhook publisher on a local stand-in for Discord's webhook routes)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
import traceback
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papers import discord_limits as limits
from papers import discord_render as dr
from papers.model import Digest, DigestItem, Paper, Summary
from papers.publishing import (
    CredentialsRejected,
    ItemRejected,
    Post,
    PublishError,
    RateLimited,
    Transient,
)
from publishers.discord import DiscordChannelPublisher, DiscordWebhookPublisher
from tests.fakediscord import (
    FakeDiscord,
    PermissionOverwrite,
    check_message_limits,
    discord_endpoints,
    new_snowflake,
)
from tests.fakediscord.compat import discord
from tests.httpserver import LocalHTTPServer, Request, Response
from tests.strategies import with_papers

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TOKEN = "MTIzNDU2.bot-token-SECRET-value"
LIVE_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>")
LONG = (
    "This paper shows that @everyone can train <@123456789012345678> deep nets **faster** "
    "with a trick; ‹unicode› ünïcödé 数据 🚀. "
) * 40

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=3000)
short_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)


def make_summary(n: int, *, body: str = LONG, author: str = "Reader", title: str = "") -> Summary:
    return Summary(
        id=n,
        paper_keys=(),
        guid=f"guid-{n}",
        source="sample",
        author=author,
        url=f"https://www.shortscience.org/paper?bibtexKey=x#{n}",
        votes=n % 7,
        text=body,
        published=NOW,
        edited=None,
        first_seen=NOW,
        title=title,
    )


def make_paper(n: int, *, title: str | None = None) -> Paper:
    return Paper(
        key=f"2401.{n:05d}",
        title=title if title is not None else f"Paper number {n}: " + "a long title " * 30,
        arxiv_id=f"2401.{n:05d}",
        authors=tuple(f"Author {i} of {n}" for i in range(8)),
        categories=("cs.LG", "stat.ML"),
    )


def big_digest(count: int = 40, more: int = 5) -> Digest:
    """``count`` summaries with long texts; every third pair shares a paper."""
    items = []
    for n in range(1, count + 1):
        paper = make_paper(n - n % 3)
        items.append(DigestItem(make_summary(n), (paper,)))
    return Digest(destination="discord-test", items=tuple(items), more=more)


def all_text(payload: dict[str, Any]) -> str:
    parts = [payload.get("content", "")]
    for embed in payload.get("embeds", []):
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f["name"] + "\n" + f["value"] for f in embed.get("fields", [])]
    return "\n".join(parts)


def leaked(secret: str, exc: BaseException, *objects: object) -> bool:
    """Whether ``secret`` shows in the exception (text, repr, traceback with its causes) or in
    the repr of any of ``objects``."""
    shown = "".join(traceback.format_exception(exc)) + repr(exc) + str(exc)
    shown += "".join(repr(o) for o in objects)
    if isinstance(exc, PublishError):
        shown += exc.reason
    return secret in shown


# ---------------------------------------------------------------------- the renderer


def test_a_small_digest_is_one_message_with_an_embed_per_paper() -> None:
    paper = make_paper(7, title="Intriguing properties of neural networks")
    other = make_paper(8, title="Adam")
    digest = Digest(
        destination="d",
        items=(
            DigestItem(make_summary(1, body="short"), (paper,)),
            DigestItem(make_summary(2, body="also short"), (other,)),
            DigestItem(make_summary(3, body="third"), (paper,)),
        ),
    )
    (post,) = dr.digest_posts(digest, destination="d", heading=dr.digest_heading(digest))
    assert post.payload["content"] == "**3 new summaries**"
    first, second = post.payload["embeds"]
    assert first["title"] == "Intriguing properties of neural networks"
    assert first["url"] == "https://arxiv.org/abs/2401.00007"
    assert [f["value"].split("\n")[0] for f in first["fields"]] == ["short", "third"]
    assert second["title"] == "Adam"
    assert post.items == ("summary:1", "summary:3", "summary:2")
    expected = hashlib.sha256(b"d\x1fsummary:1\x1fsummary:3\x1fsummary:2").hexdigest()
    assert post.key == expected[:25]
    assert dr.digest_posts(digest, destination="other", heading="x")[0].key != post.key


def test_heading_counts_what_was_left_out_and_an_empty_digest_is_no_post() -> None:
    one = Digest("d", (DigestItem(make_summary(1, body="x"), ()),))
    assert dr.digest_heading(one) == "**1 new summary**"
    capped = Digest("d", one.items, more=4)
    assert dr.digest_heading(capped) == "**5 new summaries**"
    (post,) = dr.digest_posts(capped, destination="d", heading="@everyone look")
    assert (
        post.payload["content"]
        == "@\u200beveryone look\nand 4 more at https://www.shortscience.org"
    )
    assert post.payload["embeds"][0]["title"] == "(untitled)"
    assert dr.digest_posts(Digest("d", ()), destination="d", heading="h") == []


def test_a_long_digest_splits_into_messages_within_every_limit() -> None:
    digest = big_digest()
    posts = dr.digest_posts(digest, destination="d", heading=dr.digest_heading(digest))
    assert len(posts) > 2
    assert posts[0].payload["content"] == "**45 new summaries**"
    assert all(p.payload["content"] == "" for p in posts[1:-1])
    assert posts[-1].payload["content"] == "and 5 more at https://www.shortscience.org"
    carried = [key for p in posts for key in p.items]
    assert sorted(carried) == sorted(f"summary:{n}" for n in range(1, 41))
    for post in posts:
        assert check_message_limits(post.payload) == []
        assert not LIVE_MENTION.search(all_text(post.payload))


@st.composite
def digests(draw: st.DrawFn) -> Digest:
    count = draw(st.integers(0, 70))
    papers = [
        Paper(
            key=draw(short_text),
            title=draw(short_text),
            arxiv_id=draw(st.none() | short_text),
            bibtex_key=draw(st.none() | short_text),
            authors=tuple(draw(st.lists(short_text, max_size=12))),
            categories=tuple(draw(st.lists(short_text, max_size=8))),
        )
        for _ in range(draw(st.integers(1, 8)))
    ]
    items = []
    for n in range(count):
        summary = Summary(
            id=n + 1,
            paper_keys=(),
            guid=f"g{n}",
            source="s",
            author=draw(short_text),
            url=draw(st.none() | short_text),
            votes=draw(st.none() | st.integers(0, 10**6)),
            text=draw(text),
            published=draw(st.none() | st.just(NOW)),
            edited=None,
            first_seen=NOW,
            title=draw(short_text),
        )
        chosen = draw(st.lists(st.sampled_from(papers), max_size=2))
        items.append(DigestItem(summary, tuple(chosen)))
    return draw(with_papers(Digest("d", tuple(items), more=draw(st.integers(0, 500))), 40))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(digest=digests(), destination=short_text, heading=text)
def test_digest_posts_keep_every_limit(digest: Digest, destination: str, heading: str) -> None:
    posts = dr.digest_posts(digest, destination=destination, heading=heading)
    assert posts == dr.digest_posts(digest, destination=destination, heading=heading)
    if digest.empty and not digest.more:
        assert posts == []
        return
    for post in posts:
        payload = post.payload
        assert set(payload) == {"content", "embeds"}
        assert check_message_limits({**payload, "nonce": post.key}) == []
        assert payload["content"] or payload["embeds"]
        assert len(payload["embeds"]) <= limits.EMBEDS_PER_MESSAGE
        assert sum(limits.embed_size(e) for e in payload["embeds"]) <= limits.EMBED_TOTAL_LIMIT
        assert 0 < len(post.key) <= 25
        assert not LIVE_MENTION.search(all_text(payload))
    carried = [key for p in posts for key in p.items]
    summary_keys = [k for k in carried if k.startswith("summary:")]
    paper_keys = [k for k in carried if k.startswith("paper:")]
    assert carried == summary_keys + paper_keys  # summaries (grouped by paper), then papers
    assert sorted(summary_keys) == sorted(f"summary:{i.summary.id}" for i in digest.items)
    assert paper_keys == [p.key for p in digest.papers]
    assert len({p.key for p in posts}) == len(posts)
    if digest.more:
        assert (
            posts[-1]
            .payload["content"]
            .endswith(f"and {digest.more} more at https://www.shortscience.org")
        )


# ---------------------------------------------------------------------- fixtures


class FastAsyncio:
    """``asyncio`` for discord.py's modules with a ``sleep`` that records and does not wait:
    discord.py sleeps 1, 3, 5, 7, 9 s between its own retries of 5xx answers."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    async def sleep(self, delay: float, result: Any = None) -> Any:
        if delay > 0:
            self.delays.append(delay)
        await asyncio.sleep(0)
        return result


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> FastAsyncio:
    fast = FastAsyncio()
    monkeypatch.setattr(discord.http, "asyncio", fast)
    monkeypatch.setattr(discord.webhook.async_, "asyncio", fast)
    return fast


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(TOKEN) as fake:
        with discord_endpoints(fake.api_base_url, fake.gateway_url):
            yield fake


def general(fake: FakeDiscord) -> int:
    return fake.guild.channel("general").id


@pytest.fixture
async def publisher(fake: FakeDiscord) -> AsyncIterator[DiscordChannelPublisher]:
    async with DiscordChannelPublisher("general", channel_id=general(fake), token=TOKEN) as pub:
        yield pub
    assert fake.check_bot_payloads(require_no_pings=True) == []
    fake.assert_no_unknown_requests()
    assert fake.connections == []  # REST only: never a gateway connection


def message_posts(fake: FakeDiscord) -> list[Any]:
    return fake.requests_to("POST", "/channels/*/messages")


# ---------------------------------------------------------------------- channel publisher


async def test_a_long_digest_arrives_as_several_messages_in_order(
    fake: FakeDiscord, publisher: DiscordChannelPublisher
) -> None:
    posts = publisher.render(big_digest())
    assert len(posts) > 2
    sent = [await publisher.send(post) for post in posts]

    messages = fake.bot_messages(general(fake))
    assert [m["id"] for m in messages] == [s.post_id for s in sent]
    guild_id = fake.guild.id
    for post, message, receipt in zip(posts, messages, sent, strict=True):
        assert message["content"] == post.payload["content"]
        assert [e["title"] for e in message["embeds"]] == [
            e["title"] for e in post.payload["embeds"]
        ]
        assert receipt.url == (
            f"https://discord.com/channels/{guild_id}/{general(fake)}/{message['id']}"
        )
        assert message["mentions"] == []
        assert not message["mention_everyone"]
    bodies = [r.json for r in message_posts(fake)]
    assert [b["nonce"] for b in bodies] == [p.key for p in posts]
    assert all(b["enforce_nonce"] is True for b in bodies)
    assert all(b["allowed_mentions"]["parse"] == [] for b in bodies)
    assert fake.check_bot_payloads(require_no_pings=True) == []
    assert len(fake.requests_to("GET", "/users/@me")) == 1


async def test_entering_makes_no_request_and_one_login_serves_the_run(fake: FakeDiscord) -> None:
    async with DiscordChannelPublisher("general", channel_id=general(fake), token=TOKEN) as pub:
        posts = pub.render(big_digest(30))  # a dry run: nothing sent, nothing asked
        assert fake.requests == []
        for post in posts:
            await pub.send(post)
        await pub.find_sent(posts[0])
    assert len(fake.requests_to("GET", "/users/@me")) == 1
    assert len(fake.requests_to("GET", "/channels/{channel_id}")) == 1
    assert len(message_posts(fake)) == len(posts)


async def test_a_lost_response_and_a_retry_make_one_message(
    fake: FakeDiscord, publisher: DiscordChannelPublisher
) -> None:
    post = publisher.render(big_digest(3, more=0))[0]
    fake.fail_next("POST", "/channels/*/messages", status=503, after_processing=True)
    with pytest.raises(Transient):
        await publisher.send(post)
    assert len(fake.bot_messages(general(fake))) == 1  # it did arrive

    again = await publisher.send(post)  # the retry, same nonce
    # ... and after a crash, from a new process with a new login
    async with DiscordChannelPublisher("general", channel_id=general(fake), token=TOKEN) as new:
        after_crash = await new.send(post)

    (message,) = fake.bot_messages(general(fake))
    assert again.post_id == after_crash.post_id == message["id"]
    assert [hit[0] for hit in fake.nonce_hits] == [post.key, post.key]


async def test_discord_retries_a_500_itself_and_the_nonce_keeps_it_single(
    fake: FakeDiscord, publisher: DiscordChannelPublisher, sleeps: FastAsyncio
) -> None:
    post = publisher.render(big_digest(2, more=0))[0]
    fake.fail_next("POST", "/channels/*/messages", status=500, after_processing=True)
    sent = await publisher.send(post)
    (message,) = fake.bot_messages(general(fake))
    assert sent.post_id == message["id"]
    assert len(message_posts(fake)) == 2
    assert sleeps.delays == [1]


async def test_find_sent_finds_an_old_post_by_scanning_the_channel(
    fake: FakeDiscord, publisher: DiscordChannelPublisher
) -> None:
    first, second = publisher.render(big_digest(12, more=0))[:2]
    assert await publisher.find_sent(first) is None
    sent = await publisher.send(first)
    member = fake.guild.member("member")
    for n in range(5):
        await fake.send_message(general(fake), member, f"chatter {n}")
    # The same text by someone else is not the bot's post.
    await fake.send_message(
        general(fake), member, second.payload["content"], embeds=second.payload["embeds"]
    )

    fake.nonce_window = -1.0  # long after the crash: Discord forgot the nonce
    async with DiscordChannelPublisher("general", channel_id=general(fake), token=TOKEN) as new:
        found = await new.find_sent(first)
        assert await new.find_sent(second) is None
    assert found == sent
    assert len(fake.requests_to("GET", "/channels/*/messages")) == 3


async def test_find_sent_matches_content_and_embeds_without_a_nonce(
    fake: FakeDiscord, publisher: DiscordChannelPublisher
) -> None:
    post = publisher.render(big_digest(4, more=2))[0]
    # Real Discord does not return nonces from GET /messages: post the same payload under
    # another nonce, so that only content and embeds can match.
    sent = await publisher.send(Post("another-nonce", post.items, post.payload))
    assert await publisher.find_sent(post) == sent
    changed = {**post.payload, "content": post.payload["content"] + "!"}
    assert await publisher.find_sent(Post(post.key, post.items, changed)) is None


async def test_find_sent_without_read_message_history_relies_on_the_nonce(
    fake: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.fakediscord import Permission

    channel = fake.guild.add_channel(
        "no-history",
        overwrites=[
            PermissionOverwrite(fake.guild.id, 0, deny=int(Permission.READ_MESSAGE_HISTORY))
        ],
    )
    async with DiscordChannelPublisher("h", channel_id=channel.id, token=TOKEN) as pub:
        post = pub.render(big_digest(1, more=0))[0]
        await pub.send(post)
        assert await pub.find_sent(post) is None
    assert "Read Message History" in caplog.text


async def test_a_rejected_token_disables_the_destination_and_never_shows(
    fake: FakeDiscord,
) -> None:
    wrong = "MTIzNDU2.wrong-token-SECRET"
    publisher = DiscordChannelPublisher("general", channel_id=general(fake), token=wrong)
    post = publisher.render(big_digest(1, more=0))[0]
    with pytest.raises(CredentialsRejected) as caught:
        await publisher.send(post)
    assert "401" in caught.value.reason
    assert not leaked(wrong, caught.value, publisher)
    assert fake.requests_to("GET", "/users/@me")[-1].status == 401
    await publisher.close()


async def test_a_401_in_mid_run_is_credentials_rejected(
    fake: FakeDiscord, publisher: DiscordChannelPublisher
) -> None:
    fake.fail_next("POST", "/channels/*/messages", status=401)
    with pytest.raises(CredentialsRejected) as caught:
        await publisher.send(publisher.render(big_digest(1, more=0))[0])
    assert not leaked(TOKEN, caught.value, publisher)
    assert fake.bot_messages(general(fake)) == []


async def test_a_persistent_500_is_transient_after_discord_py_retries(
    fake: FakeDiscord, publisher: DiscordChannelPublisher, sleeps: FastAsyncio
) -> None:
    fake.fail_next("POST", "/channels/*/messages", status=500, times=5)
    started = time.monotonic()
    with pytest.raises(Transient) as caught:
        await publisher.send(publisher.render(big_digest(1, more=0))[0])
    assert time.monotonic() - started < 3
    assert "500" in caught.value.reason
    assert len(message_posts(fake)) == 5
    assert sleeps.delays == [1, 3, 5, 7, 9]
    assert fake.bot_messages(general(fake)) == []
    assert not leaked(TOKEN, caught.value, publisher)


async def test_an_unreachable_discord_is_transient() -> None:
    with discord_endpoints("http://127.0.0.1:9/api/v10", "ws://127.0.0.1:9/gateway"):
        publisher = DiscordChannelPublisher("general", channel_id=1, token=TOKEN)
        with pytest.raises(Transient):
            await publisher.start()


async def test_a_long_rate_limit_is_rate_limited(
    fake: FakeDiscord, publisher: DiscordChannelPublisher
) -> None:
    fake.fail_next("POST", "/channels/*/messages", status=429, retry_after=120.0)
    with pytest.raises(RateLimited) as caught:
        await publisher.send(publisher.render(big_digest(1, more=0))[0])
    assert caught.value.retry_after == 120.0


async def test_an_invalid_form_body_rejects_the_item(
    fake: FakeDiscord, publisher: DiscordChannelPublisher
) -> None:
    post = Post("too-long", ("summary:1",), {"content": "x" * 2500, "embeds": []})
    with pytest.raises(ItemRejected) as caught:
        await publisher.send(post)
    assert "50035" in caught.value.reason
    assert message_posts(fake)[-1].status == 400
    # The destination still works.
    good = publisher.render(big_digest(1, more=0))[0]
    await publisher.send(good)
    assert len(fake.bot_messages(general(fake))) == 1
    fake.requests.remove(message_posts(fake)[0])  # the bad payload was the test's, on purpose


async def test_a_hidden_channel_disables_the_destination(fake: FakeDiscord) -> None:
    hidden = fake.guild.channel("staff").id
    publisher = DiscordChannelPublisher("staff", channel_id=hidden, token=TOKEN)
    with pytest.raises(CredentialsRejected) as caught:
        await publisher.start()
    assert "cannot see channel" in caught.value.reason
    assert "50001" in caught.value.reason
    assert not leaked(TOKEN, caught.value, publisher)


async def test_a_deleted_channel_disables_the_destination(fake: FakeDiscord) -> None:
    publisher = DiscordChannelPublisher("gone", channel_id=new_snowflake(), token=TOKEN)
    with pytest.raises(CredentialsRejected) as caught:
        await publisher.send(Post("k", (), {"content": "hello", "embeds": []}))
    assert "is gone" in caught.value.reason


async def test_no_send_permission_disables_the_destination(fake: FakeDiscord) -> None:
    from tests.fakediscord import Permission

    read_only = fake.guild.add_channel(
        "read-only",
        overwrites=[PermissionOverwrite(fake.guild.id, 0, deny=int(Permission.SEND_MESSAGES))],
    )
    async with DiscordChannelPublisher("ro", channel_id=read_only.id, token=TOKEN) as pub:
        with pytest.raises(CredentialsRejected) as caught:
            await pub.send(pub.render(big_digest(1, more=0))[0])
    assert "50013" in caught.value.reason
    assert "may not post" in caught.value.reason


async def test_a_category_is_not_a_destination(fake: FakeDiscord) -> None:
    from tests.fakediscord import ChannelType

    category = fake.guild.add_channel("Topics", type=ChannelType.GUILD_CATEGORY)
    publisher = DiscordChannelPublisher("cat", channel_id=category.id, token=TOKEN)
    with pytest.raises(CredentialsRejected, match="takes no messages"):
        await publisher.start()


def test_reprs_hold_no_secret() -> None:
    channel = DiscordChannelPublisher("general", channel_id=42, token=TOKEN)
    assert TOKEN not in repr(channel)
    webhook = DiscordWebhookPublisher("hook", url=webhook_url("http://x"))
    assert WEBHOOK_TOKEN not in repr(webhook)
    with pytest.raises(ValueError, match="not a Discord webhook URL") as caught:
        DiscordWebhookPublisher("bad", url=f"https://example.com/hooks/{WEBHOOK_TOKEN}")
    assert WEBHOOK_TOKEN not in str(caught.value)


# ---------------------------------------------------------------------- webhook publisher

WEBHOOK_ID = 123456789012345678
WEBHOOK_TOKEN = "wh-SECRET-" + "a1B2c3D4e5" * 7
WEBHOOK_GUILD = 223456789012345678
WEBHOOK_CHANNEL = 323456789012345678


def webhook_url(_: str) -> str:
    """What the operator configures; discord.py sends to ``Route.BASE`` + the webhook path."""
    return f"https://discord.com/api/webhooks/{WEBHOOK_ID}/{WEBHOOK_TOKEN}"


def discord_json(data: Any, status: int = 200) -> Response:
    return Response(status, json.dumps(data).encode(), {"Content-Type": "application/json"})


class WebhookStandIn:
    """Discord's ``GET``/``POST /webhooks/{id}/{token}`` for one incoming webhook: the fake
    Discord serves interaction webhooks only (see the report)."""

    def __init__(self, server: LocalHTTPServer) -> None:
        self.server = server
        self.messages: list[dict[str, Any]] = []
        self.failures: list[Response] = []
        path = f"/api/v10/webhooks/{WEBHOOK_ID}/{WEBHOOK_TOKEN}"
        server.route(path, self.answer)
        self.path = path

    def answer(self, request: Request) -> Response:
        if request.method == "GET":
            return discord_json(
                {
                    "id": str(WEBHOOK_ID),
                    "type": 1,
                    "guild_id": str(WEBHOOK_GUILD),
                    "channel_id": str(WEBHOOK_CHANNEL),
                    "name": "shortbot digests",
                    "avatar": None,
                    "token": WEBHOOK_TOKEN,
                    "application_id": None,
                }
            )
        if self.failures:
            return self.failures.pop(0)
        payload = json.loads(request.body)
        if check_message_limits(payload):
            return discord_json({"message": "Invalid Form Body", "code": 50035}, 400)
        message = {
            "id": str(new_snowflake()),
            "channel_id": str(WEBHOOK_CHANNEL),
            "webhook_id": str(WEBHOOK_ID),
            "author": {
                "id": str(WEBHOOK_ID),
                "username": "shortbot digests",
                "discriminator": "0000",
                "avatar": None,
                "bot": True,
            },
            "content": payload.get("content") or "",
            "embeds": payload.get("embeds") or [],
            "timestamp": NOW.isoformat(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
        }
        self.messages.append(message)
        return discord_json(message)

    def posts(self) -> list[Request]:
        return [r for r in self.server.requests(self.path) if r.method == "POST"]


@pytest.fixture
def webhook_server() -> Iterator[WebhookStandIn]:
    with (
        LocalHTTPServer() as server,
        discord_endpoints(server.url("/api/v10"), "ws://127.0.0.1:9/unused"),
    ):
        yield WebhookStandIn(server)


async def test_a_digest_through_a_webhook(webhook_server: WebhookStandIn) -> None:
    async with DiscordWebhookPublisher("hook", url=webhook_url("")) as publisher:
        posts = publisher.render(big_digest())
        sent = [await publisher.send(post) for post in posts]
        assert await publisher.find_sent(posts[0]) is None  # webhooks cannot be searched
    ids = [m["id"] for m in webhook_server.messages]
    assert [s.post_id for s in sent] == ids
    assert sent[0].url == f"https://discord.com/channels/{WEBHOOK_GUILD}/{WEBHOOK_CHANNEL}/{ids[0]}"
    for request, post in zip(webhook_server.posts(), posts, strict=True):
        assert request.query["wait"] in (["1"], ["true"])
        body = json.loads(request.body)
        assert check_message_limits(body, require_no_pings=True) == []
        assert (body.get("content") or "") == post.payload["content"]
        assert len(body["embeds"]) == len(post.payload["embeds"])


async def test_webhook_errors_are_mapped_and_never_show_the_token(
    webhook_server: WebhookStandIn, sleeps: FastAsyncio
) -> None:
    deleted = discord_json({"message": "Unknown Webhook", "code": 10015}, 404)
    invalid = discord_json({"message": "Invalid Form Body", "code": 50035}, 400)
    failing = discord_json({"message": "500: Internal Server Error", "code": 0}, 503)
    async with DiscordWebhookPublisher("hook", url=webhook_url("")) as publisher:
        post = publisher.render(big_digest(1, more=0))[0]
        webhook_server.failures[:] = [invalid]
        with pytest.raises(ItemRejected) as rejected:
            await publisher.send(post)
        webhook_server.failures[:] = [failing] * 5
        with pytest.raises(Transient) as transient:
            await publisher.send(post)
        assert sleeps.delays == [1, 3, 5, 7, 9]
        webhook_server.failures[:] = [deleted]
        with pytest.raises(CredentialsRejected) as gone:
            await publisher.send(post)
        for caught in (rejected, transient, gone):
            assert not leaked(WEBHOOK_TOKEN, caught.value, publisher)
            assert caught.value.__cause__ is None
    assert "deleted" in gone.value.reason
    assert webhook_server.messages == []


async def test_an_unknown_webhook_disables_the_destination(
    fake: FakeDiscord,
) -> None:
    publisher = DiscordWebhookPublisher("hook", url=webhook_url(""))
    with pytest.raises(CredentialsRejected) as caught:
        await publisher.start()
    assert not leaked(WEBHOOK_TOKEN, caught.value, publisher)
    # a webhook Discord does not know: 404 Unknown Webhook, as Discord answers
    assert [r.response["code"] for r in fake.requests_to("GET", "/webhooks/*")] == [10015]
