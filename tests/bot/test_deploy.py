"""deploy/: the env file lists every setting, and the Dockerfile, compose.yaml and the systemd
unit agree with each other and with bot/settings.py.

PyYAML is not a dependency, so compose.yaml is read as text, one service block at a time.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import socket
import subprocess
import sys
import threading
import tomllib
import types
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel, SecretStr

from bot.settings import CONFIG_ENV, Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
ENV_EXAMPLE = DEPLOY / ".env.example"
DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE = DEPLOY / "compose.yaml"
UNIT = DEPLOY / "shortbot.service"
EXAMPLE_TOML = DEPLOY / "shortbot.example.toml"
PREFIX = "SHORTBOT_"
ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - what the image must listen on
ASSIGNMENT = re.compile(r"^#?([A-Z][A-Z0-9_]*)=(.*)$")


# --------------------------------------------------------------------------- settings


def _unwrap(annotation: object) -> list[object]:
    """``X | None`` → [X]; anything else → [annotation]."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [a for a in typing.get_args(annotation) if a is not type(None)]
    return [annotation]


def _is_model(annotation: object) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _is_table_list(annotation: object) -> bool:
    return typing.get_origin(annotation) is list and any(
        _is_model(arg) for arg in typing.get_args(annotation)
    )


def setting_variables(
    model: type[BaseModel] = Settings, prefix: str = PREFIX
) -> dict[str, type[BaseModel] | object]:
    """Every environment variable the settings read, with its annotation.

    ``[[feeds]]`` and ``[[destinations]]`` (lists of tables) are left out: they are configured
    in the TOML file only (a list of tables in one environment variable would be a JSON blob
    nobody maintains). Lists of plain values (``arxiv.holidays``) are kept: a JSON list in the
    environment works for them.
    """
    found: dict[str, type[BaseModel] | object] = {}
    for name, field in model.model_fields.items():
        variable = prefix + (field.alias or name).upper()
        kinds = _unwrap(field.annotation)
        if any(_is_table_list(kind) for kind in kinds):
            continue
        models = [kind for kind in kinds if _is_model(kind)]
        if models:
            for sub in models:
                assert isinstance(sub, type) and issubclass(sub, BaseModel)
                found.update(setting_variables(sub, variable + "__"))
        else:
            found[variable] = field.annotation
    return found


def example_lines() -> list[tuple[str, str, bool]]:
    """(name, value, commented out) for each assignment line of .env.example."""
    out = []
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = ASSIGNMENT.match(line)
        if match:
            out.append((match.group(1), match.group(2), line.startswith("#")))
    return out


def test_the_walk_finds_nested_settings_and_skips_tables() -> None:
    variables = setting_variables()
    assert "SHORTBOT_DISCORD__TOKEN" in variables
    assert "SHORTBOT_DIGEST__MAX_ITEMS" in variables
    assert "SHORTBOT_DATABASE_URL" in variables
    assert "SHORTBOT_FEEDS" not in variables
    assert "SHORTBOT_DESTINATIONS" not in variables
    assert all(name.count("__") <= 1 for name in variables)


def test_env_example_lists_every_setting() -> None:
    listed = [name for name, _, _ in example_lines() if name.startswith(PREFIX)]
    expected = set(setting_variables()) | {CONFIG_ENV}
    missing = sorted(expected - set(listed))
    assert not missing, f"deploy/.env.example lacks {missing}"
    unknown = sorted(set(listed) - expected)
    assert not unknown, f"deploy/.env.example lists variables shortbot does not read: {unknown}"
    assert len(listed) == len(set(listed)), "a variable is listed twice"


def test_every_variable_has_a_comment_above_it() -> None:
    lines = ENV_EXAMPLE.read_text().splitlines()
    for number, line in enumerate(lines):
        if ASSIGNMENT.match(line):
            above = lines[number - 1]
            assert above.startswith("# ") and not ASSIGNMENT.match(above), line


def test_env_example_holds_no_secret_and_sets_nothing_by_accident() -> None:
    secrets = {
        name for name, annotation in setting_variables().items() if SecretStr in _unwrap(annotation)
    }
    assert {"SHORTBOT_DISCORD__TOKEN", "SHORTBOT_FACEBOOK__PAGE_TOKEN"} <= secrets
    for name, value, commented in example_lines():
        if name in secrets or "PASSWORD" in name:
            assert value == "", f"{name} must be empty in a committed file"
        if name.startswith(PREFIX):
            # an empty SHORTBOT_ value is not "unset": an empty token, an invalid boolean
            assert commented, f"{name} must be commented out"


def test_the_sample_values_are_valid(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Uncommenting any line as it stands gives a configuration shortbot accepts."""
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith(PREFIX)]:
        monkeypatch.delenv(name)
    values = {n: v for n, v, _ in example_lines() if n.startswith(PREFIX) and v}
    values.pop(CONFIG_ENV)  # a path on the server
    assert len(values) > 20
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.health.port == 8080
    assert settings.feed_max_backoff == 86_400
    assert settings.arxiv.holidays is not None and len(settings.arxiv.holidays) == 2


def test_the_example_configuration_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    settings = load_settings(str(EXAMPLE_TOML))
    assert settings.feeds is not None and len(settings.feeds) == 2
    assert [d.platform for d in settings.destinations] == ["atom"]


# --------------------------------------------------------------------------- Dockerfile


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) with continuation lines joined, comments dropped."""
    joined, pending = [], ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        joined.append(pending + line)
        pending = ""
    out = []
    for line in joined:
        instruction, _, rest = line.partition(" ")
        out.append((instruction.upper(), rest.strip()))
    return out


def runtime_stage() -> list[tuple[str, str]]:
    steps = dockerfile()
    last_from = max(i for i, (name, _) in enumerate(steps) if name == "FROM")
    return steps[last_from:]


def image_env() -> dict[str, str]:
    env = {}
    for name, rest in runtime_stage():
        if name == "ENV":
            for key, value in re.findall(r"(\w+)=(\S+)", rest):
                env[key] = value
    return env


def test_image_runs_shortbot_run_as_a_non_root_user() -> None:
    steps = runtime_stage()
    users = [rest for name, rest in steps if name == "USER"]
    assert users, "the runtime stage sets no USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    run = [(name, rest) for name, rest in steps if name == "RUN"]
    assert any(f"--uid {user}" in rest for _, rest in run)  # the user exists in the image
    entrypoint = json.loads(next(rest for name, rest in steps if name == "ENTRYPOINT"))
    command = json.loads(next(rest for name, rest in steps if name == "CMD"))
    assert entrypoint + command == ["shortbot", "run"]


def test_image_installs_from_the_lock_file_without_dev_extras() -> None:
    runs = [rest for name, rest in dockerfile() if name == "RUN" and "uv sync" in rest]
    assert runs
    for rest in runs:
        assert "--locked" in rest and "--no-dev" in rest
        assert "--extra" not in rest and "--all-extras" not in rest
    copies = " ".join(rest for name, rest in dockerfile() if name == "COPY")
    assert "uv.lock" in copies
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for package in pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]:
        assert f"COPY {package} ./{package}" in DOCKERFILE.read_text(), package
    assert "python:3.11-slim" in DOCKERFILE.read_text()


def test_image_keeps_its_data_in_a_volume() -> None:
    env = image_env()
    volumes = [rest for name, rest in runtime_stage() if name == "VOLUME"]
    assert volumes and env["SHORTBOT_DATA_DIR"] in json.loads(volumes[-1])


def test_health_port_agrees_everywhere() -> None:
    default = Settings().health
    assert (default.host, default.port) == ("127.0.0.1", 8080)
    env = image_env()
    assert env["SHORTBOT_HEALTH__HOST"] == ALL_INTERFACES
    port = env["SHORTBOT_HEALTH__PORT"]
    assert port == str(default.port)
    exposed = [rest for name, rest in runtime_stage() if name == "EXPOSE"]
    assert exposed == [port]
    check = healthcheck_command()
    assert f"'SHORTBOT_HEALTH__PORT', '{port}'" in check[-1]
    assert "http://127.0.0.1:{port}/healthz" in check[-1]

    service = compose_service("shortbot")
    assert compose_value(service, "SHORTBOT_HEALTH__HOST") == ALL_INTERFACES
    assert compose_value(service, "SHORTBOT_HEALTH__PORT").strip('"') == port
    assert re.search(rf'^\s+- "127\.0\.0\.1:\d+:{port}"$', service, re.MULTILINE)


def healthcheck_command() -> list[str]:
    rest = next(rest for name, rest in runtime_stage() if name == "HEALTHCHECK")
    command = json.loads(rest[rest.index("CMD") + 3 :].strip())
    assert isinstance(command, list) and command[:2] == ["python", "-c"]
    return [str(part) for part in command]


class _Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        body = b'{"status": "ok"}' if self.path == "/healthz" else b"no"
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[tuple[int, type[_Health]]]:
    handler = type("Handler", (_Health,), {"status": 200})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], handler
    finally:
        server.shutdown()
        server.server_close()


def _run_healthcheck(port: int) -> subprocess.CompletedProcess[str]:
    command = healthcheck_command()
    return subprocess.run(
        [sys.executable, *command[1:]],
        env={"SHORTBOT_HEALTH__PORT": str(port)},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_the_healthcheck_command_follows_healthz(health_server) -> None:
    port, handler = health_server
    assert _run_healthcheck(port).returncode == 0
    handler.status = 503  # failing
    assert _run_healthcheck(port).returncode == 1


def test_the_healthcheck_command_fails_when_nothing_listens() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    assert _run_healthcheck(port).returncode == 1


# --------------------------------------------------------------------------- compose.yaml


def compose_service(name: str) -> str:
    """The lines of one service under ``services:`` (two-space indentation)."""
    lines = COMPOSE.read_text().splitlines()
    start = lines.index(f"  {name}:")
    block = []
    for line in lines[start + 1 :]:
        if line.strip() and not line.startswith("    ") and not line.lstrip().startswith("#"):
            break
        block.append(line)
    return "\n".join(block)


def compose_value(block: str, key: str) -> str:
    match = re.search(rf"^\s+{re.escape(key)}:\s*(.+?)\s*$", block, re.MULTILINE)
    assert match, f"{key} not found"
    return match.group(1)


def test_compose_runs_shortbot_on_a_healthy_postgresql_15() -> None:
    postgres = compose_service("postgres")
    assert compose_value(postgres, "image") == "postgres:15"
    assert "pg_isready" in compose_value(postgres, "test")
    assert re.search(r"^\s+- postgres-data:/var/lib/postgresql/data$", postgres, re.MULTILINE)
    assert re.search(r"^  postgres-data:$", COMPOSE.read_text(), re.MULTILINE)  # named volume

    shortbot = compose_service("shortbot")
    assert re.search(r"depends_on:\n\s+postgres:\n\s+condition: service_healthy", shortbot), (
        "shortbot must wait for a healthy PostgreSQL"
    )
    for block in (postgres, shortbot):
        assert compose_value(block, "restart") in ("unless-stopped", "always", "on-failure")

    url = compose_value(shortbot, "SHORTBOT_DATABASE_URL")
    match = re.fullmatch(
        r"postgresql\+asyncpg://(\w+):\$\{POSTGRES_PASSWORD[^}]*\}@postgres:5432/(\w+)", url
    )
    assert match, url
    assert match.group(1) == compose_value(postgres, "POSTGRES_USER")
    assert match.group(2) == compose_value(postgres, "POSTGRES_DB")
    assert compose_value(postgres, "POSTGRES_PASSWORD").startswith("${POSTGRES_PASSWORD:?")


def test_compose_takes_secrets_from_the_env_file_of_the_example() -> None:
    shortbot = compose_service("shortbot")
    env_file = compose_value(shortbot, "env_file").split("#")[0].strip()
    assert env_file == ".env"
    assert (COMPOSE.parent / (env_file + ".example")).is_file()  # deploy/.env ← .env.example
    assert "POSTGRES_PASSWORD" in {name for name, _, _ in example_lines()}
    assert ".env" in (ROOT / ".gitignore").read_text().splitlines()  # never committed
    assert "**/.env" in (ROOT / ".dockerignore").read_text().splitlines()  # never in the image
    assert "password" not in COMPOSE.read_text().lower().replace("postgres_password", "")


def test_compose_agrees_with_the_image() -> None:
    shortbot = compose_service("shortbot")
    assert compose_value(shortbot, "dockerfile") == "deploy/Dockerfile"
    assert compose_value(shortbot, "context") == ".."  # the repository root: uv.lock
    assert "user:" not in shortbot  # the image's non-root user stays
    data_dir = image_env()["SHORTBOT_DATA_DIR"]
    assert re.search(rf"^\s+- shortbot-data:{data_dir}$", shortbot, re.MULTILINE)
    config = compose_value(shortbot, "SHORTBOT_CONFIG")
    assert re.search(rf"^\s+target: {config}$", shortbot, re.MULTILINE)


# --------------------------------------------------------------------------- systemd


def unit() -> dict[str, list[str]]:
    entries: dict[str, list[str]] = {}
    section = ""
    for raw in UNIT.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        entries.setdefault(f"{section}.{key}", []).append(value)
    return entries


def _seconds(value: str) -> int:
    match = re.fullmatch(r"(\d+)(s|min)?", value)
    assert match, value
    return int(match.group(1)) * (60 if match.group(2) == "min" else 1)


def test_systemd_unit() -> None:
    entries = unit()
    service = {key.removeprefix("Service."): values for key, values in entries.items()}
    assert service["User"] == ["shortbot"]
    assert service["ExecStart"][0].endswith("/.venv/bin/shortbot run")
    assert service["WorkingDirectory"] and service["EnvironmentFile"]
    assert service["Restart"] == ["on-failure"]
    assert service["NoNewPrivileges"] == ["yes"]
    assert service["ProtectSystem"] == ["strict"]
    assert service["KillSignal"] == ["SIGTERM"]
    stop = _seconds(service["TimeoutStopSec"][0])
    assert stop > Settings().schedule.stop_timeout  # the jobs in flight can finish
    assert stop == _seconds(compose_value(compose_service("shortbot"), "stop_grace_period"))
    environment = " ".join(service["Environment"])
    assert f"SHORTBOT_DATA_DIR=/var/lib/{service['StateDirectory'][0]}" in environment
    assert entries["Install.WantedBy"] == ["multi-user.target"]
