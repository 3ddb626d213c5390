"""Process metrics for ``/metrics``, kept and written by prometheus_client.

``REGISTRY`` is shortbot's own registry, not prometheus_client's global one (two apps or a test
run in one process do not collide). The code counts through ``record_*`` (polls, ingested
entries, deliveries, Discord commands); ``bot.health`` sets the gauges from the database at
each scrape and serves ``REGISTRY.render()``. ``REGISTRY.reset()`` zeroes everything (tests).

The text keeps what dashboards and alerts were written against (the hand-written exposition
of issue 6): no ``*_created`` series, buckets as ``le="1"`` rather than ``le="1.0"``
(Prometheus 2 compares ``le`` as a string), and a gauge without a value has no sample.
Values are written the way prometheus_client writes them (``2.0``, ``1.7954244e+09``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

import prometheus_client as prom
from prometheus_client.samples import Sample

# What generate_latest writes (prometheus_client's CONTENT_TYPE_LATEST says version=1.0.0).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Discord commands: most answer from the database in milliseconds; arXiv lookups take seconds.
COMMAND_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

Labels = dict[str, str]
M = TypeVar("M", prom.Counter, prom.Gauge, prom.Histogram)


class Registry(prom.CollectorRegistry):
    def __init__(self) -> None:
        super().__init__()
        self.metrics: list[_Metric[Any]] = []
        self.unset: set[str] = set()  # gauges not set since their reset: no sample

    def collect(self) -> Iterator[prom.Metric]:
        for family in super().collect():
            family.samples = [
                _plain_le(sample)
                for sample in family.samples
                if family.name not in self.unset and sample.name != f"{family.name}_created"
            ]
            yield family

    def render(self) -> str:
        return prom.generate_latest(self).decode()

    def reset(self) -> None:
        """Zero every metric (the registrations stay)."""
        for metric in self.metrics:
            metric.reset()

    def counter(self, name: str, help: str, labelnames: Sequence[str]) -> Counter:
        """``name`` without ``_total``: prometheus_client appends it in the text."""
        return Counter(prom.Counter(name, help, labelnames, registry=self), self, f"{name}_total")

    def gauge(self, name: str, help: str, labelnames: Sequence[str] = ()) -> Gauge:
        return Gauge(prom.Gauge(name, help, labelnames, registry=self), self, name)

    def histogram(
        self, name: str, help: str, labelnames: Sequence[str], buckets: Sequence[float]
    ) -> Histogram:
        metric = prom.Histogram(name, help, labelnames, registry=self, buckets=buckets)
        return Histogram(metric, self, name)


def _plain_le(sample: Sample) -> Sample:
    """``le="1"``, as shortbot always wrote it, for prometheus_client's ``le="1.0"``."""
    le = sample.labels.get("le")
    return sample._replace(labels={**sample.labels, "le": le.removesuffix(".0")}) if le else sample


class _Metric(Generic[M]):
    """A prometheus_client metric updated with keyword labels: ``inc(2, result="ok")``."""

    def __init__(self, metric: M, registry: Registry, name: str) -> None:
        self.metric: M = metric
        self.registry, self.name = registry, name
        self.declared: list[Labels] = []
        registry.metrics.append(self)

    def series(self, labels: Labels) -> M:
        return self.metric.labels(**labels) if labels else self.metric

    def reset(self) -> None:
        self.metric.clear()
        for labels in self.declared:
            self.series(labels)


class Counter(_Metric[prom.Counter]):
    def inc(self, amount: float = 1.0, **labels: str) -> None:
        self.series(labels).inc(amount)

    def declare(self, **labels: str) -> Counter:
        """Show this series at 0 before it first counts (and again after a reset)."""
        self.declared.append(labels)
        self.series(labels)
        return self

    def get(self, **labels: str) -> float:
        return self.registry.get_sample_value(self.name, labels) or 0.0


class Histogram(_Metric[prom.Histogram]):
    def observe(self, value: float, **labels: str) -> None:
        self.series(labels).observe(value)

    def count(self, **labels: str) -> int:
        return int(self.registry.get_sample_value(f"{self.name}_count", labels) or 0)


class Gauge(_Metric[prom.Gauge]):
    """A value that goes up and down; ``set_all`` replaces every series (scrape-time gauges)."""

    def set(self, value: float, **labels: str) -> None:
        self.series(labels).set(value)
        self.registry.unset.discard(self.name)

    def set_all(self, series: Iterable[tuple[Labels, float]]) -> None:
        self.reset()
        for labels, value in series:
            self.set(value, **labels)

    def reset(self) -> None:
        super().reset()
        self.registry.unset.add(self.name)  # no sample until set


REGISTRY = Registry()

POLLS = REGISTRY.counter(
    "shortbot_polls",
    "Feed polls by result: ok (parsed and stored), unchanged (304 or same body), failed "
    "(the feed's fault, recorded on it), error (shortbot's fault).",
    ["result"],
)
ENTRIES = REGISTRY.counter(
    "shortbot_entries_ingested",
    "Feed entries stored by polls, by kind: new or updated.",
    ["kind"],
)
DELIVERIES = REGISTRY.counter(
    "shortbot_deliveries",
    "Digest items by destination and result: sent, failed (refused for good), pending "
    "(left in the ledger for the next run).",
    ["destination", "result"],
)
COMMANDS = REGISTRY.counter(
    "shortbot_commands",
    "Discord commands by name and result: ok, error (raised while running), rejected "
    "(refused before running: checks, usage, cooldown).",
    ["command", "result"],
)
COMMAND_SECONDS = REGISTRY.histogram(
    "shortbot_command_duration_seconds",
    "Time spent running Discord commands, by command name.",
    ["command"],
    COMMAND_BUCKETS,
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
