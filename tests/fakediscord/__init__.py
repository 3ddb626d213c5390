"""A fake Discord (REST + gateway on loopback) for end-to-end tests with the real discord.py.

Typical test::

    async with FakeDiscord(heartbeat_interval=1.0) as fake:
        with discord_endpoints(fake.api_base_url, fake.gateway_url):
            async with running_bot(MyBot(guild_ready_timeout=0.1), fake.token):
                general = fake.guild.channel("general")
                sent = await fake.send_message(general, fake.guild.member("member"), "!ping")
                reply = await fake.wait_for_message(general, after=sent.id)
                assert reply["content"] == "pong"
                assert fake.check_bot_payloads(require_no_pings=True) == []
                fake.assert_no_unknown_requests()

Import discord.py through :mod:`tests.fakediscord.compat` while pytest turns the ``audioop``
DeprecationWarning of Python 3.11-3.12 into an error.
"""

from tests.fakediscord.api import ApiError
from tests.fakediscord.client import (
    apply_discord_endpoints,
    discord_endpoints,
    running_bot,
    wait_for_keepalive_threads,
)
from tests.fakediscord.limits import check_message_limits, embed_characters, forbids_all_pings
from tests.fakediscord.models import (
    Channel,
    ChannelType,
    Guild,
    Member,
    PermissionOverwrite,
    Role,
    User,
    standard_guild,
)
from tests.fakediscord.permissions import (
    ALL_PERMISSIONS,
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    Permission,
)
from tests.fakediscord.records import (
    Fault,
    InteractionRecord,
    InteractionResponse,
    RateLimitRule,
    RecordedRequest,
    SentInteraction,
    SentMessage,
)
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.snowflake import new_snowflake, snowflake_time
from tests.fakediscord.webhooks import ChannelWebhook

__all__ = [
    "ALL_PERMISSIONS",
    "DEFAULT_BOT_PERMISSIONS",
    "DEFAULT_EVERYONE_PERMISSIONS",
    "ApiError",
    "Channel",
    "ChannelType",
    "ChannelWebhook",
    "FakeDiscord",
    "Fault",
    "Guild",
    "InteractionRecord",
    "InteractionResponse",
    "Member",
    "Permission",
    "PermissionOverwrite",
    "RateLimitRule",
    "RecordedRequest",
    "Role",
    "SentInteraction",
    "SentMessage",
    "User",
    "apply_discord_endpoints",
    "check_message_limits",
    "discord_endpoints",
    "embed_characters",
    "forbids_all_pings",
    "new_snowflake",
    "running_bot",
    "snowflake_time",
    "standard_guild",
    "wait_for_keepalive_threads",
]
