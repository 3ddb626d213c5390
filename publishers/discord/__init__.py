"""Discord publishers: digests posted to a channel by the bot (REST only) or through a webhook.

Both render with :func:`papers.discord_render.digest_posts` (pure) and send every message with
``allowed_mentions`` none, but the first message of a digest with a ping role, which may ping
that role alone (:mod:`papers.discord_pings`; a channel's also carries the "Notify me" button).
One start serves a whole run: ``send`` and ``find_sent`` start on first use (or call
``start()`` to check the destination early: it raises the ``PublishError`` kinds of
``papers.publishing``), and ``close()`` (or leaving ``async with``, whose entry makes no
request) ends it.

The modules, by what they own:

* :mod:`~publishers.discord.pacing`: the process-wide pace under Discord's global rate limit
  (:data:`GLOBAL_LIMITER`, :func:`paced_trace`);
* :mod:`~publishers.discord.errors`: discord.py's and aiohttp's errors mapped to the
  ``PublishError`` kinds (the table is there);
* :mod:`~publishers.discord.base`: what both publishers share (rendering, the message parts,
  the ``async with`` lifecycle);
* :mod:`~publishers.discord.session`: the bot's REST login shared by a run's channels;
* :mod:`~publishers.discord.channel`: the channel publisher (the nonce, ``find_sent``'s scan);
* :mod:`~publishers.discord.webhook`: the webhook publisher (its token kept secret).

This module re-exports what other modules import from ``publishers.discord``.
``GLOBAL_LIMITER`` is read here at each request: replace it here to change the process's pace.
"""

from papers.publishing import (
    CredentialsRejected,
    ItemRejected,
    PublishError,
    RateLimited,
    Transient,
)
from publishers.discord.base import DEFAULT_TIMEOUT
from publishers.discord.channel import SCAN_LIMIT, DiscordChannelPublisher
from publishers.discord.errors import map_error
from publishers.discord.pacing import GLOBAL_LIMITER, GLOBAL_REQUESTS_PER_SECOND, paced_trace
from publishers.discord.session import DEFAULT_MAX_RATELIMIT_WAIT, DiscordSession
from publishers.discord.webhook import DiscordWebhookPublisher

__all__ = [
    "DEFAULT_MAX_RATELIMIT_WAIT",
    "DEFAULT_TIMEOUT",
    "GLOBAL_LIMITER",
    "GLOBAL_REQUESTS_PER_SECOND",
    "SCAN_LIMIT",
    "CredentialsRejected",
    "DiscordChannelPublisher",
    "DiscordSession",
    "DiscordWebhookPublisher",
    "ItemRejected",
    "PublishError",
    "RateLimited",
    "Transient",
    "map_error",
    "paced_trace",
]
