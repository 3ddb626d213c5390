"""What a destination's digest carries: parsing what maintainers type (in ``subscribe`` and
``unsubscribe``, and the configuration's lists), and whether an item matches
(:mod:`papers.filters` judges).

The words, several separated by commas:

- ``cs.LG``, ``stat`` (a whole archive): an arXiv category;
- ``graph neural networks``: a keyword (whole words, case ignored); ``keyword:math`` for a
  keyword that would read as a category;
- ``author:Kingma``, ``author:Diederik P. Kingma``: an author, by surname or full name (quotes
  around the name are allowed; no commas in it);
- ``-cs.CV``, ``-survey``: leave out a category (or archive), or a keyword;
- ``votes>=3``: summaries with at least 3 votes; ``replacements``: replaced papers too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from papers.errors import UserError
from papers.filters import Filters
from papers.model import DigestItem, PaperItem, Subscription, SubscriptionKind
from papers.names import name_words
from papers.text import collapse, normalize_title, strip_controls

MAX_KEYWORD = 100
MAX_NAME = 100
_ARCHIVES = (
    "cs|math|stat|physics|q-bio|q-fin|eess|econ|astro-ph|cond-mat|gr-qc|hep-ex|hep-lat|hep-ph|"
    "hep-th|math-ph|nlin|nucl-ex|nucl-th|quant-ph"
)
_CATEGORY = re.compile(rf"^({_ARCHIVES})(?:\.([A-Za-z-]{{2,20}}))?$", re.IGNORECASE)
_REPLACEMENTS = re.compile(r"^\+?(?:replacements|replaced|replace)$", re.IGNORECASE)
_MIN_VOTES = re.compile(r"^(?:min-?votes|votes)\s*(?:>=|=|:|\s)\s*(\d{1,6})$", re.IGNORECASE)
_PREFIXED = re.compile(r"^(authors?|keywords?)\s*:\s*(.*)$", re.IGNORECASE | re.DOTALL)
_QUOTES = "\"'“”«»„"
WORDS = (
    "an arXiv category (cs.LG), keywords, author:Surname or author:Full Name, "
    "-cs.CV or -keyword to leave out, votes>=N"
)


class BadSubscription(UserError):
    """What was typed is not a category, keywords, an author, an exclusion or a vote threshold;
    says why."""


def category(text: str) -> str | None:
    """``cs.lg`` → ``cs.LG``, ``Stat`` → ``stat``; None when ``text`` is no arXiv category."""
    match = _CATEGORY.match(collapse(text))
    if not match:
        return None
    archive, subject = match.group(1).lower(), match.group(2)
    if subject is None:
        return archive
    return f"{archive}.{subject.upper() if len(subject) == 2 else subject.lower()}"


def keyword(text: str) -> str:
    """Keywords as they are compared: lower-case words, single spaces."""
    words = normalize_title(strip_controls(text))
    if not words:
        raise BadSubscription(f"{collapse(text)[:40]!r} has no letters or digits")
    if len(words) > MAX_KEYWORD:
        raise BadSubscription(f"keywords are at most {MAX_KEYWORD} characters")
    return words


def author(text: str) -> str:
    """A name as typed, tidied (quotes and extra spaces gone): ``"Diederik P. Kingma"``."""
    name = collapse(strip_controls(text)).strip(_QUOTES + " ")
    if not name_words(name):
        raise BadSubscription(
            "say whose papers: author:Surname or author:Full Name, e.g. author:Kingma"
        )
    if len(name) > MAX_NAME:
        raise BadSubscription(f"names are at most {MAX_NAME} characters")
    return name


def _excluded(text: str) -> tuple[SubscriptionKind, str]:
    """What follows a ``-``: a category or keywords to leave out."""
    if not text:
        raise BadSubscription("say what to leave out after -: a category (-cs.CV) or keywords")
    kind, value = parse_one(text)
    if kind is SubscriptionKind.CATEGORY:
        return SubscriptionKind.EXCLUDE_CATEGORY, value
    if kind is SubscriptionKind.KEYWORD:
        return SubscriptionKind.EXCLUDE_KEYWORD, value
    raise BadSubscription("only categories and keywords can be left out: -cs.CV, -survey")


def parse_one(text: str) -> tuple[SubscriptionKind, str]:
    item = collapse(strip_controls(text))
    if not item:
        raise BadSubscription(f"say what to subscribe to: {WORDS}")
    if item.startswith("-"):
        return _excluded(item[1:].strip())
    if _REPLACEMENTS.match(item):
        return SubscriptionKind.REPLACEMENTS, "yes"
    votes = _MIN_VOTES.match(item)
    if votes:
        return SubscriptionKind.MIN_VOTES, str(int(votes.group(1)))
    prefixed = _PREFIXED.match(item)
    if prefixed and prefixed.group(1).lower().startswith("author"):
        return SubscriptionKind.AUTHOR, author(prefixed.group(2))
    if prefixed:
        return SubscriptionKind.KEYWORD, keyword(prefixed.group(2))
    found = category(item)
    if found:
        return SubscriptionKind.CATEGORY, found
    return SubscriptionKind.KEYWORD, keyword(item)


def parse(text: str) -> list[tuple[SubscriptionKind, str]]:
    """``cs.LG, stat.ML`` / ``graph neural networks`` / ``author:Kingma, -cs.CV`` /
    ``votes>=3`` / ``replacements`` → what to subscribe to."""
    parts = [p for p in text.split(",") if p.strip()] or [text]
    if len(parts) > 10:
        raise BadSubscription("at most 10 subscriptions at once")
    return [parse_one(p) for p in parts]


def same(kind: SubscriptionKind, value: str, other: Subscription) -> bool:
    """Whether ``other`` is the rule ``kind`` ``value`` names: authors compared with case,
    accents and points ignored (``author:fernandez`` is the rule ``author Fernández``)."""
    if other.kind is not kind:
        return False
    if kind is SubscriptionKind.AUTHOR:
        return name_words(value) == name_words(other.value)
    return other.value == value


def matches(item: DigestItem, subscriptions: Sequence[Subscription]) -> bool:
    """Whether a summary belongs in a digest with these subscriptions (:mod:`papers.filters`).

    No category, keyword or author subscription: every summary that no exclusion holds back
    (above the vote threshold)."""
    return Filters(subscriptions).judge(item).passed


def matches_paper(item: PaperItem, subscriptions: Sequence[Subscription]) -> bool:
    """Whether a newly announced paper belongs in a digest with these subscriptions.

    Only digests that subscribe to categories, keywords or authors carry papers: one they
    match, that no exclusion holds back. New and cross-listed announcements always;
    replacements only with a ``replacements`` subscription.
    """
    filters = Filters(subscriptions)
    return bool(filters.topics) and filters.judge_paper(item).passed
