"""What discord.py and aiohttp raise, mapped to the ``PublishError`` kinds of ``papers.publishing``.

Error mapping (both publishers and the shared login; Discord's JSON error codes):

* 401, ``LoginFailure``                       → ``CredentialsRejected`` (token / webhook token)
* 429 the library could not wait out         → ``RateLimited``. discord.py waits on 429s itself;
  it raises ``discord.RateLimited`` only when the wait exceeds ``max_ratelimit_timeout``, and a
  plain ``HTTPException`` for a 429 without ``Via`` (a Cloudflare ban), both mapped here.
  (discord.py's webhook client waits out any 429; ``timeout`` bounds it, then ``Transient``.)
* 5xx, ``DiscordServerError``, connection errors, timeouts → ``Transient``. discord.py already
  retried 500/502/504/524 (channels) or any 5xx (webhooks) five times with 1-9 s sleeps.
* 10003 Unknown Channel, 10004 Unknown Guild, 10015 Unknown Webhook, 50001 Missing Access,
  50013 Missing Permissions, 50008 non-text channel, any other 403, and any 4xx while starting
  → ``CredentialsRejected`` with the reason in words. These are about the destination, not the
  post: the channel is gone, or the bot was kicked, lost View Channel or Send Messages. Every
  later post would fail the same way, so the destination is disabled (its items stay pending
  until someone fixes the permission or the setting) instead of marking each item failed.
  ``papers.publishing`` has no "destination broken" class; ``CredentialsRejected`` is the one
  that disables a destination.
* 50035 Invalid Form Body, 50006 empty message, and any other 4xx → ``ItemRejected``.

Anything else (cancellation, a programming error) is not a platform error and propagates as it
is. :func:`discord_errors` applies the mapping around a block of Discord calls.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import aiohttp
import discord

from papers.publishing import (
    CredentialsRejected,
    ItemRejected,
    PublishError,
    RateLimited,
    Transient,
)

# Discord JSON error codes that mean the destination, not the post, is the problem.
UNKNOWN_CHANNEL = 10003
UNKNOWN_GUILD = 10004
UNKNOWN_WEBHOOK = 10015
MISSING_ACCESS = 50001
NOT_A_TEXT_CHANNEL = 50008
MISSING_PERMISSIONS = 50013
INVALID_WEBHOOK_TOKEN = 50027

CLOUDFLARE_BAN_RETRY = 3600.0


@contextlib.contextmanager
def discord_errors(
    where: str, *, starting: bool = False, secret: str | None = None
) -> Iterator[None]:
    """Raise what the block raises as its ``PublishError`` (see :func:`map_error`), chained to
    the original; what is not a platform error propagates unchanged. With ``secret`` (a webhook
    token) the reason is scrubbed of it and the error is raised ``from None``: the original
    would carry the response, whose URL holds the token."""
    try:
        yield
    except BaseException as exc:
        mapped = map_error(exc, where, starting=starting)
        if mapped is None:
            raise
        if secret is not None:
            raise _scrubbed(mapped, secret) from None
        if mapped is exc:
            raise
        raise mapped from exc


def map_error(exc: BaseException, where: str, *, starting: bool = False) -> PublishError | None:
    """The ``PublishError`` for what discord.py or aiohttp raised (``None``: not a platform
    error, let it propagate). ``starting``: while logging in or looking the destination up,
    where any refusal means the destination is unusable."""
    if isinstance(exc, PublishError):
        return exc
    if isinstance(exc, discord.LoginFailure):
        return CredentialsRejected("Discord rejected the bot token (401 Unauthorized)")
    if isinstance(exc, discord.RateLimited):
        return RateLimited(
            f"Discord rate-limits {where} for {exc.retry_after:.0f} s", exc.retry_after
        )
    if isinstance(exc, discord.HTTPException):
        return map_http_error(exc, where, starting=starting)
    if isinstance(exc, TimeoutError | aiohttp.ClientError | OSError):
        return Transient(f"could not reach Discord for {where} ({type(exc).__name__})")
    return None


def map_http_error(exc: discord.HTTPException, where: str, *, starting: bool) -> PublishError:
    """The ``PublishError`` for an error answer of Discord's (see the table above)."""
    status, code = exc.status, exc.code
    said = _one_line(f"{status} (code {code}): {exc.text}" if exc.text else f"{status}")
    if status == 401 or code == INVALID_WEBHOOK_TOKEN:
        return CredentialsRejected(f"Discord rejected the credentials for {where}: {said}")
    if status == 429:
        return RateLimited(
            f"Discord refuses requests (429 without retry) for {where}", _retry_after(exc)
        )
    if status >= 500:
        return Transient(f"Discord failed for {where}: {said}")
    if code in (UNKNOWN_CHANNEL, UNKNOWN_GUILD):
        return CredentialsRejected(f"{where} is gone (the channel or server was deleted): {said}")
    if code == UNKNOWN_WEBHOOK:
        return CredentialsRejected(f"{where} was deleted or its URL is wrong: {said}")
    if code == MISSING_ACCESS:
        return CredentialsRejected(f"the bot cannot see {where} (View Channel): {said}")
    if code == MISSING_PERMISSIONS:
        return CredentialsRejected(f"the bot may not post in {where} (Send Messages): {said}")
    if code == NOT_A_TEXT_CHANNEL:
        return CredentialsRejected(f"{where} does not take messages: {said}")
    if status == 403 or starting:
        return CredentialsRejected(f"Discord refuses {where}: {said}")
    return ItemRejected(f"Discord refused the message for {where}: {said}")


def _scrubbed(error: PublishError, secret: str) -> PublishError:
    if secret in error.reason:
        error.reason = error.reason.replace(secret, "<token>")
        error.args = (error.reason, *error.args[1:])
    return error


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _retry_after(exc: discord.HTTPException) -> float:
    try:
        return float(exc.response.headers.get("Retry-After", ""))
    except (TypeError, ValueError, AttributeError):
        return CLOUDFLARE_BAN_RETRY
