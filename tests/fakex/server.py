"""The fake X API v2: the three endpoints the X publisher uses, over HTTPS on 127.0.0.1.

* ``POST /2/tweets``: creates a post (``text``, optional ``reply.in_reply_to_tweet_id``),
  answers 201 ``{"data": {"id", "text", "edit_history_tweet_ids"}}`` with URLs in ``text``
  replaced by t.co links, as X does. The same text twice answers 403 with X's duplicate-content
  problem body; a text over 280 (by twitter-text) or a reply to an unknown post answers 400
  (the fake's choice of status; X's wording for these varies).
* ``GET /2/users/me``: the account.
* ``GET /2/users/{id}/tweets``: its posts, newest first, ``max_results`` 5 to 100, texts as X
  returns them (t.co links, ``&amp;`` ``&lt;`` ``&gt;`` escaped).

Reads lag writes when ``read_lag`` (seconds, settable at any time) is above 0: a post stored
less than ``read_lag`` ago is left out of the timeline (``GET /2/users/{id}/tweets``), as X's
eventually consistent read side does, though its creation was answered normally and it is in
``fake.posts``. The write side sees every post at once: the duplicate-content check (so "403
duplicate, yet not in the timeline" happens) and the reply-to check.

Every request must carry an OAuth 1.0a ``Authorization`` header for the fake's consumer key and
access token whose HMAC-SHA1 signature checks out (over ``https://api.twitter.com`` + path, as
the client signed it) with a fresh nonce; else 401 as X answers it. ``revoke_token()`` makes the
access token stop working (an expired or revoked token).

Faults (:class:`~tests.fakex.faults.Fault`) are scripted per route (``create_tweet``,
``get_me``, ``get_users_tweets``) with ``fail_next``; each answers one request, in order, after
authentication (the queue and the request log are :mod:`tests.fakebase`'s, shared with the fake
Discord and Graph API)::

    fake.fail_next("create_tweet", Fault.rate_limited(reset_in=30), Fault.server_error())
    fake.fail_next("create_tweet", Fault.slow(5))          # answers after 5 s (a timeout)
    fake.fail_next("create_tweet", Fault.lost_answer(5))   # posts, then answers after 5 s
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import html
import json
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from tests import fakebase
from tests.fakebase import Armed, FaultQueue, PostHook, RequestLog
from tests.fakex import oracle
from tests.fakex.faults import PROBLEM, Fault, problem
from tests.fakex.oauth import Credentials, oauth_signature, parse_oauth_header
from tests.fakex.tls import Certificate
from tests.secretwatch import secret

JSON = dict[str, Any]
DUPLICATE_DETAIL = "You are not allowed to create a Tweet with duplicate content."
FIRST_ID = 1_790_000_000_000_000_000


@dataclass
class StoredPost:
    id: str
    text: str  # as it was sent
    shown: str  # as X returns it: t.co links
    author_id: str
    in_reply_to: str | None
    created_at: float  # time.time()
    stored_at: float = 0.0
    """``time.monotonic()`` when the fake stored it; ``read_lag`` counts from here."""


@dataclass
class RecordedRequest(fakebase.RecordedRequest[Fault]):
    """One request as the fake received and answered it; ``route``: the endpoint's name."""

    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class _Armed(Armed):
    """A scripted fault for the next request to ``route``."""

    route: str
    fault: Fault


def _invalid(message: str) -> JSON:
    return {
        "errors": [{"message": message}],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }


class FakeX(RequestLog[RecordedRequest], PostHook):
    """A fake X API v2 for one test: ``async with FakeX(certificate) as fake:``."""

    def __init__(
        self,
        certificate: Certificate,
        *,
        credentials: Credentials | None = None,
        username: str = "shortsciencebot",
        user_id: str = "1790000000000000001",
        timestamp_window: float = 300.0,
        reject_duplicates: bool = True,
        read_lag: float = 0.0,
    ) -> None:
        self.certificate = certificate
        self.credentials = credentials or Credentials()
        for value in self.credentials.secrets:
            secret(value)
        self.username = username
        self.user_id = user_id
        self.timestamp_window = timestamp_window
        self.reject_duplicates = reject_duplicates
        self.read_lag = read_lag
        """Seconds a new post stays out of the timeline (see the module's docstring)."""
        self.posts: list[StoredPost] = []
        self.requests: list[RecordedRequest] = []
        self.auth_failures: list[str] = []
        self._faults: FaultQueue[_Armed] = FaultQueue()
        self._nonces: set[str] = set()
        self._token_revoked = False
        self._next_id = FIRST_ID
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # lifecycle

    async def __aenter__(self) -> FakeX:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(
            self._runner, "127.0.0.1", 0, ssl_context=self.certificate.server_context()
        )
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def close(self) -> None:
        self._closing.set()  # cut scripted delays short
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the fake X is not started")
        return self._port

    # knobs

    def fail_next(self, route: str, *faults: Fault) -> None:
        """Answer the next requests to ``route`` with ``faults``, one each, in order."""
        if route not in ("create_tweet", "get_me", "get_users_tweets"):
            raise ValueError(f"unknown route {route!r}")
        for fault in faults:
            self._faults.arm(_Armed(route=route, fault=fault))

    def revoke_token(self) -> None:
        """From now on the access token is refused (401), as after a revocation or expiry."""
        self._token_revoked = True

    def add_post(self, text: str, *, in_reply_to: str | None = None) -> StoredPost:
        """A post made outside the test's client (stored now: ``read_lag`` applies to it)."""
        return self._store(text, in_reply_to)

    def visible_posts(self) -> list[StoredPost]:
        """The posts the timeline shows now (older than ``read_lag``), oldest first."""
        cutoff = time.monotonic() - self.read_lag
        return [p for p in self.posts if self.read_lag <= 0 or p.stored_at <= cutoff]

    def post(self, post_id: str) -> StoredPost:
        return next(p for p in self.posts if p.id == post_id)

    @property
    def texts(self) -> list[str]:
        return [p.text for p in self.posts]

    # the server

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        record = RecordedRequest(
            method=request.method,
            path=request.path,
            route=self._route(request.method, request.path),
            query=dict(request.query),
            headers=dict(request.headers),
            body=body,
        )
        self.requests.append(record)
        response = await self._answer(request, record)
        record.status = response.status
        return response

    @staticmethod
    def _route(method: str, path: str) -> str | None:
        if method == "POST" and path == "/2/tweets":
            return "create_tweet"
        if method == "GET" and path == "/2/users/me":
            return "get_me"
        if method == "GET" and re.fullmatch(r"/2/users/[0-9]+/tweets", path):
            return "get_users_tweets"
        return None

    async def _answer(self, request: web.Request, record: RecordedRequest) -> web.Response:
        failure = self._authenticate(request)
        if failure is not None:
            self.auth_failures.append(failure)
            return _json(401, problem(401, "Unauthorized", "Unauthorized"), PROBLEM)
        if record.route is None:
            return _json(404, problem(404, "Not Found Error", f"no route {request.path}"))
        armed = self._faults.take(lambda a: a.route == record.route)
        fault = armed.fault if armed is not None else None
        record.fault = fault
        if fault is not None:
            committed = None
            if fault.commit and record.route == "create_tweet":
                committed = self._create_tweet(record)
            if fault.delay:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._closing.wait(), fault.delay)
            if fault.status:
                return _fault_response(fault)
            if committed is not None:
                return committed
        if record.route == "create_tweet":
            return self._create_tweet(record)
        if record.route == "get_me":
            data = {"id": self.user_id, "name": "ShortScience", "username": self.username}
            return _json(200, {"data": data})
        return self._users_tweets(record)

    def _authenticate(self, request: web.Request) -> str | None:
        """Why the request's OAuth 1.0a signature is refused, or None."""
        header = request.headers.get("Authorization", "")
        try:
            params = parse_oauth_header(header)
        except ValueError as exc:
            return str(exc)
        creds = self.credentials
        if params.get("oauth_consumer_key") != creds.consumer_key:
            return "unknown consumer key"
        if params.get("oauth_token") != creds.access_token or self._token_revoked:
            return "invalid or expired access token"
        if params.get("oauth_signature_method") != "HMAC-SHA1":
            return "unsupported signature method"
        nonce = params.get("oauth_nonce", "")
        if not nonce or nonce in self._nonces:
            return "missing or reused nonce"
        try:
            stamp = int(params.get("oauth_timestamp", ""))
        except ValueError:
            return "bad timestamp"
        if abs(time.time() - stamp) > self.timestamp_window:
            return "stale timestamp"
        host = request.host.lower().removesuffix(":443")
        base_uri = f"https://{host}{request.rel_url.raw_path}"
        signed = [(k, v) for k, v in params.items() if k not in ("oauth_signature", "realm")]
        signed += parse_qsl(request.rel_url.raw_query_string, keep_blank_values=True)
        expected = oauth_signature(
            request.method, base_uri, signed, creds.consumer_secret, creds.access_token_secret
        )
        if not hmac.compare_digest(expected, params.get("oauth_signature", "")):
            return "bad signature"
        self._nonces.add(nonce)
        return None

    def _create_tweet(self, record: RecordedRequest) -> web.Response:
        try:
            body = record.json()
        except ValueError:
            return _json(400, _invalid("the body is not JSON"), PROBLEM)
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str):
            return _json(400, _invalid("text: a post needs a text here"), PROBLEM)
        reply = body.get("reply")
        in_reply_to = None
        if reply is not None:
            in_reply_to = reply.get("in_reply_to_tweet_id") if isinstance(reply, dict) else None
            if not any(p.id == in_reply_to for p in self.posts):
                message = "reply.in_reply_to_tweet_id: no such post"
                return _json(400, _invalid(message), PROBLEM)
        parsed = oracle.parse_tweet(text)
        if not parsed.valid:
            message = f"text: weighted length {parsed.weightedLength} (max 280) or invalid"
            return _json(400, _invalid(message), PROBLEM)
        normal = unicodedata.normalize("NFC", text)
        if self.reject_duplicates and any(
            unicodedata.normalize("NFC", p.text) == normal for p in self.posts
        ):
            return _json(403, problem(403, "Forbidden", DUPLICATE_DETAIL), PROBLEM)
        stored = self._store(text, in_reply_to)
        self._posted()
        data = {"id": stored.id, "text": stored.shown, "edit_history_tweet_ids": [stored.id]}
        return _json(201, {"data": data})

    def _users_tweets(self, record: RecordedRequest) -> web.Response:
        try:
            wanted = int(record.query.get("max_results", "10"))
        except ValueError:
            wanted = 0
        if not 5 <= wanted <= 100:
            return _json(400, _invalid("max_results: between 5 and 100"), PROBLEM)
        user = record.path.split("/")[3]
        visible = self.visible_posts()
        posts = [p for p in reversed(visible) if p.author_id == user][:wanted]
        if not posts:
            return _json(200, {"meta": {"result_count": 0}})
        data = [
            {
                "id": p.id,
                "text": html.escape(p.shown, quote=False),
                "edit_history_tweet_ids": [p.id],
            }
            for p in posts
        ]
        meta = {"result_count": len(data), "newest_id": posts[0].id, "oldest_id": posts[-1].id}
        return _json(200, {"data": data, "meta": meta})

    def _store(self, text: str, in_reply_to: str | None) -> StoredPost:
        self._next_id += 1 + secrets.randbelow(4096)
        stored = StoredPost(
            id=str(self._next_id),
            text=text,
            shown=_shorten(text),
            author_id=self.user_id,
            in_reply_to=in_reply_to,
            created_at=time.time(),
            stored_at=time.monotonic(),
        )
        self.posts.append(stored)
        return stored


def _shorten(text: str) -> str:
    """URLs replaced by 23-character t.co links, as X shows a post."""
    for entity in reversed(oracle.extract_urls_with_indices(text)):
        start, end = entity["indices"]
        slug = hashlib.sha256(entity["url"].encode()).hexdigest()[:10]
        text = f"{text[:start]}https://t.co/{slug}{text[end:]}"
    return text


def _json(status: int, body: JSON, content_type: str = "application/json") -> web.Response:
    return web.Response(status=status, body=json.dumps(body).encode(), content_type=content_type)


def _fault_response(fault: Fault) -> web.Response:
    body = fault.body if isinstance(fault.body, bytes) else json.dumps(fault.body or {}).encode()
    return web.Response(
        status=fault.status, body=body, headers=dict(fault.headers), content_type=fault.content_type
    )
