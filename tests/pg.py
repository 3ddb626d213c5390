"""A throwaway PostgreSQL server for the test session.

The storage tests run against SQLite *and* a real PostgreSQL server.  This module
starts that server from the locally installed PostgreSQL binaries (no Docker, no
mocks, no pytest-postgresql):

* :func:`find_pg_bin` locates ``initdb``/``pg_ctl``/``postgres``.
* :class:`PostgresServer` runs ``initdb`` into a fresh temporary directory and
  starts/stops/restarts a server listening on ``127.0.0.1`` on a free port.
* :func:`pg_required` tells whether a missing PostgreSQL must fail the run (in CI)
  rather than skip the PostgreSQL tests (on a developer machine).
* :func:`session_server`, :func:`sqlite_url` and :func:`fresh_database` are the
  building blocks of the ``pg_server`` and ``database_url`` fixtures in
  ``tests/conftest.py``.

``initdb`` and ``postgres`` refuse to run as root.  When the tests run as root
(CI does), every server binary is run as the ``postgres`` system user through
``runuser -u postgres --`` and the temporary directory is handed to that user.

Environment variables:

``SHORTBOT_TEST_PG_BIN``
    Directory holding ``initdb``, ``pg_ctl`` and ``postgres``.  Takes precedence
    over the automatic search; if set, it must be valid.
``CI``
    When ``true``, PostgreSQL is required: its absence fails the run.
"""

from __future__ import annotations

import asyncio
import atexit
import itertools
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Self

import pytest

__all__ = [
    "PG_BIN_ENV",
    "PG_MISSING_REASON",
    "PostgresServer",
    "PostgresServerError",
    "find_pg_bin",
    "fresh_database",
    "pg_required",
    "require_pg_bin",
    "session_server",
    "sqlite_url",
]

PG_BIN_ENV = "SHORTBOT_TEST_PG_BIN"
PG_MISSING_REASON = f"PostgreSQL is not installed (set {PG_BIN_ENV})"
SERVER_BINARIES = ("initdb", "pg_ctl", "postgres")
DEBIAN_PG_ROOT = Path("/usr/lib/postgresql")
SERVER_USER = "postgres"
HOST = "127.0.0.1"

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_START_TIMEOUT_S = 60
_LOG_TAIL_LINES = 40


class PostgresServerError(RuntimeError):
    """The server could not be set up, started, stopped or queried."""


# --------------------------------------------------------------------------- lookup


def _has_server_binaries(directory: Path) -> bool:
    return all(os.access(directory / name, os.X_OK) for name in SERVER_BINARIES)


def _version_key(path: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/<version>/bin -> (15,) or (9, 6)
    try:
        return tuple(int(part) for part in path.parent.name.split("."))
    except ValueError:
        return (-1,)


def find_pg_bin() -> Path | None:
    """Return the directory holding ``initdb``, ``pg_ctl`` and ``postgres``.

    Searched in order: ``$SHORTBOT_TEST_PG_BIN``; ``/usr/lib/postgresql/*/bin``
    (Debian/Ubuntu layout, highest version first); the directory of ``pg_ctl``
    found on ``PATH`` (symlinks resolved, as with ``/usr/local/bin/pg_ctl``).
    Returns ``None`` when PostgreSQL is not installed.

    Raises :class:`PostgresServerError` if ``$SHORTBOT_TEST_PG_BIN`` is set but
    does not hold the binaries: an explicit setting that is wrong is an error,
    not a reason to silently skip tests.
    """
    configured = os.environ.get(PG_BIN_ENV)
    if configured:
        directory = Path(configured)
        if not _has_server_binaries(directory):
            raise PostgresServerError(
                f"{PG_BIN_ENV}={configured!r} does not contain all of {', '.join(SERVER_BINARIES)}"
            )
        return directory

    candidates = sorted(DEBIAN_PG_ROOT.glob("*/bin"), key=_version_key, reverse=True)
    for directory in candidates:
        if _has_server_binaries(directory):
            return directory

    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl is not None:
        for directory in (Path(pg_ctl).resolve().parent, Path(pg_ctl).parent):
            if _has_server_binaries(directory):
                return directory
    return None


def pg_required() -> bool:
    """True in CI (``CI=true``): a missing PostgreSQL must fail, never skip."""
    return os.environ.get("CI") == "true"


def require_pg_bin() -> Path:
    """Return :func:`find_pg_bin`; skip the test without it (fail it in CI)."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        if pg_required():
            pytest.fail(
                f"{PG_MISSING_REASON}; CI=true requires the PostgreSQL tests to run",
                pytrace=False,
            )
        pytest.skip(PG_MISSING_REASON)
    return bin_dir


# --------------------------------------------------------------------------- server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _clean_env() -> dict[str, str]:
    """os.environ without libpq/server variables that could redirect the tools."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    return env


class PostgresServer:
    """A private PostgreSQL cluster in a temporary directory.

    Usage::

        with PostgresServer() as server:
            url = server.create_database("demo")
            # postgresql+asyncpg://postgres@127.0.0.1:<port>/demo

    ``start()`` initialises the cluster on first use; ``stop()`` shuts the server
    down (fast mode) and keeps the data; ``restart()`` stops and starts it again
    on the same port with the same data; ``cleanup()`` stops it and deletes the
    temporary directory (the context manager calls it on exit).

    Authentication is ``trust`` for the superuser ``postgres``; the server listens
    on TCP ``127.0.0.1`` only, with durability switched off for speed
    (``fsync``, ``synchronous_commit``, ``full_page_writes``).  ``settings`` adds
    further ``-c name=value`` server options.
    """

    def __init__(
        self,
        bin_dir: Path | None = None,
        *,
        settings: Mapping[str, str] | None = None,
    ) -> None:
        found = bin_dir if bin_dir is not None else find_pg_bin()
        if found is None:
            raise PostgresServerError(PG_MISSING_REASON)
        self.bin_dir = Path(found)
        self.settings = dict(settings or {})
        self._as_root = os.geteuid() == 0
        self._base: Path | None = None
        self._port: int | None = None
        self._running = False
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    # -- properties ------------------------------------------------------------

    @property
    def host(self) -> str:
        return HOST

    @property
    def port(self) -> int:
        if self._port is None:
            raise PostgresServerError("server has not been started")
        return self._port

    @property
    def running(self) -> bool:
        return self._running

    @property
    def base_dir(self) -> Path:
        """Temporary directory holding ``data/``, ``sock/`` and ``server.log``."""
        if self._base is None:
            raise PostgresServerError("server has not been started")
        return self._base

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "server.log"

    def url(self, dbname: str = "postgres") -> str:
        """SQLAlchemy URL of database ``dbname`` on this server."""
        return f"postgresql+asyncpg://postgres@{self.host}:{self.port}/{dbname}"

    def dsn(self, dbname: str = "postgres") -> str:
        """libpq/asyncpg DSN of database ``dbname`` (the URL without ``+asyncpg``)."""
        return f"postgresql://postgres@{self.host}:{self.port}/{dbname}"

    # -- lifecycle -------------------------------------------------------------

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.cleanup()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cleanup()

    def start(self) -> None:
        """Initialise the cluster if needed, then start the server and wait for it."""
        if self._running:
            return
        if self._base is None:
            self._init_cluster()
            atexit.register(self.cleanup)
        if self._port is not None:
            self._pg_ctl_start(self._port)  # restart: same port, same data
            return
        # A port picked by binding to port 0 can be taken by someone else before
        # the server binds it: try a few.
        error: PostgresServerError | None = None
        for _attempt in range(3):
            port = _free_port()
            try:
                self._pg_ctl_start(port)
            except PostgresServerError as exc:
                error = exc
                if "could not bind" not in str(exc) and "in use" not in str(exc):
                    raise
            else:
                self._port = port
                return
        assert error is not None
        raise error

    def stop(self) -> None:
        """Stop the server (``pg_ctl stop -m fast``); data and port are kept."""
        if not self._running:
            return
        result = self._run(
            [self._bin("pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "fast", "-w"],
            server=True,
        )
        if result.returncode != 0 and self._server_alive():
            raise PostgresServerError(self._describe("pg_ctl stop failed", result))
        # A failed stop of a server that is gone (killed by a test) counts as done.
        self._running = False

    def restart(self) -> None:
        """Stop, then start again on the same port with the same data."""
        self.stop()
        self.start()

    def cleanup(self) -> None:
        """Stop the server if running and delete its temporary directory."""
        try:
            if self._running:
                self.stop()
        finally:
            if self._base is not None:
                shutil.rmtree(self._base, ignore_errors=True)
                self._base = None
                self._port = None
            atexit.unregister(self.cleanup)

    # -- databases -------------------------------------------------------------

    def execute(self, sql: str, dbname: str = "postgres") -> None:
        """Run ``sql`` (no result) as the superuser, outside any transaction.

        Uses ``psql`` from the same installation; falls back to asyncpg, run with
        ``asyncio.run`` in a private thread so it works from sync code even when
        an event loop is running in the calling thread.
        """
        psql = self._psql()
        if psql is not None:
            result = self._run(
                [
                    psql,
                    "-X",
                    "-q",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-h",
                    self.host,
                    "-p",
                    str(self.port),
                    "-U",
                    "postgres",
                    "-d",
                    dbname,
                    "-c",
                    sql,
                ],
                server=False,
            )
            if result.returncode != 0:
                raise PostgresServerError(self._describe(f"psql {sql!r} failed", result))
            return
        self._execute_asyncpg(sql, dbname)

    def create_database(self, name: str) -> str:
        """``CREATE DATABASE name``; returns its SQLAlchemy URL."""
        _check_identifier(name)
        self.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` if it exists, terminating leftover connections."""
        _check_identifier(name)
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def new_database_name(self, prefix: str = "test") -> str:
        """Next unused name ``<prefix>_<n>`` (per server object, thread-safe)."""
        with self._lock:
            return f"{prefix}_{next(self._counter)}"

    # -- internals -------------------------------------------------------------

    def _bin(self, name: str) -> str:
        return str(self.bin_dir / name)

    def _psql(self) -> str | None:
        candidate = self.bin_dir / "psql"
        if os.access(candidate, os.X_OK):
            return str(candidate)
        return shutil.which("psql")

    def _run(self, argv: list[str], *, server: bool) -> subprocess.CompletedProcess[str]:
        """Run a command; server binaries run as ``postgres`` when we are root."""
        if server and self._as_root:
            argv = ["runuser", "-u", SERVER_USER, "--", *argv]
        try:
            return subprocess.run(
                argv,
                cwd=self._base or tempfile.gettempdir(),
                env=_clean_env(),
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=_START_TIMEOUT_S + 30,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PostgresServerError(f"{' '.join(argv)}: {exc}") from exc

    def _init_cluster(self) -> None:
        base = Path(tempfile.mkdtemp(prefix="shortbot-pg-"))
        self._base = base
        try:
            (base / "sock").mkdir()
            self.log_file.touch()
            if self._as_root:
                try:
                    user = pwd.getpwnam(SERVER_USER)
                except KeyError as exc:
                    raise PostgresServerError(
                        f"running as root needs the {SERVER_USER!r} system user "
                        "(initdb/postgres refuse to run as root)"
                    ) from exc
                for path in (base, base / "sock", self.log_file):
                    os.chown(path, user.pw_uid, user.pw_gid)
            result = self._run(
                [
                    self._bin("initdb"),
                    "-D",
                    str(self.data_dir),
                    "--auth=trust",
                    "-U",
                    "postgres",
                    "--encoding=UTF8",
                    "--locale=C",
                    "--no-sync",
                ],
                server=True,
            )
            if result.returncode != 0:
                raise PostgresServerError(self._describe("initdb failed", result))
        except BaseException:
            shutil.rmtree(base, ignore_errors=True)
            self._base = None
            raise

    def _pg_ctl_start(self, port: int) -> None:
        options = [
            f"-c listen_addresses={HOST}",
            f"-p {port}",
            f"-k {self.base_dir / 'sock'}",
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
            *(f"-c {name}={value}" for name, value in self.settings.items()),
        ]
        log_offset = self.log_file.stat().st_size
        result = self._run(
            [
                self._bin("pg_ctl"),
                "start",
                "-w",
                "-t",
                str(_START_TIMEOUT_S),
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_file),
                "-o",
                " ".join(options),
            ],
            server=True,
        )
        if result.returncode != 0:
            self._force_stop()
            raise PostgresServerError(
                self._describe(f"pg_ctl start on port {port} failed", result, log_offset)
            )
        self._running = True

    def _server_alive(self) -> bool:
        status = self._run([self._bin("pg_ctl"), "status", "-D", str(self.data_dir)], server=True)
        return status.returncode != 3  # 3: no server running

    def _force_stop(self) -> None:
        # After a failed/timed-out start a postmaster may still be around.
        if (self.data_dir / "postmaster.pid").exists():
            self._run(
                [
                    self._bin("pg_ctl"),
                    "stop",
                    "-D",
                    str(self.data_dir),
                    "-m",
                    "immediate",
                    "-w",
                ],
                server=True,
            )

    def _log_tail(self, offset: int = 0) -> str:
        try:
            with self.log_file.open(encoding="utf-8", errors="replace") as fh:
                fh.seek(offset)
                lines = fh.read().splitlines()
        except OSError as exc:
            return f"(no server log: {exc})"
        return "\n".join(lines[-_LOG_TAIL_LINES:]) or "(server log is empty)"

    def _describe(
        self,
        what: str,
        result: subprocess.CompletedProcess[str],
        log_offset: int = 0,
    ) -> str:
        parts = [f"{what} (exit code {result.returncode})"]
        if result.stdout.strip():
            parts.append(f"stdout:\n{result.stdout.strip()}")
        if result.stderr.strip():
            parts.append(f"stderr:\n{result.stderr.strip()}")
        if self._base is not None:
            tail = self._log_tail(log_offset)
            parts.append(f"server log ({self.log_file}), last lines:\n{tail}")
        return "\n".join(parts)

    def _execute_asyncpg(self, sql: str, dbname: str) -> None:
        import asyncpg  # type: ignore[import-untyped, unused-ignore]

        async def run() -> None:
            conn = await asyncpg.connect(self.dsn(dbname))
            try:
                await conn.execute(sql)
            finally:
                await conn.close()

        # A private thread: asyncio.run refuses to run inside a running loop.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-execute") as ex:
            future = ex.submit(asyncio.run, run())
            try:
                future.result()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                raise PostgresServerError(f"{sql!r} failed: {exc!r}") from exc


def _check_identifier(name: str) -> None:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a simple lower-case SQL identifier: {name!r}")


# --------------------------------------------------------------------------- fixtures


def session_server() -> Iterator[PostgresServer]:
    """Body of the session-scoped ``pg_server`` fixture (``yield from`` it).

    Skips when PostgreSQL is not installed, fails instead under ``CI=true``.
    """
    bin_dir = require_pg_bin()
    with PostgresServer(bin_dir) as server:
        yield server


def sqlite_url(tmp_path: Path) -> str:
    """SQLAlchemy URL of a fresh SQLite file in ``tmp_path``."""
    return f"sqlite+aiosqlite:///{tmp_path / 'shortbot.db'}"


def fresh_database(server: PostgresServer) -> Iterator[str]:
    """Create ``test_<n>`` on ``server``, yield its URL, drop it afterwards.

    Dropping (``WITH (FORCE)``, so leaked connections don't block it) keeps a long
    session from filling the disk with one copy of ``template1`` per test.  It is
    skipped when a test left the server stopped.
    """
    name = server.new_database_name("test")
    url = server.create_database(name)
    yield url
    if server.running:
        server.drop_database(name)
