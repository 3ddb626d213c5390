"""Peak RSS of ``shortbot run`` (the real CLI process) on the 3 M-paper database after 1,000
``!summary`` commands.

    uv run --no-sync python bench/bench_memory.py

The lookups go through the real Discord command path: this script runs the fake Discord of the
tests (tests/fakediscord: REST + gateway on loopback) and starts ``shortbot run`` against it
(``discord.api_base_url`` / ``discord.gateway_url``), health endpoint on port 0, the bundled
sample feeds (local files: no network), arXiv API off. A member then posts ``!summary ID`` for
1,000 random arXiv ids, one after the other, each answered before the next; the reply latency
(Discord round trip on loopback included) is printed too. Peak RSS is the kernel's VmHWM of
the ``shortbot run`` process. Baseline: the same process on an empty (migrated) database after
the same number of commands for an unknown id ("No paper … is known yet"). Needs
bench_import.py (and bench_lookup.py's summaries, which it adds if missing) first.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import snapdata
from bench_lookup import sample_ids_sqlite
from report import record

from tests.fakediscord import FakeDiscord

N_COMMANDS = 1_000
TARGET_MB = 200


def vm(pid: int, key: str) -> int:
    """A ``/proc/PID/status`` value in kB (VmHWM: peak RSS, VmRSS: current RSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


async def run_bot(url: str, queries: list[str], workdir: Path) -> tuple[int, int, list[float]]:
    """(peak RSS kB, RSS kB after the commands, reply latencies) of ``shortbot run``."""
    async with FakeDiscord(heartbeat_interval=5.0) as fake:
        env = snapdata.bot_env(url, fake)
        proc = subprocess.Popen(  # noqa: ASYNC220 - started once, before the measurement
            [str(snapdata.SHORTBOT), "run"],
            env=env,
            cwd=workdir,
            stdout=subprocess.DEVNULL,
            stderr=open(workdir / "run.log", "w"),  # noqa: SIM115, ASYNC230
        )
        try:
            general = fake.guild.channel("general")
            member = fake.guild.member("member")
            deadline = time.monotonic() + 120
            while True:  # until the bot is connected and answers
                sent = await fake.send_message(general, member, "!help")
                try:
                    await fake.wait_for_message(general, after=sent.id, timeout=2)
                    break
                except Exception:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        log = (workdir / "run.log").read_text()[-3000:]
                        raise SystemExit(f"shortbot run did not answer:\n{log}") from None
            latencies = []
            for q in queries:
                start = time.perf_counter()
                sent = await fake.send_message(general, member, f"!summary {q}")
                await fake.wait_for_message(general, after=sent.id, timeout=30)
                latencies.append(time.perf_counter() - start)
            return vm(proc.pid, "VmHWM"), vm(proc.pid, "VmRSS"), latencies
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()


def main() -> None:
    db = snapdata.sqlite_db()
    snapdata.ensure_summaries_sqlite(db)
    ids = sample_ids_sqlite(db, N_COMMANDS, seed=9)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        empty_url = f"sqlite+aiosqlite:///{work / 'empty.db'}"
        subprocess.run(
            [str(snapdata.SHORTBOT), "db", "upgrade"],
            env=snapdata.env_for(empty_url),
            cwd=work,
            check=True,
            capture_output=True,
        )
        base_peak, _, _ = asyncio.run(run_bot(empty_url, ["2401.99999"] * N_COMMANDS, work))
        peak, rss, latencies = asyncio.run(run_bot(snapdata.sqlite_url(), ids, work))
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[int(len(latencies) * 0.99)] * 1000
    print(f"shortbot run, 3 M papers, after {N_COMMANDS:,} !summary: peak RSS {peak / 1024:.0f} MB")
    print(f"  RSS at the end {rss / 1024:.0f} MB; reply latency p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    print(f"baseline: empty database, {N_COMMANDS:,} unknown ids: peak {base_peak / 1024:.0f} MB")
    record(
        "memory, shortbot run (SQLite, 3 M papers)",
        f"peak RSS (VmHWM) of the `shortbot run` process after {N_COMMANDS:,} `!summary ID` "
        "through a fake Discord on loopback (gateway + REST), health on port 0, sample feeds; "
        f"reply round trip p50 {p50:.1f} ms, p99 {p99:.1f} ms",
        f"{peak / 1024:.0f} MB",
        f"<= {TARGET_MB} MB",
        f"same process, empty database, {N_COMMANDS:,} unknown ids: {base_peak / 1024:.0f} MB",
        "uv run --no-sync python bench/bench_memory.py",
        peak / 1024 <= TARGET_MB,
    )


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    main()
