"""Feeds as each common platform writes them: read as blogs, every post linked to every paper.

The fixtures (``fixtures/platforms/``, described in its README) follow each platform's default
feed template; ``expected.json`` says which papers each post links. Storage is a real SQLite
file; the CLI tests run the real ``shortbot`` command.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.watch import describe_report
from papers.model import FeedKind, SkipReason
from papers.usecases import Found, ingest_parsed, lookup
from sources.parse import parse_feed
from storage.db import create_engine, upgrade
from storage.repository import Store
from tests.httpserver import LocalHTTPServer, Response
from tests.pg import sqlite_url

PLATFORMS = Path(__file__).parents[1] / "fixtures" / "platforms"
EXPECTED: dict[str, dict[str, Any]] = json.loads((PLATFORMS / "expected.json").read_text())
NOW = datetime(2024, 11, 26, 8, 0, tzinfo=UTC)
BLOGGER = PLATFORMS / "blogger-atom.xml"
MEDIUM = PLATFORMS / "medium-rss.xml"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    """A migrated SQLite file of its own (these tests need no PostgreSQL run)."""
    engine = create_engine(sqlite_url(tmp_path))
    await upgrade(engine)
    yield Store(engine)
    await engine.dispose()


async def ingest_body(store: Store, body: bytes, source: str, kind: FeedKind | None = None):
    parsed = parse_feed(body, source, kind=kind)
    return await ingest_parsed(store, parsed, source, announce=True, now=NOW)


def test_every_fixture_has_expectations() -> None:
    assert sorted(EXPECTED) == sorted(p.name for p in PLATFORMS.glob("*.xml"))
    for name, expected in EXPECTED.items():
        assert expected["no_paper"], f"{name}: a post that links no paper"
        assert any(len(ids) > 1 for ids in expected["posts"].values()), f"{name}: several papers"


@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_platform_feed_is_a_blog_and_every_post_links_its_papers(
    store: Store, name: str
) -> None:
    expected = EXPECTED[name]
    report = await ingest_body(store, (PLATFORMS / name).read_bytes(), name)

    assert report.kind is FeedKind.BLOG
    skipped = len(expected["no_paper"])
    assert (report.new, report.updated, report.skipped) == (len(expected["posts"]), 0, skipped)
    assert report.skip_reasons == {SkipReason.NO_PAPER: skipped}
    assert describe_report(report).endswith(f"{skipped} skipped ({skipped} names no known paper)")
    for guid in expected["no_paper"]:
        assert any(guid in w and "names no known paper" in w for w in report.warnings)

    stored = {s.guid: s for s in await store.latest_summaries(100)}
    assert set(stored) == set(expected["posts"])
    for guid, ids in expected["posts"].items():
        assert sorted(stored[guid].paper_keys) == sorted(ids), guid
        assert stored[guid].text.strip(), guid
        # each paper finds the post: the link goes both ways
        for arxiv_id in ids:
            found = await lookup(store, arxiv_id)
            assert isinstance(found, Found), arxiv_id
            assert guid in {s.guid for s in found.match.summaries}
    for summary in stored.values():
        assert summary.url and "?" not in summary.url, summary.url  # no tracking parameters
        assert "appeared first on" not in summary.text
        assert "stat?event" not in summary.text


def test_the_real_ingest_command_reads_every_platform(shortbot) -> None:
    names = sorted(EXPECTED)
    paths = [str(PLATFORMS / name) for name in names]
    first = shortbot("ingest", *paths)
    assert first.code == 0, first.err
    again = shortbot("ingest", *paths)
    assert again.code == 0, again.err
    for name, path in zip(names, paths, strict=True):
        posts, skipped = len(EXPECTED[name]["posts"]), len(EXPECTED[name]["no_paper"])
        reasons = f"{skipped} skipped ({skipped} names no known paper)"
        assert f"{path}: blog feed, {posts} new, 0 updated, 0 unchanged, {reasons}" in first.out
        assert f"{path}: blog feed, 0 new, 0 updated, {posts} unchanged, {reasons}" in again.out
    looked_up = shortbot("lookup", "https://huggingface.co/papers/2312.00752", "--json")
    assert looked_up.code == 0, looked_up.err
    sources = {s["source"] for s in json.loads(looked_up.out)["summaries"]}
    assert sources == {str(BLOGGER), str(PLATFORMS / "bluesky-rss.xml")}


# --- canonical post URLs ----------------------------------------------------------------------


async def test_medium_refetched_with_other_source_parameters_is_not_new(store: Store) -> None:
    body = MEDIUM.read_text()
    values = set(re.findall(r"\?source=([^<\"]+)", body))
    assert values == {"rss-6c2d9f1e8a47------2"}
    first = await ingest_body(store, body.encode(), "medium")
    # the same posts reached through a publication's feed: every link's ?source= differs
    other = body.replace("?source=rss-6c2d9f1e8a47------2", "?source=rss----7f60cf5620c9---4")
    second = await ingest_body(store, other.encode(), "medium")
    assert first.new == 2
    assert (second.new, second.updated, second.unchanged) == (0, 0, 2)
    urls = {s.url for s in await store.latest_summaries(10)}
    flash = "https://medium.com/@priya.raman/what-flashattention-actually-changes-b81e4f07c93a"
    assert flash in urls


def feedburner(item_query: str) -> bytes:
    """A feed whose guid is the post's link with FeedBurner-style tracking parameters."""
    link = f"https://blog.example.net/2024/11/dpo-notes/?{item_query}"
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Example</title>'
        f"<item><title>DPO notes</title><link>{link}</link><guid>{link}</guid>"
        "<description>Notes on https://arxiv.org/abs/2305.18290</description></item>"
        "</channel></rss>"
    ).encode()


async def test_a_guid_that_is_a_link_loses_its_tracking_parameters(store: Store) -> None:
    first = await ingest_body(
        store,
        feedburner("utm_source=feedburner&amp;utm_medium=feed&amp;utm_campaign=Feed%3A+example"),
        "fb",
    )
    second = await ingest_body(
        store, feedburner("utm_source=twitter&amp;fbclid=IwAR0abc&amp;mc_cid=77&amp;ref=hn"), "fb"
    )
    assert (first.new, second.new, second.updated, second.unchanged) == (1, 0, 0, 1)
    (summary,) = await store.latest_summaries(10)
    assert summary.guid == summary.url == "https://blog.example.net/2024/11/dpo-notes/"


# --- kinds ------------------------------------------------------------------------------------


def test_blogger_declares_opensearch_and_is_still_a_blog() -> None:
    body = BLOGGER.read_bytes()
    assert b"xmlns:openSearch=" in body and b"<openSearch:totalResults>" in body
    parsed = parse_feed(body, "blogger")
    assert (parsed.kind, parsed.kind_pinned, parsed.warnings) == (FeedKind.BLOG, False, ())
    assert len(parsed.summaries) == 4


def test_an_empty_blogger_feed_is_a_blog_not_an_empty_api_response() -> None:
    body = re.sub(rb"<entry>.*</entry>", b"", BLOGGER.read_bytes(), flags=re.DOTALL)
    assert b"<entry>" not in body
    assert parse_feed(body, "blogger").kind is FeedKind.BLOG


def test_arxiv_evidence_contradicted_by_the_entries_reads_as_a_blog_with_a_warning() -> None:
    # arXiv's namespace and an API-like id, but the entries are blog posts, not arXiv papers
    entries = "".join(
        f"<entry><id>https://blog.example.net/posts/{n}</id><title>Post {n}</title>"
        f"<link href='https://blog.example.net/posts/{n}'/>"
        "<content type='html'>About https://arxiv.org/abs/1706.03762</content></entry>"
        for n in range(3)
    )
    body = (
        "<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom' "
        "xmlns:arxiv='http://arxiv.org/schemas/atom' "
        "xmlns:opensearch='http://a9.com/-/spec/opensearch/1.1/'>"
        "<id>https://arxiv.org/api/not-really</id><title>Notes</title>"
        f"{entries}</feed>"
    ).encode()
    parsed = parse_feed(body, "x")
    assert parsed.kind is FeedKind.BLOG
    assert parsed.warnings == (
        "looks like an arXiv API response, but only 0 of 3 entries are arXiv papers: "
        "read as a blog",
    )
    assert len(parsed.summaries) == 3


def test_a_pinned_kind_is_used_even_when_the_content_looks_otherwise() -> None:
    parsed = parse_feed(BLOGGER.read_bytes(), "blogger", kind=FeedKind.ARXIV_LISTING)
    assert (parsed.kind, parsed.kind_pinned) == (FeedKind.ARXIV_LISTING, True)
    assert (parsed.papers, parsed.summaries) == ((), ())
    assert parsed.skip_reasons == {SkipReason.NO_ARXIV_ID: 4}
    assert "read as arxiv-listing (pinned); its content looks like blog" in parsed.warnings


# --- pinning through the commands -------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[LocalHTTPServer]:
    with LocalHTTPServer() as running:
        yield running


PRIVATE = {"SHORTBOT_ALLOW_PRIVATE_FEEDS": "true"}


def test_feeds_add_pins_a_kind_and_says_why_entries_were_skipped(
    shortbot, server: LocalHTTPServer
) -> None:
    server.route("/blog.xml", Response(body=BLOGGER.read_bytes()))
    server.route("/medium.xml", Response(body=MEDIUM.read_bytes()))
    pinned = shortbot("feeds", "add", server.url("/blog.xml"), "--kind", "blog", extra_env=PRIVATE)
    assert pinned.code == 0, pinned.err
    assert "blog feed (pinned), 3 entries recorded as seen, 1 skipped " in pinned.out
    assert "(1 names no known paper)" in pinned.out
    recognised = shortbot("feeds", "add", server.url("/medium.xml"), extra_env=PRIVATE)
    assert recognised.code == 0, recognised.err
    assert "blog feed, 2 entries recorded as seen, 1 skipped" in recognised.out

    listed = json.loads(shortbot("feeds", "list", "--json").out)
    assert [(f["kind"], f["kind_pinned"], f["last_skipped"]) for f in listed] == [
        ("blog", True, {"no-paper": 1}),
        ("blog", False, {"no-paper": 1}),
    ]
    assert all(f["last_result"].endswith("(1 names no known paper)") for f in listed)
    text = shortbot("feeds", "list").out
    assert "blog (pinned), every 15m" in text
    assert "1 skipped (1 names no known paper)" in text

    wrong = shortbot("feeds", "add", server.url("/blog.xml"), "--kind", "wiki", extra_env=PRIVATE)
    assert wrong.code == 2
    assert "invalid choice: 'wiki'" in wrong.err


def test_ingest_kind_reads_the_source_as_that_kind(shortbot) -> None:
    result = shortbot("ingest", str(BLOGGER), "--kind", "arxiv-api")
    assert result.code == 0, result.err
    assert (
        f"{BLOGGER}: arxiv-api feed, 0 new, 0 updated, 0 unchanged, 4 skipped "
        "(4 are not arXiv papers)" in result.out
    )
    assert "read as arxiv-api (pinned); its content looks like blog" in result.err


async def test_every_poll_of_a_pinned_feed_reads_it_as_the_pinned_kind(tmp_path: Path) -> None:
    from bot.app import open_app
    from bot.settings import Settings
    from bot.watch import poll_feed

    listing = (Path(__file__).parents[1] / "fixtures" / "arxiv-cs.LG-rss.xml").read_text()
    feed_file = tmp_path / "listing.xml"
    feed_file.write_text(listing)
    assert parse_feed(feed_file.read_bytes(), "x").kind is FeedKind.ARXIV_LISTING
    settings = Settings(database_url=sqlite_url(tmp_path), feeds=[], console=False)
    async with open_app(settings, clock=lambda: NOW) as app:
        feed = await app.store.add_feed(
            str(feed_file),
            name=None,
            interval_seconds=900,
            announce_existing=False,
            now=NOW,
            pinned_kind=FeedKind.BLOG,
        )
        assert feed is not None and feed.pinned_kind is FeedKind.BLOG
        first = await poll_feed(app, feed)
        # the listing changes (one item fewer): polled and parsed again, still as a blog
        feed_file.write_text(re.sub(r"<item>.*?</item>", "", listing, count=1, flags=re.DOTALL))
        second = await poll_feed(app, await app.store.get_feed(feed.id) or feed)
        stored = await app.store.get_feed(feed.id)
    assert first.report is not None and second.report is not None
    assert (first.report.kind, first.report.new) == (FeedKind.BLOG, 5)
    assert (second.report.kind, second.report.unchanged) == (FeedKind.BLOG, 4)
    assert stored is not None
    assert (stored.kind, stored.pinned_kind, stored.last_skipped) == (
        FeedKind.BLOG,
        FeedKind.BLOG,
        {},
    )
