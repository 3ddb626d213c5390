"""Top digests: a destination whose digest is the best-voted summaries first seen within a
window ending at each run ("the week's best"), rather than everything new.

The words, in the configuration (``kind = "top"``, ``window = "7d"``) and in the maintainers'
command alike: a window is a whole number of hours, days or weeks (``24h``, ``7d``, ``2w``),
from one hour to a year. Times are passed in: this module has no clock.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta

from papers.errors import UserError
from papers.model import Subscription, SubscriptionKind

NEW = "new"
TOP = "top"
KINDS = (NEW, TOP)
DEFAULT_WINDOW = timedelta(days=7)
# a top digest's length when its destination sets no max items
TOP_ITEMS = 10
SHORTEST = timedelta(hours=1)
LONGEST = timedelta(days=366)
_WINDOW = re.compile(r"^\s*(\d{1,6})\s*(h|d|w)\s*$", re.IGNORECASE)
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
WORDS = "a window such as 24h, 7d or 30d (hours, days or weeks)"


class BadWindow(UserError):
    """What was typed is not a window (``7d``, ``24h``); says why."""


class BadKind(UserError):
    """A digest kind other than ``new`` or ``top``."""


def parse_window(text: str) -> timedelta:
    """``7d`` → 7 days, ``24h``, ``2w``; between an hour and a year."""
    match = _WINDOW.match(text)
    if not match:
        raise BadWindow(f"{text.strip()[:20]!r} is not {WORDS}")
    window = int(match.group(1)) * _UNITS[match.group(2).lower()]
    if not SHORTEST <= window <= LONGEST:
        raise BadWindow(f"a window is between 1h and 366d, not {text.strip()!r}")
    return window


def parse_kind(text: str) -> str:
    kind = text.strip().lower()
    if kind not in KINDS:
        raise BadKind(f"{text.strip()[:20]!r} is not a kind of digest: new or top")
    return kind


def window_text(window: timedelta) -> str:
    """A window in the words it is typed in: ``7d``, ``24h`` (whole days beyond one)."""
    hours = int(window.total_seconds()) // 3600
    return f"{hours // 24}d" if hours % 24 == 0 and hours > 24 else f"{hours}h"


def _span(window: timedelta) -> str:
    """``24 hours``, ``30 days``: the window in words."""
    text = window_text(window)
    count = int(text[:-1])
    return f"{count} {'hour' if text.endswith('h') else 'day'}" + ("" if count == 1 else "s")


def heading(window: timedelta) -> str:
    """A top digest's heading, on every platform: "The week's best summaries" (7 days),
    "The best summaries of the last 24 hours" …"""
    if window == timedelta(days=7):
        return "The week's best summaries"
    return f"The best summaries of the last {_span(window)}"


def rule(window: timedelta) -> tuple[SubscriptionKind, str]:
    """The stored rule that makes a subscribed channel's digest a top digest."""
    return SubscriptionKind.TOP, window_text(window)


def window_of(rules: Sequence[Subscription]) -> timedelta | None:
    """A subscribed channel's top window (its ``top`` rule); None: a digest of what is new."""
    for held in rules:
        if held.kind is SubscriptionKind.TOP:
            return parse_window(held.value)
    return None
