"""Discord payloads as plain dicts (Discord's own JSON): pure, and within every limit.

The bot turns them into ``discord.Embed.from_dict``; ``shortbot digest --dry-run`` prints them.
Feed and user text is escaped where markdown would break the layout, and anything that looks
like a mention is defused; the bot also sends every message with ``allowed_mentions`` none.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from papers.discord_limits import (
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    EMBEDS_PER_MESSAGE,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FIELDS_LIMIT,
    TITLE_LIMIT,
    Payload,
    clip,
    embed_size,
    shrink,
)
from papers.keys import discord_post_key, item_key
from papers.markup import parse
from papers.markup_render import defuse_mentions, discord, discord_escape, plain
from papers.model import Digest, Paper, PaperItem, PaperWithSummaries, Summary
from papers.publishing import Post
from papers.render import announcement_tags, group_by_paper, paper_authors, papers_heading
from papers.text import shorten_list

FOOTER_RESERVE = 100  # room for an "and N more" footer added after shrinking
SUMMARIES_PER_PAGE = 3
EXCERPT = 600
COLOR = 0x2B6CB0
SHORTSCIENCE = "https://www.shortscience.org"


escape = discord_escape  # feed text shown as text: Markdown escaped, mentions defused


def write_url(paper: Paper) -> str:
    """Where to write a summary of ``paper`` on ShortScience."""
    key = paper.bibtex_key or (f"journals/corr/{paper.arxiv_id}" if paper.arxiv_id else paper.key)
    return f"{SHORTSCIENCE}/paper?bibtexKey={key}"


def _paper_header(paper: Paper) -> list[str]:
    lines = []
    if paper.authors:
        lines.append(escape(shorten_list(list(paper.authors), 5)))
    ident = []
    if paper.arxiv_id:
        ident.append(f"arXiv:{paper.arxiv_id}")
    elif paper.key:
        ident.append(escape(paper.key))
    if paper.categories:
        ident.append(escape(", ".join(paper.categories[:6])))
    if ident:
        lines.append(" · ".join(ident))
    return lines


def summary_field(summary: Summary, *, excerpt_chars: int = EXCERPT) -> Payload:
    when = summary.edited or summary.published
    votes = f"{summary.votes} vote{'' if summary.votes == 1 else 's'}"
    name_parts = [votes] if summary.votes is not None else []
    name_parts.append(escape(summary.author))
    if when:
        name_parts.append(when.strftime("%Y-%m-%d"))
    link = f"\n[Read the summary]({summary.url})" if summary.url else ""
    budget = FIELD_VALUE_LIMIT - len(link)
    # the summary's Markdown and TeX as Discord Markdown, cut after rendering
    value = discord(parse(summary.text), min(excerpt_chars, budget)) + link
    return {"name": clip(" · ".join(name_parts), FIELD_NAME_LIMIT), "value": value or "…"}


def paper_page_count(found: PaperWithSummaries, per_page: int = SUMMARIES_PER_PAGE) -> int:
    return max(1, -(-len(found.summaries) // per_page))


def paper_embed(
    found: PaperWithSummaries, page: int = 0, *, per_page: int = SUMMARIES_PER_PAGE
) -> Payload:
    """A paper and one page of its summaries, best-voted first."""
    paper = found.paper
    pages = paper_page_count(found, per_page)
    page = min(max(page, 0), pages - 1)
    embed: Payload = {
        "title": clip(escape(paper.title or paper.key), TITLE_LIMIT),
        "color": COLOR,
    }
    if paper.url:
        embed["url"] = paper.url
    lines = _paper_header(paper)
    if not found.summaries:
        lines.append("")
        lines.append("No summary yet.")
        if paper.abstract:
            lines.append(f"> {discord(parse(paper.abstract), 700)}")
        lines.append(f"[Write the first summary]({write_url(paper)})")
    embed["description"] = clip("\n".join(lines), DESCRIPTION_LIMIT)
    shown = found.summaries[page * per_page : (page + 1) * per_page]
    if shown:
        embed["fields"] = [summary_field(s) for s in shown][:FIELDS_LIMIT]
        count = len(found.summaries)
        footer = f"{count} summar{'y' if count == 1 else 'ies'}"
        if pages > 1:
            footer += f" · page {page + 1} of {pages}"
        embed["footer"] = {"text": footer}
    return embed


def choices_embed(query: str, papers: Sequence[Paper]) -> Payload:
    """Several papers match title words: a short numbered list to pick from."""
    lines = [
        f"**{n}.** {escape(clip(p.title or p.key, 150))} — `{p.arxiv_id or p.key}`"
        for n, p in enumerate(papers, start=1)
    ]
    return {
        "title": clip(f"Papers matching “{escape(query)}”", TITLE_LIMIT),
        "description": clip("\n".join(lines), DESCRIPTION_LIMIT),
        "color": COLOR,
        "footer": {"text": "Pick one with the buttons, or ask for its id with summary"},
    }


CHOICE_LIMIT = 100  # an autocomplete choice's name and value, in characters


def choice(paper: Paper) -> tuple[str, str] | None:
    """An autocomplete choice for ``paper``: its title in plain text (choices show no
    Markdown; TeX as Unicode) cut so that its id fits after it within 100 characters, and the
    id as the value (what ``/summary`` then looks up). None when the id itself is too long."""
    value = paper.arxiv_id or paper.key
    if not value or len(value) > CHOICE_LIMIT:
        return None
    title = " ".join(plain(parse(paper.title)).split()) if paper.title else ""
    suffix = f" · {value}"
    room = CHOICE_LIMIT - len(suffix)
    if not title or room < 10:
        return value, value
    name = title if len(title) <= room else title[: room - 1].rstrip() + "…"
    return name + suffix, value


def search_embed(query: str, papers: Sequence[Paper]) -> Payload:
    if not papers:
        return {
            "title": "No matches",
            "description": clip(
                f"No paper title or abstract matches “{escape(query)}”.", DESCRIPTION_LIMIT
            ),
            "color": COLOR,
        }
    lines = []
    for paper in papers:
        ident = f"arXiv:{paper.arxiv_id}" if paper.arxiv_id else escape(paper.key)
        title = escape(clip(paper.title or paper.key, 200))
        lines.append(f"• [{title}]({paper.url}) — {ident}" if paper.url else f"• {title} — {ident}")
    return {
        "title": clip(f"Search: {escape(query)}", TITLE_LIMIT),
        "description": clip("\n".join(lines), DESCRIPTION_LIMIT),
        "color": COLOR,
    }


def latest_embed(items: Sequence[tuple[Summary, Paper | None]]) -> Payload:
    if not items:
        return {"title": "Latest summaries", "description": "No summaries yet.", "color": COLOR}
    fields = []
    for summary, paper in items[:FIELDS_LIMIT]:
        title = paper.title if paper and paper.title else summary.title or "(untitled)"
        field = summary_field(summary, excerpt_chars=200)
        field["name"] = clip(escape(title), FIELD_NAME_LIMIT)
        fields.append(field)
    embed: Payload = {"title": "Latest summaries", "color": COLOR, "fields": fields}
    return shrink(embed)


def digest_embed(digest: Digest, heading: str) -> Payload:
    """A digest as one embed: a field per summary, "and N more" when it does not all fit; a
    top digest's title follows ``heading``."""
    if digest.title:
        heading = f"{heading}: {digest.title}"
    if digest.empty:
        return {"title": clip(heading, TITLE_LIMIT), "description": "Nothing new.", "color": COLOR}
    fields = []
    for item in digest.items[:FIELDS_LIMIT]:
        paper = item.papers[0] if item.papers else None
        field = summary_field(item.summary, excerpt_chars=250)
        title = (paper.title or paper.key) if paper else item.summary.title or "(untitled)"
        ident = f" · arXiv:{paper.arxiv_id}" if paper and paper.arxiv_id else ""
        field["name"] = clip(escape(title) + ident, FIELD_NAME_LIMIT)
        fields.append(field)
    for paper_item in digest.papers[: FIELDS_LIMIT - len(fields)]:
        name = clip("New: " + escape(paper_item.paper.title or paper_item.paper.key), 200)
        value = paper_lines(paper_item).split("\n", 1)[1]
        if paper_item.paper.url:
            value += f"\n{safe_url(paper_item.paper.url)}"
        fields.append({"name": name, "value": clip(value, FIELD_VALUE_LIMIT), "inline": False})
    base: Payload = {"title": clip(heading, TITLE_LIMIT), "color": COLOR, "fields": fields}
    embed = shrink(base, reserve=FOOTER_RESERVE)
    left_out = digest.more + len(digest.items) + len(digest.papers) - len(embed["fields"])
    if left_out:
        embed["footer"] = {"text": f"and {left_out} more at {SHORTSCIENCE}"}
    return embed


# ---------------------------------------------------------------------- digests as posts

DIGEST_HEADING = "**{count} new {summaries}**"
DIGEST_EXCERPT = 350
DIGEST_DESCRIPTION = 500  # the paper's authors and ids, above its summaries
CONTINUED = " (continued)"
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def digest_heading(digest: Digest, template: str = DIGEST_HEADING) -> str:
    """``template`` with ``{count}`` (every new summary, shown or not) and ``{summaries}``
    ("summary" or "summaries") filled in; other braces are left alone. A digest of new papers
    only is headed "**N new papers on arXiv**", a top digest by its title ("**The week's best
    summaries**")."""
    if digest.title:
        return f"**{digest.title}**"
    if not digest.items and digest.papers:
        return f"**{papers_heading(digest.paper_count)}**"
    count = digest.summary_count
    return template.replace("{count}", str(count)).replace(
        "{summaries}", "summary" if count == 1 else "summaries"
    )


def digest_posts(digest: Digest, *, destination: str, heading: str) -> list[Post]:
    """A digest as Discord messages, in order: one embed per paper (a field per summary),
    at most 10 embeds and 6,000 embed characters per message, as many messages as it takes.

    The first message's content is ``heading`` (mentions defused; markdown kept: it is the
    operator's text), the last one's says "and N more" when the digest was capped. New papers
    follow the summaries, listed in embeds of their own. Each ``Post.items`` lists the
    ``summary:{id}`` and ``paper:{id}v{version}`` keys its embeds carry; ``Post.key`` is
    :func:`papers.keys.discord_post_key` of those. An empty digest is no post at all.
    """
    more_line = f"and {digest.more} more at {SHORTSCIENCE}" if digest.more else ""
    embeds: list[tuple[Payload, list[str]]] = []
    for paper, summaries in group_by_paper(digest.items):
        embeds.extend(digest_paper_embeds(paper, summaries))
    if digest.papers:
        embeds.extend(_paper_embeds(digest.papers, digest.paper_count))

    messages = pack_messages(embeds)
    if not messages:
        if not more_line:
            return []
        messages.append(([], []))

    reserve = len(more_line) + 1 if more_line else 0
    first = clip(defuse_mentions(heading), CONTENT_LIMIT - reserve)
    posts: list[Post] = []
    for index, (message_embeds, keys) in enumerate(messages):
        lines = [first] if index == 0 and first else []
        if index == len(messages) - 1 and more_line:
            lines.append(more_line)
        content = "\n".join(lines)
        posts.append(
            Post(
                key=discord_post_key(destination, keys, fallback=f"{index}\x1f{content}"),
                items=tuple(keys),
                payload={"content": content, "embeds": message_embeds},
            )
        )
    return posts


def pack_messages(
    embeds: Sequence[tuple[Payload, list[str]]],
) -> list[tuple[list[Payload], list[str]]]:
    """Embeds (each with the item keys it carries) into messages, in order: at most 10
    embeds and 6,000 embed characters a message."""
    messages: list[tuple[list[Payload], list[str]]] = []
    size = 0
    for embed, keys in embeds:
        embed_chars = embed_size(embed)
        if (
            not messages
            or len(messages[-1][0]) >= EMBEDS_PER_MESSAGE
            or size + embed_chars > EMBED_TOTAL_LIMIT
        ):
            messages.append(([], []))
            size = 0
        messages[-1][0].append(embed)
        messages[-1][1].extend(keys)
        size += embed_chars
    return messages


def safe_url(url: str) -> str:
    """A URL Discord accepts in an embed: spaces and non-ASCII characters percent-encoded."""
    return quote(url, safe=_URL_SAFE)


def _digest_field(summary: Summary) -> Payload:
    field = summary_field(summary, excerpt_chars=DIGEST_EXCERPT)
    if not field["name"].strip():
        field["name"] = "Summary"
    return field


def digest_paper_embeds(
    paper: Paper | None, summaries: list[Summary]
) -> list[tuple[Payload, list[str]]]:
    """One embed for a paper and its summaries; continuation embeds when they do not fit."""
    raw_title = (paper.title or paper.key) if paper else summaries[0].title
    escaped = escape(raw_title) if raw_title.strip() else "(untitled)"
    title = clip(escaped, TITLE_LIMIT)
    continued = clip(escaped, TITLE_LIMIT - len(CONTINUED)) + CONTINUED
    url = safe_url(paper.url) if paper and paper.url else None
    description = clip("\n".join(_paper_header(paper)), DIGEST_DESCRIPTION) if paper else ""

    def start(first: bool) -> Payload:
        embed: Payload = {"title": title if first else continued, "color": COLOR}
        if url:
            embed["url"] = url
        if first and description.strip():
            embed["description"] = description
        embed["fields"] = []
        return embed

    out: list[tuple[Payload, list[str]]] = [(start(True), [])]
    for summary in summaries:
        field = _digest_field(summary)
        embed, keys = out[-1]
        extra = len(field["name"]) + len(field["value"])
        if keys and (
            len(embed["fields"]) >= FIELDS_LIMIT or embed_size(embed) + extra > EMBED_TOTAL_LIMIT
        ):
            embed, keys = start(False), []
            out.append((embed, keys))
        embed["fields"].append(field)
        keys.append(item_key(summary))
    return out


PAPER_LINE = 700  # one paper's lines in a "new papers" embed, at most


def paper_lines(item: PaperItem) -> str:
    paper = item.paper
    title = escape(paper.title or paper.key) or "(untitled)"
    head = f"**[{clip(title, 300)}]({safe_url(paper.url)})**" if paper.url else f"**{title}**"
    tail = [escape(announcement_tags(item))]
    authors = paper_authors(paper)
    if authors:
        tail.append(escape(authors))
    return clip(head, 400) + "\n" + clip(" · ".join(tail), PAPER_LINE - 401)


def _paper_embeds(papers: Sequence[PaperItem], count: int) -> list[tuple[Payload, list[str]]]:
    """New papers as embeds whose descriptions list them, one block per paper."""
    heading = papers_heading(count)
    out: list[tuple[Payload, list[str]]] = []
    for item in papers:
        block = paper_lines(item)
        if out:
            embed, keys = out[-1]
            joined = embed["description"] + "\n\n" + block
            if len(joined) <= DESCRIPTION_LIMIT and embed_size(embed) + len(block) + 2 <= (
                EMBED_TOTAL_LIMIT
            ):
                embed["description"] = joined
                keys.append(item.key)
                continue
        title = heading if not out else heading + CONTINUED
        out.append(({"title": title, "color": COLOR, "description": block}, [item.key]))
    return out
