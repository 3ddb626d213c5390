"""Slash-command autocomplete as Discord does it: a user types into an option, the bot suggests.

:class:`Autocomplete` is a mixin of :class:`~tests.fakediscord.server.FakeDiscord`.

* ``send_autocomplete`` dispatches INTERACTION_CREATE of type 4
  (``INTERACTION_APPLICATION_COMMAND_AUTOCOMPLETE``): the command's options as typed so far
  (required ones may be missing), the option being typed marked ``"focused": true`` with the
  raw text as a string value (its synced type stays: 3 string, or 4/10 for integer/number
  options, whose typed text Discord also sends as a string).
* The only callback Discord takes to it is type 8 (``CALLBACK_AUTOCOMPLETE_RESULT``) with
  ``data.choices``, and type 8 fits no other interaction: :mod:`~tests.fakediscord.interactions`
  calls :meth:`Autocomplete._check_autocomplete_result`, which answers 400 50035 with
  Discord's field errors (:func:`choice_errors`): at most 25 choices, each ``name`` 1-100
  characters, ``value`` a string of at most 100 characters for a string option, an integer or
  a number for integer/number options. The usual deadline (``interaction_deadline``) applies.
* ``autocomplete_choices(id)`` reads the accepted choices; ``wait_for_autocomplete_choices(id)``
  waits for them and fails at once if the fake refused the bot's callback.
  ``wait_for_interaction_response(id)`` works too (the accepted type-8 callback: ``.type == 8``,
  ``.data["choices"]``), but waits out its timeout when the callback was refused: a refused
  callback is no response, only a recorded request (``requests_to("POST",
  "/interactions/*/callback")``, status 400).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from tests.fakediscord.api import (
    CALLBACK_AUTOCOMPLETE_RESULT,
    INTERACTION_APPLICATION_COMMAND_AUTOCOMPLETE,
    JSON,
    field_error,
    invalid_form,
)
from tests.fakediscord.models import Channel, Guild, Member, User
from tests.fakediscord.records import InteractionRecord, SentInteraction

MAX_CHOICES = 25
MAX_CHOICE_NAME = 100
MAX_CHOICE_VALUE = 100
AUTOCOMPLETE_OPTION_TYPES = (3, 4, 10)
"""String, integer and number: the option types Discord offers autocomplete for."""
_MAX_SAFE_INTEGER = 2**53
_CALLBACK_ROUTE = "/interactions/{interaction_id}/{token}/callback"


class Autocomplete:
    async def send_autocomplete(
        self,
        name: str,
        *,
        user: Member | User,
        channel: Channel | int,
        focused: str,
        options: Mapping[str, Any] | None = None,
    ) -> SentInteraction:
        """A user types into option ``focused`` of slash command ``name`` (``"group sub"`` for
        subcommands): Discord asks the bot for suggestions (interaction type 4).

        ``options[focused]`` is the text typed so far (missing: ``""``), sent as a string with
        ``"focused": true``; the other ``options`` are sent as :meth:`send_interaction` sends
        them, but required ones may be missing. The command must have been synced (unless
        ``require_synced_commands=False``), and then ``focused`` must be one of its options
        synced with ``"autocomplete": true``."""
        chan, guild = self._channel_arg(channel)
        values = dict(options or {})
        typed = values.pop(focused, "")
        data = self._command_data(name, values, guild, chan, partial=True)
        option = self._autocomplete_option(name, focused, guild)
        level: list[JSON] = data["options"]
        for _ in name.split()[1:]:
            level = level[0]["options"]
        otype = int(option["type"]) if option is not None else 3
        level.append({"name": focused, "type": otype, "value": str(typed), "focused": True})
        return await self._send_interaction(
            INTERACTION_APPLICATION_COMMAND_AUTOCOMPLETE, user, chan, guild, data
        )

    def autocomplete_choices(self, interaction_id: int) -> list[JSON] | None:
        """The choices of the bot's accepted autocomplete result (callback type 8) to the
        interaction (copies), or None while there is none (refused results do not count)."""
        for response in self._interactions[interaction_id].responses:
            if response.kind == "callback" and response.type == CALLBACK_AUTOCOMPLETE_RESULT:
                return copy.deepcopy(response.data.get("choices") or [])
        return None

    async def wait_for_autocomplete_choices(
        self, interaction_id: int, *, timeout: float = 5.0
    ) -> list[JSON]:
        """:meth:`autocomplete_choices` once the bot's result is accepted (an empty list is a
        result too). Raises AssertionError at once, with the fake's answer, when the fake
        refused the bot's callback to this interaction (a 4xx other than 429)."""
        prefix = f"/interactions/{interaction_id}/"

        def find() -> tuple[list[JSON]] | None:
            choices = self.autocomplete_choices(interaction_id)
            if choices is not None:
                return (choices,)
            for r in self.requests:
                if (
                    r.route == _CALLBACK_ROUTE
                    and r.path.startswith(prefix)
                    and 400 <= r.status < 500
                    and r.status != 429
                ):
                    raise AssertionError(
                        f"the fake refused the callback to interaction {interaction_id}: "
                        f"{r.status} {r.response}"
                    )
            return None

        (choices,) = await self.wait_until(
            find, timeout=timeout, description=f"autocomplete choices for {interaction_id}"
        )
        return choices

    def _autocomplete_option(self, name: str, focused: str, guild: Guild | None) -> JSON | None:
        root, *path = name.split()
        command = self._find_command(root, guild)
        if command is None:
            return None
        schema: list[JSON] = command.get("options") or []
        for sub in path:
            schema = next(o for o in schema if o["name"] == sub).get("options") or []
        option = next((o for o in schema if o["name"] == focused), None)
        if option is None:
            raise LookupError(f"/{name} has no option {focused!r}")
        if not option.get("autocomplete"):
            raise ValueError(
                f"/{name} {focused} was not synced with autocomplete: Discord asks no suggestions"
            )
        return option

    def _check_autocomplete_result(self, interaction: InteractionRecord, data: JSON) -> None:
        """Callback type 8: only to an autocomplete interaction, with valid choices."""
        if interaction.type != INTERACTION_APPLICATION_COMMAND_AUTOCOMPLETE:
            raise invalid_form(
                {"type": field_error("INTERACTION_RESPONSE_TYPE_INVALID", "Invalid type")}
            )
        option = focused_option(interaction.payload["data"].get("options") or [])
        otype = int(option["type"]) if option is not None else 3
        errors = choice_errors(data.get("choices"), otype)
        if errors:
            raise invalid_form({"data": errors})


def focused_option(options: list[JSON]) -> JSON | None:
    """The option marked ``"focused": true`` in an interaction's options (any depth)."""
    for option in options:
        if option.get("focused"):
            return option
        found = focused_option(option.get("options") or [])
        if found is not None:
            return found
    return None


def choice_errors(choices: Any, option_type: int) -> JSON:
    """Discord's field errors (what goes under ``errors.data``) for an autocomplete result's
    ``choices`` suggesting values for an option of ``option_type``; empty if they are valid.

    ``{"choices": {"_errors": [BASE_TYPE_MAX_LENGTH]}}`` for more than 25 and
    ``{"choices": {"3": {"name": {"_errors": [BASE_TYPE_BAD_LENGTH]}}}}`` for a bad name, as
    Discord answers them; the codes for a mistyped value are the fake's best guess."""
    if choices is None:
        return {"choices": field_error("BASE_TYPE_REQUIRED", "This field is required")}
    if not isinstance(choices, list):
        return {"choices": field_error("LIST_TYPE_CONVERT", "Must be an array.")}
    errors: JSON = {}
    if len(choices) > MAX_CHOICES:
        errors.update(
            field_error("BASE_TYPE_MAX_LENGTH", f"Must be {MAX_CHOICES} or fewer in length.")
        )
    for i, choice in enumerate(choices):
        problems = _choice_problems(choice, option_type)
        if problems:
            errors[str(i)] = problems
    return {"choices": errors} if errors else {}


def _choice_problems(choice: Any, option_type: int) -> JSON:
    if not isinstance(choice, dict):
        return field_error("DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
    problems: JSON = {}
    name = choice.get("name")
    if name is None:
        problems["name"] = field_error("BASE_TYPE_REQUIRED", "This field is required")
    elif not isinstance(name, str):
        problems["name"] = field_error(
            "STRING_TYPE_CONVERT", f"Could not interpret {name!r} as string."
        )
    elif not 1 <= len(name) <= MAX_CHOICE_NAME:
        problems["name"] = field_error(
            "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {MAX_CHOICE_NAME} in length."
        )
    value = choice.get("value")
    if value is None:
        problems["value"] = field_error("BASE_TYPE_REQUIRED", "This field is required")
    elif option_type == 3:
        if not isinstance(value, str):
            problems["value"] = field_error(
                "STRING_TYPE_CONVERT", f"Could not interpret {value!r} as string."
            )
        elif len(value) > MAX_CHOICE_VALUE:
            problems["value"] = field_error(
                "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_CHOICE_VALUE} or fewer in length."
            )
    elif option_type == 4 and (isinstance(value, bool) or not isinstance(value, int)):
        problems["value"] = field_error("NUMBER_TYPE_COERCE", f'Value "{value}" is not int.')
    elif option_type == 10 and (isinstance(value, bool) or not isinstance(value, (int, float))):
        problems["value"] = field_error(
            "NUMBER_TYPE_COERCE", f'Value "{value}" is not a valid number.'
        )
    elif option_type in (4, 10) and not -_MAX_SAFE_INTEGER <= value <= _MAX_SAFE_INTEGER:
        problems["value"] = field_error(
            "NUMBER_TYPE_MAX", f"Must be between {-_MAX_SAFE_INTEGER} and {_MAX_SAFE_INTEGER}."
        )
    return problems
