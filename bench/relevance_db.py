"""The databases of the search relevance benchmark (bench/bench_relevance.py): the snapshot
imported into SQLite and PostgreSQL once (kept under bench/.data/), and summaries added to a
share of the papers and to half of the queries' targets."""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_import
import snapdata
from relevance_queries import SUMMARY_SHARE, Query, fingerprint

# ---------------------------------------------------------------- databases


def sqlite_path(n: int) -> Path:
    return snapdata.DATA / f"relevance-{n}.db"


def pg_name(n: int) -> str:
    return f"relevance_{n}"


def _sqlite_count(path: Path) -> int:
    if not path.exists():
        return 0
    db = sqlite3.connect(path)
    try:
        return int(db.execute("SELECT count(*) FROM papers").fetchone()[0])
    except sqlite3.Error:
        return 0
    finally:
        db.close()


async def _pg_fetch(url: str, sql: str, *args: Any) -> Any:
    import asyncpg

    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        return await conn.fetchval(sql, *args)
    except asyncpg.PostgresError:
        return 0
    finally:
        await conn.close()


def _built_from(key: str, value: str | None = None) -> str | None:
    """Which snapshot each database was imported from (bench/.data/relevance-built.json)."""
    marks = snapdata.DATA / "relevance-built.json"
    state = json.loads(marks.read_text()) if marks.exists() else {}
    if value is not None:
        state[key] = value
        marks.write_text(json.dumps(state, indent=1))
    return state.get(key)


def ensure_sqlite(path: Path, snapshot: Path, n: int, rebuild: bool) -> str:
    url = f"sqlite+aiosqlite:///{path}"
    key = f"sqlite:{path.name}"
    stale = _built_from(key) != fingerprint(snapshot)
    if rebuild or stale or _sqlite_count(path) != n:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        print(f"importing {n:,} papers into {path} …", file=sys.stderr)
        _, summary = bench_import.run_import(url, snapshot, None)
        print(f"SQLite: {summary}", file=sys.stderr)
        _built_from(key, fingerprint(snapshot))
    return url


def ensure_pg(n: int, snapshot: Path, rebuild: bool) -> str:
    name = pg_name(n)
    url = snapdata.pg_create(name, fresh=False)
    key = f"pg:{name}"
    stale = _built_from(key) != fingerprint(snapshot)
    if rebuild or stale or asyncio.run(_pg_fetch(url, "SELECT count(*) FROM papers")) != n:
        url = snapdata.pg_create(name, fresh=True)
        print(f"importing {n:,} papers into PostgreSQL {name} …", file=sys.stderr)
        _, summary = bench_import.run_import(url, snapshot, None)
        print(f"PostgreSQL: {summary}", file=sys.stderr)
        asyncio.run(_pg_fetch(url, "ANALYZE"))
        _built_from(key, fingerprint(snapshot))
    return url


def _summaries(paper_ids: list[int]) -> tuple[list[tuple[Any, ...]], list[tuple[int, int]]]:
    rows, links = [], []
    for i, paper_id in enumerate(paper_ids, start=1):
        published = f"20{15 + i % 10}-0{1 + i % 9}-1{i % 10} 12:00:00"
        rows.append(
            (
                i,
                f"relevance-summary-{i}",
                "https://www.shortscience.org/rss.xml",
                f"reviewer{i % 5000}",
                f"https://www.shortscience.org/paper?summary={i}",
                i % 40,
                f"Summary {i}",
                snapdata._SUMMARY_TEXT,
                published,
                None,
                f"{i:064x}",
                published,
                False,
            )
        )
        links.append((i, paper_id))
    return rows, links


def _summarised_ids(max_id: int, target_ids: list[int], seed: int) -> list[int]:
    rng = random.Random(f"summaries {seed}")  # not the targets' sequence (random.Random(seed))
    chosen = set(rng.sample(range(1, max_id + 1), int(max_id * SUMMARY_SHARE)))
    return sorted(chosen | set(target_ids))


def add_summaries_sqlite(path: Path, queries: list[Query], seed: int) -> int:
    """Summaries for 2 % of the papers and the targets of half of the queries (again when
    the queries changed)."""
    db = sqlite3.connect(path)
    try:
        (max_id,) = db.execute("SELECT max(id) FROM papers").fetchone()
        wanted = [q.target for q in queries if q.with_summary]
        marks = ",".join("?" * len(wanted))
        targets = [
            r[0]
            for r in db.execute(f"SELECT id FROM papers WHERE arxiv_id IN ({marks})", wanted)  # noqa: S608
        ]
        ids = _summarised_ids(max_id, targets, seed)
        have = db.execute("SELECT DISTINCT paper_id FROM summary_papers").fetchall()
        if {r[0] for r in have} == set(ids):
            return len(ids)
        rows, links = _summaries(ids)
        with db:
            db.execute("DELETE FROM summary_papers")
            db.execute("DELETE FROM summaries")
            db.executemany(
                f"INSERT INTO summaries ({', '.join(snapdata.SUMMARY_COLUMNS)}) "  # noqa: S608
                f"VALUES ({','.join('?' * len(snapdata.SUMMARY_COLUMNS))})",
                rows,
            )
            db.executemany("INSERT INTO summary_papers (summary_id, paper_id) VALUES (?, ?)", links)
        return len(rows)
    finally:
        db.close()


def add_summaries_pg(url: str, queries: list[Query], seed: int) -> int:
    from datetime import UTC, datetime

    import asyncpg

    async def run() -> int:
        conn = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:
            max_id = await conn.fetchval("SELECT max(id) FROM papers")
            wanted = [q.target for q in queries if q.with_summary]
            targets = [
                r[0]
                for r in await conn.fetch(
                    "SELECT id FROM papers WHERE arxiv_id = ANY($1::text[])", wanted
                )
            ]
            ids = _summarised_ids(max_id, targets, seed)
            have = await conn.fetch("SELECT DISTINCT paper_id FROM summary_papers")
            if {r[0] for r in have} == set(ids):
                return len(ids)
            rows, links = _summaries(ids)
            fixed = []
            for row in rows:
                when = datetime.fromisoformat(row[8]).replace(tzinfo=UTC)
                fixed.append((*row[:8], when, None, row[10], when, False))
            async with conn.transaction():
                await conn.execute("DELETE FROM summary_papers")
                await conn.execute("DELETE FROM summaries")
                await conn.copy_records_to_table(
                    "summaries", records=fixed, columns=list(snapdata.SUMMARY_COLUMNS)
                )
                await conn.copy_records_to_table(
                    "summary_papers", records=links, columns=["summary_id", "paper_id"]
                )
                await conn.execute(
                    "SELECT setval(pg_get_serial_sequence('summaries', 'id'), $1)", len(rows)
                )
            await conn.execute("ANALYZE summaries; ANALYZE summary_papers")
            return len(rows)
        finally:
            await conn.close()

    return asyncio.run(run())
