"""The Atom feed: pure entries, and a feed file that stays valid, bounded and whole."""

from __future__ import annotations

import asyncio
import os
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import defusedxml.ElementTree as ET
import feedparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papers import atom_render as ar
from papers.keys import json_post_key
from papers.model import Digest, DigestItem, Paper, Summary
from papers.publishing import ItemRejected, Post, Sent, Transient
from publishers import atom as atom_module
from publishers.atom import AtomPublisher, entry_values, read_entries
from tests.strategies import with_papers

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
FEED_URL = "https://bot.example.org/digests.xml"
ATOM = "{http://www.w3.org/2005/Atom}"


def item(
    n: int,
    *,
    title: str = "Intriguing properties of neural networks",
    author: str = "joecohen",
    text: str = "Adversarial examples transfer between models.",
    votes: int | None = 3,
    seen: datetime | None = None,
    paper: bool = True,
) -> DigestItem:
    summary = Summary(
        id=n,
        paper_keys=("1312.6199",),
        guid=f"g{n}",
        source="s",
        author=author,
        url=f"https://www.shortscience.org/paper?bibtexKey=x#{n}",
        votes=votes,
        text=text,
        published=NOW,
        edited=None,
        first_seen=seen or NOW + timedelta(hours=n),
        title="" if paper else title,
    )
    papers = (Paper(key="1312.6199", title=title, arxiv_id="1312.6199"),) if paper else ()
    return DigestItem(summary=summary, papers=papers)


def digest(*items: DigestItem, more: int = 0) -> Digest:
    return Digest(destination="atom", items=tuple(items), more=more)


# ---------------------------------------------------------------- renderer


def test_a_digest_is_one_entry() -> None:
    d = digest(item(1, votes=1), item(2, seen=NOW - timedelta(days=1)), more=5)
    [post] = ar.render_digest(d, destination="atom", feed_url=FEED_URL)
    assert post.items == ("summary:1", "summary:2")
    assert post.key == json_post_key("atom", post.items)
    payload = post.payload
    assert payload["id"] == f"tag:shortbot,2026:digest/{post.key}"
    assert payload["title"] == "2 new summaries"
    assert payload["updated"] == "2026-11-23T09:00:00+00:00"  # the newest first_seen
    assert payload["links"] == [
        {"href": "https://www.shortscience.org/paper?bibtexKey=x#1", "rel": "alternate"}
    ]
    assert payload["items"][0] == {
        "key": "summary:1",
        "title": "Intriguing properties of neural networks",
        "author": "joecohen",
        "votes": 1,
        "excerpt": "Adversarial examples transfer between models.",
        "excerpt_html": "<p>Adversarial examples transfer between models.</p>",
        "url": "https://www.shortscience.org/paper?bibtexKey=x#1",
        "paper": "1312.6199",
    }
    # two summaries of one paper: the paper is named once, its summaries under it
    assert payload["content_html"].startswith(
        "<ul><li><strong>Intriguing properties of neural networks</strong> (2 summaries)<ul>"
        '<li><a href="https://www.shortscience.org/paper?bibtexKey=x#1">by joecohen · 1 vote</a>'
        "<div><p>Adversarial examples transfer between models.</p></div></li>"
    )
    assert payload["content_html"].count("Intriguing properties of neural networks") == 1
    assert payload["content_html"].endswith(
        '<p>…and 5 more at <a href="https://www.shortscience.org">ShortScience</a></p>'
    )
    assert ar.render_digest(d, destination="atom", feed_url=FEED_URL) == [post]
    assert ar.render_digest(digest(), destination="atom", feed_url=FEED_URL) == []
    one = ar.render_digest(digest(item(3)), destination="atom", feed_url=FEED_URL)[0]
    assert one.payload["title"] == "1 new summary"


def test_html_in_summaries_is_escaped() -> None:
    [post] = ar.render_digest(
        digest(item(1, title="<b>Bold</b> & co", text="<script>alert(1)</script> & more")),
        destination="atom",
        feed_url=FEED_URL,
    )
    content = post.payload["content_html"]
    assert "<script>" not in content and "<b>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in content
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in content


def test_naive_first_seen_is_taken_as_utc() -> None:
    naive = datetime(2026, 1, 2, 3, 4, 5)  # noqa: DTZ001 - the case under test
    [post] = ar.render_digest(digest(item(1, seen=naive)), destination="a", feed_url=FEED_URL)
    assert post.payload["updated"] == "2026-01-02T03:04:05+00:00"


# ---------------------------------------------------------------- publisher


@pytest.fixture
def feed_path(tmp_path: Path) -> Path:
    return tmp_path / "public" / "digests.xml"


@pytest.fixture
def publisher(feed_path: Path) -> AtomPublisher:
    return AtomPublisher("atom", path=feed_path, feed_url=FEED_URL, max_entries=3)


def entry_post(publisher: AtomPublisher, *items: DigestItem) -> Post:
    [post] = publisher.render(digest(*items))
    return post


def parse(path: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


async def test_the_feed_is_valid_atom(publisher: AtomPublisher, feed_path: Path) -> None:
    post = entry_post(publisher, item(1), item(2))
    sent = await publisher.send(post)
    assert sent == Sent(post_id=post.payload["id"], url=FEED_URL)
    assert publisher.platform == "atom" and publisher.name == "atom"
    parsed = parse(feed_path)
    assert parsed.feed.title == "shortbot digests"
    assert parsed.feed.id == FEED_URL
    assert [link.rel for link in parsed.feed.links] == ["self"]
    assert parsed.feed.author == "shortbot"
    [entry] = parsed.entries
    assert entry.id == post.payload["id"]
    assert entry.title == "2 new summaries"
    assert entry.updated == post.payload["updated"]
    assert entry.link == post.payload["links"][0]["href"]
    assert entry.content[0].type == "text/html"
    # feedparser sanitizes what it reads (<br/> comes back as <br />): why the publisher
    # reads its own file back with ElementTree instead
    assert entry.content[0].value.replace("<br />", "<br/>") == post.payload["content_html"]
    assert stat.S_IMODE(feed_path.stat().st_mode) == 0o644


async def test_entries_newest_first_and_bounded(publisher: AtomPublisher, feed_path: Path) -> None:
    posts = [entry_post(publisher, item(n)) for n in range(1, 6)]
    for post in posts:
        await publisher.send(post)
    parsed = parse(feed_path)
    assert [e.id for e in parsed.entries] == [p.payload["id"] for p in reversed(posts[2:])]
    updated = [e.updated for e in parsed.entries]
    assert updated == sorted(updated, reverse=True)
    assert parsed.feed.updated == posts[-1].payload["updated"]
    # the oldest fell out of the feed
    assert await publisher.find_sent(posts[0]) is None
    assert await publisher.find_sent(posts[-1]) == Sent(posts[-1].payload["id"], FEED_URL)


async def test_html_stays_text_in_the_file(publisher: AtomPublisher, feed_path: Path) -> None:
    nasty = item(1, title="<b>x</b> & y", text="<script>alert('x')</script> & <i>more</i>")
    await publisher.send(entry_post(publisher, nasty))
    [element] = ET.parse(feed_path).getroot().iter(f"{ATOM}entry")
    content = element.findtext(f"{ATOM}content")
    assert content is not None
    assert "&lt;script&gt;alert('x')&lt;/script&gt; &amp; &lt;i&gt;more" in content
    assert "<script" not in content and "<i>" not in content
    value = parse(feed_path).entries[0].content[0].value
    assert "&lt;script&gt;" in value and "&amp; &lt;i&gt;more&lt;/i&gt;" in value


async def test_resending_does_not_duplicate(publisher: AtomPublisher, feed_path: Path) -> None:
    post = entry_post(publisher, item(1))
    first = await publisher.send(post)
    written = feed_path.read_bytes()
    again = await publisher.send(post)
    assert again == first
    assert feed_path.read_bytes() == written
    assert len(parse(feed_path).entries) == 1


async def test_find_sent(publisher: AtomPublisher, feed_path: Path) -> None:
    post = entry_post(publisher, item(1))
    assert await publisher.find_sent(post) is None  # no file yet
    await publisher.send(entry_post(publisher, item(2)))
    assert await publisher.find_sent(post) is None
    await publisher.send(post)
    assert await publisher.find_sent(post) == Sent(post.payload["id"], FEED_URL)
    # a fresh publisher on the same file reads it back
    reopened = AtomPublisher("atom", path=feed_path, feed_url=FEED_URL)
    assert await reopened.find_sent(post) == Sent(post.payload["id"], FEED_URL)


async def test_entries_survive_a_restart_exactly(publisher: AtomPublisher, feed_path: Path) -> None:
    first = entry_post(publisher, item(1, text="<tricky> & ünïcode 😀"))
    await publisher.send(first)
    reopened = AtomPublisher("atom", path=feed_path, feed_url=FEED_URL, max_entries=3)
    await reopened.send(entry_post(reopened, item(2)))
    [_, old] = read_entries(feed_path)
    assert old == entry_values(first)
    value = parse(feed_path).entries[1].content[0].value
    assert value.replace("<br />", "<br/>") == first.payload["content_html"]


def no_temp_files(directory: Path) -> bool:
    return sorted(p.name for p in directory.iterdir()) == ["digests.xml"]


async def test_written_through_a_temp_file_replaced_last(
    publisher: AtomPublisher, feed_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    replaced: list[tuple[str, bool]] = []
    real_replace = os.replace
    loop_thread = threading.get_ident()

    def spy(src: str, dst: str) -> None:
        source = Path(src)
        assert source.parent == feed_path.parent and source.name.endswith(".tmp")
        assert Path(dst) == feed_path
        # the temp file is complete before it takes the feed's place
        assert not feedparser.parse(source.read_bytes()).bozo
        replaced.append((source.name, threading.get_ident() != loop_thread))
        real_replace(src, dst)

    monkeypatch.setattr(atom_module.os, "replace", spy)
    for n in (1, 2):
        await publisher.send(entry_post(publisher, item(n)))
    assert len(replaced) == 2
    assert all(off_loop for _, off_loop in replaced)  # file I/O ran in a worker thread
    assert no_temp_files(feed_path.parent)
    assert len(parse(feed_path).entries) == 2


async def test_a_failed_write_leaves_the_old_feed(
    publisher: AtomPublisher, feed_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = entry_post(publisher, item(1))
    await publisher.send(first)
    before = feed_path.read_bytes()

    def broken(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atom_module.os, "replace", broken)
    second = entry_post(publisher, item(2))
    with pytest.raises(Transient, match="No space left"):
        await publisher.send(second)
    assert feed_path.read_bytes() == before
    assert no_temp_files(feed_path.parent)
    monkeypatch.undo()
    assert await publisher.find_sent(second) is None
    await publisher.send(second)
    assert len(parse(feed_path).entries) == 2


async def test_an_unreadable_feed_is_never_overwritten(
    publisher: AtomPublisher, feed_path: Path
) -> None:
    feed_path.parent.mkdir(parents=True)
    for junk in (b"<feed><entry>half a fi", b"<rss version='2.0'/>"):
        feed_path.write_bytes(junk)
        with pytest.raises(Transient, match="unreadable"):
            await publisher.send(entry_post(publisher, item(1)))
        with pytest.raises(Transient, match="unreadable"):
            await publisher.find_sent(entry_post(publisher, item(1)))
        assert feed_path.read_bytes() == junk


async def test_concurrent_sends_all_land(publisher: AtomPublisher, feed_path: Path) -> None:
    publisher.max_entries = 10
    posts = [entry_post(publisher, item(n)) for n in range(1, 6)]
    await asyncio.gather(*(publisher.send(p) for p in posts))
    assert {e.id for e in parse(feed_path).entries} == {p.payload["id"] for p in posts}
    assert no_temp_files(feed_path.parent)


async def test_a_payload_that_is_not_an_entry_is_rejected(publisher: AtomPublisher) -> None:
    with pytest.raises(ItemRejected):
        await publisher.send(Post(key="k", items=("summary:1",), payload={"id": "x"}))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fields=st.lists(st.tuples(st.text(), st.text(), st.text()), min_size=0, max_size=8),
    title=st.text(),
    more=st.integers(0, 50),
    data=st.data(),
)
def test_any_unicode_makes_a_valid_feed(tmp_path: Path, fields, title, more, data) -> None:
    publisher = AtomPublisher("atom", path=tmp_path / "f.xml", feed_url=FEED_URL, title=title)
    d = digest(
        *(item(n, title=t, author=a, text=x) for n, (t, a, x) in enumerate(fields, 1)),
        more=more,
    )
    d = data.draw(with_papers(d, max_papers=6))
    [post] = publisher.render(d)
    entry = entry_values(post)
    data = publisher.feed_bytes([entry])
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.entries[0].id == post.payload["id"]
    root = ET.fromstring(data)
    [element] = root.iter(f"{ATOM}entry")
    assert element.findtext(f"{ATOM}content") == post.payload["content_html"]
    assert post.items == d.keys


def test_bad_configuration_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="max_entries"):
        AtomPublisher("a", path=tmp_path / "f.xml", feed_url=FEED_URL, max_entries=0)
    with pytest.raises(ValueError, match="feed_url"):
        AtomPublisher("a", path=tmp_path / "f.xml", feed_url="https://x/\x00")
