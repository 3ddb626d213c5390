"""arXiv as a source, under its old import path: listings, API responses, the API client.

Parsing rss.arxiv.org listings and API responses into papers (:func:`parse_arxiv_listing`,
:func:`parse_arxiv_api`, :func:`split_authors`) lives in :mod:`sources.arxiv_parse`; the API
client (:class:`ArxivClient`, its throttle and retries, :class:`ArxivUnavailable`) in
:mod:`sources.arxiv_client`. This module re-exports both, so ``from sources.arxiv import …``
keeps working.
"""

from __future__ import annotations

from sources.arxiv_client import (
    DEFAULT_API_URL,
    MAX_BATCH_SIZE,
    RETRY_STATUSES,
    ArxivClient,
    ArxivUnavailable,
)
from sources.arxiv_parse import parse_arxiv_api, parse_arxiv_listing, split_authors

__all__ = [
    "DEFAULT_API_URL",
    "MAX_BATCH_SIZE",
    "RETRY_STATUSES",
    "ArxivClient",
    "ArxivUnavailable",
    "parse_arxiv_api",
    "parse_arxiv_listing",
    "split_authors",
]
