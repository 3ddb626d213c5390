"""Canonical post URLs (papers/urls.py) and skipped entries in words (papers/model.py)."""

from __future__ import annotations

import pytest

from papers.model import SkipReason, describe_skips
from papers.urls import canonical_url, is_tracking_parameter


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "https://medium.com/@a/post-1f2e3d?source=rss----7f60cf5620c9---4",
            "https://medium.com/@a/post-1f2e3d",
        ),
        (
            "https://towardsdatascience.com/post-1f2e3d?source=rss-6c2d9f1e8a47------2",
            "https://towardsdatascience.com/post-1f2e3d",
        ),
        (
            "https://medium.com/p/1f2e3d?source=post_page-----1f2e3d--------------------------------",
            "https://medium.com/p/1f2e3d",
        ),
        (
            "https://x.substack.com/p/issue-41?utm_source=substack&utm_medium=email&utm_content=share",
            "https://x.substack.com/p/issue-41",
        ),
        (
            "https://blog.example/p?id=7&utm_source=feed&ref=hn#notes",
            "https://blog.example/p?id=7#notes",
        ),
        ("https://blog.example/post/?ref=blog.example", "https://blog.example/post/"),
        (
            "https://blog.example/a?fbclid=IwAR0x&gclid=Cj0K&mc_cid=12ab&mc_eid=34cd&b=2",
            "https://blog.example/a?b=2",
        ),
        ("https://blog.example/a?UTM_Source=x&page=2", "https://blog.example/a?page=2"),
        ("https://blog.example/a?utm%5Fsource=x", "https://blog.example/a"),
        # kept: parameters that select content, in their order and spelling
        ("https://blog.example/?p=412", "https://blog.example/?p=412"),
        (
            "https://blog.example/feed?source=atom&b=%2F",
            "https://blog.example/feed?source=atom&b=%2F",
        ),
        ("https://www.shortscience.org/paper?bibtexKey=conf/nips/LeeS00#reader", None),
        # not http(s) URLs: unchanged
        ("tag:blogger.com,1999:blog-1.post-2", None),
        ("at://did:plc:abc/app.bsky.feed.post/3lbx7k2q4zc2s", None),
        ("6740c1f2a9d3e10001b2c4d7", None),
        ("", None),
    ],
)
def test_canonical_url(url: str, canonical: str | None) -> None:
    assert canonical_url(url) == (url if canonical is None else canonical)


def test_canonical_url_is_idempotent() -> None:
    url = "https://blog.example/a?utm_source=x&id=1&ref=y&source=rss----ab---4"
    once = canonical_url(url)
    assert once == "https://blog.example/a?id=1"
    assert canonical_url(once) == once


@pytest.mark.parametrize(
    ("name", "value", "tracking"),
    [
        ("utm_campaign", "x", True),
        ("source", "rss----7f60cf5620c9---4", True),
        ("source", "friends_link", True),
        ("source", "atom", False),
        ("sk", "a1b2", False),  # Medium's friend-link key opens the post: kept
        ("q", "arxiv", False),
    ],
)
def test_is_tracking_parameter(name: str, value: str, tracking: bool) -> None:
    assert is_tracking_parameter(name, value) is tracking


def test_skips_in_words_most_frequent_first() -> None:
    reasons = {SkipReason.NO_GUID: 1, SkipReason.NO_PAPER: 2}
    assert describe_skips(reasons) == "2 name no known paper, 1 has no guid or link"
    assert describe_skips({"api-error": 3, "not-arxiv": 1}) == (
        "3 are arXiv API errors, 1 is not an arXiv paper"
    )
    assert describe_skips({"something-new": 2, "no-paper": 0}) == "2 something-new"
    assert describe_skips({}) == ""
