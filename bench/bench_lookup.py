"""The ``summary`` use case on the 3 M-paper database with 200,000 summaries, warm.

    uv run --no-sync python bench/bench_lookup.py            # SQLite and PostgreSQL
    uv run --no-sync python bench/bench_lookup.py --skip-pg

What the Discord ``summary`` command does for a known paper, in process: ``lookup`` (resolve the
text, read the paper and its summaries) and ``paper_embed`` (the Discord payload), for 10,000
random arXiv ids (about 7 % of them with summaries), after one warm-up pass over the same ids.
Baseline: the same ids looked up by the bare driver (sqlite3 / asyncpg: ``SELECT * FROM papers
WHERE arxiv_id = ?`` on its unique index), and the ratio. Needs bench_import.py first.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import snapdata
from relevance_db import pg_name, sqlite_path
from report import record

from papers.discord_render import paper_embed
from papers.usecases import Found, lookup
from storage.db import create_engine
from storage.repository import Store

N_LOOKUPS = 10_000
TARGET_P99_MS = 5.0


def sample_ids_sqlite(path: Path, n: int, seed: int = 5) -> list[str]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (max_id,) = db.execute("SELECT max(id) FROM papers").fetchone()
        rng = random.Random(seed)
        picked = rng.sample(range(1, max_id + 1), n)
        rows = db.execute(
            f"SELECT arxiv_id FROM papers WHERE id IN ({','.join(map(str, picked))})"  # noqa: S608
        ).fetchall()
    finally:
        db.close()
    ids = [r[0] for r in rows]
    rng.shuffle(ids)
    return ids


async def use_case(url: str, ids: list[str]) -> tuple[list[float], int]:
    engine = create_engine(url)
    store = Store(engine)
    try:
        with_summaries = 0
        for arxiv_id in ids:  # warm-up pass
            outcome = await lookup(store, arxiv_id)
            assert isinstance(outcome, Found), arxiv_id
            paper_embed(outcome.match)
        times = []
        for arxiv_id in ids:
            start = time.perf_counter()
            outcome = await lookup(store, arxiv_id)
            assert isinstance(outcome, Found)
            paper_embed(outcome.match)
            times.append(time.perf_counter() - start)
            with_summaries += bool(outcome.match.summaries)
        return times, with_summaries
    finally:
        await engine.dispose()


def raw_sqlite(path: Path, ids: list[str]) -> list[float]:
    db = sqlite3.connect(path)
    try:
        for arxiv_id in ids:
            db.execute("SELECT * FROM papers WHERE arxiv_id = ?", (arxiv_id,)).fetchone()
        times = []
        for arxiv_id in ids:
            start = time.perf_counter()
            db.execute("SELECT * FROM papers WHERE arxiv_id = ?", (arxiv_id,)).fetchone()
            times.append(time.perf_counter() - start)
        return times
    finally:
        db.close()


async def raw_pg(url: str, ids: list[str]) -> list[float]:
    import asyncpg

    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        for arxiv_id in ids:
            await conn.fetchrow("SELECT * FROM papers WHERE arxiv_id = $1", arxiv_id)
        times = []
        for arxiv_id in ids:
            start = time.perf_counter()
            await conn.fetchrow("SELECT * FROM papers WHERE arxiv_id = $1", arxiv_id)
            times.append(time.perf_counter() - start)
        return times
    finally:
        await conn.close()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def report(
    label: str,
    n_papers: str,
    times: list[float],
    raw: list[float],
    hits: int,
    relevance: int | None = None,
) -> None:
    p50, p99 = snapdata.percentile(times, 50), snapdata.percentile(times, 99)
    r50, r99 = snapdata.percentile(raw, 50), snapdata.percentile(raw, 99)
    print(
        f"{label}: summary use case p50 {ms(p50)}, p99 {ms(p99)}, max {ms(max(times))} "
        f"({len(times):,} lookups, {hits:,} with summaries)"
    )
    print(f"{label}: raw driver lookup p50 {ms(r50)}, p99 {ms(r99)}; ratio p50 {p50 / r50:.0f}×")
    summaries = "200,000 summaries" if relevance is None else "the relevance database's summaries"
    command = "uv run --no-sync python bench/bench_lookup.py"
    if relevance is not None:
        command += f" --relevance {relevance}"
    record(
        f"summary lookup, {label}" + ("" if relevance is None else " (relevance database)"),
        f"lookup + paper_embed of {len(times):,} random arXiv ids, warm, {n_papers} papers, "
        f"{summaries} ({hits:,} of the ids have some)",
        f"p50 {ms(p50)}, p99 {ms(p99)}",
        f"p99 <= {TARGET_P99_MS:g} ms",
        f"raw driver SELECT by arxiv_id: p50 {ms(r50)}, p99 {ms(r99)} "
        f"(use case / raw at p50: {p50 / r50:.0f}×)",
        command,
        p99 * 1000 <= TARGET_P99_MS,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("-n", type=int, default=N_LOOKUPS)
    parser.add_argument(
        "--relevance",
        type=int,
        metavar="N",
        help="the databases of bench_relevance.py's N papers (their own summaries)",
    )
    args = parser.parse_args()

    if not args.skip_sqlite:
        if args.relevance:
            path = sqlite_path(args.relevance)
        else:
            path = snapdata.sqlite_db()
            snapdata.ensure_summaries_sqlite(path)
        ids = sample_ids_sqlite(path, args.n)
        times, hits = asyncio.run(use_case(f"sqlite+aiosqlite:///{path}", ids))
        db = sqlite3.connect(path)
        (count,) = db.execute("SELECT count(*) FROM papers").fetchone()
        db.close()
        raw = raw_sqlite(path, ids)
        report("SQLite", f"{count / 1e6:.1f} M", times, raw, hits, args.relevance)

    if not args.skip_pg:
        if args.relevance:
            url = snapdata.pg_create(pg_name(args.relevance), fresh=False)
        else:
            url = snapdata.pg_url()
            snapdata.ensure_summaries_pg(url)
        ids_pg, count = asyncio.run(_pg_ids(url, args.n))
        times, hits = asyncio.run(use_case(url, ids_pg))
        raw = asyncio.run(raw_pg(url, ids_pg))
        report("PostgreSQL", f"{count / 1e6:.1f} M", times, raw, hits, args.relevance)


async def _pg_ids(url: str, n: int) -> tuple[list[str], int]:
    import asyncpg

    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        count = await conn.fetchval("SELECT count(*) FROM papers")
        rows = await conn.fetch("SELECT arxiv_id FROM papers ORDER BY random() LIMIT $1", n)
        return [r[0] for r in rows], int(count)
    finally:
        await conn.close()


if __name__ == "__main__":
    main()
