"""Shared fixtures: every storage test runs on a SQLite file and on a real PostgreSQL server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from papers.usecases import ingest_parsed
from sources.parse import parse_feed
from storage.db import create_engine, upgrade
from storage.repository import Store
from tests.fakex import Certificate, FakeX, fake_x_session, make_certificate
from tests.offline import clean_env
from tests.pg import PostgresServer, fresh_database, session_server, sqlite_url
from tests.secretwatch import files_under, leaks, produced

# Secrets: everything the suite produced is grepped for the test credentials at the end.


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for name, text in report.sections:  # captured stdout / stderr / log of each phase
        produced(f"{report.nodeid} ({name})", text)
    if report.failed and report.longrepr is not None:
        produced(f"{report.nodeid} (failure report)", str(report.longrepr))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    factory = getattr(session.config, "_tmp_path_factory", None)
    files = files_under(factory.getbasetemp()) if factory is not None else ()
    found = leaks(files)
    if found:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = ["a test secret appeared in what the suite produced:", *found[:50]]
        if reporter is not None:
            reporter.write_line("\n".join(lines), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL cluster for the whole session (skipped only outside CI)."""
    yield from session_server()


@pytest.fixture
def pg_database_url(pg_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    yield from fresh_database(pg_server)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database on each backend in turn."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    return str(request.getfixturevalue("pg_database_url"))


SHORTBOT = Path(sys.executable).with_name("shortbot")


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def shortbot(tmp_path: Path):
    """Run ``shortbot`` in an empty working directory with a clean environment."""
    env = clean_env()

    def run(*args: str, extra_env: dict[str, str] | None = None) -> Result:
        done = subprocess.run(
            [str(SHORTBOT), *args],
            cwd=tmp_path,
            env={**env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        produced(f"shortbot {' '.join(args)[:80]}", done.stdout + done.stderr)
        assert "Traceback" not in done.stderr, done.stderr
        return Result(done.returncode, done.stdout, done.stderr)

    return run


# The fake X API (tests/fakex): HTTPS on 127.0.0.1, reached through a pinned session.


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    try:
        return make_certificate(tmp_path_factory.mktemp("fakex-tls"))
    except RuntimeError as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(str(exc))


@pytest.fixture
async def fake(certificate: Certificate) -> AsyncIterator[FakeX]:
    async with FakeX(certificate) as running:
        yield running


@pytest.fixture
async def session(fake: FakeX) -> AsyncIterator[aiohttp.ClientSession]:
    async with fake_x_session(fake) as running:
        yield running


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    """A migrated, empty database on each backend."""
    engine = create_engine(database_url)
    await upgrade(engine)
    yield Store(engine)
    await engine.dispose()


@pytest.fixture
async def sampled(store: Store) -> Store:
    """``store`` with the sample ShortScience summaries (12 summaries of 11 papers), new."""
    feed = Path(__file__).parent / "fixtures" / "shortscience-rss.xml"
    parsed = parse_feed(feed.read_bytes(), "sample.xml")
    now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    await ingest_parsed(store, parsed, "sample.xml", announce=True, now=now)
    return store
