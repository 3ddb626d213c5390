"""Watching feeds: the application service behind ``shortbot feeds …`` and the maintainers'
Discord ``feeds …`` commands (one way to add, find, pause, resume and remove a feed).

Requests that cannot be done as asked raise :class:`~papers.errors.UserError` (a bad URL or
interval) or :class:`~papers.errors.NotKnown` (no such feed, or another server's); a feed
that cannot be added (watched already, not a feed) raises :class:`FeedNotAdded`. The running
scheduler of this process follows every change at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.app import App
from bot.config_values import parse_duration
from bot.watch import poll_feed
from papers.errors import NotKnown, UserError
from papers.model import Feed, FeedKind, IngestReport
from sources.safety import check_url_syntax

MAX_URL = 2_000


class FeedNotAdded(Exception):
    """The URL is watched already, or is not a feed shortbot can read; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AlreadyWatched(FeedNotAdded):
    """The URL is watched already (by this server, from Discord)."""


class BadInterval(UserError):
    """The polling interval is not one (``15m``, ``2h``, ``1d``)."""


@dataclass(frozen=True, slots=True)
class FeedAdded:
    feed: Feed
    report: IngestReport  # the first poll: what the feed holds now
    interval_seconds: int


async def add_feed(
    app: App,
    url: str,
    *,
    interval: str | None = None,
    name: str | None = None,
    backfill: bool = False,
    kind: FeedKind | None = None,
    guild_id: int | None = None,
) -> FeedAdded:
    """Watch ``url``: checked (safe URL, a valid interval), then polled once to check it is a
    feed, its entries recorded as seen (announced in the next digest with ``backfill``). With
    ``kind``, every poll reads it as that kind. ``guild_id``: the server that watches it."""
    if len(url) > MAX_URL:
        raise UserError("that URL is too long")
    url = check_url_syntax(url, allow_private=app.settings.allow_private_feeds)
    try:
        seconds = parse_duration(interval) if interval else app.settings.poll_interval
    except ValueError as exc:
        raise BadInterval(str(exc)) from None
    feed = await app.store.add_feed(
        url,
        name=name,
        interval_seconds=seconds,
        announce_existing=backfill,
        now=app.clock(),
        pinned_kind=kind,
        guild_id=guild_id,
    )
    if feed is None:
        raise AlreadyWatched("that feed is watched already")
    result = await poll_feed(app, feed)
    if result.error or result.report is None:
        await app.store.remove_feed(feed.id)
        raise FeedNotAdded(result.error or "no content")
    await jobs_changed(app)
    return FeedAdded(feed, result.report, seconds)


async def find_feed(app: App, ref: str, *, guild_id: int | None = None) -> Feed:
    """A feed by number, URL or name; with ``guild_id`` only that server's own feeds."""
    feed = await app.store.find_feed(ref, guild_id=guild_id)
    if feed is None:
        where = "this server watches" if guild_id is not None else "there is"
        raise NotKnown(f"{where} no feed {ref[:80]!r}")
    return feed


async def list_feeds(app: App, *, guild_id: int | None = None) -> list[Feed]:
    return await app.store.list_feeds(guild_id=guild_id)


async def remove_feed(app: App, feed: Feed) -> None:
    """Stop watching ``feed``; the summaries it brought stay."""
    await app.store.remove_feed(feed.id)
    await jobs_changed(app)


async def set_paused(app: App, feed: Feed, paused: bool) -> None:
    """Pause, or resume (which also lifts a disabling and polls at once)."""
    await app.store.set_feed_paused(feed.id, paused, now=app.clock())
    await jobs_changed(app)


async def jobs_changed(app: App) -> None:
    """The feeds table changed: the scheduler of this process (if it leads) follows now; a
    leader elsewhere re-reads the table within ``schedule.reconcile_interval``."""
    scheduler = app.runtime.scheduler
    if scheduler is not None:
        await scheduler.refresh()
