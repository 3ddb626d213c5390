"""Import rate of ``shortbot import arxiv-metadata`` (the real CLI, in a subprocess).

    uv run --no-sync python bench/bench_import.py        # 3 M into SQLite, 300 k into PostgreSQL
    uv run --no-sync python bench/bench_import.py --n 500000 --pg-n 100000
    uv run --no-sync python bench/bench_import.py --skip-sqlite --pg-n 3000000

SQLite: a fresh database (migrated first, not timed), the whole import timed, FTS5 index
included; the database stays in bench/.data/bench-3m.db for bench_lookup / bench_search /
bench_memory. PostgreSQL: the throwaway cluster of tests/pg.py (fsync off, as in the tests),
database ``bench``. Baseline: reading and ``json.loads`` of the same lines, nothing else.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import snapdata
from report import record

TARGET = 10_000  # papers/s


def baseline(path: Path, n: int) -> float:
    """Seconds to read and json-parse the first ``n`` lines."""
    start = time.perf_counter()
    with open(path, "rb", buffering=1 << 20) as f:
        for i, line in enumerate(f):
            if i >= n:
                break
            json.loads(line)
    return time.perf_counter() - start


def run_import(url: str, path: Path, n: int | None) -> tuple[float, str]:
    env = snapdata.env_for(url)
    subprocess.run(
        [str(snapdata.SHORTBOT), "db", "upgrade"], env=env, check=True, cwd=snapdata.DATA
    )
    args = [str(snapdata.SHORTBOT), "import", "arxiv-metadata", str(path)]
    if n is not None:
        args += ["--stop-after", str(n)]
    start = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, cwd=snapdata.DATA)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 130):
        sys.exit(f"import failed ({done.returncode}): {done.stderr[-2000:]}")
    summary = done.stdout.strip().splitlines()[-1]
    match = re.search(r"([\d,]+) new papers", summary)
    if not match or (int(match.group(1).replace(",", "")) != n and n is not None):
        print(f"warning: unexpected summary: {summary}", file=sys.stderr)
    return elapsed, summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=snapdata.N_FULL, help="papers into SQLite")
    parser.add_argument("--pg-n", type=int, default=300_000, help="papers into PostgreSQL")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-pg", action="store_true")
    args = parser.parse_args()
    path = snapdata.snapshot()
    size_gb = path.stat().st_size / 1e9
    command = "uv run --no-sync python bench/bench_import.py"

    if not args.skip_sqlite:
        n = args.n
        base = baseline(path, n)
        print(f"baseline: read + json.loads of {n:,} lines: {base:.1f} s ({n / base:,.0f}/s)")
        db = snapdata.sqlite_db()
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        elapsed, summary = run_import(
            snapdata.sqlite_url(), path, None if n == snapdata.N_FULL else n
        )
        rate = n / elapsed
        size = db.stat().st_size / 1e9
        print(f"SQLite: {summary}")
        print(f"SQLite: {n:,} papers in {elapsed:.0f} s = {rate:,.0f} papers/s, db {size:.1f} GB")
        record(
            f"import arXiv snapshot, SQLite ({n / 1e6:g} M papers)",
            f"`shortbot import arxiv-metadata` wall time, FTS5 index included ({size_gb:.1f} GB "
            f"JSON lines in, {size:.1f} GB database out); {snapdata.machine_note()}",
            f"{rate:,.0f} papers/s ({elapsed:.0f} s)",
            f">= {TARGET:,} papers/s",
            f"read + json.loads only: {n / base:,.0f} lines/s ({base:.0f} s)",
            command + ("" if n == snapdata.N_FULL else f" --n {n}"),
            rate >= TARGET,
        )

    if not args.skip_pg:
        n = args.pg_n
        base = baseline(path, n)
        url = snapdata.pg_create("bench", fresh=True)
        elapsed, summary = run_import(url, path, None if n == snapdata.N_FULL else n)
        rate = n / elapsed
        print(f"PostgreSQL: {summary}")
        print(f"PostgreSQL: {n:,} papers in {elapsed:.0f} s = {rate:,.0f} papers/s")
        record(
            f"import arXiv snapshot, PostgreSQL ({n / 1e6:g} M papers)",
            "`shortbot import arxiv-metadata` wall time (COPY + INSERT … SELECT, tsvector + GIN "
            f"included; tests/pg.py cluster: fsync off, shared_buffers 1GB); "
            f"{snapdata.machine_note()}",
            f"{rate:,.0f} papers/s ({elapsed:.0f} s)",
            "reported (no target)",
            f"read + json.loads only: {n / base:,.0f} lines/s",
            command + f" --skip-sqlite --pg-n {n}",
            True,
        )


if __name__ == "__main__":
    main()
