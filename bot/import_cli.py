"""``shortbot import arxiv-metadata FILE``: load arXiv's public metadata snapshot.

The file (plain or gzip JSON lines, several GB) is streamed: one thread parses the next batch
while the previous one is written (``storage.bulk``), so memory stays flat at about two batches.
Each batch commits with its checkpoint (line and byte offset, keyed by the file's path, size
and modification time): Ctrl-C or SIGTERM finishes the batch being written, commits what was
read, says where it stopped, and the same command resumes there. Bad lines (not JSON, no id,
a bad id, no title) are counted, and the first few line numbers reported, never fatal.

Exit codes: 0 imported (bad lines included) or already imported; 1 the file cannot be read;
2 usage; 130 interrupted (run the same command again to resume).
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

from bot.app import App
from papers.model import IncomingPaper
from sources.snapshot import BadLine, SnapshotFile, parse_line, read_lines
from storage.bulk import BulkWriter, Checkpoint, Prepared, open_bulk_writer

EXIT_OK, EXIT_UNREADABLE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
DEFAULT_BATCH = 10_000
TTY_REDRAW_S = 0.25
LOG_EVERY_S = 5.0


@dataclass
class _Batch:
    papers: list[IncomingPaper] = field(default_factory=list)
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
    start: Checkpoint,
    prepare: Callable[[list[IncomingPaper]], Prepared],
) -> _Batch:
    """The next ``size`` papers (fewer at the end or when asked to stop), as database rows."""
    batch = _Batch(line=start.line, offset=start.offset)
    papers, bad = batch.papers, batch.bad
    try:
        for number, line, offset in lines:
            batch.line, batch.offset = number, offset
            if line.strip():
                try:
                    papers.append(parse_line(line))
                except BadLine:
                    bad.append(number)
            if len(papers) >= size or stop.is_set():
                break
        else:
            batch.eof = not stop.is_set()  # --stop-after ends the lines before the end
    except (OSError, EOFError) as exc:  # a truncated or corrupt gzip stream: keep what was read
        batch.error = str(exc) or type(exc).__name__
    batch.prepared = prepare(papers)
    return batch


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
    app: App, file: str, *, batch_size: int = DEFAULT_BATCH, stop_after: int | None = None
) -> int:
    """Import ``file``; ``stop_after`` lines (in this run) stop it as Ctrl-C would."""
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
        return await _import(writer, path, file, cp, size, batch_size, stop_after)
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
            pending: asyncio.Task[None] | None = None
            reading = cp
            while True:
                batch = await asyncio.to_thread(
                    _read_batch, lines, batch_size, stop, reading, bulk.prepare
                )
                error = batch.error
                if pending is not None:
                    await pending  # the previous batch: its counts are in cp now
                    pending = None
                for number in batch.bad:
                    cp.add_bad(number)
                cp.line, cp.offset = batch.line, batch.offset
                cp.finished = batch.eof
                reading = replace(cp, bad_lines=list(cp.bad_lines))
                # the writer adds its counts to cp; nothing else touches cp until it is done
                pending = asyncio.create_task(bulk.write(batch.prepared, cp))
                done = cp.new + cp.known + len(batch.papers) - start_papers
                progress.update(snapshot.position(), done, cp.bad, final=False)
                if batch.eof or stop.is_set() or error is not None:
                    await pending
                    pending = None
                    break
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
