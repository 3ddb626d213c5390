"""What the fake Discord, X and Graph API servers share: their request log, armed faults, post hook.

* :class:`RecordedRequest` is one request as a fake received and answered it: method, path, the
  route it matched (``None``: a route the fake does not serve), query, headers, the status it
  answered and the fault it injected, if any. Each fake adds its body (Discord: the parsed JSON
  and uploads; X: the raw bytes). :class:`RequestLog` is a fake's ``requests``, with counting.
  FakeGraph has no log of its own: its requests are in its ``LocalHTTPServer``'s per-path log.
* :class:`FaultQueue` holds the faults a test armed (:class:`Armed`): a request meets the first
  one that matches it and is not used up, so each fault answers the next ``times`` requests it
  matches, in the order the test armed them. What a fault answers, and whether the request takes
  effect first (a lost answer), is each fake's own, as are delays: X waits in its event loop,
  Graph's threaded server holds the answer back.
* :class:`PostHook` is the ``on_post`` hook the chaos tests use to kill a client mid-post.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from typing import Any, Generic, TypeVar

FaultT = TypeVar("FaultT")


def path_matches(pattern: str | re.Pattern[str], path: str, route: str | None = None) -> bool:
    """A compiled regex is searched in the path; a string is an fnmatch glob against the path
    (``/channels/*/messages``) or the route (``/channels/{channel_id}/messages``)."""
    if isinstance(pattern, re.Pattern):
        return pattern.search(path) is not None
    return fnmatch.fnmatchcase(path, pattern) or (
        route is not None and fnmatch.fnmatchcase(route, pattern)
    )


def method_matches(wanted: str, actual: str) -> bool:
    """``"*"`` matches any method; else the same method in any case."""
    return wanted == "*" or wanted.upper() == actual.upper()


@dataclass
class RecordedRequest(Generic[FaultT]):
    """One request, as a fake received and answered it."""

    method: str
    path: str
    """As the fake serves it (the Discord fake drops its ``/api/v10`` prefix)."""
    route: str | None
    """The route it matched (a template or a name); None if the fake does not serve it."""
    query: dict[str, str]
    headers: dict[str, str]
    _: KW_ONLY
    status: int = 0
    """The status it was answered with; 0 while the fake is still answering."""
    fault: FaultT | None = None
    """The injected fault it was answered with, if any."""

    @property
    def unknown(self) -> bool:
        return self.route is None

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)

    def matches(self, method: str, pattern: str | re.Pattern[str]) -> bool:
        """``method`` (or ``"*"``) and a path glob or regex: see :func:`path_matches`."""
        return method_matches(method, self.method) and path_matches(pattern, self.path, self.route)

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status}"


R = TypeVar("R", bound="RecordedRequest[Any]")


class RequestLog(Generic[R]):
    """A fake's ``requests`` (set by the fake), oldest first, and questions about them."""

    requests: list[R]

    def count(self, route: str) -> int:
        """Requests that matched ``route``, answered or not."""
        return sum(1 for r in self.requests if r.route == route)

    def requests_to(self, method: str, path_pattern: str | re.Pattern[str]) -> list[R]:
        """Answered requests matching ``method`` (or ``"*"``) and a path glob/regex."""
        return [r for r in self.requests if r.status and r.matches(method, path_pattern)]

    @property
    def unknown_requests(self) -> list[R]:
        return [r for r in self.requests if r.unknown]

    def assert_no_unknown_requests(self) -> None:
        unknown = self.unknown_requests
        if unknown:
            listed = ", ".join(f"{r.method} {r.path}" for r in unknown)
            raise AssertionError(f"the bot called routes the fake does not know: {listed}")


@dataclass(kw_only=True)
class Armed:
    """A fault armed for the next ``times`` requests it matches; ``hits``: how many it met."""

    times: int = 1
    hits: int = 0

    @property
    def exhausted(self) -> bool:
        return self.hits >= self.times


A = TypeVar("A", bound=Armed)


def _any(_fault: Armed) -> bool:
    return True


class FaultQueue(Generic[A]):
    """Faults in the order they were armed; a request meets the first unused one it matches."""

    def __init__(self) -> None:
        self.armed: list[A] = []

    def arm(self, fault: A) -> A:
        self.armed.append(fault)
        return fault

    def peek(self, matches: Callable[[A], bool] = _any) -> A | None:
        """The first fault not used up that ``matches`` accepts, its use not counted yet (the
        Discord fake counts a lost answer's fault once the request has taken effect)."""
        return next((f for f in self.armed if not f.exhausted and matches(f)), None)

    def take(self, matches: Callable[[A], bool] = _any) -> A | None:
        """:meth:`peek`, counted as used."""
        fault = self.peek(matches)
        if fault is not None:
            fault.hits += 1
        return fault


class PostHook:
    """``on_post``: called once a fake has stored a post, before it answers (the chaos tests
    kill the client there, so that the post is made and its answer lost)."""

    on_post: Callable[[], None] | None = None

    def _posted(self) -> None:
        if self.on_post is not None:
            self.on_post()
