"""Discord's limits on a message (content, embeds and their parts) and the ways a payload is
fitted into them: pure."""

from __future__ import annotations

from typing import Any

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELDS_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
EMBED_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10

Payload = dict[str, Any]


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, never splitting an escape."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if cut.endswith("\\") and not cut.endswith("\\\\"):
        cut = cut[:-1]
    return cut + "…"


def embed_size(embed: Payload) -> int:
    """Characters Discord counts toward the 6,000 total of a message's embeds."""
    size = len(embed.get("title", "")) + len(embed.get("description", ""))
    size += len(embed.get("footer", {}).get("text", ""))
    size += len(embed.get("author", {}).get("name", ""))
    for field in embed.get("fields", []):
        size += len(field.get("name", "")) + len(field.get("value", ""))
    return size


def shrink(embed: Payload, *, reserve: int = 0) -> Payload:
    """Drop trailing fields until the embed fits the 6,000-character total (less ``reserve``)."""
    while embed_size(embed) > EMBED_TOTAL_LIMIT - reserve and embed.get("fields"):
        embed["fields"] = embed["fields"][:-1]
    return embed
