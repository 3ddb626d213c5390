"""Proactive pacing of requests: a rate limiter that makes callers wait their turn.

:class:`RateLimiter` is a token bucket in its GCRA form (one number of state: the time the
next request may go): on average at most ``rate`` requests a second, with bursts of at most
``burst``. A request reserves its slot synchronously, then sleeps until it (no lock, so one
limiter can be shared by every task of the process, whatever event loop it runs on); a
cancelled waiter's slot is simply lost, which errs on the slow side. The clock and the sleep
are injectable, for tests.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class RateLimiter:
    """At most ``rate`` acquisitions a second on average, ``burst`` at once."""

    def __init__(
        self,
        rate: float,
        *,
        burst: int = 1,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a rate limiter needs rate > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.sleep = sleep
        self._interval = 1.0 / rate
        self._tolerance = (burst - 1) * self._interval
        self._next = float("-inf")  # GCRA's theoretical arrival time
        self.acquired = 0
        self.waited = 0.0  # seconds of waiting handed out, in all

    def reserve(self) -> float:
        """Take the next slot; how long to wait for it (0: go now)."""
        now = self.clock()
        start = max(now, self._next - self._tolerance)
        self._next = max(self._next, start) + self._interval
        self.acquired += 1
        delay = start - now
        self.waited += delay
        return delay

    async def acquire(self) -> None:
        """Wait for this request's turn."""
        delay = self.reserve()
        if delay > 0:
            await self.sleep(delay)
