"""Channel (incoming) webhooks, as Discord documents them.

(https://discord.com/developers/docs/resources/webhook.) A test makes one with
``fake.create_webhook(channel)`` and hands its ``url`` (``https://discord.com/api/webhooks/ID/
TOKEN``) to the code under test: discord.py's ``discord.Webhook`` sends to ``Route.BASE`` +
``/webhooks/{id}/{token}``, so with the endpoints pointed at the fake
(:mod:`tests.fakediscord.client`) ``discord.Webhook.from_url(url, session=...)`` reaches it as
it reaches Discord. Served without the bot's token, as on Discord:

* ``GET /webhooks/{id}/{token}``: the webhook object (type 1, ``application_id`` null, no
  ``user``: it was fetched by token).
* ``POST /webhooks/{id}/{token}`` (execute; JSON, or multipart with ``payload_json``): stores a
  message in the webhook's channel like any other (channel history, ``fake.messages``), with
  ``webhook_id`` set and the webhook as its author (``username`` in the body renames it for
  that message), validated as the bot's messages are (``allowed_mentions`` honoured); then the
  post hook (``on_post``) runs, MESSAGE_CREATE is dispatched, and ``?wait=true`` answers 200 with
  the message (otherwise 204). The bot's permissions in the channel play no part.

An unknown id answers 404 10015 ``Unknown Webhook``, a wrong token 401 50027 ``Invalid Webhook
Token``. The path is the one interaction followups use, so requests have the route template
``/webhooks/{application_id}/{token}`` (what ``fail_next``/``rate_limit`` patterns may name; or
use ``webhook.path``): an id that is no channel webhook's goes to the interaction routes
(:mod:`~tests.fakediscord.interactions`) unchanged. Like followups, executions do not count
against the bot's global rate limit (Discord limits each webhook on its own: ``rate_limit`` on
``webhook.path`` for that). Editing, deleting or fetching a channel webhook's messages by id,
threads (``thread_id``) and avatars are not served. :class:`WebhookRoutes` is a mixin of
:class:`~tests.fakediscord.server.FakeDiscord`; the webhooks are its ``webhooks``, by id.
"""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass, field

from aiohttp import web

from tests.fakediscord.api import (
    FLAG_IS_COMPONENTS_V2,
    FLAG_SUPPRESS_EMBEDS,
    FLAG_SUPPRESS_NOTIFICATIONS,
    JSON,
    ApiError,
    Route,
    field_error,
    invalid_form,
    json_response,
    unknown,
)
from tests.fakediscord.models import TEXT_CHANNEL_TYPES, Channel, User
from tests.fakediscord.records import RecordedRequest
from tests.fakediscord.snowflake import new_snowflake
from tests.secretwatch import secret

WEBHOOK_INCOMING = 1
_NAME_MAX = 80
_FORBIDDEN_IN_NAMES = ("clyde", "discord")
_EXECUTE_FLAGS = FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_IS_COMPONENTS_V2


@dataclass(frozen=True)
class ChannelWebhook:
    """An incoming webhook of one guild channel. ``token`` is a secret (kept out of ``repr``)."""

    id: int
    token: str = field(repr=False)
    channel_id: int
    guild_id: int
    name: str

    @property
    def url(self) -> str:
        """What Discord shows the server admin, and the operator configures."""
        return f"https://discord.com/api/webhooks/{self.id}/{self.token}"

    @property
    def path(self) -> str:
        """Its path under the API base, for ``fail_next``/``rate_limit``/``requests_to``."""
        return f"/webhooks/{self.id}/{self.token}"

    def payload(self) -> JSON:
        """The webhook object as ``GET /webhooks/{id}/{token}`` answers it."""
        return {
            "id": str(self.id),
            "type": WEBHOOK_INCOMING,
            "guild_id": str(self.guild_id),
            "channel_id": str(self.channel_id),
            "name": self.name,
            "avatar": None,
            "token": self.token,
            "application_id": None,
        }

    def author(self, username: str | None = None) -> JSON:
        """The ``author`` of the messages it posts."""
        return {
            "id": str(self.id),
            "username": username or self.name,
            "avatar": None,
            "discriminator": "0000",
            "bot": True,
        }


def _name_problem(name: object) -> str | None:
    if not isinstance(name, str) or not 1 <= len(name) <= _NAME_MAX:
        return f"Must be between 1 and {_NAME_MAX} in length."
    lowered = name.lower()
    for word in _FORBIDDEN_IN_NAMES:
        if word in lowered:
            return f'Username cannot contain "{word}"'
    return None


class WebhookRoutes:
    webhooks: dict[int, ChannelWebhook]
    """Set by the fake: the channel webhooks, by id."""

    # -- for tests

    def create_webhook(self, channel: Channel, name: str = "shortbot digests") -> ChannelWebhook:
        """A new incoming webhook in ``channel`` (a guild text or announcement channel), as a
        server admin makes one; its token is registered with :func:`tests.secretwatch.secret`."""
        problem = _name_problem(name)
        if problem is not None:
            raise ValueError(f"webhook name {name!r}: {problem}")
        found = self._find_channel(channel.id)
        if found is None or found[1] is None:
            raise ValueError(f"channel {channel.name!r} is not a channel of the fake's guilds")
        if channel.type not in TEXT_CHANNEL_TYPES:
            raise ValueError(f"channel {channel.name!r} cannot have webhooks (not a text channel)")
        webhook = ChannelWebhook(
            id=new_snowflake(),
            token=secret(secrets.token_urlsafe(51)),  # 68 characters of [A-Za-z0-9_-]
            channel_id=channel.id,
            guild_id=found[1].id,
            name=name,
        )
        self.webhooks[webhook.id] = webhook
        return webhook

    def webhook_messages(self, webhook: ChannelWebhook) -> list[JSON]:
        """The live messages ``webhook`` posted, oldest first (copies)."""
        wanted = str(webhook.id)
        return [copy.deepcopy(m) for m in self._messages.values() if m.get("webhook_id") == wanted]

    # -- routes

    def _webhook_routes(self) -> list[Route]:
        return [
            ("GET", "/webhooks/{application_id}/{token}", self._get_webhook),
            ("POST", "/webhooks/{application_id}/{token}", self._execute_webhook),
        ]

    def _webhook_by_path(self, request: web.Request) -> ChannelWebhook | None:
        """The channel webhook the path names (None: the id is not a channel webhook's);
        401 50027 if the token is not its token."""
        try:
            webhook = self.webhooks.get(int(request.match_info["application_id"]))
        except ValueError:
            return None
        if webhook is None:
            return None
        if not secrets.compare_digest(request.match_info["token"], webhook.token):
            raise ApiError(401, 50027, "Invalid Webhook Token")
        return webhook

    async def _get_webhook(self, request: web.Request, record: RecordedRequest) -> web.Response:
        webhook = self._webhook_by_path(request)
        if webhook is None or self._find_channel(webhook.channel_id) is None:
            raise unknown("Webhook", 10015)
        return json_response(webhook.payload())

    async def _execute_webhook(
        self, request: web.Request, record: RecordedRequest
    ) -> web.StreamResponse:
        webhook = self._webhook_by_path(request)
        if webhook is None:
            # Not a channel webhook: an interaction's followup, or an unknown webhook (10015).
            return await self._followup(request, record)
        found = self._find_channel(webhook.channel_id)
        if found is None:
            raise unknown("Webhook", 10015)
        channel, guild = found
        if "thread_id" in request.query:
            raise unknown("Channel", 10003)  # the fake has no threads
        payload = dict(record.json) if isinstance(record.json, dict) else {}
        self._validate_message(payload, files=record.files, creating=True)
        username = payload.get("username")
        if username is not None:
            problem = _name_problem(username)
            if problem is not None:
                raise invalid_form({"username": field_error("USERNAME_INVALID", problem)})
        payload["flags"] = int(payload.get("flags") or 0) & _EXECUTE_FLAGS
        as_user = User(webhook.name, id=webhook.id, bot=True)
        message = self._build_message(
            channel, guild, as_user, None, payload, webhook_id=webhook.id, files=record.files
        )
        message["author"] = webhook.author(username)
        self._store_message(message)
        self._posted()
        await self._dispatch_message("MESSAGE_CREATE", message, guild)
        if request.query.get("wait") in ("1", "true", "True"):
            return json_response(message)
        return web.Response(status=204)
