"""How configuration values are read: durations ("15m"), a top digest's window ("7d"), and
lists of categories, keywords and names read as ``subscribe`` reads them (``bot.settings``
declares where each is used)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

from papers import subscriptions as rules
from papers import top

_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d)?\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _seconds(value: Any, *, minimum: int, too_short: str) -> int:
    if isinstance(value, bool):
        raise ValueError("expected a duration like '15m'")
    if isinstance(value, int):
        seconds = value
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(f"{value!r} is not a duration like '90s', '15m', '2h' or '1d'")
        seconds = int(match.group(1)) * _UNITS[(match.group(2) or "s").lower()]
    if seconds < minimum:
        raise ValueError(too_short)
    return seconds


def parse_duration(value: Any) -> int:
    """Seconds from ``900``, ``"90s"``, ``"15m"``, ``"2h"`` or ``"1d"``: a poll interval."""
    return _seconds(value, minimum=60, too_short="a poll interval must be at least one minute")


Duration = Annotated[int, BeforeValidator(parse_duration)]


def parse_seconds(value: Any) -> int:
    """Like ``parse_duration`` ("30s", "15m" …), down to one second."""
    return _seconds(value, minimum=1, too_short="a duration must be at least one second")


Seconds = Annotated[int, BeforeValidator(parse_seconds)]


def _each(parse: Callable[[str], str | None], what: str) -> AfterValidator:
    """Every entry of a list read as ``subscribe`` reads it (``papers.subscriptions``)."""

    def check(values: list[str]) -> list[str]:
        out = []
        for value in values:
            parsed = parse(value)  # BadSubscription is a ValueError: pydantic reports it
            if parsed is None:
                raise ValueError(f"{value!r} is not {what}")
            out.append(parsed)
        return out

    return AfterValidator(check)


Names = Annotated[list[str], _each(rules.author, "a name")]
Keywords = Annotated[list[str], _each(rules.keyword, "keywords")]
Categories = Annotated[list[str], _each(rules.category, "an arXiv category such as cs.CV")]


def _window(value: Any) -> timedelta:
    """A top digest's window: ``"7d"``, ``"24h"`` (``papers.top``)."""
    if not isinstance(value, str):
        raise ValueError(f"expected {top.WORDS}, in quotes")
    return top.parse_window(value)  # BadWindow is a ValueError: pydantic reports it


Window = Annotated[timedelta, BeforeValidator(_window)]
