"""The use cases: the same lookup serves ``!summary``, ``/summary`` and ``shortbot lookup``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from papers.ids import ArxivId, BibtexKey, Doi, PaperRef, TitleWords, resolve
from papers.model import Digest, IngestReport, Paper, PaperWithSummaries, ParsedFeed
from papers.ports import DigestStore, PaperStore, Publisher, SummaryStore

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Found:
    """The paper asked for; ``others`` are further title matches, best first."""

    ref: PaperRef
    match: PaperWithSummaries
    others: tuple[Paper, ...] = ()


@dataclass(frozen=True, slots=True)
class NotFound:
    ref: PaperRef
    message: str


LookupOutcome = Found | NotFound


def describe(ref: PaperRef) -> str:
    if isinstance(ref, ArxivId):
        return f"arXiv:{ref.versioned}"
    if isinstance(ref, BibtexKey):
        return ref.key
    if isinstance(ref, Doi):
        return f"doi:{ref.doi}"
    return repr(ref.text)


async def lookup(store: PaperStore, query: str, *, max_others: int = 5) -> LookupOutcome:
    """Resolve ``query`` and find the paper with its summaries. Raises ``UnusableQuery``."""
    ref = resolve(query)
    found: PaperWithSummaries | None = None
    if isinstance(ref, ArxivId):
        found = await store.paper_by_arxiv_id(ref.id)
    elif isinstance(ref, BibtexKey):
        found = await store.paper_by_alias(ref.key)
    elif isinstance(ref, Doi):
        found = await store.paper_by_alias(ref.normalized)
    else:
        return await _lookup_title(store, ref, max_others)
    if found is None:
        return NotFound(ref, f"no paper {describe(ref)} is known yet")
    return Found(ref, found)


async def _lookup_title(store: PaperStore, ref: TitleWords, max_others: int) -> LookupOutcome:
    candidates = await store.papers_by_title(ref.words, limit=max_others + 1)
    if not candidates:
        return NotFound(ref, f"no paper title contains {ref.text!r}")
    best = candidates[0]
    match = await store.paper_by_alias(best.key)
    if match is None:  # deleted between the two reads
        return NotFound(ref, f"no paper title contains {ref.text!r}")
    return Found(ref, match, tuple(candidates[1:]))


async def ingest_parsed(
    store: SummaryStore, parsed: ParsedFeed, source: str, *, announce: bool, now: datetime
) -> IngestReport:
    """Store what a parsed feed holds; count new, updated and unchanged entries."""
    report = IngestReport(source=source, kind=parsed.kind, skipped=parsed.skipped)
    report.warnings.extend(parsed.warnings)
    for result in await store.save_summaries(parsed.summaries, announce=announce, now=now):
        report.count(result)
    return report


async def next_digest(store: DigestStore, destination: str, max_items: int) -> Digest:
    """What ``destination`` gets next: the undelivered summaries, best first, capped."""
    items, total = await store.undelivered(destination, max_items)
    return Digest(destination=destination, items=tuple(items), more=max(0, total - len(items)))


@dataclass(frozen=True, slots=True)
class PublishOutcome:
    destination: str
    sent: int
    capped: int


async def publish_digest(
    store: DigestStore, publisher: Publisher, *, max_items: int, clock: Clock = utcnow
) -> PublishOutcome:
    """Build ``publisher``'s digest, send it, and record each item in the ledger.

    Items beyond the cap are recorded as ``skipped``: the digest said "and N more" with a link,
    so they are not carried into the next digest. An empty digest posts nothing.
    """
    digest = await next_digest(store, publisher.name, max_items)
    if digest.empty:
        return PublishOutcome(publisher.name, 0, 0)
    await publisher.publish(digest)
    now = clock()
    sent = await store.record_deliveries(
        publisher.name, (i.summary.id for i in digest.items), status="sent", now=now
    )
    capped = 0
    if digest.more:
        rest, _ = await store.undelivered(publisher.name, digest.more)
        capped = await store.record_deliveries(
            publisher.name,
            (i.summary.id for i in rest),
            status="skipped",
            now=now,
            error="left out of a capped digest",
        )
    log.info("digest published destination=%s sent=%d capped=%d", publisher.name, sent, capped)
    return PublishOutcome(publisher.name, sent, capped)
