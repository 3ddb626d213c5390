"""A real HTTP server on 127.0.0.1 for tests: scripted routes, slow or broken answers, a log.

``LocalHTTPServer`` runs a threaded ``http.server.ThreadingHTTPServer`` on a free port in a
background thread. Each path answers with a :class:`Response`, a list of them (one per request
in turn, the last repeating) or a function of the :class:`Request`; every request is logged
per path with its headers, so tests can assert what a client sent (``If-None-Match``, the
``Host`` header, the query of an API call)::

    with LocalHTTPServer() as server:
        server.route("/feed.xml", Response(body=FEED, headers={"ETag": '"v1"'}))
        server.route("/slow", Response(body=FEED, delay=5))           # headers after 5 s
        server.route("/drip", Response(body=FEED, trickle=100))       # 100 bytes a second
        server.route("/moved", Response.redirect("/feed.xml"))
        server.route("/api", lambda request: Response(body=answer(request.query)))
        ...  # fetch server.url("/feed.xml")
        assert server.count("/feed.xml") == 1
        assert server.last("/feed.xml").headers["User-Agent"].startswith("shortbot")

Closing the server (leaving the ``with``) stops it promptly: delays and trickles are cut
short, open keep-alive connections closed. Unknown paths answer 404. A handler function that
raises answers 500 and leaves the exception in ``server.errors``.

In a pytest fixture::

    @pytest.fixture
    def server() -> Iterator[LocalHTTPServer]:
        with LocalHTTPServer() as running:
            yield running
"""

from __future__ import annotations

import contextlib
import gzip as gzip_module
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

__all__ = ["Answer", "Framing", "LocalHTTPServer", "Request", "Response", "gzip_bytes"]

Body = bytes | Callable[[], Iterable[bytes]]
Framing = Literal["length", "chunked", "close"]


@dataclass(frozen=True)
class Request:
    """One request as the server received it."""

    method: str
    path: str  # without the query string
    target: str  # as sent: path and query
    query: dict[str, list[str]]
    headers: Message  # case-insensitive: ``headers["if-none-match"]``, ``.get(…)``
    body: bytes
    at: float  # time.monotonic() when it arrived


@dataclass(frozen=True)
class Response:
    """What a route answers.

    - ``body``: bytes, or a function returning an iterable of chunks (called per request, so
      a large or endless body need not be held in memory);
    - ``delay``: seconds to wait before sending the status line and headers;
    - ``trickle``: send the body at this many bytes per second;
    - ``gzip``: compress the body and send ``Content-Encoding: gzip`` (to send bytes that are
      already compressed, a gzip bomb say, set the header yourself and leave this off);
    - ``framing``: ``"length"`` (``Content-Length``), ``"chunked"``, or ``"close"`` (no
      length; the body ends when the connection closes);
    - ``content_length``: send this ``Content-Length`` instead of the true one (a lie); the
      connection is closed after the body.
    """

    status: int = 200
    body: Body = b""
    headers: Mapping[str, str] | Sequence[tuple[str, str]] = ()
    delay: float = 0.0
    trickle: float | None = None
    gzip: bool = False
    framing: Framing = "length"
    content_length: int | None = None

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Response:
        return cls(status=status, headers={"Location": location})

    @classmethod
    def xml(
        cls,
        body: bytes | str,
        content_type: str = "application/rss+xml; charset=utf-8",
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        **options: Any,
    ) -> Response:
        """A feed document (``str`` is sent as UTF-8); ``options``: delay, trickle, gzip …"""
        data = body.encode("utf-8") if isinstance(body, str) else body
        return cls(status, data, {"Content-Type": content_type, **(headers or {})}, **options)

    def header_items(self) -> list[tuple[str, str]]:
        items = self.headers.items() if isinstance(self.headers, Mapping) else self.headers
        return [(str(k), str(v)) for k, v in items]


Handler = Callable[[Request], Response]
Answer = Response | Sequence[Response] | Handler


@dataclass
class _Route:
    answer: Answer
    served: int = 0

    def next(self, request: Request) -> Response:
        answer = self.answer
        self.served += 1
        if isinstance(answer, Response):
            return answer
        if callable(answer):
            return answer(request)
        return answer[min(self.served - 1, len(answer) - 1)]


@dataclass
class _State:
    routes: dict[str, _Route] = field(default_factory=dict)
    log: dict[str, list[Request]] = field(default_factory=dict)
    errors: list[BaseException] = field(default_factory=list)
    connections: set[socket.socket] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)


class _Stopped(Exception):
    """The server is closing: abandon the response."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "shortbot-test"
    state: _State  # set on the subclass made per server

    def setup(self) -> None:
        super().setup()
        with self.state.lock:
            self.state.connections.add(self.connection)

    def finish(self) -> None:
        with self.state.lock:
            self.state.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: the request log is the record

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = do_GET

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=parts.path,
            target=self.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers=self.headers,
            body=body,
            at=time.monotonic(),
        )
        state = self.state
        with state.lock:
            state.log.setdefault(request.path, []).append(request)
            route = state.routes.get(request.path)
        try:
            response = route.next(request) if route else Response(404, b"not found\n")
        except Exception as exc:  # a test's handler failed: answer 500, keep the error
            state.errors.append(exc)
            response = Response(500, f"handler error: {exc!r}\n".encode())
        try:
            self._send(response, head=request.method == "HEAD")
        except (_Stopped, OSError):  # closing, or the client hung up (or timed out)
            self.close_connection = True

    def _wait(self, seconds: float) -> None:
        if seconds > 0 and self.state.stopping.wait(seconds):
            raise _Stopped

    def _send(self, response: Response, *, head: bool) -> None:
        self._wait(response.delay)
        chunks: Iterable[bytes]
        chunks = response.body() if callable(response.body) else [response.body]
        if response.gzip:
            chunks = _gzip_stream(chunks)
        framing = response.framing
        if framing == "length" and response.content_length is None:
            chunks = [b"".join(chunks)]  # the true length is needed before the body
        self.send_response(response.status)
        names = set()
        for name, value in response.header_items():
            names.add(name.lower())
            self.send_header(name, value)
        if response.gzip and "content-encoding" not in names:
            self.send_header("Content-Encoding", "gzip")
        if framing == "length":
            if response.content_length is None:
                chunks = list(chunks)
                declared = sum(len(c) for c in chunks)
            else:
                declared = response.content_length  # a lie: the body streams as it is
            self.send_header("Content-Length", str(declared))
            if response.content_length is not None:
                self.send_header("Connection", "close")
                self.close_connection = True
        elif framing == "chunked":
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if head:
            return
        for chunk in chunks:
            if not chunk:
                continue
            if framing == "chunked":
                self._write(b"%x\r\n" % len(chunk), None)
                self._write(chunk, response.trickle)
                self._write(b"\r\n", None)
            else:
                self._write(chunk, response.trickle)
        if framing == "chunked":
            self._write(b"0\r\n\r\n", None)
        self.wfile.flush()

    def _write(self, data: bytes, rate: float | None) -> None:
        if self.state.stopping.is_set():
            raise _Stopped
        if not rate:
            self.wfile.write(data)
            return
        piece = max(1, int(rate / 20))  # 20 writes a second
        for start in range(0, len(data), piece):
            self.wfile.write(data[start : start + piece])
            self.wfile.flush()
            self._wait(piece / rate)


def _gzip_stream(chunks: Iterable[bytes]) -> Iterator[bytes]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    for chunk in chunks:
        out = compressor.compress(chunk)
        if out:
            yield out
    yield compressor.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hung up mid-answer is normal in these tests


class LocalHTTPServer:
    """A threaded HTTP/1.1 server on ``127.0.0.1`` and a free port, for one test or more."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._state = _State()
        handler = type("BoundHandler", (_Handler,), {"state": self._state})
        self._httpd = _Server((host, 0), handler)
        self._thread: threading.Thread | None = None

    # lifecycle

    def start(self) -> LocalHTTPServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"test-http-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving: cut delays and trickles short, close every open connection."""
        state = self._state
        state.stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        with state.lock:
            open_connections = list(state.connections)
        for connection in open_connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()

    def __enter__(self) -> LocalHTTPServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # addresses

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    # script and log

    def route(self, path: str, answer: Answer) -> None:
        """Answer requests for ``path`` (query ignored) with ``answer``; replaces a route."""
        if isinstance(answer, Sequence) and not answer:
            raise ValueError("a scripted route needs at least one response")
        with self._state.lock:
            self._state.routes[path] = _Route(answer)

    def requests(self, path: str) -> list[Request]:
        """Every request received for ``path`` so far, oldest first."""
        with self._state.lock:
            return list(self._state.log.get(path, ()))

    def count(self, path: str) -> int:
        return len(self.requests(path))

    def last(self, path: str) -> Request:
        found = self.requests(path)
        if not found:
            raise LookupError(f"no request for {path}")
        return found[-1]

    @property
    def total(self) -> int:
        """Requests received for any path."""
        with self._state.lock:
            return sum(len(log) for log in self._state.log.values())

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions raised by handler functions (each also answered 500)."""
        return list(self._state.errors)


def gzip_bytes(data: bytes) -> bytes:
    """``data`` gzip-compressed (for bodies sent with a hand-set ``Content-Encoding``)."""
    return gzip_module.compress(data)
