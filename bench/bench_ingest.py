"""Ingest: a 2,000-entry rss.arxiv.org listing, fetched over HTTP, parsed and stored.

The real poll path: ``bot.watch.poll_feed`` on an App opened by ``bot.app.open_app`` (SQLite
file under bench/.data/, migrated), the feed served by the threaded test server
(``tests.httpserver.LocalHTTPServer``) on 127.0.0.1 (``allow_private_feeds``). Each run starts
from an empty database (a first poll that announces all 2,000 papers: the worst case).
Baseline: feedparser's bare parse of the same bytes, in the same run.

    uv run --no-sync python bench/bench_ingest.py [--runs 3] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import statistics
import time

import feedparser

from bench._common import arxiv_listing, command_of, fresh_dir, timed
from bench.report import record
from bot.app import open_app
from bot.settings import FeedSettings, Settings
from bot.watch import poll_feed, sync_configured_feeds
from tests.httpserver import LocalHTTPServer, Response

ENTRIES = 2_000
TARGET = 1.5


async def one_run(url: str, run: int, profile: cProfile.Profile | None) -> tuple[float, int]:
    folder = fresh_dir(f"ingest/{run}")
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{folder / 'shortbot.db'}",
        feeds=[FeedSettings(url=url, name="cs.LG", announce_existing=True)],
        allow_private_feeds=True,
        console=False,
        arxiv={"enabled": False},
    )
    async with open_app(settings) as app:
        (feed,) = await sync_configured_feeds(app)
        if profile is not None:
            profile.enable()
        with timed() as t:
            result = await poll_feed(app, feed)
        if profile is not None:
            profile.disable()
        assert result.error is None, result.error
        assert result.report is not None
        stored = result.report.new + result.report.updated
    return t.wall, stored


def bare_parse(body: bytes) -> float:
    start = time.perf_counter()
    parsed = feedparser.parse(io.BytesIO(body))
    elapsed = time.perf_counter() - start
    assert len(parsed.entries) == ENTRIES
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile the poll (top 25)")
    args = parser.parse_args()

    body = arxiv_listing(ENTRIES)
    (fresh_dir("ingest-feed") / "cs.LG.xml").write_bytes(body)
    print(f"listing: {ENTRIES} entries, {len(body) / 1e6:.2f} MB (bench/.data/ingest-feed)")
    bare = [bare_parse(body) for _ in range(args.runs)]
    profile = cProfile.Profile() if args.profile else None
    walls = []
    with LocalHTTPServer() as server:
        server.route(
            "/rss/cs.LG",
            Response(body=body, headers={"Content-Type": "application/rss+xml", "ETag": '"v1"'}),
        )
        for run in range(args.runs):
            wall, stored = asyncio.run(one_run(server.url("/rss/cs.LG"), run, profile))
            walls.append(wall)
            print(f"run {run + 1}: fetch + parse + store {wall:.3f} s ({stored} papers stored)")
    median, parse = statistics.median(walls), statistics.median(bare)
    print(f"ingest (poll_feed, median of {args.runs}): {median:.3f} s  target <= {TARGET} s")
    print(f"baseline: feedparser.parse alone on the same file: {parse:.3f} s")
    if profile is not None:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    record(
        "ingest 2,000-entry arXiv listing",
        f"fetch + parse + store, one poll_feed on SQLite (median of {args.runs}, empty database)",
        f"{median:.2f} s",
        f"<= {TARGET} s",
        f"feedparser.parse alone {parse:.2f} s",
        command_of("bench_ingest"),
        median <= TARGET,
    )


if __name__ == "__main__":
    main()
