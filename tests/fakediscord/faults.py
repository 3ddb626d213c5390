"""The faults tests inject: scripted errors and 429s, rate limits, gateway drops and resumes.

:class:`Faults` is a mixin of :class:`~tests.fakediscord.server.FakeDiscord`. ``fail_next``
arms a :class:`~tests.fakediscord.records.Fault` in the fake's
:class:`~tests.fakebase.FaultQueue` (answered before the request takes effect, or after it: a
lost answer); ``rate_limit`` and ``set_global_rate_limit`` enforce Discord's limits with its
headers. The request pipeline (:meth:`FakeDiscord._answer`) asks ``_fault_response``,
``_check_global_limit`` and ``_check_rate_limit`` here. On the gateway: dropped connections,
RECONNECT, INVALID_SESSION, and RESUMEs held back.
"""

from __future__ import annotations

import asyncio
import math
import re
import secrets
import time
from typing import Any

from aiohttp import web
from multidict import CIMultiDict

from tests.fakediscord.api import JSON, json_response
from tests.fakediscord.gateway import OP_INVALID_SESSION, OP_RECONNECT
from tests.fakediscord.records import Fault, RateLimitRule, RecordedRequest


class Faults:
    # -- on REST

    def fail_next(
        self,
        method: str,
        path_pattern: str | re.Pattern[str],
        status: int = 429,
        retry_after: float = 1.0,
        global_: bool = False,
        times: int = 1,
        *,
        scope: str = "user",
        after_processing: bool = False,
        body: Any = None,
        via_header: bool = True,
    ) -> Fault:
        """Answer the next ``times`` matching requests with ``status``.

        429s carry Discord's body (``retry_after``, ``global``) and headers (``Retry-After``,
        ``X-RateLimit-*``, ``X-RateLimit-Scope``, ``Via``; without ``Via`` discord.py takes a
        429 for a Cloudflare ban and gives up). ``after_processing`` lets the request take
        effect and only replaces the answer: a lost response, which a retry with the same
        nonce must not turn into a duplicate. ``path_pattern``: see
        :func:`~tests.fakebase.path_matches`.
        """
        return self.faults.arm(
            Fault(
                method=method,
                pattern=path_pattern,
                status=status,
                retry_after=retry_after,
                global_=global_,
                times=times,
                scope="global" if global_ else scope,
                after_processing=after_processing,
                body=body,
                via_header=via_header,
            )
        )

    def rate_limit(
        self,
        method: str,
        path_pattern: str | re.Pattern[str],
        limit: int,
        per: float = 1.0,
        *,
        bucket: str | None = None,
    ) -> RateLimitRule:
        """Enforce ``limit`` requests per ``per`` seconds on matching routes (per channel /
        guild / webhook), advertising it in ``X-RateLimit-*`` headers like Discord does."""
        rule = RateLimitRule(
            method=method,
            pattern=path_pattern,
            limit=limit,
            per=per,
            bucket=bucket or secrets.token_hex(8),
        )
        self.rate_limits.append(rule)
        return rule

    def set_global_rate_limit(self, limit: int | None, per: float = 1.0) -> None:
        """Discord's global limit (50 requests/second for bots); ``None`` turns it off."""
        self._global_limit = None if limit is None else (limit, per)
        self._global_window = (0.0, 0)

    # -- on the gateway

    async def drop_gateway(self, code: int = 4000) -> int:
        """Close every open gateway connection with ``code`` (default: 4000, which discord.py
        answers with a RESUME). Events dispatched until the client resumes are replayed then.
        Returns how many connections were closed."""
        dropped = [c for c in self.connections if c.open]
        for conn in dropped:
            if conn.session is not None and conn.session.connection is conn:
                conn.session.connection = None
        await asyncio.gather(*(c.close(code, "Dropped by the test.") for c in dropped))
        self._notify()
        return len(dropped)

    async def send_reconnect(self) -> None:
        """Send op 7 RECONNECT on every open connection."""
        for conn in self.connections:
            if conn.open and conn.session is not None:
                self._record_frame(conn.number, "out", {"op": OP_RECONNECT, "d": None})
                await conn.send({"op": OP_RECONNECT, "d": None, "s": None, "t": None})

    async def invalidate_session(self, *, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION on every open connection (non-resumable by default:
        the session ends and the client must IDENTIFY again)."""
        for conn in self.connections:
            if conn.open and conn.session is not None:
                if not resumable:
                    conn.session.ended = True
                frame = {"op": OP_INVALID_SESSION, "d": resumable, "s": None, "t": None}
                self._record_frame(conn.number, "out", frame)
                await conn.send(frame)

    def hold_resumes(self) -> None:
        """Make RESUMEs wait (so a test can dispatch while the client is surely away)."""
        self._resume_gate.clear()

    def release_resumes(self) -> None:
        self._resume_gate.set()

    # -- answers for the request pipeline (FakeDiscord._answer)

    def _fault_response(self, fault: Fault) -> web.Response:
        headers: CIMultiDict[str] = CIMultiDict()
        if fault.via_header:
            headers["Via"] = "1.1 google"
        if fault.status == 429:
            body = fault.body or _rate_limit_body(fault.retry_after, fault.global_)
            headers["Retry-After"] = str(math.ceil(fault.retry_after))
            headers["X-RateLimit-Scope"] = fault.scope
            if fault.global_:
                headers["X-RateLimit-Global"] = "true"
            else:
                headers.update(
                    {
                        "X-RateLimit-Limit": "1",
                        "X-RateLimit-Remaining": "0",
                        "X-RateLimit-Reset": f"{time.time() + fault.retry_after:.3f}",
                        "X-RateLimit-Reset-After": f"{fault.retry_after:.3f}",
                        "X-RateLimit-Bucket": f"fake-injected-{fault.bucket}",
                    }
                )
        else:
            body = fault.body or _default_error_body(fault.status)
        if isinstance(body, str):
            return web.Response(
                text=body, status=fault.status, headers=headers, content_type="text/html"
            )
        return json_response(body, status=fault.status, headers=headers)

    def _check_global_limit(self, record: RecordedRequest) -> web.Response | None:
        # Discord: "interaction endpoints are not bound to the bot's Global Rate Limit" — the
        # callback and everything under the interaction's token (follow-ups, the original
        # response), under /webhooks/{application_id}/{token}; channel webhooks share that
        # route and are not counted either (each webhook has limits of its own)
        route = record.route or ""
        if self._global_limit is None or route.startswith("/interactions/"):
            return None
        if route.startswith("/webhooks/{application_id}/"):
            return None
        limit, per = self._global_limit
        now = self.clock()
        start, count = self._global_window
        if now >= start + per:
            start, count = now, 0
        if count >= limit:
            retry = math.ceil((start + per - now) * 1000) / 1000
            record.fault = "global rate limit"
            return _rate_limited(
                retry, True, {"X-RateLimit-Global": "true", "X-RateLimit-Scope": "global"}
            )
        self._global_window = (start, count + 1)
        return None

    def _check_rate_limit(
        self, rule: RateLimitRule, record: RecordedRequest, headers: dict[str, str]
    ) -> web.Response | None:
        now = self.clock()
        major = _major_parameter(record.path)
        start, count = rule.windows.get(major, (now, 0))
        if now >= start + rule.per:
            start, count = now, 0
        # Rounded up: a client that sleeps exactly this long must find the window reset.
        reset_after = math.ceil((start + rule.per - now) * 1000) / 1000
        common = {
            "X-RateLimit-Limit": str(rule.limit),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": rule.bucket,
        }
        if count >= rule.limit:
            rule.rejected += 1
            record.fault = "route rate limit"
            return _rate_limited(
                reset_after,
                False,
                {**common, "X-RateLimit-Remaining": "0", "X-RateLimit-Scope": "user"},
            )
        count += 1
        rule.hits += 1
        rule.windows[major] = (start, count)
        headers.update(common, **{"X-RateLimit-Remaining": str(rule.limit - count)})
        return None


def _major_parameter(path: str) -> str:
    match = re.match(r"^/(channels|guilds)/(\d+)", path) or re.match(
        r"^/(webhooks|interactions)/(\d+)/([^/]+)", path
    )
    return match.group(0) if match else ""


def _rate_limit_body(retry_after: float, global_: bool) -> JSON:
    return {"message": "You are being rate limited.", "retry_after": retry_after, "global": global_}


def _rate_limited(retry_after: float, global_: bool, headers: dict[str, str]) -> web.Response:
    """Discord's 429 for a limit the fake enforces, with ``Retry-After`` and ``Via``."""
    return json_response(
        _rate_limit_body(round(retry_after, 3), global_),
        status=429,
        headers={**headers, "Retry-After": str(math.ceil(retry_after)), "Via": "1.1 google"},
    )


def _default_error_body(status: int) -> JSON:
    messages = {
        400: "400: Bad Request",
        401: "401: Unauthorized",
        403: "403: Forbidden",
        404: "404: Not Found",
        500: "500: Internal Server Error",
        502: "502: Bad Gateway",
        503: "503: Service Unavailable",
        504: "504: Gateway Timeout",
    }
    return {"message": messages.get(status, f"{status}: Error"), "code": 0}
