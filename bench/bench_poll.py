"""Poll cycle: 1,000 watched feeds, one full cycle the way ``shortbot run`` polls them.

The feeds (ShortScience-style summary feeds, 20 entries and about 17 KB each) are served by an
aiohttp server in a child process (its own interpreter and event loop: it does not compete with
the bot for the GIL, and the bot's CPU seconds are the bot's alone; its handler time is
printed to show it is not the bottleneck). The bot side is the service's own path: the
``bot.scheduler.Scheduler`` of ``shortbot run`` (APScheduler jobs, ``poll_now`` →
``bot.watch.poll_feed`` → ``bot.delivery.deliver_all``) on an App from ``open_app`` with a
SQLite file under bench/.data/. The first cycle seeds every feed (first sight); the clock then
moves past the interval and ``poll_due_now`` brings every job forward, as after a restart:
that second cycle is measured. In it 50 % of the feeds answer 304 to ``If-None-Match``, 40 %
send the same body again without validators (unchanged body: hashed, not parsed) and 10 %
have two new entries. ``parse_feed`` is counted (a wrapper around bot.watch's reference).

Baseline (same run): the same 1,000 HTTP GETs made with the shared httpx client and nothing
else (no database, no parsing), at the same concurrency.

    uv run --no-sync python bench/bench_poll.py [--feeds 1000] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import multiprocessing
import pstats
import random
import time
from collections import Counter
from datetime import timedelta
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape

from bench._common import WORDS, command_of, fresh_dir, timed
from bench.report import record
from bot import watch
from bot.app import open_app
from bot.delivery import deliver_all
from bot.scheduler import Scheduler
from bot.settings import FeedSettings, Settings
from papers.model import Feed
from papers.usecases import utcnow
from sources.fetch import new_client

TARGET = 15.0
ENTRIES = 20


# ----------------------------------------------------------------- the feeds and their server


def summary_feed(feed: int, version: int) -> bytes:
    """A ShortScience-style feed; version 2 has two new entries on top (the oldest two go)."""
    rng = random.Random(feed)
    first = 2 * (version - 1)
    items = []
    for n in range(first, first + ENTRIES):
        entry = rng.randint(1, 99_999) if n < 0 else n
        paper = f"25{(feed * 7 + entry) % 12 + 1:02d}.{(feed * 31 + entry * 17) % 99_999:05d}"
        text = " ".join(random.Random(feed * 1000 + entry).choice(WORDS) for _ in range(90))
        when = format_datetime(utcnow() - timedelta(hours=n))
        items.append(
            f"""<item>
\t<shortscience:arxivid>{paper}</shortscience:arxivid>
\t<shortscience:bibtexkey>journals/corr/{paper}</shortscience:bibtexkey>
\t<shortscience:votes>{entry % 9}</shortscience:votes>
\t<title>{escape(text[:80].title())}</title>
\t<author>Reader {entry}</author>
\t<description>{escape(text)}</description>
\t<link>https://www.shortscience.org/paper?bibtexKey=journals/corr/{paper}#f{feed}e{entry}</link>
\t<guid>https://www.shortscience.org/paper?bibtexKey=journals/corr/{paper}#f{feed}e{entry}</guid>
\t<pubDate>{when}</pubDate>
</item>
"""
        )
    items.reverse()  # newest first, as the site lists them
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:shortscience="https://www.shortscience.org">\n<channel>\n'
        f" <title>Summaries {feed}</title>\n <description>Feed {feed}</description>\n"
        " <link>https://www.shortscience.org</link>\n"
    )
    return (head + "".join(items) + "</channel>\n</rss>\n").encode()


def behaviour(feed: int) -> str:
    """changed (10 %), etag (answers 304: 50 %), same (same body, no validators: 40 %)."""
    slot = feed % 10
    return "changed" if slot == 0 else "etag" if slot <= 5 else "same"


def serve(feeds: int, conn: Any) -> None:
    """The child process: an aiohttp server of ``feeds`` feeds; ``/_cycle/N`` switches to the
    bodies of cycle N; ``/_stats`` answers its counters and handler seconds."""
    from aiohttp import web

    bodies = {(f, v): summary_feed(f, v) for f in range(feeds) for v in (1, 2)}
    state: dict[str, Any] = {"cycle": 1, "counts": Counter(), "handler": 0.0}

    async def feed(request: web.Request) -> web.Response:
        start = time.perf_counter()
        number = int(request.match_info["n"])
        kind = behaviour(number)
        version = 2 if kind == "changed" and state["cycle"] >= 2 else 1
        etag = f'"f{number}v{version}"'
        if kind != "same" and request.headers.get("If-None-Match") == etag:
            state["counts"]["304"] += 1
            response = web.Response(status=304, headers={"ETag": etag})
        else:
            state["counts"][f"200 {kind}"] += 1
            headers = {"Content-Type": "application/rss+xml"}
            if kind != "same":
                headers["ETag"] = etag
            response = web.Response(body=bodies[(number, version)], headers=headers)
        state["handler"] += time.perf_counter() - start
        return response

    async def cycle(request: web.Request) -> web.Response:
        state["cycle"] = int(request.match_info["n"])
        state["counts"], state["handler"] = Counter(), 0.0
        return web.Response(text="ok")

    async def stats(request: web.Request) -> web.Response:
        return web.json_response({"counts": state["counts"], "handler": state["handler"]})

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/feed/{n}.xml", feed)
        app.router.add_get("/_cycle/{n}", cycle)
        app.router.add_get("/_stats", stats)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=2048)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        conn.send(port)
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # until told to stop
        await runner.cleanup()

    asyncio.run(main())


# ----------------------------------------------------------------- the bot side


class Cycle:
    """Counts the polls of one cycle and says when all are done."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.results: Counter[str] = Counter()
        self.done = asyncio.Event()
        self.parsed = 0

    async def poll(self, app: Any, feed: Feed) -> watch.PollResult:
        result = await watch.poll_feed(app, feed)
        outcome = (
            "failed"
            if result.error
            else "unchanged"
            if result.report is None
            else "changed"
            if result.report.new
            else "parsed, nothing new"
        )
        self.results[outcome] += 1
        if sum(self.results.values()) >= self.expected:
            self.done.set()
        return result


async def get_stats(base: str) -> dict[str, Any]:
    async with new_client() as client:
        return dict((await client.get(f"{base}/_stats")).json())


async def run(feeds: int, port: int, profile: cProfile.Profile | None) -> dict[str, Any]:
    base = f"http://127.0.0.1:{port}"
    folder = fresh_dir("poll")
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{folder / 'shortbot.db'}",
        feeds=[FeedSettings(url=f"{base}/feed/{n}.xml", interval=900) for n in range(feeds)],
        allow_private_feeds=True,
        console=False,
        arxiv={"enabled": False},
    )
    offset = timedelta(0)
    parse_calls = Counter[str]()
    real_parse = watch.parse_feed

    def counting_parse(body: bytes, source: str, **kwargs: Any) -> Any:
        parse_calls[source] += 1
        return real_parse(body, source, **kwargs)

    watch.parse_feed = counting_parse  # type: ignore[assignment]
    out: dict[str, Any] = {}
    async with open_app(settings, clock=lambda: utcnow() + offset) as app:
        await watch.sync_configured_feeds(app)
        # cycle 1: every feed first seen (seeded, what it holds recorded as seen)
        cycle = Cycle(feeds)
        scheduler = Scheduler(app, poll=cycle.poll, deliver=deliver_all)
        with timed() as seeding:
            await scheduler.start()
            await cycle.done.wait()
        out["seed"] = (seeding.wall, dict(cycle.results))
        await app.http.get(f"{base}/_cycle/2")
        parse_calls.clear()
        # cycle 2: the interval has passed; every poll job is brought forward at once
        offset = timedelta(hours=1)
        cycle = Cycle(feeds)
        scheduler._poll = cycle.poll
        if profile is not None:
            profile.enable()
        with timed() as t:
            moved = await scheduler.poll_due_now()
            await cycle.done.wait()
        if profile is not None:
            profile.disable()
        await scheduler.stop(30)
        out["cycle"] = (t, dict(cycle.results), len(moved))
        out["parsed"] = sum(parse_calls.values())
        out["parsed_unchanged"] = sum(
            1 for url in parse_calls if behaviour(int(url.rsplit("/", 1)[1][:-4])) != "changed"
        )
        out["server"] = await get_stats(base)
    watch.parse_feed = real_parse  # type: ignore[assignment]
    return out


async def baseline(feeds: int, port: int, slots: int | None) -> float:
    """The same GETs with the shared client alone (first-cycle bodies, no validators), at most
    ``slots`` at once (None: all at once)."""
    base = f"http://127.0.0.1:{port}"
    gate = asyncio.Semaphore(slots or feeds)

    async def get(client: Any, n: int) -> int:
        async with gate:
            return int((await client.get(f"{base}/feed/{n}.xml")).status_code)

    async with new_client() as client:
        start = time.perf_counter()
        answers = await asyncio.gather(*(get(client, n) for n in range(feeds)))
        elapsed = time.perf_counter() - start
    assert all(a == 200 for a in answers)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="cProfile the cycle (top 30)")
    parser.add_argument(
        "--unbounded-baseline",
        action="store_true",
        help="also time the GETs all at once (httpx's pool queue: why fetches are bounded)",
    )
    args = parser.parse_args()

    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    server = ctx.Process(target=serve, args=(args.feeds, child), daemon=True)
    server.start()
    port = parent.recv()
    profile = cProfile.Profile() if args.profile else None
    try:
        out = asyncio.run(run(args.feeds, port, profile))
        slots = 32  # bot.app.App.fetch_slots
        bare = asyncio.run(baseline(args.feeds, port, slots))
        unbounded = None
        if args.unbounded_baseline:
            unbounded = asyncio.run(baseline(args.feeds, port, None))
    finally:
        parent.send("stop")
        server.join(10)
    t, results, moved = out["cycle"]
    seed_wall, seed_results = out["seed"]
    server_stats = out["server"]
    print(f"feeds: {args.feeds} (aiohttp server in a child process, port {port})")
    print(f"cycle 1 (first sight, every feed parsed): {seed_wall:.2f} s {seed_results}")
    print(f"cycle 2: {moved} poll jobs brought forward; results {results}")
    print(
        f"  server answered {server_stats['counts']} "
        f"in {server_stats['handler']:.3f} s of handler time"
    )
    print(
        f"  parse_feed calls: {out['parsed']} "
        f"(of which on unchanged feeds: {out['parsed_unchanged']})"
    )
    print(f"poll cycle: {t.wall:.2f} s wall, {t.cpu:.2f} s CPU  target <= {TARGET} s wall")
    print(f"baseline: {args.feeds} GETs with httpx alone, {slots} at once: {bare:.2f} s")
    if unbounded is not None:
        print(f"  (all {args.feeds} at once through the one client: {unbounded:.2f} s)")
    if profile is not None:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
    met = t.wall <= TARGET and out["parsed_unchanged"] == 0 and results.get("failed", 0) == 0
    record(
        "poll cycle, 1,000 feeds",
        "one scheduler cycle (90 % 304 / unchanged body, 10 % new entries), SQLite; "
        f"parse_feed calls {out['parsed']} (unchanged feeds parsed: {out['parsed_unchanged']})",
        f"{t.wall:.2f} s wall, {t.cpu:.2f} s CPU",
        f"<= {TARGET:.0f} s wall",
        f"{args.feeds} bare httpx GETs ({slots} at once) {bare:.2f} s",
        command_of("bench_poll"),
        met,
    )


if __name__ == "__main__":
    main()
