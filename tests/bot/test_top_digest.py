"""Top digests from the configuration, the command line and Discord: ``kind = "top"`` and
``window`` validated with the key named; ``shortbot digest`` posting the best first and leaving
the rest for the next run; ``schedule kind`` setting a channel's digest in Discord (the real
discord.py client on the fake Discord, a real SQLite database with the sample summaries)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot import schedules
from bot.app import App, open_app
from bot.delivery import deliver_all
from bot.destinations import open_destinations
from bot.scheduler import Scheduler
from bot.settings import ConfigError, Settings, load_settings
from tests.bot.test_cli import SAMPLE
from tests.bot.test_discord_bot import (  # noqa: F401 - fixtures
    NOW,
    arxiv_api,
    bot,
    fake,
    say,
)
from tests.bot.test_discord_schedule import app, digest_now  # noqa: F401 - a bot token: digests go
from tests.fakediscord import FakeDiscord
from tests.papers.test_top import LATER, RUN, WEEK, incoming, order, write, written

WEEKLY = """
console = false

[[destinations]]
name = "weekly"
platform = "console"
kind = "top"
window = "7d"
max_items = 3
"""


def test_a_destination_is_top_over_its_window_or_new() -> None:
    settings = Settings(
        console=False,
        destinations=[
            {"name": "weekly", "platform": "console", "kind": "top"},
            {"name": "daily", "platform": "console", "kind": "top", "window": "24h"},
            {"name": "plain", "platform": "console"},
        ],
    )
    windows = [d.top_window for d in settings.destinations]
    assert windows == [timedelta(days=7), timedelta(hours=24), None]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            'kind = "top"\nwindow = "7x"\n',
            "destinations.0.window: Value error, '7x' is not a window",
        ),
        ('kind = "top"\nwindow = 7\n', "destinations.0.window: Value error, expected a window"),
        ('kind = "top"\nwindow = "400d"\n', "destinations.0.window: Value error, a window is"),
        ('kind = "best"\n', "destinations.0.kind: Input should be 'new' or 'top'"),
        ('window = "7d"\n', 'window: only a destination of kind = "top" has one'),
    ],
)
def test_a_bad_kind_or_window_names_the_key(tmp_path: Path, lines: str, expected: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[[destinations]]\nname = "weekly"\nplatform = "console"\n' + lines)
    with pytest.raises(ConfigError) as caught:
        load_settings(str(config))
    assert expected in str(caught.value)


async def test_a_top_destination_is_ten_long_unless_it_says(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        feeds=[],
        console=False,
        destinations=[
            {"name": "weekly", "platform": "console", "kind": "top"},
            {"name": "short", "platform": "console", "kind": "top", "max_items": 3},
            {"name": "plain", "platform": "console"},
        ],
    )
    async with (
        open_app(settings, clock=lambda: NOW) as opened,
        open_destinations(opened) as (destinations, problems),
    ):
        assert problems == []
        policies = {d.publisher.name: d.policy for d in destinations}
    assert (policies["weekly"].max_items, policies["weekly"].window) == (10, timedelta(days=7))
    assert (policies["short"].max_items, policies["short"].window) == (3, timedelta(days=7))
    assert (policies["plain"].max_items, policies["plain"].window) == (25, None)


def votes(text: str) -> list[int]:
    """The votes of the summaries a console digest shows, in its order."""
    return [int(v) for v in re.findall(r"^  - (\d+) votes? ·", text, re.MULTILINE)]


def test_digest_posts_the_best_first_and_leaves_the_rest_for_the_next_run(
    shortbot, tmp_path: Path
) -> None:
    (tmp_path / "shortbot.toml").write_text(WEEKLY)
    assert shortbot("ingest", str(SAMPLE)).code == 0
    dry = shortbot("digest", "--dry-run", "--json")
    assert dry.code == 0, dry.err
    (line,) = [json.loads(text) for text in dry.out.splitlines()]
    assert (line["destination"], line["kind"], line["window"]) == ("weekly", "top", "7d")
    text = line["payload"]["text"]
    assert text.startswith("== The week's best summaries: 3 summaries of 3 papers ==")
    best = votes(text)
    assert best == sorted(best, reverse=True) and len(best) == 3
    said = shortbot("digest", "--dry-run").out
    assert said.startswith("--- weekly (console), 3 items, the week's best summaries\n")

    first = shortbot("digest")
    assert first.code == 0, first.err
    assert votes(first.out) == best and first.out.endswith("weekly: 3 sent\n")
    second = shortbot("digest")
    # not "nothing new": a top digest consumes only what it posted
    assert second.out.endswith("weekly: 3 sent\n")
    assert max(votes(second.out)) <= min(best)
    ledger = json.loads(shortbot("deliveries", "--json").out)
    assert len(ledger) == len({row["item"] for row in ledger}) == 6


async def test_a_maintainer_makes_a_channel_digest_the_weeks_best(
    fake: FakeDiscord,  # noqa: F811
    bot: Any,  # noqa: F811
    app: App,  # noqa: F811
) -> None:
    general = fake.guild.channel("general")
    await say(fake, "!subscribe votes>=0", who="maintainer")
    reply = await say(fake, f"!schedule kind <#{general.id}> top", who="maintainer")
    assert reply["content"] == (
        "The digest of **\\#general** is now the week's best summaries: at each run, the "
        "best-voted summaries first seen in the last 7d, each posted once."
    )
    listed = await say(fake, "!subscriptions", who="maintainer")
    assert (
        "a top digest: the best-voted summaries first seen in the last 7d"
        in listed["embeds"][0]["description"]
    )
    sent = await fake.send_interaction(
        "digest preview", user=fake.guild.member("maintainer"), channel=general
    )
    preview = await fake.wait_for_interaction_response(sent.id, index=0)
    (shown,) = preview.data["embeds"]
    assert shown["title"] == "Next digest for #general: The week's best summaries"
    assert len(shown["fields"]) == 10
    before = len(fake.bot_messages(general))
    assert "sent now: 10 sent" in await digest_now(fake)  # ten: the channel sets no length
    digests = [m for m in fake.bot_messages(general)[before:] if m["content"].startswith("**")]
    assert digests[0]["content"] == "**The week's best summaries**"
    assert "sent now: 2 sent" in await digest_now(fake)  # the two left of the sample's twelve

    daily = await say(fake, f"!schedule kind <#{general.id}> top 24h", who="maintainer")
    assert "the best summaries of the last 24 hours" in daily["content"]
    held = await app.store.list_subscriptions(guild_id=fake.guild.id)
    assert [(s.kind.value, s.value) for s in held] == [("min-votes", "0"), ("top", "24h")]
    new = await say(fake, f"!schedule kind <#{general.id}> new", who="maintainer")
    assert "now carries what is new since its last digest" in new["content"]
    held = await app.store.list_subscriptions(guild_id=fake.guild.id)
    assert [s.kind.value for s in held] == ["min-votes"]


@pytest.mark.parametrize(
    ("words", "says"),
    [
        ("top 7x", "'7x' is not a window such as 24h, 7d or 30d"),
        ("best", "'best' is not a kind of digest: new or top"),
        ("new 7d", "Only a top digest has a window: top 7d, or new alone"),
    ],
)
async def test_words_that_are_no_kind_are_explained_and_nothing_changes(
    fake: FakeDiscord,  # noqa: F811
    bot: Any,  # noqa: F811
    app: App,  # noqa: F811
    words: str,
    says: str,
) -> None:
    general = fake.guild.channel("general")
    await say(fake, "!subscribe cs.LG", who="maintainer")
    await say(fake, f"!schedule kind <#{general.id}> top 30d", who="maintainer")
    reply = await say(fake, f"!schedule kind <#{general.id}> {words}", who="maintainer")
    assert says in reply["content"]
    stranger = await say(fake, f"!schedule kind <#{general.id}> new", who="member")
    assert "for maintainers" in stranger["content"]
    held = await app.store.list_subscriptions(guild_id=fake.guild.id)
    assert [(s.kind.value, s.value) for s in held] == [("category", "cs.LG"), ("top", "30d")]


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def test_a_weekly_top_destination_goes_out_on_its_schedule(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path,
        feeds=[],
        console=False,
        destinations=[
            {"name": "weekly", "platform": "console", "kind": "top", "max_items": 3},
        ],
    )
    clock = Clock(RUN - timedelta(days=10))
    async with open_app(settings, clock=clock) as opened:
        await written(opened.store)
        clock.now = RUN - timedelta(days=2)  # a Saturday
        row = await schedules.set_schedule(opened, "weekly", "weekly mon 09:00", by="cli")
        assert row.next_run == RUN
        scheduler = Scheduler(opened, poll=_no_poll, deliver=deliver_all)

        clock.now = RUN + timedelta(minutes=1)  # the Monday run (here: caught up at start)
        assert await scheduler.catch_up() == ["weekly"]
        first = capsys.readouterr().out
        assert first.startswith("== The week's best summaries: 3 summaries of 3 papers ==")
        assert order(first) == ["ss-bert", "ss-gan", "ss-adam"]
        assert await scheduler.catch_up() == []  # the run is recorded: not twice

        # during the week: new summaries; DPO's votes rise after it came in, and GAN's, which
        # went out already
        for guid, arxiv_id, votes, days in (
            ("ss-dpo", "2305.18290", 1, 1),
            ("ss-lora", "2106.09685", 10, 2),
            ("ss-rwkv", "2305.13048", 2, 4),
            ("ss-mamba", "2312.00752", 4, 5),
        ):
            seen = RUN + timedelta(days=days)
            item = incoming(guid, arxiv_id, LATER[guid], "cs.LG", votes, seen)
            await opened.store.save_summaries([item], announce=True, now=seen)
        dpo = incoming("ss-dpo", "2305.18290", LATER["ss-dpo"], "cs.LG", 40, RUN + timedelta(1))
        await opened.store.save_summaries([dpo], announce=True, now=RUN + timedelta(days=5))
        await write(opened.store, "ss-gan", votes=60, at=RUN + timedelta(days=3))
        clock.now = RUN + WEEK + timedelta(minutes=1)
        assert await scheduler.catch_up() == ["weekly"]
        second = capsys.readouterr().out
        # DPO by its votes now (with its 1 vote of Tuesday, RWKV's 2 would have beaten it);
        # last week's (DDPM's 12 votes, never posted) have left the window; nothing twice
        assert order(second) == ["ss-dpo", "ss-lora", "ss-mamba"]
        rows = await opened.ledger.rows(destination="weekly")
        assert len(rows) == len({r.item for r in rows}) == 6


async def _no_poll(_app: App, _feed: Any) -> None:
    raise AssertionError("no feed is polled")
