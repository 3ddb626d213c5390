"""Forum channels: a post per paper, later summaries as replies in it, each paper's post kept
in the database; a crash between Discord making the post and the ledger's commit finds the
post again instead of making a second. The real discord.py against the fake Discord (a forum
channel with tags, as Discord documents it), the real delivery and ledger, on both databases."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

import pytest

from papers.delivery import DeliveryPolicy, deliver
from papers.model import IncomingPaper, IncomingSummary
from papers.ports import ThreadHomes
from papers.publishing import DeliveryReport
from publishers.discord import DiscordChannelPublisher
from storage.ledger import Ledger
from storage.repository import Store
from tests.fakediscord import FakeDiscord, discord_endpoints
from tests.fakediscord.models import Channel
from tests.fakediscord.threads import add_forum, tag_ids
from tests.papers.test_delivery import START, Clock
from tests.publishers.test_x_delivery import Killed

TOKEN = "MTIzNDU2.forum-bot-token-SECRET"
POLICY = DeliveryPolicy(reconcile_window_seconds=0.0)
TAGS = ["cs.LG", "stat.ML", "cs.CV", "cs.CL", "math.OC", "q-bio.NC", "Discussion"]

ADAM = IncomingPaper(
    title="Adam: A Method for Stochastic Optimization",
    arxiv_id="1412.6980",
    authors=("Diederik P. Kingma", "Jimmy Ba"),
    categories=("cs.LG",),
    complete=True,
)
DROPOUT = IncomingPaper(
    title="Dropout: A Simple Way to Prevent Neural Networks from Overfitting",
    arxiv_id="1207.0580",
    authors=("Geoffrey E. Hinton", "Nitish Srivastava"),
    categories=("cs.NE", "cs.CV", "cs.LG"),
    complete=True,
)


def summary(n: int, paper: IncomingPaper, author: str, text: str) -> IncomingSummary:
    url = f"https://www.shortscience.org/paper?bibtexKey=journals/corr/{paper.arxiv_id}#{author}"
    return IncomingSummary(
        guid=url,
        source="https://www.shortscience.org/rss.xml",
        author=author,
        url=url,
        votes=n,
        text=text,
        published=START,
        papers=(paper,),
        title=f"Summary of {paper.title}",
    )


FIRST = [
    summary(
        4,
        ADAM,
        "joecohen",
        "Adam keeps **running averages** of the gradient $m_t$ and "
        "its square $v_t$, corrects their bias, and steps by $m_t/\\sqrt{v_t}$.",
    ),
    summary(
        2,
        DROPOUT,
        "hlarochelle",
        "Dropping units at random while training keeps them "
        "from co-adapting; at test time the weights are scaled by the keep rate.",
    ),
]
LATER = summary(
    6,
    ADAM,
    "abhshkdz",
    "A second reading: the effective step is bounded by the "
    "learning rate, which makes Adam robust to the gradient's scale.",
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(TOKEN) as fake:
        with discord_endpoints(fake.api_base_url, fake.gateway_url):
            yield fake


@pytest.fixture
def forum(fake: FakeDiscord) -> Channel:
    return add_forum(fake.guild, "paper-forum", TAGS)


async def seeded(store: Store) -> Ledger:
    ledger = Ledger(store.engine)
    await ledger.ensure_destination("forum", "discord", START - timedelta(hours=1))
    await store.save_summaries(FIRST, announce=True, now=START)
    return ledger


async def run(
    store: Store, ledger: Ledger, forum: Channel, clock: Callable[[], datetime], homes: object
) -> DeliveryReport:
    publisher = DiscordChannelPublisher(
        "forum",
        channel_id=forum.id,
        token=TOKEN,
        homes=homes,  # type: ignore[arg-type]
    )
    async with publisher:
        return await deliver(store, ledger, publisher, POLICY, clock=clock, sleep=asyncio.sleep)


def bodies(fake: FakeDiscord, thread: Channel) -> list[str]:
    return [m["embeds"][0]["fields"][0]["name"] for m in fake.messages(thread)]


async def test_two_summaries_of_one_paper_are_one_forum_post_and_one_reply(
    store: Store, fake: FakeDiscord, forum: Channel
) -> None:
    ledger, clock = await seeded(store), Clock()
    report = await run(store, ledger, forum, clock, store)
    assert (report.sent, report.pending, report.failed) == (2, 0, 0), report.errors
    posts = fake.threads(forum)
    names = {t.name: t for t in posts}
    assert set(names) == {ADAM.title, DROPOUT.title}
    adam, dropout = names[ADAM.title], names[DROPOUT.title]
    # tags matched by name: Adam is cs.LG; Dropout cs.CV and cs.LG (cs.NE has no tag)
    assert adam.extra["applied_tags"] == tag_ids(forum, "cs.LG")
    assert dropout.extra["applied_tags"] == tag_ids(forum, "cs.CV", "cs.LG")
    assert adam.extra["owner_id"] == str(fake.bot_user.id)
    assert fake.messages(adam)[0]["id"] == str(adam.id)  # the post's first message
    assert await store.thread_home(forum.id, "1412.6980") == adam.id

    await store.save_summaries([LATER], announce=True, now=START + timedelta(hours=2))
    clock.now = START + timedelta(hours=3)
    report = await run(store, ledger, forum, clock, store)
    assert (report.sent, report.pending) == (1, 0), report.errors
    assert len(fake.threads(forum)) == 2  # a reply, never a second post
    assert bodies(fake, adam) == [
        "4 votes · joecohen · 2026-11-23",
        "6 votes · abhshkdz · 2026-11-23",
    ]
    assert len(fake.messages(dropout)) == 1
    create = fake.requests_to("POST", f"/channels/{forum.id}/threads")
    assert len(create) == 2
    assert {r.json["auto_archive_duration"] for r in create} == {1440}
    assert all(r.json["message"]["allowed_mentions"] == {"parse": []} for r in create)

    again = await run(store, ledger, forum, clock, store)
    assert again.sent == 0 and len(fake.threads(forum)) == 2


class DiesBeforeRecording:
    """The store's homes, but the process dies when the first post's home is to be recorded:
    Discord has made the post, the answer never reaches the database."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def thread_home(self, channel_id: int, paper_key: str) -> int | None:
        return await self.store.thread_home(channel_id, paper_key)

    async def set_thread_home(self, *args: object, **kwargs: object) -> None:
        raise Killed

    async def forget_thread_home(self, channel_id: int, paper_key: str) -> None:
        await self.store.forget_thread_home(channel_id, paper_key)


@pytest.mark.parametrize("archived", [False, True], ids=["active", "archived-meanwhile"])
async def test_a_kill_between_the_post_and_the_commit_makes_no_second_post(
    store: Store, fake: FakeDiscord, forum: Channel, archived: bool
) -> None:
    ledger, clock = await seeded(store), Clock()
    dying: ThreadHomes = DiesBeforeRecording(store)
    with pytest.raises(Killed):
        await run(store, ledger, forum, clock, dying)
    [made] = fake.threads(forum)
    if archived:  # found among the forum's archived posts, not the guild's active threads
        fake.archive_thread(made)
    report = await run(store, ledger, forum, clock, store)
    assert (report.sent, report.pending, report.failed) == (2, 0, 0), report.errors
    posts = fake.threads(forum)
    assert sorted(t.name for t in posts) == sorted([ADAM.title, DROPOUT.title])
    paper = {ADAM.title: "1412.6980", DROPOUT.title: "1207.0580"}[made.name]
    assert await store.thread_home(forum.id, paper) == made.id  # found by name and first message
    assert len(fake.messages(made)) == 1
    assert fake.requests_to("GET", f"/guilds/{fake.guild.id}/threads/active")
    rows = await ledger.rows(destination="forum")
    assert {r.status for r in rows} == {"sent"}


@pytest.mark.parametrize("fate", ["locked", "deleted", "archived"])
async def test_a_locked_or_deleted_post_is_replaced_and_an_archived_one_answered(
    store: Store, fake: FakeDiscord, forum: Channel, fate: str
) -> None:
    ledger, clock = await seeded(store), Clock()
    await run(store, ledger, forum, clock, store)
    adam = next(t for t in fake.threads(forum) if t.name == ADAM.title)
    if fate == "deleted":
        fake.delete_thread(adam)
    else:
        fake.archive_thread(adam, locked=fate == "locked")
    await store.save_summaries([LATER], announce=True, now=START + timedelta(hours=2))
    clock.now = START + timedelta(hours=3)
    report = await run(store, ledger, forum, clock, store)
    assert (report.sent, report.pending, report.failed) == (1, 0, 0), report.errors
    home = await store.thread_home(forum.id, "1412.6980")
    if fate == "archived":  # posting unarchives it, as Discord does for the bot
        assert home == adam.id
        assert not adam.extra["thread_metadata"]["archived"]
        assert len(fake.messages(adam)) == 2
    else:
        assert home is not None and home != adam.id
        [new] = [t for t in fake.threads(forum) if t.id == home]
        assert new.name == ADAM.title
        assert bodies(fake, new) == ["6 votes · abhshkdz · 2026-11-23"]


async def test_a_moderated_tag_is_left_to_the_moderators(store: Store, fake: FakeDiscord) -> None:
    forum = add_forum(fake.guild, "moderated-forum", TAGS, moderated=("cs.CV",))
    ledger, clock = await seeded(store), Clock()
    report = await run(store, ledger, forum, clock, store)
    assert (report.sent, report.failed) == (2, 0), report.errors
    [dropout] = [t for t in fake.threads(forum) if t.name == DROPOUT.title]
    assert dropout.extra["applied_tags"] == tag_ids(forum, "cs.LG")  # not cs.CV: moderated
