"""The delivery ledger: destinations, posts and per-item rows (storage side).

A post's intent (its payload and its items, ``pending``) is committed before the request; the
platform's answer moves it to ``sent`` or ``failed``. The unique (destination, item) constraint
makes a second send of an item impossible at the database level.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from papers.ledger import (
    DeliveryRow,
    DestinationState,
    Intent,
    ItemAlreadyInLedger,
    PendingPost,
)
from papers.publishing import Post, Sent
from storage.sql import insert_ignore
from storage.tables import deliveries, destinations, posts


class Ledger:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    # -- destinations ---------------------------------------------------------------------

    async def ensure_destination(self, name: str, platform: str, now: datetime) -> DestinationState:
        async with self.engine.begin() as conn:
            await insert_ignore(
                conn, destinations, {"name": name, "platform": platform, "created_at": now}
            )
            row = (
                await conn.execute(select(destinations).where(destinations.c.name == name))
            ).one()
        return _state(row)

    async def destination(self, name: str) -> DestinationState | None:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(select(destinations).where(destinations.c.name == name))
            ).first()
        return _state(row) if row else None

    async def list_destinations(self) -> list[DestinationState]:
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(destinations).order_by(destinations.c.name))).all()
        return [_state(r) for r in rows]

    async def set_at_least_once(self, name: str, reason: str | None) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                update(destinations).where(destinations.c.name == name).values(at_least_once=reason)
            )

    async def set_disabled(self, name: str, reason: str | None) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                update(destinations)
                .where(destinations.c.name == name)
                .values(disabled_reason=reason)
            )

    # -- posts ----------------------------------------------------------------------------

    async def record_intent(
        self, destination: str, post: Post, *, seq: int, reply_to_key: str | None, now: datetime
    ) -> None:
        """Commit that ``post`` is about to be sent, with every item it carries, as pending.

        Raises ItemAlreadyInLedger (and records nothing) when an item is in the ledger already.
        """
        errors = await self.record_intents(destination, [Intent(post, seq, reply_to_key)], now)
        if errors:
            raise ItemAlreadyInLedger(errors[0])

    async def record_intents(
        self, destination: str, intents: Sequence[Intent], now: datetime
    ) -> list[str]:
        """Commit a whole digest's posts as pending, in one transaction. A post with an item
        already in the ledger is left out (and said so in the returned errors)."""
        errors: list[str] = []
        async with self.engine.begin() as conn:
            for intent in intents:
                post = intent.post
                if post.items:
                    known = await conn.execute(
                        select(deliveries.c.item_key).where(
                            deliveries.c.destination == destination,
                            deliveries.c.item_key.in_(list(post.items)),
                        )
                    )
                    found = known.scalars().first()
                    if found is not None:
                        errors.append(f"{found} is in the ledger of {destination} already")
                        continue
                await insert_ignore(
                    conn,
                    posts,
                    {
                        "destination": destination,
                        "key": post.key,
                        "seq": intent.seq,
                        "payload": post.payload,
                        "reply_to_key": intent.reply_to_key,
                        "status": "pending",
                        "attempts": 0,
                        "created_at": now,
                    },
                )
                for item in post.items:
                    await insert_ignore(
                        conn,
                        deliveries,
                        {
                            "destination": destination,
                            "item_key": item,
                            "status": "pending",
                            "post_key": post.key,
                            "created_at": now,
                        },
                    )
        return errors

    async def mark_sent(self, destination: str, key: str, sent: Sent, now: datetime) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                update(posts)
                .where(posts.c.destination == destination, posts.c.key == key)
                .values(status="sent", post_id=sent.post_id, url=sent.url, sent_at=now, error=None)
            )
            await conn.execute(
                update(deliveries)
                .where(deliveries.c.destination == destination, deliveries.c.post_key == key)
                .values(status="sent", post_id=sent.post_id, sent_at=now, error=None)
            )
            await conn.execute(
                update(destinations)
                .where(destinations.c.name == destination)
                .values(last_post_at=now)
            )

    async def mark_failed(self, destination: str, key: str, reason: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                update(posts)
                .where(posts.c.destination == destination, posts.c.key == key)
                .values(status="failed", error=reason)
            )
            await conn.execute(
                update(deliveries)
                .where(deliveries.c.destination == destination, deliveries.c.post_key == key)
                .values(status="failed", error=reason)
            )

    async def start_attempt(self, destination: str, key: str, now: datetime) -> None:
        """Commit that a send of ``key`` is starting: after a crash, the platform may have it."""
        async with self.engine.begin() as conn:
            await conn.execute(
                update(posts)
                .where(posts.c.destination == destination, posts.c.key == key)
                .values(attempts=posts.c.attempts + 1, attempted_at=now)
            )

    async def note_attempt(self, destination: str, key: str, error: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                update(posts)
                .where(posts.c.destination == destination, posts.c.key == key)
                .values(error=error)
            )
            await conn.execute(
                update(deliveries)
                .where(deliveries.c.destination == destination, deliveries.c.post_key == key)
                .values(error=error)
            )

    async def pending_posts(self, destination: str) -> list[PendingPost]:
        """Posts whose intent was recorded but whose outcome was not, oldest first."""
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(posts)
                    .where(posts.c.destination == destination, posts.c.status == "pending")
                    .order_by(posts.c.id)
                )
            ).all()
            out = []
            for row in rows:
                items = (
                    (
                        await conn.execute(
                            select(deliveries.c.item_key)
                            .where(
                                deliveries.c.destination == destination,
                                deliveries.c.post_key == row.key,
                            )
                            .order_by(deliveries.c.id)
                        )
                    )
                    .scalars()
                    .all()
                )
                reply_to = None
                if row.reply_to_key:
                    parent = (
                        await conn.execute(
                            select(posts.c.post_id, posts.c.url).where(
                                posts.c.destination == destination,
                                posts.c.key == row.reply_to_key,
                                posts.c.status == "sent",
                            )
                        )
                    ).first()
                    reply_to = Sent(parent.post_id, parent.url) if parent else None
                out.append(
                    PendingPost(
                        post=Post(row.key, tuple(items), dict(row.payload)),
                        reply_to=reply_to,
                        attempts=row.attempts,
                        reply_to_key=row.reply_to_key,
                        attempted_at=row.attempted_at,
                    )
                )
        return out

    async def posts_sent_since(self, destination: str, since: datetime) -> int:
        query = select(func.count()).where(
            posts.c.destination == destination,
            posts.c.status == "sent",
            posts.c.sent_at >= since,
        )
        async with self.engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def skip_items(
        self, destination: str, items: Sequence[str], *, reason: str, now: datetime
    ) -> int:
        added = 0
        async with self.engine.begin() as conn:
            for item in items:
                added += await insert_ignore(
                    conn,
                    deliveries,
                    {
                        "destination": destination,
                        "item_key": item,
                        "status": "skipped",
                        "error": reason,
                        "created_at": now,
                    },
                )
        return added

    # -- the ledger for people ------------------------------------------------------------

    async def rows(
        self,
        *,
        destination: str | None = None,
        status: str | None = None,
        limit: int | None = 200,
        before: int | None = None,
    ) -> list[DeliveryRow]:
        """Rows newest first: at most ``limit`` (None: all), only ids below ``before``."""
        query = select(deliveries).order_by(deliveries.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        conditions: list[Any] = []
        if before is not None:
            conditions.append(deliveries.c.id < before)
        if destination:
            conditions.append(deliveries.c.destination == destination)
        if status:
            conditions.append(deliveries.c.status == status)
        if conditions:
            query = query.where(and_(*conditions))
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            DeliveryRow(
                id=r.id,
                destination=r.destination,
                item=r.item_key,
                status=r.status,
                post_id=r.post_id,
                error=r.error,
                created_at=r.created_at,
                sent_at=r.sent_at,
            )
            for r in rows
        ]

    async def retry(self, delivery_id: int) -> DeliveryRow | None:
        """Put a failed item back in the queue: its row goes, so the next digest carries it."""
        async with self.engine.begin() as conn:
            row = (
                await conn.execute(select(deliveries).where(deliveries.c.id == delivery_id))
            ).first()
            if row is None or row.status != "failed":
                return None
            await conn.execute(delete(deliveries).where(deliveries.c.id == delivery_id))
        return DeliveryRow(
            id=row.id,
            destination=row.destination,
            item=row.item_key,
            status="requeued",
            post_id=None,
            error=row.error,
            created_at=row.created_at,
            sent_at=None,
        )


def _state(row: Any) -> DestinationState:
    return DestinationState(
        name=row.name,
        platform=row.platform,
        disabled_reason=row.disabled_reason,
        created_at=row.created_at,
        last_post_at=row.last_post_at,
        at_least_once=row.at_least_once,
    )
