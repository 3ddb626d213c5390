"""Routes for answering interactions: the callback, followups, and the webhook messages.

Callbacks are checked like Discord does (once only, within ``interaction_deadline``, a type
that fits the interaction: an autocomplete interaction takes type 8 only, whose choices
:mod:`~tests.fakediscord.autocomplete` checks); a deferred "thinking" message is replaced by
the first followup or edit. Every answer is kept on the
:class:`~tests.fakediscord.records.InteractionRecord`.
``POST /webhooks/{application_id}/{token}`` is shared with channel webhooks: the route is
:mod:`~tests.fakediscord.webhooks`'s, which hands every id that is no channel webhook's to
``_followup`` here.
:class:`InteractionRoutes` is a mixin of :class:`~tests.fakediscord.server.FakeDiscord`.
"""

from __future__ import annotations

import copy

from aiohttp import web

from tests.fakediscord.api import (
    CALLBACK_AUTOCOMPLETE_RESULT,
    CALLBACK_CHANNEL_MESSAGE,
    CALLBACK_DEFERRED_CHANNEL_MESSAGE,
    CALLBACK_DEFERRED_UPDATE_MESSAGE,
    CALLBACK_MODAL,
    CALLBACK_PONG,
    CALLBACK_UPDATE_MESSAGE,
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    INTERACTION_APPLICATION_COMMAND_AUTOCOMPLETE,
    INTERACTION_MESSAGE_COMPONENT,
    INTERACTION_MODAL_SUBMIT,
    JSON,
    ApiError,
    Route,
    field_error,
    invalid_form,
    json_response,
    unknown,
)
from tests.fakediscord.records import InteractionRecord, InteractionResponse, RecordedRequest


class InteractionRoutes:
    def _interaction_routes(self) -> list[Route]:
        return [
            ("POST", "/interactions/{interaction_id}/{token}/callback", self._interaction_callback),
            (
                "GET",
                "/webhooks/{application_id}/{token}/messages/{message_id}",
                self._get_webhook_message,
            ),
            (
                "PATCH",
                "/webhooks/{application_id}/{token}/messages/{message_id}",
                self._edit_webhook_message,
            ),
            (
                "DELETE",
                "/webhooks/{application_id}/{token}/messages/{message_id}",
                self._delete_webhook_message,
            ),
        ]

    def _interaction_by_token(self, request: web.Request) -> InteractionRecord:
        if request.match_info["application_id"] != str(self.application_id):
            raise unknown("Webhook", 10015)
        token = request.match_info["token"]
        record = next((r for r in self._interactions.values() if r.token == token), None)
        if record is None:
            raise unknown("Webhook", 10015)
        return record

    async def _interaction_callback(
        self, request: web.Request, record: RecordedRequest
    ) -> web.Response:
        try:
            interaction = self._interactions[int(request.match_info["interaction_id"])]
        except (KeyError, ValueError):
            raise unknown("interaction", 10062) from None
        if interaction.token != request.match_info["token"]:
            raise unknown("interaction", 10062)
        if interaction.acknowledged:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        if (
            self.interaction_deadline is not None
            and self.clock() - interaction.created_at > self.interaction_deadline
        ):
            raise unknown("interaction", 10062)
        body = record.json if isinstance(record.json, dict) else {}
        ctype = body.get("type")
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        assert isinstance(data, dict)
        found = self._find_channel(interaction.channel_id)
        assert found is not None
        channel, guild = found
        is_component = interaction.type in (INTERACTION_MESSAGE_COMPONENT, INTERACTION_MODAL_SUBMIT)
        if (
            interaction.type == INTERACTION_APPLICATION_COMMAND_AUTOCOMPLETE
            and ctype != CALLBACK_AUTOCOMPLETE_RESULT
        ):
            raise invalid_form(
                {"type": field_error("BASE_TYPE_CHOICES", "Value must be one of {8}.")}
            )
        message: JSON | None = None
        if ctype == CALLBACK_CHANNEL_MESSAGE:
            self._validate_message(data, files=record.files, creating=True)
            message = self._build_message(
                channel, guild, self.bot_user, None, data,
                webhook_id=self.application_id, interaction=interaction, files=record.files,
            )  # fmt: skip
            self._store_message(message)
            interaction.original_message_id = int(message["id"])
            await self._dispatch_message("MESSAGE_CREATE", message, guild)
        elif ctype == CALLBACK_DEFERRED_CHANNEL_MESSAGE:
            flags = (int(data.get("flags") or 0) & FLAG_EPHEMERAL) | FLAG_LOADING
            message = self._build_message(
                channel, guild, self.bot_user, None, {"content": "", "flags": flags},
                webhook_id=self.application_id, interaction=interaction,
            )  # fmt: skip
            self._store_message(message)
            interaction.original_message_id = int(message["id"])
            interaction.loading = True
            await self._dispatch_message("MESSAGE_CREATE", message, guild)
        elif ctype in (CALLBACK_DEFERRED_UPDATE_MESSAGE, CALLBACK_UPDATE_MESSAGE):
            if not is_component:
                raise invalid_form(
                    {"type": field_error("INTERACTION_RESPONSE_TYPE_INVALID", "Invalid type")}
                )
            if (
                ctype == CALLBACK_UPDATE_MESSAGE
                and interaction.original_message_id in self._messages
            ):
                self._validate_message(data, files=record.files, creating=False)
                message = self._messages[interaction.original_message_id]
                self._edit_message(message, data, files=record.files)
                await self._dispatch_message("MESSAGE_UPDATE", message, guild)
        elif ctype == CALLBACK_MODAL:
            if interaction.type == INTERACTION_MODAL_SUBMIT:
                raise invalid_form(
                    {"type": field_error("INTERACTION_RESPONSE_TYPE_INVALID", "Invalid type")}
                )
            if not data.get("custom_id") or not data.get("title") or not data.get("components"):
                raise invalid_form(
                    {
                        "data": field_error(
                            "BASE_TYPE_REQUIRED", "A modal needs custom_id, title and components"
                        )
                    }
                )
            interaction.modal = copy.deepcopy(data)
        elif ctype == CALLBACK_AUTOCOMPLETE_RESULT:
            self._check_autocomplete_result(interaction, data)
        elif ctype != CALLBACK_PONG:
            raise invalid_form(
                {"type": field_error("BASE_TYPE_CHOICES", f"Invalid callback type {ctype!r}")}
            )
        interaction.callback_type = int(ctype) if isinstance(ctype, int) else None
        interaction.responses.append(
            InteractionResponse(
                "callback", copy.deepcopy(body), int(message["id"]) if message else None
            )
        )
        if request.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        answer: JSON = {
            "interaction": {
                "id": str(interaction.id),
                "type": interaction.type,
                "response_message_loading": interaction.loading,
                "response_message_ephemeral": bool(
                    message and int(message["flags"]) & FLAG_EPHEMERAL
                ),
            },
            "resource": {"type": ctype},
        }
        if message is not None:
            answer["interaction"]["response_message_id"] = message["id"]
            answer["resource"]["message"] = message
        return json_response(answer)

    async def _followup(self, request: web.Request, record: RecordedRequest) -> web.Response:
        interaction = self._interaction_by_token(request)
        if not interaction.acknowledged:
            raise unknown("Webhook", 10015)
        payload = record.json if isinstance(record.json, dict) else {}
        found = self._find_channel(interaction.channel_id)
        assert found is not None
        channel, guild = found
        if interaction.loading and interaction.original_message_id in self._messages:
            # The first followup after a "thinking" defer replaces the loading message.
            self._validate_message(payload, files=record.files, creating=True)
            message = self._messages[interaction.original_message_id]
            self._edit_message(message, payload, files=record.files)
            interaction.loading = False
            await self._dispatch_message("MESSAGE_UPDATE", message, guild)
        else:
            self._validate_message(payload, files=record.files, creating=True)
            message = self._build_message(
                channel, guild, self.bot_user, None, payload,
                webhook_id=self.application_id, interaction=interaction, files=record.files,
            )  # fmt: skip
            self._store_message(message)
            interaction.followup_ids.append(int(message["id"]))
            await self._dispatch_message("MESSAGE_CREATE", message, guild)
        interaction.responses.append(
            InteractionResponse("followup", copy.deepcopy(payload), int(message["id"]))
        )
        if request.query.get("wait") in ("1", "true", "True"):
            return json_response(message)
        return web.Response(status=204)

    def _webhook_message(
        self, request: web.Request, interaction: InteractionRecord
    ) -> tuple[JSON, bool]:
        raw = request.match_info["message_id"]
        if raw == "@original":
            mid = interaction.original_message_id
            if mid is None or mid not in self._messages:
                raise unknown("Message", 10008)
            return self._messages[mid], True
        try:
            mid = int(raw)
        except ValueError:
            raise unknown("Message", 10008) from None
        if mid not in interaction.followup_ids and mid != interaction.original_message_id:
            raise unknown("Message", 10008)
        if mid not in self._messages:
            raise unknown("Message", 10008)
        return self._messages[mid], mid == interaction.original_message_id

    async def _get_webhook_message(
        self, request: web.Request, record: RecordedRequest
    ) -> web.Response:
        interaction = self._interaction_by_token(request)
        message, _ = self._webhook_message(request, interaction)
        return json_response(message)

    async def _edit_webhook_message(
        self, request: web.Request, record: RecordedRequest
    ) -> web.Response:
        interaction = self._interaction_by_token(request)
        message, original = self._webhook_message(request, interaction)
        payload = record.json if isinstance(record.json, dict) else {}
        self._validate_message(payload, files=record.files, creating=False)
        self._edit_message(message, payload, files=record.files)
        if original:
            interaction.loading = False
        guild = self._guild_by_id(interaction.guild_id) if interaction.guild_id else None
        await self._dispatch_message("MESSAGE_UPDATE", message, guild)
        interaction.responses.append(
            InteractionResponse(
                "edit_original" if original else "edit_followup",
                copy.deepcopy(payload),
                int(message["id"]),
            )
        )
        return json_response(message)

    async def _delete_webhook_message(
        self, request: web.Request, record: RecordedRequest
    ) -> web.Response:
        interaction = self._interaction_by_token(request)
        message, original = self._webhook_message(request, interaction)
        await self._delete_message(message)
        interaction.responses.append(
            InteractionResponse(
                "delete_original" if original else "delete_followup", {}, int(message["id"])
            )
        )
        return web.Response(status=204)
