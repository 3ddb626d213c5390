"""Process metrics in the Prometheus text exposition format (version 0.0.4), hand-written.

One module-level registry, ``REGISTRY``, holds the counters and histograms the code updates
(polls, ingested entries, deliveries, Discord commands); ``/metrics`` adds the gauges computed
at scrape time from the database (queue sizes) and renders everything. ``REGISTRY.reset()``
zeroes every metric (tests).

Only the event loop updates these (no locking is needed; parsing threads never touch them).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Discord commands: most answer from the database in milliseconds; arXiv lookups take seconds.
COMMAND_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:")

LabelValues = tuple[str, ...]


def format_value(value: float) -> str:
    """A sample value as Prometheus writes it: integers without a fraction, ±Inf, NaN."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(float(value))


def escape_label_value(value: str) -> str:
    return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")


def escape_help(text: str) -> str:
    return text.replace("\\", r"\\").replace("\n", r"\n")


def _labels(names: Sequence[str], values: Sequence[str]) -> str:
    if not names:
        return ""
    pairs = ",".join(f'{n}="{escape_label_value(v)}"' for n, v in zip(names, values, strict=True))
    return "{" + pairs + "}"


def _check_name(name: str) -> None:
    if not name or name[0].isdigit() or not set(name) <= _NAME_CHARS:
        raise ValueError(f"{name!r} is not a valid metric or label name")


@dataclass
class _Metric:
    name: str
    help: str
    labelnames: tuple[str, ...] = ()

    kind = "untyped"

    def __post_init__(self) -> None:
        _check_name(self.name)
        for label in self.labelnames:
            _check_name(label)
            if label == "le" or label.startswith("__"):
                raise ValueError(f"{label!r} is a reserved label name")

    def _key(self, labels: dict[str, str]) -> LabelValues:
        if set(labels) != set(self.labelnames):
            raise ValueError(f"{self.name} takes the labels {self.labelnames}, got {tuple(labels)}")
        return tuple(str(labels[n]) for n in self.labelnames)

    def header(self) -> list[str]:
        return [f"# HELP {self.name} {escape_help(self.help)}", f"# TYPE {self.name} {self.kind}"]

    def samples(self) -> list[str]:
        raise NotImplementedError

    def reset(self) -> None:
        raise NotImplementedError

    def render(self) -> list[str]:
        return self.header() + self.samples()


@dataclass
class Counter(_Metric):
    """A monotonically increasing count; the name ends in ``_total``."""

    values: dict[LabelValues, float] = field(default_factory=dict)
    declared: set[LabelValues] = field(default_factory=set)
    kind = "counter"

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.name.endswith("_total"):
            raise ValueError(f"counter {self.name!r} must end in _total")

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        if amount < 0:
            raise ValueError("a counter only goes up")
        key = self._key(labels)
        self.values[key] = self.values.get(key, 0.0) + amount

    def declare(self, **labels: str) -> Counter:
        """Show this series at 0 before it first counts (and again after a reset)."""
        key = self._key(labels)
        self.declared.add(key)
        self.values.setdefault(key, 0.0)
        return self

    def get(self, **labels: str) -> float:
        return self.values.get(self._key(labels), 0.0)

    def samples(self) -> list[str]:
        return [
            f"{self.name}{_labels(self.labelnames, key)} {format_value(value)}"
            for key, value in sorted(self.values.items())
        ]

    def reset(self) -> None:
        self.values = dict.fromkeys(self.declared, 0.0)


@dataclass
class Gauge(_Metric):
    """A value that goes up and down; ``set_all`` replaces every series (scrape-time gauges)."""

    values: dict[LabelValues, float] = field(default_factory=dict)
    kind = "gauge"

    def set(self, value: float, **labels: str) -> None:
        self.values[self._key(labels)] = float(value)

    def set_all(self, series: Iterable[tuple[dict[str, str], float]]) -> None:
        self.values = {self._key(labels): float(value) for labels, value in series}

    def get(self, **labels: str) -> float | None:
        return self.values.get(self._key(labels))

    def samples(self) -> list[str]:
        return [
            f"{self.name}{_labels(self.labelnames, key)} {format_value(value)}"
            for key, value in sorted(self.values.items())
        ]

    def reset(self) -> None:
        self.values.clear()


@dataclass
class _Series:
    buckets: list[int]
    sum: float = 0.0
    count: int = 0


@dataclass
class Histogram(_Metric):
    """Observations counted in cumulative buckets (``le``), with their sum and count."""

    buckets: tuple[float, ...] = COMMAND_BUCKETS
    series: dict[LabelValues, _Series] = field(default_factory=dict)
    kind = "histogram"

    def __post_init__(self) -> None:
        super().__post_init__()
        bounds = [b for b in self.buckets if not math.isinf(b)]
        if not bounds or bounds != sorted(set(bounds)):
            raise ValueError("histogram buckets must be increasing")
        self.buckets = (*bounds, math.inf)

    def observe(self, value: float, **labels: str) -> None:
        key = self._key(labels)
        series = self.series.get(key)
        if series is None:
            series = self.series[key] = _Series([0] * len(self.buckets))
        for i, bound in enumerate(self.buckets):
            if value <= bound:
                series.buckets[i] += 1
                break
        series.sum += value
        series.count += 1

    def count(self, **labels: str) -> int:
        series = self.series.get(self._key(labels))
        return series.count if series else 0

    def samples(self) -> list[str]:
        out = []
        for key, series in sorted(self.series.items()):
            cumulative = 0
            for bound, hits in zip(self.buckets, series.buckets, strict=True):
                cumulative += hits
                names, values = (*self.labelnames, "le"), (*key, format_value(bound))
                out.append(f"{self.name}_bucket{_labels(names, values)} {cumulative}")
            labels = _labels(self.labelnames, key)
            out.append(f"{self.name}_sum{labels} {format_value(series.sum)}")
            out.append(f"{self.name}_count{labels} {series.count}")
        return out

    def reset(self) -> None:
        self.series.clear()


class Registry:
    def __init__(self) -> None:
        self._metrics: dict[str, _Metric] = {}

    def _add(self, metric: _Metric) -> None:
        if metric.name in self._metrics:
            raise ValueError(f"metric {metric.name} is registered already")
        self._metrics[metric.name] = metric

    def counter(self, name: str, help: str, labelnames: Sequence[str] = ()) -> Counter:
        metric = Counter(name, help, tuple(labelnames))
        self._add(metric)
        return metric

    def gauge(self, name: str, help: str, labelnames: Sequence[str] = ()) -> Gauge:
        metric = Gauge(name, help, tuple(labelnames))
        self._add(metric)
        return metric

    def histogram(
        self,
        name: str,
        help: str,
        labelnames: Sequence[str] = (),
        buckets: Sequence[float] = COMMAND_BUCKETS,
    ) -> Histogram:
        metric = Histogram(name, help, tuple(labelnames), tuple(buckets))
        self._add(metric)
        return metric

    def reset(self) -> None:
        """Zero every metric (the registrations stay)."""
        for metric in self._metrics.values():
            metric.reset()

    def render(self) -> str:
        lines: list[str] = []
        for metric in self._metrics.values():
            lines += metric.render()
        return "\n".join(lines) + "\n"


REGISTRY = Registry()

POLLS = REGISTRY.counter(
    "shortbot_polls_total",
    "Feed polls by result: ok (parsed and stored), unchanged (304 or same body), failed "
    "(the feed's fault, recorded on it), error (shortbot's fault).",
    ["result"],
)
ENTRIES = REGISTRY.counter(
    "shortbot_entries_ingested_total",
    "Feed entries stored by polls, by kind: new or updated.",
    ["kind"],
)
DELIVERIES = REGISTRY.counter(
    "shortbot_deliveries_total",
    "Digest items by destination and result: sent, failed (refused for good), pending "
    "(left in the ledger for the next run).",
    ["destination", "result"],
)
COMMANDS = REGISTRY.counter(
    "shortbot_commands_total",
    "Discord commands by name and result: ok, error (raised while running), rejected "
    "(refused before running: checks, usage, cooldown).",
    ["command", "result"],
)
COMMAND_SECONDS = REGISTRY.histogram(
    "shortbot_command_duration_seconds",
    "Time spent running Discord commands, by command name.",
    ["command"],
)
# Computed at scrape time from the database (bot.health).
DATABASE_UP = REGISTRY.gauge(
    "shortbot_database_up", "1 when the database answered the scrape's queries, else 0."
)
PENDING_POSTS = REGISTRY.gauge(
    "shortbot_ledger_pending_posts",
    "Posts recorded in the delivery ledger and not settled yet, by destination.",
    ["destination"],
)
PENDING_ROWS = REGISTRY.gauge(
    "shortbot_ledger_pending_deliveries",
    "Items in the delivery ledger waiting to be sent, by destination.",
    ["destination"],
)
FEEDS_DUE = REGISTRY.gauge(
    "shortbot_feeds_due", "Active feeds whose next poll time has come (or that were never polled)."
)
LAST_SUCCESSFUL_POLL = REGISTRY.gauge(
    "shortbot_last_successful_poll_timestamp_seconds",
    "Unix time of the latest successful feed poll (absent before the first one).",
)


for _result in ("ok", "unchanged", "failed", "error"):
    POLLS.declare(result=_result)
for _kind in ("new", "updated"):
    ENTRIES.declare(kind=_kind)


def record_poll(result: str, *, new: int = 0, updated: int = 0) -> None:
    POLLS.inc(result=result)
    if new:
        ENTRIES.inc(new, kind="new")
    if updated:
        ENTRIES.inc(updated, kind="updated")


def record_delivery(destination: str, *, sent: int, failed: int, pending: int) -> None:
    for result, count in (("sent", sent), ("failed", failed), ("pending", pending)):
        if count:
            DELIVERIES.inc(count, destination=destination, result=result)


def record_command(command: str, result: str, seconds: float | None) -> None:
    COMMANDS.inc(command=command, result=result)
    if seconds is not None:
        COMMAND_SECONDS.observe(seconds, command=command)
