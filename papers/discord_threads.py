"""Discord threads for digests (pure): a destination's ``thread`` and ``thread_archive``
settings, and a digest as a thread on its heading (``thread = "per-digest"``).

With ``per-digest`` the channel keeps one message per digest, its heading and count (the
*head*, which carries no item); the bot opens a thread on it and the digest's messages go in
that thread, each answering the head as an X thread's replies do (``Post.reply_to``). The head
carries ``start_thread`` (the thread's name and archive duration); the messages carry
``in_thread``. A forum channel (recognised by its type) gets a post per paper instead
(:mod:`papers.discord_forum`).

Keys: the messages keep the keys of a digest without a thread
(:func:`papers.keys.discord_post_key` of their items); the head's is that scheme's item-less
form with a fallback naming every item of the digest, so two digests' heads never share one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from papers.discord_limits import CONTENT_LIMIT, clip
from papers.discord_render import digest_posts
from papers.errors import UserError
from papers.keys import discord_post_key
from papers.markup import parse
from papers.markup_render import defuse_mentions, plain
from papers.model import Digest, Subscription, SubscriptionKind
from papers.publishing import Post

NONE = "none"
PER_DIGEST = "per-digest"
MODES = (NONE, PER_DIGEST)
# how long a thread stays open without a message: Discord's four choices, in minutes
ARCHIVE = {"1h": 60, "1d": 1440, "3d": 4320, "1w": 10080}
DEFAULT_ARCHIVE = "1d"
NAME_LIMIT = 100  # a thread's name, in characters
START_THREAD = "start_thread"
IN_THREAD = "in_thread"


class BadThread(UserError):
    """Not a thread setting; says which values are."""


@dataclass(frozen=True, slots=True)
class ThreadStyle:
    """How a Discord destination's digests use threads."""

    mode: str = NONE
    archive: str = DEFAULT_ARCHIVE

    @property
    def archive_minutes(self) -> int:
        return ARCHIVE[self.archive]

    def describe(self) -> str:
        if self.mode == NONE:
            return "digests as messages in the channel (no thread)"
        return f"a thread on each digest, archived after {self.archive} without a message"


def parse_mode(text: str) -> str:
    mode = text.strip().lower()
    if mode not in MODES:
        raise BadThread(f"a thread is {' or '.join(MODES)}, not {text!r}")
    return mode


def parse_archive(text: str) -> str:
    archive = text.strip().lower()
    if archive not in ARCHIVE:
        raise BadThread(f"a thread's archive duration is {', '.join(ARCHIVE)}, not {text!r}")
    return archive


def rule_value(style: ThreadStyle) -> str:
    """A subscribed channel's ``thread`` rule: ``per-digest 1d``."""
    return f"{style.mode} {style.archive}"


def style_of(rules: Sequence[Subscription]) -> ThreadStyle:
    """A subscribed channel's thread style (its ``thread`` rule; none, or one that does not
    read as a style: no thread)."""
    for rule in rules:
        if rule.kind is SubscriptionKind.THREAD:
            mode, _, archive = rule.value.partition(" ")
            try:
                return ThreadStyle(parse_mode(mode), parse_archive(archive or DEFAULT_ARCHIVE))
            except BadThread:
                break
    return ThreadStyle()


def thread_name(text: str) -> str:
    """``text`` (Markdown) as a thread's name: plain, on one line, at most 100 characters."""
    name = " ".join(plain(parse(text)).split()) or "(untitled)"
    return name if len(name) <= NAME_LIMIT else name[: NAME_LIMIT - 1].rstrip() + "…"


def per_digest_posts(
    digest: Digest, *, destination: str, heading: str, archive_minutes: int
) -> list[Post]:
    """The head (``heading`` alone, with ``start_thread``), then the digest's messages, each
    answering the head (``in_thread``). An empty digest is no post at all."""
    inside = digest_posts(digest, destination=destination, heading="")
    if not inside:
        return []
    items = [key for post in inside for key in post.items] or [post.key for post in inside]
    head = Post(
        key=discord_post_key(destination, [], fallback="thread\x1f" + "\x1f".join(items)),
        items=(),
        payload={
            "content": clip(defuse_mentions(heading), CONTENT_LIMIT),
            START_THREAD: {"name": thread_name(heading), "auto_archive_duration": archive_minutes},
        },
    )
    return [head, *(replace(p, reply_to=0, payload={**p.payload, IN_THREAD: True}) for p in inside)]
