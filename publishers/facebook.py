"""The Facebook Page publisher: one Page post per digest through the Graph API.

``send`` posts the rendered message and link to ``/{page_id}/feed``; Graph errors become the
``PublishError`` kinds of ``papers.publishing``. The Page access token travels only in an
``Authorization: Bearer`` header: never in a URL (httpx puts URLs into its error messages and
log lines), a request body, an exception's text, a repr or a log record.

Facebook has no idempotency key, so ``find_sent`` reconciles from what the Page reports: a
recent post whose message is the same text.
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
from typing import Any

import httpx

from papers.facebook_render import render_digest
from papers.model import Digest
from papers.publishing import (
    AlreadyPosted,
    CredentialsRejected,
    ItemRejected,
    Post,
    PublishError,
    RateLimited,
    Sent,
    Transient,
)

log = logging.getLogger(__name__)

DEFAULT_RETRY_AFTER = 60.0
FIND_LIMIT = 25
# https://developers.facebook.com/docs/graph-api/guides/error-handling
TOKEN_CODES = frozenset({190, 102})
TOKEN_SUBCODES = frozenset({102, 463, 467})
PERMISSION_CODES = frozenset({10, *range(200, 300)})
DUPLICATE_CODES = frozenset({506})
RATE_CODES = frozenset({4, 17, 32, 341, 613, *range(80000, 80015)})
TEMPORARY_CODES = frozenset({1, 2})
USAGE_HEADERS = ("x-page-usage", "x-app-usage", "x-business-use-case-usage", "x-ad-account-usage")


class FacebookPublisher:
    """Posts digests to one Facebook Page."""

    platform = "facebook"

    def __init__(
        self,
        name: str,
        *,
        page_id: str,
        page_token: str,
        client: httpx.AsyncClient,
        graph_url: str = "https://graph.facebook.com",
        version: str = "v26.0",
        digest_url: str = "https://www.shortscience.org",
    ) -> None:
        if not page_id or "/" in page_id:
            raise ValueError("page_id must be a Page id")
        self.name = name
        self.page_id = page_id
        self.digest_url = digest_url
        self._token = page_token
        self._client = client
        self._feed = f"{graph_url.rstrip('/')}/{version.strip('/')}/{page_id}/feed"

    def __repr__(self) -> str:
        return f"FacebookPublisher(name={self.name!r}, page_id={self.page_id!r})"

    def render(self, digest: Digest) -> list[Post]:
        return render_digest(digest, destination=self.name, digest_url=self.digest_url)

    async def send(self, post: Post, *, reply_to: Sent | None = None) -> Sent:
        """Publish ``post`` on the Page (``reply_to`` is meaningless here and ignored)."""
        data = {k: str(v) for k, v in post.payload.items() if k in ("message", "link") and v}
        if not data.get("message"):
            raise ItemRejected("a Facebook post needs a message")
        response = await self._request("POST", self._feed, data=data)
        try:
            self._check(response)
        except AlreadyPosted as duplicate:
            try:
                earlier = await self.find_sent(post)
            except PublishError as exc:
                log.warning("facebook %s: duplicate post not found: %s", self.name, exc.reason)
                earlier = None
            raise AlreadyPosted(duplicate.reason, earlier) from None
        answer = _json(response)
        post_id = answer.get("id") if isinstance(answer, dict) else None
        if not isinstance(post_id, str) or not post_id:
            # Accepted or not, nobody knows: let the caller reconcile with find_sent.
            raise Transient(f"Graph API answered {response.status_code} without a post id")
        log.info("facebook %s: posted %s (%d items)", self.name, post_id, len(post.items))
        return _sent(post_id)

    async def delivery_guarantee(self) -> str | None:
        return None  # find_sent reads the Page's feed

    async def find_sent(self, post: Post) -> Sent | None:
        """The Page's recent post with the same message, if there is one."""
        wanted = _normal(str(post.payload.get("message", "")))
        if not wanted:
            return None
        params = {"fields": "id,message,link,created_time", "limit": str(FIND_LIMIT)}
        response = await self._request("GET", self._feed, params=params)
        self._check(response)
        answer = _json(response)
        data = answer.get("data") if isinstance(answer, dict) else None
        for entry in data if isinstance(data, list) else []:
            if not isinstance(entry, dict):
                continue
            post_id, message = entry.get("id"), entry.get("message")
            if isinstance(post_id, str) and isinstance(message, str) and _normal(message) == wanted:
                return _sent(post_id)
        return None

    async def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        try:
            return await self._client.request(method, url, headers=headers, **kwargs)
        except httpx.TimeoutException as exc:
            raise Transient(f"Graph API timed out ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            reason = self._scrub(f"Graph API unreachable: {type(exc).__name__}: {exc}")
            raise Transient(reason) from None

    def _scrub(self, text: str) -> str:
        """``text`` with the token blanked out, should the platform ever echo it."""
        return text.replace(self._token, "[token]") if self._token else text

    def _check(self, response: httpx.Response) -> None:
        """Raise the ``PublishError`` kind for an error answer; return for a success."""
        status = response.status_code
        answer = _json(response)
        error = answer.get("error") if isinstance(answer, dict) else None
        if status < 400 and not isinstance(error, dict):
            return
        if not isinstance(error, dict):
            error = {}
        code = _int(error.get("code"))
        subcode = _int(error.get("error_subcode"))
        kind = str(error.get("type") or "")
        text = error.get("error_user_msg") or error.get("message") or response.reason_phrase
        reason = self._scrub(
            f"Graph API {status}"
            + (f" code {code}" if code is not None else "")
            + (f"/{subcode}" if subcode is not None else "")
            + f": {' '.join(str(text).split())[:300]}"
        )
        trace = error.get("fbtrace_id")
        log.warning("facebook %s: %s (fbtrace_id=%s)", self.name, reason, trace)
        if code in TOKEN_CODES or (kind == "OAuthException" and subcode in TOKEN_SUBCODES):
            raise CredentialsRejected(reason)
        if code in PERMISSION_CODES:
            # The token is valid but may not post here: every post would fail the same way.
            raise CredentialsRejected(reason)
        if code in DUPLICATE_CODES:
            raise AlreadyPosted(reason)
        if status == 429 or code in RATE_CODES:
            raise RateLimited(reason, retry_after(response.headers))
        if status >= 500 or code in TEMPORARY_CODES or error.get("is_transient") is True:
            raise Transient(reason)
        raise ItemRejected(reason)


def retry_after(headers: httpx.Headers, default: float = DEFAULT_RETRY_AFTER) -> float:
    """Seconds to wait: ``Retry-After``, else the usage headers' time to regain access."""
    value = headers.get("retry-after")
    if value:
        seconds = _retry_after_value(value.strip())
        if seconds is not None:
            return seconds
    minutes = [m for name in USAGE_HEADERS for m in _regain_minutes(headers.get(name))]
    if minutes and max(minutes) > 0:
        return max(minutes) * 60.0
    return default


def _retry_after_value(value: str) -> float | None:
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _regain_minutes(header: str | None) -> list[float]:
    """Every ``estimated_time_to_regain_access`` (minutes) in a usage header's JSON."""
    if not header:
        return []
    try:
        value: Any = json.loads(header)
    except ValueError:
        return []
    found: list[float] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            minutes = node.get("estimated_time_to_regain_access")
            if isinstance(minutes, int | float) and not isinstance(minutes, bool):
                found.append(float(minutes))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _normal(message: str) -> str:
    return "\n".join(line.rstrip() for line in message.replace("\r\n", "\n").split("\n")).strip()


def _sent(post_id: str) -> Sent:
    return Sent(post_id=post_id, url=f"https://www.facebook.com/{post_id}")
