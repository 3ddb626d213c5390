"""A user picks a message context-menu command (Apps → NAME on a message).

As Discord documents it: an application command of type 3 (MESSAGE), synced like slash
commands, sent as an APPLICATION_COMMAND interaction whose ``data`` has ``type`` 3,
``target_id`` (the message) and ``resolved.messages`` (the whole message, its content
included whatever the bot's intents). :class:`Menus` is a mixin of
:class:`~tests.fakediscord.server.FakeDiscord`.
"""

from __future__ import annotations

import copy

from tests.fakediscord.api import INTERACTION_APPLICATION_COMMAND, JSON
from tests.fakediscord.models import Member, User
from tests.fakediscord.records import SentInteraction

COMMAND_MESSAGE = 3


class Menus:
    async def use_message_command(
        self, name: str, message_id: int, *, user: Member | User
    ) -> SentInteraction:
        """``user`` runs message command ``name`` on message ``message_id`` (which must exist;
        the command must have been synced unless ``require_synced_commands=False``)."""
        message = self._messages.get(message_id)
        if message is None:
            raise LookupError(f"no message {message_id}")
        chan, guild = self._channel_arg(int(message["channel_id"]))
        command = self._find_command(name, guild, COMMAND_MESSAGE)
        if command is None and self.require_synced_commands:
            raise LookupError(f"message command {name!r} was never synced")
        data: JSON = {
            "id": command["id"] if command is not None else str(message_id),
            "name": name,
            "type": COMMAND_MESSAGE,
            "target_id": str(message_id),
            "resolved": {"messages": {str(message_id): copy.deepcopy(message)}},
        }
        if command is not None and command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return await self._send_interaction(
            INTERACTION_APPLICATION_COMMAND, user, chan, guild, data
        )
