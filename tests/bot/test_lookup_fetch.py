"""``shortbot lookup`` and ``!summary`` are one use case: a valid arXiv id nobody knows yet is
fetched from the arXiv API by both, whenever shortbot uses the network; the demo stays offline
and says so."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import open_app
from bot.settings import Settings
from tests.bot.test_discord_bot import recorded
from tests.discordbot import serving
from tests.fakediscord import FakeDiscord, discord_endpoints
from tests.httpserver import LocalHTTPServer, Response

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
WANTED = "1707.08567"  # in the recorded API response for "0808.05394,1707.08567"
TITLE_START = "Proceedings of Workshop AEW10"


@pytest.fixture
def arxiv_api() -> Iterator[LocalHTTPServer]:
    known = recorded("id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.json")
    empty = recorded("id_0000.0000_s0_m100_8b51d9633a68.json")

    def answer(request: Any) -> Response:
        ids = request.query.get("id_list", [""])[0]
        return Response.xml(known if WANTED in ids else empty, "application/atom+xml")

    with LocalHTTPServer() as server:
        server.route("/api/query", answer)
        yield server


def api_env(server: LocalHTTPServer) -> dict[str, str]:
    return {"SHORTBOT_ARXIV__API_URL": server.url("/api/query")}


def test_settings_turn_arxiv_on_whenever_the_network_is_used() -> None:
    demo = Settings()
    assert demo.is_demo and not demo.arxiv_enabled
    assert "off in the demo" in (demo.arxiv_off_reason or "")
    assert Settings(discord={"token": "t"}).arxiv_enabled  # a Discord token alone
    assert Settings(destinations=[{"name": "feed", "platform": "atom"}]).arxiv_enabled
    assert Settings(feeds=[]).arxiv_enabled
    off = Settings(discord={"token": "t"}, arxiv={"enabled": False})
    assert not off.arxiv_enabled and "arxiv.enabled = false" in (off.arxiv_off_reason or "")
    assert Settings(arxiv={"enabled": True}).arxiv_enabled


def test_lookup_fetches_an_unknown_id_and_keeps_it(shortbot, arxiv_api) -> None:
    env = {**api_env(arxiv_api), "SHORTBOT_DISCORD__TOKEN": "token-only-config"}
    found = shortbot("lookup", WANTED, "--json", extra_env=env)
    assert found.code == 0, found.err
    body = json.loads(found.out)
    assert body["paper"]["arxiv_id"] == WANTED
    assert body["paper"]["title"].startswith(TITLE_START)
    assert body["summaries"] == []
    assert arxiv_api.count("/api/query") == 1
    again = shortbot("lookup", f"https://huggingface.co/papers/{WANTED}", extra_env=env)
    assert again.code == 0 and TITLE_START in again.out
    assert arxiv_api.count("/api/query") == 1  # stored: arXiv is not asked twice


def test_lookup_says_when_arxiv_has_no_such_paper(shortbot, arxiv_api) -> None:
    env = {**api_env(arxiv_api), "SHORTBOT_DISCORD__TOKEN": "token-only-config"}
    missing = shortbot("lookup", "2411.99999", "--json", extra_env=env)
    assert missing.code == 1
    assert json.loads(missing.out)["error"] == "arXiv has no paper arXiv:2411.99999"


def test_lookup_says_when_arxiv_is_unreachable(shortbot) -> None:
    # the tests' default arXiv address refuses connections
    down = shortbot("lookup", WANTED, extra_env={"SHORTBOT_DISCORD__TOKEN": "t"})
    assert down.code == 1
    assert "arXiv is not answering right now" in down.err


def test_the_demo_stays_offline_and_says_why(shortbot, arxiv_api) -> None:
    miss = shortbot("lookup", WANTED, extra_env=api_env(arxiv_api))
    assert miss.code == 1
    assert "No paper arXiv:1707.08567 is known yet" in miss.err
    assert "arXiv look-ups are off in the demo" in miss.err
    assert arxiv_api.count("/api/query") == 0


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(heartbeat_interval=1.0) as fake:
        with discord_endpoints(fake.api_base_url, fake.gateway_url):
            yield fake


async def test_summary_with_only_a_discord_token_fetches_unknown_ids(
    tmp_path: Path, fake: FakeDiscord, arxiv_api: LocalHTTPServer
) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        discord={"token": fake.token},
        arxiv={"api_url": arxiv_api.url("/api/query"), "delay_seconds": 0, "num_retries": 0},
    )
    assert settings.feeds is None and not settings.destinations  # nothing else configured
    async with open_app(settings, clock=lambda: NOW) as app, serving(app, fake.token):
        general = fake.guild.channel("general")
        sent = await fake.send_message(
            general, fake.guild.member("member"), f"!summary arxiv.org/pdf/{WANTED}v1.pdf"
        )
        reply = await fake.wait_for_message(general, after=sent.id)
    (embed,) = reply["embeds"]
    assert embed["title"].startswith(TITLE_START)
    assert embed["url"] == f"https://arxiv.org/abs/{WANTED}"
    assert arxiv_api.count("/api/query") == 1
