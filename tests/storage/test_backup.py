"""``shortbot db backup`` / ``db restore``: real SQLite files, the real CLI in a subprocess."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy
from alembic import command
from alembic.config import Config

from storage.backup import BackupError, backup, restore
from storage.db import MIGRATIONS, create_engine, head_revision, upgrade

SAMPLE = Path(__file__).parents[1] / "fixtures" / "shortscience-rss.xml"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def query(path: Path, sql: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


async def migrated(path: Path) -> Path:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    return path


def migrate_to(path: Path, revision: str) -> None:
    """An older shortbot's database: the migrations up to ``revision`` only."""
    engine = sqlalchemy.create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- the CLI


def test_round_trip_brings_the_backed_up_data_back(shortbot, tmp_path: Path) -> None:
    assert shortbot("ingest", str(SAMPLE)).code == 0
    before = json.loads(shortbot("lookup", "1312.6199", "--json").out)

    made = shortbot("db", "backup", "saved.db")
    assert made.code == 0, made.err
    assert "Backed up data/shortbot.db to saved.db" in made.out
    saved = tmp_path / "saved.db"
    saved_digest = digest(saved)
    # a self-contained file: no log beside it, and not in WAL mode
    assert not (tmp_path / "saved.db-wal").exists()
    assert query(saved, "PRAGMA journal_mode") == [("delete",)]

    database = tmp_path / "data" / "shortbot.db"
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE papers SET title = 'changed after the backup'")
        connection.execute("DELETE FROM summary_papers")
        connection.execute("DELETE FROM summaries")
    connection.close()
    assert shortbot("lookup", "1312.6199", "--json").code == 0
    changed = json.loads(shortbot("lookup", "1312.6199", "--json").out)
    assert changed["paper"]["title"] == "changed after the backup"
    assert changed["summaries"] == []

    restored = shortbot("db", "restore", "saved.db")
    assert restored.code == 0, restored.err
    assert "Restored data/shortbot.db from saved.db" in restored.out
    after = json.loads(shortbot("lookup", "1312.6199", "--json").out)
    assert after == before
    assert after["paper"]["title"] == "Intriguing properties of neural networks"
    assert len(after["summaries"]) == 2

    # the database it replaced is kept, with the change; the backup itself is untouched
    kept = [p for p in (tmp_path / "data").iterdir() if ".before-restore-" in p.name]
    assert len(kept) == 1, kept
    assert kept[0].name.startswith("shortbot.db.before-restore-")
    assert f"kept as data/{kept[0].name}" in restored.out
    assert query(kept[0], "SELECT DISTINCT title FROM papers") == [("changed after the backup",)]
    assert digest(saved) == saved_digest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "saved.db"]


def test_backup_refuses_to_overwrite_unless_forced(shortbot, tmp_path: Path) -> None:
    assert shortbot("ingest", str(SAMPLE)).code == 0
    target = tmp_path / "saved.db"
    target.write_bytes(b"an older backup")

    refused = shortbot("db", "backup", "saved.db")
    assert refused.code == 1
    assert refused.err.strip() == "shortbot: saved.db already exists; use --force to overwrite it"
    assert target.read_bytes() == b"an older backup"

    forced = shortbot("db", "backup", "saved.db", "--force")
    assert forced.code == 0, forced.err
    assert query(target, "SELECT count(*) FROM summaries") == [(12,)]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left


def test_backup_refusals(shortbot, tmp_path: Path) -> None:
    nothing = shortbot("db", "backup", "saved.db")
    assert nothing.code == 1
    assert "there is no database at data/shortbot.db" in nothing.err
    assert not (tmp_path / "data").exists()  # a backup never creates a database
    assert not (tmp_path / "saved.db").exists()

    assert shortbot("ingest", str(SAMPLE)).code == 0
    no_dir = shortbot("db", "backup", "missing/saved.db")
    assert no_dir.code == 1
    assert "the directory missing does not exist" in no_dir.err
    a_dir = shortbot("db", "backup", "data")
    assert a_dir.code == 2
    assert "is a directory" in a_dir.err
    itself = shortbot("db", "backup", "data/shortbot.db", "--force")
    assert itself.code == 2
    assert "is the database itself" in itself.err
    assert query(tmp_path / "data" / "shortbot.db", "SELECT count(*) FROM summaries") == [(12,)]


def test_restore_refusals_change_nothing(shortbot, tmp_path: Path) -> None:
    assert shortbot("ingest", str(SAMPLE)).code == 0
    database = tmp_path / "data" / "shortbot.db"
    original = digest(database)

    (tmp_path / "notes.txt").write_text("not a database\n" * 10)
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE papers (id INTEGER)")
    connection.close()
    assert shortbot("db", "backup", "newer.db").code == 0
    with sqlite3.connect(tmp_path / "newer.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.close()

    cases = {
        "missing.db": "shortbot: missing.db does not exist",
        "notes.txt": "shortbot: notes.txt is not a SQLite database",
        "foreign.db": "shortbot: foreign.db is a SQLite database but not shortbot's "
        "(missing tables: alembic_version, feeds, paper_aliases, summaries, summary_papers)",
        "newer.db": f"shortbot: newer.db has schema revision 9999, newer than this shortbot "
        f"knows (its newest is {head_revision()}): upgrade shortbot, then restore it",
    }
    for name, message in cases.items():
        result = shortbot("db", "restore", name)
        assert result.code == 1, (name, result.err)
        assert result.err.strip() == message
        assert result.out == ""
    assert digest(database) == original
    assert sorted(p.name for p in database.parent.iterdir()) == ["shortbot.db"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_restore_refuses_while_the_database_is_open(shortbot, tmp_path: Path) -> None:
    assert shortbot("ingest", str(SAMPLE)).code == 0
    assert shortbot("db", "backup", "saved.db").code == 0
    database = tmp_path / "data" / "shortbot.db"
    bot = sqlite3.connect(database)  # what a running bot holds: an open WAL connection
    try:
        bot.execute("PRAGMA journal_mode=WAL")
        bot.execute("UPDATE papers SET title = 'still running'")
        bot.commit()
        result = shortbot("db", "restore", "saved.db")
        assert result.code == 1
        assert "is in use (is shortbot running?); stop it, then restore" in result.err
        assert bot.execute("SELECT DISTINCT title FROM papers").fetchall() == [("still running",)]
    finally:
        bot.close()
    assert not [p for p in database.parent.iterdir() if "before-restore" in p.name]
    assert shortbot("db", "restore", "saved.db").code == 0  # once it has stopped


@pytest.mark.parametrize("action", ["backup", "restore"])
def test_postgresql_points_to_pg_dump(shortbot, tmp_path: Path, action: str) -> None:
    (tmp_path / "some.db").write_bytes(b"")
    url = "postgresql+asyncpg://shortbot:s3cret@127.0.0.1:1/shortbot"
    result = shortbot("db", action, "some.db", extra_env={"SHORTBOT_DATABASE_URL": url})
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1
    assert "pg_dump / pg_restore" in lines[0]
    assert "README" in lines[0]
    assert "s3cret" not in result.err
    assert (tmp_path / "some.db").read_bytes() == b""


@pytest.mark.parametrize("action", ["backup", "restore"])
def test_help(shortbot, action: str) -> None:
    result = shortbot("db", action, "--help")
    assert result.code == 0
    assert "usage: shortbot db" in result.out
    assert "PostgreSQL" in result.out


# --------------------------------------------------------------------------- the module


async def test_backup_includes_what_is_only_in_the_wal(tmp_path: Path) -> None:
    database = await migrated(tmp_path / "live.db")
    writer = sqlite3.connect(database, isolation_level=None)
    try:
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("PRAGMA wal_autocheckpoint=0")  # keep the commits in the log
        writer.execute("CREATE TABLE notes (body TEXT)")
        writer.executemany("INSERT INTO notes VALUES (?)", [(f"note {i}",) for i in range(50)])
        assert (tmp_path / "live.db-wal").stat().st_size > 0
        # the main file alone does not have them yet: a plain file copy would lose them
        (tmp_path / "plain-copy.db").write_bytes(database.read_bytes())
        tables = query(tmp_path / "plain-copy.db", "SELECT name FROM sqlite_master")
        assert ("notes",) not in tables
        done = backup(database, tmp_path / "copy.db")
        assert query(tmp_path / "copy.db", "SELECT count(*) FROM notes") == [(50,)]
        assert done.revision == head_revision()
        assert not (tmp_path / "copy.db-wal").exists()
    finally:
        writer.close()


async def test_backup_while_another_connection_writes(tmp_path: Path) -> None:
    database = await migrated(tmp_path / "live.db")
    with sqlite3.connect(database) as setup:
        setup.execute("CREATE TABLE moves (amount INTEGER NOT NULL)")
    setup.close()
    stop, errors, commits = threading.Event(), [], [0]

    def write() -> None:
        # Every transaction adds +n and -n: any consistent snapshot sums to 0 with an even count.
        connection = sqlite3.connect(database, timeout=10, isolation_level=None)
        try:
            n = 0
            while not stop.is_set():
                n += 1
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("INSERT INTO moves VALUES (?)", (n,))
                connection.execute("INSERT INTO moves VALUES (?)", (-n,))
                connection.execute("UPDATE papers SET title = title")  # touch shortbot's tables
                connection.execute("COMMIT")
                commits[0] = n
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        seen = []
        deadline = time.monotonic() + 10
        while commits[0] < 50 and time.monotonic() < deadline:
            time.sleep(0.01)
        for i in range(5):
            started_at = commits[0]
            backup(database, tmp_path / f"copy{i}.db")
            rows = query(tmp_path / f"copy{i}.db", "SELECT count(*), sum(amount) FROM moves")
            count, total = rows[0]
            assert isinstance(count, int)
            assert total == 0
            assert count % 2 == 0
            assert count >= 2 * started_at
            assert query(tmp_path / f"copy{i}.db", "PRAGMA integrity_check") == [("ok",)]
            seen.append(count)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert errors == []  # the writer was never blocked into an error
    assert commits[0] > 50
    assert seen == sorted(seen)
    assert len(set(seen)) > 1  # the writer kept going between backups


async def test_restore_migrates_an_older_backup_to_head(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    migrate_to(old, "0003")
    with sqlite3.connect(old) as connection:
        connection.execute("CREATE TABLE marker (x TEXT)")
        connection.execute("INSERT INTO marker VALUES ('from the old backup')")
    connection.close()
    old_digest = digest(old)
    database = tmp_path / "data" / "shortbot.db"  # no database yet: nothing to keep

    done = await restore(old, database, now=NOW)

    assert (done.revision, done.upgraded_to, done.kept) == ("0003", head_revision(), None)
    assert query(database, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    assert query(database, "SELECT x FROM marker") == [("from the old backup",)]
    assert digest(old) == old_digest
    assert sorted(p.name for p in database.parent.iterdir()) == ["shortbot.db"]


async def test_restore_keeps_the_current_database_under_a_timestamp(tmp_path: Path) -> None:
    database = await migrated(tmp_path / "shortbot.db")
    saved = await migrated(tmp_path / "saved.db")
    first = await restore(saved, database, now=NOW)
    second = await restore(saved, database, now=NOW)  # same second: a distinct name
    assert first.kept == tmp_path / "shortbot.db.before-restore-20260102T030405Z"
    assert second.kept == tmp_path / "shortbot.db.before-restore-20260102T030405Z-1"
    assert first.kept.is_file()
    assert second.kept is not None and second.kept.is_file()


async def test_restore_of_a_damaged_file_is_refused(tmp_path: Path) -> None:
    saved = await migrated(tmp_path / "saved.db")
    data = bytearray(saved.read_bytes())
    data[4096 * 2 : 4096 * 3] = b"\xff" * 4096  # a page of garbage
    saved.write_bytes(bytes(data))
    database = await migrated(tmp_path / "shortbot.db")
    before = digest(database)
    with pytest.raises(BackupError):
        await restore(saved, database, now=NOW)
    assert digest(database) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["saved.db", "shortbot.db"]


async def test_restore_of_a_raw_copy_with_its_wal(tmp_path: Path) -> None:
    """A live database copied file by file (main file and -wal): the log's commits count."""
    live = await migrated(tmp_path / "live.db")
    writer = sqlite3.connect(live, isolation_level=None)
    try:
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("CREATE TABLE notes (body TEXT)")
        writer.execute("INSERT INTO notes VALUES ('only in the log')")
        (tmp_path / "raw.db").write_bytes(live.read_bytes())
        (tmp_path / "raw.db-wal").write_bytes((tmp_path / "live.db-wal").read_bytes())
    finally:
        writer.close()
    database = tmp_path / "data" / "shortbot.db"
    done = await restore(tmp_path / "raw.db", database, now=NOW)
    assert done.revision == head_revision()
    assert query(database, "SELECT body FROM notes") == [("only in the log",)]
