"""Fetching feeds from a real local HTTP server: validators, failures, limits, SSRF, XML bombs.

Everything runs against ``tests.httpserver.LocalHTTPServer`` on 127.0.0.1, so fetches that
must reach it pass ``allow_private=True``. The address rules are tested with
``allow_private=False`` in two ways: URLs that name a private address (refused before any
connection: the server counts no request), and public *names* — a fake resolver makes
``feeds.example`` resolve to 93.184.216.34 — whose connections a test transport delivers to
the local server. That transport stands in for the internet; ``fetch`` itself runs unchanged.
"""

from __future__ import annotations

import asyncio
import socket
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from pathlib import Path

import feedparser
import httpx
import pytest

from sources.fetch import MAX_BYTES, Fetched, FetchError, fetch, new_client
from sources.parse import MAX_ENTRIES, FeedParseError, parse_feed
from sources.safety import (
    UnsafeURL,
    UnsafeXML,
    address_problem,
    check_url,
    check_url_syntax,
    defuse_xml,
    parse_ip_host,
)
from tests.httpserver import Framing, LocalHTTPServer, Request, Response

FIXTURES = Path(__file__).parents[1] / "fixtures"
MB = 1024 * 1024
PUBLIC_IP = "93.184.216.34"


@pytest.fixture
def server() -> Iterator[LocalHTTPServer]:
    with LocalHTTPServer() as running:
        yield running


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with new_client() as shared:
        yield shared


def shortscience_feed(title: str = "Summaries", author: str = "Reader", encoding: str = "") -> str:
    declaration = f' encoding="{encoding}"' if encoding else ""
    return (
        f'<?xml version="1.0"{declaration}?>\n'
        '<rss version="2.0" xmlns:shortscience="https://www.shortscience.org"><channel>'
        f"<title>{title}</title>"
        "<item><shortscience:arxivid>1312.6199</shortscience:arxivid>"
        "<title>Intriguing properties of neural networks</title>"
        f"<author>{author}</author><description>Adversarial examples.</description>"
        "<guid>https://www.shortscience.org/paper?bibtexKey=1312.6199#a</guid></item>"
        "</channel></rss>\n"
    )


FEED = shortscience_feed().encode()


def peak_memory(action: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[int]]:
    """Run ``action`` under tracemalloc; return the peak of traced memory (all threads).

    Measure after a first fetch on the same client (:func:`warm_up`): the first request
    allocates a few MB once (connection pool, codecs, parser state).
    """

    async def run() -> int:
        tracemalloc.start()
        try:
            try:
                await action()
            finally:
                _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        return peak

    return run


async def warm_up(server: LocalHTTPServer, client: httpx.AsyncClient) -> None:
    server.route("/warm-up", Response.xml(FEED, gzip=True))
    await fetch(server.url("/warm-up"), client, allow_private=True)


# ---------------------------------------------------------------------------------------------
# The basics: conditional GET, errors, timeouts


async def test_conditional_get_sends_validators_and_reads_304(
    server: LocalHTTPServer, client: httpx.AsyncClient
) -> None:
    etag, modified = '"v1"', "Sat, 01 Mar 2025 09:00:00 GMT"

    def answer(request: Request) -> Response:
        if request.headers.get("If-None-Match") == etag:
            return Response(304, headers={"ETag": etag})
        return Response.xml(FEED, headers={"ETag": etag, "Last-Modified": modified})

    server.route("/feed.xml", answer)
    first = await fetch(server.url("/feed.xml"), client, allow_private=True)
    assert first == Fetched(server.url("/feed.xml"), FEED, etag, modified, server.url("/feed.xml"))
    assert not first.not_modified
    assert server.last("/feed.xml").headers.get("If-None-Match") is None

    second = await fetch(
        server.url("/feed.xml"),
        client,
        etag=first.etag,
        last_modified=first.last_modified,
        allow_private=True,
    )
    assert second.not_modified
    assert second.body is None
    assert (second.etag, second.last_modified) == (etag, modified)
    sent = server.last("/feed.xml").headers
    assert sent["If-None-Match"] == etag
    assert sent["If-Modified-Since"] == modified
    assert sent["User-Agent"].startswith("shortbot/")
    assert sent["Accept-Encoding"] == "gzip, deflate"
    assert server.count("/feed.xml") == 2


@pytest.mark.parametrize("status", [500, 404, 410, 403])
async def test_http_error_status(
    server: LocalHTTPServer, client: httpx.AsyncClient, status: int
) -> None:
    server.route("/feed.xml", Response(status, b"no"))
    with pytest.raises(FetchError) as caught:
        await fetch(server.url("/feed.xml"), client, allow_private=True)
    assert caught.value.status == status
    assert caught.value.reason == f"HTTP {status}"


async def test_slow_headers_time_out_in_bounded_time(server: LocalHTTPServer) -> None:
    server.route("/slow", Response.xml(FEED, delay=10))
    started = time.monotonic()
    async with new_client(timeout=httpx.Timeout(0.3)) as quick:
        with pytest.raises(FetchError) as caught:
            await fetch(server.url("/slow"), quick, allow_private=True)
    assert caught.value.reason == "timed out"
    assert time.monotonic() - started < 3


async def test_a_trickling_body_hits_the_total_deadline(
    server: LocalHTTPServer, client: httpx.AsyncClient
) -> None:
    # 100 bytes a second never trips a per-read timeout: only the total deadline stops it
    server.route("/drip", Response.xml(FEED * 100, trickle=100))
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        await fetch(server.url("/drip"), client, allow_private=True, total_timeout=0.5)
    assert caught.value.reason.startswith("timed out")
    assert time.monotonic() - started < 3
    assert server.count("/drip") == 1


async def test_connection_refused(client: httpx.AsyncClient) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(FetchError) as caught:
        await fetch(f"http://127.0.0.1:{port}/feed.xml", client, allow_private=True)
    assert caught.value.status is None
    assert "ConnectError" in caught.value.reason


# ---------------------------------------------------------------------------------------------
# Redirects


async def test_a_redirect_loop_stops_after_the_limit(
    server: LocalHTTPServer, client: httpx.AsyncClient
) -> None:
    server.route("/a", Response.redirect("/b"))
    server.route("/b", Response.redirect(server.url("/a"), status=301))
    with pytest.raises(FetchError) as caught:
        await fetch(server.url("/a"), client, allow_private=True)
    assert caught.value.reason == "more than 5 redirects"
    assert server.count("/a") + server.count("/b") == 6  # the request and 5 redirects

    with pytest.raises(FetchError, match="more than 2 redirects"):
        await fetch(server.url("/a"), client, allow_private=True, max_redirects=2)


async def test_a_redirect_chain_within_the_limit_is_followed(
    server: LocalHTTPServer, client: httpx.AsyncClient
) -> None:
    server.route("/start", Response.redirect("/hop/one", status=301))  # absolute path
    server.route("/hop/one", Response.redirect("two", status=302))  # relative to /hop/
    server.route("/hop/two", Response.redirect(server.url("/three"), status=303))  # absolute
    server.route("/three", Response.redirect("/four?x=1", status=307))
    server.route("/four", Response.redirect("//" + server.url("/feed.xml")[7:], status=308))
    server.route("/feed.xml", Response.xml(FEED, headers={"ETag": '"e"'}))
    fetched = await fetch(server.url("/start"), client, allow_private=True, etag='"old"')
    assert fetched.body == FEED
    assert fetched.etag == '"e"'
    assert fetched.source == server.url("/start")
    assert fetched.url == server.url("/feed.xml")
    assert server.last("/four").target == "/four?x=1"
    # conditional headers travel with every hop, as with any client following redirects
    assert server.last("/feed.xml").headers["If-None-Match"] == '"old"'


async def test_a_redirect_without_location_is_an_error(
    server: LocalHTTPServer, client: httpx.AsyncClient
) -> None:
    server.route("/moved", Response(302))
    with pytest.raises(FetchError) as caught:
        await fetch(server.url("/moved"), client, allow_private=True)
    assert caught.value.status == 302
    assert "without a Location" in caught.value.reason


@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "gopher://127.0.0.1:70/", "ftp://example.com/feed"]
)
async def test_a_redirect_to_another_scheme_is_refused_even_when_private_is_allowed(
    server: LocalHTTPServer, client: httpx.AsyncClient, location: str
) -> None:
    server.route("/moved", Response.redirect(location))
    with pytest.raises(FetchError) as caught:
        await fetch(server.url("/moved"), client, allow_private=True)
    # httpx writes file:///etc/passwd as file:/etc/passwd
    assert caught.value.reason.startswith(f"refused redirect to {location[:5]}")


# ---------------------------------------------------------------------------------------------
# Size limits: with and without Content-Length, gzip bombs


def endless(chunk: bytes = b"<item>" + b"x" * 65_530) -> Callable[[], Iterator[bytes]]:
    def body() -> Iterator[bytes]:
        while True:
            yield chunk

    return body


async def test_a_declared_oversized_body_is_refused_before_reading(
    server: LocalHTTPServer, client: httpx.AsyncClient
) -> None:
    server.route("/big", Response(body=b"x" * (2 * MB)))
    with pytest.raises(FetchError) as caught:
        await fetch(server.url("/big"), client, allow_private=True, max_bytes=1 * MB)
    assert caught.value.reason == "larger than 1 MB"


@pytest.mark.parametrize("framing", ["chunked", "close"])
async def test_an_endless_body_without_length_is_cut_at_the_cap(
    server: LocalHTTPServer, client: httpx.AsyncClient, framing: Framing
) -> None:
    server.route("/endless", Response(body=endless(), framing=framing))

    await warm_up(server, client)

    async def attempt() -> None:
        with pytest.raises(FetchError, match="larger than 1 MB"):
            await fetch(server.url("/endless"), client, allow_private=True, max_bytes=1 * MB)

    assert await peak_memory(attempt)() < 8 * MB


async def test_a_content_length_that_lies_small_gives_only_what_it_declared(
    server: LocalHTTPServer, client: httpx.AsyncClient
) -> None:
    server.route("/liar", Response(body=endless(), content_length=1000))
    fetched = await fetch(server.url("/liar"), client, allow_private=True, max_bytes=1 * MB)
    assert fetched.body is not None
    assert len(fetched.body) == 1000


async def test_a_content_length_that_lies_big_is_an_error(
    server: LocalHTTPServer, client: httpx.AsyncClient
) -> None:
    server.route("/short", Response(body=FEED, content_length=len(FEED) + 500))
    with pytest.raises(FetchError) as caught:
        await fetch(server.url("/short"), client, allow_private=True)
    assert "RemoteProtocolError" in caught.value.reason  # the body ended early


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """128 MB of zeros in about 130 KB of gzip."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(MB)
    return b"".join([*(compressor.compress(block) for _ in range(128)), compressor.flush()])


@pytest.mark.parametrize("framing", ["length", "chunked"])
async def test_a_gzip_bomb_is_refused_with_bounded_memory(
    server: LocalHTTPServer, client: httpx.AsyncClient, gzip_bomb: bytes, framing: Framing
) -> None:
    assert len(gzip_bomb) < 1 * MB  # the compressed size passes the cap: decoded bytes count
    server.route(
        "/bomb",
        Response(body=gzip_bomb, headers={"Content-Encoding": "gzip"}, framing=framing),
    )

    await warm_up(server, client)

    async def attempt() -> None:
        with pytest.raises(FetchError, match="larger than 1 MB"):
            await fetch(server.url("/bomb"), client, allow_private=True, max_bytes=1 * MB)

    # one 64 KB network read of this bomb inflates to 64 MB if decoded in one go
    assert await peak_memory(attempt)() < 8 * MB


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", lambda data: zlib.compress(data, wbits=16 + zlib.MAX_WBITS)),
        ("x-gzip", lambda data: zlib.compress(data, wbits=16 + zlib.MAX_WBITS)),
        ("deflate", zlib.compress),  # zlib-wrapped, as the RFC says
        ("deflate", lambda data: zlib.compress(data, wbits=-zlib.MAX_WBITS)),  # raw, as IIS did
        (
            "gzip",
            lambda data: zlib.compress(data[:99], wbits=31) + zlib.compress(data[99:], wbits=31),
        ),
        ("identity", lambda data: data),
    ],
    ids=["gzip", "x-gzip", "deflate-zlib", "deflate-raw", "gzip-two-members", "identity"],
)
async def test_compressed_bodies_are_decoded(
    server: LocalHTTPServer,
    client: httpx.AsyncClient,
    encoding: str,
    encode: Callable[[bytes], bytes],
) -> None:
    server.route("/z", Response(body=encode(FEED), headers={"Content-Encoding": encoding}))
    fetched = await fetch(server.url("/z"), client, allow_private=True)
    assert fetched.body == FEED


async def test_gzip_from_the_server_helper_and_a_body_at_the_exact_cap(
    server: LocalHTTPServer, client: httpx.AsyncClient
) -> None:
    body = b"a" * 5000
    server.route("/gz", Response(body=body, gzip=True))
    assert (await fetch(server.url("/gz"), client, allow_private=True, max_bytes=5000)).body == body
    with pytest.raises(FetchError, match="larger than 4999 bytes"):
        await fetch(server.url("/gz"), client, allow_private=True, max_bytes=4999)


@pytest.mark.parametrize(
    ("headers", "body", "reason"),
    [
        ({"Content-Encoding": "gzip"}, b"this is not gzip at all", "cannot decompress"),
        ({"Content-Encoding": "br"}, b"\x1b\x00", "unsupported Content-Encoding 'br'"),
    ],
)
async def test_undecodable_bodies_are_errors(
    server: LocalHTTPServer,
    client: httpx.AsyncClient,
    headers: dict[str, str],
    body: bytes,
    reason: str,
) -> None:
    server.route("/z", Response(body=body, headers=headers))
    with pytest.raises(FetchError, match=reason):
        await fetch(server.url("/z"), client, allow_private=True)


# ---------------------------------------------------------------------------------------------
# What arrives is not always a good feed: fetch passes it on, parse_feed judges it


async def test_html_instead_of_a_feed_is_fetched_then_unreadable(
    server: LocalHTTPServer, client: httpx.AsyncClient
) -> None:
    html = b"<!DOCTYPE html><html><head><title>Log in</title></head><body><p>Hi</p></body></html>"
    server.route("/feed", Response(body=html, headers={"Content-Type": "text/html"}))
    fetched = await fetch(server.url("/feed"), client, allow_private=True)
    assert fetched.body == html
    with pytest.raises(FeedParseError):
        parse_feed(defuse_xml(fetched.body), fetched.source)


async def test_truncated_xml_keeps_the_complete_entries(
    server: LocalHTTPServer, client: httpx.AsyncClient
) -> None:
    sample = (FIXTURES / "shortscience-rss.xml").read_bytes()
    cut = sample[: sample.index(b"<item>", len(sample) // 2) + 150]
    server.route("/feed.xml", Response.xml(cut, framing="close"))
    fetched = await fetch(server.url("/feed.xml"), client, allow_private=True)
    assert fetched.body == cut
    parsed = parse_feed(defuse_xml(fetched.body), fetched.source)
    assert 0 < len(parsed.summaries) < 12
    assert any("malformed" in warning for warning in parsed.warnings)


ENCODED_FEEDS = {
    # declared UTF-8, sent as latin-1: feedparser falls back to windows-1252
    "utf8-declared-latin1-sent": (
        shortscience_feed("Résumés", "José Müller", "utf-8").encode("latin-1"),
        "application/rss+xml; charset=utf-8",
    ),
    "utf16-with-bom": (
        shortscience_feed("Résumés", "José Müller", "utf-16").encode("utf-16"),
        "application/rss+xml",
    ),
    "utf16-be-no-bom": (
        shortscience_feed("Résumés", "José Müller", "utf-16").encode("utf-16-be"),
        "application/rss+xml",
    ),
    # the header says latin-1, the declaration and the bytes say UTF-8
    "header-contradicts-declaration": (
        shortscience_feed("Résumés", "José Müller", "utf-8").encode("utf-8"),
        "text/xml; charset=iso-8859-1",
    ),
    "windows-1252-declared": (
        shortscience_feed("Résumés “quoted”", "José Müller", "windows-1252").encode("cp1252"),
        "application/rss+xml",
    ),
}


@pytest.mark.parametrize("name", list(ENCODED_FEEDS))
async def test_feeds_in_odd_encodings_parse_readably(
    server: LocalHTTPServer, client: httpx.AsyncClient, name: str
) -> None:
    body, content_type = ENCODED_FEEDS[name]
    server.route("/feed.xml", Response(body=body, headers={"Content-Type": content_type}))
    fetched = await fetch(server.url("/feed.xml"), client, allow_private=True)
    assert fetched.body == body  # fetch hands over the bytes untouched, whatever the charset
    parsed = parse_feed(defuse_xml(fetched.body), fetched.source)
    (summary,) = parsed.summaries
    assert summary.author == "José Müller"
    assert parsed.title.startswith("Résumés")


async def test_a_declaration_that_lies_about_utf8_gives_mojibake_not_a_crash() -> None:
    body = shortscience_feed("Résumés", "José", "iso-8859-1").encode("utf-8")
    parsed = parse_feed(defuse_xml(body), "x")
    (summary,) = parsed.summaries
    assert summary.author in ("José", "JosÃ©")


# ---------------------------------------------------------------------------------------------
# SSRF: addresses refused with allow_private=False


def refused_urls(port: int) -> list[str]:
    here = f":{port}/feed.xml"
    return [
        f"http://127.0.0.1{here}",
        f"http://127.1{here}",
        "http://10.0.0.1/feed.xml",
        "http://172.16.0.1/feed.xml",
        "http://172.31.255.254/feed.xml",
        "http://192.168.1.1/feed.xml",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/feed.xml",
        "http://0.0.0.0/feed.xml",
        "http://224.0.0.1/feed.xml",
        "http://255.255.255.255/feed.xml",
        f"http://[::1]{here}",
        f"http://[::ffff:127.0.0.1]{here}",
        "http://[::ffff:a9fe:a9fe]/latest/meta-data/",
        "http://[::127.0.0.1]/feed.xml",
        "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
        "http://[2002:c0a8:101::1]/feed.xml",
        "http://[fe80::1]/feed.xml",
        "http://[fc00::1]/feed.xml",
        f"http://2130706433{here}",
        f"http://0x7f.1{here}",
        f"http://0x7f000001{here}",
        f"http://0177.0.0.1{here}",
        f"http://017700000001{here}",
        "http://0xa9.0xfe.0xa9.0xfe/latest/meta-data/",
        f"http://localhost{here}",
        f"http://LOCALHOST.{here}",
        f"http://feeds.localhost{here}",
        "file:///etc/passwd",
        "ftp://example.com/feed.xml",
        "gopher://example.com:70/_GET",
        "dict://example.com:11211/stats",
        "http://user:pass@example.com/feed.xml",
        f"http://user@127.0.0.1{here}",
        "https://:pass@example.com/feed.xml",
    ]


@pytest.mark.parametrize("index", range(len(refused_urls(0))))
async def test_private_and_odd_urls_are_refused_without_connecting(
    server: LocalHTTPServer, client: httpx.AsyncClient, index: int
) -> None:
    url = refused_urls(server.port)[index]

    async def no_dns(host: str) -> Sequence[str]:
        raise AssertionError(f"{host} should be refused before any DNS lookup")

    with pytest.raises(FetchError) as caught:
        await fetch(url, client, resolver=no_dns)
    assert caught.value.reason.startswith("refused"), caught.value.reason
    assert caught.value.source == url
    with pytest.raises(UnsafeURL):
        check_url_syntax(url)
    assert server.total == 0


def fake_dns(table: dict[str, list[str]]) -> Callable[[str], Awaitable[list[str]]]:
    """A resolver answering from ``table`` (unknown names: "Name or service not known")."""
    asked: list[str] = []

    async def resolve(host: str) -> list[str]:
        asked.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]

    resolve.asked = asked  # type: ignore[attr-defined]
    return resolve


DNS = {
    "feeds.example": [PUBLIC_IP],
    "mirror.example": ["2606:2800:220:1:248:1893:25c8:1946"],
    "two.example": ["93.184.216.35", "93.184.216.36"],
    "intranet.example": ["10.0.0.7"],
    "metadata.example": ["169.254.169.254"],
    "sneaky.example": [PUBLIC_IP, "127.0.0.1"],
    "mapped.example": ["::ffff:192.168.0.1"],
    "rebind.example": [PUBLIC_IP],
}


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("intranet.example", "intranet.example resolves to 10.0.0.7, a private address"),
        ("metadata.example", "resolves to 169.254.169.254, a link-local address"),
        ("sneaky.example", "resolves to 127.0.0.1, a loopback address"),  # every address counts
        ("mapped.example", "a private address (IPv4 192.168.0.1 inside IPv6)"),
    ],
)
async def test_names_resolving_to_private_addresses_are_refused(host: str, reason: str) -> None:
    with pytest.raises(UnsafeURL) as caught:
        await check_url(f"http://{host}/feed", allow_private=False, resolve=fake_dns(DNS))
    assert reason in caught.value.reason


async def test_check_url_returns_the_approved_addresses_and_skips_dns_when_private_is_allowed() -> (
    None
):
    resolve = fake_dns(DNS)
    assert await check_url("https://two.example/", allow_private=False, resolve=resolve) == [
        "93.184.216.35",
        "93.184.216.36",
    ]
    assert await check_url(f"http://{PUBLIC_IP}/", allow_private=False, resolve=resolve) == [
        PUBLIC_IP
    ]
    assert await check_url("http://intranet.example/", allow_private=True, resolve=resolve) == []
    assert resolve.asked == ["two.example"]  # type: ignore[attr-defined]
    with pytest.raises(OSError, match="not known"):
        await check_url("http://nowhere.example/", allow_private=False, resolve=resolve)
    with pytest.raises(UnsafeURL):  # schemes and credentials are refused even then
        await check_url("http://u:p@intranet.example/", allow_private=True)


class ToLocalServer(httpx.AsyncBaseTransport):
    """Stands in for the internet: delivers every request to the local server, logs its URL.

    Requests for a host in ``unreachable`` fail to connect, like a dead address.
    """

    def __init__(self, server: LocalHTTPServer, unreachable: frozenset[str] = frozenset()):
        self.server = server
        self.unreachable = unreachable
        self.urls: list[httpx.URL] = []
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(request.url)
        if request.url.host in self.unreachable:
            raise httpx.ConnectError("connection refused", request=request)
        request.url = request.url.copy_with(
            scheme="http", host=self.server.host, port=self.server.port
        )
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
async def internet(
    server: LocalHTTPServer,
) -> AsyncIterator[tuple[httpx.AsyncClient, ToLocalServer]]:
    transport = ToLocalServer(server, unreachable=frozenset({"93.184.216.35"}))
    async with httpx.AsyncClient(transport=transport) as through:
        yield through, transport


async def test_a_public_chain_is_followed_and_plain_http_connects_to_the_checked_address(
    server: LocalHTTPServer, internet: tuple[httpx.AsyncClient, ToLocalServer]
) -> None:
    through, transport = internet
    server.route("/start", Response.redirect("http://mirror.example:8080/feed.xml", 301))
    server.route("/feed.xml", Response.xml(FEED))
    fetched = await fetch(
        "http://feeds.example/start", through, allow_private=False, resolver=fake_dns(DNS)
    )
    assert fetched.body == FEED
    assert fetched.url == "http://mirror.example:8080/feed.xml"
    # the connections went to the addresses the check approved; Host names the site
    assert [str(url) for url in transport.urls] == [
        f"http://{PUBLIC_IP}/start",
        "http://[2606:2800:220:1:248:1893:25c8:1946]:8080/feed.xml",
    ]
    assert server.last("/start").headers["Host"] == "feeds.example"
    assert server.last("/feed.xml").headers["Host"] == "mirror.example:8080"


async def test_an_unreachable_address_falls_back_to_the_next_approved_one(
    server: LocalHTTPServer, internet: tuple[httpx.AsyncClient, ToLocalServer]
) -> None:
    through, transport = internet
    server.route("/feed.xml", Response.xml(FEED))
    fetched = await fetch("http://two.example/feed.xml", through, resolver=fake_dns(DNS))
    assert fetched.body == FEED
    assert [url.host for url in transport.urls] == ["93.184.216.35", "93.184.216.36"]


async def test_dns_rebinding_after_the_check_cannot_redirect_plain_http(
    server: LocalHTTPServer, internet: tuple[httpx.AsyncClient, ToLocalServer]
) -> None:
    through, transport = internet
    answers = iter([[PUBLIC_IP], ["127.0.0.1"]])

    async def rebinding(host: str) -> list[str]:
        return next(answers)  # public for the check; a second lookup would say loopback

    server.route("/feed.xml", Response.xml(FEED))
    await fetch("http://rebind.example/feed.xml", through, resolver=rebinding)
    assert [url.host for url in transport.urls] == [PUBLIC_IP]


async def test_https_keeps_the_name_for_tls(
    server: LocalHTTPServer, internet: tuple[httpx.AsyncClient, ToLocalServer]
) -> None:
    through, transport = internet
    server.route("/feed.xml", Response.xml(FEED))
    await fetch("https://feeds.example/feed.xml", through, resolver=fake_dns(DNS))
    assert [str(url) for url in transport.urls] == ["https://feeds.example/feed.xml"]


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http://127.0.0.1:{port}/feed.xml", "127.0.0.1 is a loopback address"),
        ("http://localhost:{port}/feed.xml", "localhost is a loopback name"),
        ("http://intranet.example/feed.xml", "resolves to 10.0.0.7, a private address"),
        ("http://169.254.169.254/latest/meta-data/", "a link-local address"),
        ("http://metadata.example/latest/", "resolves to 169.254.169.254"),
        ("http://[::ffff:7f00:1]:{port}/feed.xml", "a loopback address"),
        ("http://2130706433:{port}/feed.xml", "127.0.0.1 is a loopback address"),
        ("file:///etc/passwd", "not file:"),
    ],
)
async def test_a_redirect_from_a_public_url_to_a_private_one_is_refused(
    server: LocalHTTPServer,
    internet: tuple[httpx.AsyncClient, ToLocalServer],
    location: str,
    reason: str,
) -> None:
    through, transport = internet
    target = location.format(port=server.port)
    server.route("/start", Response.redirect(target))
    server.route("/feed.xml", Response.xml(FEED))
    with pytest.raises(FetchError) as caught:
        await fetch("http://feeds.example/start", through, resolver=fake_dns(DNS))
    assert caught.value.reason.startswith(f"refused redirect to {target[:5]}")
    assert reason in caught.value.reason
    assert len(transport.urls) == 1  # only the first, public hop was requested
    assert server.count("/feed.xml") == 0


async def test_an_unknown_host_is_a_clear_error(client: httpx.AsyncClient) -> None:
    with pytest.raises(FetchError) as caught:
        await fetch("http://nowhere.example/feed.xml", client, resolver=fake_dns(DNS))
    assert caught.value.reason == "cannot resolve nowhere.example: Name or service not known"


async def test_local_files_need_allow_private(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(FEED)
    for source in (str(path), f"file://{path}"):
        with pytest.raises(FetchError, match="refused: local files"):
            await fetch(source)
        assert (await fetch(source, allow_private=True)).body == FEED
    with pytest.raises(FetchError, match="not gopher:"):
        await fetch("gopher://example.com/", allow_private=True)
    with pytest.raises(FetchError, match="larger than 10 bytes"):
        await fetch(str(path), allow_private=True, max_bytes=10)


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("192.168.257", "192.168.1.1"),
        ("1572395042", PUBLIC_IP),
        ("8.8.8.8.", "8.8.8.8"),
        ("[::1]", "::1"),
        ("example.com", None),
        ("0x7f.example", None),
    ],
)
def test_numeric_hosts_are_read_like_inet_aton(host: str, address: str | None) -> None:
    parsed = parse_ip_host(host)
    assert (str(parsed) if parsed else None) == address


@pytest.mark.parametrize(
    "host", ["1.2.3.4.5", "256.1.1.1", "0x1ffffffff", "08.0.0.1", "1.16777216"]
)
def test_malformed_numeric_hosts_are_errors(host: str) -> None:
    with pytest.raises(ValueError, match=r"not a valid|invalid"):
        parse_ip_host(host)


def test_check_url_syntax_normalises_what_it_accepts() -> None:
    assert check_url_syntax("  HTTP://Example.COM/feed?x=1 ") == "http://example.com/feed?x=1"
    assert check_url_syntax("http://1572395042/rss") == f"http://{PUBLIC_IP}/rss"
    assert check_url_syntax("https://bücher.example/") == "https://xn--bcher-kva.example/"
    assert check_url_syntax("http://127.1:8080/", allow_private=True) == "http://127.0.0.1:8080/"
    with pytest.raises(UnsafeURL, match="not a valid host name"):
        check_url_syntax("http://exa mple.com/")
    with pytest.raises(UnsafeURL, match="no host"):
        check_url_syntax("http:///feed")


def test_public_addresses_pass() -> None:
    import ipaddress

    for text in (PUBLIC_IP, "1.1.1.1", "2606:4700:4700::1111", "2001:4860:4860::8888"):
        assert address_problem(ipaddress.ip_address(text)) is None


# ---------------------------------------------------------------------------------------------
# XML: entity bombs and external entities


def billion_laughs(*, newlines: bool = True, levels: int = 10, encoding: str = "") -> str:
    sep = "\n" if newlines else ""
    decls = ['<!ENTITY lol0 "lol">']
    decls += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels)]
    feed = shortscience_feed(f"&lol{levels - 1};", encoding=encoding)
    head, rest = feed.split("\n", 1)
    return f"{head}{sep}<!DOCTYPE rss [{sep}{sep.join(decls)}{sep}]>{sep}{rest}"


def quadratic_blowup() -> bytes:
    feed = shortscience_feed("&a;" * 20_000)
    head, rest = feed.split("\n", 1)
    return f'{head}\n<!DOCTYPE rss [<!ENTITY a "{"A" * 50_000}">]>\n{rest}'.encode()


@pytest.mark.parametrize(
    "body",
    [
        billion_laughs().encode(),
        billion_laughs(newlines=False).encode(),
        billion_laughs(encoding="utf-16").encode("utf-16"),
        quadratic_blowup(),
    ],
    ids=["billion-laughs", "billion-laughs-one-line", "billion-laughs-utf16", "quadratic"],
)
async def test_entity_bombs_are_defused_quickly_with_bounded_memory(body: bytes) -> None:
    started = time.monotonic()

    async def parse() -> None:
        defused = defuse_xml(body)
        assert b"ENTITY" not in defused.replace(b"\x00", b"")
        parsed = parse_feed(defused, "bomb.xml")
        assert len(parsed.title) < 100_000
        assert len(parsed.summaries) == 1  # the document is still read

    assert await peak_memory(parse)() < 16 * MB
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "subset",
    [
        '<!ENTITY xxe SYSTEM "file://{secret}">',
        '<!ENTITY xxe SYSTEM "{url}/entity">',
        '<!ENTITY xxe PUBLIC "-//X//Y" "{url}/entity">',
        '<!ENTITY % pe SYSTEM "{url}/pe.dtd"> %pe;',
        '<!ENTITY % pe SYSTEM "file://{secret}"> <!ENTITY xxe "%pe;">',
    ],
    ids=["file", "http", "public", "parameter-http", "parameter-file"],
)
def test_external_entities_are_removed_and_never_fetched_by_feedparser(
    server: LocalHTTPServer, tmp_path: Path, subset: str
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    declarations = subset.format(secret=secret, url=server.url())
    feed = shortscience_feed("before &xxe; after")
    head, rest = feed.split("\n", 1)
    body = f'{head}\n<!DOCTYPE rss SYSTEM "{server.url("/rss.dtd")}" [\n{declarations}\n]>\n{rest}'
    raw = body.encode()

    # feedparser on its own neither reads the file nor asks the server (defence in depth)
    undefused = feedparser.parse(raw)
    assert "TOPSECRET" not in str(undefused)
    defused = defuse_xml(raw)
    assert b"ENTITY" not in defused
    assert server.url("/rss.dtd").encode() in defused  # the external DTD id stays, unfetched
    parsed = parse_feed(defused, "xxe.xml")
    assert "TOPSECRET" not in repr(parsed)
    assert server.total == 0


def test_defuse_keeps_character_entities_and_leaves_other_documents_alone() -> None:
    feed = shortscience_feed("a&nbsp;b&copy;")
    head, rest = feed.split("\n", 1)
    body = (
        f'{head}\n<!DOCTYPE rss [\n<!ENTITY nbsp "&#160;">\n<!ENTITY copy "&#xA9;">\n'
        f'<!ENTITY evil "&nbsp;&nbsp;">\n]>\n{rest}'
    ).encode()
    defused = defuse_xml(body)
    assert b'<!ENTITY nbsp "&#160;">' in defused
    assert b"evil" not in defused
    assert parse_feed(defused, "x").title == "a b©"  # collapse() makes the nbsp a space

    for untouched in (
        FEED,
        (FIXTURES / "shortscience-rss.xml").read_bytes(),
        b"<!DOCTYPE html><html><body>hi</body></html>",
        b"",
        b"\x89PNG\r\n\x1a\n\x00\x00",
        # markup about entities inside the document is content, not a declaration
        shortscience_feed("<![CDATA[<!DOCTYPE x [<!ENTITY a 'b'>]>]]>").encode(),
        shortscience_feed("x")
        .replace("<rss", '<!-- <!DOCTYPE x [<!ENTITY a "b">]> --><rss')
        .encode(),
    ):
        assert defuse_xml(untouched) is untouched


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("utf-16-le", b""),
        ("utf-32", b""),
        ("cp037", b""),
        ("utf-8", b"\xef\xbb\xbf"),
    ],
)
def test_doctypes_are_cleaned_in_any_encoding(encoding: str, prefix: bytes) -> None:
    body = prefix + billion_laughs(encoding=encoding).encode(encoding)
    defused = defuse_xml(body)
    assert defused.startswith(prefix)
    cleaned = defused[len(prefix) :].decode(encoding)
    assert "ENTITY" not in cleaned
    assert cleaned.startswith('<?xml version="1.0" encoding=')
    assert "&lol9;" in cleaned  # only the declarations go


def test_a_doctype_hidden_in_utf7_is_found() -> None:
    _, rest = shortscience_feed("&lol2;").split("\n", 1)
    hidden = (
        '+ADw-!DOCTYPE rss +AFs-+ADw-!ENTITY lol1 "lol"+AD4-'
        '+ADw-!ENTITY lol2 "+ACY-lol1;"+AD4-+AF0-+AD4-'
    )
    body = f'<?xml version="1.0" encoding="utf-7"?>\n{hidden}\n{rest}'.encode("ascii")
    assert "<!ENTITY lol1" in body.decode("utf-7")
    assert "<!ENTITY" not in defuse_xml(body).decode("utf-7")


def test_an_unterminated_doctype_with_entities_is_refused() -> None:
    with pytest.raises(UnsafeXML, match="no end"):
        defuse_xml(b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "b">')


def test_defusing_a_large_document_is_fast() -> None:
    big = (FIXTURES / "shortscience-rss.xml").read_bytes() * 500  # ~ 10 MB
    head = b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "b">]>\n'
    started = time.monotonic()
    assert defuse_xml(big) is big
    assert defuse_xml(head + big).startswith(b'<?xml version="1.0"?>\n<!DOCTYPE rss>\n')
    assert time.monotonic() - started < 2


def test_a_body_naming_a_local_file_is_not_read_as_that_file() -> None:
    """feedparser.parse(bytes) opens bytes that name a file: parse_feed hands it a stream."""
    body = str(FIXTURES / "shortscience-rss.xml").encode()
    with pytest.raises(FeedParseError):
        parse_feed(body, "http://evil.example/feed")


def test_asyncio_is_not_blocked_by_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """The system resolver runs off the event loop (loop.getaddrinfo, a thread)."""
    calls: list[str] = []

    def slow_getaddrinfo(host: str, *args: object, **kwargs: object) -> list[object]:
        calls.append(host)
        time.sleep(0.3)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC_IP, 0))]

    monkeypatch.setattr(socket, "getaddrinfo", slow_getaddrinfo)

    async def main() -> float:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        assert await check_url("http://feeds.example/", allow_private=False) == [PUBLIC_IP]
        task.cancel()
        return ticks

    assert asyncio.run(main()) > 5
    assert calls == ["feeds.example"]


async def test_a_feed_of_100000_entries_is_read_to_the_cap() -> None:
    items = "".join(
        f"<item><title>Entry {i}</title><link>https://example.org/{i}</link>"
        f"<guid>https://example.org/{i}</guid></item>"
        for i in range(100_000)
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>big</title>'
    body = f"{head}{items}</channel></rss>"
    assert len(body) < MAX_BYTES  # within the fetch cap: it gets to the parser

    parsed = await asyncio.to_thread(parse_feed, body.encode(), "big.xml")
    assert len(parsed.summaries) == MAX_ENTRIES  # what is kept is bounded, and said so
    assert any("only the first 5000 of 100000 entries" in w for w in parsed.warnings)
