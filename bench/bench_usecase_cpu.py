"""CPU per use case on a small SQLite file: what one connection per use case saves.

    uv run --no-sync python bench/bench_usecase_cpu.py [-n 2000]

The sample summaries in a fresh database; then ``n`` rounds of the reads a member's commands
make (``lookup`` by id and by title words, ``search``, ``latest``, ``suggest``), timed with the
process's CPU clock (aiosqlite's thread included). Small on purpose: the database stays in the
page cache, so what is left is the per-call cost (pool checkouts, thread hops, SQLAlchemy),
which the 3 M-paper benches add to every command.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from papers.usecases import ingest_parsed, latest, lookup, search
from sources.parse import parse_feed
from storage.db import create_engine, upgrade
from storage.repository import Store

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "shortscience-rss.xml"


async def run(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite+aiosqlite:///{tmp}/bench.db")
        await upgrade(engine)
        store = Store(engine)
        parsed = parse_feed(FIXTURE.read_bytes(), "sample")
        await ingest_parsed(store, parsed, "sample", announce=True, now=datetime.now(UTC))
        cases = {
            "lookup id": lambda: lookup(store, "1312.6199"),
            "lookup words": lambda: lookup(store, "properties neural networks"),
            "search": lambda: search(store, "adversarial networks"),
            "latest": lambda: latest(store, 5),
        }
        for name, call in cases.items():
            for _ in range(50):  # warm-up
                await call()
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(n):
                await call()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            print(f"{name:13} CPU {cpu / n * 1000:.3f} ms/call, wall {wall / n * 1000:.3f} ms/call")
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=2000)
    asyncio.run(run(parser.parse_args().n))


if __name__ == "__main__":
    main()
