"""Discord payloads stay within every limit and never carry a live mention."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from papers import discord_limits as limits
from papers import discord_render as dr
from papers.model import Paper, PaperWithSummaries, Summary

NOW = datetime(2026, 11, 23, tzinfo=UTC)
LIVE_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>")

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6000)


def check_embed(embed: dict) -> None:
    assert len(embed.get("title", "")) <= limits.TITLE_LIMIT
    assert len(embed.get("description", "")) <= limits.DESCRIPTION_LIMIT
    assert len(embed.get("fields", [])) <= limits.FIELDS_LIMIT
    for field in embed.get("fields", []):
        assert 0 < len(field["name"]) <= limits.FIELD_NAME_LIMIT
        assert 0 < len(field["value"]) <= limits.FIELD_VALUE_LIMIT
    assert len(embed.get("footer", {}).get("text", "")) <= limits.FOOTER_LIMIT
    assert limits.embed_size(embed) <= limits.EMBED_TOTAL_LIMIT
    blob = " ".join(
        [embed.get("title", ""), embed.get("description", "")]
        + [f["name"] + f["value"] for f in embed.get("fields", [])]
    )
    assert not LIVE_MENTION.search(blob)


def summary(n: int, author: str, body: str) -> Summary:
    return Summary(
        id=n,
        paper_keys=("1312.6199",),
        guid=f"g{n}",
        source="s",
        author=author or "a",
        url=f"https://www.shortscience.org/paper?bibtexKey=x#{n}",
        votes=n,
        text=body,
        published=NOW,
        edited=None,
        first_seen=NOW,
    )


@settings(max_examples=150, deadline=None)
@given(
    title=text,
    authors=st.lists(text, max_size=40),
    bodies=st.lists(st.tuples(text, text), max_size=12),
    page=st.integers(-3, 10),
)
def test_paper_embed_within_limits(title, authors, bodies, page) -> None:
    paper = Paper(
        key="1312.6199",
        title=title,
        arxiv_id="1312.6199",
        authors=tuple(authors),
        abstract=title * 3,
        categories=("cs.LG", "@everyone"),
    )
    found = PaperWithSummaries(paper, tuple(summary(i, a, b) for i, (a, b) in enumerate(bodies)))
    for p in range(dr.paper_page_count(found)):
        check_embed(dr.paper_embed(found, p))
    check_embed(dr.paper_embed(found, page))


@settings(max_examples=100, deadline=None)
@given(titles=st.lists(text, max_size=30), query=text)
def test_lists_within_limits(titles, query) -> None:
    papers = [Paper(key=f"k{i}", title=t) for i, t in enumerate(titles)]
    check_embed(dr.choices_embed(query[:100], papers))
    check_embed(dr.search_embed(query[:100], papers))
    items = [(summary(i, t, t), p) for i, (t, p) in enumerate(zip(titles, papers, strict=True))]
    check_embed(dr.latest_embed(items))


def test_mentions_and_markdown_are_defused() -> None:
    escaped = dr.escape("@everyone @here <@123> <@!7> <@&45> <#6> **bold** [x](y)")
    assert not LIVE_MENTION.search(escaped)
    assert "@\u200beveryone" in escaped and "@\u200bhere" in escaped
    assert "\\*\\*bold\\*\\*" in escaped and "\\[x\\]\\(y\\)" in escaped


def test_a_paper_without_summaries_invites_the_first() -> None:
    paper = Paper(key="2401.12345", title="T", arxiv_id="2401.12345", abstract="An abstract.")
    embed = dr.paper_embed(PaperWithSummaries(paper, ()))
    assert "No summary yet." in embed["description"]
    assert "> An abstract." in embed["description"]
    assert "bibtexKey=journals/corr/2401.12345" in embed["description"]
    assert "fields" not in embed


def test_pages_of_summaries() -> None:
    paper = Paper(key="1312.6199", title="T", arxiv_id="1312.6199")
    found = PaperWithSummaries(paper, tuple(summary(i, f"A{i}", "x") for i in range(7)))
    assert dr.paper_page_count(found) == 3
    last = dr.paper_embed(found, 2)
    assert [f["name"].split(" · ")[1] for f in last["fields"]] == ["A6"]
    assert last["footer"]["text"] == "7 summaries · page 3 of 3"
