"""Discord's documented limits on what a message may hold, as a checker for test assertions.

``check_message_limits(payload)`` takes the JSON a bot sends (a ``POST /channels/{id}/messages``
body, an edit, a followup, or the ``data`` of an interaction callback) and lists every limit it
breaks, in plain words. An empty list means Discord would accept the payload's shape.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_NAME_MAX = 256
EMBEDS_TOTAL_MAX = 6000
ACTION_ROWS_MAX = 5
BUTTONS_PER_ROW_MAX = 5
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
SELECT_OPTIONS_MAX = 25
SELECT_PLACEHOLDER_MAX = 150
NONCE_MAX = 25
COMPONENTS_V2_TOTAL_MAX = 40
FLAG_IS_COMPONENTS_V2 = 1 << 15

_ACTION_ROW = 1
_BUTTON = 2
_SELECTS = frozenset({3, 5, 6, 7, 8})
_LINK_STYLE = 5
_PREMIUM_STYLE = 6


def check_message_limits(
    payload: Mapping[str, Any], *, require_no_pings: bool = False
) -> list[str]:
    """Every violation of Discord's message limits in ``payload``; ``[]`` when there is none.

    With ``require_no_pings``, a payload whose ``allowed_mentions`` does not forbid every ping
    (see :func:`forbids_all_pings`) is a violation too.
    """
    problems: list[str] = []
    content = payload.get("content")
    if isinstance(content, str) and len(content) > CONTENT_MAX:
        problems.append(f"content is {len(content)} characters (max {CONTENT_MAX})")
    nonce = payload.get("nonce")
    if nonce is not None and len(str(nonce)) > NONCE_MAX:
        problems.append(f"nonce is {len(str(nonce))} characters (max {NONCE_MAX})")

    embeds = payload.get("embeds") or []
    if payload.get("embed"):
        embeds = [*embeds, payload["embed"]]
    problems.extend(_check_embeds(embeds))

    flags = int(payload.get("flags") or 0)
    components = payload.get("components") or []
    if flags & FLAG_IS_COMPONENTS_V2:
        problems.extend(_check_components_v2(payload, components))
    else:
        problems.extend(_check_action_rows(components))

    problems.extend(_check_allowed_mentions(payload.get("allowed_mentions")))
    if require_no_pings and not forbids_all_pings(payload):
        problems.append(
            "allowed_mentions does not forbid every ping "
            "(want parse=[], no users, no roles, replied_user false)"
        )
    return problems


def forbids_all_pings(payload: Mapping[str, Any]) -> bool:
    """Whether the payload's ``allowed_mentions`` makes every mention silent.

    True when ``allowed_mentions`` is present with no ``parse`` types (missing counts as
    empty once the object is given), no explicit ``users`` or ``roles``, and ``replied_user``
    false or missing. Without ``allowed_mentions`` Discord parses everything, so: False.
    """
    allowed = payload.get("allowed_mentions")
    if not isinstance(allowed, Mapping):
        return False
    return (
        not allowed.get("parse")
        and not allowed.get("users")
        and not allowed.get("roles")
        and not allowed.get("replied_user", False)
    )


def embed_characters(embed: Mapping[str, Any]) -> int:
    """The characters Discord counts towards the 6,000 total of a message's embeds."""
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    for f in embed.get("fields") or []:
        total += len(f.get("name") or "") + len(f.get("value") or "")
    return total


def _check_embeds(embeds: list[Mapping[str, Any]]) -> Iterator[str]:
    if len(embeds) > EMBEDS_MAX:
        yield f"{len(embeds)} embeds (max {EMBEDS_MAX})"
    total = 0
    for i, embed in enumerate(embeds):
        where = f"embeds[{i}]"
        yield from _too_long(f"{where}.title", embed.get("title"), EMBED_TITLE_MAX)
        yield from _too_long(
            f"{where}.description", embed.get("description"), EMBED_DESCRIPTION_MAX
        )
        footer = embed.get("footer") or {}
        yield from _too_long(f"{where}.footer.text", footer.get("text"), EMBED_FOOTER_MAX)
        author = embed.get("author") or {}
        yield from _too_long(f"{where}.author.name", author.get("name"), EMBED_AUTHOR_NAME_MAX)
        fields = embed.get("fields") or []
        if len(fields) > EMBED_FIELDS_MAX:
            yield f"{where} has {len(fields)} fields (max {EMBED_FIELDS_MAX})"
        for j, f in enumerate(fields):
            name, value = f.get("name"), f.get("value")
            if not name:
                yield f"{where}.fields[{j}].name is empty"
            if not value:
                yield f"{where}.fields[{j}].value is empty"
            yield from _too_long(f"{where}.fields[{j}].name", name, EMBED_FIELD_NAME_MAX)
            yield from _too_long(f"{where}.fields[{j}].value", value, EMBED_FIELD_VALUE_MAX)
        total += embed_characters(embed)
    if total > EMBEDS_TOTAL_MAX:
        yield f"embeds hold {total} characters in all (max {EMBEDS_TOTAL_MAX})"


def _check_action_rows(rows: list[Mapping[str, Any]]) -> Iterator[str]:
    if len(rows) > ACTION_ROWS_MAX:
        yield f"{len(rows)} action rows (max {ACTION_ROWS_MAX})"
    seen: set[str] = set()
    for i, row in enumerate(rows):
        where = f"components[{i}]"
        if row.get("type") != _ACTION_ROW:
            yield f"{where} is type {row.get('type')}, not an action row (1)"
            continue
        children = row.get("components") or []
        if not children:
            yield f"{where} is an empty action row"
        buttons = [c for c in children if c.get("type") == _BUTTON]
        selects = [c for c in children if c.get("type") in _SELECTS]
        if len(buttons) > BUTTONS_PER_ROW_MAX:
            yield f"{where} has {len(buttons)} buttons (max {BUTTONS_PER_ROW_MAX})"
        if selects and (len(selects) > 1 or buttons):
            yield f"{where} mixes a select menu with other components"
        for j, child in enumerate(children):
            yield from _check_component(f"{where}.components[{j}]", child, seen)


def _check_component(where: str, child: Mapping[str, Any], seen: set[str]) -> Iterator[str]:
    ctype = child.get("type")
    custom_id = child.get("custom_id")
    if ctype == _BUTTON:
        style = child.get("style")
        if style == _LINK_STYLE:
            if not child.get("url"):
                yield f"{where} is a link button without a url"
            if custom_id is not None:
                yield f"{where} is a link button with a custom_id"
        elif style != _PREMIUM_STYLE and not custom_id:
            yield f"{where} is a button without a custom_id"
        yield from _too_long(f"{where}.label", child.get("label"), BUTTON_LABEL_MAX)
    elif ctype in _SELECTS:
        if not custom_id:
            yield f"{where} is a select menu without a custom_id"
        options = child.get("options") or []
        if len(options) > SELECT_OPTIONS_MAX:
            yield f"{where} has {len(options)} options (max {SELECT_OPTIONS_MAX})"
        yield from _too_long(
            f"{where}.placeholder", child.get("placeholder"), SELECT_PLACEHOLDER_MAX
        )
    if isinstance(custom_id, str):
        yield from _too_long(f"{where}.custom_id", custom_id, CUSTOM_ID_MAX)
        if custom_id in seen:
            yield f"{where}.custom_id {custom_id!r} is used twice in one message"
        seen.add(custom_id)


def _check_components_v2(payload: Mapping[str, Any], components: list[Any]) -> Iterator[str]:
    if payload.get("content"):
        yield "content is not allowed with the IS_COMPONENTS_V2 flag"
    if payload.get("embeds"):
        yield "embeds are not allowed with the IS_COMPONENTS_V2 flag"
    total = sum(1 for _ in _walk(components))
    if total > COMPONENTS_V2_TOTAL_MAX:
        yield f"{total} components in all (max {COMPONENTS_V2_TOTAL_MAX})"
    seen: set[str] = set()
    for i, component in enumerate(_walk(components)):
        if component.get("type") in (_BUTTON, *_SELECTS):
            yield from _check_component(f"component #{i}", component, seen)


def _walk(components: list[Any]) -> Iterator[Mapping[str, Any]]:
    for component in components:
        if not isinstance(component, Mapping):
            continue
        yield component
        yield from _walk(list(component.get("components") or []))
        for key in ("accessory", "component"):
            inner = component.get(key)
            if isinstance(inner, Mapping):
                yield from _walk([inner])


def _check_allowed_mentions(allowed: Any) -> Iterator[str]:
    if allowed is None:
        return
    if not isinstance(allowed, Mapping):
        yield "allowed_mentions is not an object"
        return
    parse = allowed.get("parse") or []
    unknown = set(parse) - {"users", "roles", "everyone"}
    if unknown:
        yield f"allowed_mentions.parse has unknown types {sorted(unknown)}"
    if "users" in parse and allowed.get("users"):
        yield "allowed_mentions: parse 'users' and a users list are mutually exclusive"
    if "roles" in parse and allowed.get("roles"):
        yield "allowed_mentions: parse 'roles' and a roles list are mutually exclusive"
    for key in ("users", "roles"):
        if len(allowed.get(key) or []) > 100:
            yield f"allowed_mentions.{key} lists more than 100 ids"


def _too_long(where: str, value: Any, limit: int) -> Iterator[str]:
    if isinstance(value, str) and len(value) > limit:
        yield f"{where} is {len(value)} characters (max {limit})"
