"""Data shared by the snapshot benchmarks (import, lookup, search, memory), under bench/.data/.

* ``snapshot(n)``: the generated snapshot file of ``n`` papers (bench/gen_snapshot.py);
* ``sqlite_url()`` / ``pg_url()``: the databases ``bench_import.py`` fills (3 M papers on
  SQLite; PostgreSQL as large as it was asked to import) and that the other benchmarks read;
* ``pg_server()``: one throwaway PostgreSQL cluster (tests/pg.py) kept running between the
  benchmark scripts (its port and directory in bench/.data/pg.json); ``python
  bench/snapdata.py stop-pg`` stops it and deletes its data.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATA = ROOT / "bench" / ".data"
SHORTBOT = Path(sys.executable).with_name("shortbot")
PG_STATE = DATA / "pg.json"
N_FULL = 3_000_000
PG_SETTINGS = {"shared_buffers": "1GB", "max_wal_size": "8GB", "checkpoint_timeout": "30min"}


def snapshot(n: int = N_FULL, *, seed: int = 1, titles: str = "synthetic") -> Path:
    """The snapshot file, generated if missing; ``titles="realistic"`` (bench/titles.py, for
    the relevance benchmark) is a file of its own, the default the one the others share."""
    name = "snapshot-3m.jsonl" if n == N_FULL and seed == 1 else f"snapshot-{n}-{seed}.jsonl"
    if titles != "synthetic":
        name = f"snapshot-{n}-{seed}-{titles}.jsonl"
    path = DATA / name
    if not path.exists():
        print(f"generating {path} ({n:,} papers) …", file=sys.stderr)
        args = [sys.executable, str(ROOT / "bench" / "gen_snapshot.py"), str(n), str(path)]
        if seed != 1:
            args += ["--seed", str(seed)]
        subprocess.run([*args, "--titles", titles], check=True)
    return path


def sqlite_db() -> Path:
    return DATA / "bench-3m.db"


def sqlite_url() -> str:
    return f"sqlite+aiosqlite:///{sqlite_db()}"


def env_for(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHORTBOT_")}
    env["SHORTBOT_DATABASE_URL"] = url
    env["SHORTBOT_LOG_LEVEL"] = "WARNING"
    return env


def bot_env(url: str, fake: Any) -> dict[str, str]:
    """The environment of a ``shortbot run`` on ``url`` logged in to the fake Discord ``fake``
    (tests/fakediscord), health on a free port, no console output."""
    env = env_for(url)
    env.update(
        SHORTBOT_DISCORD__TOKEN=fake.token,
        SHORTBOT_DISCORD__API_BASE_URL=fake.api_base_url,
        SHORTBOT_DISCORD__GATEWAY_URL=fake.gateway_url,
        SHORTBOT_HEALTH__PORT="0",
        SHORTBOT_CONSOLE="false",
    )
    return env


def _alive(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def pg_server_url(dbname: str = "postgres") -> str:
    """The URL of ``dbname`` on the shared benchmark cluster, started if needed."""
    from tests.pg import PostgresServer

    if PG_STATE.exists():
        state = json.loads(PG_STATE.read_text())
        if _alive(state["port"]):
            return f"postgresql+asyncpg://postgres@127.0.0.1:{state['port']}/{dbname}"
    server = PostgresServer(settings=PG_SETTINGS)
    server.start()
    import atexit

    atexit.unregister(server.cleanup)  # keep it for the next benchmark
    DATA.mkdir(parents=True, exist_ok=True)
    PG_STATE.write_text(
        json.dumps({"port": server.port, "base": str(server.base_dir), "bin": str(server.bin_dir)})
    )
    return server.url(dbname)


def pg_url() -> str:
    return pg_server_url("bench")


def pg_create(dbname: str, *, fresh: bool) -> str:
    import asyncpg

    url = pg_server_url("postgres")

    async def run() -> None:
        conn = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:
            if fresh:
                await conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", dbname)
            if not exists:
                await conn.execute(f'CREATE DATABASE "{dbname}"')
        finally:
            await conn.close()

    asyncio.run(run())
    return pg_server_url(dbname)


def stop_pg() -> None:
    if not PG_STATE.exists():
        return
    state = json.loads(PG_STATE.read_text())
    base = Path(state["base"])
    pg_ctl = Path(state["bin"]) / "pg_ctl"
    cmd = [str(pg_ctl), "stop", "-D", str(base / "data"), "-m", "fast", "-w"]
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    subprocess.run(cmd, check=False)
    import shutil

    shutil.rmtree(base, ignore_errors=True)
    PG_STATE.unlink()


def machine_note() -> str:
    load = os.getloadavg()[0]
    return f"load average {load:.1f} at the start"


def wait(seconds: float) -> None:
    time.sleep(seconds)


N_SUMMARIES = 200_000
SUMMARY_COLUMNS = (
    "id",
    "guid",
    "source",
    "author",
    "url",
    "votes",
    "title",
    "text",
    "published",
    "edited",
    "content_hash",
    "first_seen",
    "announce",
)
_SUMMARY_TEXT = (
    "This paper proposes a method and evaluates it carefully. The key idea is simple: "
    "replace the expensive step by a cheaper approximation and show that little is lost. "
) * 6


def _summary_rows(n: int, max_id: int, seed: int = 3) -> tuple[list[tuple], list[tuple]]:
    import random

    rng = random.Random(seed)
    summaries, links = [], []
    for i in range(1, n + 1):
        published = (
            f"20{rng.randint(15, 25):02d}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)} 12:00:00"
        )
        summaries.append(
            (
                i,
                f"bench-summary-{i}",
                "https://www.shortscience.org/rss.xml",
                f"reviewer{rng.randint(1, 5000)}",
                f"https://www.shortscience.org/paper?summary={i}",
                rng.randint(0, 40),
                f"Summary {i}",
                _SUMMARY_TEXT,
                published,
                None,
                f"{i:064x}",
                published,
                False,
            )
        )
        links.append((i, rng.randint(1, max_id)))
    return summaries, links


def ensure_summaries_sqlite(path: Path, n: int = N_SUMMARIES) -> int:
    """``n`` summaries linked to random papers (bench data, written with plain SQL)."""
    import sqlite3

    db = sqlite3.connect(path)
    try:
        (have,) = db.execute("SELECT count(*) FROM summaries").fetchone()
        if have >= n:
            return int(have)
        (max_id,) = db.execute("SELECT max(id) FROM papers").fetchone()
        summaries, links = _summary_rows(n, max_id)
        with db:
            db.execute("DELETE FROM summary_papers")
            db.execute("DELETE FROM summaries")
            db.executemany(
                f"INSERT INTO summaries ({', '.join(SUMMARY_COLUMNS)}) "  # noqa: S608
                f"VALUES ({','.join('?' * 13)})",
                summaries,
            )
            db.executemany(
                "INSERT OR IGNORE INTO summary_papers (summary_id, paper_id) VALUES (?, ?)", links
            )
        return n
    finally:
        db.close()


def ensure_summaries_pg(url: str, n: int = N_SUMMARIES) -> int:
    from datetime import UTC, datetime

    import asyncpg

    async def run() -> int:
        conn = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:
            have = await conn.fetchval("SELECT count(*) FROM summaries")
            if have >= n:
                return int(have)
            max_id = await conn.fetchval("SELECT max(id) FROM papers")
            summaries, links = _summary_rows(n, max_id)
            fix = []
            for row in summaries:
                when = datetime.fromisoformat(row[8]).replace(tzinfo=UTC)
                fix.append((*row[:8], when, None, row[10], when, False))
            async with conn.transaction():
                await conn.execute("DELETE FROM summary_papers")
                await conn.execute("DELETE FROM summaries")
                await conn.copy_records_to_table(
                    "summaries", records=fix, columns=list(SUMMARY_COLUMNS)
                )
                await conn.copy_records_to_table(
                    "summary_papers",
                    records=list(dict.fromkeys(links)),
                    columns=["summary_id", "paper_id"],
                )
                await conn.execute(
                    "SELECT setval(pg_get_serial_sequence('summaries', 'id'), $1)", n
                )
            await conn.execute("ANALYZE summaries; ANALYZE summary_papers")
            return n
        finally:
            await conn.close()

    import asyncio

    return asyncio.run(run())


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


if __name__ == "__main__":
    if sys.argv[1:] == ["stop-pg"]:
        stop_pg()
    else:
        print(__doc__)
