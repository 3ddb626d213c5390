"""Every kind of source through parsing into storage, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from papers.model import FeedKind, IncomingPaper, IncomingSummary
from papers.usecases import Found, ingest_parsed, lookup, next_digest
from sources.parse import parse_feed
from storage.repository import Store

FIXTURES = Path(__file__).parents[1] / "fixtures"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def parsed(name: str):
    return parse_feed((FIXTURES / name).read_bytes(), name)


async def ingest(store: Store, name: str, *, announce: bool = True):
    return await ingest_parsed(store, parsed(name), name, announce=announce, now=NOW)


async def test_blog_posts_are_summaries_of_every_paper_they_link(store: Store) -> None:
    await ingest(store, "shortscience-rss.xml")
    report = await ingest(store, "blog-paper-notes.xml")
    assert report.kind is FeedKind.BLOG
    assert (report.new, report.skipped) == (3, 0)

    intriguing = await lookup(store, "1312.6199")
    assert isinstance(intriguing, Found)
    blog = [s for s in intriguing.match.summaries if s.source == "blog-paper-notes.xml"]
    assert [s.title for s in blog] == ["Paper Notes: Intriguing Properties of Neural Networks"]
    assert blog[0].author == "Erogol"
    assert blog[0].url == "https://erogol.com/paper-notes-intriguing-properties-of-neural-networks/"
    assert "appeared first on" not in blog[0].text
    assert len(intriguing.match.summaries) == 3

    # the reading list links Gumbel-Softmax by URL and names a known paper by its full title
    gumbel = await lookup(store, "https://arxiv.org/abs/1611.01144")
    assert isinstance(gumbel, Found)
    assert [s.title for s in gumbel.match.summaries] == ["What I read lately"]
    rethinking = await lookup(store, "1611.03530")
    assert isinstance(rethinking, Found)
    assert {s.title for s in rethinking.match.summaries} >= {
        "What I read lately",
        "Paper review – Understanding Deep Learning Requires Rethinking Generalization",
    }
    assert sorted(rethinking.match.summaries[0].paper_keys) == ["1611.03530"]


async def test_blog_post_without_ids_is_linked_by_title_or_skipped(store: Store) -> None:
    await ingest(store, "shortscience-rss.xml")
    body = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Lab notes</title>
    <item><title>Our reading group on Deep Residual Learning for Image Recognition</title>
      <guid>lab-1</guid><description>We discussed skip connections.</description></item>
    <item><title>Thoughts on neural networks</title><guid>lab-2</guid>
      <description>No paper in particular.</description></item>
    <item><title>Attention</title><guid>lab-3</guid><description>One word.</description></item>
    </channel></rss>"""
    report = await ingest_parsed(store, parse_feed(body, "lab"), "lab", announce=True, now=NOW)
    assert (report.new, report.skipped) == (1, 2)
    resnet = await lookup(store, "1512.03385")
    assert isinstance(resnet, Found)
    assert "lab-1" in {s.guid for s in resnet.match.summaries}
    assert any("names no known paper" in w for w in report.warnings)


async def test_arxiv_listing_stores_papers_and_announcements(store: Store) -> None:
    report = await ingest(store, "arxiv-cs.LG-rss.xml")
    assert report.kind is FeedKind.ARXIV_LISTING
    assert report.new == 5
    selu = await lookup(store, "1706.02515")
    assert isinstance(selu, Found)
    paper = selu.match.paper
    assert paper.title == "Self-Normalizing Neural Networks"
    assert len(paper.authors) >= 2
    assert paper.abstract and not paper.abstract.startswith("arXiv:")
    assert "cs.LG" in paper.categories
    assert await store.announcements("1706.02515") == [("arxiv-cs.LG-rss.xml", "new", 1)]
    assert await store.announcements("1312.6199") == [("arxiv-cs.LG-rss.xml", "replace-cross", 4)]
    again = await ingest(store, "arxiv-cs.LG-rss.xml")
    assert (again.new, again.updated, again.unchanged) == (0, 0, 5)
    # papers are not summaries: the summary digest stays empty
    assert (await next_digest(store, "console", 10)).empty


async def test_listing_completes_papers_known_from_summaries(store: Store) -> None:
    await ingest(store, "shortscience-rss.xml")
    assert await store.incomplete_arxiv_ids(100) != []
    before = set(await store.incomplete_arxiv_ids(100))
    await ingest(store, "arxiv-cs.LG-rss.xml")
    after = set(await store.incomplete_arxiv_ids(100))
    assert before - after == {"1706.02515", "1705.08665", "1703.09202", "1611.03530", "1312.6199"}
    found = await lookup(store, "1312.6199")
    assert isinstance(found, Found)
    assert found.match.paper.arxiv_version == 4
    assert found.match.paper.authors  # the listing filled them in
    assert len(found.match.summaries) == 2  # summaries untouched


async def test_api_metadata_replaces_what_summaries_said(store: Store) -> None:
    summary = IncomingSummary(
        guid="g",
        source="s",
        author="a",
        url=None,
        votes=1,
        text="t",
        published=NOW,
        papers=(IncomingPaper(title="ELU paper", arxiv_id="1511.07289"),),
    )
    await store.save_summaries([summary], announce=True, now=NOW)
    complete = IncomingPaper(
        title="Fast and Accurate Deep Network Learning by Exponential Linear Units (ELUs)",
        arxiv_id="1511.07289",
        arxiv_version=5,
        authors=("Djork-Arné Clevert", "Thomas Unterthiner", "Sepp Hochreiter"),
        abstract="We introduce the exponential linear unit (ELU).",
        categories=("cs.LG",),
        primary_category="cs.LG",
        journal_ref="ICLR 2016",
        published=datetime(2015, 11, 23, tzinfo=UTC),
        complete=True,
    )
    await store.save_papers([complete], source="arxiv-api", announce=False, now=NOW)
    found = await lookup(store, "1511.07289")
    assert isinstance(found, Found)
    paper = found.match.paper
    assert paper.title.startswith("Fast and Accurate")
    assert paper.authors[0] == "Djork-Arné Clevert"
    assert (paper.primary_category, paper.journal_ref, paper.arxiv_version) == (
        "cs.LG",
        "ICLR 2016",
        5,
    )
    assert await store.incomplete_arxiv_ids(10) == []
    assert await store.announcements("1511.07289") == []
    # the title search follows the new title
    assert isinstance(await lookup(store, "exponential linear units"), Found)
    assert await store.search_papers(["paper"]) == []  # the old title's word is gone


async def test_feed_rows(store: Store) -> None:
    feed = await store.add_feed(
        "https://example.org/feed",
        name="ex",
        interval_seconds=900,
        announce_existing=False,
        now=NOW,
    )
    assert feed is not None
    assert (feed.seeded, feed.paused, feed.failures) == (False, False, 0)
    assert (
        await store.add_feed(
            "https://example.org/feed",
            name="dup",
            interval_seconds=60,
            announce_existing=False,
            now=NOW,
        )
        is None
    )
    for ref in (str(feed.id), "https://example.org/feed", "ex"):
        found = await store.find_feed(ref)
        assert found is not None and found.id == feed.id
    await store.record_poll(feed.id, failures=8, disabled_reason="broken", paused=False)
    await store.set_feed_paused(feed.id, False, now=NOW)
    resumed = await store.find_feed("ex")
    assert resumed is not None
    assert (resumed.failures, resumed.disabled_reason, resumed.next_poll) == (0, None, NOW)
    assert await store.remove_feed(feed.id)
    assert await store.find_feed("ex") is None
