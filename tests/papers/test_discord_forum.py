"""A digest as forum posts and as a thread on its heading (pure): one post per paper, named by
its title within Discord's 100 characters, tagged by name with at most 5 of the forum's tags;
keys as a channel's messages have them; a per-digest head that carries no item and whose key
names the digest's items."""

from __future__ import annotations

from dataclasses import replace

from papers.discord_forum import FORUM_POST, forum_posts, matching_tags
from papers.discord_limits import EMBEDS_PER_MESSAGE
from papers.discord_render import digest_posts
from papers.discord_threads import IN_THREAD, START_THREAD, per_digest_posts, thread_name
from papers.model import Digest, DigestItem, PaperItem
from tests.publishers.test_discord_publish import NOW, make_paper, make_summary

TAGS = [
    {"id": "901", "name": "CS.LG"},
    {"id": "902", "name": "stat.ML"},
    {"id": "903", "name": "cs.CV"},
    {"id": "904", "name": "cs.CL"},
    {"id": "905", "name": "math.OC"},
    {"id": "906", "name": "cs.AI"},
    {"id": "907", "name": "Question"},
]


def test_tags_are_matched_by_name_in_the_papers_order_and_at_most_five() -> None:
    assert matching_tags(["stat.ML", "cs.LG"], TAGS) == ["902", "901"]  # case ignored
    assert matching_tags(["cs.NE", "q-bio.NC"], TAGS) == []
    many = ["cs.AI", "cs.CL", "cs.CV", "cs.LG", "math.OC", "stat.ML"]
    assert matching_tags(many, TAGS) == ["906", "904", "903", "901", "905"]


def test_each_paper_is_one_post_named_by_its_title_and_tagged() -> None:
    long = make_paper(7, title="Attention Is All You Need, " * 8)
    short = replace(make_paper(8, title="Adam: A Method for $\\beta$-Stochastic Optimization"))
    items = (
        DigestItem(make_summary(1, body="first"), (long,)),
        DigestItem(make_summary(2, body="second"), (short,)),
        DigestItem(make_summary(3, body="third"), (long,)),
    )
    paper = replace(make_paper(9, title="Scaling laws"), categories=("cs.CL",))
    new = PaperItem(paper, "new", version=1, paper_id=41, first_seen=NOW)
    digest = Digest("forum", items, papers=(new,))
    posts = forum_posts(digest, destination="forum", tags=TAGS, archive_minutes=4320)
    assert [p.payload[FORUM_POST]["paper"] for p in posts] == [
        "2401.00007",
        "2401.00008",
        "2401.00009",
    ]
    names = [p.payload[FORUM_POST]["name"] for p in posts]
    assert len(names[0]) == 100 and names[0].endswith("…")
    assert names[0].startswith("Attention Is All You Need, Attention")
    assert names[1] == "Adam: A Method for β-Stochastic Optimization"  # plain text, TeX as Unicode
    assert names[2] == "Scaling laws"
    assert [p.payload[FORUM_POST]["applied_tags"] for p in posts] == [["901", "902"]] * 2 + [
        ["904"]
    ]
    assert {p.payload[FORUM_POST]["auto_archive_duration"] for p in posts} == {4320}
    assert posts[0].items == ("summary:1", "summary:3")
    # the same items make the same keys as in a channel: one scheme for Discord's nonces
    channel = digest_posts(Digest("forum", items[1:2]), destination="forum", heading="")
    assert posts[1].key == channel[0].key


def test_a_paper_too_long_for_one_message_takes_several_of_one_post() -> None:
    paper = make_paper(3)
    items = tuple(DigestItem(make_summary(n), (paper,)) for n in range(1, 61))
    posts = forum_posts(Digest("forum", items), destination="forum", tags=TAGS, archive_minutes=60)
    assert len(posts) > 1
    assert {p.payload[FORUM_POST]["paper"] for p in posts} == {"2401.00003"}
    assert all(len(p.payload["embeds"]) <= EMBEDS_PER_MESSAGE for p in posts)
    assert sum(len(p.items) for p in posts) == 60


def test_a_per_digest_head_carries_no_item_and_names_the_digests() -> None:
    items = tuple(DigestItem(make_summary(n), (make_paper(n),)) for n in range(1, 4))
    posts = per_digest_posts(
        Digest("papers", items),
        destination="papers",
        heading="**3 new summaries**",
        archive_minutes=10080,
    )
    head, *inside = posts
    assert head.items == () and head.payload["content"] == "**3 new summaries**"
    assert head.payload[START_THREAD] == {"name": "3 new summaries", "auto_archive_duration": 10080}
    assert all(p.reply_to == 0 and p.payload[IN_THREAD] for p in inside)
    assert [k for p in inside for k in p.items] == ["summary:1", "summary:2", "summary:3"]
    other = per_digest_posts(
        Digest("papers", items[:2]),
        destination="papers",
        heading="**3 new summaries**",
        archive_minutes=10080,
    )
    assert other[0].key != head.key  # the same heading over other items is another head
    assert thread_name("x" * 300) == "x" * 99 + "…"
