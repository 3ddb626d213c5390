"""When things happen: digest schedules as maintainers type them, and arXiv's announcement days.

Pure and stdlib only. ``parse_when`` turns "daily 09:00", "weekdays 18:30", "weekly mon 09:00",
"hourly" or a five-field cron expression (standard cron: weekday 0 or 7 is Sunday), optionally
followed by a time zone, into a ``When``: a normalised five-field cron string whose weekday
field uses names (``mon-fri``), so no scheduler can misread numbers, and an IANA zone. Field
ranges are checked here; the application asks its scheduler library to build the trigger too.

arXiv announces new listings once a day, around midnight US Eastern, on the nights from Sunday
to Thursday (so Monday to Friday mornings, Eastern time), and not on its holidays.
``listing_poll_days`` / ``is_announcement_day`` tell whether a listing can have changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from papers.errors import UserError

EXAMPLES = "'daily 09:00', 'weekdays 18:30', 'weekly mon 09:00', 'hourly' or a cron expression"
CRON_HELP = "MINUTE HOUR DAY-OF-MONTH MONTH DAY-OF-WEEK, e.g. '0 9 * * mon-fri'"
DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_DAY_NAMES = {
    **{d: d for d in DAYS},
    "sunday": "sun",
    "monday": "mon",
    "tuesday": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "friday": "fri",
    "saturday": "sat",
}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_FIELDS = (  # name, low, high
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 7),
)
MAX_TEXT = 200

# arXiv: listings change around midnight US Eastern, Monday to Friday mornings.
ARXIV_ZONE = "America/New_York"
ARXIV_POLL_CRON = "30 0,2 * * mon-fri"  # 00:30 and again 02:30 Eastern (a late mailing)
# arXiv's announced holidays (no mailing that night): https://info.arxiv.org/help/availability
ARXIV_HOLIDAYS: frozenset[date] = frozenset(
    {
        date(2025, 1, 1),
        date(2025, 5, 26),
        date(2025, 6, 19),
        date(2025, 7, 4),
        date(2025, 9, 1),
        date(2025, 11, 27),
        date(2025, 12, 25),
        date(2025, 12, 26),
        date(2026, 1, 1),
        date(2026, 5, 25),
        date(2026, 6, 19),
        date(2026, 7, 3),
        date(2026, 9, 7),
        date(2026, 11, 26),
        date(2026, 12, 25),
        date(2027, 1, 1),
    }
)


class BadSchedule(UserError):
    """What was typed is not a schedule; the message says why and what would be."""


@dataclass(frozen=True, slots=True)
class When:
    """A schedule: a five-field cron expression (weekdays by name) in a time zone."""

    cron: str
    timezone: str = "UTC"

    def describe(self) -> str:
        minute, hour, dom, month, dow = self.cron.split()
        if dom == month == "*" and minute.isdigit() and hour.isdigit():
            at = f"{int(hour):02d}:{int(minute):02d}"
            if dow == "*":
                return f"daily {at} {self.timezone}"
            if dow == "mon-fri":
                return f"weekdays {at} {self.timezone}"
            if dow in DAYS:
                return f"weekly {dow} {at} {self.timezone}"
        if self.cron == "0 * * * *":
            return f"hourly ({self.timezone})"
        return f"cron '{self.cron}' {self.timezone}"


@dataclass(frozen=True, slots=True)
class Schedule:
    """A destination's digest schedule as stored."""

    destination: str
    when: When
    paused: bool
    updated_at: datetime
    updated_by: str | None = None
    last_run_at: datetime | None = None


def check_timezone(name: str) -> str:
    """The IANA zone ``name`` (case as in the database), or BadSchedule."""
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 64:
        raise BadSchedule("a time zone is a name such as Europe/Berlin or UTC")
    try:
        ZoneInfo(cleaned)
        return cleaned
    except (ZoneInfoNotFoundError, ValueError):
        folded = {z.casefold(): z for z in available_timezones()}
        if cleaned.casefold() in folded:
            return folded[cleaned.casefold()]
        raise BadSchedule(
            f"{cleaned[:40]!r} is not a time zone (use a name such as Europe/Berlin or UTC)"
        ) from None


def _looks_like_zone(token: str) -> bool:
    return "/" in token or token.upper() in ("UTC", "GMT") or token.casefold() == "utc"


def parse_when(text: str, timezone: str | None = None, *, default_zone: str = "UTC") -> When:
    """``daily 09:00 Europe/Berlin`` → When("0 9 * * *", "Europe/Berlin"); BadSchedule with an
    explanation otherwise. ``timezone`` given apart wins over one at the end of ``text``."""
    if len(text) > MAX_TEXT:
        raise BadSchedule(f"a schedule is at most {MAX_TEXT} characters")
    words = text.split()
    if not words:
        raise BadSchedule(f"say when: {EXAMPLES}")
    zone = timezone
    if zone is None and len(words) > 1 and _looks_like_zone(words[-1]):
        zone = words.pop()
    zone = check_timezone(zone or default_zone)
    head = words[0].casefold()
    if head == "cron":
        words = words[1:]
        head = words[0].casefold() if words else ""
    return When(_cron_of(words, head), zone)


def _at(word: str) -> tuple[int, int]:
    match = _TIME.match(word)
    if not match:
        raise BadSchedule(f"{word[:20]!r} is not a time of day (HH:MM, 24-hour, e.g. 09:00)")
    return int(match.group(1)), int(match.group(2))


def _cron_of(words: list[str], head: str) -> str:
    if head == "hourly" and len(words) == 1:
        return "0 * * * *"
    if head in ("daily", "weekdays") and len(words) == 2:
        hour, minute = _at(words[1])
        return f"{minute} {hour} * * {'*' if head == 'daily' else 'mon-fri'}"
    if head == "weekly" and len(words) == 3:
        day = _DAY_NAMES.get(words[1].casefold())
        if day is None:
            raise BadSchedule(f"{words[1][:20]!r} is not a day (mon, tue, … sun)")
        hour, minute = _at(words[2])
        return f"{minute} {hour} * * {day}"
    if len(words) == 5:
        return normalise_cron(" ".join(words))
    if head in ("daily", "weekdays", "weekly", "hourly"):
        raise BadSchedule(f"'{head}' takes {_USAGE[head]}")
    raise BadSchedule(f"{' '.join(words)[:60]!r} is not a schedule: use {EXAMPLES} ({CRON_HELP})")


_USAGE = {
    "daily": "a time: 'daily 09:00'",
    "weekdays": "a time: 'weekdays 09:00'",
    "weekly": "a day and a time: 'weekly mon 09:00'",
    "hourly": "nothing more: 'hourly'",
}


def normalise_cron(expression: str) -> str:
    """A five-field cron expression checked field by field, its weekdays given by name."""
    fields = expression.split()
    if len(fields) != 5:
        raise BadSchedule(
            f"a cron expression has 5 fields ({CRON_HELP}); {expression[:60]!r} has {len(fields)}"
        )
    out = []
    for value, (name, low, high) in zip(fields, _FIELDS, strict=True):
        out.append(_field(value.casefold(), name, low, high))
    return " ".join(out)


def _field(value: str, name: str, low: int, high: int) -> str:
    parts = []
    for part in value.split(","):
        base, _, step = part.partition("/")
        if step and (not step.isdigit() or int(step) == 0):
            raise BadSchedule(f"{name}: the step in {part!r} must be a whole number above 0")
        if base == "*":
            parts.append(part)
            continue
        start, dash, end = base.partition("-")
        numbers = [_number(x, name, low, high) for x in ((start, end) if dash else (start,))]
        if dash and numbers[0] > numbers[1]:
            raise BadSchedule(f"{name}: the range {base!r} runs backwards")
        if name == "day of week":
            names = [DAYS[n % 7] for n in numbers]
            if dash and numbers[1] == 7 and numbers[0] > 0:  # "5-7": fri-sat plus sunday
                parts.append(f"{names[0]}-sat,sun" if not step else part)
                continue
            text = "-".join(names)
        else:
            text = "-".join(str(n) for n in numbers)
        parts.append(text + (f"/{step}" if step else ""))
    return ",".join(parts)


def _number(text: str, name: str, low: int, high: int) -> int:
    if name == "day of week" and text in _DAY_NAMES:
        return DAYS.index(_DAY_NAMES[text])
    if name == "month" and text[:3] in _MONTHS and len(text) == 3:
        return _MONTHS.index(text) + 1
    if not text.isdigit():
        raise BadSchedule(f"{name}: {text[:20]!r} is not a number")
    number = int(text)
    if not low <= number <= high:
        raise BadSchedule(f"{name}: {number} is outside {low}–{high}")
    return number


# ---------------------------------------------------------------------- arXiv's calendar


def is_announcement_day(day: date, holidays: frozenset[date] = ARXIV_HOLIDAYS) -> bool:
    """Whether arXiv's listings change on the morning of ``day`` (US Eastern): Monday to
    Friday, unless the day before was an arXiv holiday (no mailing that evening)."""
    if day.weekday() >= 5:
        return False
    return (day - timedelta(days=1)) not in holidays


def listing_poll_due(
    now: datetime,
    last_poll: datetime | None,
    last_result: str | None,
    holidays: frozenset[date] = ARXIV_HOLIDAYS,
) -> bool:
    """Whether a scheduled poll of an arXiv listing is worth making at ``now``: never polled;
    or an announcement morning (US Eastern) whose listing has not been read yet (no poll since
    midnight Eastern that got something: an error, "not modified" or "unchanged" leaves it
    due, for the later poll of the same morning). Weekends and holidays: not due, no noise."""
    if last_poll is None:
        return True
    eastern = ZoneInfo(ARXIV_ZONE)
    today = now.astimezone(eastern)
    if not is_announcement_day(today.date(), holidays):
        return False
    midnight = today.replace(hour=0, minute=0, second=0, microsecond=0)
    read_today = last_poll.astimezone(eastern) >= midnight and not (last_result or "").startswith(
        ("error", "not modified", "unchanged")
    )
    return not read_today
