"""Subscriptions: what a Discord channel's digest carries (arXiv categories, keywords, authors,
excluded categories and keywords, a minimum vote count, replaced papers) and whether it is a
top digest (its window), added, removed and listed per guild and channel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, select

from papers.model import Subscription, SubscriptionKind
from storage.sql import Repository, insert_ignore
from storage.tables import subscriptions


class SubscriptionRepository(Repository):
    """The ``subscriptions`` table: one row per (channel, kind, value)."""

    async def subscribe(
        self,
        *,
        guild_id: int,
        channel_id: int,
        kind: SubscriptionKind,
        value: str,
        by: int | None,
        now: datetime,
    ) -> bool:
        """Add what ``channel_id``'s digest carries; False when it carries it already.

        A channel has one minimum vote count, and one top window: a new one replaces the old.
        """
        async with self.engine.begin() as conn:
            if kind in (SubscriptionKind.MIN_VOTES, SubscriptionKind.TOP):
                await conn.execute(
                    subscriptions.delete().where(
                        subscriptions.c.channel_id == channel_id,
                        subscriptions.c.kind == kind.value,
                    )
                )
            return await insert_ignore(
                conn,
                subscriptions,
                {
                    "guild_id": guild_id,
                    "channel_id": channel_id,
                    "kind": kind.value,
                    "value": value,
                    "created_by": by,
                    "created_at": now,
                },
            )

    async def unsubscribe(
        self, *, guild_id: int, channel_id: int, kind: SubscriptionKind | None, value: str | None
    ) -> int:
        """Remove matching subscriptions of a channel of ``guild_id``. Returns how many."""
        condition = and_(
            subscriptions.c.guild_id == guild_id, subscriptions.c.channel_id == channel_id
        )
        if kind is not None:
            condition = and_(condition, subscriptions.c.kind == kind.value)
        if value is not None:
            condition = and_(condition, subscriptions.c.value == value)
        async with self.engine.begin() as conn:
            result = await conn.execute(subscriptions.delete().where(condition))
        return int(result.rowcount or 0)

    async def list_subscriptions(
        self, *, guild_id: int | None, channel_id: int | None = None
    ) -> list[Subscription]:
        """A guild's subscriptions (``guild_id`` None: every guild's, for the digest runner)."""
        query = select(subscriptions)
        if guild_id is not None:
            query = query.where(subscriptions.c.guild_id == guild_id)
        if channel_id is not None:
            query = query.where(subscriptions.c.channel_id == channel_id)
        query = query.order_by(
            subscriptions.c.channel_id, subscriptions.c.kind, subscriptions.c.value
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            Subscription(r.id, r.guild_id, r.channel_id, SubscriptionKind(r.kind), r.value)
            for r in rows
        ]
