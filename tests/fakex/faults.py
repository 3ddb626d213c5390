"""What the fake X answers in place of the real answer: the scripted faults (:class:`Fault`,
armed with ``FakeX.fail_next``, see :mod:`tests.fakex.server`) and X's problem bodies
(``application/problem+json``)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]
PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, kind: str = "about:blank") -> JSON:
    return {"title": title, "detail": detail, "type": kind, "status": status}


@dataclass(frozen=True)
class Fault:
    """One scripted answer in place of the real one.

    ``status`` 0 means "the real answer", after ``delay`` seconds. ``commit``: for
    ``create_tweet``, make the post first (the request succeeded; its answer is what fails).
    """

    status: int = 500
    body: JSON | bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    commit: bool = False
    content_type: str = PROBLEM

    @classmethod
    def rate_limited(cls, reset_in: float = 30.0, *, daily: bool = False) -> Fault:
        reset = str(int(time.time() + reset_in))
        headers = {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0"}
        headers["x-rate-limit-reset"] = reset
        if daily:  # the 24-hour posting cap, not the 15-minute window
            headers |= {
                "x-rate-limit-remaining": "99",
                "x-rate-limit-reset": str(int(time.time() + 60)),
                "x-user-limit-24hour-limit": "17",
                "x-user-limit-24hour-remaining": "0",
                "x-user-limit-24hour-reset": reset,
            }
        body = {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank"}
        return cls(429, body | {"status": 429}, headers)

    @classmethod
    def server_error(cls, status: int = 500, *, html_body: bool = False) -> Fault:
        if html_body:  # what a proxy in front of the API answers: not JSON
            return cls(status, b"<html><body>Over capacity</body></html>", content_type="text/html")
        body = {"title": "Internal Server Error", "detail": "Internal Server Error"}
        return cls(status, body | {"type": "about:blank", "status": status})

    @classmethod
    def expired_token(cls) -> Fault:
        return cls(401, problem(401, "Unauthorized", "Unauthorized"))

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        return cls(status=0, delay=seconds)

    @classmethod
    def lost_answer(cls, seconds: float) -> Fault:
        """The post is made, then the answer comes too late for the client (a crash, say)."""
        return cls(status=0, delay=seconds, commit=True)
