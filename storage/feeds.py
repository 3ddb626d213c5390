"""Watched feeds: adding (from the configuration, the CLI or Discord), finding and listing
them, pausing and resuming, and each poll's bookkeeping (validators, result, failures, next
poll)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, or_, select, update

from papers.model import Feed, FeedKind
from storage.sql import Repository, insert_ignore
from storage.tables import feeds


def _feed(row: Row[Any]) -> Feed:
    m = row._mapping
    return Feed(
        id=m["id"],
        url=m["url"],
        name=m["name"],
        kind=FeedKind(m["kind"]),
        interval_seconds=m["interval_seconds"],
        announce_existing=m["announce_existing"],
        seeded=m["seeded"],
        paused=m["paused"],
        etag=m["etag"],
        last_modified=m["last_modified"],
        last_poll=m["last_poll"],
        last_result=m["last_result"],
        failures=m["failures"],
        disabled_reason=m["disabled_reason"],
        content_hash=m["content_hash"],
        next_poll=m["next_poll"],
        guild_id=m["guild_id"],
        pinned_kind=FeedKind(m["pinned_kind"]) if m["pinned_kind"] else None,
        last_skipped=dict(m["last_skipped"] or {}),
    )


def _new_feed(
    url: str, name: str | None, interval_seconds: int, announce_existing: bool, now: datetime
) -> dict[str, Any]:
    """The ``feeds`` row of a feed never polled yet (its kind still unknown)."""
    return {
        "url": url,
        "name": name,
        "kind": FeedKind.UNKNOWN.value,
        "interval_seconds": interval_seconds,
        "announce_existing": announce_existing,
        "seeded": False,
        "paused": False,
        "failures": 0,
        "created_at": now,
    }


class FeedRepository(Repository):
    """The ``feeds`` table: one row per watched URL."""

    async def ensure_feed(
        self,
        url: str,
        *,
        name: str | None,
        interval_seconds: int,
        announce_existing: bool,
        now: datetime,
        pinned_kind: FeedKind | None = None,
    ) -> Feed:
        """The feed row for ``url``, created if missing; name, interval and a pinned kind
        follow the config."""
        pinned = pinned_kind.value if pinned_kind else None
        async with self.engine.begin() as conn:
            new = _new_feed(url, name, interval_seconds, announce_existing, now)
            inserted = await insert_ignore(conn, feeds, {**new, "pinned_kind": pinned})
            if not inserted:
                await conn.execute(
                    update(feeds)
                    .where(feeds.c.url == url)
                    .values(
                        name=name,
                        interval_seconds=interval_seconds,
                        announce_existing=announce_existing,
                        pinned_kind=pinned,
                    )
                )
            row = (await conn.execute(select(feeds).where(feeds.c.url == url))).one()
        return _feed(row)

    async def add_feed(
        self,
        url: str,
        *,
        name: str | None,
        interval_seconds: int,
        announce_existing: bool,
        now: datetime,
        guild_id: int | None = None,
        pinned_kind: FeedKind | None = None,
    ) -> Feed | None:
        """Watch a new feed (owned by ``guild_id`` when added from Discord; read as
        ``pinned_kind`` at every poll when given); None when ``url`` is watched already."""
        async with self.engine.begin() as conn:
            new = {
                **_new_feed(url, name, interval_seconds, announce_existing, now),
                "next_poll": now,
                "guild_id": guild_id,
                "pinned_kind": pinned_kind.value if pinned_kind else None,
            }
            inserted = await insert_ignore(conn, feeds, new)
            if not inserted:
                return None
            row = (await conn.execute(select(feeds).where(feeds.c.url == url))).one()
        return _feed(row)

    async def find_feed(self, ref: str, *, guild_id: int | None = None) -> Feed | None:
        """A feed by its number (as ``feeds list`` shows it), URL or name.

        With ``guild_id``, only that guild's own feeds are found: another guild's are unseen.
        """
        condition: Any = or_(feeds.c.url == ref, feeds.c.name == ref)
        if ref.isdigit() and len(ref) < 12:
            condition = or_(condition, feeds.c.id == int(ref))
        if guild_id is not None:
            condition = and_(condition, feeds.c.guild_id == guild_id)
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(feeds).where(condition).limit(1))).first()
        return _feed(row) if row else None

    async def remove_feed(self, feed_id: int) -> bool:
        """Stop watching a feed. Summaries it brought stay."""
        async with self.engine.begin() as conn:
            result = await conn.execute(feeds.delete().where(feeds.c.id == feed_id))
        return bool(result.rowcount)

    async def set_feed_paused(self, feed_id: int, paused: bool, *, now: datetime) -> None:
        """Pause, or resume: resuming also lifts a disabling and polls at once."""
        values: dict[str, Any] = {"paused": paused}
        if not paused:
            values.update(disabled_reason=None, failures=0, next_poll=now)
        await self.record_poll(feed_id, **values)

    async def get_feed(self, feed_id: int) -> Feed | None:
        """One feed by its id (a poll job reads its own feed, not the whole table)."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(feeds).where(feeds.c.id == feed_id))).first()
        return _feed(row) if row else None

    async def list_feeds(self, *, guild_id: int | None = None) -> list[Feed]:
        """Every feed, or with ``guild_id`` only those that guild added."""
        query = select(feeds).order_by(feeds.c.id)
        if guild_id is not None:
            query = query.where(feeds.c.guild_id == guild_id)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_feed(r) for r in rows]

    async def record_poll(self, feed_id: int, **values: Any) -> None:
        """Store the outcome of one poll (validators, result, failures, kind, next poll,
        skipped entries per reason)."""
        if "kind" in values and isinstance(values["kind"], FeedKind):
            values["kind"] = values["kind"].value
        if "last_skipped" in values:
            values["last_skipped"] = {str(k): int(n) for k, n in values["last_skipped"].items()}
        async with self.engine.begin() as conn:
            await conn.execute(update(feeds).where(feeds.c.id == feed_id).values(**values))
