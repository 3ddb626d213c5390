"""A fake Facebook Graph API for one Page, on the local test HTTP server.

Routes ``/{version}/{page_id}/feed``:

- ``POST`` (form fields ``message``, ``link``; the token as ``Authorization: Bearer`` or an
  ``access_token`` field) stores a post with an id ``{page_id}_{n}`` and answers ``{"id": …}``;
- ``GET`` (``fields``, ``limit``) answers ``{"data": [...]}``, newest first.

Reads lag writes when ``read_lag`` (seconds, settable at any time) is above 0: the feed leaves
out posts made less than ``read_lag`` ago (``limit`` counts the posts it shows, so older ones
take their place, as from a lagging read replica), though their creation was answered normally
and they are in ``graph.posts``; the duplicate check sees every post at once.

Like Graph, it answers errors as ``{"error": {"message", "type", "code", "error_subcode",
"fbtrace_id"}}``, with HTTP 400 for most of them (rate limits included). The same message posted
twice within ``duplicate_window`` seconds is refused with code 506. Faults are scripted per
request, in turn, with :meth:`FakeGraph.fail_next` (a :class:`tests.fakebase.FaultQueue`, as in
the fake Discord and X; its requests are in its server's log,
``graph.server.requests(graph.path)``)::

    graph.fail_next("expired")          # 190 / 463: Session has expired
    graph.fail_next("page_rate_limit")  # 32, with an X-Page-Usage header
    graph.fail_next("app_rate_limit")   # 4, with an X-App-Usage header
    graph.fail_next("server_error")     # HTTP 500, code 2
    graph.fail_next("slow", delay=5)    # the right answer, after 5 s (a client timeout)
    graph.fail_next("drop", delay=5)    # the post is made, the answer comes too late
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from tests.fakebase import Armed, FaultQueue, PostHook
from tests.httpserver import LocalHTTPServer, Request, Response
from tests.secretwatch import secret


@dataclass
class FakePost:
    id: str
    message: str
    link: str | None
    created: float  # time.monotonic()
    created_time: str


@dataclass
class Fault(Armed):
    """A scripted answer (see the module's docstring) for the next request."""

    kind: str
    delay: float = 0.0
    headers: dict[str, str] | None = None


class FakeGraph(PostHook):
    """One Page's feed; ``route`` it on a ``LocalHTTPServer``."""

    def __init__(
        self,
        server: LocalHTTPServer,
        *,
        page_id: str = "1234567890",
        token: str = "EAAB-page-token-secret",  # noqa: S107 - a fake for tests
        version: str = "v26.0",
        duplicate_window: float = 3600.0,
        read_lag: float = 0.0,
    ) -> None:
        self.server = server
        self.page_id = page_id
        self.token = secret(token)
        self.version = version
        self.duplicate_window = duplicate_window
        self.read_lag = read_lag
        """Seconds a new post stays out of the feed (see the module's docstring)."""
        self.posts: list[FakePost] = []
        self.faults: FaultQueue[Fault] = FaultQueue()
        self._ids = itertools.count(1)
        self._traces = itertools.count(1)
        self._lock = threading.Lock()
        server.route(self.path, self.handle)

    @property
    def path(self) -> str:
        return f"/{self.version}/{self.page_id}/feed"

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def fail_next(
        self, kind: str, *, delay: float = 0.0, headers: dict[str, str] | None = None
    ) -> None:
        self.faults.arm(Fault(kind, delay, headers))

    # the handler, called in the server's threads

    def handle(self, request: Request) -> Response:
        with self._lock:
            fault = self.faults.take()
            if fault and fault.kind in ("slow", "drop"):
                answer = self._answer(request)  # the post is made, its answer held back
                return Response(answer.status, answer.body, answer.headers, delay=fault.delay)
            if fault:
                return self._fault(fault)
            return self._answer(request)

    def _answer(self, request: Request) -> Response:
        form = parse_qs(request.body.decode(), keep_blank_values=True)
        if not self._authorized(request, form):
            return self.error(400, "Invalid OAuth access token - Cannot parse access token", 190)
        if request.method == "POST":
            return self._post(form)
        if request.method == "GET":
            return self._feed(request.query)
        return self.error(400, "Unsupported method", 100)

    def _authorized(self, request: Request, form: dict[str, list[str]]) -> bool:
        header = request.headers.get("Authorization") or ""
        if header.startswith("Bearer "):
            return header.removeprefix("Bearer ") == self.token
        given = form.get("access_token") or request.query.get("access_token") or [""]
        return given[0] == self.token

    def _post(self, form: dict[str, list[str]]) -> Response:
        message = (form.get("message") or [""])[0]
        link = (form.get("link") or [None])[0]
        if not message and not link:
            return self.error(400, "(#100) The parameter message or link is required", 100)
        now = time.monotonic()
        for earlier in self.posts:
            if earlier.message == message and now - earlier.created < self.duplicate_window:
                return self.error(400, "Duplicate status message", 506, subcode=1455006)
        post_id = f"{self.page_id}_{next(self._ids)}"
        created_time = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
        self.posts.append(FakePost(post_id, message, link, now, created_time))
        self._posted()
        return self.json({"id": post_id})

    def _feed(self, query: dict[str, list[str]]) -> Response:
        limit = int((query.get("limit") or ["25"])[0])
        fields = (query.get("fields") or ["id,created_time"])[0].split(",")
        cutoff = time.monotonic() - self.read_lag
        visible = [p for p in self.posts if self.read_lag <= 0 or p.created <= cutoff]
        data = []
        for post in reversed(visible[-limit:] if limit else []):
            full = {
                "id": post.id,
                "message": post.message,
                "link": post.link,
                "created_time": post.created_time,
            }
            data.append({k: v for k, v in full.items() if k in fields and v is not None})
        return self.json({"data": data, "paging": {}})

    def _fault(self, fault: Fault) -> Response:
        headers = fault.headers or {}
        if fault.kind == "expired":
            return self.error(
                400,
                "Error validating access token: Session has expired on Sunday, "
                "22-Nov-26 10:00:00 PST. The current time is Monday, 23-Nov-26 08:00:00 PST.",
                190,
                subcode=463,
                kind="OAuthException",
                headers=headers,
            )
        if fault.kind == "page_rate_limit":
            usage = {"call_count": 100, "total_cputime": 40, "total_time": 60}
            usage["estimated_time_to_regain_access"] = 5
            return self.error(
                400,
                "(#32) Page request limit reached",
                32,
                headers={"X-Page-Usage": json.dumps(usage), **headers},
            )
        if fault.kind == "app_rate_limit":
            usage = {"call_count": 100, "total_cputime": 12, "total_time": 20}
            return self.error(
                400,
                "(#4) Application request limit reached",
                4,
                headers={"X-App-Usage": json.dumps(usage), **headers},
            )
        if fault.kind == "too_many":
            return Response(429, b"slow down\n", {"Retry-After": "7", **headers})
        if fault.kind == "server_error":
            return self.error(
                500, "An unexpected error has occurred. Please retry your request later.", 2
            )
        if fault.kind == "bad_request":
            return self.error(400, "(#100) Invalid parameter", 100)
        if fault.kind == "permission":
            return self.error(
                403, "(#200) Requires pages_manage_posts permission to manage the object", 200
            )
        if fault.kind == "html":
            return Response(502, b"<html>Bad Gateway</html>", {"Content-Type": "text/html"})
        raise ValueError(f"unknown fault {fault.kind!r}")

    # answers

    def json(self, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        return Response(
            status,
            json.dumps(body).encode(),
            {"Content-Type": "application/json; charset=UTF-8", **(headers or {})},
        )

    def error(
        self,
        status: int,
        message: str,
        code: int,
        *,
        subcode: int | None = None,
        kind: str = "OAuthException",
        headers: dict[str, str] | None = None,
    ) -> Response:
        error: dict[str, Any] = {
            "message": message,
            "type": kind,
            "code": code,
            "fbtrace_id": f"AbCdEf{next(self._traces)}",
        }
        if subcode is not None:
            error["error_subcode"] = subcode
        return self.json({"error": error}, status, headers)
