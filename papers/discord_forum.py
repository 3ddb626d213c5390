"""A digest in a Discord forum channel (pure): one forum post per paper.

Each paper of the digest (a paper with its new summaries, or a new arXiv paper) is one post
(:class:`~papers.publishing.Post`) carrying ``forum_post``: the post's name (the paper's title
as plain text, at most 100 characters), its archive duration and its tags: the forum's
``available_tags`` whose names are the paper's categories (case ignored, in the paper's order,
at most 5), and ``paper``, the paper's key. Whether it starts a post or answers the paper's
existing post (its *home*, :class:`papers.ports.ThreadHomes`) is decided when it is sent: a
later summary of a paper is a reply in that paper's post, never a second post. A summary of
no known paper starts a post named by its title. Keys are the channel digests' (the items'
:func:`papers.keys.discord_post_key`); a paper too long for one message takes several, the
first starting the post, the others answering it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from papers.discord_limits import TITLE_LIMIT, clip
from papers.discord_render import (
    COLOR,
    digest_paper_embeds,
    escape,
    pack_messages,
    paper_lines,
    safe_url,
)
from papers.discord_threads import thread_name
from papers.keys import discord_post_key
from papers.model import Digest, PaperItem
from papers.publishing import Post
from papers.render import group_by_paper

FORUM_POST = "forum_post"
TAGS_PER_POST = 5

Payload = dict[str, Any]


def matching_tags(categories: Iterable[str], tags: Sequence[Mapping[str, Any]]) -> list[str]:
    """The ids of the forum's tags named as ``categories`` (case ignored), in their order,
    at most 5 (Discord's limit per post)."""
    by_name: dict[str, str] = {}
    for tag in tags:
        by_name.setdefault(str(tag.get("name", "")).casefold(), str(tag.get("id")))
    out: list[str] = []
    for category in categories:
        found = by_name.get(category.casefold())
        if found is not None and found not in out:
            out.append(found)
    return out[:TAGS_PER_POST]


def forum_posts(
    digest: Digest,
    *,
    destination: str,
    tags: Sequence[Mapping[str, Any]],
    archive_minutes: int,
) -> list[Post]:
    """The digest as forum posts, one paper each (see the module)."""
    posts: list[Post] = []

    def add(paper_key: str | None, name: str, categories: Iterable[str], embeds: Any) -> None:
        thread = {
            "name": thread_name(name),
            "auto_archive_duration": archive_minutes,
            "applied_tags": matching_tags(categories, tags),
            "paper": paper_key,
        }
        for message_embeds, keys in pack_messages(embeds):
            posts.append(
                Post(
                    key=discord_post_key(destination, keys),
                    items=tuple(keys),
                    payload={"content": "", "embeds": message_embeds, FORUM_POST: thread},
                )
            )

    for paper, summaries in group_by_paper(digest.items):
        title = (paper.title or paper.key) if paper else summaries[0].title
        categories = paper.categories if paper else ()
        add(paper.key if paper else None, title, categories, digest_paper_embeds(paper, summaries))
    for item in digest.papers:
        add(
            item.paper.key,
            item.paper.title or item.paper.key,
            item.paper.categories,
            [(_new_paper_embed(item), [item.key])],
        )
    return posts


def _new_paper_embed(item: PaperItem) -> Payload:
    paper = item.paper
    embed: Payload = {
        "title": clip("New: " + escape(paper.title or paper.key), TITLE_LIMIT),
        "color": COLOR,
        "description": paper_lines(item).split("\n", 1)[1],
    }
    if paper.url:
        embed["url"] = safe_url(paper.url)
    return embed
