"""Posts for X: digests as posts or threads, each text composed to fit X's 280.

Weighted length, URLs and cutting to fit are X's own rules, in :mod:`papers.x_text`.

Post payloads are X's ``POST /2/tweets`` body except for replies: the id of the post answered
is unknown until it is sent, so a reply carries ``{"reply": {"in_reply_to_post_index": i}}``
(``i`` = ``Post.reply_to``, the index of the previous post of the same digest) and the
publisher sends ``{"reply": {"in_reply_to_tweet_id": <id of post i>}}`` in its place.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import partial
from typing import Literal

from papers.keys import item_key, x_post_key
from papers.model import Digest, DigestItem, PaperItem
from papers.publishing import Post
from papers.render import (
    announcement_tags,
    head_titles,
    paper_authors,
    papers_heading,
    plural,
    summary_excerpt,
    text_excerpt,
)
from papers.text import collapse
from papers.x_text import MAX_WEIGHTED, fit, weighted_length

SHORTSCIENCE = "https://www.shortscience.org"

Mode = Literal["per-item", "thread"]
LinkMode = Literal["links", "one-link"]

TITLE_BUDGET = 110
AUTHOR_BUDGET = 40
EXCERPT_CHARS = 600
MIN_BODY = 12

_MENTION = re.compile(r"(?<![A-Za-z0-9_!#$%&*@＠])([@＠])(?=[A-Za-z0-9_])")
# A dot with a letter after it: the only way a domain (hence a URL) can appear in text.
_DOMAIN_DOT = re.compile(r"(?<=\S)\.(?=[^\W\d_])")
_ONE_DOT_LEADER = "\u2024"
_KEPT_FORMAT = frozenset("\u200c\u200d")


def _keep(char: str) -> bool:
    category = unicodedata.category(char)
    if category in ("Cc", "Cs"):
        return False
    if category == "Cf":
        return char in _KEPT_FORMAT or 0xE0020 <= ord(char) <= 0xE007F
    point = ord(char)
    return not (0xFDD0 <= point <= 0xFDEF or (point & 0xFFFE) == 0xFFFE)


def clean(text: str, *, one_link: bool = False) -> str:
    """Feed text made safe for a post: one line, no control or invisible format characters,
    no mentions (``@name`` gets a zero-width space after the ``@``) and, with ``one_link``,
    nothing X would turn into a link (the dot before a domain's last label becomes U+2024)."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(
        " " if char.isspace() else char for char in text if char.isspace() or _keep(char)
    )
    text = _MENTION.sub("\\1\u200b", unicodedata.normalize("NFC", collapse(text)))
    if one_link:
        text = _DOMAIN_DOT.sub(_ONE_DOT_LEADER, text)
    return text


def _compose(head: str, body: str, tail: str, limit: int = MAX_WEIGHTED) -> str:
    """``head body tail`` within ``limit``, cutting ``body`` (dropped if little would be left)
    and, if even that is not enough, ``head``. ``tail`` is kept whole."""
    fixed = weighted_length(head) + weighted_length(tail)
    budget = limit - fixed - 1
    while body and budget >= MIN_BODY:
        text = f"{head} {fit(body, budget)}{tail}"
        over = weighted_length(text) - limit
        if over <= 0:
            return text
        budget -= over
    head = head.rstrip(":")
    text = head + tail
    if weighted_length(text) <= limit:
        return text
    room = limit - weighted_length(tail)
    while room > 0:
        text = fit(head, room) + tail
        over = weighted_length(text) - limit
        if over <= 0:
            return text
        room -= over
    return fit(tail.strip(), limit)


def _title(item: DigestItem) -> str:
    paper = item.papers[0] if item.papers else None
    if paper is not None:
        return paper.title or paper.key
    return item.summary.title or "(untitled)"


def _item_text(
    item: DigestItem, *, one_link: bool, link: str | None, more: int, generic_more: bool = False
) -> str:
    summary = item.summary
    paper = item.papers[0] if item.papers else None
    title = fit(clean(_title(item), one_link=one_link), TITLE_BUDGET) or "(untitled)"
    if one_link and paper is not None and paper.arxiv_id:
        title += f" (arXiv {clean(paper.arxiv_id, one_link=True)})"
    author = fit(clean(summary.author, one_link=one_link), AUTHOR_BUDGET) or "anonymous"
    votes = f" ({plural(summary.votes, 'vote', 'votes')})" if summary.votes is not None else ""
    head = f"{title} — summary by {author}{votes}:"
    body = clean(summary_excerpt(summary, EXCERPT_CHARS), one_link=one_link)
    tail = f" — and {plural(more, 'more summary', 'more summaries')}" if more else ""
    if more and generic_more:
        tail = f" — and {more} more"
    if link:
        tail += f" {link}"
    return _compose(head, body, tail)


def _paper_text(item: PaperItem, *, one_link: bool, link: str | None, more: int) -> str:
    paper = item.paper
    title = fit(clean(paper.title or paper.key, one_link=one_link), TITLE_BUDGET) or "(untitled)"
    tags = clean(announcement_tags(item).replace("arXiv:", "arXiv "), one_link=one_link)
    authors = fit(clean(paper_authors(paper), one_link=one_link), AUTHOR_BUDGET)
    head = f"New on arXiv: {title} ({tags})" + (f" by {authors}" if authors else "") + ":"
    body = clean(text_excerpt(paper.abstract or "", EXCERPT_CHARS), one_link=one_link)
    tail = f" — and {more} more" if more else ""
    if link:
        tail += f" {link}"
    return _compose(head, body, tail)


def _head_text(digest: Digest, *, one_link: bool, digest_url: str) -> str:
    parts = []
    if digest.title:  # a top digest: "The week's best summaries on ShortScience"
        parts.append(f"{digest.title} on ShortScience")
    elif digest.items:
        parts.append(plural(len(digest.items), "new summary", "new summaries") + " on ShortScience")
    if digest.papers:
        parts.append(papers_heading(len(digest.papers)))
    head = " and ".join(parts) + ":"
    titles = "; ".join(clean(title, one_link=one_link) for title in head_titles(digest))
    tail = f" — and {digest.more} more" if digest.more else ""
    if digest_url:
        tail += f" {digest_url}"
    return _compose(head, titles, tail)


def _summary_link(item: DigestItem) -> str | None:
    if item.summary.url:
        return item.summary.url
    paper = item.papers[0] if item.papers else None
    return paper.url if paper is not None else None


def _payload(text: str, reply_to: int | None) -> dict[str, object]:
    if reply_to is None:
        return {"text": text}
    return {"text": text, "reply": {"in_reply_to_post_index": reply_to}}


def render_digest(
    digest: Digest,
    *,
    destination: str,
    mode: Mode,
    link_mode: LinkMode,
    digest_url: str,
) -> list[Post]:
    """A digest as X posts, in the order they must be sent.

    ``per-item``: one post per summary, "{title} — summary by {author} ({votes} votes):
    {excerpt} {summary url}", then one per new paper, "New on arXiv: {title} ({arXiv id,
    categories}) by {authors}: {abstract} {arXiv url}". ``thread``: a head post, "{N} new
    summaries on ShortScience and {M} new papers on arXiv: {titles} {digest url}", carrying no
    item, then one reply per summary and per paper, each answering the post before it. With
    ``one-link`` the head (or the first post) carries ``digest_url`` and no other post carries
    any URL (arXiv ids become plain text, "arXiv 1312.6199"). Leftover items (``digest.more``)
    are mentioned in the head or in the last post. Every text is at most 280 as X counts it.
    """
    if digest.empty:
        return []
    one_link = link_mode == "one-link"
    entries: list[tuple[str, Callable[[str | None, int], str], str | None]] = []
    for item in digest.items:
        entries.append(
            (
                item_key(item.summary),
                partial(_item_or_more, item, one_link=one_link, papers=bool(digest.papers)),
                _summary_link(item),
            )
        )
    for paper in digest.papers:
        entries.append(
            (paper.key, partial(_paper_or_more, paper, one_link=one_link), paper.paper.url)
        )
    posts: list[Post] = []
    if mode == "thread":
        keys = tuple(key for key, _, _ in entries)
        head = _head_text(digest, one_link=one_link, digest_url=digest_url)
        posts.append(Post(x_post_key(destination, "thread", keys), (), _payload(head, None)))
        for key, text_of, own_link in entries:
            text = text_of(None if one_link else own_link, 0)
            previous = len(posts) - 1
            item_post = x_post_key(destination, "item", (key,))
            posts.append(Post(item_post, (key,), _payload(text, previous), previous))
        return posts
    for index, (key, text_of, own_link) in enumerate(entries):
        first_link = digest_url if index == 0 else None
        link = first_link if one_link else own_link
        more = digest.more if index == len(entries) - 1 else 0
        text = text_of(link, more)
        posts.append(Post(x_post_key(destination, "item", (key,)), (key,), _payload(text, None)))
    return posts


def _item_or_more(
    item: DigestItem, link: str | None, more: int, *, one_link: bool, papers: bool
) -> str:
    return _item_text(item, one_link=one_link, link=link, more=more, generic_more=papers)


def _paper_or_more(item: PaperItem, link: str | None, more: int, *, one_link: bool) -> str:
    return _paper_text(item, one_link=one_link, link=link, more=more)
