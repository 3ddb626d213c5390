"""``shortbot import arxiv-metadata``: the arXiv snapshot streamed into SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import json
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from papers.discord_render import paper_embed
from papers.model import IncomingPaper, IncomingSummary
from papers.usecases import Found, lookup, search
from sources.snapshot import BadLine, parse_line
from storage.db import create_engine, upgrade
from storage.repository import Store
from storage.tables import paper_aliases, papers, summary_papers
from tests.conftest import SHORTBOT

NOW = datetime(2026, 11, 23, tzinfo=UTC)
OLD_IDS = ["hep-th/9901001", "math/0309136", "astro-ph/0701001"]


def record(arxiv_id: str, n: int, **over: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "id": arxiv_id,
        "submitter": "Ada Lovelace",
        "authors": "Ada Lovelace and C. Babbage",
        "title": f"Quixotic  lattice\n  number {n} in gauge theory",
        "comments": "12 pages",
        "journal-ref": None,
        "doi": f"10.1000/test.{n}" if n % 3 == 0 else None,
        "report-no": None,
        "categories": "hep-th math.GT",
        "license": None,
        "abstract": f"  We study widget{n} and the\nlattice of everything.\n",
        "versions": [
            {"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
            {"version": "v2", "created": "Tue, 3 Apr 2007 10:00:00 GMT"},
        ],
        "update_date": "2008-11-13",
        "authors_parsed": [["Lovelace", "Ada", ""], ["Babbage", "C.", ""]],
    }
    rec.update(over)
    return rec


def ids(n: int) -> list[str]:
    return OLD_IDS + [f"1501.{i:05d}" for i in range(1, n - len(OLD_IDS) + 1)]


def write_snapshot(path: Path, lines: list[str]) -> Path:
    data = ("\n".join(lines) + "\n").encode()
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


def good_lines(n: int) -> list[str]:
    return [json.dumps(record(arxiv_id, i)) for i, arxiv_id in enumerate(ids(n))]


BAD = ["{not json", json.dumps({"title": "no id"}), json.dumps(record("2401.1234", 0))]


@pytest.fixture(params=["thread", "process"])
def parser(request: pytest.FixtureRequest) -> str:
    """Where the import parses: in a thread, or in its worker process (big files)."""
    return str(request.param)


@pytest.fixture
def run_import(shortbot, database_url: str, parser: str):
    def run(path: Path, *args: str):
        return shortbot(
            "import",
            "arxiv-metadata",
            str(path),
            *args,
            "--parser",
            parser,
            extra_env={"SHORTBOT_DATABASE_URL": database_url},
        )

    return run


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Store]:
    engine = create_engine(database_url)
    await upgrade(engine)
    yield Store(engine)
    await engine.dispose()


async def dump(store: Store) -> list[tuple[Any, ...]]:
    """Everything a paper holds but its timestamps of creation and modification."""
    cols = [c for c in papers.c if c.name not in ("id", "created_at", "modified_at")]
    async with store.engine.connect() as conn:
        rows = (await conn.execute(select(*cols).order_by(papers.c.key))).all()
        aliases = (
            await conn.execute(
                select(paper_aliases.c.alias, papers.c.key)
                .join(papers, papers.c.id == paper_aliases.c.paper_id)
                .order_by(paper_aliases.c.alias)
            )
        ).all()
    return [tuple(r) for r in rows] + [tuple(a) for a in aliases]


def test_parse_line() -> None:
    paper = parse_line(json.dumps(record("hep-th/9901001", 3)).encode())
    assert paper.arxiv_id == "hep-th/9901001"
    assert paper.arxiv_version == 2
    assert paper.title == "Quixotic lattice number 3 in gauge theory"
    assert paper.abstract == "We study widget3 and the lattice of everything."
    assert paper.authors == ("Ada Lovelace", "C. Babbage")
    assert paper.categories == ("hep-th", "math.GT")
    assert paper.primary_category == "hep-th"
    assert paper.doi == "10.1000/test.3"
    assert paper.published == datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC)
    assert paper.updated == datetime(2007, 4, 3, 10, tzinfo=UTC)
    assert paper.complete
    for line, reason in zip(BAD, ("not JSON", "no id", "bad id"), strict=True):
        with pytest.raises(BadLine, match=reason):
            parse_line(line.encode())


@pytest.mark.parametrize("name", ["snap.jsonl", "snap.jsonl.gz"])
async def test_import_counts_bad_lines_and_every_id_is_found(
    tmp_path: Path, run_import, db: Store, name: str
) -> None:
    lines = good_lines(40)
    lines[5:5] = BAD[:1]
    lines[20:20] = BAD[1:]
    lines.insert(10, "")  # blank lines are neither papers nor bad
    path = write_snapshot(tmp_path / name, lines)

    done = run_import(path, "--batch-size", "7")
    assert done.code == 0, done.err
    assert "40 new papers, 0 already known, 3 bad lines" in done.out
    assert "first bad lines: 6, 22, 23" in done.err
    assert "100.0%" in done.err  # the progress line

    assert await db.count_papers() == 40
    for arxiv_id in ids(40):
        outcome = await lookup(db, arxiv_id)
        assert isinstance(outcome, Found), arxiv_id
        assert outcome.match.paper.arxiv_id == arxiv_id
        embed = paper_embed(outcome.match)
        assert "No summary yet." in embed["description"]
        assert "widget" in embed["description"]  # the abstract's opening
    doi = await lookup(db, "10.1000/test.3")  # DOIs became aliases
    assert isinstance(doi, Found)
    assert doi.match.paper.arxiv_id == ids(40)[3]
    found = await search(db, "quixotic widget17")
    assert [p.arxiv_id for p in found] == [ids(40)[17]]

    again = run_import(path)
    assert again.code == 0
    assert "already imported" in again.out


async def test_existing_summaries_and_known_data_are_kept(
    tmp_path: Path, run_import, db: Store
) -> None:
    # known only from a summary: the snapshot has more (complete arXiv metadata)
    await db.save_summaries(
        [
            IncomingSummary(
                guid="s1",
                source="feed",
                author="Reviewer",
                url="https://example.org/s1",
                votes=4,
                text="A fine paper.",
                published=NOW,
                papers=(IncomingPaper(title="quixotic (summary's title)", arxiv_id="1501.00001"),),
            )
        ],
        announce=False,
        now=NOW,
    )
    # complete and newer than the snapshot (v5): only what it lacks is filled
    await db.save_papers(
        [
            IncomingPaper(
                title="The real title",
                arxiv_id="1501.00002",
                arxiv_version=5,
                authors=("Someone Else",),
                abstract=None,
                categories=("cs.LG",),
                complete=True,
            )
        ],
        source="arxiv-api",
        announce=False,
        now=NOW,
    )
    lines = good_lines(10)
    empty = record("1501.00002", 4, authors="", authors_parsed=[], categories="")
    lines[4] = json.dumps(empty)
    done = run_import(write_snapshot(tmp_path / "s.jsonl", lines))
    assert done.code == 0, done.err
    assert "8 new papers, 2 already known" in done.out

    summarized = await lookup(db, "1501.00001")
    assert isinstance(summarized, Found)
    assert [s.guid for s in summarized.match.summaries] == ["s1"]
    paper = summarized.match.paper
    assert paper.title == "Quixotic lattice number 3 in gauge theory"
    assert paper.abstract == "We study widget3 and the lattice of everything."
    assert paper.arxiv_version == 2
    async with db.engine.connect() as conn:
        links = (await conn.execute(select(summary_papers))).all()
    assert len(links) == 1

    newer = await lookup(db, "1501.00002")
    assert isinstance(newer, Found)
    kept = newer.match.paper
    assert kept.title == "The real title"
    assert kept.arxiv_version == 5
    assert kept.authors == ("Someone Else",)
    assert kept.categories == ("cs.LG",)
    assert kept.abstract == "We study widget4 and the lattice of everything."  # was missing
    assert kept.comment == "12 pages"
    # the summary's paper is found by the snapshot's words, the old title is gone from the index
    assert [p.arxiv_id for p in await search(db, "widget3")] == ["1501.00001"]
    # (a word no paper holds is left out of a search, so the old title's own words are asked)
    assert await search(db, "summary") == []


async def test_a_doi_known_from_a_summary_is_merged(tmp_path: Path, run_import, db: Store) -> None:
    await db.save_summaries(
        [
            IncomingSummary(
                guid="s2",
                source="feed",
                author="Reviewer",
                url=None,
                votes=1,
                text="Known by its DOI only.",
                published=NOW,
                papers=(IncomingPaper(title="By DOI", doi="10.1000/test.6"),),
            )
        ],
        announce=False,
        now=NOW,
    )
    done = run_import(write_snapshot(tmp_path / "s.jsonl", good_lines(10)))
    assert done.code == 0, done.err
    assert await db.count_papers() == 10
    outcome = await lookup(db, ids(10)[6])
    assert isinstance(outcome, Found)
    assert [s.guid for s in outcome.match.summaries] == ["s2"]
    assert outcome.match.paper.key == ids(10)[6]


async def test_stopped_then_resumed_is_one_run(
    tmp_path: Path, shortbot, database_url: str, pg_or_sqlite_second_url: str
) -> None:
    lines = good_lines(60)
    lines[30:30] = BAD
    path = write_snapshot(tmp_path / "s.jsonl.gz", lines)

    def run(url: str, *args: str):
        return shortbot(
            "import", "arxiv-metadata", str(path), *args, extra_env={"SHORTBOT_DATABASE_URL": url}
        )

    first = run(database_url, "--batch-size", "8", "--stop-after", "25")
    assert first.code == 130, first.err
    assert "after line 25" in first.err
    second = run(database_url, "--batch-size", "8", "--stop-after", "10")
    assert second.code == 130
    assert "resuming after line 25" in second.err
    last = run(database_url, "--batch-size", "8")
    assert last.code == 0, last.err
    assert "60 new papers, 0 already known, 3 bad lines" in last.out

    once = run(pg_or_sqlite_second_url)
    assert once.code == 0
    assert "60 new papers, 0 already known, 3 bad lines" in once.out
    stores = []
    for url in (database_url, pg_or_sqlite_second_url):
        engine = create_engine(url)
        stores.append(Store(engine))
    try:
        assert await dump(stores[0]) == await dump(stores[1])
        for store in stores:
            assert len(await search(store, "quixotic lattice")) == 10
    finally:
        for store in stores:
            await store.engine.dispose()


@pytest.fixture
def pg_or_sqlite_second_url(request: pytest.FixtureRequest, database_url: str, tmp_path) -> str:
    """A second empty database on the same backend as ``database_url``."""
    if database_url.startswith("sqlite"):
        return f"sqlite+aiosqlite:///{tmp_path / 'second.db'}"
    server = request.getfixturevalue("pg_server")
    return str(server.create_database(server.new_database_name("second")))


@pytest.mark.parametrize("parser", ["thread", "process"])
def test_sigterm_commits_the_batch_and_resume_finishes(tmp_path: Path, parser: str) -> None:
    path = write_snapshot(tmp_path / "big.jsonl", good_lines(20_000))
    database = tmp_path / "shortbot.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHORTBOT_")}
    env["SHORTBOT_DATABASE_URL"] = f"sqlite+aiosqlite:///{database}"
    args = [str(SHORTBOT), "import", "arxiv-metadata", str(path), "--batch-size", "500"]
    args += ["--parser", parser]
    proc = subprocess.Popen(
        args, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    line = 0
    deadline = time.monotonic() + 60
    while line == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
        try:
            with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
                row = conn.execute("SELECT line FROM import_progress").fetchone()
            line = row[0] if row else 0
        except sqlite3.OperationalError:  # not created or migrated yet
            pass
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the import finished before the signal arrived")  # a very fast machine
    assert proc.returncode == 130, err
    assert "SIGTERM: finishing the current batch" in err
    assert "run the same command again to resume" in err
    with sqlite3.connect(database) as conn:
        (stopped,) = conn.execute("SELECT line FROM import_progress").fetchone()
        (count,) = conn.execute("SELECT count(*) FROM papers").fetchone()
        triggers = {
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
        }
    assert 0 < stopped < 20_000
    assert count == stopped  # one paper per line, all committed up to the checkpoint
    assert {"papers_fts_insert", "papers_fts_update", "papers_fts_delete"} <= triggers
    assert {"papers_head_insert", "papers_head_update", "papers_head_delete"} <= triggers

    done = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert f"resuming after line {stopped:,}" in done.stderr
    assert "20,000 new papers" in done.stdout
    with sqlite3.connect(database) as conn:
        (count,) = conn.execute("SELECT count(*) FROM papers").fetchone()
        (indexed,) = conn.execute(
            "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH 'quixotic'"
        ).fetchone()
        (heads,) = conn.execute(
            "SELECT count(*) FROM papers_head WHERE papers_head MATCH 'quixotic'"
        ).fetchone()
    assert count == indexed == heads == 20_000


async def test_search_triggers_work_after_an_import(
    tmp_path: Path, run_import, db: Store, database_url: str
) -> None:
    assert run_import(write_snapshot(tmp_path / "s.jsonl", good_lines(5))).code == 0
    await db.save_papers(
        [IncomingPaper(title="Zebrafish after the import", arxiv_id="2401.00001", complete=True)],
        source="arxiv-api",
        announce=False,
        now=NOW,
    )
    assert [p.arxiv_id for p in await search(db, "zebrafish")] == ["2401.00001"]
    await db.save_papers(  # an update of an imported paper reaches the index too
        [
            IncomingPaper(
                title="Okapi gauge theory", arxiv_id=ids(5)[0], arxiv_version=9, complete=True
            )
        ],
        source="arxiv-api",
        announce=False,
        now=NOW,
    )
    assert [p.arxiv_id for p in await search(db, "okapi")] == [ids(5)[0]]
    if database_url.startswith("sqlite"):
        async with db.engine.connect() as conn:
            rows = await conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='trigger'")
            names = {r[0] for r in rows}
        assert {"papers_fts_insert", "papers_fts_update", "papers_fts_delete"} <= names
        assert {"papers_head_insert", "papers_head_update", "papers_head_delete"} <= names


def test_unreadable_file_and_usage(tmp_path: Path, shortbot) -> None:
    missing = shortbot("import", "arxiv-metadata", str(tmp_path / "nope.jsonl"))
    assert missing.code == 1
    assert "cannot read" in missing.err
    directory = shortbot("import", "arxiv-metadata", str(tmp_path))
    assert directory.code == 1
    usage = shortbot("import", "arxiv-metadata")
    assert usage.code == 2
    helped = shortbot("import", "arxiv-metadata", "--help")
    assert helped.code == 0
    assert "Exit 0" in helped.out


def test_truncated_gzip_keeps_what_was_read(tmp_path: Path, shortbot) -> None:
    path = tmp_path / "cut.jsonl.gz"
    data = gzip.compress(("\n".join(good_lines(8_000)) + "\n").encode())
    path.write_bytes(data[: len(data) // 2])
    done = shortbot("import", "arxiv-metadata", str(path), "--batch-size", "100")
    assert done.code == 1
    assert "cannot read past line" in done.err
    with sqlite3.connect(tmp_path / "data" / "shortbot.db") as conn:
        (count,) = conn.execute("SELECT count(*) FROM papers").fetchone()
    assert 0 < count < 8_000
    assert f"{count:,} new papers" in done.out
