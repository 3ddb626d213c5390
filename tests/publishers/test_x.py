"""X: our wrapper of twitter-text's rules (weighted length, URLs, emoji) on tricky text,
cutting to fit, rendering (checked with twitter-text as an oracle), and the publisher end to
end with the real tweepy client against a fake X API on 127.0.0.1."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
import unicodedata
import warnings
from dataclasses import replace
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, get_args

import aiohttp
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from papers import x_text
from papers.model import Digest, DigestItem, Paper, Summary
from papers.publishing import (
    AlreadyPosted,
    CredentialsRejected,
    ItemRejected,
    Post,
    Publisher,
    PublishError,
    RateLimited,
    Sent,
    Transient,
)
from papers.x_render import LinkMode, Mode, clean, render_digest
from papers.x_text import MAX_WEIGHTED, fit, weighted_length
from publishers.x import DEFAULT_RETRY_AFTER, XPublisher, comparable, retry_after
from tests.fakex import (
    DUPLICATE_DETAIL,
    Credentials,
    FakeX,
    Fault,
    PinnedResolver,
    oracle,
)
from tests.strategies import with_papers

DIGEST_URL = "https://www.shortscience.org/digest/x-main/2024-05-01"
MODES: tuple[Mode, ...] = get_args(Mode)
LINK_MODES: tuple[LinkMode, ...] = get_args(LinkMode)
NOW = datetime(2024, 5, 1, tzinfo=UTC)

# ---------------------------------------------------------------------------------------------
# Strategies

NEWER_EMOJI = [
    "\U0001fae0",  # melting face (14.0)
    "\U0001faf6\U0001f3fd",  # heart hands, medium skin tone (14.0)
    "\U0001f9d1\u200d\U0001f9d1\u200d\U0001f9d2",  # family: adult, adult, child (15.1)
    "\u2764\ufe0f\u200d\U0001f525",  # heart on fire (13.1)
    "\U0001f1fa\U0001f1f3",  # flag: United Nations
    "\U0001f426\u200d\u2b1b",  # black bird (15.0)
]
ORACLE_EMOJI = sorted(oracle.emoji_sequences())
LABEL = st.one_of(
    st.from_regex(r"[a-z0-9][a-z0-9-]{0,10}", fullmatch=True),
    st.sampled_from(["日本", "ñandú", "пример", "münchen", "a_b", "xn--p1ai", "EXAMPLE"]),
)
TLD = st.sampled_from(
    ["com", "co", "org", "jp", "io", "ai", "uk", "co.uk", "xn--p1ai", "香港", "рф", "barbaz", "c"]
)
PATH = st.sampled_from(
    ["", "/", "/path", "/a(b)c", "/x?y=1&z=2", "?q=x", ":8080/p", "/" + "a" * 40, "/é/ж", "/a."]
)
URL = st.builds(
    lambda scheme, labels, tld, path: scheme + ".".join([*labels, tld]) + path,
    st.sampled_from(["", "", "http://", "https://", "HTTPS://", "ftp://", "https://t.co/"]),
    st.lists(LABEL, min_size=1, max_size=3),
    TLD,
    PATH,
)
PIECE = st.one_of(
    st.text(max_size=20),
    st.text(st.characters(min_codepoint=0x3000, max_codepoint=0x9FFF), max_size=10),  # CJK
    URL,
    st.sampled_from(ORACLE_EMOJI),
    st.sampled_from(NEWER_EMOJI),
    st.sampled_from([" ", "\n", ".", "@", "#", "/", "-", "\u200d", "\ufe0f", "\U0001f3fb", "©"]),
)
TEXT = st.lists(PIECE, max_size=14).map("".join)
WORDS = st.lists(st.one_of(PIECE, st.just(" ")), max_size=40).map("".join)


# ---------------------------------------------------------------------------------------------
# X's text rules: twitter_text, wrapped (weighted length, URLs, emoji)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("hello", 5),
        ("日本語", 6),
        ("english text 日本語 😷 https://example.com", 46),
        ("a.co", 23),
        ("https://example.com/" + "a" * 200, 23),
        ("see example.com/path and t.co/abc", 55),
        ("論文 https://arxiv.org/abs/1312.6199 を読む", 35),  # CJK around a URL
        ("https://t.co/abc/def?x=1", 31),  # a t.co link ends after its slug
        ("https://t.co/" + "a" * 40, 23),
        ("https://t.co/" + "a" * 41, 54),  # a slug over 40: no link at all
        ("https://日本語.jp/パス", 27),  # the path's katakana is not part of the URL
        ("日本語.jp", 9),  # a bare domain must have an ASCII label to be a link
        ("email a@b.org", 13),  # no link after "@"
        ("-example.com", 12),  # nor after "-", "_", "." or "/"
        ("https://example.com/" + "a" * 4100, 4120),  # over 4096 characters: no link
        ("foo.com.日本.com/x", 31),  # the link is "foo.com/x": 23, then the rest of the span
        ("👨\u200d👩\u200d👧\u200d👦", 2),  # one ZWJ family
        ("👍🏽", 2),  # a skin tone
        ("❤️", 2),  # a variation selector
        ("1️⃣ 🇫🇷 🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f", 8),
        ("© ®", 5),  # emoji, though below U+1100
        ("\U0001fae0", 2),  # an emoji newer than the list (14.0), one code point: 2 anyway
        ("\U0001faf6\U0001f3fd", 4),  # newer, with a skin tone: per code point (safe side)
        ("\U0001f9d1\u200d\U0001f9d1\u200d\U0001f9d2", 8),  # newer ZWJ family (15.1)
        ("\u2764\ufe0f\u200d\U0001f525", 5),  # heart on fire (13.1): ❤️, ZWJ, 🔥
        ("e\u0301", 1),  # NFC: é
        ("— ‘’ “”", 7),  # General Punctuation counts 1
        ("…", 2),
        ("x\ry", 3),
        ("x\r\ny", 4),  # the one divergence: twitter-text-python says 3
    ],
)
def test_weighted_length_examples(text: str, expected: int) -> None:
    assert weighted_length(text) == expected


# Configuration v3's weights, written out here: these code points weigh 1, every other one 2.
LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


def plain_weight(text: str) -> int:
    return sum(
        1 if any(low <= ord(c) <= high for low, high in LIGHT) else 2
        for c in unicodedata.normalize("NFC", text)
    )


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_weighted_length_weighs_code_points_as_configuration_v3(text: str) -> None:
    # no URL (it needs a dot), no emoji sequence, no © or ® (emoji that would weigh 1)
    text = text.replace(".", "").replace("©", "").replace("®", "")
    assume(not x_text.emoji_entities(x_text.normalise(text)))
    assert weighted_length(text) == plain_weight(text)  # CR LF included: 2


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(TEXT, st.text(max_size=60)))
def test_weighted_length_is_twitter_texts_but_for_crlf(text: str) -> None:
    crlf = unicodedata.normalize("NFC", text).count("\r\n")
    assert weighted_length(text) == oracle.weighted_length(text) + crlf  # never under


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://t.co/abc/def?x=1", [(0, 16, "https://t.co/abc")]),
        ("https://t.co/" + "a" * 41, []),
        ("t.co/abc", [(0, 8, "t.co/abc")]),
        ("(see example.com).", [(5, 16, "example.com")]),
        ("https://example.com/a(b)c?q=1.", [(0, 29, "https://example.com/a(b)c?q=1")]),
        ("see 日本語.example.com/x", [(8, 21, "example.com/x")]),
        ("https://日本語.jp/パス", [(0, 15, "https://日本語.jp/")]),
        ("münchen.de", [(0, 10, "münchen.de")]),
        ("xn--p1ai.рф/x", [(0, 13, "xn--p1ai.рф/x")]),
        ("日本語.jp a@b.org -example.com x_example.com", []),
        # the span runs to the end of the path, the URL is shorter: twitter-text skips
        # only len(url) when counting, and a cut never falls inside the span
        ("foo.com.日本.com/x", [(0, 16, "foo.com/x")]),
    ],
)
def test_url_entities_examples(text: str, expected: list[tuple[int, int, str]]) -> None:
    assert x_text.url_entities(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("👍🏽👨\u200d👩\u200d👧\u200d👦", [(0, 2), (2, 9)]),
        (
            "1️⃣🇫🇷🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
            [(0, 3), (3, 5), (5, 12)],
        ),
        ("©️ © 😷", [(0, 2)]),  # single code points are no sequence
        ("\u2764\ufe0f\u200d\U0001f525", [(0, 2)]),  # newer than the list: ❤️ only
        ("\U0001faf6\U0001f3fd", []),
    ],
)
def test_emoji_entities_examples(text: str, expected: list[tuple[int, int]]) -> None:
    assert x_text.emoji_entities(text) == expected


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_extract_urls_sees_the_text_as_weighted_length_does(text: str) -> None:
    normal = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    assert x_text.normalise(text) == normal
    assert x_text.extract_urls(text) == oracle.extract_urls(normal)


def test_importing_twitter_text_is_quiet_and_silences_nothing_else() -> None:
    # pkg_resources' deprecation warning is ignored around the import, nothing else, and the
    # filter does not outlive it
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", "import papers.x_text"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    with pytest.raises(UserWarning, match="pkg_resources is deprecated"):
        warnings.warn("pkg_resources is deprecated as an API", UserWarning, stacklevel=1)


# ---------------------------------------------------------------------------------------------
# fit


def _breaks_inside(kept: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < kept < end for start, end in spans)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(WORDS, st.integers(min_value=0, max_value=120))
def test_fit_fits_and_cuts_cleanly(text: str, limit: int) -> None:
    result = fit(text, limit)
    assert oracle.weighted_length(result) <= weighted_length(result) <= limit
    if weighted_length(text) <= limit:
        assert result == text
        return
    if not result:
        assert limit < 2
        return
    assert result.endswith("…")
    normal = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    kept = result[:-1].rstrip(" ")
    assert normal.startswith(kept)
    cut = len(kept)
    urls = [(start, end) for start, end, _ in x_text.url_entities(normal)]
    assert not _breaks_inside(cut, urls)
    assert not _breaks_inside(cut, x_text.emoji_entities(normal))
    if 0 < cut < len(normal):  # nothing that attached to a kept character is left behind
        after = normal[cut]
        assert unicodedata.category(after) not in ("Mn", "Mc", "Me")
        assert after not in ("\u200d", "\ufe0f") and not 0x1F3FB <= ord(after) <= 0x1F3FF


def test_fit_examples() -> None:
    assert fit("short", 10) == "short"
    assert fit("one two three four five six", 15) == "one two three…"
    long_url = "https://example.com/" + "a" * 100
    assert fit(f"see {long_url} and more words here", 30) == f"see {long_url} …"
    family = "👨\u200d👩\u200d👧\u200d👦"
    assert fit(family * 50, 9) == family * 3 + "…"
    assert fit("日本語のテキスト" * 30, 12) == "日本語のテ…"  # 2 each, and 2 for "…"
    assert fit("anything", 1) == ""


# ---------------------------------------------------------------------------------------------
# render_digest


def summary(
    ident: int,
    text: str = "This paper shows that neural networks have adversarial examples.",
    *,
    author: str = "Alice",
    votes: int | None = 3,
    url: str | None = None,
    title: str = "",
) -> Summary:
    return Summary(
        id=ident,
        paper_keys=("1312.6199",),
        guid=f"guid-{ident}",
        source="shortscience",
        author=author,
        url=url or f"https://www.shortscience.org/paper?bibtexKey=x#summary-{ident}",
        votes=votes,
        text=text,
        published=NOW,
        edited=None,
        first_seen=NOW,
        title=title,
    )


PAPER = Paper("1312.6199", "Intriguing properties of neural networks", arxiv_id="1312.6199")


def digest(count: int = 3, more: int = 0) -> Digest:
    items = tuple(DigestItem(summary(i + 1, votes=i + 3), (PAPER,)) for i in range(count))
    return Digest("x-main", items, more)


def render(d: Digest, mode: Mode, link_mode: LinkMode, url: str = DIGEST_URL) -> list[Post]:
    return render_digest(d, destination="x-main", mode=mode, link_mode=link_mode, digest_url=url)


def texts(posts: list[Post]) -> list[str]:
    return [str(p.payload["text"]) for p in posts]


def test_render_per_item_links() -> None:
    posts = render(digest(2), "per-item", "links")
    assert texts(posts) == [
        f"Intriguing properties of neural networks — summary by Alice ({i + 2} votes): This "
        "paper shows that neural networks have adversarial examples. "
        f"https://www.shortscience.org/paper?bibtexKey=x#summary-{i}"
        for i in (1, 2)
    ]
    assert [p.items for p in posts] == [("summary:1",), ("summary:2",)]
    assert all(p.reply_to is None and "reply" not in p.payload for p in posts)


def test_render_thread_one_link() -> None:
    posts = render(digest(2, more=4), "thread", "one-link")
    assert texts(posts) == [
        # the paper of both summaries is named once
        "2 new summaries on ShortScience: Intriguing properties of neural networks "
        f"(2 summaries) — and 4 more {DIGEST_URL}",
        *[
            "Intriguing properties of neural networks (arXiv 1312.6199) — summary by Alice "
            f"({votes} votes): This paper shows that neural networks have adversarial examples."
            for votes in (3, 4)
        ],
    ]
    assert [p.items for p in posts] == [(), ("summary:1",), ("summary:2",)]
    assert [p.reply_to for p in posts] == [None, 0, 1]
    assert posts[2].payload["reply"] == {"in_reply_to_post_index": 1}


def test_render_empty_digest() -> None:
    assert render(Digest("x-main", ()), "thread", "links") == []


def test_render_defuses_mentions_and_links() -> None:
    item = DigestItem(
        summary(7, "Thanks @bob! Code at github.com/x/y and https://t.co/abc; mail a@b.org"),
        (PAPER,),
    )
    linked, unlinked = (
        texts(render(Digest("x-main", (item,)), "per-item", mode))[0] for mode in LINK_MODES
    )
    assert "@\u200bbob" in linked and "a@b.org" in linked
    assert oracle.extract_urls(linked)[:2] == ["github.com/x/y", "https://t.co/abc"]
    assert oracle.extract_urls(unlinked) == [DIGEST_URL]
    assert "github\u2024com/x/y" in unlinked


def test_render_cuts_long_summaries_to_fit() -> None:
    long_text = "Adversarial examples 対抗的な例 transfer between models 🤖. " * 40
    d = Digest("x-main", (DigestItem(summary(1, long_text, author="Ω" * 100), (PAPER,)),))
    for mode in MODES:
        for link_mode in LINK_MODES:
            for p in render(d, mode, link_mode):
                text = str(p.payload["text"])
                assert oracle.weighted_length(text) <= MAX_WEIGHTED
                if p.items:  # the summary's post uses the room
                    assert weighted_length(text) >= MAX_WEIGHTED - 30


def test_keys_are_deterministic_and_distinct() -> None:
    first, again = render(digest(3), "thread", "links"), render(digest(3), "thread", "links")
    assert [p.key for p in first] == [p.key for p in again]
    assert len({p.key for p in first}) == len(first)
    assert all(len(p.key) == 24 and int(p.key, 16) >= 0 for p in first)
    elsewhere = render_digest(
        digest(3), destination="x-other", mode="thread", link_mode="links", digest_url=DIGEST_URL
    )
    assert not {p.key for p in first} & {p.key for p in elsewhere}


SHORT_TEXT = st.one_of(WORDS, st.text(max_size=30))
SUMMARIES = st.builds(
    lambda text, author, votes, url, title: (text, author, votes, url, title),
    st.one_of(WORDS, st.text(max_size=800)),
    SHORT_TEXT,
    st.none() | st.integers(min_value=0, max_value=10**6),
    st.none()
    | st.sampled_from(["https://www.shortscience.org/p?k=1", "https://x.org/" + "q" * 300]),
    SHORT_TEXT,
)
PAPERS = st.builds(
    lambda title, arxiv: Paper(arxiv or "key", title, arxiv_id=arxiv),
    st.one_of(WORDS, st.text(max_size=300)),
    st.none() | st.sampled_from(["1312.6199", "2401.00001", "hep-th/9901001"]),
)


@st.composite
def digests(draw: st.DrawFn) -> Digest:
    rows = draw(st.lists(SUMMARIES, min_size=0, max_size=5))
    items = []
    for ident, (text, author, votes, url, title) in enumerate(rows, start=1):
        papers = tuple(draw(st.lists(PAPERS, max_size=2)))
        s = replace(summary(ident, text, author=author, votes=votes, title=title), url=url)
        items.append(DigestItem(s, papers))
    more = draw(st.integers(min_value=0, max_value=30))
    return draw(with_papers(Digest("x-main", tuple(items), more), max_papers=4))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(digests(), st.sampled_from(MODES), st.sampled_from(LINK_MODES))
def test_render_properties(d: Digest, mode: Mode, link_mode: LinkMode) -> None:
    posts = render(d, mode, link_mode)
    for text in texts(posts):
        parsed = oracle.parse_tweet(text)
        assert parsed.valid, text
        assert parsed.weightedLength <= weighted_length(text) <= MAX_WEIGHTED
    # each item in exactly one post, in order; the head carries none
    carried = [key for p in posts for key in p.items]
    assert carried == list(d.keys)
    if mode == "thread":
        assert len(posts) == len(d.keys) + 1 and posts[0].items == ()
        assert [p.reply_to for p in posts] == [None, *range(len(posts) - 1)]
        for index, post in enumerate(posts[1:], start=1):
            assert post.payload["reply"] == {"in_reply_to_post_index": index - 1}
    else:
        assert len(posts) == len(d.keys)
        assert all(p.reply_to is None and "reply" not in p.payload for p in posts)
    if link_mode == "one-link":
        urls = [oracle.extract_urls(text) for text in texts(posts)]
        assert urls[0] == [DIGEST_URL] and not any(urls[1:])
    if d.more:
        where = texts(posts)[0] if mode == "thread" else texts(posts)[-1]
        assert f"and {d.more} more" in where
    assert [p.key for p in posts] == [p.key for p in render(d, mode, link_mode)]
    assert len({p.key for p in posts}) == len(posts)


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=200))
def test_clean_makes_one_safe_line(text: str) -> None:
    for one_link in (False, True):
        cleaned = clean(text, one_link=one_link)
        assert cleaned == cleaned.strip() and "\n" not in cleaned and "  " not in cleaned
        assert all(unicodedata.category(c) not in ("Cc", "Cs") for c in cleaned)
        assert not set(cleaned) & {"\ufffe", "\ufeff", "\uffff", "\u202e"}
        if one_link:
            assert oracle.extract_urls(cleaned) == []


# ---------------------------------------------------------------------------------------------
# The publisher against the fake X


def make_publisher(
    fake: FakeX,
    session: aiohttp.ClientSession,
    *,
    credentials: Credentials | None = None,
    **options: Any,
) -> XPublisher:
    creds = credentials or fake.credentials
    return XPublisher("x-main", **creds.as_kwargs(), session=session, **options)


@pytest.fixture
def publisher(fake: FakeX, session: aiohttp.ClientSession) -> XPublisher:
    return make_publisher(fake, session, timeout=2.0, digest_url=DIGEST_URL)


def post(text: str, key: str = "k", items: tuple[str, ...] = ("summary:1",)) -> Post:
    return Post(key, items, {"text": text})


def test_publisher_matches_the_protocol(publisher: XPublisher) -> None:
    checked: Publisher = publisher
    assert checked.platform == "x" and checked.name == "x-main"
    assert publisher.posts_needed(digest(3)) == 4  # thread: a head and three replies


async def test_thread_is_posted_as_replies(fake: FakeX, publisher: XPublisher) -> None:
    posts = publisher.render(digest(3, more=2))
    sent: list[Sent] = []
    for p in posts:
        previous = sent[p.reply_to] if p.reply_to is not None else None
        sent.append(await publisher.send(p, reply_to=previous))
    assert [s.post_id for s in sent] == [p.id for p in fake.posts]
    assert [fake.post(s.post_id).in_reply_to for s in sent] == [None] + [
        s.post_id for s in sent[:-1]
    ]
    assert fake.texts == texts(posts)
    assert all(s.url == f"https://x.com/i/web/status/{s.post_id}" for s in sent)
    bodies = [r.json() for r in fake.requests if r.route == "create_tweet"]
    assert bodies[0] == {"text": texts(posts)[0]}
    assert bodies[1] == {
        "text": texts(posts)[1],
        "reply": {"in_reply_to_tweet_id": sent[0].post_id},
    }
    assert fake.auth_failures == []
    assert {r.headers["Host"] for r in fake.requests} == {"api.twitter.com"}


async def test_per_item_posts_stand_alone(fake: FakeX, session: aiohttp.ClientSession) -> None:
    publisher = make_publisher(fake, session, mode="per-item", link_mode="one-link")
    posts = publisher.render(digest(3))
    sent = [await publisher.send(p) for p in posts]
    assert len(sent) == len(fake.posts) == 3
    assert all(p.in_reply_to is None for p in fake.posts)
    assert [oracle.extract_urls(t) for t in fake.texts] == [[publisher.digest_url], [], []]


async def test_reply_without_its_head_is_posted_alone(fake: FakeX, publisher: XPublisher) -> None:
    reply = publisher.render(digest(1))[1]
    assert reply.reply_to == 0
    sent = await publisher.send(reply)
    assert fake.post(sent.post_id).in_reply_to is None


async def test_rate_limited(fake: FakeX, publisher: XPublisher) -> None:
    fake.fail_next("create_tweet", Fault.rate_limited(reset_in=30))
    with pytest.raises(RateLimited) as caught:
        await publisher.send(post("hello"))
    assert 27 <= caught.value.retry_after <= 31
    fake.fail_next("create_tweet", Fault.rate_limited(reset_in=3600, daily=True))
    with pytest.raises(RateLimited) as caught:
        await publisher.send(post("hello"))
    assert 3590 <= caught.value.retry_after <= 3601  # the 24-hour cap, not the window
    assert fake.posts == []


def test_retry_after_headers() -> None:
    now = 1_700_000_000.0
    assert retry_after({"x-rate-limit-reset": str(int(now) + 90)}, now) == 90
    assert retry_after({"x-rate-limit-reset": str(int(now) - 5)}, now) == 1  # at least 1 s
    assert retry_after({"Retry-After": "12"}, now) == 12
    date = format_datetime(datetime.fromtimestamp(now + 300, UTC), usegmt=True)
    assert retry_after({"Retry-After": date}, now) == 300
    assert retry_after({}, now) == DEFAULT_RETRY_AFTER
    assert retry_after({"x-rate-limit-reset": "soon", "Retry-After": "later"}, now) == 60


@pytest.mark.parametrize(
    "fault", [Fault.server_error(), Fault.server_error(503, html_body=True)], ids=["json", "html"]
)
async def test_server_errors_are_transient(
    fake: FakeX, publisher: XPublisher, fault: Fault
) -> None:
    fake.fail_next("create_tweet", fault)
    with pytest.raises(Transient, match=str(fault.status)):
        await publisher.send(post("hello"))
    assert (await publisher.send(post("hello"))).post_id == fake.posts[0].id


async def test_timeout_is_transient_and_find_sent_recovers(
    fake: FakeX, session: aiohttp.ClientSession
) -> None:
    publisher = make_publisher(fake, session, timeout=0.3)
    fake.fail_next("create_tweet", Fault.slow(5))
    started = time.monotonic()
    with pytest.raises(Transient, match="did not answer"):
        await publisher.send(post("slow"))
    assert time.monotonic() - started < 2
    assert fake.posts == []
    # The post is made but its answer is lost (a crash between request and record).
    lost = post("made, but the answer was lost: https://arxiv.org/abs/1312.6199 & more")
    fake.fail_next("create_tweet", Fault.lost_answer(5))
    with pytest.raises(Transient):
        await publisher.send(lost)
    assert len(fake.posts) == 1
    found = await publisher.find_sent(lost)
    assert found == Sent(fake.posts[0].id, f"https://x.com/i/web/status/{fake.posts[0].id}")
    assert await publisher.find_sent(post("never sent")) is None


async def test_find_sent_after_a_dropped_result(fake: FakeX, publisher: XPublisher) -> None:
    p = publisher.render(digest(1))[0]
    sent = await publisher.send(p)  # sent; the caller "crashes" before recording it
    fake.add_post("something else, later")
    assert await publisher.find_sent(p) == sent
    other = publisher.render(digest(2))[2]
    assert await publisher.find_sent(other) is None
    assert fake.count("get_me") == 1  # the account id is asked once


@pytest.mark.parametrize("how", ["scripted", "revoked", "wrong token", "wrong secret"])
async def test_credentials_rejected(fake: FakeX, session: aiohttp.ClientSession, how: str) -> None:
    credentials = fake.credentials
    if how == "wrong token":
        credentials = Credentials(access_token="1790000000000000001-someoneElse")
    elif how == "wrong secret":
        credentials = Credentials(consumer_secret="not-the-secret")
    publisher = make_publisher(fake, session, credentials=credentials)
    if how == "scripted":
        fake.fail_next("create_tweet", Fault.expired_token())
    elif how == "revoked":
        fake.revoke_token()
    with pytest.raises(CredentialsRejected, match="401"):
        await publisher.send(post("hello"))
    expected = {
        "scripted": [],
        "revoked": ["invalid or expired access token"],
        "wrong token": ["invalid or expired access token"],
        "wrong secret": ["bad signature"],
    }
    assert fake.auth_failures == expected[how]
    assert fake.posts == []


async def test_app_without_write_permission(fake: FakeX, publisher: XPublisher) -> None:
    body = {
        "title": "Unsupported Authentication",
        "detail": "Your client app is not configured with the appropriate oauth1 app "
        "permissions for this endpoint.",
        "type": "https://api.twitter.com/2/problems/oauth1-permissions",
        "status": 403,
    }
    fake.fail_next("create_tweet", Fault(403, body))
    with pytest.raises(CredentialsRejected, match="oauth1 app permissions"):
        await publisher.send(post("hello"))


async def test_duplicate_is_already_posted_with_the_earlier_post(
    fake: FakeX, publisher: XPublisher
) -> None:
    text = "Attention is all you need — summary by Bob: tl;dr <transformers> & more https://example.com/a"
    earlier = fake.add_post(text)
    assert earlier.shown != text  # X shows t.co links, and escapes & < > in timelines
    with pytest.raises(AlreadyPosted, match="duplicate content") as caught:
        await publisher.send(post(text))
    assert caught.value.sent == Sent(earlier.id, f"https://x.com/i/web/status/{earlier.id}")
    assert DUPLICATE_DETAIL in caught.value.reason
    assert len(fake.posts) == 1


async def test_duplicate_not_found_among_recent_posts(fake: FakeX, publisher: XPublisher) -> None:
    fake.add_post("the earlier one")
    for n in range(100):
        fake.add_post(f"filler {n}")
    with pytest.raises(AlreadyPosted) as caught:
        await publisher.send(post("the earlier one"))
    assert caught.value.sent is None


async def test_rejected_posts(fake: FakeX, publisher: XPublisher) -> None:
    with pytest.raises(ItemRejected, match="400"):
        await publisher.send(post("x" * 281))  # over 280
    with pytest.raises(ItemRejected, match="no such post"):
        await publisher.send(post("a reply"), reply_to=Sent("123"))
    assert fake.posts == []


async def test_connection_errors_are_transient(fake: FakeX, publisher: XPublisher) -> None:
    await fake.close()
    with pytest.raises(Transient, match="could not be reached"):
        await publisher.send(post("hello"))


async def test_the_session_reaches_nothing_but_the_fake(
    fake: FakeX, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(aiohttp.ClientConnectorError) as refused:
        await session.get("https://example.com/")
    assert "tests make no network calls" in str(refused.value.os_error)
    connector = session.connector
    assert isinstance(connector, aiohttp.TCPConnector)
    resolver = connector._resolver  # to read what was looked up
    assert isinstance(resolver, PinnedResolver)
    assert resolver.lookups == [("example.com", 443)]


async def test_secrets_stay_out_of_errors_reprs_and_logs(
    fake: FakeX, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    publisher = make_publisher(fake, session, timeout=0.3)
    errors: list[PublishError] = []
    for fault in (
        Fault.rate_limited(),
        Fault.server_error(),
        Fault.server_error(502, html_body=True),
        Fault.expired_token(),
        Fault.slow(3),
    ):
        fake.fail_next("create_tweet", fault)
        with pytest.raises(PublishError) as caught:
            await publisher.send(post("hello"))
        errors.append(caught.value)
    await publisher.send(post("hello"))
    with pytest.raises(AlreadyPosted) as duplicate:
        await publisher.send(post("hello"))
    errors.append(duplicate.value)
    wrong = make_publisher(fake, session, credentials=Credentials(consumer_secret="nope-nope"))
    with pytest.raises(CredentialsRejected) as rejected:
        await wrong.send(post("bye"))
    errors.append(rejected.value)

    assert "Making API request" in caplog.text  # tweepy did log each request, headers included
    seen = [caplog.text, repr(publisher), str(vars(publisher)), repr(wrong)]
    for error in errors:
        seen += [str(error), repr(error), error.reason]
        chained = error.__cause__ or error.__context__
        assert chained is None or isinstance(chained, PublishError)
    secrets = (*fake.credentials.secrets, "nope-nope")
    for text in seen:
        for secret in secrets:
            assert secret not in text


async def test_a_given_session_is_left_open(fake: FakeX, session: aiohttp.ClientSession) -> None:
    async with make_publisher(fake, session) as publisher:
        await publisher.send(post("hello"))
    assert not session.closed
    async with XPublisher("x-main", **fake.credentials.as_kwargs()):
        pass  # made no session: nothing to close


def test_comparable_masks_what_x_rewrites() -> None:
    sent = "Read https://www.shortscience.org/paper?bibtexKey=a#b  now"
    shown = "Read https://t.co/abcdefghij now"
    assert comparable(sent) == comparable(shown)
    assert comparable("a b") != comparable("a c")
