"""Run every benchmark in bench/ (each ``bench/bench_*.py``, in name order), one after another.

Each records its row in BENCHMARKS.md (bench/report.py). Exit status 1 if any benchmark
failed to run (a missed target is in its row, not an error here).

    uv run --no-sync python bench/run_all.py [NAME_FILTER]
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def main() -> int:
    wanted = sys.argv[1] if len(sys.argv) > 1 else ""
    scripts = sorted(p for p in BENCH.glob("bench_*.py") if wanted in p.stem)
    failed = []
    for script in scripts:
        print(f"=== {script.name}", flush=True)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, str(script)], cwd=BENCH.parent, check=False)
        print(f"=== {script.name}: exit {done.returncode} in {time.perf_counter() - start:.0f} s")
        if done.returncode:
            failed.append(script.name)
    if failed:
        print(f"failed to run: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
