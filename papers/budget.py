"""A daily budget's cut (X's pay-per-use plan): the first entries of a digest whose posts fit
in what is left of today's posts. The rest stay out of the ledger and go out later, in order."""

from __future__ import annotations

from dataclasses import replace

from papers.model import Digest
from papers.publishing import Post, Publisher


def _first(digest: Digest, count: int) -> Digest:
    """The first ``count`` entries of ``digest`` (summaries, then papers), nothing "more"."""
    items = digest.items[:count]
    papers = digest.papers[: max(0, count - len(digest.items))]
    return replace(digest, items=items, papers=papers, more=0, more_papers=0)


def within_budget(publisher: Publisher, digest: Digest, allowed: int) -> tuple[Digest, list[Post]]:
    """The first entries of ``digest`` whose posts fit in ``allowed``, and those posts. The
    rest stay out of the ledger, so the next digest carries them, in order. A thread's head is
    never posted without at least one of its entries."""
    for count in range(len(digest.items) + len(digest.papers) - 1, 0, -1):
        today = _first(digest, count)
        posts = publisher.render(today)
        if len(posts) <= allowed:
            return today, posts
    return _first(digest, 0), []
