"""Digest schedules (storage side): one row per destination, the scheduler's source of truth."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from papers.schedule import Schedule, When
from storage.tables import schedules


def _schedule(row: Row[Any]) -> Schedule:
    m = row._mapping
    return Schedule(
        destination=m["destination"],
        when=When(m["cron"], m["timezone"]),
        paused=m["paused"],
        updated_at=m["updated_at"],
        updated_by=m["updated_by"],
        last_run_at=m["last_run_at"],
    )


class ScheduleStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def get(self, destination: str) -> Schedule | None:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(select(schedules).where(schedules.c.destination == destination))
            ).first()
        return _schedule(row) if row else None

    async def list(self) -> list[Schedule]:
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(schedules).order_by(schedules.c.destination))).all()
        return [_schedule(r) for r in rows]

    async def set(self, destination: str, when: When, *, by: str | None, now: datetime) -> None:
        """Create or replace the schedule of ``destination`` (paused stays as it was)."""
        values = {
            "cron": when.cron,
            "timezone": when.timezone,
            "updated_at": now,
            "updated_by": by,
        }
        async with self.engine.begin() as conn:
            changed = await conn.execute(
                update(schedules).where(schedules.c.destination == destination).values(**values)
            )
            if not changed.rowcount:
                await conn.execute(
                    insert(schedules).values(destination=destination, paused=False, **values)
                )

    async def set_paused(
        self, destination: str, paused: bool, *, by: str | None, now: datetime
    ) -> bool:
        """False when ``destination`` has no schedule."""
        async with self.engine.begin() as conn:
            changed = await conn.execute(
                update(schedules)
                .where(schedules.c.destination == destination)
                .values(paused=paused, updated_at=now, updated_by=by)
            )
        return bool(changed.rowcount)

    async def mark_run(self, destination: str, at: datetime) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                update(schedules)
                .where(schedules.c.destination == destination)
                .values(last_run_at=at)
            )

    async def remove(self, destination: str) -> bool:
        async with self.engine.begin() as conn:
            removed = await conn.execute(
                delete(schedules).where(schedules.c.destination == destination)
            )
        return bool(removed.rowcount)
