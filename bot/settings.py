"""Configuration: a TOML file overridden by ``SHORTBOT_…`` environment variables.

Where the file comes from: ``--config PATH``, else ``$SHORTBOT_CONFIG``, else ``./shortbot.toml``
if present, else the built-in defaults (the embedded demo: SQLite, the bundled sample feeds,
console output). Nested keys use ``__`` in the environment: ``SHORTBOT_DISCORD__TOKEN``.
"""

from __future__ import annotations

import os
import tomllib
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from bot.config_values import (
    Categories,
    Duration,
    Keywords,
    Names,
    Seconds,
    Window,
)
from papers import top
from papers.discord_threads import ThreadStyle

CONFIG_ENV = "SHORTBOT_CONFIG"
DEFAULT_CONFIG_FILE = "shortbot.toml"


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and the key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FeedSettings(_Section):
    url: str
    name: str | None = None
    interval: Duration = 900
    # Announce what the feed holds on first sight instead of recording it as already seen.
    announce_existing: bool = False
    # Read the feed as this kind at every poll instead of recognising it (`feeds add --kind`).
    kind: Literal["blog", "shortscience", "arxiv-listing", "arxiv-api"] | None = None


class DiscordSettings(_Section):
    token: SecretStr | None = None
    prefix: str = Field(default="!", min_length=1, max_length=5)
    # Members with this role (name or id) are maintainers, besides those with Manage Server.
    maintainer_role: str | None = None
    # A channel where the bot tells maintainers what needs them (a destination disabled).
    alerts_channel_id: int | None = None
    # For a Discord REST proxy or a local gateway; None: Discord itself.
    api_base_url: str | None = None
    gateway_url: str | None = None
    # `!` prefix commands need the privileged message-content intent (enable it in the
    # Developer Portal); slash commands and @mentions work without it.
    message_content: bool = True
    sync_commands: bool = True
    # Per-user limit on commands that reach the arXiv API: this many per window.
    api_cooldown_uses: int = Field(default=3, ge=1)
    api_cooldown_seconds: float = Field(default=60.0, ge=0)
    # How long after a send a message may take to show in a channel's history: a send cut off
    # by a crash is looked for until then before it is sent again (channels and webhooks).
    reconcile_window: Seconds = 15


class ArxivSettings(_Section):
    """The arXiv API, for the metadata of papers that summaries refer to."""

    api_url: str = "https://export.arxiv.org/api/query"
    # None: on when feeds are configured, off in the embedded demo (which uses no network).
    enabled: bool | None = None
    # arXiv's terms of use: no more than one request every three seconds.
    delay_seconds: float = Field(default=3.0, ge=0)
    batch_size: int = Field(default=100, ge=1, le=500)
    num_retries: int = Field(default=3, ge=0, le=10)
    # Nights without a mailing (the listings do not change the next morning); None: the
    # holidays arXiv announced, as shipped (papers.schedule.ARXIV_HOLIDAYS).
    holidays: list[date] | None = None


class ScheduleSettings(_Section):
    """The scheduler of `shortbot run`; digest schedules themselves live in the database."""

    timezone: str = "UTC"  # for schedules given without one
    # A run missed by up to this long (a restart, a busy loop) still happens, once.
    misfire_grace: Seconds = 3_600
    # How often the leader re-reads the tables (changes made elsewhere apply within this).
    reconcile_interval: Seconds = 30
    # How often a follower tries to take the leadership over (PostgreSQL).
    leader_retry: Seconds = 15
    # SIGTERM / SIGINT: how long to let the jobs in flight finish.
    stop_timeout: Seconds = 30


class DestinationSettings(_Section):
    """A ``[[destinations]]`` table: where a digest goes and what it carries."""

    name: str = Field(min_length=1, max_length=100)
    platform: Literal["console", "discord", "discord-webhook", "x", "facebook", "atom"]
    channel_id: int | None = None  # discord
    webhook_url: SecretStr | None = None  # discord-webhook (the URL holds a secret)
    path: Path | None = None  # atom: the file written
    feed_url: str | None = None  # atom: where the file is served
    # what it carries (papers.filters): any of these, or everything when none is set …
    categories: Categories = []  # "cs.LG", or "stat" for a whole archive
    keywords: Keywords = []  # whole words, case ignored
    authors: Names = []  # "Kingma" (a surname) or "Diederik P. Kingma"
    # … but none of these (a category or its archive; whole words)
    exclude_categories: Categories = []
    exclude_keywords: Keywords = []
    min_votes: int = Field(default=0, ge=0)
    replacements: bool = False  # new papers: also those arXiv lists as replaced
    max_items: int | None = Field(default=None, ge=1, le=500)
    mode: Literal["thread", "per-item"] = "thread"  # x
    link_mode: Literal["links", "one-link"] = "links"  # x: one-link carries one URL per digest
    daily_budget: int | None = Field(default=None, ge=1)  # posts per 24 hours
    # discord, discord-webhook: the role the digest mentions, members opting in with its
    # "Notify me" button (a channel's; a webhook cannot carry the button)
    ping_role_id: int | None = Field(default=None, gt=0)
    # "top": the best-voted summaries first seen in `window` (default 7d) ending at each run,
    # max_items of them (default 10); "new": what is new since the last digest (papers.top)
    kind: Literal["new", "top"] = "new"
    window: Window | None = None
    # discord: "per-digest" opens a thread on each digest's heading and posts the digest in
    # it; a forum channel gets a post per paper whatever this says (papers.discord_threads)
    thread: Literal["none", "per-digest"] = "none"
    # discord: a thread (or forum post) is archived after this long without a message
    thread_archive: Literal["1h", "1d", "3d", "1w"] = "1d"

    @model_validator(mode="after")
    def _window_for_top(self) -> DestinationSettings:
        if self.window is not None and self.kind != "top":
            raise ValueError('window: only a destination of kind = "top" has one')
        if self.thread != "none" and self.platform != "discord":
            raise ValueError('thread: only a Discord channel (platform = "discord") has threads')
        return self

    @property
    def thread_style(self) -> ThreadStyle:
        return ThreadStyle(self.thread, self.thread_archive)

    @property
    def top_window(self) -> timedelta | None:
        """The window of a top digest; None for a digest of what is new."""
        return (self.window or top.DEFAULT_WINDOW) if self.kind == "top" else None


class XSettings(_Section):
    """The X account (OAuth 1.0a user context); secrets from the environment."""

    api_key: SecretStr | None = None
    api_secret: SecretStr | None = None
    access_token: SecretStr | None = None
    access_secret: SecretStr | None = None
    # How long after a send a post may take to show in the account's timeline (see discord).
    reconcile_window: Seconds = 60


class FacebookSettings(_Section):
    page_id: str | None = None
    page_token: SecretStr | None = None
    graph_url: str = "https://graph.facebook.com"
    version: str = "v26.0"
    # How long after a send a post may take to show in the Page's feed (see discord).
    reconcile_window: Seconds = 60


class DigestSettings(_Section):
    max_items: int = Field(default=25, ge=1, le=500)


class HealthSettings(_Section):
    """The HTTP endpoint of `shortbot run`: /healthz, /metrics and the Atom feeds."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)  # 0: any free port (the log says which)


class Settings(BaseSettings):
    """All of shortbot's settings. Tests build ``Settings(...)`` directly."""

    model_config = SettingsConfigDict(
        env_prefix="SHORTBOT_",
        env_nested_delimiter="__",
        extra="forbid",
    )

    data_dir: Path = Path("data")
    database_url: str | None = None
    # None: the embedded demo, which watches the bundled sample feeds.
    feeds: list[FeedSettings] | None = None
    poll_interval: Duration = 900
    # Feeds whose address is loopback, private, link-local … are refused unless this is set.
    allow_private_feeds: bool = False
    # A feed failing this many polls in a row is disabled until `shortbot feeds resume`.
    feed_max_failures: int = Field(default=8, ge=1, le=1000)
    # Failing feeds back off exponentially from their interval up to this.
    feed_max_backoff: Duration = 86_400
    console: bool = True
    digest: DigestSettings = DigestSettings()
    discord: DiscordSettings = DiscordSettings()
    arxiv: ArxivSettings = ArxivSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    destinations: list[DestinationSettings] = []
    x: XSettings = XSettings()
    facebook: FacebookSettings = FacebookSettings()
    digest_url: str = "https://www.shortscience.org"
    log_level: str = "INFO"
    # kv: `ts=… level=… logger=… message` lines; json: one JSON object per line
    log_format: Literal["kv", "json"] = "kv"
    health: HealthSettings = HealthSettings()

    @property
    def database(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'shortbot.db'}"

    def atom_path(self, config: DestinationSettings) -> Path:
        """The file an ``atom`` destination writes (and ``/feeds/{name}.atom`` serves)."""
        return Path(config.path or self.data_dir / f"{config.name}.atom")

    def all_destinations(self) -> list[DestinationSettings]:
        """The configured destinations, with the console first when ``console`` is on."""
        out = list(self.destinations)
        if self.console and not any(d.name == "console" for d in out):
            out.insert(0, DestinationSettings(name="console", platform="console"))
        return out

    @property
    def is_demo(self) -> bool:
        """The embedded demo: no feeds, no Discord token, no destination configured. Only the
        demo stays offline; anything configured means shortbot uses the network."""
        return self.feeds is None and self.discord.token is None and not self.destinations

    @property
    def arxiv_enabled(self) -> bool:
        """The arXiv API: on whenever shortbot uses the network, unless turned off."""
        return self.arxiv.enabled if self.arxiv.enabled is not None else not self.is_demo

    @property
    def arxiv_off_reason(self) -> str | None:
        """Why unknown arXiv ids are not fetched, for people; None when they are."""
        if self.arxiv_enabled:
            return None
        if self.arxiv.enabled is False:
            return "arXiv look-ups are turned off (arxiv.enabled = false)"
        return (
            "arXiv look-ups are off in the demo; configure feeds, a Discord token or a "
            "destination (or set arxiv.enabled = true) to fetch unknown papers"
        )

    def watched_feeds(self) -> list[FeedSettings]:
        """The configured feeds, or the bundled samples announced on first sight (the demo)."""
        if self.feeds is not None:
            return self.feeds
        return [
            FeedSettings(
                url=str(path), name=name, interval=self.poll_interval, announce_existing=True
            )
            for name, path in sample_feeds()
        ]


def sample_feeds() -> list[tuple[str, Path]]:
    """The sample feeds shipped inside the package."""
    folder = resources.files("bot") / "samples"
    return [
        ("ShortScience sample", Path(str(folder / "shortscience-rss.xml"))),
        ("arXiv cs.LG sample", Path(str(folder / "arxiv-cs.LG-rss.xml"))),
    ]


def find_config_file(explicit: str | None) -> Path | None:
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    default = Path(DEFAULT_CONFIG_FILE)
    return default if default.is_file() else None


def load_settings(config: str | None = None) -> Settings:
    """Settings from the chosen TOML file and the environment. Raises ConfigError."""
    path = find_config_file(config)
    if path is not None:
        try:
            with path.open("rb") as handle:
                tomllib.load(handle)  # syntax check with a precise message
        except FileNotFoundError:
            raise ConfigError(f"config file {path} does not exist") from None
        except OSError as exc:
            raise ConfigError(f"config file {path} cannot be read: {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None

    class _FromFile(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            sources: tuple[PydanticBaseSettingsSource, ...] = (init_settings, env_settings)
            if path is not None:
                sources += (TomlConfigSettingsSource(settings_cls, toml_file=path),)
            return sources

    try:
        return _FromFile()
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path)) from None


def _describe(exc: ValidationError, path: Path | None) -> str:
    where = f"config file {path}" if path else "configuration"
    problems = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
        problems.append(f"{key}: {message}")
    return f"{where}: " + "; ".join(problems)
