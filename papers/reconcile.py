"""Looking for a post on a platform whose reads lag its writes.

X's timeline, a Page's feed and a channel's history are eventually consistent: a post the
platform has stored may be missing from what it reads back for a few seconds. A post whose
send had started (a crash may have cut it off after the platform took it) is therefore looked
for more than once before anything is sent again: at its send's start + 0, 1, 2, 4, 8 … s, up
to the destination's window (``DeliveryPolicy.reconcile_window_seconds``) past that start. A
send that started long ago (a restart an hour after the crash) needs one look only: whatever the
platform stored then, it reads back now.

The schedule is computed once from the start and the current time, and waited out with the
delivery's ``sleep``: it never depends on the clock moving during the waits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from papers.publishing import Post, Sent

Sleep = Callable[[float], Awaitable[None]]
Find = Callable[[Post], Awaitable[Sent | None]]


def look_times(elapsed: float, window: float, first_wait: float) -> list[float]:
    """When to look, in seconds after the send started, for a look starting ``elapsed`` s
    after it: now, then at ``first_wait``·2^k past the start while within ``window``, and at
    the window's end. ``first_wait`` ≤ 0 or a window already past: now only."""
    times = [max(0.0, elapsed)]
    if first_wait <= 0 or window <= elapsed:
        return times
    step = first_wait
    while step < window:
        if step > times[-1]:
            times.append(step)
        step *= 2
    if window > times[-1]:
        times.append(window)
    return times


async def look_for(
    find: Find,
    post: Post,
    *,
    started: datetime | None,
    now: datetime,
    window: float,
    first_wait: float,
    sleep: Sleep,
) -> Sent | None:
    """``post`` as the platform reads it back, looking along :func:`look_times`; None when it
    is not there by the end of the window. ``started``: when its send started (None: long ago,
    so one look). Raises what ``find`` raises."""
    elapsed = window if started is None else max(0.0, (now - started).total_seconds())
    at = elapsed
    for when in look_times(elapsed, window, first_wait):
        if when > at:
            await sleep(when - at)
            at = when
        found = await find(post)
        if found is not None:
            return found
    return None
