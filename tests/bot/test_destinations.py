"""The destinations as ``shortbot run`` builds them: the composition root, every platform's
factory, and every resource closed when the run ends (no session left open)."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import get_args

import pytest

from bot.app import open_app
from bot.destinations import open_destinations
from bot.platforms import FACTORIES
from bot.settings import DestinationSettings, Settings
from publishers.x import XPublisher

WEBHOOK = "https://discord.com/api/webhooks/222222222222222222/" + "Ab3_" * 17


def settings_with_every_platform(tmp_path: Path, **changes: object) -> Settings:
    values: dict[str, object] = dict(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        data_dir=tmp_path / "data",
        arxiv={"enabled": False},
        discord={"token": "discord-secret-token"},
        x={
            "api_key": "k",
            "api_secret": "s",
            "access_token": "t",
            "access_secret": "ts",
        },
        facebook={"page_id": "1234567890", "page_token": "facebook-secret-token"},
        destinations=[
            {"name": "channel", "platform": "discord", "channel_id": 111111111111111111},
            {"name": "hook", "platform": "discord-webhook", "webhook_url": WEBHOOK},
            {"name": "x", "platform": "x"},
            {"name": "page", "platform": "facebook"},
            {"name": "feed", "platform": "atom"},
        ],
    )
    return Settings(**{**values, **changes})  # type: ignore[arg-type]


def test_every_configurable_platform_has_a_factory() -> None:
    allowed = get_args(DestinationSettings.model_fields["platform"].annotation)
    assert set(allowed) == set(FACTORIES)


async def test_destinations_are_built_as_run_builds_them_and_all_closed(tmp_path: Path) -> None:
    settings = settings_with_every_platform(tmp_path)
    async with open_app(settings) as app:
        async with open_destinations(app) as (destinations, problems):
            assert problems == []
            built = {d.publisher.name: d.publisher.platform for d in destinations}
            assert built == {
                "console": "console",
                "channel": "discord",
                "hook": "discord",
                "x": "x",
                "page": "facebook",
                "feed": "atom",
            }
            (x,) = [d.publisher for d in destinations if isinstance(d.publisher, XPublisher)]
            # the session tweepy uses is made at the first call: make it (no request)
            await x._call(lambda: asyncio.sleep(0))
            assert x._session is not None and not x._session.closed
            session = x._session
        # the run's exit stack closed the X publisher, and with it its HTTP session
        assert session.closed
        assert x._session is None
    gc.collect()  # an unclosed aiohttp session would warn here (warnings are errors)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"facebook": {"page_token": "t"}}, "page: facebook.page_id is not set"),
        ({"x": {}}, "x: SHORTBOT_X__API_KEY is not set"),
        ({"discord": {}}, "channel: SHORTBOT_DISCORD__TOKEN is not set"),
    ],
)
async def test_a_destination_that_cannot_be_built_is_named_and_the_others_go(
    tmp_path: Path, change: dict[str, object], problem: str
) -> None:
    settings = settings_with_every_platform(tmp_path, **change)
    async with open_app(settings) as app, open_destinations(app) as (destinations, problems):
        assert problem in problems
        assert len(destinations) == 6 - len(problems)
