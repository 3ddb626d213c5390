"""Facebook Page posts as plain dicts (the Graph API's own form fields): pure, within the limit.

A digest becomes ONE Page post: ``{"message": …, "link": …}``. Facebook renders no markdown, so
the message is plain text: control and format characters are stripped and each field is kept
on one line. Items that do not fit the Graph API's 63,206-character limit are left out whole
(never cut mid-way) and are not in ``Post.items``, so the ledger offers them next time.
"""

from __future__ import annotations

from papers.keys import item_key, json_post_key
from papers.markup import parse
from papers.markup_render import plain
from papers.model import Digest, DigestItem, PaperItem
from papers.publishing import Post
from papers.render import (
    announcement_tags,
    group_items_by_paper,
    paper_authors,
    papers_heading,
    plural,
)
from papers.text import collapse, excerpt, strip_controls

MESSAGE_LIMIT = 63_206
HEADING = "New summaries on ShortScience:"
EXCERPT = 200
TITLE_CHARS = 300
AUTHOR_CHARS = 120
URL_CHARS = 2_000  # a longer link is left out rather than cut (a cut link is a broken link)
BULLET = "• "
INDENT = "  "
GROUP_OVERHEAD = 24  # " (99 summaries)", "— " and two more indents, at most, per summary


def length(text: str) -> int:
    """Characters as Facebook may count them: UTF-16 code units (an emoji counts as two).

    Never less than ``len(text)``, so a message within this measure is within the limit
    however the platform counts.
    """
    return len(text.encode("utf-16-le")) // 2


def _line(text: str, limit: int) -> str:
    """One line of plain text: no control characters, single spaces, at most ``limit`` chars."""
    return excerpt(strip_controls(text), limit)


def safe_url(url: str | None) -> str | None:
    """``url`` if it is a plain http(s) link of reasonable length, else None."""
    if not url:
        return None
    url = url.strip()
    if not url.lower().startswith(("https://", "http://")) or len(url) > URL_CHARS:
        return None
    if url != collapse(strip_controls(url)) or " " in url:
        return None
    return url


def item_title(item: DigestItem) -> str:
    paper = item.papers[0] if item.papers else None
    title = (paper.title or paper.key) if paper else item.summary.title
    return _line(title, TITLE_CHARS) or "(untitled)"


def _byline(item: DigestItem) -> str:
    summary = item.summary
    author = _line(summary.author, AUTHOR_CHARS)
    if summary.votes is not None:
        author += f" ({plural(summary.votes, 'vote', 'votes')})"
    return author.strip()


def _excerpt(item: DigestItem, limit: int) -> str:
    """The summary's Markdown + TeX as one line of plain text (no syntax, math as Unicode)."""
    return plain(parse(strip_controls(item.summary.text)), limit)


def render_item(item: DigestItem, *, excerpt_chars: int = EXCERPT) -> str:
    """One summary as a block of lines: title — author (votes), excerpt, link."""
    byline = _byline(item)
    heading = BULLET + item_title(item) + (f" — {byline}" if byline else "")
    return _block(heading, _excerpt(item, excerpt_chars), safe_url(item.summary.url))


def render_group(items: list[DigestItem], *, excerpt_chars: int = EXCERPT) -> str:
    """Several new summaries of one paper: the paper named once, each summary under it."""
    if len(items) == 1:
        return render_item(items[0], excerpt_chars=excerpt_chars)
    lines = [BULLET + item_title(items[0]) + f" ({plural(len(items), 'summary', 'summaries')})"]
    for item in items:
        lines.append(INDENT + "— " + (_byline(item) or "anonymous"))
        excerpt_text = _excerpt(item, excerpt_chars)
        url = safe_url(item.summary.url)
        lines.extend(INDENT * 2 + line for line in (excerpt_text, url) if line)
    return "\n".join(lines)


def _block(heading: str, *indented: str | None) -> str:
    """``heading``, then each non-empty line indented."""
    return "\n".join([heading, *(INDENT + line for line in indented if line)])


def render_paper(item: PaperItem) -> str:
    """One announced paper as a block of lines: title, tags, authors, link."""
    paper = item.paper
    return _block(
        BULLET + (_line(paper.title or paper.key, TITLE_CHARS) or "(untitled)"),
        _line(announcement_tags(item), TITLE_CHARS),
        _line(paper_authors(paper), AUTHOR_CHARS),
        safe_url(paper.url),
    )


def more_line(count: int, digest_url: str) -> str:
    return f"…and {count} more at {digest_url}" if digest_url else f"…and {count} more"


def render_digest(digest: Digest, *, destination: str, digest_url: str) -> list[Post]:
    """The digest as one Page post (summaries, then new papers under their own heading); no
    post for an empty digest."""
    if digest.empty:
        return []
    digest_url = safe_url(digest_url) or ""
    heading = f"{digest.title} on ShortScience:" if digest.title else HEADING  # a top digest
    total = len(digest.keys) + digest.more
    papers_title = papers_heading(digest.paper_count) + ":"
    # Room for the headings and the largest "…and N more" line the digest could need.
    budget = MESSAGE_LIMIT - length("\n\n" + more_line(total, digest_url))
    budget -= length(heading) + length("\n\n" + papers_title)
    blocks: list[str] = []
    keys: list[str] = []
    links: list[str | None] = []
    # each summary's cost is counted with its paper's title and what grouping may add (a
    # count, an indent), so the grouped message is never longer than what was counted
    entries: list[tuple[str, str, str | None, DigestItem | PaperItem]] = [
        (item_key(i.summary), render_item(i), safe_url(i.summary.url), i) for i in digest.items
    ]
    entries += [(p.key, render_paper(p), safe_url(p.paper.url), p) for p in digest.papers]
    taken: list[DigestItem | PaperItem] = []
    for key, block, url, item in entries:
        cost = length("\n\n" + block) + (GROUP_OVERHEAD if isinstance(item, DigestItem) else 0)
        if cost > budget:
            break  # keep the digest's order: the rest goes out next time
        budget -= cost
        taken.append(item)
        keys.append(key)
        links.append(url)
    summaries = [item for item in taken if isinstance(item, DigestItem)]
    for group in group_items_by_paper(summaries):
        blocks.append(render_group(group))
    papers = [item for item in taken if isinstance(item, PaperItem)]
    if papers:
        blocks.append(papers_title)
        blocks.extend(render_paper(item) for item in papers)
    if not keys:  # cannot happen with the field caps above; never post an empty list
        return []
    parts = [heading, *blocks] if digest.items else blocks
    left_out = total - len(keys)
    if left_out:
        parts.append(more_line(left_out, digest_url))
    message = "\n\n".join(parts)
    link = next((u for u in links if u), None)
    items = tuple(keys)
    payload = {"message": message, "link": link or digest_url}
    if not payload["link"]:
        del payload["link"]
    return [Post(key=json_post_key(destination, items), items=items, payload=payload)]
