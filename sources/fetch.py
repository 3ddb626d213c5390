"""Reading feed bytes: local files and http(s) URLs, safely.

One shared ``httpx.AsyncClient`` (:func:`new_client`) serves every fetch. :func:`fetch` adds:

- **redirects followed here**, not by httpx, so every hop is checked: at most
  ``max_redirects`` hops, each an http(s) URL that passes :func:`sources.safety.check_url`;
- **the address check** (SSRF): loopback, private, link-local … hosts are refused unless
  ``allow_private``; local files too. For plain ``http`` the connection goes to the very
  address the check approved (the URL's host is replaced by it, the ``Host`` header keeps the
  name), so DNS rebinding between check and connect cannot reach a private address. For
  ``https`` the client resolves again (a residual risk TLS narrows: a rebound internal
  service would need a certificate for the attacker's name);
- **a size cap on the decoded body**, enforced while streaming whatever ``Content-Length``
  says: gzip / deflate are decoded here, a bounded amount at a time, so a gzip bomb costs at
  most ``max_bytes`` of memory before it is refused;
- **a total deadline** besides httpx's per-read timeouts, so a server trickling one byte
  every few seconds cannot hold a poll for hours;
- conditional GET (``If-None-Match`` / ``If-Modified-Since``; 304 gives ``body=None``).

Every failure is a FetchError whose ``reason`` is one line for people.
"""

from __future__ import annotations

import asyncio
import re
import zlib
from contextlib import AsyncExitStack
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path

import httpx

from sources.errors import SourceError
from sources.safety import Resolver, UnsafeURL, check_url

MAX_BYTES = 20 * 1024 * 1024
USER_AGENT = "shortbot/0.1 (+https://github.com/shortbot; paper-summary digests)"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
TOTAL_TIMEOUT = 120.0
MAX_REDIRECTS = 5
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
# Only what _Inflate decodes: a client default that adds br or zstd is overridden per request.
ACCEPT_ENCODING = "gzip, deflate"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# A name with more addresses than this is tried on its first ones only.
MAX_ADDRESSES = 4
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


class FetchError(SourceError):
    """A source could not be read. ``reason`` is one line for people; ``status`` when HTTP."""

    def __init__(self, source: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
        self.status = status


@dataclass(frozen=True, slots=True)
class Fetched:
    """What a fetch brought: ``body`` is None when the server answered 304 Not Modified.

    ``url`` is where the answer came from after redirects (None for a local file).
    """

    source: str
    body: bytes | None
    etag: str | None = None
    last_modified: str | None = None
    url: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.body is None


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def new_client(*, timeout: httpx.Timeout = TIMEOUT) -> httpx.AsyncClient:
    """The one shared HTTP client: descriptive User-Agent, timeouts, gzip, no cookies.

    Redirects are not followed by the client: :func:`fetch` follows them and checks each hop.
    """
    return httpx.AsyncClient(
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING},
        timeout=timeout,
        follow_redirects=False,
        # feeds need no cookies; a jar that keeps none also keeps one site's from another's
        cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
    )


async def fetch(
    source: str,
    client: httpx.AsyncClient | None = None,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = MAX_BYTES,
    allow_private: bool = False,
    max_redirects: int = MAX_REDIRECTS,
    total_timeout: float | None = TOTAL_TIMEOUT,
    resolver: Resolver | None = None,
) -> Fetched:
    """Read ``source``: an http(s) URL, or with ``allow_private`` a file path or ``file://``.

    ``allow_private`` also lets URLs reach loopback and private addresses (tests, a feed on
    the local network). ``resolver`` replaces the system DNS resolver for the address check
    (the connection itself goes to an approved address for plain http). ``total_timeout``
    bounds the whole fetch, redirects included. Raises FetchError.
    """
    if not is_url(source):
        if _SCHEME.match(source) and not source.lower().startswith("file://"):
            scheme = source.split(":", 1)[0].lower()
            raise FetchError(
                source, f"refused: only http:// and https:// URLs can be fetched, not {scheme}:"
            )
        if not allow_private:
            raise FetchError(source, "refused: local files are read only from trusted sources")
        return Fetched(source, await asyncio.to_thread(_read_file, source, max_bytes))
    try:
        async with asyncio.timeout(total_timeout), AsyncExitStack() as stack:
            if client is None:
                client = await stack.enter_async_context(new_client())
            return await _fetch_http(
                client,
                source,
                etag,
                last_modified,
                max_bytes,
                allow_private,
                max_redirects,
                resolver,
            )
    except TimeoutError:
        raise FetchError(
            source, f"timed out: no complete answer within {total_timeout:g} s"
        ) from None
    except httpx.TimeoutException:
        raise FetchError(source, "timed out") from None
    except httpx.InvalidURL as exc:
        raise FetchError(source, f"invalid URL: {exc}") from None
    except httpx.HTTPError as exc:
        raise FetchError(
            source, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        ) from None


def _size(count: int) -> str:
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if count >= size and count % size == 0:
            return f"{count // size} {unit}"
    return f"{count} bytes"


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
        raise FetchError(source, f"larger than {_size(max_bytes)}")
    return body


async def _fetch_http(
    client: httpx.AsyncClient,
    source: str,
    etag: str | None,
    last_modified: str | None,
    max_bytes: int,
    allow_private: bool,
    max_redirects: int,
    resolver: Resolver | None,
) -> Fetched:
    headers = {"Accept-Encoding": ACCEPT_ENCODING}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    url = source
    for hop in range(max_redirects + 1):
        try:
            addresses = await check_url(url, allow_private=allow_private, resolve=resolver)
        except UnsafeURL as exc:
            where = f" redirect to {url}" if hop else ""
            raise FetchError(source, f"refused{where}: {exc.reason}") from None
        except OSError as exc:
            host = httpx.URL(url).host
            raise FetchError(source, f"cannot resolve {host}: {exc.strerror or exc}") from None
        response = await _send(client, httpx.URL(url), headers, addresses)
        try:
            status = response.status_code
            if status in REDIRECT_STATUSES:
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(source, f"HTTP {status} redirect without a Location", status)
                url = str(httpx.URL(url).join(location.strip()))
                continue
            if status == 304:
                return Fetched(
                    source,
                    None,
                    response.headers.get("ETag") or etag,
                    response.headers.get("Last-Modified") or last_modified,
                    url,
                )
            if status >= 300:
                raise FetchError(source, f"HTTP {status}", status)
            body = await _read_body(source, response, max_bytes)
            return Fetched(
                source,
                body,
                response.headers.get("ETag"),
                response.headers.get("Last-Modified"),
                url,
            )
        finally:
            await response.aclose()
    raise FetchError(source, f"more than {max_redirects} redirects")


async def _send(
    client: httpx.AsyncClient, url: httpx.URL, headers: dict[str, str], addresses: list[str]
) -> httpx.Response:
    """GET ``url``, streaming; plain http goes to one of the approved ``addresses``."""
    if url.scheme != "http" or not addresses:
        request = client.build_request("GET", url, headers=headers)
        return await client.send(request, stream=True, follow_redirects=False)
    pinned_headers = {**headers, "Host": url.netloc.decode("ascii")}
    candidates = addresses[:MAX_ADDRESSES]
    for address in candidates[:-1]:
        try:
            return await _send_to(client, url, address, pinned_headers)
        except httpx.ConnectError:
            continue  # the next address, as a client resolving the name itself would
    return await _send_to(client, url, candidates[-1], pinned_headers)


async def _send_to(
    client: httpx.AsyncClient, url: httpx.URL, address: str, headers: dict[str, str]
) -> httpx.Response:
    pinned = url.copy_with(host=address.split("%", 1)[0])
    request = client.build_request("GET", pinned, headers=headers)
    return await client.send(request, stream=True, follow_redirects=False)


async def _read_body(source: str, response: httpx.Response, max_bytes: int) -> bytes:
    too_large = FetchError(source, f"larger than {_size(max_bytes)}")
    declared = response.headers.get("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    layers = []
    for coding in reversed(response.headers.get_list("Content-Encoding", split_commas=True)):
        coding = coding.strip().lower()
        if coding in ("", "identity"):
            continue
        if coding not in ("gzip", "x-gzip", "deflate"):
            raise FetchError(source, f"unsupported Content-Encoding {coding!r}")
        layers.append(_Inflate("deflate" if coding == "deflate" else "gzip", max_bytes))
    body = bytearray()
    received = 0
    try:
        async for raw in response.aiter_raw():
            received += len(raw)
            if received > max_bytes:
                raise too_large
            body += _through(layers, raw, final=False)
            if len(body) > max_bytes:
                raise too_large
        body += _through(layers, b"", final=True)
    except _TooLarge:
        raise too_large from None
    except zlib.error as exc:
        raise FetchError(source, f"cannot decompress the body: {exc}") from None
    if len(body) > max_bytes:
        raise too_large
    return bytes(body)


class _TooLarge(Exception):
    pass


def _through(layers: list[_Inflate], data: bytes, *, final: bool) -> bytes:
    for layer in layers:
        data = layer.feed(data)
        if final:
            data += layer.flush()
    return data


class _Inflate:
    """One gzip or deflate layer that never produces more than ``limit`` bytes in total.

    Each step asks zlib for at most the room left plus one byte, so a bomb is noticed after
    ``limit`` bytes of output, never after expanding a whole network chunk (1000:1 or more).
    Like browsers and httpx: "deflate" may be zlib-wrapped or raw; gzip may have several
    members; bytes after the end of the stream are ignored.
    """

    def __init__(self, kind: str, limit: int) -> None:
        self.kind = kind
        self.limit = limit
        self.produced = 0
        self._first = True
        self._done = False
        self._inflater = self._new()

    def _new(self, *, raw: bool = False) -> zlib._Decompress:
        if self.kind == "gzip":
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        return zlib.decompressobj(-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)

    def feed(self, data: bytes) -> bytes:
        out = bytearray()
        while data:
            if self._done:
                if self.kind != "gzip" or not data.startswith(b"\x1f\x8b"):
                    break  # trailing bytes after the stream
                self._inflater = self._new()
                self._done = False
            room = self.limit - self.produced - len(out)
            try:
                chunk = self._inflater.decompress(data, room + 1)
            except zlib.error:
                if self.kind == "deflate" and self._first:
                    self._first = False
                    self._inflater = self._new(raw=True)
                    continue
                raise
            self._first = False
            out += chunk
            if len(chunk) > room:
                raise _TooLarge
            if self._inflater.eof:
                self._done = True
                data = self._inflater.unused_data
            else:
                data = self._inflater.unconsumed_tail
        self.produced += len(out)
        return bytes(out)

    def flush(self) -> bytes:
        if self._done:
            return b""
        room = self.limit - self.produced
        rest = self._inflater.flush(room + 1)
        if len(rest) > room:
            raise _TooLarge
        self.produced += len(rest)
        return rest
