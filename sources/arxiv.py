"""arXiv as a source: category listings, API responses, and the API client.

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

:class:`ArxivClient` asks the API for metadata by id, through the ``arxiv`` package.
"""

from __future__ import annotations

import asyncio
import calendar
import html
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import arxiv
import feedparser
import requests

from papers.ids import ArxivId, parse_arxiv_id
from papers.model import IncomingPaper, SkipReason
from papers.text import collapse, strip_controls
from sources.errors import SourceError

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
# HTTP statuses that mean "not now": retried with back-off. Any other error status is final.
RETRY_STATUSES = frozenset({429, 503})
# The API answers at most 2000 results per request.
MAX_BATCH_SIZE = 2000

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
_ERRNO = re.compile(r"\[Errno -?\d+\] [^'\")]+")
_OLD_STYLE_SUBJECT = re.compile(r"\.[A-Z]{2}/")
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


# --- API client ------------------------------------------------------------------------------


class ArxivUnavailable(SourceError):
    """The arXiv API could not answer now (after retries); ``reason`` is one line for people."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _TimeoutAdapter(requests.adapters.HTTPAdapter):
    """An HTTP adapter that gives every request a timeout (the arxiv package sets none)."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float | None, float | None] | None = None,
        verify: bool | str = True,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        return super().send(
            request,
            stream=stream,
            timeout=self.timeout if timeout is None else timeout,
            verify=verify,
            cert=cert,
            proxies=proxies,
        )


class ArxivClient:
    """Paper metadata from the arXiv API, by id, through the ``arxiv`` package.

    arXiv's API terms of use ask clients to "make no more than one request every three
    seconds" (https://info.arxiv.org/help/api/tou.html). One ``arxiv.Client`` lives as long as
    this object, so its ``delay_seconds`` throttle holds across calls, and an asyncio lock lets
    one request run at a time. The ``arxiv`` package blocks; the work runs in a thread.

    Ids are sent ``batch_size`` to a request, without version (the answer is the latest
    version). Errors: HTTP 429 / 503, timeouts and connection failures are retried
    ``num_retries`` times after ``backoff_seconds * 2**attempt`` (slept with ``sleep``), then
    :class:`ArxivUnavailable`; other HTTP errors raise it at once. ``api_url`` may point at a
    mirror or a test server.
    """

    def __init__(
        self,
        api_url: str = DEFAULT_API_URL,
        *,
        delay_seconds: float = 3.0,
        num_retries: int = 3,
        batch_size: int = 100,
        backoff_seconds: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
        timeout_seconds: float = 60.0,
    ) -> None:
        if not 1 <= batch_size <= MAX_BATCH_SIZE:
            raise ValueError(f"batch_size must be 1 to {MAX_BATCH_SIZE}, not {batch_size}")
        if num_retries < 0:
            raise ValueError(f"num_retries cannot be negative: {num_retries}")
        self.api_url = api_url
        self.batch_size = batch_size
        self.num_retries = num_retries
        self.backoff_seconds = backoff_seconds
        self._sleep = sleep
        # The package's own retries (num_retries, delay_seconds apart) would multiply ours.
        self._client = arxiv.Client(
            page_size=batch_size, delay_seconds=delay_seconds, num_retries=0
        )
        separator = "&" if "?" in api_url else "?"
        self._client.query_url_format = (
            api_url.replace("{", "{{").replace("}", "}}") + separator + "{}"
        )
        session = getattr(self._client, "_session", None)
        if isinstance(session, requests.Session):
            adapter = _TimeoutAdapter(timeout_seconds)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
        self._lock = asyncio.Lock()
        # Also serialises the worker threads if a cancelled call's thread is still running.
        self._thread_lock = threading.Lock()

    def close(self) -> None:
        """Close the HTTP connections (the client can still be used; it reconnects)."""
        session = getattr(self._client, "_session", None)
        if isinstance(session, requests.Session):
            session.close()

    async def fetch(self, ids: Sequence[str]) -> dict[str, IncomingPaper]:
        """Metadata of the papers ``ids`` name, by canonical id (no version).

        Ids arXiv does not know, and strings that are not arXiv ids, are absent from the
        result. Raises :class:`ArxivUnavailable` when the API cannot answer now.
        """
        if isinstance(ids, str):
            ids = [ids]
        wanted: dict[str, str] = {}  # the id as sent -> the canonical id asked for
        for text in ids:
            ref = parse_arxiv_id(text)
            if ref is None:
                log.info("not an arXiv id, not asked for: %r", text[:80])
                continue
            wanted.setdefault(_query_form(ref.id), ref.id)
        found: dict[str, IncomingPaper] = {}
        query_ids = list(wanted)
        async with self._lock:
            for start in range(0, len(query_ids), self.batch_size):
                batch = query_ids[start : start + self.batch_size]
                for result in await asyncio.to_thread(self._query, batch):
                    paper = _from_result(result)
                    if paper is None or paper.arxiv_id is None:
                        continue
                    key = wanted.get(_query_form(paper.arxiv_id))
                    if key is None:
                        log.info("arXiv answered with a paper not asked for: %s", paper.arxiv_id)
                        continue
                    found[key] = paper
        return found

    def _query(self, batch: list[str]) -> list[Any]:
        """One id-list request with retries (runs in a worker thread)."""
        search = arxiv.Search(id_list=batch, max_results=len(batch))
        reason = "no attempt made"
        with self._thread_lock:
            for attempt in range(self.num_retries + 1):
                if attempt:
                    wait = self.backoff_seconds * 2 ** (attempt - 1)
                    log.info("arXiv API retry in %.1fs (attempt %d): %s", wait, attempt + 1, reason)
                    self._sleep(wait)
                try:
                    return self._results(search)
                except arxiv.HTTPError as exc:
                    if exc.status not in RETRY_STATUSES:
                        raise ArxivUnavailable(
                            f"the arXiv API answered HTTP {exc.status}"
                        ) from None
                    reason = f"HTTP {exc.status}"
                except requests.Timeout:
                    reason = "timed out"
                except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                    reason = _connection_failure(exc)
                except requests.RequestException as exc:
                    raise ArxivUnavailable(f"request failed: {type(exc).__name__}") from None
        attempts = self.num_retries + 1
        raise ArxivUnavailable(
            f"the arXiv API did not answer after {attempts} attempt{'s' * (attempts > 1)}: {reason}"
        )

    def _results(self, search: Any) -> list[Any]:
        found: list[Any] = []
        try:
            for result in self._client.results(search):
                found.append(result)
        except arxiv.UnexpectedEmptyPageError:
            # totalResults counted entries the package could not read; the rest are absent.
            log.warning("arXiv API: a further page came back empty; keeping %d", len(found))
        return found


def _query_form(arxiv_id: str) -> str:
    """The id as the API writes it: old-style ids without subject class (math/0309136)."""
    return _OLD_STYLE_SUBJECT.sub("/", arxiv_id)


def _connection_failure(exc: BaseException) -> str:
    match = _ERRNO.search(str(exc))
    return f"cannot connect ({match.group().strip()})" if match else "connection failed"


def _from_result(result: Any) -> IncomingPaper | None:
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
