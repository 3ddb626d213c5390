"""Atom feed entries as plain dicts: pure and deterministic, one entry per digest.

The payload is everything the Atom publisher writes for the entry::

    {"id": "tag:shortbot,2026:digest/<key>", "title": "3 new summaries",
     "updated": "2026-11-23T08:00:00+00:00", "content_html": "<ul>…</ul>",
     "links": [{"href": …, "rel": "alternate", "type": "text/html"}],
     "items": [{"key": "summary:12", "title": …, "author": …, "votes": 4,
                "excerpt": …, "url": …}, …]}

``content_html`` is HTML in which every piece of feed text is escaped (``html.escape``), so a
summary containing ``<script>`` or ``&`` stays text. All text is also made XML-safe (no control
characters, no U+FFFE/U+FFFF), which lxml, and so feedgen, would otherwise refuse. ``updated``
is the newest item's ``first_seen``: rendering needs no clock.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

from papers.facebook_render import safe_url
from papers.keys import item_key, json_post_key
from papers.markup import parse
from papers.markup_render import html as markup_html
from papers.markup_render import plain
from papers.model import Digest, DigestItem, PaperItem
from papers.publishing import Post
from papers.render import (
    SHORTSCIENCE_URL,
    announcement_tags,
    group_items_by_paper,
    paper_authors,
    papers_heading,
    plural,
)
from papers.text import excerpt, strip_controls

EXCERPT = 600
TITLE_CHARS = 300
AUTHOR_CHARS = 120
TAG_PREFIX = "tag:shortbot,2026:digest/"


def xml_safe(text: str) -> str:
    """``text`` without what XML 1.0 cannot carry (controls, surrogates, U+FFFE and U+FFFF)."""
    return "".join(ch for ch in strip_controls(text) if ch not in "\ufffe\uffff")


def _line(text: str, limit: int) -> str:
    return excerpt(xml_safe(text), limit)


def entry_id(key: str) -> str:
    return TAG_PREFIX + key


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def item_fields(item: DigestItem) -> dict[str, Any]:
    """One summary as plain values (all one-line text, XML-safe, unescaped)."""
    summary = item.summary
    paper = item.papers[0] if item.papers else None
    title = (paper.title or paper.key) if paper else summary.title
    return {
        "key": item_key(summary),
        "title": _line(title, TITLE_CHARS) or "(untitled)",
        "author": _line(summary.author, AUTHOR_CHARS),
        "votes": summary.votes,
        "excerpt": plain(parse(xml_safe(summary.text)), EXCERPT),
        # the summary's Markdown as HTML, math as \( \) TeX for MathJax; every text escaped
        "excerpt_html": markup_html(parse(xml_safe(summary.text)), EXCERPT),
        "url": safe_url(summary.url),
        "paper": paper.key if paper else None,
    }


def paper_fields(item: PaperItem) -> dict[str, Any]:
    """One announced paper as plain values (all one-line text, XML-safe, unescaped)."""
    paper = item.paper
    return {
        "key": item.key,
        "title": _line(paper.title or paper.key, TITLE_CHARS) or "(untitled)",
        "arxiv_id": paper.arxiv_id,
        "announce_type": item.announce_type,
        "tags": _line(announcement_tags(item), TITLE_CHARS),
        "authors": _line(paper_authors(paper), AUTHOR_CHARS),
        "excerpt": plain(parse(xml_safe(paper.abstract or "")), EXCERPT),
        "url": safe_url(paper.url),
    }


def paper_html(fields: dict[str, Any]) -> str:
    """One announced paper as an HTML list item; every value escaped."""
    title = html.escape(fields["title"])
    if fields["url"]:
        title = f'<a href="{html.escape(fields["url"])}">{title}</a>'
    parts = [f"<strong>{title}</strong> — {html.escape(fields['tags'])}"]
    if fields["authors"]:
        parts.append(f"<br/>{html.escape(fields['authors'])}")
    if fields["excerpt"]:
        parts.append(f"<br/>{html.escape(fields['excerpt'])}")
    return f"<li>{''.join(parts)}</li>"


def _byline(fields: dict[str, Any]) -> str:
    byline = []
    if fields["author"]:
        byline.append(f"by {html.escape(fields['author'])}")
    votes = fields["votes"]
    if votes is not None:
        byline.append(f"{votes} vote{'' if votes == 1 else 's'}")
    return " · ".join(byline)


def _linked_title(fields: dict[str, Any]) -> str:
    title = html.escape(fields["title"])
    if fields["url"]:
        title = f'<a href="{html.escape(fields["url"])}">{title}</a>'
    return f"<strong>{title}</strong>"


def item_html(fields: dict[str, Any]) -> str:
    """One summary as an HTML list item; every value escaped, the excerpt rendered from its
    Markdown."""
    parts = [_linked_title(fields)]
    if byline := _byline(fields):
        parts.append(f" — {byline}")
    if fields["excerpt_html"]:
        parts.append(f"<div>{fields['excerpt_html']}</div>")
    return f"<li>{''.join(parts)}</li>"


def group_html(group: list[dict[str, Any]]) -> str:
    """Several summaries of one paper: the paper named once, each summary under it."""
    if len(group) == 1:
        return item_html(group[0])
    inner = []
    for fields in group:
        link = html.escape(fields["url"]) if fields["url"] else None
        byline = _byline(fields) or "a summary"
        head = f'<a href="{link}">{byline}</a>' if link else byline
        body = f"<div>{fields['excerpt_html']}</div>" if fields["excerpt_html"] else ""
        inner.append(f"<li>{head}{body}</li>")
    title = f"<strong>{html.escape(group[0]['title'])}</strong>"
    count = plural(len(group), "summary", "summaries")
    return f"<li>{title} ({count})<ul>{''.join(inner)}</ul></li>"


def render_digest(digest: Digest, *, destination: str, feed_url: str) -> list[Post]:
    """The digest as one Atom entry; no entry for an empty digest."""
    if digest.empty:
        return []
    items = [item_fields(item) for item in digest.items]
    papers = [paper_fields(item) for item in digest.papers]
    keys = tuple(fields["key"] for fields in [*items, *papers])
    key = json_post_key(destination, keys)
    content = ""
    if items:
        by_key = {fields["key"]: fields for fields in items}
        groups = [
            [by_key[item_key(item.summary)] for item in group]
            for group in group_items_by_paper(digest.items)
        ]
        content += "<ul>" + "".join(group_html(group) for group in groups) + "</ul>"
    if papers:
        content += f"<h3>{html.escape(papers_heading(len(papers)))}</h3>"
        content += "<ul>" + "".join(paper_html(fields) for fields in papers) + "</ul>"
    if digest.more:
        content += (
            f'<p>…and {digest.more} more at <a href="{html.escape(SHORTSCIENCE_URL)}">'
            "ShortScience</a></p>"
        )
    seen = [item.summary.first_seen for item in digest.items]
    seen += [item.first_seen for item in digest.papers]
    newest = max(_utc(when) for when in seen)
    alternate = next((f["url"] for f in [*items, *papers] if f["url"]), None)
    title = [plural(len(items), "new summary", "new summaries")] if items else []
    if papers:
        title.append(papers_heading(len(papers)))
    if digest.title:  # a top digest: "The week's best summaries"
        title = [digest.title]
    payload: dict[str, Any] = {
        "id": entry_id(key),
        "title": ", ".join(title),
        "updated": newest.isoformat(),
        "content_html": content,
        "links": [
            {"href": alternate or safe_url(feed_url) or SHORTSCIENCE_URL, "rel": "alternate"}
        ],
        "items": items + papers,
    }
    return [Post(key=key, items=keys, payload=payload)]
