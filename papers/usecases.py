"""The use cases: the same lookup serves ``!summary``, ``/summary`` and ``shortbot lookup``."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from papers.ids import ArxivId, BibtexKey, Doi, PaperRef, TitleWords, UnusableQuery, resolve
from papers.model import (
    Digest,
    FeedKind,
    IncomingPaper,
    IncomingSummary,
    IngestReport,
    Paper,
    PaperWithSummaries,
    ParsedFeed,
    SkipReason,
    Subscription,
    Summary,
)
from papers.ports import DigestStore, IngestStore, MetadataSource, PaperStore, ThreadHomes
from papers.text import normalize_title

if TYPE_CHECKING:
    from papers.delivery import Selection

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Found:
    """The paper asked for; ``others`` are further title matches, best first.

    ``exact`` is False when title words matched several papers and none by its whole title:
    a person should pick.
    """

    ref: PaperRef
    match: PaperWithSummaries
    others: tuple[Paper, ...] = ()
    exact: bool = True


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
    async with store.reading():
        return await _lookup(store, ref, max_others)


async def lookup_ref(store: PaperStore, ref: PaperRef, *, max_others: int = 5) -> LookupOutcome:
    """The paper a reference already resolved names, with its summaries (``lookup``'s rules)."""
    async with store.reading():
        return await _lookup(store, ref, max_others)


async def _lookup(store: PaperStore, ref: PaperRef, max_others: int) -> LookupOutcome:
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
        return NotFound(ref, f"No paper {describe(ref)} is known yet")
    return Found(ref, found)


async def discussed_in(homes: ThreadHomes, paper_key: str, guild_id: int | None) -> int | None:
    """The paper's forum post in this server (its Discord home, the newest if a paper has
    posts in several forums), or None: ``!summary`` links to it."""
    if guild_id is None:
        return None
    threads = await homes.paper_threads(paper_key, guild_id)
    return threads[-1] if threads else None


async def find_paper(
    store: IngestStore,
    source: MetadataSource | None,
    query: str,
    *,
    now: datetime,
    max_others: int = 5,
    before_fetch: Callable[[], None] | None = None,
    offline_reason: str | None = None,
) -> LookupOutcome:
    """The paper ``query`` names with its summaries: ``!summary``, ``/summary`` and
    ``shortbot lookup`` alike. A valid arXiv id nobody knows yet is fetched from arXiv,
    stored and answered; with no ``source``, the miss says why (``offline_reason``).

    ``before_fetch`` runs just before arXiv is asked (a face's rate limit: it may raise).
    Raises ``UnusableQuery``, and ``Unavailable`` when arXiv cannot answer now.
    """
    outcome = await lookup(store, query, max_others=max_others)
    if isinstance(outcome, Found) or not isinstance(outcome.ref, ArxivId):
        return outcome
    ref = outcome.ref
    if source is None:
        if offline_reason:
            return NotFound(ref, f"{outcome.message} ({offline_reason})")
        return outcome
    if before_fetch is not None:
        before_fetch()
    paper = (await source.fetch([ref.id])).get(ref.id)
    if paper is None:
        return NotFound(ref, f"arXiv has no paper {describe(ref)}")
    await store.save_papers([paper], source="arxiv-api", announce=False, now=now)
    found = await store.paper_by_arxiv_id(ref.id)
    if found is None:  # removed between the write and the read
        return NotFound(ref, f"No paper {describe(ref)} is known yet")
    return Found(ref, found)


async def paper_by_key(store: PaperStore, key: str) -> PaperWithSummaries | None:
    """A paper picked from a list (by its key), with its summaries; None when it is gone."""
    async with store.reading():
        return await store.paper_by_alias(key)


async def search(store: PaperStore, query: str, *, limit: int = 10) -> list[Paper]:
    """Title and abstract search; an arXiv id or key in the query finds that paper first."""
    ref = resolve(query)
    async with store.reading():
        if not isinstance(ref, TitleWords):
            outcome = await lookup(store, query)
            return [outcome.match.paper] if isinstance(outcome, Found) else []
        return await store.search_papers(ref.words, limit=limit)


SUGGESTIONS = 25  # Discord's most choices in an autocomplete answer


async def suggest(store: PaperStore, typed: str, *, limit: int = SUGGESTIONS) -> list[Paper]:
    """Papers for what a member is typing into ``/summary`` (autocomplete): nothing typed yet
    gives the papers of the newest summaries; an id or key, that paper if it is known (never
    the arXiv API: this runs at every keystroke); title words, an exact title first, then the
    search's best matches. Text that cannot name a paper suggests nothing."""
    if not typed.strip():
        newest = [paper for _, paper in await latest(store, limit) if paper is not None]
        return list({p.key: p for p in newest}.values())[:limit]
    try:
        ref = resolve(typed)
    except UnusableQuery:
        return []
    if not isinstance(ref, TitleWords):
        outcome = await lookup(store, typed)
        return [outcome.match.paper] if isinstance(outcome, Found) else []
    async with store.reading():
        exact = _newest_first(await store.papers_by_exact_titles([normalize_title(ref.text)]))
        ranked = await store.search_papers(ref.words, limit=limit)
    return list({p.key: p for p in [*exact, *ranked]}.values())[:limit]


async def latest(store: PaperStore, count: int) -> list[tuple[Summary, Paper | None]]:
    """The newest summaries, each with its (first) paper."""
    async with store.reading():
        summaries = await store.latest_summaries(count)
        firsts = [s.paper_keys[0] for s in summaries if s.paper_keys]
        found = {p.key: p for p in await store.papers_by_keys(firsts)}
    return [(s, found.get(s.paper_keys[0]) if s.paper_keys else None) for s in summaries]


def _newest_first(papers: list[Paper]) -> list[Paper]:
    """Papers of one title, the newest first (those without a date last)."""
    dated = [(p.published, p) for p in papers if p.published is not None]
    dated.sort(key=lambda pair: pair[0], reverse=True)
    return [p for _, p in dated] + [p for p in papers if p.published is None]


async def _lookup_title(store: PaperStore, ref: TitleWords, max_others: int) -> LookupOutcome:
    """An exact title first, then the full-text search's best matches."""
    exact = _newest_first(await store.papers_by_exact_titles([normalize_title(ref.text)]))
    ranked = await store.search_papers(ref.words, limit=max_others + 1)
    candidates = exact + [p for p in ranked if p.key not in {e.key for e in exact}]
    if not candidates:
        return NotFound(ref, f"No paper title contains {ref.text!r}")
    best = candidates[0]
    match = await store.paper_by_alias(best.key)
    if match is None:  # deleted between the two reads
        return NotFound(ref, f"No paper title contains {ref.text!r}")
    others = tuple(candidates[1 : max_others + 1])
    return Found(ref, match, others, exact=bool(exact) or not others)


MIN_TITLE_WORDS = 3  # a title "clearly names" a paper only with at least this many words
MAX_HEADING_WORDS = 30


def _as_incoming(paper: Paper) -> IncomingPaper:
    return IncomingPaper(
        title=paper.title, arxiv_id=paper.arxiv_id, bibtex_key=paper.bibtex_key, doi=paper.doi
    )


def _runs(words: list[str], shortest: int) -> set[str]:
    """Every contiguous run of at least ``shortest`` words."""
    return {
        " ".join(words[i:j]) for i in range(len(words)) for j in range(i + shortest, len(words) + 1)
    }


async def link_by_title(store: PaperStore, item: IncomingSummary) -> IncomingSummary:
    """Add the known papers a blog post names by their full title.

    A line of the post that *is* a known title (a heading like "UNDERSTANDING DEEP LEARNING
    REQUIRES RETHINKING GENERALIZATION") links that paper. A post with no arXiv reference at
    all is also linked to a known title its own title contains ("Paper review – Understanding
    …"). Titles of fewer than three words never match. Every check is an exact, indexed match
    of normalised titles.
    """
    wanted = {
        norm
        for norm in (normalize_title(line) for line in [item.title, *item.text.split("\n")])
        if MIN_TITLE_WORDS <= len(norm.split()) <= MAX_HEADING_WORDS
    }
    title_words = normalize_title(item.title).split()
    if not item.papers and len(title_words) <= MAX_HEADING_WORDS:
        wanted |= _runs(title_words, MIN_TITLE_WORDS)
    named = await store.papers_by_exact_titles(sorted(wanted)) if wanted else []
    known = {p.key for p in item.papers}
    extra = tuple(_as_incoming(p) for p in named if p.key not in known and p.arxiv_id not in known)
    return replace(item, papers=item.papers + extra) if extra else item


async def ingest_parsed(
    store: IngestStore, parsed: ParsedFeed, source: str, *, announce: bool, now: datetime
) -> IngestReport:
    """Store what a parsed feed holds; count new, updated and unchanged entries.

    Blog posts are linked to every paper they refer to; one that names no paper is skipped
    and counted. arXiv listings and API results store papers (with their announcements).
    """
    report = IngestReport(
        source=source,
        kind=parsed.kind,
        skipped=parsed.skipped,
        skip_reasons=dict(parsed.skip_reasons),
    )
    report.warnings.extend(parsed.warnings)
    summaries = list(parsed.summaries)
    if parsed.kind is FeedKind.BLOG:
        linked = [await link_by_title(store, item) for item in summaries]
        summaries = [item for item in linked if item.papers]
        for item in linked:
            if not item.papers:
                report.skip(SkipReason.NO_PAPER)
                report.warnings.append(f"{item.guid}: names no known paper: skipped")
    for result in await store.save_summaries(summaries, announce=announce, now=now):
        report.count(result)
    if parsed.papers:
        for result in await store.save_papers(
            parsed.papers, source=source, announce=announce, now=now
        ):
            report.count(result)
    return report


async def next_digest(store: DigestStore, destination: str, max_items: int) -> Digest:
    """What ``destination`` gets next: the undelivered summaries, best first, capped."""
    items, total = await store.undelivered(destination, max_items)
    return Digest(destination=destination, items=tuple(items), more=max(0, total - len(items)))


async def preview_digest(
    store: DigestStore,
    destination: str,
    subscriptions: Sequence[Subscription],
    max_items: int,
    *,
    since: datetime | None,
    now: datetime,
    window: timedelta | None = None,
) -> Selection:
    """What ``destination`` would get next with these subscriptions (a top digest over
    ``window`` when given), and what each of them let through or held back (nothing is
    recorded): the same selection as a real digest (``papers.delivery.select_digest``)."""
    from papers.delivery import DeliveryPolicy, select_digest

    policy = DeliveryPolicy(max_items=max_items, rules=tuple(subscriptions), window=window)
    return await select_digest(store, destination, policy, since, now=now)
