"""What kind of feed a parsed document is, from positive evidence in its content.

Every specialised kind needs evidence of its own; everything else is a blog, whose posts are
read for the papers they link:

* **ShortScience**: items carrying ``shortscience:arxivid``, ``shortscience:bibtexkey`` or
  ``shortscience:votes`` (an empty feed: the ShortScience namespace).
* **arXiv API response**: Atom in arXiv's namespace (``http://arxiv.org/schemas/atom``)
  whose entries are ``arxiv.org/abs/…`` papers or API error entries; with no entries, its own
  id or links on ``arxiv.org/api`` or the OpenSearch namespace (``totalResults`` 0).
  OpenSearch alone proves nothing: every Blogger feed declares it.
* **arXiv listing** (rss.arxiv.org, RSS or Atom): arXiv's namespace and items with
  ``arxiv:announce_type`` or ``oai:arXiv.org:…`` guids; with no items (weekends, holidays),
  a channel whose own link or id is on arxiv.org. rss.arxiv.org's error feed ("Feed error for
  query: …") is a listing too, so that its message is reported.

When the evidence contradicts itself (a specialised kind, but most entries are not what that
kind holds) the feed is read as a blog, with a warning: a blog's posts are never lost to a
guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from papers.ids import parse_arxiv_id
from papers.model import FeedKind

ARXIV_NAMESPACE = "http://arxiv.org/schemas/atom"
_OPENSEARCH = "a9.com/-/spec/opensearch"
_SHORTSCIENCE_KEYS = ("shortscience_arxivid", "shortscience_bibtexkey", "shortscience_votes")
_API_ENTRY = re.compile(r"^https?://(?:export\.)?arxiv\.org/abs/", re.IGNORECASE)
_API_ERROR = re.compile(r"^https?://(?:export\.)?arxiv\.org/api/errors", re.IGNORECASE)
_API_HOME = re.compile(r"^https?://(?:export\.)?arxiv\.org/api/", re.IGNORECASE)
_LISTING_HOME = re.compile(
    r"^https?://(?:rss\.arxiv\.org|(?:export\.)?arxiv\.org/(?:rss|atom))/", re.IGNORECASE
)
_FEED_ERROR = re.compile(r"^feed error for query:.*arxiv\.org", re.IGNORECASE)


def detect_kind(parsed: Mapping[str, Any]) -> FeedKind:
    """The kind of feed, from its namespaces and entries (never from where it was read)."""
    return detect(parsed)[0]


def detect(parsed: Mapping[str, Any]) -> tuple[FeedKind, str | None]:
    """The kind of feed and, when its evidence contradicted itself, a warning saying so."""
    entries: Sequence[Mapping[str, Any]] = [
        e for e in parsed.get("entries") or () if isinstance(e, Mapping)
    ]
    namespaces = {str(uri).rstrip("/").lower() for uri in (parsed.get("namespaces") or {}).values()}
    kind = _candidate(parsed, entries, namespaces)
    if kind is FeedKind.BLOG or not entries:
        return kind, None
    fitting = sum(1 for entry in entries if _FITS[kind](entry))
    if fitting * 2 >= len(entries):
        return kind, None
    held = "ShortScience summaries" if kind is FeedKind.SHORTSCIENCE else "arXiv papers"
    return FeedKind.BLOG, (
        f"looks like {_NAMES[kind]}, but only {fitting} of {len(entries)} entries are {held}: "
        "read as a blog"
    )


def _candidate(
    parsed: Mapping[str, Any], entries: Sequence[Mapping[str, Any]], namespaces: set[str]
) -> FeedKind:
    if any(key in entry for entry in entries for key in _SHORTSCIENCE_KEYS):
        return FeedKind.SHORTSCIENCE
    if not entries and any("shortscience" in uri for uri in namespaces):
        return FeedKind.SHORTSCIENCE
    feed = parsed.get("feed") or {}
    if _FEED_ERROR.match(str(feed.get("title") or "")):
        return FeedKind.ARXIV_LISTING
    if ARXIV_NAMESPACE not in namespaces:
        return FeedKind.BLOG
    atom = str(parsed.get("version") or "").startswith("atom")
    from_api = sum(1 for entry in entries if _api_entry(entry))
    listed = sum(1 for entry in entries if _listed(entry))
    if atom and from_api > listed:
        return FeedKind.ARXIV_API
    if listed:
        return FeedKind.ARXIV_LISTING
    homes = _homes(feed)
    if atom and (
        any(_API_HOME.match(home) for home in homes)
        or (not entries and any(_OPENSEARCH in uri for uri in namespaces))
    ):
        return FeedKind.ARXIV_API
    if any(_LISTING_HOME.match(home) for home in homes):
        return FeedKind.ARXIV_LISTING
    return FeedKind.BLOG


def _homes(feed: Mapping[str, Any]) -> list[str]:
    """Where a feed says it lives: its id, its link, the hrefs of its links."""
    homes = [str(feed.get("id") or ""), str(feed.get("link") or "")]
    homes += [
        str(link.get("href") or "") for link in feed.get("links") or () if isinstance(link, Mapping)
    ]
    return [home.strip() for home in homes if home.strip()]


def _entry_id(entry: Mapping[str, Any]) -> str:
    return str(entry.get("id") or "").strip()


def _api_entry(entry: Mapping[str, Any]) -> bool:
    entry_id = _entry_id(entry)
    if _API_ERROR.match(entry_id):
        return True
    return bool(_API_ENTRY.match(entry_id)) and parse_arxiv_id(entry_id) is not None


def _listed(entry: Mapping[str, Any]) -> bool:
    return "arxiv_announce_type" in entry or _entry_id(entry).lower().startswith("oai:arxiv.org:")


def _listing_paper(entry: Mapping[str, Any]) -> bool:
    return any(parse_arxiv_id(str(entry.get(key) or "")) is not None for key in ("id", "link"))


def _shortscience_entry(entry: Mapping[str, Any]) -> bool:
    return bool(entry.get("shortscience_arxivid") or entry.get("shortscience_bibtexkey"))


_FITS: dict[FeedKind, Callable[[Mapping[str, Any]], bool]] = {
    FeedKind.SHORTSCIENCE: _shortscience_entry,
    FeedKind.ARXIV_API: _api_entry,
    FeedKind.ARXIV_LISTING: _listing_paper,
}
_NAMES = {
    FeedKind.SHORTSCIENCE: "a ShortScience feed",
    FeedKind.ARXIV_API: "an arXiv API response",
    FeedKind.ARXIV_LISTING: "an arXiv listing",
}
