"""What a channel's digest carries: parsing what maintainers type, and matching items."""

from __future__ import annotations

import re
from collections.abc import Sequence

from papers.errors import UserError
from papers.model import NEW_ANNOUNCEMENTS, DigestItem, PaperItem, Subscription, SubscriptionKind
from papers.text import collapse, normalize_title, strip_controls

MAX_KEYWORD = 100
_ARCHIVES = (
    "cs|math|stat|physics|q-bio|q-fin|eess|econ|astro-ph|cond-mat|gr-qc|hep-ex|hep-lat|hep-ph|"
    "hep-th|math-ph|nlin|nucl-ex|nucl-th|quant-ph"
)
_CATEGORY = re.compile(rf"^({_ARCHIVES})(?:\.([A-Za-z-]{{2,20}}))?$", re.IGNORECASE)
_REPLACEMENTS = re.compile(r"^\+?(?:replacements|replaced|replace)$", re.IGNORECASE)
_MIN_VOTES = re.compile(r"^(?:min-?votes|votes)\s*(?:>=|=|:|\s)\s*(\d{1,6})$", re.IGNORECASE)


class BadSubscription(UserError):
    """What was typed is not a category, a keyword or a vote threshold; says why."""


def parse_one(text: str) -> tuple[SubscriptionKind, str]:
    item = collapse(strip_controls(text))
    if not item:
        raise BadSubscription("say what to subscribe to: an arXiv category, keywords or votes>=N")
    if _REPLACEMENTS.match(item):
        return SubscriptionKind.REPLACEMENTS, "yes"
    votes = _MIN_VOTES.match(item)
    if votes:
        return SubscriptionKind.MIN_VOTES, str(int(votes.group(1)))
    category = _CATEGORY.match(item)
    if category:
        archive, subject = category.group(1).lower(), category.group(2)
        if subject is None:
            return SubscriptionKind.CATEGORY, archive
        subject = subject.upper() if len(subject) == 2 else subject.lower()
        return SubscriptionKind.CATEGORY, f"{archive}.{subject}"
    keyword = normalize_title(item)
    if not keyword:
        raise BadSubscription(f"{item[:40]!r} has no letters or digits")
    if len(keyword) > MAX_KEYWORD:
        raise BadSubscription(f"keywords are at most {MAX_KEYWORD} characters")
    return SubscriptionKind.KEYWORD, keyword


def parse(text: str) -> list[tuple[SubscriptionKind, str]]:
    """``cs.LG, stat.ML`` / ``graph neural networks`` / ``votes>=3`` / ``replacements`` → what
    to subscribe to."""
    parts = [p for p in text.split(",") if p.strip()] or [text]
    if len(parts) > 10:
        raise BadSubscription("at most 10 subscriptions at once")
    return [parse_one(p) for p in parts]


def min_votes(subscriptions: Sequence[Subscription]) -> int:
    values = [int(s.value) for s in subscriptions if s.kind is SubscriptionKind.MIN_VOTES]
    return max(values, default=0)


def topics(subscriptions: Sequence[Subscription]) -> list[Subscription]:
    """The category and keyword subscriptions (what a digest is about)."""
    topical = (SubscriptionKind.CATEGORY, SubscriptionKind.KEYWORD)
    return [s for s in subscriptions if s.kind in topical]


def _on_topic(wanted: Sequence[Subscription], categories: set[str], text: str) -> bool:
    archives = {c.split(".")[0] for c in categories}
    words = f" {normalize_title(text)} "
    for sub in wanted:
        if sub.kind is SubscriptionKind.CATEGORY and (
            sub.value in categories or sub.value in archives
        ):
            return True
        if sub.kind is SubscriptionKind.KEYWORD and f" {sub.value} " in words:
            return True
    return False


def matches(item: DigestItem, subscriptions: Sequence[Subscription]) -> bool:
    """Whether a summary belongs in a digest with these subscriptions.

    No category or keyword subscription: every summary (above the vote threshold). Otherwise
    the summary's paper must be in a subscribed category (or its archive) or contain a keyword
    in its title or the summary's text.
    """
    if (item.summary.votes or 0) < min_votes(subscriptions):
        return False
    wanted = topics(subscriptions)
    if not wanted:
        return True
    categories = {c for p in item.papers for c in p.categories}
    text = " ".join([*(p.title for p in item.papers), item.summary.text])
    return _on_topic(wanted, categories, text)


def matches_paper(item: PaperItem, subscriptions: Sequence[Subscription]) -> bool:
    """Whether a newly announced paper belongs in a digest with these subscriptions.

    Only digests that subscribe to categories or keywords carry papers: a paper in a subscribed
    category (or its archive), or with a keyword in its title or abstract. New and cross-listed
    announcements always; replacements only with a ``replacements`` subscription.
    """
    wanted = topics(subscriptions)
    if not wanted:
        return False
    if item.announce_type not in NEW_ANNOUNCEMENTS and not any(
        s.kind is SubscriptionKind.REPLACEMENTS for s in subscriptions
    ):
        return False
    paper = item.paper
    return _on_topic(wanted, set(paper.categories), f"{paper.title} {paper.abstract or ''}")
