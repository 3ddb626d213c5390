"""Log lines: key=value or JSON, one per event, and no configured secret ever printed."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import REDACTED, configure_logging, install, secret_values
from bot.settings import Settings

TOKEN = "MTIzNDU2Nzg5.discord-bot-token.abcdef"
WEBHOOK_TOKEN = "webhook-secret-part-0123456789"
WEBHOOK = f"https://discord.com/api/webhooks/123456/{WEBHOOK_TOKEN}"


def secret_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": "postgresql+asyncpg://shortbot:db-pass-word@localhost/shortbot",
        "discord": {"token": TOKEN},
        "x": {
            "api_key": "x-api-key-1",
            "api_secret": "x-api-secret-2",
            "access_token": "x-access-token-3",
            "access_secret": "x-access-secret-4",
        },
        "facebook": {"page_id": "42", "page_token": "EAAB-page-token"},
        "destinations": [{"name": "hook", "platform": "discord-webhook", "webhook_url": WEBHOOK}],
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def logger() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger of its own, propagating to a parent that has the handler (as in the CLI,
    where every record reaches the root logger's handler)."""
    stream = io.StringIO()
    parent = logging.getLogger("test_logs_parent")
    parent.propagate = False
    parent.setLevel(logging.DEBUG)
    handler = logging.StreamHandler(stream)
    parent.addHandler(handler)
    child = logging.getLogger("test_logs_parent.child")
    yield child, stream
    parent.removeHandler(handler)


SECRETS = [
    TOKEN,
    WEBHOOK,
    WEBHOOK_TOKEN,
    "x-api-key-1",
    "x-api-secret-2",
    "x-access-token-3",
    "x-access-secret-4",
    "EAAB-page-token",
    "db-pass-word",
]


def test_every_secret_setting_is_collected() -> None:
    found = secret_values(secret_settings())
    assert set(SECRETS) <= set(found)
    assert "42" not in found  # the page id is not a secret
    assert secret_values(Settings()) == []


@pytest.mark.parametrize("log_format", ["kv", "json"])
def test_secrets_are_redacted_in_messages_arguments_and_tracebacks(
    logger: tuple[logging.Logger, io.StringIO], log_format: str
) -> None:
    child, stream = logger
    install(child.parent.handlers[0], secret_settings(log_format=log_format))  # type: ignore[union-attr]
    child.info("login token=%s", TOKEN)
    child.warning(f"POST https://discord.com/api/v10/webhooks/123456/{WEBHOOK_TOKEN} failed")
    child.error("keys %s %s %s %s", "x-api-key-1", "x-api-secret-2", "x-access-token-3", 4)
    try:
        raise RuntimeError(f"Graph refused EAAB-page-token and x-access-secret-4 ({WEBHOOK})")
    except RuntimeError:
        child.exception("publish failed")
    child.info("connect postgresql://shortbot:db-pass-word@localhost", stack_info=True)
    output = stream.getvalue()
    for secret in SECRETS:
        assert secret not in output, secret
    lines = output.splitlines()
    assert len(lines) == 5  # one line per event, the traceback and the stack included
    assert output.count(REDACTED) >= 9
    if log_format == "json":
        events = [json.loads(line) for line in lines]
        assert events[0]["message"] == f"login token={REDACTED}"
        assert events[0]["level"] == "INFO"
        assert events[0]["logger"] == "test_logs_parent.child"
        assert events[3]["message"] == "publish failed"
        assert "RuntimeError: Graph refused [redacted] and [redacted]" in events[3]["exc"]
        assert "stack" in events[4]
    else:
        assert lines[0].startswith("ts=")
        assert lines[0].endswith(
            f" level=INFO logger=test_logs_parent.child login token={REDACTED}"
        )
        assert ' exc="Traceback (most recent call last):\\n' in lines[3]
        assert "RuntimeError: Graph refused [redacted] and [redacted]" in lines[3]


def test_kv_lines_cannot_be_split_by_what_is_logged(
    logger: tuple[logging.Logger, io.StringIO],
) -> None:
    child, stream = logger
    install(child.parent.handlers[0], Settings())  # type: ignore[union-attr]
    child.warning('feed warning title="a\nlevel=CRITICAL forged"')
    (line,) = stream.getvalue().splitlines()
    assert line.endswith('feed warning title="a\\nlevel=CRITICAL forged"')


def test_configure_logging_replaces_the_filter_of_an_earlier_configuration() -> None:
    root = logging.getLogger()
    handler = logging.StreamHandler(io.StringIO())
    root.addHandler(handler)
    try:
        configure_logging(secret_settings())
        configure_logging(secret_settings(discord={"token": "another-token-value"}))
        assert len(handler.filters) == 1
        record = logging.LogRecord(
            "x", logging.INFO, __file__, 1, "%s", ("another-token-value",), None
        )
        assert handler.filter(record)
        assert record.getMessage() == REDACTED
    finally:
        root.removeHandler(handler)


def test_the_cli_logs_json_without_the_token(shortbot) -> None:
    # a feed whose address holds the token: its failed poll is logged with the address
    feeds = json.dumps([{"url": f"missing/{TOKEN}.xml", "name": "leaky"}])
    result = shortbot(
        "run",
        "--once",
        extra_env={
            "SHORTBOT_LOG_FORMAT": "json",
            "SHORTBOT_DISCORD__TOKEN": TOKEN,
            "SHORTBOT_FEEDS": feeds,
            "SHORTBOT_CONSOLE": "false",
        },
    )
    assert result.code == 0, result.err
    events = [json.loads(line) for line in result.err.splitlines() if line.startswith("{")]
    (failed,) = [e for e in events if e["message"].startswith("feed poll failed")]
    assert failed["level"] == "WARNING"
    assert f"feed=missing/{REDACTED}.xml" in failed["message"]
    assert TOKEN not in result.err
