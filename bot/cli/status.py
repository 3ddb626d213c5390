"""``shortbot status [--json]``: feeds, destinations and the database at a glance.

The output is a list of sections (``SECTIONS``), each built from the application and printed
as text or as one top-level key of the JSON object: add a section by appending a ``Section``
(its ``key`` becomes the JSON key, ``build`` returns JSON-able data, ``text`` the lines).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.app import App
from bot.cli.base import EXIT_OK, command
from bot.cli.feeds import feed_json
from bot.delivery import at_least_once
from bot.schedules import rows_of
from storage import stats
from storage.db import describe_url


def register(sub: Any) -> None:
    stat = command(
        sub,
        "status",
        _status,
        help="feeds, destinations and the database at a glance",
        description="Each feed (last poll and result, failures, next poll, paused or "
        "disabled), each destination (last post, pending items, disabled reason) and the "
        "database size. Exit 0.",
    )
    stat.add_argument(
        "--json", action="store_true", help='one object: "feeds", "destinations", "database"'
    )


@dataclass(frozen=True)
class Section:
    key: str  # the JSON key
    title: str
    build: Callable[[App], Awaitable[Any]]
    text: Callable[[Any], list[str]]


def _when(value: str | None) -> str:
    if not value:
        return "-"
    return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M UTC")


async def feeds_section(app: App) -> list[dict[str, Any]]:
    return [feed_json(feed) for feed in await app.store.list_feeds()]


def feeds_text(feeds: list[dict[str, Any]]) -> list[str]:
    if not feeds:
        return ["  no feeds are watched"]
    lines = []
    for feed in feeds:
        status = feed["status"]
        if feed["disabled_reason"]:
            status += f": {feed['disabled_reason']}"
        lines.append(f"  {feed['id']:>3}  {feed['name'] or feed['url']} ({feed['kind']}) {status}")
        lines.append(
            f"       last poll {_when(feed['last_poll'])}: {feed['last_result'] or 'never polled'}"
            f"; failures {feed['failures']}; next poll {_when(feed['next_poll'])}"
        )
    return lines


async def destinations_section(app: App) -> list[dict[str, Any]]:
    configured = {d.name for d in app.settings.all_destinations()}
    counts = await stats.pending_by_destination(app.store.engine)
    out = []
    for state in await app.ledger.list_destinations():
        by_status = counts.get(state.name, {})
        out.append(
            {
                "name": state.name,
                "platform": state.platform,
                "status": "disabled" if state.disabled_reason else "active",
                "disabled_reason": state.disabled_reason,
                # why a crash can repeat a post there (None: exactly once)
                "at_least_once": state.at_least_once,
                "last_post": state.last_post_at.isoformat() if state.last_post_at else None,
                "pending": by_status.get("pending", 0),
                "failed": by_status.get("failed", 0),
                "configured": state.name in configured or state.name.startswith("discord:"),
            }
        )
    return out


def destinations_text(destinations: list[dict[str, Any]]) -> list[str]:
    if not destinations:
        return ["  no destinations"]
    lines = []
    for d in destinations:
        status = f"disabled: {d['disabled_reason']}" if d["disabled_reason"] else "active"
        if not d["configured"]:
            status += " (no longer configured)"
        lines.append(
            f"  {d['name']} ({d['platform']}): {status}; last post {_when(d['last_post'])}; "
            f"{d['pending']} pending, {d['failed']} failed"
        )
        if d["at_least_once"]:
            lines.append(f"    {at_least_once(d['at_least_once'])}")
    return lines


async def schedules_section(app: App) -> list[dict[str, Any]]:
    return [row.as_json() for row in await rows_of(app)]


def schedules_text(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return ["  no destinations"]
    return [f"  {r['destination']}: {r['schedule']}; next run {_when(r['next_run'])}" for r in rows]


async def database_section(app: App) -> dict[str, Any]:
    size = await stats.database_size(app.store.engine)
    return {
        "url": describe_url(app.settings.database),
        "backend": size.backend,
        "size_bytes": size.size_bytes,
        "files": size.files,
    }


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def database_text(database: dict[str, Any]) -> list[str]:
    size = database["size_bytes"]
    line = f"  {database['url']} ({database['backend']}): "
    line += "size unknown" if size is None else human_size(size)
    files = database["files"]
    if len(files) > 1:
        line += " (" + " + ".join(f"{name} {human_size(n)}" for name, n in files.items()) + ")"
    return [line]


SECTIONS: list[Section] = [
    Section("feeds", "Feeds", feeds_section, feeds_text),
    Section("destinations", "Destinations", destinations_section, destinations_text),
    Section("schedules", "Schedules", schedules_section, schedules_text),
    Section("database", "Database", database_section, database_text),
]


async def _status(app: App, args: argparse.Namespace) -> int:
    return await status(app, as_json=args.json)


async def status(app: App, *, as_json: bool, sections: list[Section] | None = None) -> int:
    built = [(section, await section.build(app)) for section in sections or SECTIONS]
    if as_json:
        print(json.dumps({s.key: data for s, data in built}, indent=2, ensure_ascii=False))
        return EXIT_OK
    for i, (section, data) in enumerate(built):
        if i:
            print()
        print(section.title)
        for line in section.text(data):
            print(line)
    return EXIT_OK
