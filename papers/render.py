"""Per-platform text rules for digests and lookups. Pure functions: values in, text out."""

from __future__ import annotations

from collections.abc import Iterable

from papers.keys import item_key
from papers.markup import parse
from papers.markup_render import plain
from papers.model import Digest, DigestItem, Paper, PaperItem, PaperWithSummaries, Summary
from papers.text import shorten_list

CONSOLE_EXCERPT = 240
SHORTSCIENCE_URL = "https://www.shortscience.org"


def paper_line(paper: Paper) -> str:
    """``arXiv:1312.6199 · https://arxiv.org/abs/1312.6199`` or the key and link."""
    ident = f"arXiv:{paper.arxiv_id}" if paper.arxiv_id else paper.key
    return f"{ident} · {paper.url}" if paper.url else ident


def summary_heading(summary: Summary) -> str:
    when = summary.edited or summary.published
    parts = [summary.author]
    if summary.votes is not None:
        parts.insert(0, f"{summary.votes} vote{'' if summary.votes == 1 else 's'}")
    if when:
        parts.append(when.strftime("%Y-%m-%d"))
    return " · ".join(parts)


def group_items_by_paper(items: Iterable[DigestItem]) -> list[list[DigestItem]]:
    """Digest items grouped under their first paper (a summary of no paper on its own), in
    the digest's order."""
    groups: dict[str, list[DigestItem]] = {}
    for item in items:
        key = item.papers[0].key if item.papers else item_key(item.summary)
        groups.setdefault(key, []).append(item)
    return list(groups.values())


def group_by_paper(items: tuple[DigestItem, ...]) -> list[tuple[Paper | None, list[Summary]]]:
    """Each paper of the digest's summaries (None: a summary of no paper) with its summaries."""
    return [
        (group[0].papers[0] if group[0].papers else None, [item.summary for item in group])
        for group in group_items_by_paper(items)
    ]


def text_excerpt(text: str, limit: int) -> str:
    """Markdown + TeX (a summary, an arXiv abstract) as one line of plain text: no syntax,
    math as Unicode, cut after rendering."""
    return plain(parse(text), limit)


def summary_excerpt(summary: Summary, limit: int) -> str:
    return text_excerpt(summary.text, limit)


def head_titles(digest: Digest) -> list[str]:
    """Each paper of the digest's summaries once, in the digest's order, with how many of its
    summaries are new when more than one: "Densely Connected Convolutional Networks (2
    summaries)"; then each new arXiv paper."""
    titles = []
    for paper, summaries in group_by_paper(digest.items):
        title = (paper.title or paper.key) if paper else summaries[0].title or "(untitled)"
        if len(summaries) > 1:
            title += f" ({plural(len(summaries), 'summary', 'summaries')})"
        titles.append(title)
    return titles + [item.paper.title or item.paper.key for item in digest.papers]


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def papers_heading(count: int) -> str:
    """``3 new papers on arXiv``."""
    return plural(count, "new paper", "new papers") + " on arXiv"


_ANNOUNCED_AS = {"cross": "cross-listed", "replace": "replaced", "replace-cross": "replaced"}


def announcement_tags(item: PaperItem) -> str:
    """``arXiv:2401.00001 · cs.LG, stat.ML · replaced (v2)``: id, categories (primary first),
    and how the listing announced it when that is not "new"."""
    paper = item.paper
    parts = [f"arXiv:{paper.arxiv_id}" if paper.arxiv_id else paper.key]
    categories = list(paper.categories)
    if paper.primary_category and paper.primary_category in categories:
        categories.remove(paper.primary_category)
        categories.insert(0, paper.primary_category)
    if categories:
        parts.append(", ".join(categories[:4]) + ("…" if len(categories) > 4 else ""))
    label = _ANNOUNCED_AS.get(item.announce_type)
    if label:
        parts.append(
            f"{label} (v{item.version})" if label == "replaced" and item.version else label
        )
    return " · ".join(parts)


def paper_authors(paper: Paper, limit: int = 3) -> str:
    return shorten_list(paper.authors, limit) if paper.authors else ""


def console_digest(digest: Digest) -> str:
    """The digest as plain text for a terminal or a log."""
    groups = group_by_paper(digest.items)
    n, p = len(digest.items), len(groups)
    lines = []
    if digest.title:  # a top digest
        lines.append(
            f"== {digest.title}: {plural(n, 'summary', 'summaries')} "
            f"of {plural(p, 'paper', 'papers')} =="
        )
    elif digest.items or not digest.papers:
        lines.append(
            f"== shortbot digest: {n} new summar{'y' if n == 1 else 'ies'} "
            f"of {p} paper{'' if p == 1 else 's'} =="
        )
    for paper, summaries in groups:
        lines.append("")
        if paper is not None:
            lines.append(paper.title or paper.key)
            lines.append(f"  {paper_line(paper)}")
        else:
            lines.append(summaries[0].title or "(untitled)")
        for summary in summaries:
            lines.append(f"  - {summary_heading(summary)}")
            if summary.text:
                lines.append(f"    {summary_excerpt(summary, CONSOLE_EXCERPT)}")
            if summary.url:
                lines.append(f"    {summary.url}")
    if digest.papers:
        if lines:
            lines.append("")
        lines.append(f"== {papers_heading(len(digest.papers))} ==")
        for item in digest.papers:
            lines.append("")
            lines.append(item.paper.title or item.paper.key)
            lines.append(f"  {announcement_tags(item)}")
            authors = paper_authors(item.paper)
            if authors:
                lines.append(f"  {authors}")
            if item.paper.url:
                lines.append(f"  {item.paper.url}")
    if digest.more:
        lines.append("")
        lines.append(f"... and {digest.more} more at {SHORTSCIENCE_URL}")
    return "\n".join(lines) + "\n"


def console_paper(found: PaperWithSummaries, *, excerpt_chars: int = 400) -> str:
    """A paper and its summaries (best-voted first) for ``shortbot lookup``."""
    paper = found.paper
    lines = [paper.title or paper.key, f"  {paper_line(paper)}"]
    if paper.authors:
        lines.append(f"  Authors: {shorten_list(paper.authors, 6)}")
    if paper.categories:
        lines.append(f"  Categories: {', '.join(paper.categories)}")
    lines.append("")
    if not found.summaries:
        lines.append("No summaries yet.")
        if paper.abstract:
            lines.append(f"  Abstract: {text_excerpt(paper.abstract, excerpt_chars)}")
    else:
        count = len(found.summaries)
        lines.append(f"{count} summar{'y' if count == 1 else 'ies'}:")
        for summary in found.summaries:
            lines.append(f"  - {summary_heading(summary)}")
            if summary.text:
                lines.append(f"    {summary_excerpt(summary, excerpt_chars)}")
            if summary.url:
                lines.append(f"    {summary.url}")
    return "\n".join(lines) + "\n"
