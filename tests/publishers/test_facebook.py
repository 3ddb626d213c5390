"""Facebook Page posts: the renderer's limits, and the publisher against a fake Graph API."""

from __future__ import annotations

import logging
import re
import time
import traceback
import unicodedata
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papers import facebook_render as fr
from papers.keys import json_post_key
from papers.model import Digest, DigestItem, Paper, Summary
from papers.publishing import (
    AlreadyPosted,
    CredentialsRejected,
    ItemRejected,
    Post,
    PublishError,
    RateLimited,
    Sent,
    Transient,
)
from papers.render import papers_heading
from publishers.facebook import FacebookPublisher, retry_after
from tests.fakegraph import FakeGraph
from tests.httpserver import LocalHTTPServer
from tests.strategies import with_papers

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
TOKEN = "EAAB-page-token-secret-0123456789"
DIGEST_URL = "https://www.shortscience.org"
FLAG = re.compile("\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f")


def item(
    n: int,
    *,
    title: str = "Intriguing properties of neural networks",
    author: str = "joecohen",
    text: str = "Adversarial examples transfer between models.",
    votes: int | None = 3,
    url: str | None = "auto",
    paper: bool = True,
    key: str = "1312.6199",
) -> DigestItem:
    summary = Summary(
        id=n,
        paper_keys=(key,),
        guid=f"g{n}",
        source="s",
        author=author,
        url=f"https://www.shortscience.org/paper?bibtexKey=x#{n}" if url == "auto" else url,
        votes=votes,
        text=text,
        published=NOW,
        edited=None,
        first_seen=NOW + timedelta(minutes=n),
        title=title if not paper else "",
    )
    papers = (Paper(key=key, title=title, arxiv_id=key),) if paper else ()
    return DigestItem(summary=summary, papers=papers)


def digest(*items: DigestItem, more: int = 0, destination: str = "fb") -> Digest:
    return Digest(destination=destination, items=tuple(items), more=more)


# ---------------------------------------------------------------- renderer


def test_a_digest_is_one_readable_post() -> None:
    posts = fr.render_digest(
        digest(item(1), item(2, votes=1, title="Second", text="Short.", key="1706.02515"), more=4),
        destination="fb",
        digest_url=DIGEST_URL,
    )
    assert len(posts) == 1
    post = posts[0]
    assert post.items == ("summary:1", "summary:2")
    assert post.payload == {
        "message": (
            "New summaries on ShortScience:\n\n"
            "• Intriguing properties of neural networks — joecohen (3 votes)\n"
            "  Adversarial examples transfer between models.\n"
            "  https://www.shortscience.org/paper?bibtexKey=x#1\n\n"
            "• Second — joecohen (1 vote)\n"
            "  Short.\n"
            "  https://www.shortscience.org/paper?bibtexKey=x#2\n\n"
            "…and 4 more at https://www.shortscience.org"
        ),
        "link": "https://www.shortscience.org/paper?bibtexKey=x#1",
    }
    assert post.reply_to is None


def test_key_is_deterministic_per_destination_and_items() -> None:
    d = digest(item(1), item(2))
    a = fr.render_digest(d, destination="fb", digest_url=DIGEST_URL)[0]
    b = fr.render_digest(d, destination="fb", digest_url=DIGEST_URL)[0]
    other = fr.render_digest(d, destination="fb2", digest_url=DIGEST_URL)[0]
    fewer = fr.render_digest(digest(item(1)), destination="fb", digest_url=DIGEST_URL)[0]
    assert a.key == b.key and len(a.key) == 24 and int(a.key, 16) >= 0
    assert len({a.key, other.key, fewer.key}) == 3


def test_empty_digest_posts_nothing() -> None:
    assert fr.render_digest(digest(), destination="fb", digest_url=DIGEST_URL) == []


def test_link_falls_back_to_the_digest_url_and_unsafe_links_are_left_out() -> None:
    post = fr.render_digest(
        digest(item(1, url=None), item(2, url="javascript:alert(1)")),
        destination="fb",
        digest_url=DIGEST_URL,
    )[0]
    assert post.payload["link"] == DIGEST_URL
    assert "javascript" not in post.payload["message"]
    first_with_url = fr.render_digest(
        digest(item(1, url=None), item(2)), destination="fb", digest_url=DIGEST_URL
    )[0]
    assert first_with_url.payload["link"].endswith("#2")


def test_plain_text_without_controls_or_markdown_escapes() -> None:
    post = fr.render_digest(
        digest(
            item(
                1,
                title="A\u202e*bold*\x00 title\u200b",
                author="x\nY",
                text="line one\r\nline\ttwo\x07",
                paper=False,
            )
        ),
        destination="fb",
        digest_url=DIGEST_URL,
    )[0]
    message = post.payload["message"]
    assert "• A*bold* title — x Y (3 votes)\n  line one line two\n" in message
    assert "\\" not in message


def test_lone_surrogates_are_dropped() -> None:
    post = fr.render_digest(
        digest(item(1, title="a\ud800b", author="\udfffc", text="d\ud83d")),
        destination="fb",
        digest_url=DIGEST_URL,
    )[0]
    assert "• ab — c (3 votes)\n  d\n" in post.payload["message"]
    post.payload["message"].encode("utf-8")  # sendable


def test_excerpts_are_short() -> None:
    post = fr.render_digest(
        digest(item(1, text="word " * 500)), destination="fb", digest_url=DIGEST_URL
    )[0]
    excerpt_line = post.payload["message"].split("\n")[3]
    assert excerpt_line.startswith("  word") and excerpt_line.endswith("…")
    assert len(excerpt_line) <= 2 + fr.EXCERPT


def check_post(post: Post, d: Digest) -> None:
    message = post.payload["message"]
    assert fr.length(message) <= fr.MESSAGE_LIMIT
    assert len(message) <= fr.MESSAGE_LIMIT
    papers_title = papers_heading(d.paper_count) + ":"
    assert message.startswith((fr.HEADING if d.items else papers_title) + "\n\n")
    # the items carried are the digest's first ones, in order, each block whole
    n = len(post.items)
    assert n >= 1
    assert post.items == d.keys[:n]
    blocks = message.split("\n\n")[1 if d.items else 0 :]
    left_out = len(d.keys) + d.more - n
    if left_out:
        assert blocks[-1] == fr.more_line(left_out, DIGEST_URL)
        blocks = blocks[:-1]
    shown = d.items[:n]
    groups: dict[str, list[DigestItem]] = {}  # each paper named once, its summaries under it
    for shown_item in shown:
        key = shown_item.papers[0].key if shown_item.papers else shown_item.summary.guid
        groups.setdefault(key, []).append(shown_item)
    expected = [fr.render_group(group) for group in groups.values()]
    shown_papers = d.papers[: n - len(shown)]
    if shown_papers:
        expected += [papers_title, *(fr.render_paper(p) for p in shown_papers)]
    assert blocks == expected
    bullets = [line for line in message.split("\n") if line.startswith(fr.BULLET)]
    assert len(bullets) == len(groups) + len(shown_papers)
    # plain text: no control or format characters except the newlines of the layout
    # (the joiners that emoji sequences and Persian / Indic words need are text, and stay;
    # tag characters only inside a subdivision flag)
    assert all(
        ch in "\n\u200c\u200d" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
        for ch in FLAG.sub("", message)
    )
    assert post.key == json_post_key(d.destination, post.items)


unicode_text = st.text(max_size=3000)


@settings(max_examples=150, deadline=None)
@given(
    fields=st.lists(
        st.tuples(unicode_text, unicode_text, unicode_text, st.none() | st.integers(-5, 10**6)),
        min_size=0,
        max_size=30,
    ),
    more=st.integers(0, 10_000),
    paper=st.booleans(),
    data=st.data(),
)
def test_any_unicode_digest_fits_and_items_match(fields, more, paper, data) -> None:
    d = digest(
        *(
            item(n, title=t, author=a, text=x, votes=v, paper=paper)
            for n, (t, a, x, v) in enumerate(fields, start=1)
        ),
        more=more,
    )
    d = data.draw(with_papers(d, max_papers=20))
    posts = fr.render_digest(d, destination=d.destination, digest_url=DIGEST_URL)
    assert len(posts) == 1
    check_post(posts[0], d)


@settings(max_examples=10, deadline=None)
@given(
    count=st.integers(100, 3000),
    title=st.text(st.characters(min_codepoint=0x1F300, max_codepoint=0x1F6FF), min_size=1),
    size=st.integers(50, 5000),
)
def test_huge_digests_are_cut_between_items(count, title, size) -> None:
    d = digest(
        *(
            item(n, title=title * size, author="a" * size, text="émoji 😀 " * size)
            for n in range(1, count + 1)
        )
    )
    post = fr.render_digest(d, destination="fb", digest_url=DIGEST_URL)[0]
    check_post(post, d)
    if count * (fr.EXCERPT + fr.TITLE_CHARS) > fr.MESSAGE_LIMIT:
        assert len(post.items) < count  # some were cut: they go out next time
        assert post.payload["message"].endswith(fr.more_line(count - len(post.items), DIGEST_URL))


# ---------------------------------------------------------------- publisher


@pytest.fixture
def server() -> Iterator[LocalHTTPServer]:
    with LocalHTTPServer() as running:
        yield running


@pytest.fixture
def graph(server: LocalHTTPServer) -> FakeGraph:
    return FakeGraph(server, token=TOKEN)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(0.5)) as running:
        yield running


def make_publisher(graph: FakeGraph, client: httpx.AsyncClient, token: str = TOKEN):
    return FacebookPublisher(
        "fb-page",
        page_id=graph.page_id,
        page_token=token,
        client=client,
        graph_url=graph.base_url,
    )


@pytest.fixture
def publisher(graph: FakeGraph, client: httpx.AsyncClient) -> FacebookPublisher:
    return make_publisher(graph, client)


def one_post(publisher: FacebookPublisher, *items: DigestItem) -> Post:
    [post] = publisher.render(digest(*(items or (item(1), item(2)))))
    return post


async def test_a_post_is_made(publisher: FacebookPublisher, graph: FakeGraph) -> None:
    post = one_post(publisher)
    sent = await publisher.send(post)
    assert sent == Sent(
        post_id=f"{graph.page_id}_1", url=f"https://www.facebook.com/{graph.page_id}_1"
    )
    [made] = graph.posts
    assert made.message == post.payload["message"]
    assert made.link == post.payload["link"]
    request = graph.server.last(graph.path)
    assert request.method == "POST"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in request.target and TOKEN.encode() not in request.body
    assert publisher.platform == "facebook" and publisher.name == "fb-page"


async def test_a_duplicate_is_already_posted_with_the_earlier_post(
    publisher: FacebookPublisher, graph: FakeGraph
) -> None:
    post = one_post(publisher)
    first = await publisher.send(post)
    with pytest.raises(AlreadyPosted) as caught:
        await publisher.send(post)
    assert caught.value.sent == first
    assert "Duplicate status message" in caught.value.reason
    assert len(graph.posts) == 1


async def test_expired_token_is_rejected_credentials(
    publisher: FacebookPublisher, graph: FakeGraph
) -> None:
    graph.fail_next("expired")
    with pytest.raises(CredentialsRejected, match="Session has expired"):
        await publisher.send(one_post(publisher))
    assert graph.posts == []


async def test_a_wrong_token_is_rejected_credentials(
    graph: FakeGraph, client: httpx.AsyncClient
) -> None:
    wrong = make_publisher(graph, client, token="EAAB-some-other-token")
    with pytest.raises(CredentialsRejected, match="code 190"):
        await wrong.send(one_post(wrong))
    with pytest.raises(CredentialsRejected):
        await wrong.find_sent(one_post(wrong))


async def test_missing_permission_disables_rather_than_failing_items(
    publisher: FacebookPublisher, graph: FakeGraph
) -> None:
    graph.fail_next("permission")
    with pytest.raises(CredentialsRejected, match="pages_manage_posts"):
        await publisher.send(one_post(publisher))


@pytest.mark.parametrize(
    ("fault", "seconds"),
    [("page_rate_limit", 300.0), ("app_rate_limit", 60.0), ("too_many", 7.0)],
)
async def test_rate_limits(
    publisher: FacebookPublisher, graph: FakeGraph, fault: str, seconds: float
) -> None:
    graph.fail_next(fault)
    with pytest.raises(RateLimited) as caught:
        await publisher.send(one_post(publisher))
    assert caught.value.retry_after == seconds
    assert graph.posts == []


async def test_retry_after_header_wins(publisher: FacebookPublisher, graph: FakeGraph) -> None:
    graph.fail_next("page_rate_limit", headers={"Retry-After": "12"})
    with pytest.raises(RateLimited) as caught:
        await publisher.send(one_post(publisher))
    assert caught.value.retry_after == 12.0


def test_retry_after_sources() -> None:
    assert retry_after(httpx.Headers()) == 60.0
    assert retry_after(httpx.Headers({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})) == 0.0
    buc = '{"123": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 2}]}'
    assert retry_after(httpx.Headers({"X-Business-Use-Case-Usage": buc})) == 120.0
    assert retry_after(httpx.Headers({"X-App-Usage": "not json"})) == 60.0
    zero = '{"estimated_time_to_regain_access": 0}'
    assert retry_after(httpx.Headers({"X-Page-Usage": zero})) == 60.0


@pytest.mark.parametrize("fault", ["server_error", "html"])
async def test_server_errors_are_transient(
    publisher: FacebookPublisher, graph: FakeGraph, fault: str
) -> None:
    graph.fail_next(fault)
    with pytest.raises(Transient):
        await publisher.send(one_post(publisher))


async def test_a_refused_post_is_item_rejected(
    publisher: FacebookPublisher, graph: FakeGraph
) -> None:
    graph.fail_next("bad_request")
    with pytest.raises(ItemRejected, match="Invalid parameter"):
        await publisher.send(one_post(publisher))


async def test_a_timeout_is_transient_in_bounded_time(
    publisher: FacebookPublisher, graph: FakeGraph
) -> None:
    graph.fail_next("slow", delay=30)
    started = time.monotonic()
    with pytest.raises(Transient, match="timed out"):
        await publisher.send(one_post(publisher))
    assert time.monotonic() - started < 5


async def test_an_unreachable_graph_is_transient(client: httpx.AsyncClient) -> None:
    with LocalHTTPServer() as gone:
        url = gone.base_url
    publisher = FacebookPublisher("fb", page_id="1", page_token=TOKEN, client=client, graph_url=url)
    with pytest.raises(Transient, match="unreachable"):
        await publisher.send(one_post(publisher))


async def test_find_sent_after_a_crash(publisher: FacebookPublisher, graph: FakeGraph) -> None:
    """The post is made but the answer never arrives: find_sent reconciles from the Page."""
    other = one_post(publisher, item(7))
    await publisher.send(other)
    post = one_post(publisher)
    assert await publisher.find_sent(post) is None
    graph.fail_next("drop", delay=30)
    with pytest.raises(Transient):
        await publisher.send(post)
    assert len(graph.posts) == 2  # it was made after all
    found = await publisher.find_sent(post)
    assert found == Sent(f"{graph.page_id}_2", f"https://www.facebook.com/{graph.page_id}_2")
    request = graph.server.last(graph.path)
    assert request.method == "GET"
    assert request.query["fields"] == ["id,message,link,created_time"]
    assert request.query["limit"] == ["25"]
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in request.target
    # a retry anyway is refused as a duplicate, and still names the post made
    with pytest.raises(AlreadyPosted) as caught:
        await publisher.send(post)
    assert caught.value.sent == found


async def test_the_token_never_leaks(
    graph: FakeGraph, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    publisher = make_publisher(graph, client)
    wrong = make_publisher(graph, client, token=TOKEN + "-wrong")
    assert TOKEN not in repr(publisher) and TOKEN not in str(publisher)
    errors: list[PublishError] = []
    faults = ["expired", "page_rate_limit", "too_many", "server_error", "bad_request", "slow"]
    for n, fault in enumerate(faults, start=10):
        graph.fail_next(fault, delay=30)
        with pytest.raises(PublishError) as caught:
            await publisher.send(one_post(publisher, item(n)))
        errors.append(caught.value)
    await publisher.send(one_post(publisher, item(1)))
    with pytest.raises(AlreadyPosted) as duplicate:
        await publisher.send(one_post(publisher, item(1)))
    errors.append(duplicate.value)
    with pytest.raises(CredentialsRejected) as rejected:
        await wrong.send(one_post(wrong, item(2)))
    errors.append(rejected.value)
    assert len(errors) == len(faults) + 2
    for error in errors:
        text = "".join(traceback.format_exception(error))
        assert TOKEN not in text and TOKEN not in repr(error) and TOKEN not in error.reason
        assert all(TOKEN not in str(arg) for arg in error.args)
    assert caplog.records, "expected httpx and publisher log records"
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
        assert TOKEN not in str(record.args)
        assert TOKEN not in str(record.__dict__)
