"""Reading feed bytes: local files and http(s) URLs, with conditional GET and a size cap."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import httpx

MAX_BYTES = 20 * 1024 * 1024
USER_AGENT = "shortbot/0.1 (+https://github.com/shortbot; paper-summary digests)"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
MAX_REDIRECTS = 5


class FetchError(Exception):
    """A source could not be read. ``reason`` is one line for people; ``status`` when HTTP."""

    def __init__(self, source: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
        self.status = status


@dataclass(frozen=True, slots=True)
class Fetched:
    """What a fetch brought: ``body`` is None when the server answered 304 Not Modified."""

    source: str
    body: bytes | None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.body is None


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def new_client() -> httpx.AsyncClient:
    """The one shared HTTP client: descriptive User-Agent, timeouts, bounded redirects."""
    return httpx.AsyncClient(
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        timeout=TIMEOUT,
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
    )


async def fetch(
    source: str,
    client: httpx.AsyncClient | None = None,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> Fetched:
    """Read ``source`` (a file path, ``file://`` path or http(s) URL). Raises FetchError."""
    if is_url(source):
        if client is None:
            async with new_client() as own:
                return await _fetch_http(own, source, etag, last_modified, max_bytes)
        return await _fetch_http(client, source, etag, last_modified, max_bytes)
    return Fetched(source, await asyncio.to_thread(_read_file, source, max_bytes))


def _read_file(source: str, max_bytes: int) -> bytes:
    path = Path(source.removeprefix("file://")).expanduser()
    try:
        with path.open("rb") as handle:
            body = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise FetchError(source, "no such file") from None
    except IsADirectoryError:
        raise FetchError(source, "is a directory, not a feed file") from None
    except OSError as exc:
        raise FetchError(source, exc.strerror or str(exc)) from None
    if len(body) > max_bytes:
        raise FetchError(source, f"larger than {max_bytes // (1024 * 1024)} MB")
    return body


async def _fetch_http(
    client: httpx.AsyncClient,
    url: str,
    etag: str | None,
    last_modified: str | None,
    max_bytes: int,
) -> Fetched:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return Fetched(url, None, etag, last_modified)
            if response.status_code >= 400:
                raise FetchError(url, f"HTTP {response.status_code}", response.status_code)
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(url, f"larger than {max_bytes // (1024 * 1024)} MB")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(url, f"larger than {max_bytes // (1024 * 1024)} MB")
                chunks.append(chunk)
            return Fetched(
                url,
                b"".join(chunks),
                response.headers.get("ETag"),
                response.headers.get("Last-Modified"),
            )
    except httpx.TooManyRedirects:
        raise FetchError(url, f"more than {MAX_REDIRECTS} redirects") from None
    except httpx.TimeoutException:
        raise FetchError(url, "timed out") from None
    except httpx.InvalidURL as exc:
        raise FetchError(url, f"invalid URL: {exc}") from None
    except httpx.HTTPError as exc:
        raise FetchError(
            url, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        ) from None
