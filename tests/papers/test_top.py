"""Top digests ("the week's best"): the best-voted summaries first seen in a window ending at
each run, through the real ledger and console publisher, on SQLite and PostgreSQL; the words
of a window; the heading on every platform. The clock is injected."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest

from papers import top
from papers.delivery import DeliveryPolicy, deliver, select_digest
from papers.discord_render import digest_embed, digest_heading, digest_posts
from papers.keys import item_key
from papers.model import (
    Digest,
    DigestItem,
    IncomingPaper,
    IncomingSummary,
    Paper,
    Subscription,
    Summary,
)
from papers.model import SubscriptionKind as Kind
from papers.render import console_digest
from publishers.console import ConsolePublisher
from storage.ledger import Ledger
from storage.repository import Store

RUN = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday, 09:00: `weekly mon 09:00`
WEEK = timedelta(days=7)

# Summaries first seen over the ten days before the first run:
# (guid, arXiv id, title, category, votes, days before RUN)
WRITTEN = [
    ("ss-attention", "1706.03762", "Attention Is All You Need", "cs.CL", 41, 9.5),
    ("ss-resnet", "1512.03385", "Deep Residual Learning for Image Recognition", "cs.CV", 35, 8),
    ("ss-ddpm", "2006.11239", "Denoising Diffusion Probabilistic Models", "cs.LG", 12, 6),
    (
        "ss-bert",
        "1810.04805",
        "BERT: Pre-training of Deep Bidirectional Transformers",
        "cs.CL",
        27,
        5.5,
    ),
    ("ss-vae", "1312.6114", "Auto-Encoding Variational Bayes", "stat.ML", 3, 4),
    ("ss-adam", "1412.6980", "Adam: A Method for Stochastic Optimization", "cs.LG", 19, 3),
    ("ss-rlhf", "2203.02155", "Training language models to follow instructions", "cs.CL", 8, 2),
    ("ss-gan", "1406.2661", "Generative Adversarial Networks", "stat.ML", 19, 1),
    ("ss-vit", "2010.11929", "An Image is Worth 16x16 Words", "cs.CV", 5, 0.5),
    ("ss-batchnorm", "1502.03167", "Batch Normalization", "cs.LG", 0, 0.2),
]
# and some first seen after it
LATER = {
    "ss-lora": "LoRA",
    "ss-dpo": "Direct Preference Optimization",
    "ss-mamba": "Mamba",
    "ss-rwkv": "RWKV",
}
TITLES = {guid: title for guid, _, title, *_ in WRITTEN} | LATER


def incoming(guid: str, arxiv_id: str, title: str, category: str, votes: int, seen: datetime):
    return IncomingSummary(
        guid=f"https://www.shortscience.org/paper?bibtexKey={guid}",
        source="shortscience",
        author="A Reader",
        url=f"https://www.shortscience.org/paper?bibtexKey={guid}",
        votes=votes,
        text=f"What {title} shows, in a few paragraphs.",
        published=seen,
        papers=(
            IncomingPaper(title=title, arxiv_id=arxiv_id, categories=(category,), complete=True),
        ),
        title=title,
    )


async def write(store: Store, guid: str, *, votes: int | None = None, at: datetime) -> None:
    """A summary of ``WRITTEN`` as the feed gives it at ``at`` (with ``votes`` now)."""
    _, arxiv_id, title, category, first_votes, days = next(w for w in WRITTEN if w[0] == guid)
    seen = RUN - timedelta(days=days)
    item = incoming(guid, arxiv_id, title, category, first_votes if votes is None else votes, seen)
    await store.save_summaries([item], announce=True, now=at)


async def written(store: Store) -> None:
    for guid, *_, days in WRITTEN:
        await write(store, guid, at=RUN - timedelta(days=days))


def order(text: str) -> list[str]:
    """The guids of the summaries a console digest shows, in its order."""
    shown = [(text.index(title), guid) for guid, title in TITLES.items() if title in text]
    return [guid for _, guid in sorted(shown)]


async def run(store: Store, ledger: Ledger, policy: DeliveryPolicy, at: datetime) -> str:
    stream = io.StringIO()
    report = await deliver(
        store, ledger, ConsolePublisher("weekly", stream), policy, clock=lambda: at, sleep=_no
    )
    assert (report.failed, report.pending, report.errors) == (0, 0, [])
    return stream.getvalue()


async def _no(_seconds: float) -> None:
    raise AssertionError("nothing waits")


async def test_a_weekly_top_digest_posts_the_best_of_its_window_each_once(store: Store) -> None:
    ledger = Ledger(store.engine)
    await ledger.ensure_destination("weekly", "console", RUN - timedelta(days=1))
    await written(store)
    policy = DeliveryPolicy(max_items=3, window=WEEK)

    first = await run(store, ledger, policy, RUN)
    assert first.startswith("== The week's best summaries: 3 summaries of 3 papers ==")
    # best votes first; a tie (19) goes to the newer; the 41 and 35 votes are older than a week
    assert order(first) == ["ss-bert", "ss-gan", "ss-adam"]
    # only what was posted is in the ledger: the rest of the week stays eligible
    rows = await ledger.rows(destination="weekly")
    assert sorted(r.item for r in rows) == sorted(
        item_key(s) for s in await ids(store, ["ss-bert", "ss-gan", "ss-adam"])
    )

    # two days on (a maintainer's `digest now`): ViT's votes rose, a new summary came in
    await write(store, "ss-vit", votes=30, at=RUN + timedelta(days=1))
    await store.save_summaries(
        [incoming("ss-lora", "2106.09685", "LoRA", "cs.CL", 10, RUN + timedelta(days=1))],
        announce=True,
        now=RUN + timedelta(days=1),
    )
    second = await run(store, ledger, policy, RUN + timedelta(days=2))
    # ViT by its votes now; DDPM (12 votes, never posted) has left the window
    assert order(second) == ["ss-vit", "ss-lora", "ss-rlhf"]
    third = await run(store, ledger, policy, RUN + timedelta(days=2))
    assert order(third) == ["ss-vae", "ss-batchnorm"]
    assert await run(store, ledger, policy, RUN + timedelta(days=2)) == ""  # nothing twice
    rows = await ledger.rows(destination="weekly")
    assert len(rows) == len({r.item for r in rows}) == 8


async def ids(store: Store, guids: list[str]) -> list[Summary]:
    items, _ = await store.undelivered("nobody", 100)
    by_guid = {i.summary.guid.rsplit("=", 1)[1]: i.summary for i in items}
    return [by_guid[g] for g in guids]


async def test_a_top_digest_honours_the_filters_and_marks_nothing_it_held(store: Store) -> None:
    ledger = Ledger(store.engine)
    await written(store)
    rules = (
        Subscription(0, 0, 0, Kind.EXCLUDE_CATEGORY, "cs.CV"),
        Subscription(0, 0, 0, Kind.MIN_VOTES, "5"),
    )
    policy = DeliveryPolicy(max_items=10, rules=rules, window=WEEK)
    selection = await select_digest(store, "weekly", policy, None, now=RUN)
    titles = [i.summary.guid.rsplit("=", 1)[1] for i in selection.digest.items]
    assert titles == ["ss-bert", "ss-gan", "ss-adam", "ss-ddpm", "ss-rlhf"]
    assert (selection.unsubscribed, selection.overflow, selection.digest.more) == ([], [], 0)
    held = {j.label: j.verdict.reason for j in selection.report.held}
    assert held == {
        "summary of An Image is Worth 16x16 Words (arXiv:2010.11929)": "not arXiv category cs.CV",
        "summary of Auto-Encoding Variational Bayes (arXiv:1312.6114)": "fewer than 5 votes",
        "summary of Batch Normalization (arXiv:1502.03167)": "fewer than 5 votes",
    }
    await run(store, ledger, policy, RUN)
    assert len(await ledger.rows(destination="weekly")) == 5  # the held ones are not skipped


async def test_a_digest_of_what_is_new_is_unchanged_beside_it(store: Store) -> None:
    ledger = Ledger(store.engine)
    await ledger.ensure_destination("weekly", "console", RUN - timedelta(days=30))
    await written(store)
    text = await run(store, ledger, DeliveryPolicy(max_items=3), RUN)
    assert text.startswith("== shortbot digest: 3 new summaries of 3 papers ==")
    assert order(text) == ["ss-attention", "ss-resnet", "ss-bert"]
    # a capped digest of what is new skips the rest for good
    assert len(await ledger.rows(destination="weekly")) == len(WRITTEN)


@pytest.mark.parametrize(
    ("typed", "window", "words", "heading"),
    [
        ("7d", timedelta(days=7), "7d", "The week's best summaries"),
        ("24h", timedelta(hours=24), "24h", "The best summaries of the last 24 hours"),
        ("1d", timedelta(days=1), "24h", "The best summaries of the last 24 hours"),
        (" 30D ", timedelta(days=30), "30d", "The best summaries of the last 30 days"),
        ("2w", timedelta(days=14), "14d", "The best summaries of the last 14 days"),
        ("1h", timedelta(hours=1), "1h", "The best summaries of the last 1 hour"),
    ],
)
def test_windows_are_read_and_said(typed: str, window: timedelta, words: str, heading: str) -> None:
    assert top.parse_window(typed) == window
    assert top.window_text(window) == words
    assert top.parse_window(words) == window
    assert top.heading(window) == heading


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("7", "is not a window such as 24h, 7d or 30d"),
        ("7x", "is not a window such as 24h, 7d or 30d"),
        ("-1d", "is not a window"),
        ("0h", "between 1h and 366d"),
        ("400d", "between 1h and 366d"),
        ("", "is not a window"),
    ],
)
def test_what_is_no_window_is_explained(typed: str, says: str) -> None:
    with pytest.raises(top.BadWindow, match=says):
        top.parse_window(typed)


def test_kinds_and_the_stored_rule() -> None:
    assert top.parse_kind(" TOP ") == "top" and top.parse_kind("new") == "new"
    with pytest.raises(top.BadKind, match="not a kind of digest: new or top"):
        top.parse_kind("best")
    kind, value = top.rule(timedelta(days=30))
    rule = Subscription(1, 2, 3, kind, value)
    assert top.window_of([Subscription(1, 2, 3, Kind.CATEGORY, "cs.LG"), rule]) == timedelta(
        days=30
    )
    assert top.window_of([Subscription(1, 2, 3, Kind.CATEGORY, "cs.LG")]) is None
    assert rule.describe() == "a top digest: the best-voted summaries first seen in the last 30d"


def _digest(title: str | None) -> Digest:
    seen = RUN - timedelta(days=1)
    paper = Paper(key="1412.6980", title="Adam", arxiv_id="1412.6980", categories=("cs.LG",))
    summary = Summary(
        1, ("1412.6980",), "g", "s", "A Reader", "https://x.org/1", 19, "Text.", seen, None, seen
    )
    return Digest("weekly", (DigestItem(summary, (paper,)),), title=title)


def test_the_heading_on_every_platform() -> None:
    from papers import atom_render, facebook_render, x_render

    best = _digest(top.heading(WEEK))
    assert digest_heading(best) == "**The week's best summaries**"
    (post,) = digest_posts(best, destination="weekly", heading=digest_heading(best))
    assert post.payload["content"] == "**The week's best summaries**"
    assert digest_embed(best, "Next digest for #papers")["title"] == (
        "Next digest for #papers: The week's best summaries"
    )
    head, _ = x_render.render_digest(
        best, destination="x", mode="thread", link_mode="links", digest_url=""
    )
    assert str(head.payload["text"]).startswith("The week's best summaries on ShortScience: Adam")
    (page,) = facebook_render.render_digest(best, destination="page", digest_url="")
    assert str(page.payload["message"]).startswith("The week's best summaries on ShortScience:\n")
    (entry,) = atom_render.render_digest(best, destination="feed", feed_url="")
    assert entry.payload["title"] == "The week's best summaries"
    assert console_digest(best).startswith("== The week's best summaries: 1 summary of 1 paper")
    # a digest of what is new keeps each platform's own words
    new = _digest(None)
    assert digest_heading(new) == "**1 new summary**"
    (entry,) = atom_render.render_digest(new, destination="feed", feed_url="")
    assert entry.payload["title"] == "1 new summary"
