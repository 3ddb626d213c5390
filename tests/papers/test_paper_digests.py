"""New arXiv papers in digests: what a destination's subscriptions let in, once per paper and
version, for a week, after the summaries; on both databases with the sample listing."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest

from papers import subscriptions as rules
from papers.delivery import DeliveryPolicy, deliver, select_digest
from papers.model import Paper, PaperItem, Subscription, SubscriptionKind
from papers.usecases import ingest_parsed
from publishers.console import ConsolePublisher
from sources.parse import parse_feed
from storage.ledger import Ledger
from storage.repository import Store
from tests.bot.test_cli import SAMPLE
from tests.papers.test_delivery import START, Clock, Sleeps
from tests.strategies import SEEN

FIXTURES = Path(__file__).parents[1] / "fixtures"
LISTING = FIXTURES / "arxiv-cs.LG-rss.xml"


def sub(kind: SubscriptionKind, value: str) -> Subscription:
    return Subscription(0, 0, 0, kind, value)


CS_LG = sub(SubscriptionKind.CATEGORY, "cs.LG")
REPLACED = sub(SubscriptionKind.REPLACEMENTS, "yes")


def announced(announce_type: str = "new", **paper: object) -> PaperItem:
    values: dict[str, object] = {"key": "2401.00001", "title": "A paper"} | paper
    return PaperItem(Paper(**values), announce_type, 1, 7, SEEN)  # type: ignore[arg-type]


# ---------------------------------------------------------------------- rules


def test_replacements_is_a_subscription_of_its_own() -> None:
    assert rules.parse("cs.LG, replacements") == [
        (SubscriptionKind.CATEGORY, "cs.LG"),
        (SubscriptionKind.REPLACEMENTS, "yes"),
    ]
    assert rules.parse("+Replaced") == [(SubscriptionKind.REPLACEMENTS, "yes")]
    assert rules.parse("replacement learning") == [
        (SubscriptionKind.KEYWORD, "replacement learning")
    ]
    assert REPLACED.describe() == "replaced versions of papers too"


def test_which_papers_a_digest_carries() -> None:
    lg = announced(categories=("cs.LG", "stat.ML"))
    assert not rules.matches_paper(lg, [])  # no topic: summaries only
    assert not rules.matches_paper(lg, [sub(SubscriptionKind.MIN_VOTES, "3"), REPLACED])
    assert rules.matches_paper(lg, [CS_LG])
    assert rules.matches_paper(lg, [sub(SubscriptionKind.CATEGORY, "stat")])  # the archive
    assert not rules.matches_paper(lg, [sub(SubscriptionKind.CATEGORY, "cs.CV")])
    keyword = sub(SubscriptionKind.KEYWORD, "graph neural networks")
    about = announced(abstract="We study Graph Neural-Networks.", categories=("math.CO",))
    assert rules.matches_paper(about, [keyword])
    assert rules.matches_paper(announced("cross", categories=("cs.LG",)), [CS_LG])
    for kind in ("replace", "replace-cross"):
        replaced = announced(kind, categories=("cs.LG",))
        assert not rules.matches_paper(replaced, [CS_LG])
        assert rules.matches_paper(replaced, [CS_LG, REPLACED])


def test_a_replacements_subscription_does_not_narrow_summaries() -> None:
    from tests.publishers.test_x import digest

    item = digest(1).items[0]
    assert rules.matches(item, [REPLACED])  # no topic: every summary


# ---------------------------------------------------------------------- selection


async def ingest(store: Store, path: Path, source: str, *, now=START) -> None:
    parsed = parse_feed(path.read_bytes(), source)
    await ingest_parsed(store, parsed, source, announce=True, now=now)


async def test_subscribed_categories_bring_new_papers_after_the_summaries(store: Store) -> None:
    ledger = Ledger(store.engine)
    await ledger.ensure_destination("lg", "console", START)
    await ingest(store, SAMPLE, "sample")
    await ingest(store, LISTING, "listing")
    policy = DeliveryPolicy(rules=(CS_LG,))
    digest = (await select_digest(store, "lg", policy, START, now=START)).digest
    types = {p.announce_type for p in digest.papers}
    assert digest.papers and types <= {"new", "cross"}
    assert all("cs.LG" in p.paper.categories for p in digest.papers)
    assert len(digest.papers) == 3  # the listing's two new papers and its cross-list
    with_replaced = DeliveryPolicy(rules=(CS_LG, REPLACED))
    everything = (await select_digest(store, "lg", with_replaced, START, now=START)).digest
    assert len(everything.papers) == 5
    assert {"replace", "replace-cross"} <= {p.announce_type for p in everything.papers}
    # no category or keyword: summaries only
    plain = (await select_digest(store, "lg", DeliveryPolicy(), START, now=START)).digest
    assert plain.items and not plain.papers


async def test_a_paper_in_two_listings_comes_once_and_only_while_it_is_news(
    store: Store,
) -> None:
    await ingest(store, LISTING, "cs.LG listing")
    await ingest(store, LISTING, "stat.ML listing")
    policy = DeliveryPolicy(rules=(CS_LG, REPLACED))
    fresh = (await select_digest(store, "d", policy, START, now=START)).digest
    assert len(fresh.papers) == len({p.key for p in fresh.papers}) == 5
    week_later = START + timedelta(days=8)
    stale = (await select_digest(store, "d", policy, START, now=week_later)).digest
    assert stale.empty


async def test_papers_are_delivered_once_and_capped_with_the_summaries(store: Store) -> None:
    ledger, clock, sleep = Ledger(store.engine), Clock(), Sleeps()
    await ledger.ensure_destination("console", "console", START)
    await ingest(store, SAMPLE, "sample")
    await ingest(store, LISTING, "listing")
    stream = io.StringIO()
    console = ConsolePublisher("console", stream)
    uncapped = DeliveryPolicy(rules=(CS_LG, REPLACED))
    whole = (await select_digest(store, "console", uncapped, START, now=START)).digest
    assert len(whole.items) == 6 and len(whole.papers) == 5  # the cs.LG summaries, all papers
    policy = DeliveryPolicy(rules=(CS_LG, REPLACED), max_items=8)
    first = (await select_digest(store, "console", policy, START, now=START)).digest
    assert first.items == whole.items and first.papers == whole.papers[:2]
    assert first.more_papers == first.more == 3
    report = await deliver(store, ledger, console, policy, clock=clock, sleep=sleep)
    assert report.sent == 8
    assert "new papers on arXiv ==" in stream.getvalue()
    rows = {r.item: r.status for r in await ledger.rows(destination="console")}
    assert [k for k, v in rows.items() if k.startswith("paper:") and v == "sent"]
    assert sum(v == "skipped" for k, v in rows.items() if k.startswith("paper:")) == (
        first.more_papers
    )
    again = await deliver(store, ledger, console, policy, clock=clock, sleep=sleep)
    assert again.sent == 0
    # the same announcements seen again in another listing are not news a second time
    await ingest(store, LISTING, "listing again", now=START + timedelta(hours=1))
    assert (await deliver(store, ledger, console, policy, clock=clock, sleep=sleep)).sent == 0


@pytest.mark.parametrize("platform", ["atom", "x", "facebook", "discord"])
def test_dry_run_shows_papers_on_every_platform(shortbot, tmp_path: Path, platform: str) -> None:
    settings = {
        "atom": 'feed_url = "https://example.org/f.atom"',
        "x": "",
        "facebook": "",
        "discord": "channel_id = 111111111111111111",
    }[platform]
    (tmp_path / "shortbot.toml").write_text(
        'console = false\n[facebook]\npage_id = "1"\n[[destinations]]\nname = "d"\n'
        f'platform = "{platform}"\ncategories = ["cs.LG"]\n{settings}\n'
    )
    env = {
        "SHORTBOT_DISCORD__TOKEN": "t",
        "SHORTBOT_X__API_KEY": "k",
        "SHORTBOT_X__API_SECRET": "s",
        "SHORTBOT_X__ACCESS_TOKEN": "a",
        "SHORTBOT_X__ACCESS_SECRET": "b",
        "SHORTBOT_FACEBOOK__PAGE_TOKEN": "p",
    }
    assert shortbot("ingest", str(LISTING), extra_env=env).code == 0
    result = shortbot("digest", "--dry-run", "--json", extra_env=env)
    assert result.code == 0, result.err
    lines = [json.loads(line) for line in result.out.splitlines()]
    payloads = [line["payload"] for line in lines if "payload" in line]
    (filters,) = [line["filters"] for line in lines if "filters" in line]  # it has categories
    assert filters["papers"] == {"through": 3, "held": 2}  # the two replacements held back
    text = json.dumps(payloads, ensure_ascii=False)
    assert "Self-Normalizing Neural Networks" in text  # a new cs.LG paper
    assert "3 new papers on arXiv" in text
