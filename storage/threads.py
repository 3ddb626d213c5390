"""Each paper's Discord home: the forum post (a thread) of a paper in a forum channel
(``papers.ports.ThreadHomes``), and the posts a guild has for a paper (``!summary``'s link)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from storage.sql import Repository, upsert_insert
from storage.tables import discord_threads


class ThreadRepository(Repository):
    """The ``discord_threads`` table: one row per (forum channel, paper)."""

    async def thread_home(self, channel_id: int, paper_key: str) -> int | None:
        async with self.engine.connect() as conn:
            found = await conn.execute(
                select(discord_threads.c.thread_id).where(
                    discord_threads.c.channel_id == channel_id,
                    discord_threads.c.paper_key == paper_key,
                )
            )
            value = found.scalar()
        return int(value) if value is not None else None

    async def set_thread_home(
        self,
        channel_id: int,
        paper_key: str,
        thread_id: int,
        *,
        guild_id: int | None,
        now: datetime,
    ) -> None:
        """Record (or replace: the old post was locked or deleted) the paper's post."""
        row = {
            "channel_id": channel_id,
            "paper_key": paper_key,
            "guild_id": guild_id,
            "thread_id": thread_id,
            "created_at": now,
        }
        async with self.engine.begin() as conn:
            statement = upsert_insert(conn, discord_threads).values(**row)
            await conn.execute(
                statement.on_conflict_do_update(
                    index_elements=["channel_id", "paper_key"],
                    set_={"thread_id": thread_id, "guild_id": guild_id, "created_at": now},
                )
            )

    async def forget_thread_home(self, channel_id: int, paper_key: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                delete(discord_threads).where(
                    discord_threads.c.channel_id == channel_id,
                    discord_threads.c.paper_key == paper_key,
                )
            )

    async def paper_threads(self, paper_key: str, guild_id: int) -> list[int]:
        """The forum posts of ``paper_key`` in ``guild_id``, oldest first."""
        async with self.engine.connect() as conn:
            found = await conn.execute(
                select(discord_threads.c.thread_id)
                .where(
                    discord_threads.c.paper_key == paper_key,
                    discord_threads.c.guild_id == guild_id,
                )
                .order_by(discord_threads.c.created_at)
            )
            return [int(v) for v in found.scalars()]
