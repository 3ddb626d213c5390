"""``shortbot schedule show | set | pause | resume | clear``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot import schedules
from bot.app import App
from bot.cli.base import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from papers.schedule import BadSchedule


def register(sub: Any) -> None:
    sched = sub.add_parser(
        "schedule",
        help="when each destination's digest goes out",
        description="Digest schedules. `schedule show` lists every destination with its "
        "schedule and next run; `schedule set NAME WHEN [TZ]` (WHEN: 'daily 09:00', "
        "'weekdays 18:30', 'weekly mon 09:00', 'hourly' or a cron expression 'MIN HOUR DAY "
        "MONTH WEEKDAY'; TZ: e.g. Europe/Berlin, default schedule.timezone); `schedule pause "
        "NAME`, `schedule resume NAME`, `schedule clear NAME` (back to a digest after each "
        "poll). A running `shortbot run` applies changes within schedule.reconcile_interval. "
        "Exit 0 done, 1 no such destination or schedule, 2 invalid schedule (nothing saved).",
    )
    sched.set_defaults(handler=_schedule, opens="app")
    actions = sched.add_subparsers(dest="schedule_command", metavar="ACTION", required=True)
    show = actions.add_parser("show", help="every destination's schedule and next run")
    show.add_argument("--json", action="store_true", help="print a JSON array")
    set_cmd = actions.add_parser("set", help="set a destination's schedule")
    set_cmd.add_argument("destination", metavar="NAME")
    set_cmd.add_argument("when", nargs="+", metavar="WHEN", help="e.g. daily 09:00 Europe/Berlin")
    for action, text in (
        ("pause", "stop a destination's scheduled digests for now"),
        ("resume", "resume a paused schedule"),
        ("clear", "remove a schedule: the digest goes out after each poll again"),
    ):
        cmd = actions.add_parser(action, help=text)
        cmd.add_argument("destination", metavar="NAME")


def _when(row: schedules.ScheduleRow) -> str:
    return row.next_run.strftime("%Y-%m-%d %H:%M UTC") if row.next_run else "-"


async def _schedule(app: App, args: argparse.Namespace) -> int:
    action = args.schedule_command
    if action == "show":
        rows = await schedules.rows_of(app)
        if args.json:
            print(json.dumps([r.as_json() for r in rows], indent=2))
            return EXIT_OK
        if not rows:
            print("No destinations.")
        for r in rows:
            print(f"{r.destination} ({r.platform}): {r.describe}; next run {_when(r)}")
        return EXIT_OK
    name = args.destination
    try:
        if action == "set":
            row = await schedules.set_schedule(app, name, " ".join(args.when), by="cli")
        elif action in ("pause", "resume"):
            row = await schedules.set_paused(app, name, action == "pause", by="cli")
        else:
            if not await schedules.remove(app, name):
                print(f"shortbot: {name} has no schedule", file=sys.stderr)
                return EXIT_FAILED
            print(f"{name}: {schedules.AFTER_EACH_POLL}")
            return EXIT_OK
    except BadSchedule as exc:
        print(f"shortbot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except LookupError as exc:
        print(f"shortbot: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{row.destination}: {row.describe}; next run {_when(row)}")
    return EXIT_OK
