"""The fake Discord's slash-command autocomplete, driven with the real discord.py client:
interaction type 4 out, callback type 8 (``data.choices``) back, checked as Discord checks it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest

from tests.fakediscord import FakeDiscord, discord_endpoints, running_bot
from tests.fakediscord.api import (
    CALLBACK_AUTOCOMPLETE_RESULT,
    INTERACTION_APPLICATION_COMMAND_AUTOCOMPLETE,
)
from tests.fakediscord.autocomplete import choice_errors
from tests.fakediscord.compat import commands, discord

app_commands = discord.app_commands
Choice = app_commands.Choice
Suggest = Callable[[discord.Interaction, str], Awaitable[list[Choice[str]]]]

TITLES = ["Attention Is All You Need", "Attention Sinks", "Deep Residual Learning"]


async def by_title(interaction: discord.Interaction, current: str) -> list[Choice[str]]:
    return [Choice(name=t, value=t.lower()[:20]) for t in TITLES if current.lower() in t.lower()]


class SuggestBot(commands.Bot):
    """``/summary paper:<autocomplete> length:<int>`` (both required), ``/quiet`` (never
    answers) and ``/find page number:<int autocomplete>`` (a group's subcommand)."""

    def __init__(self) -> None:
        super().__init__(
            command_prefix="!",
            intents=discord.Intents.default(),
            help_command=None,
            guild_ready_timeout=0.1,
        )
        self.suggest: Suggest = by_title
        self.seen: list[tuple[str, int | None]] = []
        """(what the member typed, the ``length`` already given) per autocomplete."""

        @self.tree.command(name="summary", description="Summarise a paper")
        async def summary(interaction: discord.Interaction, paper: str, length: int) -> None:
            await interaction.response.send_message(f"{paper} in {length} lines")

        @summary.autocomplete("paper")
        async def paper_autocomplete(
            interaction: discord.Interaction, current: str
        ) -> list[Choice[str]]:
            self.seen.append((current, interaction.namespace.length))
            return await self.suggest(interaction, current)

        @self.tree.command(name="quiet", description="Never answers")
        async def quiet(interaction: discord.Interaction) -> None:
            return None

        find = app_commands.Group(name="find", description="Find things")

        @find.command(name="page", description="Find a page")
        async def page(interaction: discord.Interaction, number: int) -> None:
            await interaction.response.send_message(f"page {number}")

        @page.autocomplete("number")
        async def number_autocomplete(
            interaction: discord.Interaction, current: str
        ) -> list[Choice[int]]:
            self.seen.append((current, None))
            return [Choice(name=f"page {n}", value=n) for n in (1, 10, 11)]

        self.tree.add_command(find)

    async def setup_hook(self) -> None:
        await self.tree.sync()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every re-IDENTIFY; not in tests."""


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(heartbeat_interval=1.0) as fake:
        with discord_endpoints(fake.api_base_url, fake.gateway_url):
            yield fake


@pytest.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[SuggestBot]:
    running = SuggestBot()
    async with running_bot(running, fake.token):
        yield running


def refused_callbacks(fake: FakeDiscord) -> list[tuple[int, object]]:
    return [(r.status, r.response) for r in fake.requests_to("POST", "/interactions/*/callback")]


async def test_suggestions_round_trip(fake: FakeDiscord, bot: SuggestBot) -> None:
    general = fake.guild.channel("general")
    (summary,) = [c for c in fake.commands() if c["name"] == "summary"]
    paper = next(o for o in summary["options"] if o["name"] == "paper")
    assert paper["autocomplete"] is True

    sent = await fake.send_autocomplete(
        "summary", user=fake.guild.member("member"), channel=general, focused="paper",
        options={"paper": "atten"},
    )  # fmt: skip
    choices = await fake.wait_for_autocomplete_choices(sent.id)

    assert sent.type == INTERACTION_APPLICATION_COMMAND_AUTOCOMPLETE == 4
    (dispatched,) = fake.dispatched_events("INTERACTION_CREATE")
    assert dispatched.d["type"] == 4
    # Partial input: the required ``length`` is missing, the focused option is a string.
    assert dispatched.d["data"]["options"] == [
        {"name": "paper", "type": 3, "value": "atten", "focused": True}
    ]
    assert choices == [
        {"name": "Attention Is All You Need", "value": "attention is all you"},
        {"name": "Attention Sinks", "value": "attention sinks"},
    ]
    assert fake.autocomplete_choices(sent.id) == choices
    response = await fake.wait_for_interaction_response(sent.id)
    assert (response.kind, response.type) == ("callback", CALLBACK_AUTOCOMPLETE_RESULT)
    assert response.data["choices"] == choices
    assert bot.seen == [("atten", None)]
    assert fake.bot_messages(general) == []  # suggestions post nothing
    fake.assert_no_unknown_requests()


async def test_other_options_and_empty_input(fake: FakeDiscord, bot: SuggestBot) -> None:
    general = fake.guild.channel("general")
    member = fake.guild.member("member")

    sent = await fake.send_autocomplete(
        "summary", user=member, channel=general, focused="paper", options={"length": 3}
    )
    choices = await fake.wait_for_autocomplete_choices(sent.id)

    assert sent.payload["data"]["options"] == [
        {"name": "length", "type": 4, "value": 3},
        {"name": "paper", "type": 3, "value": "", "focused": True},
    ]
    assert len(choices) == 3  # nothing typed: every title
    assert bot.seen == [("", 3)]

    nothing = await fake.send_autocomplete(
        "summary", user=member, channel=general, focused="paper", options={"paper": "zzz"}
    )
    assert await fake.wait_for_autocomplete_choices(nothing.id) == []  # an empty list answers
    assert fake.autocomplete_choices(nothing.id) == []


async def test_integer_option_in_a_subcommand(fake: FakeDiscord, bot: SuggestBot) -> None:
    general = fake.guild.channel("general")

    sent = await fake.send_autocomplete(
        "find page", user=fake.guild.member("member"), channel=general, focused="number",
        options={"number": 1},
    )  # fmt: skip
    choices = await fake.wait_for_autocomplete_choices(sent.id)

    (group,) = sent.payload["data"]["options"]
    assert (group["name"], group["type"]) == ("page", 1)
    # Discord sends what is typed into an integer option as a string; the type stays 4.
    assert group["options"] == [{"name": "number", "type": 4, "value": "1", "focused": True}]
    assert bot.seen == [("1", None)]
    assert choices == [{"name": f"page {n}", "value": n} for n in (1, 10, 11)]


async def too_many(interaction: discord.Interaction, current: str) -> list[Choice[str]]:
    return [Choice(name=f"paper {i}", value=str(i)) for i in range(26)]


async def long_name(interaction: discord.Interaction, current: str) -> list[Choice[str]]:
    return [Choice(name="x" * 100, value="ok"), Choice(name="y" * 101, value="long")]


async def long_value(interaction: discord.Interaction, current: str) -> list[Choice[str]]:
    return [Choice(name="long", value="v" * 101)]


@pytest.mark.parametrize(
    ("suggest", "errors"),
    [
        pytest.param(
            too_many,
            {
                "_errors": [
                    {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 25 or fewer in length."}
                ]
            },
            id="26 choices",
        ),
        pytest.param(
            long_name,
            {
                "1": {
                    "name": {
                        "_errors": [
                            {
                                "code": "BASE_TYPE_BAD_LENGTH",
                                "message": "Must be between 1 and 100 in length.",
                            }
                        ]
                    }
                }
            },
            id="101-character name",
        ),
        pytest.param(
            long_value,
            {
                "0": {
                    "value": {
                        "_errors": [
                            {
                                "code": "BASE_TYPE_MAX_LENGTH",
                                "message": "Must be 100 or fewer in length.",
                            }
                        ]
                    }
                }
            },
            id="101-character value",
        ),
    ],
)
async def test_invalid_choices_are_refused(
    fake: FakeDiscord,
    bot: SuggestBot,
    caplog: pytest.LogCaptureFixture,
    suggest: Suggest,
    errors: dict[str, object],
) -> None:
    bot.suggest = suggest
    sent = await fake.send_autocomplete(
        "summary", user=fake.guild.member("member"), channel=fake.guild.channel("general"),
        focused="paper", options={"paper": "a"},
    )  # fmt: skip

    with pytest.raises(AssertionError, match="refused the callback"):
        await fake.wait_for_autocomplete_choices(sent.id)

    body = {"message": "Invalid Form Body", "code": 50035, "errors": {"data": {"choices": errors}}}
    assert refused_callbacks(fake) == [(400, body)]
    assert fake.autocomplete_choices(sent.id) is None
    assert not fake.interaction(sent.id).acknowledged
    await fake.wait_until(lambda: "Ignoring exception in autocomplete" in caplog.text)
    assert any(r.levelno == logging.ERROR and r.exc_info for r in caplog.records)


async def test_only_an_autocomplete_result_answers_an_autocomplete(
    fake: FakeDiscord, bot: SuggestBot, caplog: pytest.LogCaptureFixture
) -> None:
    async def answer_with_a_message(
        interaction: discord.Interaction, current: str
    ) -> list[Choice[str]]:
        await interaction.response.send_message("not a suggestion")
        return []

    bot.suggest = answer_with_a_message
    general = fake.guild.channel("general")
    sent = await fake.send_autocomplete(
        "summary", user=fake.guild.member("member"), channel=general, focused="paper"
    )

    with pytest.raises(AssertionError, match="refused the callback"):
        await fake.wait_for_autocomplete_choices(sent.id)

    invalid = {"_errors": [{"code": "BASE_TYPE_CHOICES", "message": "Value must be one of {8}."}]}
    body = {"message": "Invalid Form Body", "code": 50035, "errors": {"type": invalid}}
    assert refused_callbacks(fake) == [(400, body)]
    assert fake.bot_messages(general) == []


async def test_an_autocomplete_result_to_a_slash_command_is_refused(
    fake: FakeDiscord, bot: SuggestBot
) -> None:
    """discord.py will not send it (a ValueError), so the test posts it as another client
    could; the interaction stays unanswered."""
    sent = await fake.send_interaction(
        "quiet", user=fake.guild.member("member"), channel=fake.guild.channel("general")
    )
    url = f"{fake.api_base_url}/interactions/{sent.id}/{sent.token}/callback"
    result = {"type": CALLBACK_AUTOCOMPLETE_RESULT, "data": {"choices": []}}
    async with aiohttp.ClientSession() as http, http.post(url, json=result) as response:
        status, body = response.status, await response.json()

    assert status == 400
    assert body["code"] == 50035
    assert body["errors"]["type"]["_errors"][0]["code"] == "INTERACTION_RESPONSE_TYPE_INVALID"
    assert not fake.interaction(sent.id).acknowledged
    assert fake.autocomplete_choices(sent.id) is None


async def test_suggestions_after_the_deadline_are_refused(
    fake: FakeDiscord, bot: SuggestBot
) -> None:
    async def slow(interaction: discord.Interaction, current: str) -> list[Choice[str]]:
        await asyncio.sleep(0.3)
        return await by_title(interaction, current)

    fake.interaction_deadline = 0.1  # Discord's is 3 s
    bot.suggest = slow
    sent = await fake.send_autocomplete(
        "summary", user=fake.guild.member("member"), channel=fake.guild.channel("general"),
        focused="paper", options={"paper": "deep"},
    )  # fmt: skip

    with pytest.raises(AssertionError, match="refused"):
        await fake.wait_for_autocomplete_choices(sent.id)
    assert refused_callbacks(fake) == [(404, {"message": "Unknown interaction", "code": 10062})]


async def test_the_driver_sends_only_what_discord_would(fake: FakeDiscord, bot: SuggestBot) -> None:
    member, general = fake.guild.member("member"), fake.guild.channel("general")
    with pytest.raises(ValueError, match="not synced with autocomplete"):
        await fake.send_autocomplete("summary", user=member, channel=general, focused="length")
    with pytest.raises(LookupError, match="no option 'title'"):
        await fake.send_autocomplete("summary", user=member, channel=general, focused="title")
    with pytest.raises(LookupError, match="never synced"):
        await fake.send_autocomplete("papers", user=member, channel=general, focused="paper")
    with pytest.raises(LookupError, match="no option 'style'"):
        await fake.send_autocomplete(
            "summary", user=member, channel=general, focused="paper", options={"style": "x"}
        )
    assert fake.dispatched_events("INTERACTION_CREATE") == []


async def test_sync_refuses_autocomplete_where_discord_does(fake: FakeDiscord) -> None:
    url = f"{fake.api_base_url}/applications/{fake.application_id}/commands"
    option = {"name": "paper", "description": "A paper", "type": 3, "autocomplete": True}
    bad = [
        {
            "name": "summary",
            "description": "Summarise",
            "options": [{**option, "choices": [{"name": "a", "value": "a"}]}],
        },
        {"name": "flag", "description": "A flag", "options": [{**option, "type": 5}]},
    ]
    headers = {"Authorization": f"Bot {fake.token}"}
    async with aiohttp.ClientSession() as http, http.put(url, json=bad, headers=headers) as resp:
        status, body = resp.status, await resp.json()
    assert (status, body["code"]) == (400, 50035)
    assert "autocomplete with choices" in body["errors"]["0"]["_errors"][0]["message"]
    assert "autocomplete on a type 5 option" in body["errors"]["1"]["_errors"][0]["message"]


def test_choice_values_follow_the_focused_option_type() -> None:
    assert choice_errors([{"name": "one", "value": 1}], 4) == {}
    assert choice_errors([{"name": "half", "value": 0.5}], 10) == {}
    assert choice_errors([], 3) == {}
    assert choice_errors([{"name": "one", "value": 1}], 3) == {
        "choices": {
            "0": {
                "value": {
                    "_errors": [
                        {
                            "code": "STRING_TYPE_CONVERT",
                            "message": "Could not interpret 1 as string.",
                        }
                    ]
                }
            }
        }
    }
    not_int = choice_errors([{"name": "one", "value": "1"}, {"name": "t", "value": True}], 4)
    assert set(not_int["choices"]) == {"0", "1"}
    assert not_int["choices"]["0"]["value"]["_errors"][0]["code"] == "NUMBER_TYPE_COERCE"
    missing = choice_errors([{"value": "x"}, "x"], 3)["choices"]
    assert missing["0"]["name"]["_errors"][0]["code"] == "BASE_TYPE_REQUIRED"
    assert missing["1"]["_errors"][0]["code"] == "DICT_TYPE_CONVERT"
    assert choice_errors(None, 3)["choices"]["_errors"][0]["code"] == "BASE_TYPE_REQUIRED"
    empty_name = choice_errors([{"name": "", "value": "x"}], 3)["choices"]["0"]["name"]
    assert empty_name["_errors"][0]["code"] == "BASE_TYPE_BAD_LENGTH"
