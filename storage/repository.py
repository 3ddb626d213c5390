"""The repository the application holds: one ``Store`` over one engine, made of the
repositories of each aggregate. Methods take and return domain values from ``papers``.

| repository | module | owns |
|---|---|---|
| ``PaperRepository`` | ``storage.papers`` | paper look-ups, search hand-off, latest summaries |
| ``IngestRepository`` | ``storage.ingest`` | upserts of papers and summaries, announcements |
| ``DigestRepository`` | ``storage.digests`` | what a destination gets next |
| ``FeedRepository`` | ``storage.feeds`` | watched feeds and their polls |
| ``SubscriptionRepository`` | ``storage.subscriptions`` | what a channel's digest carries |
| ``ThreadRepository`` | ``storage.threads`` | each paper's forum post (its Discord home) |

The delivery ledger (``storage.ledger``), schedules (``storage.schedules``) and bulk imports
(``storage.bulk``) have objects of their own.
"""

from __future__ import annotations

from storage.digests import DigestRepository
from storage.feeds import FeedRepository
from storage.ingest import IngestRepository
from storage.papers import PaperRepository, best_first
from storage.subscriptions import SubscriptionRepository
from storage.threads import ThreadRepository

__all__ = ["Store", "best_first"]


class Store(
    PaperRepository,
    IngestRepository,
    DigestRepository,
    FeedRepository,
    SubscriptionRepository,
    ThreadRepository,
):
    """shortbot's repository over one engine (SQLite or PostgreSQL): every port of
    ``papers.ports`` the application needs (``PaperStore``, ``IngestStore``, ``DigestStore``)
    and the feeds and subscriptions of the services."""
