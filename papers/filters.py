"""Which items a destination's rules let through, and which rule held each other one back.

An item goes through when it matches one of the positive rules (an arXiv category or its
archive, a keyword, an author: any of them; with none, everything does), no exclusion matches
it (an excluded category or archive among its papers' categories, an excluded keyword), and,
for a summary, its votes reach the minimum. Keywords are whole words, case ignored, looked for
in the papers' titles and abstracts (and a summary's text): what maintainers type is never a
pattern, so no filter can be slow. Authors are compared by :mod:`papers.names`.

A held item is held by the first rule that refuses it: an excluded category, an excluded
keyword, the vote threshold, then "no positive rule matched". A passing item is credited to the
first positive rule it matched.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from papers.model import NEW_ANNOUNCEMENTS, DigestItem, Paper, PaperItem, Subscription
from papers.model import SubscriptionKind as Kind
from papers.names import folded, is_author, name_words
from papers.text import normalize_title

TOPICS = (Kind.CATEGORY, Kind.KEYWORD, Kind.AUTHOR)
NO_FILTER = "no filter"
OFF_TOPIC = "no category, keyword or author matched"
REPLACED = "a replaced version (not subscribed to replacements)"


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether an item goes through, and why: the rule that decided (None for the two
    verdicts no single rule gives: no filter at all, or no positive rule matched)."""

    passed: bool
    reason: str
    rule: Subscription | None = None


def _reason(rule: Subscription) -> str:
    if rule.kind is Kind.MIN_VOTES:
        return f"fewer than {rule.value} votes"
    return rule.describe()


def _in_categories(value: str, categories: set[str]) -> bool:
    """``value`` is one of ``categories`` or the archive of one (``cs`` for ``cs.LG``)."""
    return value in categories or any(c.split(".")[0] == value for c in categories)


class _Authors:
    """An item's authors, folded once when a rule first asks."""

    def __init__(self, names: list[str]) -> None:
        self.names = names

    @functools.cached_property
    def folded(self) -> str:
        return folded(" ".join(self.names))


class Filters:
    """A destination's rules, prepared once for judging many items."""

    def __init__(self, rules: Sequence[Subscription]) -> None:
        self.rules = tuple(rules)
        self.topics = [r for r in self.rules if r.kind in TOPICS]
        self.excluded = [r for r in self.rules if r.kind is Kind.EXCLUDE_CATEGORY]
        self.excluded += [r for r in self.rules if r.kind is Kind.EXCLUDE_KEYWORD]
        votes = [r for r in self.rules if r.kind is Kind.MIN_VOTES]
        self.min_votes = max(votes, key=lambda r: int(r.value), default=None)
        self.replacements = any(r.kind is Kind.REPLACEMENTS for r in self.rules)
        self._names = {r.value: name_words(r.value) for r in self.topics if r.kind is Kind.AUTHOR}
        self._reads_text = any(r.kind in (Kind.KEYWORD, Kind.EXCLUDE_KEYWORD) for r in self.rules)

    def _matches(
        self, rule: Subscription, categories: set[str], words: str, authors: _Authors
    ) -> bool:
        if rule.kind in (Kind.CATEGORY, Kind.EXCLUDE_CATEGORY):
            return _in_categories(rule.value, categories)
        if rule.kind in (Kind.KEYWORD, Kind.EXCLUDE_KEYWORD):
            return f" {rule.value} " in words
        wanted = self._names[rule.value]
        # the surname's word somewhere among the authors first: most items have no such author
        return wanted[-1] in authors.folded and any(is_author(wanted, n) for n in authors.names)

    def _judge(self, papers: Sequence[Paper], text: str, votes: int | None) -> Verdict:
        categories = {c for p in papers for c in p.categories}
        words = ""  # the words keywords are looked for in, when there are keywords
        if self._reads_text:
            parts = [text, *(p.title for p in papers), *(p.abstract or "" for p in papers)]
            words = f" {normalize_title(' '.join(parts))} "
        authors = _Authors([a for p in papers for a in p.authors])
        for rule in self.excluded:
            if self._matches(rule, categories, words, authors):
                return Verdict(False, _reason(rule), rule)
        if votes is not None and self.min_votes and votes < int(self.min_votes.value):
            return Verdict(False, _reason(self.min_votes), self.min_votes)
        if not self.topics:
            return Verdict(True, NO_FILTER)
        for rule in self.topics:
            if self._matches(rule, categories, words, authors):
                return Verdict(True, _reason(rule), rule)
        return Verdict(False, OFF_TOPIC)

    def judge(self, item: DigestItem) -> Verdict:
        """A summary: its papers' categories, titles, abstracts and authors, its own title and
        text, its votes (none counts as 0)."""
        summary = item.summary
        return self._judge(item.papers, f"{summary.title} {summary.text}", summary.votes or 0)

    def judge_paper(self, item: PaperItem) -> Verdict:
        """A newly announced paper (no votes); a replaced version only with ``replacements``."""
        if item.announce_type not in NEW_ANNOUNCEMENTS and not self.replacements:
            return Verdict(False, REPLACED)
        return self._judge((item.paper,), "", None)
