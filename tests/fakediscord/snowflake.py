"""Discord snowflakes: 64-bit ids whose top 42 bits are milliseconds since the Discord epoch."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime

DISCORD_EPOCH_MS = 1_420_070_400_000
_WORKER_ID = 1
_PROCESS_ID = 0


class SnowflakeGenerator:
    """Strictly increasing snowflakes, so "newer" always means "larger" (as on Discord)."""

    def __init__(self) -> None:
        self._last = 0
        self._increment = itertools.count()

    def __call__(self) -> int:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        candidate = (ms << 22) | (_WORKER_ID << 17) | (_PROCESS_ID << 12)
        candidate |= next(self._increment) & 0xFFF
        value = max(candidate, self._last + 1)
        self._last = value
        return value


new_snowflake = SnowflakeGenerator()
"""The process-wide generator: every id the fake hands out comes from here, so none repeats."""


def snowflake_time(snowflake: int) -> datetime:
    """When a snowflake was created."""
    return datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, UTC)


def iso(moment: datetime) -> str:
    """Discord's ISO 8601 timestamps: ``2025-01-02T03:04:05.678000+00:00``."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
