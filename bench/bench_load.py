"""Load: 50 members sending 100 slash commands a second to ``shortbot run`` (the real CLI
process) through the fake Discord (gateway + REST on loopback), on the 3 M-paper database.

    uv run --no-sync python bench/bench_load.py                    # 100/s for 100 s: 10,000
    uv run --no-sync python bench/bench_load.py --rate 100 --seconds 60

Open loop: a command leaves every 1/rate seconds whatever the answers do (a mix of
``/summary ID`` 60 %, ``/search WORDS`` 25 %, ``/latest`` 15 %, members and five channels in
turn). Slash commands, because their answers (interaction callbacks and follow-ups) are not
counted against Discord's global 50 requests/s, which a prefix command's reply is: at 100
commands/s only interactions can all be answered. Handling latency is from the
INTERACTION_CREATE to the answer that carries the result, as the fake receives it. Checked:
every command answered, none with an error, each member's answers in the order of their
commands. Memory: the process's RSS after a warm-up, after 60 s and at the end (growth over
the 10,000 commands shows a leak), and its peak. Needs bench_import.py first.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import snapdata
from bench_lookup import sample_ids_sqlite
from bench_memory import vm
from bench_search import queries as search_queries
from sqlalchemy.engine import make_url

from tests.fakediscord import FakeDiscord, standard_guild

HERE = Path(__file__).resolve().parent
USERS = 50
CHANNELS = 5
ERROR_MARKERS = ("went wrong", "error id", "Traceback")


async def run(
    url: str, rate: float, seconds: float, workdir: Path, profile: Path | None = None
) -> dict[str, Any]:
    guild = standard_guild()
    members = [guild.add_plain_member(f"reader{i:02d}") for i in range(USERS)]
    channels = [guild.add_channel(f"room{i}") for i in range(CHANNELS)]
    async with FakeDiscord(guilds=[guild], heartbeat_interval=5.0) as fake:
        fake.set_global_rate_limit(50)  # Discord's global limit; interactions are exempt
        env = snapdata.bot_env(url, fake)
        log = open(snapdata.DATA / "load-run.log", "w")  # noqa: SIM115, ASYNC230
        command = [str(snapdata.SHORTBOT), "run"]
        if profile is not None:  # the same process under cProfile (bench/profiled.py)
            command = [sys.executable, str(HERE / "profiled.py"), str(profile), "run"]
        proc = subprocess.Popen(  # noqa: ASYNC220 - started once, before the measurement
            command, env=env, cwd=workdir, stdout=log, stderr=log
        )
        try:
            deadline = time.monotonic() + 120
            while not fake.commands(guild.id) and not fake.commands():
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit((snapdata.DATA / "load-run.log").read_text()[-3000:])
                await asyncio.sleep(0.2)
            await fake.wait_for_session(timeout=60)  # registered, and identified
            ids = sample_ids_sqlite(Path(make_url(url).database or ""), 2_000, seed=21)
            words = search_queries(1_000, seed=11)
            rng = random.Random(3)
            # warm-up: a few of each, answered before the clock starts
            for name, options in (
                ("summary", {"query": ids[0]}),
                ("search", {"words": words[0]}),
                ("latest", {}),
            ):
                sent = await fake.send_interaction(
                    name, user=members[0], channel=channels[0], options=options
                )
                await fake.wait_until(
                    lambda s=sent: fake.interaction(s.id).answer is not None,
                    timeout=30,
                    description="the warm-up answer",
                )
            rss_start = vm(proc.pid, "VmRSS")
            cpu_start = _cpu_seconds(proc.pid)
            total = int(rate * seconds)
            sent_at: list[tuple[int, int, float, str]] = []  # (interaction id, user, time, kind)
            rss_60 = None
            start = time.monotonic()
            for n in range(total):
                due = start + n / rate
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                roll = rng.random()
                if roll < 0.60:
                    name, options = "summary", {"query": rng.choice(ids)}
                elif roll < 0.85:
                    name, options = "search", {"words": rng.choice(words)}
                else:
                    name, options = "latest", {"count": rng.randint(1, 10)}
                user = n % USERS
                sent = await fake.send_interaction(
                    name, user=members[user], channel=channels[user % CHANNELS], options=options
                )
                sent_at.append((sent.id, user, time.monotonic(), name))
                if rss_60 is None and time.monotonic() - start >= 60:
                    rss_60 = vm(proc.pid, "VmRSS")
            sending = time.monotonic() - start
            # every answer, within 60 s of the last command
            wait_until = time.monotonic() + 60
            while time.monotonic() < wait_until:
                if all(fake.interaction(i).answer is not None for i, *_ in sent_at):
                    break
                await asyncio.sleep(0.5)
            rss_end, peak = vm(proc.pid, "VmRSS"), vm(proc.pid, "VmHWM")
            cpu_load = _cpu_seconds(proc.pid) - cpu_start
            latencies: dict[str, list[float]] = {}
            windows: dict[int, list[float]] = {}  # by 10 s of sending: is it falling behind?
            unanswered = errors = out_of_order = 0
            last_by_user: dict[int, float] = {}
            for interaction_id, user, at, name in sent_at:
                answer = fake.interaction(interaction_id).answer
                if answer is None:
                    unanswered += 1
                    continue
                text = json.dumps(answer.data)
                if any(marker in text for marker in ERROR_MARKERS):
                    errors += 1
                latencies.setdefault(name, []).append(answer.at - at)
                windows.setdefault(int((at - start) // 10), []).append(answer.at - at)
                if answer.at < last_by_user.get(user, 0.0):
                    out_of_order += 1
                last_by_user[user] = answer.at
            problems = fake.check_bot_payloads(require_no_pings=True)
            return {
                "commands": total,
                "sending_s": sending,
                "unanswered": unanswered,
                "errors": errors,
                "out_of_order": out_of_order,
                "payload_problems": len(problems),
                "latencies": latencies,
                "windows": windows,
                "rss_start_mb": rss_start / 1024,
                "rss_60s_mb": (rss_60 or rss_end) / 1024,
                "rss_end_mb": rss_end / 1024,
                "peak_mb": peak / 1024,
                "cpu_s": _cpu_seconds(proc.pid),
                # the bot's CPU from the first command to the last answer, per command
                "cpu_ms_per_command": cpu_load * 1000 / max(total, 1),
            }
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=100.0, help="commands per second")
    parser.add_argument("--seconds", type=float, default=100.0)
    parser.add_argument("--db", type=Path, help="another SQLite file (default: the 3 M one)")
    parser.add_argument("--profile", type=Path, help="write the bot's cProfile here")
    args = parser.parse_args()
    if args.db is not None and not args.db.is_file():
        parser.error(f"--db {args.db}: no such file")
    # absolute: the bot runs in a temporary directory, where a relative path would be another
    # (new, empty) database
    url = f"sqlite+aiosqlite:///{args.db.resolve()}" if args.db else snapdata.sqlite_url()
    with tempfile.TemporaryDirectory() as tmp:
        result = asyncio.run(run(url, args.rate, args.seconds, Path(tmp), args.profile))
    every = [x for values in result["latencies"].values() for x in values]
    print(
        f"{result['commands']:,} commands at {args.rate:.0f}/s ({result['sending_s']:.1f} s): "
        f"unanswered {result['unanswered']}, errors {result['errors']}, "
        f"out of order {result['out_of_order']}, payload problems {result['payload_problems']}"
    )
    print(
        f"handling latency: p50 {pct(every, 0.5):.1f} ms, p99 {pct(every, 0.99):.1f} ms, "
        f"max {max(every) * 1000:.1f} ms"
    )
    for name, values in sorted(result["latencies"].items()):
        print(
            f"  {name}: {len(values):,}, p50 {pct(values, 0.5):.1f} ms, "
            f"p99 {pct(values, 0.99):.1f} ms"
        )
    print(
        f"RSS: {result['rss_start_mb']:.0f} MB after warm-up, {result['rss_60s_mb']:.0f} MB at "
        f"60 s, {result['rss_end_mb']:.0f} MB at the end; peak {result['peak_mb']:.0f} MB; "
        f"CPU {result['cpu_s']:.1f} s in all, {result['cpu_ms_per_command']:.2f} ms per command"
    )
    print(
        "p50 by 10 s of sending: "
        + ", ".join(f"{pct(v, 0.5):.0f}" for _, v in sorted(result["windows"].items()))
        + " ms"
    )
    summary = {k: v for k, v in result.items() if k not in ("latencies", "windows")}
    summary.update(p50_ms=pct(every, 0.5), p99_ms=pct(every, 0.99), max_ms=max(every) * 1000)
    (snapdata.DATA / "load.json").write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    main()
