"""``shortbot import arxiv-metadata FILE``: load arXiv's public metadata snapshot.

The file (plain or gzip JSON lines, several GB) is streamed: the next batch is read and parsed
while the previous one is written (``storage.bulk``), so memory stays flat at about two batches.
A large file (``PARSE_PROCESS_BYTES`` and more, on a machine with two cores or more) is parsed
in a worker process (``bot.import_worker``): parsing and writing then run on two cores instead
of sharing one through the GIL.
Each batch commits with its checkpoint (line and byte offset, keyed by the file's path, size
and modification time): Ctrl-C or SIGTERM finishes the batch being written, commits what was
read, says where it stopped, and the same command resumes there. Bad lines (not JSON, no id,
a bad id, no title) are counted, and the first few line numbers reported, never fatal.

Exit codes: 0 imported (bad lines included) or already imported; 1 the file cannot be read;
2 usage; 130 interrupted (run the same command again to resume).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bot.app import App
from bot.import_worker import ignore_signals, parse_rows
from papers.model import IncomingPaper
from sources.snapshot import BadLine, SnapshotFile, parse_line, read_lines
from storage.bulk import BulkWriter, Checkpoint, Prepared, open_bulk_writer

EXIT_OK, EXIT_UNREADABLE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
DEFAULT_BATCH = 10_000
TTY_REDRAW_S = 0.25
LOG_EVERY_S = 5.0
PARSE_PROCESS_BYTES = 64 * 1024 * 1024
READ_AHEAD = 2


@dataclass
class _Batch:
    papers: list[IncomingPaper] = field(default_factory=list)
    lines: list[bytes] = field(default_factory=list)  # raw, when a worker process parses
    numbers: list[int] = field(default_factory=list)  # their line numbers
    bad: list[int] = field(default_factory=list)
    line: int = 0
    offset: int = 0
    eof: bool = False
    prepared: Prepared = field(default_factory=lambda: Prepared([], []))
    error: str | None = None


def _read_batch(
    lines: Iterator[tuple[int, bytes, int]],
    size: int,
    stop: threading.Event,
    start: tuple[int, int],
    prepare: Callable[[list[IncomingPaper]], Prepared] | None,
) -> _Batch:
    """The next ``size`` papers (fewer at the end or when asked to stop), as database rows;
    without ``prepare``, the next ``size`` non-blank lines, raw, for a worker to parse."""
    batch = _Batch(line=start[0], offset=start[1])
    papers, bad, raw, numbers = batch.papers, batch.bad, batch.lines, batch.numbers
    try:
        for number, line, offset in lines:
            batch.line, batch.offset = number, offset
            if line.strip():
                if prepare is None:
                    raw.append(line)
                    numbers.append(number)
                else:
                    try:
                        papers.append(parse_line(line))
                    except BadLine:
                        bad.append(number)
            if len(papers) + len(raw) >= size or stop.is_set():
                break
        else:
            batch.eof = not stop.is_set()  # --stop-after ends the lines before the end
    except (OSError, EOFError) as exc:  # a truncated or corrupt gzip stream: keep what was read
        batch.error = str(exc) or type(exc).__name__
    if prepare is not None:
        batch.prepared = prepare(papers)
    return batch


async def _parse_elsewhere(pool: ProcessPoolExecutor, batch: _Batch, bulk: BulkWriter) -> None:
    """Parse a raw batch in the worker process: its rows, its bad line numbers, and a way
    back from a row to its paper (the rare merge path parses that one line again here)."""
    loop = asyncio.get_running_loop()
    rows, bad = await loop.run_in_executor(pool, parse_rows, batch.lines, bulk.dialect, bulk.now)
    skip = set(bad)
    good = [line for i, line in enumerate(batch.lines) if i not in skip]
    batch.bad = [batch.numbers[i] for i in bad]
    batch.prepared = Prepared([], rows, reparse=lambda i: parse_line(good[i]))
    batch.lines, batch.numbers = [], []


def _parse_pool(size: int, wanted: bool | None) -> ProcessPoolExecutor | None:
    """The worker process for a file of ``size`` bytes, if it is worth one (``wanted``: force
    it on or off)."""
    if wanted is None:
        wanted = size >= PARSE_PROCESS_BYTES and (os.cpu_count() or 1) >= 2
    if not wanted:
        return None
    return ProcessPoolExecutor(
        max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=ignore_signals
    )


class Progress:
    """A progress line on stderr: redrawn with \\r on a terminal, one line every few seconds
    otherwise."""

    def __init__(self, total: int, start: int = 0, *, out: IO[str] | None = None) -> None:
        self.out = out or sys.stderr
        self.tty = self.out.isatty()
        self.total = max(total, 1)
        self.started = time.monotonic()
        self.last = self.started
        self.first_position = start

    def update(self, position: int, papers: int, bad: int, *, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.last < (TTY_REDRAW_S if self.tty else LOG_EVERY_S):
            return
        self.last = now
        elapsed = max(now - self.started, 1e-6)
        rate = papers / elapsed
        byte_rate = (position - self.first_position) / elapsed
        left = self.total - position
        eta = _duration(left / byte_rate) if byte_rate > 0 and left > 0 else "-"
        text = (
            f"{100 * position / self.total:5.1f}% {papers:,} papers ({rate:,.0f}/s), "
            f"{bad:,} bad, {_duration(elapsed)} elapsed, ETA {eta}"
        )
        if self.tty:
            print(f"\r{text}\x1b[K", end="\n" if final else "", file=self.out, flush=True)
        else:
            print(text, file=self.out, flush=True)


def _duration(seconds: float) -> str:
    s = int(seconds)
    if s >= 3600:
        return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"
    return f"{s // 60}:{s % 60:02d}"


def _probe(path: Path) -> tuple[str, int]:
    """The file's checkpoint key (path, size, mtime) and size, once it is known readable."""
    st = path.stat()
    if not path.is_file():
        raise IsADirectoryError(f"{path} is not a file")
    with open(path, "rb") as probe:
        probe.read(1)
    return f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}", st.st_size


async def import_arxiv_metadata(
    app: App,
    file: str,
    *,
    batch_size: int = DEFAULT_BATCH,
    stop_after: int | None = None,
    parse_process: bool | None = None,
) -> int:
    """Import ``file``; ``stop_after`` lines (in this run) stop it as Ctrl-C would.
    ``parse_process``: parse in a worker process (None: for files of ``PARSE_PROCESS_BYTES``
    and more)."""
    path = Path(file)
    if batch_size < 1 or (stop_after is not None and stop_after < 1):
        print("shortbot: --batch-size and --stop-after must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    try:
        source, size = await asyncio.to_thread(_probe, path)
    except OSError as exc:
        print(f"shortbot: {file}: cannot read: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_UNREADABLE

    writer = await open_bulk_writer(app.store.engine, now=app.clock())
    try:
        cp = await writer.checkpoint(source) or Checkpoint(source=source, path=str(path))
        if cp.finished:
            print(f"{file}: already imported (touch the file to import it again)")
            _report(file, cp)
            return EXIT_OK
        if cp.line:
            print(f"{file}: resuming after line {cp.line:,}", file=sys.stderr)
        pool = _parse_pool(size, parse_process)
        try:
            return await _import(writer, path, file, cp, size, batch_size, stop_after, pool)
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
    finally:
        await writer.close()


async def _import(
    bulk: BulkWriter,
    path: Path,
    file: str,
    cp: Checkpoint,
    size: int,
    batch_size: int,
    stop_after: int | None,
    pool: ProcessPoolExecutor | None = None,
) -> int:
    stop = threading.Event()
    stopped_by: list[str] = []
    loop = asyncio.get_running_loop()

    def on_signal(name: str) -> None:
        if not stop.is_set():
            stopped_by.append(name)
            print(f"\n{name}: finishing the current batch …", file=sys.stderr)
        stop.set()

    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, on_signal, sig.name)
            installed.append(sig)
        except (NotImplementedError, RuntimeError):  # not the main thread / Windows
            pass

    start_papers = cp.new + cp.known
    error: str | None = None
    try:
        try:
            snapshot = await asyncio.to_thread(SnapshotFile, path, cp.offset)
        except OSError as exc:
            print(f"shortbot: {file}: cannot read: {exc}", file=sys.stderr)
            return EXIT_UNREADABLE
        progress = Progress(size, snapshot.position())
        with snapshot:
            lines: Iterator[tuple[int, bytes, int]] = read_lines(
                snapshot.stream, start_line=cp.line, start_offset=cp.offset
            )
            if stop_after is not None:
                lines = _stop_after(lines, cp.line + stop_after, stop, stopped_by)
            # batches are read and parsed ahead (up to READ_AHEAD waiting) while the writer
            # commits the one before: the slower of the two sets the pace, not their sum
            queue: asyncio.Queue[_Batch | None] = asyncio.Queue(maxsize=READ_AHEAD)
            prepare = None if pool is not None else bulk.prepare

            async def produce() -> None:
                position = (cp.line, cp.offset)
                try:
                    while True:
                        batch = await asyncio.to_thread(
                            _read_batch, lines, batch_size, stop, position, prepare
                        )
                        if pool is not None:
                            await _parse_elsewhere(pool, batch, bulk)
                        await queue.put(batch)
                        if batch.eof or stop.is_set() or batch.error is not None:
                            break
                        position = (batch.line, batch.offset)
                except Exception:
                    await queue.put(None)  # the writer stops; awaiting this task raises it
                    raise
                await queue.put(None)  # (cancelled: the writer failed and needs nothing more)

            producer = asyncio.create_task(produce())
            try:
                while (batch := await queue.get()) is not None:
                    error = batch.error
                    for number in batch.bad:
                        cp.add_bad(number)
                    cp.line, cp.offset = batch.line, batch.offset
                    cp.finished = batch.eof
                    await bulk.write(batch.prepared, cp)  # adds its counts to cp
                    done = cp.new + cp.known - start_papers
                    progress.update(snapshot.position(), done, cp.bad, final=False)
                await producer  # its error, if it had one
            finally:
                if not producer.done():
                    producer.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await producer
            progress.update(
                size if cp.finished else snapshot.position(),
                cp.new + cp.known - start_papers,
                cp.bad,
                final=True,
            )
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)

    if error is not None:
        print(
            f"shortbot: {file}: cannot read past line {cp.line:,}: {error} "
            "(what was read before is imported)",
            file=sys.stderr,
        )
        _report(file, cp)
        return EXIT_UNREADABLE
    if not cp.finished:
        print(
            f"{file}: stopped ({stopped_by[0] if stopped_by else 'interrupted'}) after line "
            f"{cp.line:,} (byte {cp.offset:,}), everything before it committed; run the same "
            "command again to resume",
            file=sys.stderr,
        )
        _report(file, cp)
        return EXIT_INTERRUPTED
    _report(file, cp)
    return EXIT_OK


def _stop_after(
    lines: Iterator[tuple[int, bytes, int]], last: int, stop: threading.Event, why: list[str]
) -> Iterator[tuple[int, bytes, int]]:
    for item in lines:
        yield item
        if item[0] >= last:
            why.append(f"--stop-after {last:,}")
            stop.set()
            return


def _report(file: str, cp: Checkpoint) -> None:
    print(f"{file}: {cp.new:,} new papers, {cp.known:,} already known, {cp.bad:,} bad lines")
    if cp.bad:
        first = ", ".join(f"{n:,}" for n in cp.bad_lines)
        print(f"  first bad lines: {first}", file=sys.stderr)
