"""Domain values: papers, summaries, feeds and digests.

Plain frozen dataclasses, no I/O. Storage returns these, never ORM rows; sources produce the
``Incoming…`` values; publishers receive a ``Digest``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from papers.keys import item_key, paper_key


class FeedKind(enum.StrEnum):
    """What a feed carries; recognised from its content, not its URL."""

    SHORTSCIENCE = "shortscience"
    BLOG = "blog"
    ARXIV_LISTING = "arxiv-listing"
    ARXIV_API = "arxiv-api"
    UNKNOWN = "unknown"


# The kinds a feed can be pinned to (``feeds add --kind``), in the order help texts list them.
PINNABLE_KINDS = (
    FeedKind.BLOG,
    FeedKind.SHORTSCIENCE,
    FeedKind.ARXIV_LISTING,
    FeedKind.ARXIV_API,
)


class SkipReason(enum.StrEnum):
    """Why an entry of a feed was not stored (the value is its key in ``--json`` output)."""

    NO_GUID = "no-guid"  # neither a guid nor a link
    NO_PAPER = "no-paper"  # a blog post naming no arXiv paper nor a known title
    NO_PAPER_KEY = "no-paper-key"  # a ShortScience item without arXiv id or bibtex key
    NO_ARXIV_ID = "no-arxiv-id"  # a listing item without a usable arXiv id
    API_ERROR = "api-error"  # an error entry of an arXiv API response
    NOT_ARXIV = "not-arxiv"  # an API entry whose id is not an arXiv paper

    def describe(self, count: int) -> str:
        """``count`` entries skipped for this reason, in words: "2 name no known paper"."""
        singular, plural = _SKIP_WORDS[self]
        return f"{count} {singular if count == 1 else plural}"


_SKIP_WORDS = {
    SkipReason.NO_GUID: ("has no guid or link", "have no guid or link"),
    SkipReason.NO_PAPER: ("names no known paper", "name no known paper"),
    SkipReason.NO_PAPER_KEY: ("has no arXiv id or bibtex key", "have no arXiv id or bibtex key"),
    SkipReason.NO_ARXIV_ID: ("has no usable arXiv id", "have no usable arXiv id"),
    SkipReason.API_ERROR: ("is an arXiv API error", "are arXiv API errors"),
    SkipReason.NOT_ARXIV: ("is not an arXiv paper", "are not arXiv papers"),
}


def describe_skips(reasons: Mapping[SkipReason, int] | Mapping[str, int]) -> str:
    """Per-reason counts in words, most frequent first: "2 name no known paper, 1 has …".

    Keys that are not a :class:`SkipReason` value are shown as they are.
    """
    parts = []
    counts: dict[str, int] = {str(key): count for key, count in reasons.items()}
    for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        if count <= 0:
            continue
        try:
            parts.append(SkipReason(key).describe(count))
        except ValueError:
            parts.append(f"{count} {key}")
    return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Paper:
    """A paper as shortbot knows it.

    ``key`` is the stable public key: the arXiv id when the paper is on arXiv, else the
    ShortScience bibtex key, else the DOI.
    """

    key: str
    title: str
    arxiv_id: str | None = None
    arxiv_version: int | None = None
    authors: tuple[str, ...] = ()
    abstract: str | None = None
    categories: tuple[str, ...] = ()
    doi: str | None = None
    bibtex_key: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    primary_category: str | None = None
    journal_ref: str | None = None
    comment: str | None = None

    @property
    def url(self) -> str | None:
        if self.arxiv_id:
            return f"https://arxiv.org/abs/{self.arxiv_id}"
        if self.bibtex_key:
            return f"https://www.shortscience.org/paper?bibtexKey={self.bibtex_key}"
        if self.doi:
            return f"https://doi.org/{self.doi}"
        return None


@dataclass(frozen=True, slots=True)
class Summary:
    """One written summary of one paper, from one source."""

    id: int
    paper_keys: tuple[str, ...]
    guid: str
    source: str
    author: str
    url: str | None
    votes: int | None
    text: str
    published: datetime | None
    edited: datetime | None
    first_seen: datetime
    title: str = ""


@dataclass(frozen=True, slots=True)
class PaperWithSummaries:
    paper: Paper
    summaries: tuple[Summary, ...]


@dataclass(frozen=True, slots=True)
class IncomingPaper:
    """What a source knows about a paper referred to by an entry."""

    title: str
    arxiv_id: str | None = None
    arxiv_version: int | None = None
    bibtex_key: str | None = None
    doi: str | None = None
    authors: tuple[str, ...] = ()
    abstract: str | None = None
    categories: tuple[str, ...] = ()
    published: datetime | None = None
    updated: datetime | None = None
    primary_category: str | None = None
    journal_ref: str | None = None
    comment: str | None = None
    # From an arXiv listing: new, cross, replace or replace-cross; None elsewhere.
    announce_type: str | None = None
    # True when the values come from arXiv itself (listing or API): complete metadata.
    complete: bool = False

    @property
    def key(self) -> str | None:
        return self.arxiv_id or self.bibtex_key or self.doi


@dataclass(frozen=True, slots=True)
class IncomingSummary:
    """A summary entry as a source read it, before storage."""

    guid: str
    source: str
    author: str
    url: str | None
    votes: int | None
    text: str
    published: datetime | None
    papers: tuple[IncomingPaper, ...]
    title: str = ""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """The outcome of parsing one feed document."""

    kind: FeedKind
    title: str
    summaries: tuple[IncomingSummary, ...] = ()
    # Papers announced by an arXiv listing or returned by the arXiv API.
    papers: tuple[IncomingPaper, ...] = ()
    skipped: int = 0
    warnings: tuple[str, ...] = ()
    # ``skipped`` per reason (the counts add up to it).
    skip_reasons: Mapping[SkipReason, int] = field(default_factory=dict, hash=False)
    # True when the kind was pinned by the feed's settings rather than recognised.
    kind_pinned: bool = False


class UpsertResult(enum.StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(slots=True)
class IngestReport:
    """Counts of what one ingest of one source did."""

    source: str
    kind: FeedKind = FeedKind.UNKNOWN
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)
    # ``skipped`` per reason; :meth:`skip` keeps both in step.
    skip_reasons: dict[SkipReason, int] = field(default_factory=dict)

    def skip(self, reason: SkipReason, count: int = 1) -> None:
        self.skipped += count
        self.skip_reasons[reason] = self.skip_reasons.get(reason, 0) + count

    def count(self, result: UpsertResult) -> None:
        if result is UpsertResult.NEW:
            self.new += 1
        elif result is UpsertResult.UPDATED:
            self.updated += 1
        else:
            self.unchanged += 1


@dataclass(frozen=True, slots=True)
class Feed:
    """A watched feed."""

    id: int
    url: str
    name: str | None
    kind: FeedKind
    interval_seconds: int
    announce_existing: bool
    seeded: bool
    paused: bool
    etag: str | None
    last_modified: str | None
    last_poll: datetime | None
    last_result: str | None
    failures: int
    disabled_reason: str | None
    content_hash: str | None = None
    next_poll: datetime | None = None
    guild_id: int | None = None
    # The kind set with ``feeds add --kind``: every poll reads the feed as this kind.
    pinned_kind: FeedKind | None = None
    # Entries the last poll skipped, per reason (SkipReason values).
    last_skipped: Mapping[str, int] = field(default_factory=dict, hash=False)

    @property
    def label(self) -> str:
        return self.name or self.url

    @property
    def state(self) -> str:
        """``active``, ``paused`` or ``disabled``."""
        return "disabled" if self.disabled_reason else "paused" if self.paused else "active"

    @property
    def status(self) -> str:
        """The state as people read it: ``disabled: <reason>`` when disabled."""
        return f"disabled: {self.disabled_reason}" if self.disabled_reason else self.state


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One summary in a digest, with the papers it is about (most summaries have one)."""

    summary: Summary
    papers: tuple[Paper, ...]


# What an arXiv listing can announce; replacements go out only to destinations that ask.
NEW_ANNOUNCEMENTS = frozenset({"new", "cross"})
REPLACEMENTS = frozenset({"replace", "replace-cross"})


@dataclass(frozen=True, slots=True)
class PaperItem:
    """A paper an arXiv listing announced, as a digest carries it (once per version)."""

    paper: Paper
    announce_type: str  # new, cross, replace or replace-cross
    version: int  # 0 when the listing gave none
    paper_id: int  # the paper's row: with the version, the ledger key
    first_seen: datetime  # when shortbot first saw the announcement
    announced: datetime | None = None

    @property
    def key(self) -> str:
        return paper_key(self.paper_id, self.version)

    @property
    def replacement(self) -> bool:
        return self.announce_type in REPLACEMENTS


@dataclass(frozen=True, slots=True)
class Digest:
    """What one destination gets next: summaries, then newly announced papers, in order, plus
    how many matching ones the cap left out (``more``, of both kinds; ``more_papers`` of them
    papers). ``title``: the heading a top digest carries on every platform ("The week's best
    summaries", :mod:`papers.top`); None: each platform's own "N new summaries"."""

    destination: str
    items: tuple[DigestItem, ...]
    more: int = 0
    papers: tuple[PaperItem, ...] = ()
    more_papers: int = 0
    title: str | None = None

    @property
    def summary_count(self) -> int:
        """New summaries, shown or left out."""
        return len(self.items) + self.more - self.more_papers

    @property
    def paper_count(self) -> int:
        """New papers, shown or left out."""
        return len(self.papers) + self.more_papers

    @property
    def empty(self) -> bool:
        return not self.items and not self.papers

    @property
    def keys(self) -> tuple[str, ...]:
        """The ledger keys of everything the digest carries, in order."""
        return (*(item_key(i.summary) for i in self.items), *(p.key for p in self.papers))


class SubscriptionKind(enum.StrEnum):
    """What one rule of a digest is; stored as its value (at most 16 characters)."""

    CATEGORY = "category"
    KEYWORD = "keyword"
    AUTHOR = "author"  # a surname or a full name, as typed
    EXCLUDE_KEYWORD = "exclude-keyword"
    EXCLUDE_CATEGORY = "exclude-category"
    MIN_VOTES = "min-votes"
    REPLACEMENTS = "replacements"  # also announce papers arXiv lists as replaced
    PING_ROLE = "ping-role"  # a setting, not a filter: the role the digest mentions (its id)
    TOP = "top"  # not a filter: the digest is the best of a window (the value: "7d"; papers.top)
    THREAD = "thread"  # a setting: "per-digest 1d" (papers.discord_threads)
    FORUM = "forum"  # a setting: the channel is a forum, a post per paper (papers.discord_forum)


@dataclass(frozen=True, slots=True)
class Subscription:
    """One thing a channel's digest carries."""

    id: int
    guild_id: int
    channel_id: int
    kind: SubscriptionKind
    value: str

    def describe(self) -> str:
        if self.kind is SubscriptionKind.MIN_VOTES:
            return f"summaries with at least {self.value} votes"
        if self.kind is SubscriptionKind.CATEGORY:
            return f"arXiv category {self.value}"
        if self.kind is SubscriptionKind.REPLACEMENTS:
            return "replaced versions of papers too"
        if self.kind is SubscriptionKind.TOP:
            return f"a top digest: the best-voted summaries first seen in the last {self.value}"
        if self.kind is SubscriptionKind.AUTHOR:
            return f"author {self.value}"
        if self.kind is SubscriptionKind.PING_ROLE:
            return f"mentions role {self.value}, with a Notify me button"
        if self.kind is SubscriptionKind.FORUM:
            return "a forum: a post per paper, later summaries as replies in it"
        if self.kind is SubscriptionKind.THREAD:
            mode, _, archive = self.value.partition(" ")
            return f"thread: {mode}, archived after {archive or '1d'}"
        if self.kind is SubscriptionKind.EXCLUDE_CATEGORY:
            return f"not arXiv category {self.value}"
        if self.kind is SubscriptionKind.EXCLUDE_KEYWORD:
            return f"not keyword “{self.value}”"
        return f"keyword “{self.value}”"
