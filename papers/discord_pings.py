"""Opt-in pings: a destination's ``ping_role_id`` on its digests (pure).

The first message of a digest mentions the role, and only it (``allowed_mentions`` parses
nothing and lists that one role), and carries a "Notify me" button that members press to take
or drop the role. The button's ``custom_id`` is fixed (:data:`NOTIFY_ID`): the bot answers a
press on any digest ever sent, after restarts too, by looking up the role of the channel the
message is in. Every other message the bot sends pings no one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from papers.discord_limits import CONTENT_LIMIT, clip
from papers.model import Subscription, SubscriptionKind
from papers.publishing import Post

NOTIFY_ID = "shortbot:notify-me"
NOTIFY_LABEL = "Notify me"
BUTTON_STYLE_SECONDARY = 2
COMPONENT_ACTION_ROW, COMPONENT_BUTTON = 1, 2

NOW_NOTIFIED = "You will be notified of new digests here."
NO_LONGER_NOTIFIED = "You will no longer be notified of new digests here."
NOTHING_TO_JOIN = (
    "Notifications are off for this channel: a maintainer can set a role with `digest ping`."
)
NO_MANAGE_ROLES = (
    "I can't give or take roles here: I need the Manage Roles permission (ask a server admin)."
)
ROLE_ABOVE_ME = (
    "I can't give or take {role}: it is above my own highest role "
    "(a server admin can move my role above it)."
)
ROLE_GONE = "The role of this channel's notifications no longer exists (ask a maintainer)."


def mention(role_id: int) -> str:
    return f"<@&{role_id}>"


def notify_button() -> dict[str, Any]:
    """The action row with the "Notify me" button, as Discord's JSON."""
    button = {
        "type": COMPONENT_BUTTON,
        "style": BUTTON_STYLE_SECONDARY,
        "label": NOTIFY_LABEL,
        "custom_id": NOTIFY_ID,
    }
    return {"type": COMPONENT_ACTION_ROW, "components": [button]}


def with_ping(posts: Sequence[Post], role_id: int, *, button: bool = True) -> list[Post]:
    """``posts`` (a digest's messages) with the first one mentioning ``role_id`` (only that
    role may be pinged) and, with ``button``, carrying the "Notify me" button. Keys and items
    are unchanged: the ledger sees the same posts."""
    if not posts:
        return []
    first = posts[0]
    payload = dict(first.payload)
    content = str(payload.get("content") or "")
    payload["content"] = clip(f"{mention(role_id)} {content}".rstrip(), CONTENT_LIMIT)
    payload["allowed_mentions"] = {"parse": [], "roles": [str(role_id)]}
    if button:
        payload["components"] = [notify_button()]
    return [replace(first, payload=payload), *posts[1:]]


def pinged_roles(payload: dict[str, Any]) -> list[int]:
    """The roles a rendered post may ping (none unless :func:`with_ping` made it)."""
    allowed = payload.get("allowed_mentions")
    if not isinstance(allowed, dict):
        return []
    return [int(r) for r in allowed.get("roles") or [] if str(r).isdigit()]


def has_button(payload: dict[str, Any]) -> bool:
    """Whether a rendered post carries the "Notify me" button."""
    rows = payload.get("components") or []
    return any(c.get("custom_id") == NOTIFY_ID for row in rows for c in row.get("components") or [])


def ping_role(rules: Sequence[Subscription]) -> int | None:
    """The role a subscribed channel's digest pings (its ``ping-role`` rule), if any."""
    for rule in rules:
        if rule.kind is SubscriptionKind.PING_ROLE and rule.value.isdigit():
            return int(rule.value)
    return None


SETTINGS = (SubscriptionKind.PING_ROLE, SubscriptionKind.THREAD, SubscriptionKind.FORUM)


def filter_rules(rules: Sequence[Subscription]) -> tuple[Subscription, ...]:
    """A channel's rules without its settings (the ping role, threads, being a forum): what
    its filters judge by."""
    return tuple(r for r in rules if r.kind not in SETTINGS)
