"""Ledger keys: the names of the items a digest carries and of the posts that carry them.

Item keys name what the delivery ledger tracks per destination: ``summary:{id}`` for a
summary, ``paper:{paper_id}v{version}`` for one announced version of a paper.

Post keys are idempotency keys: the same items on the same destination give the same key, so
a post retried after a crash is recognised. Each platform has its own scheme, and each is
frozen: its keys are stored in the ledger of existing databases (``deliveries.post_key``) and,
for Discord, sent as the message nonce. A new scheme may be added; none may change
(``tests/papers/test_keys.py`` pins each one).

The schemes (sha256 hex, cut):

* ``discord_post_key``: destination and items joined by U+001F (no items: destination,
  ``no-items``, a fallback), 25 characters;
* ``console_post_key``: destination, an empty field and items joined by U+001F, 25;
* ``json_post_key`` (Facebook Page posts, Atom entries): compact ASCII JSON
  ``[destination, *items]``, 24;
* ``x_post_key``: ``x``, destination, kind and items joined by U+001F, 24.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from papers.model import Summary

SUMMARY_PREFIX = "summary:"
PAPER_PREFIX = "paper:"
NONCE_LIMIT = 25  # Discord's nonce: at most 25 characters

_SEPARATOR = "\x1f"


def item_key(summary: Summary | int) -> str:
    """The ledger key of a summary (or of the summary with this id): ``summary:12``."""
    summary_id = summary if isinstance(summary, int) else summary.id
    return f"{SUMMARY_PREFIX}{summary_id}"


def paper_key(paper_id: int, version: int) -> str:
    """The ledger key of one announced version of a paper (its row id): ``paper:7v2``."""
    return f"{PAPER_PREFIX}{paper_id}v{version}"


def _sha256(text: str, length: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def discord_post_key(destination: str, items: Sequence[str], *, fallback: str = "") -> str:
    """Discord's nonce for a message carrying ``items``; ``fallback`` tells apart messages
    that carry no item."""
    parts = [destination, *items] if items else [destination, "no-items", fallback]
    return _sha256(_SEPARATOR.join(parts), NONCE_LIMIT)


def console_post_key(destination: str, items: Iterable[str]) -> str:
    """The console's post key (the empty field was a salt nobody set; it stays so stored keys
    stay valid)."""
    return _sha256(_SEPARATOR.join([destination, "", *items]), NONCE_LIMIT)


def json_post_key(destination: str, items: Iterable[str]) -> str:
    """The key of a Facebook Page post and of an Atom entry (its id)."""
    blob = json.dumps([destination, *items], ensure_ascii=True, separators=(",", ":"))
    return _sha256(blob, 24)


def x_post_key(destination: str, kind: str, items: Iterable[str]) -> str:
    """The key of an X post; ``kind`` is ``thread`` for a thread's head, ``item`` otherwise."""
    return _sha256(_SEPARATOR.join(("x", destination, kind, *items)), 24)
