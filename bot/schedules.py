"""Digest schedules as maintainers manage them: ``shortbot schedule …`` and the Discord
``schedule`` commands share these functions (parse, store, tell the running scheduler).

A schedule is validated whole (the text, the time zone, and APScheduler building a trigger
from it) before anything is written: an invalid one changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.app import App
from bot.scheduler import next_fire, trigger_for
from papers.errors import NotKnown
from papers.schedule import BadSchedule, Schedule, When, parse_when

AFTER_EACH_POLL = "after each poll (no schedule)"


class UnknownDestination(NotKnown):
    """No destination of that name; the message lists what there is."""


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    destination: str
    platform: str
    schedule: Schedule | None
    next_run: datetime | None

    @property
    def describe(self) -> str:
        if self.schedule is None:
            return AFTER_EACH_POLL
        text = self.schedule.when.describe()
        return text + (" (paused)" if self.schedule.paused else "")

    def as_json(self) -> dict[str, object]:
        s = self.schedule
        return {
            "destination": self.destination,
            "platform": self.platform,
            "cron": s.when.cron if s else None,
            "timezone": s.when.timezone if s else None,
            "paused": s.paused if s else False,
            "schedule": self.describe,
            "next_run": self.next_run.isoformat() if self.next_run else None,
            "last_run": s.last_run_at.isoformat() if s and s.last_run_at else None,
        }


def parse(text: str, timezone: str | None, app: App) -> When:
    """``text`` (and ``timezone``) as a schedule APScheduler accepts, or BadSchedule."""
    when = parse_when(text, timezone, default_zone=app.settings.schedule.timezone)
    trigger_for(when)
    return when


async def known_destinations(app: App) -> dict[str, str]:
    """Every destination name and its platform: configured ones and subscribed channels."""
    names: dict[str, str] = {d.name: str(d.platform) for d in app.settings.all_destinations()}
    for state in await app.ledger.list_destinations():
        names.setdefault(state.name, state.platform)
    return names


async def _check(app: App, destination: str) -> None:
    known = await known_destinations(app)
    if destination not in known:
        listed = ", ".join(sorted(known)) or "none yet"
        raise UnknownDestination(f"no destination {destination!r} (there are: {listed})")


async def set_schedule(
    app: App, destination: str, text: str, *, timezone: str | None = None, by: str | None
) -> ScheduleRow:
    """Validate, store, apply. Raises BadSchedule or UnknownDestination (nothing written)."""
    await _check(app, destination)
    when = parse(text, timezone, app)
    await app.schedules.set(destination, when, by=by, now=app.clock())
    await _apply(app)
    return await row(app, destination)


async def set_paused(app: App, destination: str, paused: bool, *, by: str | None) -> ScheduleRow:
    """Pause or resume a destination's schedule; UnknownDestination, or NotKnown when it has
    none."""
    await _check(app, destination)
    store = app.schedules
    if not await store.set_paused(destination, paused, by=by, now=app.clock()):
        raise NotKnown(
            f"{destination} has no schedule (its digest goes {AFTER_EACH_POLL.split(' (')[0]}): "
            "set one first"
        )
    await _apply(app)
    return await row(app, destination)


async def remove(app: App, destination: str) -> bool:
    removed = await app.schedules.remove(destination)
    await _apply(app)
    return removed


async def _apply(app: App) -> None:
    """The running scheduler of this process (if it leads) takes the change at once; a
    leader elsewhere re-reads the table within ``schedule.reconcile_interval``."""
    if app.runtime.scheduler is not None:
        await app.runtime.scheduler.refresh()


async def row(app: App, destination: str) -> ScheduleRow:
    rows = await rows_of(app, only=destination)
    return rows[0]


async def rows_of(app: App, *, only: str | None = None) -> list[ScheduleRow]:
    known = await known_destinations(app)
    stored = {s.destination: s for s in await app.schedules.list()}
    now = app.clock()
    out = []
    for name in sorted(set(known) | set(stored)):
        if only is not None and name != only:
            continue
        schedule = stored.get(name)
        next_run = None
        if schedule is not None and not schedule.paused:
            running = (
                app.runtime.scheduler.next_run(f"digest:{name}") if app.runtime.scheduler else None
            )
            try:
                next_run = running or next_fire(schedule.when, now)
            except BadSchedule:
                next_run = None
        out.append(ScheduleRow(name, known.get(name, "?"), schedule, next_run))
    return out
