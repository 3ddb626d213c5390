"""The root of inbound errors: a feed, a file or the arXiv API cannot be read or used now.

Every :class:`SourceError` carries ``reason``, one line for people: ``FetchError`` (a source
could not be read), ``FeedParseError`` (not a feed shortbot can read), ``UnsafeURL`` and
``UnsafeXML`` (refused for safety), ``ArxivUnavailable`` (the API did not answer).
"""

from __future__ import annotations


class SourceError(Exception):
    """An inbound source cannot be read or used now; ``reason`` says why."""

    reason: str
