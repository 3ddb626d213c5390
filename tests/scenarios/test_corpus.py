"""A sweep over feedparser's own test corpus: 2,248 well-formed, ill-formed and oddly encoded
feeds through shortbot's real ingest path, as a crash and hang guard.

The corpus (``tests/data/feedparser-corpus.tar.gz``: the feed files of the ``tests/`` folder
of the feedparser 6.0.14 sdist; license beside it) is extracted to a temporary directory and:

1. ingested by the CLI in-process, ``bot.cli.main(["ingest", …])`` in batches, on the default
   SQLite database of an empty working directory: every batch must exit 0 (all read) or 1
   (some source unreadable), never 4 (internal error) or with a traceback;
2. run file by file through the same steps in-process (read, defuse, parse, store) to time
   each file: a generous bound (10 s) catches hangs, not slowness.

Unreadable files (FeedParseError) are expected — some of the corpus is not a feed at all —
and are counted, not failed; so are bozo feeds (feedparser's flag for malformed input). Run
alone with ``pytest -k corpus -s`` to see the report.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from bot.cli import main
from papers.usecases import ingest_parsed
from sources.fetch import fetch
from sources.parse import FeedParseError, parse_feed
from sources.safety import UnsafeXML, defuse_xml
from storage.db import create_engine, upgrade
from storage.repository import Store

DATA = Path(__file__).parents[1] / "data"
CORPUS = DATA / "feedparser-corpus.tar.gz"
BATCH = 250
PER_FILE_LIMIT = 10.0
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Corpus:
    root: Path
    files: list[Path]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """The corpus files, extracted to a temporary directory, in a stable order."""
    target = tmp_path_factory.mktemp("corpus")
    with tarfile.open(CORPUS) as archive:
        archive.extractall(target, filter="data")
    root = target / "feedparser-corpus"
    return Corpus(root, sorted(path for path in root.rglob("*") if path.is_file()))


@pytest.fixture
def quiet_logging() -> Iterator[None]:
    """``bot.cli.main`` configures the root logger; put it back afterwards."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    root.setLevel(level)
    root.handlers[:] = handlers


@dataclass
class Sweep:
    files: int = 0
    bozo: int = 0
    unreadable: set[str] = field(default_factory=set)
    defused: int = 0
    refused_by_defuse: int = 0
    times: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def slowest(self) -> tuple[str, float]:
        name = max(self.times, key=self.times.__getitem__)
        return name, self.times[name]


async def sweep_files(files: list[Path], database: Path) -> Sweep:
    """Each file through read → defuse → parse → store, timed one by one."""
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    await upgrade(engine)
    store = Store(engine)
    result = Sweep(files=len(files))
    try:
        for path in files:
            source = str(path)
            result.bozo += bool(feedparser.parse(io.BytesIO(path.read_bytes())).bozo)
            started = time.perf_counter()
            try:
                body = (await fetch(source, allow_private=True)).body or b""
                try:
                    defused = defuse_xml(body)
                except UnsafeXML:
                    result.refused_by_defuse += 1
                else:
                    if defused is not body:  # what parse_feed will read once it defuses
                        result.defused += 1
                        with contextlib.suppress(FeedParseError):
                            parse_feed(defused, source)
                parsed = await asyncio.to_thread(parse_feed, body, source)
                await ingest_parsed(store, parsed, source, announce=True, now=NOW)
            except FeedParseError:
                result.unreadable.add(source)
            except Exception as exc:  # the sweep reports every crash, not just the first
                result.failures.append(f"{path.name}: {exc!r}")
            result.times[source] = time.perf_counter() - started
    finally:
        await engine.dispose()
    return result


def test_feedparser_corpus_sweep(
    corpus: Corpus,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
    quiet_logging: None,
) -> None:
    files = corpus.files
    assert len(files) > 2000
    assert (DATA / "feedparser-corpus.LICENSE").is_file()
    started = time.perf_counter()
    monkeypatch.chdir(tmp_path)
    for name in [name for name in os.environ if name.startswith("SHORTBOT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SHORTBOT_ARXIV__ENABLED", "false")  # no network, whatever the default

    # 1. the CLI, in batches
    cli_unreadable: set[str] = set()
    for first in range(0, len(files), BATCH):
        batch = [str(path) for path in files[first : first + BATCH]]
        code = main(["ingest", *batch])
        out, err = capsys.readouterr()
        assert code in (0, 1), f"exit {code} for files {first}…{first + len(batch)}:\n{err}"
        assert "internal error" not in err, err
        assert "Traceback" not in err, err
        for line in err.splitlines():
            if line.startswith("shortbot: ") and ": cannot read: " in line:
                cli_unreadable.add(line.removeprefix("shortbot: ").split(": cannot read: ")[0])
        assert code == (1 if cli_unreadable & set(batch) else 0)
        reported = {line.split(": ")[0] for line in out.splitlines() if " feed, " in line}
        assert reported | (cli_unreadable & set(batch)) == set(batch)  # every file accounted for
    assert (tmp_path / "data" / "shortbot.db").is_file()
    cli_seconds = time.perf_counter() - started

    # 2. file by file, timed
    sweep = asyncio.run(sweep_files(files, tmp_path / "sweep.db"))
    assert not sweep.failures, "\n".join(sweep.failures)
    assert sweep.unreadable == cli_unreadable  # the CLI and the in-process path agree
    slowest, seconds = sweep.slowest()
    report = "\n".join(
        [
            "feedparser corpus sweep",
            f"  files:               {sweep.files}",
            f"  bozo (feedparser):   {sweep.bozo}",
            f"  unreadable:          {len(sweep.unreadable)} (FeedParseError)",
            f"  DOCTYPE defused:     {sweep.defused} (refused: {sweep.refused_by_defuse})",
            f"  slowest file:        {Path(slowest).relative_to(corpus.root)}"
            f" {seconds * 1000:.1f} ms",
            f"  per-file total:      {sum(sweep.times.values()):.1f} s",
            f"  CLI batches:         {cli_seconds:.1f} s",
        ]
    )
    (tmp_path / "corpus-report.txt").write_text(report + "\n")
    if request.config.getoption("capture") == "no":  # -s: show it now, through capsys
        with capsys.disabled():
            print("\n" + report)
    else:
        print(report)  # shown with the failure, if any
    assert seconds < PER_FILE_LIMIT, report
