"""Write benchmark results into BENCHMARKS.md at the repository root, one row per benchmark.

Shared by every benchmark in bench/: ``record(name, ...)`` replaces the row whose first cell is
``name`` (or appends it) and keeps every other row, so benchmarks written by different people
land in one table. The machine (cores, memory) and the date go in each row; the header lines
above the table are kept as they are.

The signature of ``record`` is stable: other benchmarks call it.
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import os
import platform
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "BENCHMARKS.md"

HEADER = "| benchmark | measure | result | target | met | baseline | machine | date | command |"
RULE = "|---|---|---|---|---|---|---|---|---|"
INTRO = (
    "# Benchmarks\n\n"
    "Written by the scripts in `bench/` (`bench/report.py`); each row is the latest run of its "
    "benchmark. Data is generated (never committed) under `bench/.data/`.\n\n"
)


def machine() -> str:
    """``2 cores, 23.4 GB, Linux x86_64`` — what the figures were measured on."""
    cores = os.cpu_count() or 0
    mem = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem = f", {int(line.split()[1]) / 1024 / 1024:.1f} GB"
                    break
    except OSError:
        pass
    return f"{cores} cores{mem}, {platform.system()} {platform.machine()}"


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ").strip()


def record(
    name: str,
    measure: str,
    result: str,
    target: str,
    baseline: str,
    command: str,
    met: bool,
) -> None:
    """Insert or replace the row of ``name`` in BENCHMARKS.md, keeping the other rows."""
    row = "| " + " | ".join(
        _cell(c)
        for c in (
            name,
            measure,
            result,
            target,
            "yes" if met else "**no**",
            baseline,
            machine(),
            _dt.date.today().isoformat(),  # noqa: DTZ011 - the local date of the run
            f"`{command}`",
        )
    )
    row += " |"
    with open(BENCHMARKS.with_suffix(".md.lock"), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two benchmarks finishing at once keep both rows
        text = BENCHMARKS.read_text(encoding="utf-8") if BENCHMARKS.exists() else INTRO
        lines = text.splitlines()
        if HEADER not in lines:
            if lines and lines[-1].strip():
                lines.append("")
            lines += [HEADER, RULE]
        start = lines.index(HEADER) + 2
        end = start
        while end < len(lines) and lines[end].startswith("|"):
            end += 1
        rows = lines[start:end]
        key = "| " + _cell(name) + " |"
        for i, existing in enumerate(rows):
            if existing.startswith(key):
                rows[i] = row
                break
        else:
            rows.append(row)
        lines[start:end] = rows
        tmp = BENCHMARKS.with_suffix(".md.tmp")
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        tmp.replace(BENCHMARKS)
    print(f"BENCHMARKS.md: {name}: {result} (target {target}; baseline {baseline})")
