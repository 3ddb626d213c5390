"""Secrets never show: not in ``status``, ``--help``, logs, error messages or replies.

Every command a maintainer runs is run here with all of shortbot's secrets set (a Discord
token, X's four keys, the Page token, a webhook URL whose path is a token, a PostgreSQL
password) and every platform unreachable, so that each one fails and says why; none of the
output may hold a secret. On top of this, ``tests/conftest.py`` greps everything the whole
suite produced for every test credential (``tests/secretwatch.py``); the first test checks
that watch itself.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.secretwatch import files_under, leaks, secret

DISCORD = secret("MTIzNDU2Nzg5.secret-discord-token-Zq81")
X_KEYS = {
    "SHORTBOT_X__API_KEY": secret("secret-x-api-key-7Hq"),
    "SHORTBOT_X__API_SECRET": secret("secret-x-api-secret-Lm2"),
    "SHORTBOT_X__ACCESS_TOKEN": secret("1790-secret-x-access-token-P0"),
    "SHORTBOT_X__ACCESS_SECRET": secret("secret-x-access-secret-Ww9"),
}
PAGE = secret("EAAB-secret-page-token-Kf3")
HOOK = secret("secret-webhook-token-Yv5Tn")
PG_PASSWORD = secret("secret-pg-password-Rr8")
ALL = [DISCORD, *X_KEYS.values(), PAGE, HOOK, PG_PASSWORD]


def test_the_watch_finds_a_secret_in_output_and_in_files(tmp_path: Path) -> None:
    planted = secret("planted-secret-value-Qx9")
    texts = [("clean", "nothing here"), ("leaky", f"error: token={planted} refused")]
    (found,) = leaks(texts=texts)
    assert found.startswith("leaky: ") and "token=" in found
    (tmp_path / "out.log").write_text(f"log line {planted}\n")
    (tmp_path / "shortbot.toml").write_text(f'token = "{planted}"\n')  # an input: skipped
    (in_file,) = leaks(files_under(tmp_path), texts=[])
    assert in_file.startswith(str(tmp_path / "out.log"))
    (tmp_path / "out.log").unlink()  # the session's own scan must not find the plant


def config(tmp_path: Path) -> None:
    (tmp_path / "shortbot.toml").write_text(
        "allow_private_feeds = true\n"
        '[[feeds]]\nurl = "http://127.0.0.1:9/feed.xml"\nname = "unreachable"\n'
        '[discord]\napi_base_url = "http://127.0.0.1:9/api/v10"\n'
        'gateway_url = "ws://127.0.0.1:9/"\nalerts_channel_id = 42\n'
        '[facebook]\npage_id = "1234"\ngraph_url = "http://127.0.0.1:9"\n'
        '[[destinations]]\nname = "chan"\nplatform = "discord"\nchannel_id = 42\n'
        '[[destinations]]\nname = "page"\nplatform = "facebook"\n'
        '[[destinations]]\nname = "x"\nplatform = "x"\n'
        '[[destinations]]\nname = "hook"\nplatform = "discord-webhook"\n'
        f'webhook_url = "https://discord.com/api/webhooks/123456/{HOOK}"\n'
    )


ENV = {
    "SHORTBOT_DISCORD__TOKEN": DISCORD,
    "SHORTBOT_FACEBOOK__PAGE_TOKEN": PAGE,
    "SHORTBOT_HEALTH__ENABLED": "false",
    **X_KEYS,
}

COMMANDS = [
    ("--help",),
    ("run", "--help"),
    ("digest", "--help"),
    ("status",),
    ("status", "--json"),
    ("feeds", "list"),
    ("feeds", "list", "--json"),
    ("deliveries",),
    ("deliveries", "--json"),
    ("schedule", "show"),
    ("digest", "--dry-run"),
    ("digest", "--dry-run", "--json"),
    ("digest",),  # every platform unreachable: each fails and says why
    ("run", "--once"),
    ("discord", "sync"),
    ("lookup", "1312.6199"),
    ("schedule", "set", "hook", "not a schedule"),
    ("feeds", "add", "http://127.0.0.1:9/feed.xml"),
]


def test_no_command_shows_a_secret(tmp_path: Path, shortbot) -> None:
    config(tmp_path)
    seen = []
    runs = [(args, "kv") for args in COMMANDS]
    runs += [(("digest",), "json"), (("run", "--once"), "json")]  # the JSON log too
    for args, log_format in runs:
        env = {**ENV, "SHORTBOT_LOG_FORMAT": log_format}
        result = shortbot(*args, extra_env=env)
        assert result.code in (0, 1, 2, 3), (args, result.err)
        output = result.out + result.err
        seen.append(output)
        for value in ALL:
            assert value not in output, (args, value[:6], output[-2000:])
    everything = "\n".join(seen)
    # the commands did run into the unreachable platforms and said so
    assert "hook" in everything and "page" in everything
    assert "Traceback" not in everything


def test_a_database_password_never_shows(tmp_path: Path, shortbot) -> None:
    url = f"postgresql+asyncpg://shortbot:{PG_PASSWORD}@127.0.0.1:9/shortbot"
    for args in (("status",), ("status", "--json"), ("db", "upgrade"), ("run", "--once")):
        result = shortbot(*args, extra_env={"SHORTBOT_DATABASE_URL": url, **ENV})
        assert result.code == 3, (args, result.err)  # cannot start: the database is unreachable
        assert PG_PASSWORD not in result.out + result.err
        assert "127.0.0.1" in result.err  # it says which database it could not reach


def test_status_json_names_destinations_without_their_credentials(tmp_path: Path, shortbot) -> None:
    config(tmp_path)
    result = shortbot("status", "--json", extra_env=ENV)
    assert result.code == 0, result.err
    status = json.loads(result.out)
    names = {d["name"] for d in status["destinations"]}
    assert {"chan", "page", "x", "hook"} <= names
    assert not any(value in result.out for value in ALL)
