"""What the long-running parts of one process tell each other while it runs.

``App`` is built once and never changed; this is the one mutable part it carries, on purpose
and in one place: the Discord runner and the scheduler plug in what ``/healthz`` asks, and the
leading process's scheduler is reachable by commands that change schedules or feeds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class SchedulerHandle(Protocol):
    """What commands may ask of the running scheduler (``bot.scheduler``)."""

    async def refresh(self) -> None:
        """Re-read the schedules and feeds tables into the job list now."""

    def next_run(self, job_id: str) -> datetime | None: ...


@dataclass
class Runtime:
    """Each callable is asked at every ``/healthz`` request; ``None``: that part is not
    running in this process (no check)."""

    # True while the Discord gateway is connected and ready (set by the Discord runner).
    discord_ready: Callable[[], bool] | None = None
    # True while the scheduler runs its jobs (set by the service loop).
    scheduler_running: Callable[[], bool] | None = None
    # When the process started serving; staleness of polls counts from here at first.
    started_at: datetime | None = None
    # The scheduler of the process that leads (runs the scheduled jobs); None elsewhere.
    scheduler: SchedulerHandle | None = None
