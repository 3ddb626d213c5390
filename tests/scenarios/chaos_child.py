"""The process the chaos tests kill: one ``deliver_all`` run (what ``shortbot digest`` and the
scheduler's digest job do) against the fakes of ``tests/scenarios/test_chaos.py``.

    python -m tests.scenarios.chaos_child shortbot.toml X.json

``shortbot.toml`` is an ordinary configuration (the database, the fake Discord's and Graph
API's URLs, the destinations); X.json the fake X's port, host names and certificate. The
secrets come from the environment, as in production
(``SHORTBOT_DISCORD__TOKEN``, ``SHORTBOT_FACEBOOK__PAGE_TOKEN``, ``SHORTBOT_X__…``). The one
difference from production: tweepy hard-codes ``api.twitter.com``, so the X publisher is
given a session whose resolver sends that name to the fake and trusts only its certificate
(``tests.fakex.client``); no library code is patched.

Exit status: 0 when every destination has nothing pending, 1 when something is left for a
later run (an outage), 2 on an unexpected error (its traceback on stderr).
"""

from __future__ import annotations

import asyncio
import json
import ssl
import sys
from pathlib import Path
from typing import Any

import aiohttp

import bot.platforms.x
import publishers.x
from bot.app import open_app
from bot.delivery import deliver_all
from bot.settings import load_settings
from tests.fakex.client import PinnedResolver


def pinned_x_publisher(port: int, hosts: list[str], cafile: str) -> type[publishers.x.XPublisher]:
    class PinnedXPublisher(publishers.x.XPublisher):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            resolver = PinnedResolver(dict.fromkeys(hosts, port))
            context = ssl.create_default_context(cafile=cafile)
            connector = aiohttp.TCPConnector(resolver=resolver, ssl=context)
            kwargs["session"] = aiohttp.ClientSession(connector=connector)
            super().__init__(*args, **kwargs)
            self._owns_session = True  # closed with the publisher, as its own would be

    return PinnedXPublisher


async def main(config_file: str, x: dict[str, Any]) -> int:
    # the X platform's factory builds this class: X's hosts pinned to the fake X
    bot.platforms.x.XPublisher = pinned_x_publisher(x["port"], x["hosts"], x["cafile"])  # type: ignore[misc]
    settings = load_settings(config_file)
    async with open_app(settings) as app:
        problems: list[str] = []
        reports = await deliver_all(app, problems=problems)
    left = sum(r.pending for r in reports)
    print(json.dumps({"sent": sum(r.sent for r in reports), "pending": left, "problems": problems}))
    every = len(reports) == len(settings.all_destinations())
    return 0 if left == 0 and not problems and every else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], json.loads(Path(sys.argv[2]).read_text()))))
