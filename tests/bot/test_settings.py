"""Configuration: file, environment, defaults, and clear messages for mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config_values import parse_duration
from bot.settings import ConfigError, Settings, load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("SHORTBOT_CONFIG", "SHORTBOT_DATABASE_URL", "SHORTBOT_DISCORD__TOKEN"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_are_the_embedded_demo() -> None:
    settings = load_settings()
    assert settings.database == "sqlite+aiosqlite:///data/shortbot.db"
    feeds = settings.watched_feeds()
    assert [f.name for f in feeds] == ["ShortScience sample", "arXiv cs.LG sample"]
    assert all(Path(f.url).is_file() for f in feeds)
    assert all(f.announce_existing for f in feeds)  # the demo announces on first run
    assert settings.console


def test_file_then_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "shortbot.toml"
    config.write_text(
        'database_url = "sqlite+aiosqlite:///file.db"\n'
        '[discord]\nprefix = "?"\ntoken = "from-file"\n'
        '[[feeds]]\nurl = "https://example.org/feed"\ninterval = "30m"\n'
    )
    monkeypatch.setenv("SHORTBOT_DISCORD__TOKEN", "from-env")
    settings = load_settings()  # ./shortbot.toml is found
    assert settings.database == "sqlite+aiosqlite:///file.db"
    assert settings.discord.prefix == "?"
    assert settings.discord.token is not None
    assert settings.discord.token.get_secret_value() == "from-env"
    assert "from-env" not in repr(settings)
    assert settings.watched_feeds()[0].interval == 1800
    assert not settings.watched_feeds()[0].announce_existing


def test_config_from_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "elsewhere.toml"
    config.write_text("[digest]\nmax_items = 7\n")
    monkeypatch.setenv("SHORTBOT_CONFIG", str(config))
    assert load_settings().digest.max_items == 7


DESTINATION = "[[destinations]]\nname = 'papers'\nplatform = 'console'\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("databse_url = 'x'\n", "databse_url: unknown key"),
        ("[digest]\nmax_items = 0\n", "digest.max_items"),
        ("[[feeds]]\nurl = 'u'\ninterval = 'soon'\n", "feeds.0.interval"),
        ("[[feeds]]\nname = 'no url'\n", "feeds.0.url"),
        ("this is = = not toml", "not valid TOML"),
        (DESTINATION + "exclude_categories = ['vision']\n", "'vision' is not an arXiv category"),
        (DESTINATION + "authors = ['Kingma', '…']\n", "author:Surname or author:Full Name"),
        (DESTINATION + "exclude_keywords = ['??']\n", "'??' has no letters or digits"),
        (DESTINATION + "categories = ['computer vision']\n", "destinations.0.categories"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, text: str, expected: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_settings(str(config))
    assert expected in str(caught.value)
    assert str(config) in str(caught.value)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(str(tmp_path / "nope.toml"))


@pytest.mark.parametrize(
    ("value", "seconds"), [(900, 900), ("90s", 90), ("15m", 900), ("2h", 7200), ("1d", 86400)]
)
def test_durations(value: object, seconds: int) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["10s", "soon", "-5m", True])
def test_bad_durations(value: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message varies by case
        parse_duration(value)


def test_settings_built_directly_need_no_secrets() -> None:
    settings = Settings(database_url="sqlite+aiosqlite:///x.db", feeds=[])
    assert settings.discord.token is None
    assert settings.watched_feeds() == []


def test_a_destinations_filters_are_read_as_subscribe_reads_them() -> None:
    settings = Settings(
        destinations=[
            {
                "name": "papers",
                "platform": "console",
                "categories": ["cs.lg", "Stat"],
                "keywords": ["Graph-Neural Networks"],
                "authors": [' "Diederik P.  Kingma" ', "Fernández"],
                "exclude_categories": ["CS.CV"],
                "exclude_keywords": ["Survey"],
            }
        ]
    )
    (papers,) = settings.destinations
    assert papers.categories == ["cs.LG", "stat"]
    assert papers.keywords == ["graph neural networks"]
    assert papers.authors == ["Diederik P. Kingma", "Fernández"]
    assert papers.exclude_categories == ["cs.CV"]
    assert papers.exclude_keywords == ["survey"]
