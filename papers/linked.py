"""The use case behind "Summaries of linked papers": the papers a message links, each with its
summaries, as ``!summary`` would find them.

References are found by :func:`papers.ids.find_refs` (links of every kind the resolver reads,
``arXiv:ID``, DOIs) and looked up with ``lookup``'s rules, at most ``limit`` of them (the rest
is counted). arXiv ids nobody knows yet are fetched from arXiv as ``find_paper`` fetches one,
but together, in one request, and only when ``may_fetch`` allows it (a member's cooldown): a
message full of links makes no storm of arXiv requests. A paper that cannot be had now is
answered as not known, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from papers.ids import ArxivId, find_refs
from papers.ports import IngestStore, MetadataSource, Unavailable
from papers.usecases import Found, LookupOutcome, NotFound, describe, lookup_ref

LINKED_LIMIT = 5
SLOW_DOWN = "arXiv was asked for you a moment ago: try again in a minute"


@dataclass(frozen=True, slots=True)
class Linked:
    """What a message links: each paper looked up (``Found``, or ``NotFound`` with why), in
    the order they are linked, and how many more it links beyond those."""

    outcomes: tuple[LookupOutcome, ...]
    more: int = 0


async def linked_papers(
    store: IngestStore,
    source: MetadataSource | None,
    text: str,
    *,
    now: datetime,
    limit: int = LINKED_LIMIT,
    may_fetch: Callable[[], bool] | None = None,
    offline_reason: str | None = None,
) -> Linked:
    """The papers ``text`` links (see the module docstring); never raises for what the
    message holds (no links: no outcomes)."""
    refs = find_refs(text)
    shown = refs[:limit]
    async with store.reading():
        outcomes = [await lookup_ref(store, ref, max_others=0) for ref in shown]
    missing = [o.ref.id for o in outcomes if isinstance(o, NotFound) and isinstance(o.ref, ArxivId)]
    if missing:
        outcomes = await _fetch_missing(
            store, source, outcomes, missing, now, may_fetch, offline_reason
        )
    return Linked(tuple(outcomes), more=len(refs) - len(shown))


async def _fetch_missing(
    store: IngestStore,
    source: MetadataSource | None,
    outcomes: list[LookupOutcome],
    missing: list[str],
    now: datetime,
    may_fetch: Callable[[], bool] | None,
    offline_reason: str | None,
) -> list[LookupOutcome]:
    """``outcomes`` with the arXiv papers nobody knew fetched in one request, or their misses
    saying why not."""
    why: str | None = None
    fetched = {}
    if source is None:
        why = offline_reason
    elif may_fetch is not None and not may_fetch():
        why = SLOW_DOWN
    else:
        try:
            fetched = await source.fetch(missing)
        except Unavailable as exc:
            why = str(exc)
        if fetched:
            await store.save_papers(
                list(fetched.values()), source="arxiv-api", announce=False, now=now
            )
    out: list[LookupOutcome] = []
    for outcome in outcomes:
        ref = outcome.ref
        if not isinstance(outcome, NotFound) or not isinstance(ref, ArxivId):
            out.append(outcome)
        elif ref.id in fetched:
            out.append(await lookup_ref(store, ref, max_others=0))
        elif why:
            out.append(NotFound(ref, f"{outcome.message} ({why})"))
        elif source is not None:
            out.append(NotFound(ref, f"arXiv has no paper {describe(ref)}"))
        else:
            out.append(outcome)
    return out


__all__ = ["LINKED_LIMIT", "Found", "Linked", "NotFound", "linked_papers"]
