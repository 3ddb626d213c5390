"""The X (Twitter) adapter: digests posted with tweepy's asynchronous API v2 client.

Authentication is OAuth 1.0a user context (consumer key and secret of the app, access token and
secret of the account). The four strings go to tweepy and nowhere else: they are not kept on
the publisher, not in its ``repr``, not in the reason of any error it raises (errors are raised
``from None`` so tweepy's exception, which holds the signed request, is not chained either),
tweepy's debug log line that prints the request headers has its ``Authorization`` header
redacted, and oauthlib's debug lines about what it signs are dropped.

Errors map to the contract of ``papers.publishing``: 429 → ``RateLimited`` (until the reset the
headers announce), 5xx, connection errors and timeouts → ``Transient``, 401 (and the 403s and
402 that mean this app or account cannot post at all) → ``CredentialsRejected``, 403 duplicate
content → ``AlreadyPosted`` with the earlier post when it can be found, any other 4xx →
``ItemRejected``.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import re
import time
import unicodedata
from collections.abc import Awaitable, Callable, Mapping
from email.utils import parsedate_to_datetime
from functools import partial
from types import TracebackType
from typing import Any

import aiohttp
import tweepy
from tweepy.asynchronous import AsyncClient

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
from papers.x_render import SHORTSCIENCE, LinkMode, Mode, render_digest
from papers.x_text import url_entities

DEFAULT_RETRY_AFTER = 60.0
RECENT_POSTS = 100  # how far back find_sent looks (X's maximum page)
DUPLICATE_PAGES = 8  # after a 403 "duplicate content": up to 800 posts back

# 403s that say the app or the account cannot post at all (not this post): X's problem types
# and messages for an app without write permission or not attached to a project.
_CANNOT_POST = (
    "oauth1-permissions",
    "oauth1 app permissions",
    "client-not-enrolled",
    "attached to a project",
    "unsupported-authentication",
)


class _RedactAuthorization(logging.Filter):
    """tweepy logs every request's headers at DEBUG: blank the ``Authorization`` header (the
    OAuth header names the consumer key and the access token)."""

    _HEADER = re.compile(r"""(['"]Authorization['"]\s*:\s*)(['"]).*?\2""", re.DOTALL)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "Authorization" in message:
            record.msg = self._HEADER.sub(r"\1'[redacted]'", message)
            record.args = ()
        return True


class _DropSigningDetail(logging.Filter):
    """oauthlib logs, at DEBUG, the parameters it signs (consumer key, access token) and the
    signature base string: drop those records."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


# The loggers oauthlib signs through (a logger's filters see only its own records).
_SIGNING_LOGGERS = ("oauthlib.oauth1.rfc5849", "oauthlib.oauth1.rfc5849.signature")


def _install_log_filter() -> None:
    logger = logging.getLogger("tweepy.asynchronous.client")
    if not any(isinstance(f, _RedactAuthorization) for f in logger.filters):
        logger.addFilter(_RedactAuthorization())
    for name in _SIGNING_LOGGERS:
        signing = logging.getLogger(name)
        if not any(isinstance(f, _DropSigningDetail) for f in signing.filters):
            signing.addFilter(_DropSigningDetail())


_install_log_filter()


def status_url(post_id: str) -> str:
    return f"https://x.com/i/web/status/{post_id}"


def comparable(text: str) -> str:
    """A post's text as X gives it back compared with what was sent: URLs masked (X replaces
    them with t.co links), entities unescaped (X returns ``&amp;``), spacing collapsed."""
    text = unicodedata.normalize("NFC", text).replace("\u200b", "")
    for start, end, _ in reversed(url_entities(text)):
        text = text[:start] + "\x00url\x00" + text[end:]
    return " ".join(text.split())


def retry_after(headers: Mapping[str, str], now: float | None = None) -> float:
    """Seconds to wait after a 429: the latest reset among ``x-rate-limit-reset``, an exhausted
    24-hour user or app limit (``x-user-limit-24hour-reset``…) and ``Retry-After``; at least 1."""
    now = time.time() if now is None else now
    waits: list[float] = []
    resets = ["x-rate-limit-reset"]
    for scope in ("x-user-limit-24hour", "x-app-limit-24hour"):
        if headers.get(f"{scope}-remaining") == "0":
            resets.append(f"{scope}-reset")
    for name in resets:
        value = headers.get(name)
        if value and value.strip().isdigit():
            waits.append(int(value) - now)
    value = headers.get("Retry-After")
    if value:
        value = value.strip()
        if value.isdigit():
            waits.append(float(value))
        else:
            with contextlib.suppress(TypeError, ValueError, IndexError):
                waits.append(parsedate_to_datetime(value).timestamp() - now)
    return max(1.0, max(waits) if waits else DEFAULT_RETRY_AFTER)


def _describe(status: int, reason: str | None, messages: list[str]) -> str:
    text = f"X answered {status} {reason or ''}".rstrip()
    detail = "; ".join(m.strip() for m in messages if m and m.strip())
    return f"{text}: {detail}" if detail else text


def _error_for(
    status: int,
    reason: str | None,
    messages: list[str],
    headers: Mapping[str, str],
    problem_type: str | None = None,
) -> PublishError:
    """The ``PublishError`` for an HTTP answer that is not a success."""
    description = _describe(status, reason, messages)
    lowered = f"{description} {problem_type or ''}".lower()
    if status == 429:
        return RateLimited(description, retry_after(headers))
    if status >= 500 or 200 <= status < 300:
        return Transient(description)
    if status == 401:
        return CredentialsRejected(description)
    if status == 402:
        return CredentialsRejected(description + " (the account has no API credits)")
    if status == 403 and "duplicate" in lowered:
        return AlreadyPosted(description)
    if status == 403 and any(marker in lowered for marker in _CANNOT_POST):
        return CredentialsRejected(description)
    return ItemRejected(description)


async def _problem_type(response: Any) -> str | None:
    """The ``type`` of an RFC 7807 problem body (X's ``https://api.twitter.com/2/problems/…``)."""
    with contextlib.suppress(Exception):
        body = await response.json(content_type=None)
        if isinstance(body, dict) and isinstance(body.get("type"), str):
            return str(body["type"])
    return None


class XPublisher:
    """One X account as a digest destination (``Publisher`` of ``papers.publishing``).

    ``session``: an ``aiohttp.ClientSession`` for tweepy to use (it is given to the client's
    documented ``session`` attribute); the publisher makes its own when none is given and
    closes it in ``aclose``. ``timeout`` bounds every API call.
    """

    platform = "x"

    def __init__(
        self,
        name: str,
        *,
        consumer_key: str,
        consumer_secret: str,
        access_token: str,
        access_token_secret: str,
        mode: Mode = "thread",
        link_mode: LinkMode = "links",
        digest_url: str = SHORTSCIENCE,
        timeout: float = 30.0,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.name = name
        self.mode: Mode = mode
        self.link_mode: LinkMode = link_mode
        self.digest_url = digest_url
        self._timeout = timeout
        self._client = AsyncClient(
            consumer_key=consumer_key,
            consumer_secret=consumer_secret,
            access_token=access_token,
            access_token_secret=access_token_secret,
            return_type=dict,
        )
        self._session = session
        self._owns_session = session is None
        self._user_id: str | None = None

    def __repr__(self) -> str:
        return f"XPublisher(name={self.name!r}, mode={self.mode!r}, link_mode={self.link_mode!r})"

    # lifecycle

    async def __aenter__(self) -> XPublisher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP session if the publisher made it."""
        session, self._session = self._session, None
        self._client.session = None
        if session is not None and self._owns_session:
            await session.close()

    # Publisher

    def render(self, digest: Digest) -> list[Post]:
        return render_digest(
            digest,
            destination=self.name,
            mode=self.mode,
            link_mode=self.link_mode,
            digest_url=self.digest_url,
        )

    def posts_needed(self, digest: Digest) -> int:
        """How many posts (of the daily budget) this digest takes."""
        return len(self.render(digest))

    async def send(self, post: Post, *, reply_to: Sent | None = None) -> Sent:
        """Post ``post``; as a reply to ``reply_to`` when given (a thread reply whose head is
        not given is posted on its own rather than not at all)."""
        text = str(post.payload["text"])
        in_reply_to = reply_to.post_id if reply_to is not None else None
        if in_reply_to is not None and not in_reply_to.isdigit():
            # a parent recorded without its id (before 2026-12): answering it is a 400
            in_reply_to = None
        try:
            answer = await self._call(
                lambda: self._client.create_tweet(
                    text=text, in_reply_to_tweet_id=in_reply_to, user_auth=True
                )
            )
        except AlreadyPosted as duplicate:
            earlier: Sent | None = None
            with contextlib.suppress(PublishError):
                earlier = await self.find_sent(post, pages=DUPLICATE_PAGES)
            raise AlreadyPosted(duplicate.reason, earlier) from None
        data = answer.get("data") if isinstance(answer, dict) else None
        post_id = data.get("id") if isinstance(data, dict) else None
        if not post_id:
            raise Transient("X accepted the post but answered without its id")
        return Sent(str(post_id), status_url(str(post_id)))

    async def delivery_guarantee(self) -> str | None:
        return None  # find_sent reads the account's timeline

    async def find_sent(self, post: Post, *, pages: int = 1) -> Sent | None:
        """The account's post with this text among its latest ``pages`` × ``RECENT_POSTS``
        (newest first), if any. X keeps no marker of ours on a post: its text is the marker."""
        user_id = await self._me()
        wanted = comparable(str(post.payload["text"]))
        token: str | None = None
        for _ in range(pages):
            options: dict[str, Any] = {"max_results": RECENT_POSTS, "user_auth": True}
            if token:
                options["pagination_token"] = token
            answer = await self._call(partial(self._client.get_users_tweets, user_id, **options))
            for tweet in answer.get("data") or []:
                if comparable(html.unescape(str(tweet.get("text", "")))) == wanted:
                    return Sent(str(tweet["id"]), status_url(str(tweet["id"])))
            meta = answer.get("meta") or {}
            token = meta.get("next_token") if isinstance(meta, dict) else None
            if not token:
                break
        return None

    # plumbing

    async def _me(self) -> str:
        if self._user_id is None:
            answer = await self._call(lambda: self._client.get_me(user_auth=True))
            try:
                self._user_id = str(answer["data"]["id"])
            except (KeyError, TypeError):
                raise Transient("X answered GET /2/users/me without a user id") from None
        return self._user_id

    async def _call(self, request: Callable[[], Awaitable[Any]]) -> Any:
        """Run one tweepy call within the timeout, turning every failure into a
        ``PublishError`` (raised ``from None``: tweepy's exception holds the signed request)."""
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._timeout)
            )
        self._client.session = self._session
        error: PublishError
        try:
            async with asyncio.timeout(self._timeout):
                return await request()
        except tweepy.HTTPException as exc:
            response = exc.response
            problem = await _problem_type(response) if response.status == 403 else None
            error = _error_for(
                response.status, response.reason, list(exc.api_messages), response.headers, problem
            )
        except aiohttp.ClientResponseError as exc:  # an error answer that is not JSON
            error = _error_for(exc.status, exc.message, [], exc.headers or {})
        except (aiohttp.ClientError, json.JSONDecodeError) as exc:
            error = Transient(f"X could not be reached: {type(exc).__name__}: {exc}")
        except TimeoutError:
            error = Transient(f"X did not answer within {self._timeout:g} s")
        raise error from None
