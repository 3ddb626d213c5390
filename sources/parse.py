"""Feed parsing: bytes in, domain values out. Recognises the kind of feed from its content
(:mod:`sources.kinds`) unless the feed's kind is pinned.

feedparser never raises on bad XML; it sets ``bozo``. A bozo feed is a warning, not a failure:
whatever parsed is kept. Parsing is CPU work: callers run it off the event loop.
"""

from __future__ import annotations

import calendar
import io
import logging
import re
import time
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import feedparser

from papers.ids import (
    ArxivId,
    BibtexKey,
    Doi,
    UnusableQuery,
    find_arxiv_ids,
    parse_arxiv_id,
    resolve,
)
from papers.model import FeedKind, IncomingPaper, IncomingSummary, ParsedFeed, SkipReason
from papers.text import collapse, html_to_text
from papers.urls import canonical_url
from sources.errors import SourceError
from sources.kinds import detect, detect_kind
from sources.safety import UnsafeXML, defuse_xml

__all__ = ["MAX_ENTRIES", "FeedParseError", "detect_kind", "parse_feed"]

log = logging.getLogger(__name__)

MAX_ENTRIES = 5_000
# WordPress appends "The post TITLE appeared first on BLOG." to every post.
_WORDPRESS_FOOTER = re.compile(r"^The post .+ appeared first on .+$")
# Share-button labels that WordPress themes leave in the text.
_SHARE_BUTTONS = re.compile(r"^(?:Share|Reddit|LinkedIn|Twitter|Facebook|Tweet|Email|Print)+$")


class FeedParseError(SourceError):
    """The bytes are not a feed shortbot can read; the message says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_feed(
    body: bytes,
    source: str,
    *,
    max_entries: int = MAX_ENTRIES,
    kind: FeedKind | None = None,
) -> ParsedFeed:
    """Parse one feed document read from ``source`` (a path or URL, recorded on each summary).

    ``kind`` pins how the feed is read (``feeds add --kind``); None recognises it from the
    content. A pin that the content contradicts still holds, with a warning.
    """
    try:
        body = defuse_xml(body)
    except UnsafeXML as exc:
        raise FeedParseError(f"refused: {exc}") from None
    # A file-like object, never bytes: feedparser opens bytes that name a file or a URL.
    parsed = feedparser.parse(io.BytesIO(body), sanitize_html=False, resolve_relative_uris=False)
    warnings: list[str] = []
    if parsed.bozo:
        reason = str(parsed.get("bozo_exception", "malformed feed"))
        if not parsed.get("entries") and not parsed.get("feed"):
            raise FeedParseError(f"not a feed: {_first_line(reason)}")
        warnings.append(f"feed is malformed, kept what parsed: {_first_line(reason)}")
    if not parsed.get("version") and not parsed.get("entries"):
        raise FeedParseError("not an RSS or Atom feed")
    detected, contradiction = detect(parsed)
    pinned = kind is not None and kind is not FeedKind.UNKNOWN
    if kind is None or kind is FeedKind.UNKNOWN:
        kind = detected
        if contradiction:
            warnings.append(contradiction)
    elif detected is not kind and parsed.get("entries"):
        warnings.append(f"read as {kind.value} (pinned); its content looks like {detected.value}")
    title = collapse(str(parsed.feed.get("title", "")))
    entries = parsed.entries[:max_entries]
    if len(parsed.entries) > max_entries:
        warnings.append(f"only the first {max_entries} of {len(parsed.entries)} entries were read")
    reasons: Counter[SkipReason] = Counter()
    summaries: list[IncomingSummary] = []
    papers: list[IncomingPaper] = []
    if kind is FeedKind.SHORTSCIENCE:
        summaries = _shortscience(entries, source, warnings, reasons)
    elif kind in (FeedKind.ARXIV_LISTING, FeedKind.ARXIV_API):
        from sources import arxiv

        reader = (
            arxiv.parse_arxiv_listing if kind is FeedKind.ARXIV_LISTING else arxiv.parse_arxiv_api
        )
        limited = feedparser.FeedParserDict(parsed)
        limited["entries"] = entries
        papers, _ = reader(limited, source, warnings, reasons)
    else:
        # posts without an author of their own (Mastodon, Bluesky) are the feed's author's
        author = _author(parsed.feed) or title or "anonymous"
        summaries = _blog(entries, source, warnings, reasons, author)
    return ParsedFeed(
        kind,
        title,
        tuple(summaries),
        papers=tuple(papers),
        skipped=sum(reasons.values()),
        warnings=tuple(warnings),
        skip_reasons=dict(reasons),
        kind_pinned=pinned,
    )


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unknown error"


def _when(entry: Mapping[str, Any]) -> datetime | None:
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if isinstance(value, time.struct_time):
            return datetime.fromtimestamp(calendar.timegm(value), UTC)
    return None


def _votes(raw: Any, warnings: list[str], guid: str) -> int | None:
    if raw is None or str(raw).strip() == "":
        return None
    try:
        return int(str(raw).strip())
    except ValueError:
        warnings.append(f"{guid}: votes {str(raw)[:20]!r} is not a number")
        return None


def _shortscience_paper(entry: Mapping[str, Any], title: str) -> IncomingPaper | None:
    """The paper a ShortScience entry summarises, from ``arxivid`` and ``bibtexkey``."""
    raw_key = collapse(str(entry.get("shortscience_bibtexkey", "")))
    arxiv = parse_arxiv_id(str(entry.get("shortscience_arxivid", "")))
    doi: str | None = None
    if raw_key:
        try:
            ref = resolve(raw_key)
        except UnusableQuery:
            ref = None
        if isinstance(ref, ArxivId) and arxiv is None:
            arxiv = ref
        elif isinstance(ref, Doi):
            doi = ref.doi
        elif not isinstance(ref, BibtexKey | ArxivId):
            raw_key = ""
    if arxiv is None and not raw_key:
        return None
    return IncomingPaper(
        title=title,
        arxiv_id=arxiv.id if arxiv else None,
        arxiv_version=arxiv.version if arxiv else None,
        bibtex_key=raw_key or None,
        doi=doi,
    )


def _guid_and_title(entry: Mapping[str, Any]) -> tuple[str, str]:
    """An entry's guid (else its link; "" when it has neither) and its plain-text title."""
    guid = collapse(str(entry.get("id") or entry.get("link") or ""))
    return guid, collapse(html_to_text(str(entry.get("title", ""))))


def _shortscience(
    entries: list[Any], source: str, warnings: list[str], reasons: Counter[SkipReason]
) -> list[IncomingSummary]:
    out: list[IncomingSummary] = []
    for entry in entries:
        guid, title = _guid_and_title(entry)
        if not guid:
            reasons[SkipReason.NO_GUID] += 1
            warnings.append(f"entry {title[:60]!r} has no guid or link: skipped")
            continue
        paper = _shortscience_paper(entry, title)
        if paper is None:
            reasons[SkipReason.NO_PAPER_KEY] += 1
            warnings.append(f"{guid}: no arXiv id or bibtex key: skipped")
            continue
        out.append(
            IncomingSummary(
                guid=guid,
                source=source,
                author=collapse(str(entry.get("author") or "")) or "anonymous",
                url=str(entry.get("link")) if entry.get("link") else None,
                votes=_votes(entry.get("shortscience_votes"), warnings, guid),
                text=html_to_text(str(entry.get("summary", ""))),
                published=_when(entry),
                papers=(paper,),
                title=title,
            )
        )
    return out


def _entry_html(entry: Mapping[str, Any]) -> str:
    """The fullest body an entry carries: ``content:encoded`` / Atom content, else summary."""
    for content in entry.get("content") or ():
        value = content.get("value") if isinstance(content, Mapping) else None
        if value:
            return str(value)
    return str(entry.get("summary", ""))


def _author(item: Mapping[str, Any]) -> str:
    """The author's name of an entry or feed ("Name", not RSS's "email (Name)"); "" if none."""
    detail = item.get("author_detail")
    name = detail.get("name") if isinstance(detail, Mapping) else None
    return collapse(str(name or item.get("author") or ""))


def _blog(
    entries: list[Any],
    source: str,
    warnings: list[str],
    reasons: Counter[SkipReason],
    default_author: str,
) -> list[IncomingSummary]:
    """Posts of any RSS / Atom feed, each a summary of every arXiv paper it refers to.

    A post that refers to no arXiv paper keeps ``papers`` empty: the ingest use case links it
    by title to a known paper or skips it. The post's link, and its guid when that is a link,
    lose their tracking parameters (:func:`papers.urls.canonical_url`): a re-fetch whose
    ``?utm_…`` or ``?source=…`` changed is the same post.
    """
    out: list[IncomingSummary] = []
    for entry in entries:
        guid, title = _guid_and_title(entry)
        if not guid:
            reasons[SkipReason.NO_GUID] += 1
            warnings.append(f"post {title[:60]!r} has no guid or link: skipped")
            continue
        guid = canonical_url(guid)
        body = _entry_html(entry)
        link = canonical_url(str(entry.get("link") or "")) or None
        haystack = " ".join(
            [link or "", title, body, str(entry.get("summary", ""))]
            + [str(x.get("href", "")) for x in entry.get("links") or () if isinstance(x, Mapping)]
        )
        papers = tuple(
            IncomingPaper(title="", arxiv_id=ref.id, arxiv_version=ref.version)
            for ref in find_arxiv_ids(haystack)
        )
        text = "\n".join(
            line
            for line in html_to_text(body).split("\n")
            if not _WORDPRESS_FOOTER.match(line) and not _SHARE_BUTTONS.match(line)
        )
        out.append(
            IncomingSummary(
                guid=guid,
                source=source,
                author=_author(entry) or default_author,
                url=link,
                votes=None,
                text=text,
                published=_when(entry),
                papers=papers,
                title=title,
            )
        )
    return out
