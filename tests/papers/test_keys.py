"""Ledger keys: one module names items and posts, and every post-key scheme stays as it was.

The expected hex strings below are ledger keys already stored in databases (and, for Discord,
nonces already sent): they were computed with the code of each platform before the schemes
moved to ``papers/keys.py``. A failure here means existing ledgers would stop recognising
their posts; change the code, never these values.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from papers import atom_render, discord_render, facebook_render, x_render
from papers.keys import (
    console_post_key,
    discord_post_key,
    item_key,
    json_post_key,
    paper_key,
    x_post_key,
)
from papers.model import Digest, DigestItem, Paper, PaperItem, Summary
from publishers.console import ConsolePublisher

NOW = datetime(2024, 5, 1, tzinfo=UTC)
ITEMS = ("summary:12", "paper:7v2")


def summary(ident: int) -> Summary:
    return Summary(
        id=ident,
        paper_keys=("1312.6199",),
        guid=f"g{ident}",
        source="s",
        author="Alice",
        url=f"https://www.shortscience.org/p#{ident}",
        votes=3,
        text="Adversarial examples.",
        published=NOW,
        edited=None,
        first_seen=NOW,
    )


PAPER = Paper("1312.6199", "Intriguing properties of neural networks", arxiv_id="1312.6199")
NEW_PAPER = PaperItem(Paper("2401.00001", "A new paper", arxiv_id="2401.00001"), "new", 2, 7, NOW)
DIGEST = Digest(
    "dest", (DigestItem(summary(12), (PAPER,)), DigestItem(summary(13), (PAPER,))), 0, (NEW_PAPER,)
)


def test_item_keys() -> None:
    assert item_key(12) == item_key(summary(12)) == "summary:12"
    assert paper_key(7, 2) == NEW_PAPER.key == "paper:7v2"
    assert DIGEST.keys == ("summary:12", "summary:13", "paper:7v2")


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        # ledger keys already stored in databases: never change these values
        (discord_post_key("discord-main", ITEMS), "ff65419ef333e5a980df8f8af"),
        (
            discord_post_key("discord-main", (), fallback="0\x1f**3 new summaries**"),
            "02981a0cb4ee2c32fb862acb9",
        ),
        (
            discord_post_key("alerts", ("x-main", "credentials rejected (401)")),
            "718c1adf686d35c7ad5785216",
        ),
        (console_post_key("console", ITEMS), "a1bcce9d0ec9ab1bd0815dd21"),
        (json_post_key("fb-page", ITEMS), "59354c9447279d30b4280064"),
        (json_post_key("fb-страница", ("summary:12", 'paper:"7"v2')), "0aca6a2c92765d4bbaa21110"),
        (x_post_key("x-main", "thread", ITEMS), "6d44480c2cc880fa250db7e2"),
        (x_post_key("x-main", "item", ("summary:12",)), "9e29f6839f12aee31c399047"),
    ],
)
def test_post_key_schemes_are_pinned(key: str, expected: str) -> None:
    assert key == expected


def test_renderers_keep_their_keys() -> None:
    # ledger keys already stored in databases: never change these values
    discord = discord_render.digest_posts(DIGEST, destination="dest", heading="**h**")
    assert [(p.key, p.items) for p in discord] == [("76a7c615ad04c8a72249ce2a3", DIGEST.keys)]
    page = facebook_render.render_digest(DIGEST, destination="dest", digest_url="https://s.org")
    atom = atom_render.render_digest(DIGEST, destination="dest", feed_url="https://s.org/atom")
    assert [p.key for p in page] == [p.key for p in atom] == ["2ee0cc08d22f0abaaf036bab"]
    console = ConsolePublisher("dest", stream=io.StringIO()).render(DIGEST)
    assert [p.key for p in console] == ["2e5d151409e9395080be58325"]
    items = ["87e91738f68017d9334695aa", "dcd10f4ce9200acea2632592", "762e4ceeec30c50a59576a90"]
    for mode, expected in (("thread", ["f191ad1933323c6137b031ec", *items]), ("per-item", items)):
        posts = x_render.render_digest(
            DIGEST, destination="dest", mode=mode, link_mode="links", digest_url="https://s.org"
        )
        assert [p.key for p in posts] == expected
