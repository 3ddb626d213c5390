"""Hostile command text, generated (hypothesis), through the real command path: the fake
Discord's gateway delivers each message to the real discord.py client running shortbot's cogs
on a real SQLite database, and the reply comes back over REST.

For every generated command, from a member and from a maintainer: a reply comes, it is not the
"something went wrong" of an unhandled exception, and it is within Discord's limits with no
mention that could ping anyone (``check_bot_payloads(require_no_pings=True)`` over everything
the bot sent). The arguments mix SQL and FTS syntax, quotes, NULs, right-to-left and
zero-width characters, mentions (``@everyone``, ``<@&id>``), markdown, and very long text.

    SHORTBOT_FUZZ_EXAMPLES=2000 uv run --no-sync pytest tests/scenarios/test_fuzz_commands.py
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import open_app
from bot.settings import Settings
from papers.usecases import ingest_parsed
from sources.parse import parse_feed
from tests.discordbot import serving
from tests.fakediscord import FakeDiscord, discord_endpoints
from tests.scenarios.chaos_world import LoopThread

EXAMPLES = int(os.environ.get("SHORTBOT_FUZZ_EXAMPLES") or 120)
FIXTURES = Path(__file__).parents[1] / "fixtures"
BROKEN = ("something went wrong", "error id")

NASTY = [
    "'; DROP TABLE papers; --",
    '" OR 1=1 --',
    "title:neural AND NOT abstract:*",
    'NEAR("deep" "learning", 2)',
    "^neural*",
    "\x00",
    "a\x00b",
    "\u202eevil\u202c",
    "\u200b\u200c\u200d\ufeff",
    "@everyone",
    "@here",
    "<@&123456789012345678>",
    "<@123456789012345678>",
    "<#123456789012345678>",
    "`` ``` ||spoiler|| **bold**",
    "https://arxiv.org/abs/1312.6199v2",
    "1312.6199",
    "hep-th/9901001",
    "10.1000/xyz123",
    "journals/corr/1312.6199",
    "😀" * 50,
    "x" * 1900,
    "%s %n %x {0} ${jndi:ldap://x}",
    "../../etc/passwd",
    "daily 25:99",
    "0 9 * * mon-fri",
    "http://127.0.0.1/feed.xml",
    "file:///etc/passwd",
]

COMMANDS = [
    "summary",
    "search",
    "latest",
    "help",
    "subscribe",
    "unsubscribe",
    "subscriptions",
    "feeds add",
    "feeds list",
    "feeds remove",
    "feeds pause",
    "schedule set",
    "schedule show",
    "schedule pause",
    "digest preview",
    "digest thread",
]

words = st.one_of(
    st.sampled_from(NASTY),
    st.text(min_size=1, max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=200),
)
arguments = st.lists(words, min_size=0, max_size=4).map(" ".join)


class Harness:
    """The fake Discord and shortbot's bot, running in a loop thread for the whole module."""

    def __init__(self, tmp: Path) -> None:
        self.loop = LoopThread()
        self.stack = contextlib.AsyncExitStack()
        self.loop.run(self._start(tmp))

    async def _start(self, tmp: Path) -> None:
        self.fake = await self.stack.enter_async_context(FakeDiscord(heartbeat_interval=1.0))
        self.stack.enter_context(discord_endpoints(self.fake.api_base_url, self.fake.gateway_url))
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{tmp / 'fuzz.db'}",
            feeds=[],
            console=False,
            allow_private_feeds=False,
            discord={"maintainer_role": "maintainer"},
            arxiv={"api_url": "http://127.0.0.1:9/api/query", "num_retries": 0},
        )
        app = await self.stack.enter_async_context(open_app(settings))
        parsed = parse_feed((FIXTURES / "shortscience-rss.xml").read_bytes(), "sample")
        await ingest_parsed(app.store, parsed, "sample", announce=True, now=app.clock())
        await self.stack.enter_async_context(serving(app, self.fake.token))

    def close(self) -> None:
        self.loop.run(self.stack.aclose())
        self.loop.close()

    def say(self, text: str, who: str) -> dict[str, Any]:
        async def go() -> dict[str, Any]:
            general = self.fake.guild.channel("general")
            sent = await self.fake.send_message(general, self.fake.guild.member(who), text)
            return await self.fake.wait_for_message(general, after=sent.id, timeout=15)

        return self.loop.run(go())

    def slash(self, name: str, options: dict[str, Any], who: str) -> Any:
        async def go() -> Any:
            fake = self.fake
            sent = await fake.send_interaction(
                name,
                user=fake.guild.member(who),
                channel=fake.guild.channel("general"),
                options=options,
            )
            record = fake.interaction(sent.id)
            await fake.wait_until(
                lambda: any(r.kind != "callback" or r.type != 5 for r in record.responses),
                timeout=15,
                description="an answer",
            )
            return record.responses[-1]

        return self.loop.run(go())


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    running = Harness(tmp_path_factory.mktemp("fuzz"))
    try:
        yield running
    finally:
        running.close()


def text_of(message: dict[str, Any]) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f"{f.get('name')} {f.get('value')}" for f in embed.get("fields") or []]
    return "\n".join(parts).lower()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    command=st.sampled_from(COMMANDS), args=arguments, who=st.sampled_from(["member", "maintainer"])
)
def test_prefix_commands_answer_hostile_text_within_limits(
    harness: Harness, command: str, args: str, who: str
) -> None:
    text = f"!{command} {args}"[:2000]
    reply = harness.say(text, who)
    assert not any(b in text_of(reply) for b in BROKEN), (text, reply)
    assert harness.fake.check_bot_payloads(require_no_pings=True) == []


@settings(
    max_examples=max(20, EXAMPLES // 3),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    command=st.sampled_from([("summary", "query"), ("search", "words")]),
    value=words.filter(lambda w: w.strip() != ""),
)
def test_slash_commands_answer_hostile_options_within_limits(
    harness: Harness, command: tuple[str, str], value: str
) -> None:
    name, option = command
    answer = harness.slash(name, {option: value[:1000]}, "member")
    assert not any(b in text_of(answer.data) for b in BROKEN), (value, answer.data)
    assert harness.fake.check_bot_payloads(require_no_pings=True) == []


def test_nothing_was_left_unanswered(harness: Harness) -> None:
    """Runs after the fuzzing: the bot is still connected and answers."""
    reply = harness.say("!summary 1312.6199", "member")
    assert "intriguing properties" in text_of(reply)
