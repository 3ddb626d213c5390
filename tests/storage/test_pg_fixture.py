"""Tests of tests/pg.py, the throwaway PostgreSQL server, against a real server."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import asyncpg  # type: ignore[import-untyped, unused-ignore]
import pytest

from tests import pg


@pytest.fixture(scope="module")
def server() -> Iterator[pg.PostgresServer]:
    # Same behaviour as conftest's pg_server: skip without PostgreSQL, fail in CI.
    yield from pg.session_server()


async def _fetchval(dsn: str, query: str, *args: object) -> object:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(query, *args)
    finally:
        await conn.close()


def _dsn(url: str) -> str:
    assert url.startswith("postgresql+asyncpg://")
    return url.replace("+asyncpg", "", 1)


# ------------------------------------------------------------------ the real server


@pytest.mark.postgresql
@pytest.mark.asyncio
async def test_two_databases_reachable_with_asyncpg(server: pg.PostgresServer) -> None:
    first = server.create_database("fixture_check_one")
    second = server.create_database("fixture_check_two")
    assert first == f"postgresql+asyncpg://postgres@127.0.0.1:{server.port}/fixture_check_one"

    for url, name in ((first, "fixture_check_one"), (second, "fixture_check_two")):
        conn = await asyncpg.connect(_dsn(url))
        try:
            version = await conn.fetchval("select version()")
            version_num = int(await conn.fetchval("show server_version_num"))
            assert await conn.fetchval("select current_database()") == name
            assert await conn.fetchval("show server_encoding") == "UTF8"
        finally:
            await conn.close()
        assert version.startswith("PostgreSQL ")
        assert version_num >= 150000, version

    server.drop_database("fixture_check_one")
    server.drop_database("fixture_check_two")


@pytest.mark.postgresql
def test_server_properties(server: pg.PostgresServer) -> None:
    assert server.host == "127.0.0.1"
    assert 0 < server.port < 65536
    assert server.running
    assert server.url("x") == f"postgresql+asyncpg://postgres@127.0.0.1:{server.port}/x"
    assert server.dsn("x") == f"postgresql://postgres@127.0.0.1:{server.port}/x"


@pytest.mark.postgresql
def test_fresh_database_is_created_and_dropped(server: pg.PostgresServer) -> None:
    gen = pg.fresh_database(server)
    url = next(gen)
    name = url.rsplit("/", 1)[1]
    assert name.startswith("test_")
    assert asyncio.run(_fetchval(_dsn(url), "select current_database()")) == name
    with pytest.raises(StopIteration):
        next(gen)
    exists = asyncio.run(
        _fetchval(server.dsn(), "select count(*) from pg_database where datname = $1", name)
    )
    assert exists == 0


@pytest.mark.postgresql
def test_new_database_names_are_unique(server: pg.PostgresServer) -> None:
    names = {server.new_database_name() for _ in range(5)}
    assert len(names) == 5


@pytest.mark.postgresql
@pytest.mark.asyncio
async def test_create_database_from_sync_code_while_a_loop_runs(
    server: pg.PostgresServer,
) -> None:
    # A sync fixture may call create_database while pytest-asyncio's loop runs.
    url = server.create_database("fixture_check_loop")
    assert await _fetchval(_dsn(url), "select 1") == 1
    server.drop_database("fixture_check_loop")


@pytest.mark.postgresql
@pytest.mark.asyncio
async def test_asyncpg_fallback_without_psql(
    server: pg.PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server, "_psql", lambda: None)
    url = server.create_database("fixture_check_nopsql")
    assert await _fetchval(_dsn(url), "select current_database()") == "fixture_check_nopsql"
    server.drop_database("fixture_check_nopsql")
    with pytest.raises(pg.PostgresServerError, match="does not exist"):
        server.execute("select 1", dbname="fixture_check_nopsql")


@pytest.mark.postgresql
def test_rejects_odd_database_names(server: pg.PostgresServer) -> None:
    for bad in ("", "Upper", "x; drop", 'a"b', "1abc"):
        with pytest.raises(ValueError, match="not a simple lower-case SQL identifier"):
            server.create_database(bad)


# ------------------------------------------------------------ lifecycle (own servers)


@pytest.mark.postgresql
def test_restart_keeps_data_and_port() -> None:
    bin_dir = pg.require_pg_bin()
    with pg.PostgresServer(bin_dir) as server:
        url = server.create_database("kept")
        port = server.port

        async def write() -> None:
            conn = await asyncpg.connect(_dsn(url))
            try:
                await conn.execute("create table t (id int primary key, v text)")
                await conn.execute("insert into t values (1, 'survives')")
            finally:
                await conn.close()

        asyncio.run(write())
        server.restart()
        assert server.running
        assert server.port == port
        assert asyncio.run(_fetchval(_dsn(url), "select v from t where id = 1")) == "survives"

        server.stop()
        assert not server.running
        with pytest.raises((OSError, asyncpg.PostgresError)):
            asyncio.run(_fetchval(_dsn(url), "select 1"))
        server.start()
        assert asyncio.run(_fetchval(_dsn(url), "select count(*) from t")) == 1
        base = server.base_dir
        assert int((base / "data" / "PG_VERSION").read_text().split(".")[0]) >= 15
        if os.geteuid() == 0:
            assert base.stat().st_uid != 0  # handed to the postgres user
    assert not base.exists()
    assert not server.running


@pytest.mark.postgresql
def test_failed_start_reports_server_log_and_cleans_up() -> None:
    bin_dir = pg.require_pg_bin()
    server = pg.PostgresServer(bin_dir, settings={"no_such_setting_xyz": "1"})
    with pytest.raises(pg.PostgresServerError) as excinfo, server:
        pass  # pragma: no cover - the server must not start
    message = str(excinfo.value)
    assert "pg_ctl start" in message
    assert "server log" in message
    assert "no_such_setting_xyz" in message  # quoted from the log tail
    assert not server.running
    with pytest.raises(pg.PostgresServerError):
        _ = server.base_dir  # temp dir removed


# ------------------------------------------------------------ lookup / skip logic


@pytest.mark.postgresql
def test_find_pg_bin_honours_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bin_dir = pg.require_pg_bin()
    monkeypatch.setenv(pg.PG_BIN_ENV, str(bin_dir))
    assert pg.find_pg_bin() == bin_dir
    monkeypatch.setenv(pg.PG_BIN_ENV, str(tmp_path))
    with pytest.raises(pg.PostgresServerError, match=pg.PG_BIN_ENV):
        pg.find_pg_bin()


def test_pg_required_follows_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    assert pg.pg_required()
    monkeypatch.setenv("CI", "false")
    assert not pg.pg_required()
    monkeypatch.delenv("CI")
    assert not pg.pg_required()


def test_missing_postgres_skips_locally_and_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pg, "find_pg_bin", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"PostgreSQL is not installed"):
        pg.require_pg_bin()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"CI=true"):
        pg.require_pg_bin()


def test_sqlite_url(tmp_path: Path) -> None:
    assert pg.sqlite_url(tmp_path) == f"sqlite+aiosqlite:///{tmp_path}/shortbot.db"


@pytest.mark.postgresql
def test_stop_after_the_server_was_killed() -> None:
    bin_dir = pg.require_pg_bin()
    with pg.PostgresServer(bin_dir) as server:
        url = server.create_database("killed")
        pid = int((server.data_dir / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGKILL)
        server.stop()  # tolerated: nothing (or only a zombie) left to stop
        assert not server.running
        server.start()  # crash recovery on the same data and port
        assert asyncio.run(_fetchval(_dsn(url), "select current_database()")) == "killed"


@pytest.mark.postgresql
@pytest.mark.asyncio
async def test_drop_database_despite_open_connection(server: pg.PostgresServer) -> None:
    # A test that leaks a connection must not break fresh_database's teardown.
    url = server.create_database("fixture_check_leak")
    conn = await asyncpg.connect(_dsn(url))
    try:
        server.drop_database("fixture_check_leak")
        with pytest.raises((asyncpg.PostgresError, asyncpg.InterfaceError, OSError)):
            await conn.fetchval("select 1")
    finally:
        conn.terminate()
    names = await _fetchval(server.dsn(), "select array_agg(datname) from pg_database")
    assert isinstance(names, list)
    assert "fixture_check_leak" not in names
