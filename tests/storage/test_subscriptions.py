"""Stored subscriptions: every kind of rule, the new filters' among them (``exclude-category``
is the longest kind, 16 characters), goes in and comes back on both databases; a channel holds
one vote threshold."""

from __future__ import annotations

from papers import subscriptions as rules
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
    assert {kind for kind, _ in wanted} == set(SubscriptionKind)
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
