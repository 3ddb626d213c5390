"""Parsing the ShortScience feed format, and what happens with feeds that are not."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from papers.model import FeedKind
from sources.parse import FeedParseError, parse_feed

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture
def shortscience() -> bytes:
    return (FIXTURES / "shortscience-rss.xml").read_bytes()


def test_every_item_of_the_sample_is_a_summary(shortscience: bytes) -> None:
    parsed = parse_feed(shortscience, "sample.xml")
    assert parsed.kind is FeedKind.SHORTSCIENCE
    assert parsed.title == "ShortScience.org Latest Summaries"
    assert len(parsed.summaries) == 12
    assert parsed.skipped == 0
    assert parsed.warnings == ()


def test_fields_of_one_summary(shortscience: bytes) -> None:
    first = parse_feed(shortscience, "sample.xml").summaries[0]
    assert first.guid == (
        "https://www.shortscience.org/paper?bibtexKey=journals/corr/1706.02515#readerone"
    )
    assert first.author == "Reader One"
    assert first.votes == 4
    assert first.published == datetime(2017, 6, 20, 14, 5, tzinfo=UTC)
    assert first.text.startswith("_Objective:_ Design Feed-Forward")
    assert first.source == "sample.xml"
    (paper,) = first.papers
    assert paper.arxiv_id == "1706.02515"
    assert paper.bibtex_key == "journals/corr/1706.02515"
    assert paper.title == "Self-Normalizing Neural Networks"


def test_papers_not_on_arxiv_keep_their_key_or_doi(shortscience: bytes) -> None:
    by_key = {s.papers[0].bibtex_key: s.papers[0] for s in parse_feed(shortscience, "x").summaries}
    nips = by_key["conf/nips/LeeS00"]
    assert nips.arxiv_id is None
    assert nips.key == "conf/nips/LeeS00"
    biorxiv = by_key["10.1101/262501"]
    assert biorxiv.arxiv_id is None
    assert biorxiv.doi == "10.1101/262501"


def _rss(items: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:shortscience="https://www.shortscience.org"><channel><title>t</title>'
        f"{items}</channel></rss>"
    ).encode()


def test_bad_entries_are_skipped_and_counted() -> None:
    body = _rss(
        "<item><title>No id at all</title><shortscience:votes>1</shortscience:votes>"
        "<guid>g1</guid></item>"
        "<item><title>No guid</title><shortscience:arxivid>1312.6199</shortscience:arxivid>"
        "</item>"
        "<item><title>Fine</title><shortscience:arxivid>1312.6199</shortscience:arxivid>"
        "<shortscience:votes>many</shortscience:votes><guid>g3</guid>"
        "<description>&lt;b&gt;bold&lt;/b&gt; &amp;amp; text</description></item>"
    )
    parsed = parse_feed(body, "x")
    assert parsed.skipped == 2
    (fine,) = parsed.summaries
    assert fine.votes is None  # "many" is reported, not fatal
    assert fine.text == "bold & text"
    assert any("votes" in w for w in parsed.warnings)


def test_truncated_feed_keeps_what_parsed(shortscience: bytes) -> None:
    cut = shortscience[: shortscience.index(b"<item>", 3000) + 200]
    parsed = parse_feed(cut, "x")
    assert parsed.summaries  # the complete items before the cut survive
    assert any("malformed" in w for w in parsed.warnings)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html><body><h1>Not a feed</h1></body></html>",
        b"\x00\xff\xfe garbage \x89PNG",
        b"just some text",
    ],
    ids=["empty", "html", "binary", "text"],
)
def test_not_a_feed_is_a_clear_error(body: bytes) -> None:
    with pytest.raises(FeedParseError) as caught:
        parse_feed(body, "x")
    assert str(caught.value)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("arxiv/listing-empty-weekend.rss.xml", FeedKind.ARXIV_LISTING),
        ("arxiv/listing-empty-weekend.atom.xml", FeedKind.ARXIV_LISTING),
        ("arxiv/listing-cs.LG.atom.xml", FeedKind.ARXIV_LISTING),
        ("arxiv-cs.LG-rss.xml", FeedKind.ARXIV_LISTING),
        ("blog-paper-notes.xml", FeedKind.BLOG),
        ("shortscience-rss.xml", FeedKind.SHORTSCIENCE),
        ("platforms/blogger-atom.xml", FeedKind.BLOG),
    ],
)
def test_the_kind_comes_from_the_content(name: str, kind: FeedKind) -> None:
    parsed = parse_feed((FIXTURES / name).read_bytes(), name)
    assert parsed.kind is kind
    assert not parsed.kind_pinned


@pytest.mark.parametrize(
    "path", sorted((FIXTURES / "arxiv" / "api").glob("*.json")), ids=lambda p: p.name[:24]
)
def test_arxiv_api_recordings_are_api_responses(path: Path) -> None:
    """Every recorded response, the empty one and the error one included."""
    recording = json.loads(path.read_text(encoding="utf-8"))
    parsed = parse_feed(recording["body"].encode("latin-1"), path.name)
    assert parsed.kind is FeedKind.ARXIV_API
    assert parsed.warnings == (
        ("the arXiv API reported an error: incorrect id format for abc",)
        if recording["status_code"] == 400
        else ()
    )
    entries = recording["body"].count("<entry>")
    assert len(parsed.papers) + parsed.skipped == entries
    assert all(p.complete and p.arxiv_id for p in parsed.papers)


def test_an_empty_weekend_listing_is_normal() -> None:
    body = (FIXTURES / "arxiv/listing-empty-weekend.rss.xml").read_bytes()
    parsed = parse_feed(body, "x")
    assert (parsed.papers, parsed.skipped, parsed.warnings) == ((), 0, ())
