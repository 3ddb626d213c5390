"""``[[feeds]]`` tables: a configured feed may pin its kind, as ``feeds add --kind`` does."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.app import open_app
from bot.settings import Settings
from bot.watch import poll_feed, sync_configured_feeds
from papers.model import FeedKind

FIXTURES = Path(__file__).parents[1] / "fixtures"
SHORTSCIENCE = FIXTURES / "shortscience-rss.xml"


def settings(tmp_path: Path, **feed: object) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        arxiv={"enabled": False},
        feeds=[{"url": str(SHORTSCIENCE), "name": "sample", **feed}],
    )


async def test_a_configured_kind_is_pinned_and_read_at_every_poll(tmp_path: Path) -> None:
    async with open_app(settings(tmp_path, kind="blog")) as app:
        (feed,) = await sync_configured_feeds(app)
        assert feed.pinned_kind is FeedKind.BLOG
        result = await poll_feed(app, feed)
        assert result.report is not None
        assert result.report.kind is FeedKind.BLOG  # read as a blog, not recognised
    # the kind follows the configuration: taken out, the feed is recognised again
    async with open_app(settings(tmp_path)) as app:
        (feed,) = await sync_configured_feeds(app)
        assert feed.pinned_kind is None


def test_an_unknown_kind_is_refused_with_the_key_named(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="kind"):
        settings(tmp_path, kind="podcast")
