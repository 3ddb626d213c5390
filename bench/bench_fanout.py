"""Fan-out: one digest to 1,000 Discord channels, under Discord's global limit.

The fake Discord (tests/fakediscord, aiohttp, in this process and event loop) holds one guild
with 1,000 text channels and enforces the global limit of 50 requests a second
(``set_global_rate_limit(50)``: more in a second window get 429 with ``global: true``,
``Retry-After``, ``X-RateLimit-Global``). Every channel is subscribed to cs.LG (as maintainers
do with ``subscribe``: destinations ``discord:{channel id}``), five new cs.LG papers are
ingested, and ``bot.delivery.deliver_all`` (what ``shortbot digest`` and the scheduler run)
delivers: ledger, ``destination_lock``, the shared Discord login, the process's pace.

Baseline (same run): the same delivery to a fresh fake without the global limit and with the
pace lifted: what the ledger, the database and discord.py cost by themselves.

    uv run --no-sync python bench/bench_fanout.py [--channels 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
from collections import Counter
from datetime import timedelta
from typing import Any

from bench._common import arxiv_listing, command_of, fresh_dir, timed
from bench.report import record
from bot.app import open_app
from bot.delivery import deliver_all
from bot.settings import Settings
from papers.model import SubscriptionKind
from papers.usecases import ingest_parsed, utcnow
from publishers import discord as discord_publishers
from publishers.ratelimit import RateLimiter
from sources.parse import parse_feed
from storage.ledger import Ledger
from tests.fakediscord import FakeDiscord, Guild, discord_endpoints

TOKEN = "MTIzNDU2.bench-token-value"  # noqa: S105 - the fake Discord's
TARGET = 23.0
GLOBAL_LIMIT = 50


async def fan_out(channels: int, *, limited: bool, run: str) -> dict[str, Any]:
    guild = Guild("Bench Server")
    for n in range(channels):
        guild.add_channel(f"digest-{n}")
    targets = [c for c in guild.channels if c.name.startswith("digest-")]
    async with FakeDiscord(TOKEN, guilds=[guild], strict=False) as fake:
        if limited:
            fake.set_global_rate_limit(GLOBAL_LIMIT, per=1.0)
        folder = fresh_dir(f"fanout/{run}")
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{folder / 'shortbot.db'}",
            feeds=[],
            console=False,
            arxiv={"enabled": False},
            discord={"token": TOKEN, "api_base_url": fake.api_base_url},
        )
        with discord_endpoints(fake.api_base_url, fake.gateway_url):
            async with open_app(settings) as app:
                before = utcnow() - timedelta(minutes=5)
                ledger = Ledger(app.store.engine)
                for channel in targets:
                    await app.store.subscribe(
                        guild_id=guild.id,
                        channel_id=channel.id,
                        kind=SubscriptionKind.CATEGORY,
                        value="cs.LG",
                        by=None,
                        now=before,
                    )
                    await ledger.ensure_destination(f"discord:{channel.id}", "discord", before)
                parsed = parse_feed(arxiv_listing(5, seed=7), "https://rss.arxiv.org/rss/cs.LG")
                source = "https://rss.arxiv.org/rss/cs.LG"
                await ingest_parsed(app.store, parsed, source, announce=True, now=utcnow())
                fake.requests.clear()
                errors = io.StringIO()
                with timed() as t, contextlib.redirect_stderr(errors):
                    reports = await deliver_all(app)
        statuses = Counter(r.status for r in fake.requests)
        posts = fake.requests_to("POST", "/channels/*/messages")
        per_channel = Counter(p.path for p in posts if p.status == 200)
        return {
            "time": t,
            "sent": sum(r.sent for r in reports),
            "reports": len(reports),
            "requests": len(fake.requests),
            "statuses": dict(statuses),
            "global_429": sum(1 for r in fake.requests if r.fault == "global rate limit"),
            "posts_ok": sum(1 for p in posts if p.status == 200),
            "channels_posted": len(per_channel),
            "max_per_channel": max(per_channel.values(), default=0),
            "errors": errors.getvalue().strip(),
            "routes": Counter(f"{r.method} {r.route}" for r in fake.requests),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=1000)
    args = parser.parse_args()
    limiter = discord_publishers.GLOBAL_LIMITER

    paced = asyncio.run(fan_out(args.channels, limited=True, run="paced"))
    discord_publishers.GLOBAL_LIMITER = RateLimiter(1e9)  # the pace lifted, for the baseline
    try:
        free = asyncio.run(fan_out(args.channels, limited=False, run="unpaced"))
    finally:
        discord_publishers.GLOBAL_LIMITER = limiter

    t = paced["time"]
    bound = args.channels / GLOBAL_LIMIT
    print(f"channels: {args.channels}; fake Discord enforcing {GLOBAL_LIMIT} requests/s (global)")
    print(f"requests: {paced['requests']} {dict(paced['routes'])}; statuses {paced['statuses']}")
    print(
        f"messages: {paced['posts_ok']} to {paced['channels_posted']} channels "
        f"(at most {paced['max_per_channel']} per channel); items sent {paced['sent']}"
    )
    print(f"global 429s: {paced['global_429']}")
    if paced["errors"]:
        print(f"stderr: {paced['errors'][:500]}")
    print(
        f"fan-out: {t.wall:.2f} s wall, {t.cpu:.2f} s CPU  target <= {TARGET} s "
        f"(bound {bound:.0f} s at {GLOBAL_LIMIT}/s; our pace "
        f"{discord_publishers.GLOBAL_REQUESTS_PER_SECOND:g}/s: "
        f"{paced['requests'] / discord_publishers.GLOBAL_REQUESTS_PER_SECOND:.1f} s)"
    )
    f = free["time"]
    print(
        f"baseline: the same delivery unpaced, no global limit: {f.wall:.2f} s wall, "
        f"{f.cpu:.2f} s CPU ({free['posts_ok']} messages, {free['requests']} requests)"
    )
    met = (
        t.wall <= TARGET
        and paced["global_429"] == 0
        and paced["posts_ok"] == args.channels
        and paced["max_per_channel"] == 1
    )
    record(
        "fan-out to 1,000 Discord channels",
        f"one digest, deliver_all, fake Discord enforcing {GLOBAL_LIMIT} req/s; "
        f"{paced['requests']} requests, {paced['global_429']} global 429s",
        f"{t.wall:.2f} s wall, {t.cpu:.2f} s CPU",
        f"<= {TARGET:.0f} s, zero 429s (bound {bound:.0f} s)",
        f"unpaced, unlimited fake {f.wall:.2f} s",
        command_of("bench_fanout"),
        met,
    )


if __name__ == "__main__":
    main()
