"""The ``search`` use case on the 3 M-paper database: 1,000 fixed queries of 2-6 title words.

    uv run --no-sync python bench/bench_search.py             # SQLite and PostgreSQL
    uv run --no-sync python bench/bench_search.py --skip-pg

The queries (seeded, always the same) mix the snapshot generator's very common words
("learning", "model", "network", "the" …) with rarer ones, as people type them; each runs
through ``papers.usecases.search`` (resolve, full-text search, load the papers) and
``search_embed`` (the Discord payload), warm (one pass first). Baseline: the bare full-text
query of storage/search.py through the driver (sqlite3 / asyncpg) for the same queries.
Needs bench_import.py first.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen_snapshot
import snapdata
from relevance_db import pg_name, sqlite_path
from relevance_queries import PER_KIND, queries_for
from report import record

from papers.discord_render import search_embed
from papers.usecases import search
from storage.db import create_engine
from storage.repository import Store
from storage.search import fts5_query, terms
from storage.search_postgres import FULL as PG_FULL
from storage.search_postgres import ranked_statement
from storage.search_sqlite import COMMON_POOL, FULL, newest_statement

N_QUERIES = 1_000
TARGET_P99_MS, TARGET_MAX_MS = 50.0, 250.0
# The baseline ranks every match of common words: seconds per query at 3 M papers, so it runs
# on every RAW_EVERY-th query only (the same sample on both databases).
RAW_EVERY = 5


def queries(n: int = N_QUERIES, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    words, cum = gen_snapshot.vocabulary(random.Random(1))
    out = []
    for i in range(n):
        k = rng.randint(2, 6)
        if i % 4 == 0:  # only very common words
            picked = rng.sample(gen_snapshot.COMMON, k)
        else:  # as the titles are written: Zipf-distributed, common words included
            picked = rng.choices(words, cum_weights=cum, k=k)
        out.append(" ".join(picked))
    return out


# --cold: the page cache is dropped before each database's run and no warm-up pass is made
COLD = {"on": False}


def drop_page_cache() -> str:
    """Drop the kernel's page cache (root only); says what was done."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError as exc:
        return f"page cache NOT dropped ({exc.strerror})"
    return "page cache dropped"


async def use_case(url: str, qs: list[str]) -> tuple[list[float], int]:
    engine = create_engine(url)
    store = Store(engine)
    try:
        if COLD["on"]:
            print(drop_page_cache(), file=sys.stderr)
        else:
            for q in qs:
                search_embed(q, await search(store, q))
        times, empty = [], 0
        for q in qs:
            start = time.perf_counter()
            found = await search(store, q)
            search_embed(q, found)
            times.append(time.perf_counter() - start)
            empty += not found
        return times, empty
    finally:
        await engine.dispose()


def raw_sqlite(path: Path, qs: list[str]) -> list[float]:
    db = sqlite3.connect(path)
    sql = str(newest_statement(FULL)).replace(":query", "?").replace(":pool", "?")
    try:
        times = []
        for q in qs:
            tokens = terms(q.split())
            if not tokens:
                continue
            start = time.perf_counter()
            db.execute(sql, (fts5_query(tokens), COMMON_POOL)).fetchall()
            times.append(time.perf_counter() - start)
        return times
    finally:
        db.close()


async def raw_pg(url: str, qs: list[str]) -> list[float]:
    import asyncpg

    sql = str(ranked_statement(PG_FULL)).replace(":query", "$1").replace(":limit", "$2")
    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        times = []
        for q in qs:
            tokens = terms(q.split())
            if not tokens:
                continue
            start = time.perf_counter()
            await conn.fetch(sql, " ".join(tokens), 10)
            times.append(time.perf_counter() - start)
        return times
    finally:
        await conn.close()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def report(
    label: str,
    times: list[float],
    raw: list[float],
    empty: int,
    qs: list[str],
    papers_label: str,
    relevance: int | None = None,
    database: int | None = None,
) -> None:
    p50, p99, worst = (
        snapdata.percentile(times, 50),
        snapdata.percentile(times, 99),
        max(times),
    )
    slowest = qs[times.index(worst)]
    r50, r99 = snapdata.percentile(raw, 50), snapdata.percentile(raw, 99)
    print(f"{label}: search p50 {ms(p50)}, p99 {ms(p99)}, max {ms(worst)} ({slowest!r})")
    print(f"{label}: {empty} of {len(qs)} queries found nothing")
    print(f"{label}: raw full-text query p50 {ms(r50)}, p99 {ms(r99)}, max {ms(max(raw))}")
    what = (
        f"{len(qs):,} fixed queries of 2-6 title words (a quarter only very common words)"
        if relevance is None
        else f"the {len(qs):,} queries of the relevance benchmark (six kinds)"
    )
    command = "uv run --no-sync python bench/bench_search.py"
    if database is not None:
        command += f" --relevance {database}"
        what += ", on the relevance benchmark's database (realistic titles)"
    if database is not None and relevance is None:
        command += " --queries bench"
    if COLD["on"]:
        command += " --cold"
    warmth = "cold (page cache dropped, no warm-up pass)" if COLD["on"] else "warm"
    record(
        f"search, {label}"
        + ("" if relevance is None else " (relevance set)")
        + ("" if database is None or relevance is not None else " (realistic titles)")
        + (", cold" if COLD["on"] else ""),
        f"search + search_embed, {what}, {warmth}, {papers_label} papers; slowest: {slowest!r}",
        f"p50 {ms(p50)}, p99 {ms(p99)}, max {ms(worst)}",
        f"p99 <= {TARGET_P99_MS:g} ms, max <= {TARGET_MAX_MS:g} ms",
        f"bare full-text SQL (SQLite: the newest {COMMON_POOL} matches; PostgreSQL: "
        f"ts_rank_cd of every match), every {RAW_EVERY}th query: "
        f"p50 {ms(r50)}, p99 {ms(r99)}, max {ms(max(raw))}",
        command,
        p99 * 1000 <= TARGET_P99_MS and worst * 1000 <= TARGET_MAX_MS,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument(
        "--relevance",
        type=int,
        metavar="N",
        help="the relevance benchmark's queries and databases of N papers (bench_relevance.py)",
    )
    parser.add_argument(
        "--queries",
        choices=["bench", "relevance"],
        help="which queries (default: the relevance set with --relevance, else this file's)",
    )
    parser.add_argument("--cold", action="store_true", help="drop the page cache, no warm-up")
    args = parser.parse_args()
    COLD["on"] = args.cold
    which = args.queries or ("relevance" if args.relevance else "bench")
    if which == "relevance":
        if not args.relevance:
            parser.error("--queries relevance needs --relevance N")
        snapshot = snapdata.snapshot(args.relevance, titles="realistic")
        qs = [q.text for q in queries_for(snapshot, args.relevance, PER_KIND, 16)]
    else:
        qs = queries()
    sqlite_file = sqlite_path(args.relevance) if args.relevance else snapdata.sqlite_db()
    relevance_set = args.relevance if which == "relevance" else None
    if not args.skip_sqlite:
        times, empty = asyncio.run(use_case(f"sqlite+aiosqlite:///{sqlite_file}", qs))
        db = sqlite3.connect(sqlite_file)
        (count,) = db.execute("SELECT count(*) FROM papers").fetchone()
        db.close()
        raw = raw_sqlite(sqlite_file, qs[::RAW_EVERY])
        report(
            "SQLite", times, raw, empty, qs, f"{count / 1e6:.1f} M", relevance_set, args.relevance
        )
    if not args.skip_pg:
        if args.relevance:
            url = snapdata.pg_create(pg_name(args.relevance), fresh=False)
        else:
            url = snapdata.pg_url()
        times, empty = asyncio.run(use_case(url, qs))
        raw = asyncio.run(raw_pg(url, qs[::RAW_EVERY]))
        count = asyncio.run(_pg_count(url))
        report(
            "PostgreSQL",
            times,
            raw,
            empty,
            qs,
            f"{count / 1e6:.1f} M",
            relevance_set,
            args.relevance,
        )


async def _pg_count(url: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        return int(await conn.fetchval("SELECT count(*) FROM papers"))
    finally:
        await conn.close()


if __name__ == "__main__":
    main()
