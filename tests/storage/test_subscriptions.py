"""Stored subscriptions: every kind of rule, the new filters' among them (``exclude-category``
is the longest kind, 16 characters), goes in and comes back on both databases; a channel holds
one vote threshold."""

from __future__ import annotations

from datetime import timedelta

from papers import subscriptions as rules
from papers import top
from papers.model import SubscriptionKind
from storage.repository import Store
from tests.strategies import SEEN

GENERAL = 1_000_000_000_000_000_001
TYPED = (
    "cs.LG, graph neural networks, author:José Miguel Hernández-Lobato, author:van den Oord, "
    "-cs.CV, -survey, votes>=3, replacements"
)


async def test_every_kind_of_rule_is_stored_and_read_back(store: Store) -> None:
    wanted = rules.parse(TYPED)
    # settings stored as rules are set by commands of their own (schedule kind, digest ping,
    # digest thread; a forum is recorded when one is subscribed)
    settings = {
        kind for kind in SubscriptionKind if kind.value in ("top", "ping-role", "thread", "forum")
    }
    assert {kind for kind, _ in wanted} == set(SubscriptionKind) - settings
    for kind, value in wanted:
        assert await store.subscribe(
            guild_id=7, channel_id=GENERAL, kind=kind, value=value, by=None, now=SEEN
        )
    stored = await store.list_subscriptions(guild_id=7, channel_id=GENERAL)
    assert sorted((s.kind, s.value) for s in stored) == sorted(wanted)
    votes = SubscriptionKind.MIN_VOTES
    assert await store.subscribe(
        guild_id=7, channel_id=GENERAL, kind=votes, value="5", by=None, now=SEEN
    )
    held = await store.list_subscriptions(guild_id=7)
    assert [s.value for s in held if s.kind is votes] == ["5"]  # the new threshold replaced 3
    removed = await store.unsubscribe(
        guild_id=7, channel_id=GENERAL, kind=SubscriptionKind.EXCLUDE_CATEGORY, value="cs.CV"
    )
    assert removed == 1
    held = await store.list_subscriptions(guild_id=7)
    assert [s.describe() for s in held if s.kind.value.startswith("exclude")] == [
        "not keyword “survey”"
    ]


async def test_a_channel_has_one_top_window_and_loses_it_with_kind_new(store: Store) -> None:
    for window in ("7d", "30d"):
        kind, value = top.rule(top.parse_window(window))
        assert await store.subscribe(
            guild_id=7, channel_id=GENERAL, kind=kind, value=value, by=None, now=SEEN
        )
    await store.subscribe(
        guild_id=7,
        channel_id=GENERAL,
        kind=SubscriptionKind.CATEGORY,
        value="cs.LG",
        by=None,
        now=SEEN,
    )
    held = await store.list_subscriptions(guild_id=7, channel_id=GENERAL)
    assert [(s.kind, s.value) for s in held] == [
        (SubscriptionKind.CATEGORY, "cs.LG"),
        (SubscriptionKind.TOP, "30d"),  # the new window replaced 7d
    ]
    assert top.window_of(held) == timedelta(days=30)
    removed = await store.unsubscribe(
        guild_id=7, channel_id=GENERAL, kind=SubscriptionKind.TOP, value=None
    )
    assert removed == 1
    assert top.window_of(await store.list_subscriptions(guild_id=7)) is None
