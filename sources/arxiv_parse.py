"""Reading arXiv's answers: category listings, API responses and API results as papers.

Two feed formats come from arXiv, both already parsed by feedparser when they get here:

* rss.arxiv.org category listings (``/rss/cs.LG`` or ``/atom/cs.LG``): one item per announced
  paper, with ``arxiv:announce_type`` (new, cross, replace, replace-cross, …), every author in
  one comma-separated ``dc:creator`` (affiliations in parentheses), and a description that
  starts ``arXiv:IDvN Announce Type: TYPE`` and then ``Abstract:``. A listing with no items
  (weekends, holidays) is normal.
* arXiv API responses (``export.arxiv.org/api/query``): Atom entries with one ``author`` per
  author, ``arxiv:primary_category``, ``arxiv:doi``, ``arxiv:journal_ref``, ``arxiv:comment``.
  A request the API rejects comes back as an entry whose id is ``…/api/errors#…``.

Titles and abstracts are plain text with TeX, not HTML: ``$p<0.05$`` has to survive, so
markup is not parsed out. Parse feeds with ``sanitize_html=False`` as
:func:`sources.parse.parse_feed` does; feedparser's sanitizer drops text such as ``<w, p >``
from an abstract before it gets here.

:func:`paper_from_result` maps an ``arxiv.Result`` (what the ``arxiv`` package answers) to the
same :class:`IncomingPaper`, for :mod:`sources.arxiv_client`.
"""

from __future__ import annotations

import calendar
import html
import logging
import re
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import feedparser

from papers.ids import ArxivId, parse_arxiv_id
from papers.model import IncomingPaper, SkipReason
from papers.text import collapse, strip_controls

log = logging.getLogger(__name__)

# "arXiv:2411.01234v1 Announce Type: new \nAbstract: ..." at the start of a listing description.
_LISTING_PREFIX = re.compile(
    r"\s*(?:arXiv:\s*(?P<id>\S+)\s+Announce\s+Type:\s*(?P<type>[\w-]+)\s*)?(?:Abstract:\s*)?",
    re.IGNORECASE,
)
# "and" between the last two authors, also after a comma ("A, B, and C").
_AND = re.compile(r"\s+and\s+")
# Name suffixes that a comma separates from the name they belong to.
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_TRAILING_PARENS = re.compile(r"\s*\([^()]*(?:\([^()]*\)[^()]*)*\)\s*$")
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


# --- feeds -----------------------------------------------------------------------------------


def parse_arxiv_listing(
    parsed: feedparser.FeedParserDict,
    source: str,
    warnings: list[str],
    reasons: Counter[SkipReason] | None = None,
) -> tuple[list[IncomingPaper], int]:
    """The papers an rss.arxiv.org listing (RSS or Atom) announces, and how many were skipped.

    ``source`` is where the listing was read (the ingest report names it; papers carry no
    source); problems are appended to ``warnings``. Items without a usable arXiv id (from the
    guid, else the link, else the ``arXiv:IDvN`` prefix of the description) are skipped and
    counted (also per reason in ``reasons``).
    """
    counted: Counter[SkipReason] = Counter() if reasons is None else reasons
    feed = parsed.get("feed") or {}
    title = collapse(str(feed.get("title") or ""))
    if title.lower().startswith("feed error"):
        reason = collapse(str(feed.get("subtitle") or feed.get("description") or "")) or title
        warnings.append(f"arXiv answered with an error feed: {reason}")
    papers: list[IncomingPaper] = []
    skipped = 0
    for entry in parsed.get("entries") or ():
        paper = _listing_paper(entry)
        if paper is None:
            skipped += 1
            counted[SkipReason.NO_ARXIV_ID] += 1
            label = _text(entry, "title")[:60]
            guid = collapse(str(entry.get("id") or ""))[:80]
            warnings.append(
                f"listing item {label!r} (guid {guid!r}) has no usable arXiv id: skipped"
            )
            continue
        papers.append(paper)
    return papers, skipped


def parse_arxiv_api(
    parsed: feedparser.FeedParserDict,
    source: str,
    warnings: list[str],
    reasons: Counter[SkipReason] | None = None,
) -> tuple[list[IncomingPaper], int]:
    """The papers of an arXiv API Atom response, and how many entries were skipped.

    Error entries (id ``http(s)://arxiv.org/api/errors#…``) and entries without a usable id
    are skipped, counted (also per reason in ``reasons``) and explained in ``warnings``.
    """
    counted: Counter[SkipReason] = Counter() if reasons is None else reasons
    papers: list[IncomingPaper] = []
    skipped = 0
    for entry in parsed.get("entries") or ():
        entry_id = collapse(str(entry.get("id") or ""))
        if "/api/errors" in entry_id:
            skipped += 1
            counted[SkipReason.API_ERROR] += 1
            message = _text(entry, "summary") or entry_id.partition("#")[2] or "unknown error"
            warnings.append(f"the arXiv API reported an error: {message}")
            continue
        ref = parse_arxiv_id(entry_id)
        if ref is None:
            skipped += 1
            counted[SkipReason.NOT_ARXIV] += 1
            label = _text(entry, "title")[:60]
            warnings.append(f"API entry {label!r} (id {entry_id[:80]!r}) is not an arXiv paper")
            continue
        categories = _categories(entry)
        papers.append(
            IncomingPaper(
                title=_text(entry, "title"),
                arxiv_id=ref.id,
                arxiv_version=ref.version,
                doi=_doi(entry.get("arxiv_doi")),
                authors=_names(a.get("name") for a in _mappings(entry.get("authors"))),
                abstract=_text(entry, "summary") or None,
                categories=categories,
                published=_utc(entry.get("published_parsed")),
                updated=_utc(entry.get("updated_parsed")),
                primary_category=_term(entry.get("arxiv_primary_category"))
                or (categories[0] if categories else None),
                journal_ref=_optional(entry.get("arxiv_journal_ref")),
                comment=_optional(entry.get("arxiv_comment")),
                complete=True,
            )
        )
    return papers, skipped


def split_authors(creator: str) -> tuple[str, ...]:
    """The author names in one ``dc:creator`` string of an arXiv listing.

    Authors are separated by commas (or semicolons), and by ``and`` before the last one.
    Parenthesised affiliations, which may hold commas and ``and``, are dropped; ``Jr.``-style
    suffixes stay with the name before them.
    """
    pieces: list[str] = []
    depth = start = index = 0
    while index < len(creator):
        ch = creator[index]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif depth == 0 and ch in ",;":
            pieces.append(creator[start:index])
            start = index + 1
        elif depth == 0 and ch.isspace() and (match := _AND.match(creator, index)):
            pieces.append(creator[start:index])
            start = index = match.end()
            continue
        index += 1
    pieces.append(creator[start:])
    names: list[str] = []
    for piece in pieces:
        name = collapse(_TRAILING_PARENS.sub("", piece))
        if not name:
            continue
        if name.lower() in _SUFFIXES and names:
            names[-1] = f"{names[-1]}, {name}"
        else:
            names.append(name)
    return tuple(names)


def _listing_paper(entry: Mapping[str, Any]) -> IncomingPaper | None:
    summary = str(entry.get("summary") or "")
    prefix = _LISTING_PREFIX.match(summary)
    ref = _listing_id(entry, prefix["id"] if prefix and prefix["id"] else None)
    if ref is None:
        return None
    abstract_detail = dict(entry.get("summary_detail") or {})
    abstract_detail["value"] = summary[prefix.end() :] if prefix else summary
    categories = _categories(entry)
    announce = collapse(str(entry.get("arxiv_announce_type") or "")) or (
        prefix["type"] if prefix and prefix["type"] else None
    )
    creators = [str(a.get("name") or "") for a in _mappings(entry.get("authors"))]
    if not creators and entry.get("author"):
        creators = [str(entry["author"])]
    return IncomingPaper(
        title=_text(entry, "title"),
        arxiv_id=ref.id,
        arxiv_version=ref.version,
        doi=_doi(entry.get("arxiv_doi")),
        authors=tuple(name for creator in creators for name in split_authors(creator)),
        abstract=_plain(abstract_detail) or None,
        categories=categories,
        published=_utc(entry.get("published_parsed")),
        primary_category=_term(entry.get("arxiv_primary_category"))
        or (categories[0] if categories else None),
        journal_ref=_optional(
            entry.get("arxiv_journal_reference") or entry.get("arxiv_journal_ref")
        ),
        comment=_optional(entry.get("arxiv_comment")),
        announce_type=announce,
        complete=True,
    )


def _listing_id(entry: Mapping[str, Any], described: str | None) -> ArxivId | None:
    """The id from the guid (``oai:arXiv.org:IDvN``), else the link; version from the text."""
    candidates = [entry.get("id"), entry.get("link"), described]
    ref = next((r for c in candidates if c and (r := parse_arxiv_id(str(c)))), None)
    if ref is not None and ref.version is None and described:
        with_version = parse_arxiv_id(described)
        if with_version is not None and with_version.id == ref.id:
            return with_version
    return ref


def _mappings(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value or () if isinstance(item, Mapping)]


def _text(entry: Mapping[str, Any], key: str) -> str:
    """Plain text of ``entry[key]``, decoding entities only when feedparser says it is HTML."""
    detail = entry.get(f"{key}_detail")
    if isinstance(detail, Mapping):
        return _plain({**detail, "value": entry.get(key) or ""})
    return _plain({"value": entry.get(key) or ""})


def _plain(detail: Mapping[str, Any]) -> str:
    value = str(detail.get("value") or "")
    if detail.get("type") in _HTML_TYPES:
        value = html.unescape(value)
    return collapse(strip_controls(value))


def _optional(value: Any) -> str | None:
    text = collapse(strip_controls(str(value or "")))
    return text or None


def _doi(value: Any) -> str | None:
    """The first DOI of an ``arxiv:doi`` value (arXiv allows several, space-separated)."""
    text = collapse(str(value or ""))
    return text.split(" ")[0] if text else None


def _term(value: Any) -> str | None:
    if isinstance(value, Mapping):
        return collapse(str(value.get("term") or "")) or None
    return None


def _categories(entry: Mapping[str, Any]) -> tuple[str, ...]:
    terms = (collapse(str(tag.get("term") or "")) for tag in _mappings(entry.get("tags")))
    return tuple(dict.fromkeys(term for term in terms if term))


def _names(names: Iterable[Any]) -> tuple[str, ...]:
    cleaned = (collapse(strip_controls(str(name or ""))) for name in names)
    return tuple(name for name in cleaned if name)


def _utc(value: Any) -> datetime | None:
    if isinstance(value, time.struct_time):
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    return None


# --- API results -----------------------------------------------------------------------------


def paper_from_result(result: Any) -> IncomingPaper | None:
    """An ``arxiv.Result`` as an IncomingPaper; None if its entry id names no arXiv paper."""
    ref = parse_arxiv_id(str(result.entry_id or ""))
    if ref is None:
        log.warning("arXiv API entry without a usable id: %r", str(result.entry_id)[:80])
        return None
    categories = tuple(dict.fromkeys(c for c in result.categories or () if c))
    return IncomingPaper(
        title=collapse(strip_controls(result.title or "")),
        arxiv_id=ref.id,
        arxiv_version=ref.version,
        doi=_doi(result.doi),
        authors=_names(author.name for author in result.authors or ()),
        abstract=collapse(strip_controls(result.summary or "")) or None,
        categories=categories,
        published=_aware(result.published),
        updated=_aware(result.updated),
        primary_category=result.primary_category or (categories[0] if categories else None),
        journal_ref=_optional(result.journal_ref),
        comment=_optional(result.comment),
        complete=True,
    )


def _aware(value: Any) -> datetime | None:
    """An aware UTC datetime; None for missing or naive values (the package's placeholder)."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        return None
    return value.astimezone(UTC)
