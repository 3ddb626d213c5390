"""A slash command is answered in its first response when it is quick, and deferred
("thinking…", then a followup) only when it runs longer than ``DEFER_AFTER_SECONDS``: the real
bot (discord.py) against the fake Discord, which records each response as Discord would see it."""

from __future__ import annotations

from typing import Any

from bot.app import App
from bot.discord import answering
from tests.bot.test_discord_bot import app, arxiv_api, bot, fake, hold_searches
from tests.fakediscord import FakeDiscord

__all__ = ["app", "arxiv_api", "bot", "fake"]  # fixtures shared with test_discord_bot


async def test_a_quick_command_is_one_response_with_the_answer(fake: FakeDiscord, bot: Any) -> None:
    sent = await fake.send_interaction(
        "summary",
        user=fake.guild.member("member"),
        channel=fake.guild.channel("general"),
        options={"query": "1312.6199"},
    )
    answer = await fake.wait_for_answer(sent.id)
    record = fake.interaction(sent.id)
    assert (answer.kind, answer.type) == ("callback", 4)  # the message itself, no "thinking…"
    assert [r.kind for r in record.responses] == ["callback"]
    assert answer.data["embeds"][0]["title"] == "Intriguing properties of neural networks"
    assert not record.loading


async def test_a_slow_command_is_deferred_in_time_then_followed_up(
    fake: FakeDiscord, bot: Any, app: App, monkeypatch: Any
) -> None:
    monkeypatch.setattr(answering, "DEFER_AFTER_SECONDS", 0.2)
    gate = hold_searches(app, monkeypatch)
    sent = await fake.send_interaction(
        "search",
        user=fake.guild.member("member"),
        channel=fake.guild.channel("general"),
        options={"words": "residual learning"},
    )
    deferral = await fake.wait_for_interaction_response(sent.id, kind="callback")
    assert deferral.type == 5  # "thinking…" while the search runs
    assert fake.interaction(sent.id).loading
    gate.set()
    answer = await fake.wait_for_answer(sent.id)
    assert answer.kind == "followup"
    assert "Deep Residual Learning" in str(answer.data["embeds"])
    assert [r.kind for r in fake.interaction(sent.id).responses] == ["callback", "followup"]
    assert not fake.interaction(sent.id).loading


async def test_a_prefix_command_still_shows_typing(fake: FakeDiscord, bot: Any) -> None:
    general = fake.guild.channel("general")
    await fake.send_message(general, fake.guild.member("member"), "!search residual learning")
    (reply,) = await fake.wait_until(
        lambda: fake.requests_to("POST", f"/channels/{general.id}/messages"),
        description="the reply",
    )
    assert "Deep Residual Learning" in str(reply.json["embeds"])
    assert fake.requests_to("POST", f"/channels/{general.id}/typing")
