"""The parsing half of ``shortbot import arxiv-metadata``, run in a process of its own.

Parsing a snapshot line (``json.loads``, the fields, the row) costs about as much Python time
as SQLite needs to store it; in one process both compete for the GIL and the import runs at
the speed of one core. So large files are parsed here, in a worker process (spawned, SIGINT
and SIGTERM ignored: the importing process decides when to stop), which gets raw lines and
sends back ready rows; the importing process only reads lines and writes rows.
"""

from __future__ import annotations

import signal
from datetime import datetime
from typing import Any

from sources.snapshot import BadLine, parse_line
from storage.bulk_rows import rows_for


def ignore_signals() -> None:
    """The worker's initializer: Ctrl-C reaches the whole process group, but only the
    importing process decides how to stop (it finishes the batch and commits)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def parse_rows(
    lines: list[bytes], dialect: str, now: datetime
) -> tuple[list[tuple[Any, ...]], list[int]]:
    """The rows of the good lines, in order, and the indexes of the bad ones."""
    papers, bad = [], []
    for index, line in enumerate(lines):
        try:
            papers.append(parse_line(line))
        except BadLine:
            bad.append(index)
    return rows_for(dialect, papers, now), bad
