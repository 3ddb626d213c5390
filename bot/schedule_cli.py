"""``shortbot schedule show | set | pause | resume | clear``."""

from __future__ import annotations

import argparse
import json
import sys

from bot import schedules
from bot.app import App
from papers.schedule import BadSchedule

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _when(row: schedules.ScheduleRow) -> str:
    return row.next_run.strftime("%Y-%m-%d %H:%M UTC") if row.next_run else "-"


async def schedule_command(app: App, args: argparse.Namespace) -> int:
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
