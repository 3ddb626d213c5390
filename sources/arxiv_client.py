"""The arXiv API client: paper metadata by id, throttled and retried, through ``arxiv``.

:class:`ArxivClient` keeps one ``arxiv.Client`` (its throttle holds across calls), sends ids in
batches, retries what means "not now" and raises :class:`ArxivUnavailable` when the API cannot
answer. The answers become papers in :mod:`sources.arxiv_parse`.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import arxiv
import requests

from papers.ids import parse_arxiv_id
from papers.model import IncomingPaper
from sources.arxiv_parse import paper_from_result
from sources.errors import SourceError

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
# HTTP statuses that mean "not now": retried with back-off. Any other error status is final.
RETRY_STATUSES = frozenset({429, 503})
# The API answers at most 2000 results per request.
MAX_BATCH_SIZE = 2000

_ERRNO = re.compile(r"\[Errno -?\d+\] [^'\")]+")
_OLD_STYLE_SUBJECT = re.compile(r"\.[A-Z]{2}/")


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
                    paper = paper_from_result(result)
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
