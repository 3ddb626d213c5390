"""The fake Discord's forum channels and threads, as Discord's API documents them, over plain
HTTP: a forum post with its first message (its id the thread's), tags checked, names and
archive durations validated, a thread opened on a message once, posts in threads (unarchived
by a post, refused when locked, gone when deleted), and the active and archived listings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.fakediscord import FakeDiscord
from tests.fakediscord.models import Channel
from tests.fakediscord.threads import add_forum, tag_ids

TOKEN = "MTIzNDU2.fake-threads-token-SECRET"
FIRST = {"content": "Adam: a method for stochastic optimization", "embeds": []}


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(TOKEN) as fake:
        yield fake


@pytest.fixture
async def http(fake: FakeDiscord) -> AsyncIterator[aiohttp.ClientSession]:
    headers = {"Authorization": f"Bot {TOKEN}"}
    async with aiohttp.ClientSession(fake.api_base_url + "/", headers=headers) as session:
        yield session


@pytest.fixture
def forum(fake: FakeDiscord) -> Channel:
    return add_forum(
        fake.guild, "paper-forum", ["cs.LG", "stat.ML", "cs.CV", "cs.CL", "math.OC", "q-bio"]
    )


async def call(http: aiohttp.ClientSession, method: str, path: str, **kw: Any) -> tuple[int, Any]:
    async with http.request(method, path.lstrip("/"), **kw) as response:
        return response.status, await response.json() if response.status != 204 else None


async def test_a_forum_post_is_a_thread_whose_first_message_has_its_id(
    fake: FakeDiscord, http: aiohttp.ClientSession, forum: Channel
) -> None:
    status, channel = await call(http, "GET", f"/channels/{forum.id}")
    assert (status, channel["type"]) == (200, 15)
    assert [t["name"] for t in channel["available_tags"]][:2] == ["cs.LG", "stat.ML"]
    tags = tag_ids(forum, "cs.LG", "stat.ML")
    body = {"name": "Adam", "auto_archive_duration": 1440, "applied_tags": tags, "message": FIRST}
    status, post = await call(http, "POST", f"/channels/{forum.id}/threads", json=body)
    assert status == 201
    assert (post["type"], post["parent_id"], post["owner_id"]) == (
        11,
        str(forum.id),
        str(fake.bot_user.id),
    )
    assert post["applied_tags"] == tags
    assert post["thread_metadata"]["auto_archive_duration"] == 1440
    assert post["message"]["id"] == post["id"] and post["message"]["channel_id"] == post["id"]
    status, listed = await call(http, "GET", f"/guilds/{fake.guild.id}/threads/active")
    assert [t["id"] for t in listed["threads"]] == [post["id"]]
    status, _ = await call(http, "POST", f"/channels/{forum.id}/messages", json=FIRST)
    assert status == 400  # a forum takes posts, not messages


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "x" * 101}, "name"),
        ({"name": ""}, "name"),
        ({"auto_archive_duration": 120}, "auto_archive_duration"),
        ({"applied_tags": ["1"]}, "applied_tags"),
        ({"applied_tags": "all six"}, "applied_tags"),
        ({"message": None}, "message"),
    ],
)
async def test_a_bad_forum_post_is_an_invalid_form_naming_the_field(
    http: aiohttp.ClientSession, forum: Channel, change: dict[str, Any], field: str
) -> None:
    body: dict[str, Any] = {"name": "Adam", "message": FIRST, **change}
    if body.get("applied_tags") == "all six":  # one more than a post may carry
        body["applied_tags"] = [t["id"] for t in forum.extra["available_tags"]]
    status, error = await call(http, "POST", f"/channels/{forum.id}/threads", json=body)
    assert (status, error["code"]) == (400, 50035)
    assert list(error["errors"]) == [field]


async def test_a_thread_on_a_message_once_and_posts_in_it(
    fake: FakeDiscord, http: aiohttp.ClientSession
) -> None:
    general = fake.guild.channel("general")
    _, head = await call(
        http, "POST", f"/channels/{general.id}/messages", json={"content": "**3 new**"}
    )
    path = f"/channels/{general.id}/messages/{head['id']}/threads"
    status, thread = await call(
        http, "POST", path, json={"name": "3 new", "auto_archive_duration": 60}
    )
    assert (status, thread["id"], thread["parent_id"]) == (201, head["id"], str(general.id))
    status, again = await call(http, "POST", path, json={"name": "3 new"})
    assert (status, again["code"]) == (400, 160004)
    status, _ = await call(
        http, "POST", f"/channels/{thread['id']}/messages", json={"content": "in it"}
    )
    assert status == 200
    [opened] = fake.threads(general)
    assert [m["content"] for m in fake.messages(opened)] == ["in it"]
    assert fake.message(int(head["id"]))["thread"]["id"] == head["id"]


async def test_archived_locked_and_deleted_threads(
    fake: FakeDiscord, http: aiohttp.ClientSession, forum: Channel
) -> None:
    made = []
    for name in ("Adam", "Dropout", "Batch norm"):
        _, post = await call(
            http, "POST", f"/channels/{forum.id}/threads", json={"name": name, "message": FIRST}
        )
        made.append(post)
    adam, dropout, norm = (fake.guild.get_channel(int(p["id"])) for p in made)
    assert adam is not None and dropout is not None and norm is not None
    fake.archive_thread(adam)
    fake.archive_thread(dropout, locked=True)
    fake.delete_thread(norm)
    _, active = await call(http, "GET", f"/guilds/{fake.guild.id}/threads/active")
    assert active["threads"] == []
    _, archived = await call(
        http, "GET", f"/channels/{forum.id}/threads/archived/public", params={"limit": "2"}
    )
    assert {t["name"] for t in archived["threads"]} == {"Adam", "Dropout"}
    assert archived["has_more"] is False
    status, _ = await call(http, "POST", f"/channels/{adam.id}/messages", json={"content": "reply"})
    assert status == 200 and adam.extra["thread_metadata"]["archived"] is False
    status, locked = await call(
        http, "POST", f"/channels/{dropout.id}/messages", json={"content": "x"}
    )
    assert (status, locked["code"]) == (400, 160005)
    status, gone = await call(http, "POST", f"/channels/{norm.id}/messages", json={"content": "x"})
    assert (status, gone["code"]) == (404, 10003)


async def test_a_moderated_tag_needs_manage_threads(
    fake: FakeDiscord, http: aiohttp.ClientSession
) -> None:
    forum = add_forum(
        fake.guild, "moderated", ["cs.LG", "Announcement"], moderated=("Announcement",)
    )
    body = {"name": "Adam", "applied_tags": tag_ids(forum, "Announcement"), "message": FIRST}
    status, error = await call(http, "POST", f"/channels/{forum.id}/threads", json=body)
    assert (status, error["code"]) == (403, 50013)
    body["applied_tags"] = tag_ids(forum, "cs.LG")
    status, _ = await call(http, "POST", f"/channels/{forum.id}/threads", json=body)
    assert status == 201
