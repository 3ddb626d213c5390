"""``shortbot import arxiv-metadata FILE``: the parser; the import itself is ``bot.importer``."""

from __future__ import annotations

import argparse
from typing import Any

from bot.app import App
from bot.cli.base import command
from bot.importer import import_arxiv_metadata


def register(sub: Any) -> None:
    imp = sub.add_parser(
        "import", help="bulk-import paper metadata", description="Bulk-import paper metadata."
    )
    formats = imp.add_subparsers(dest="import_command", metavar="FORMAT", required=True)
    snapshot = command(
        formats,
        "arxiv-metadata",
        _arxiv_metadata,
        help="load arXiv's metadata snapshot (arxiv-metadata-oai-snapshot.json, plain or .gz)",
        description="Load arXiv's public metadata snapshot (JSON lines, plain or gzip): "
        "streamed, committed in batches, with a progress line on stderr. Known papers take "
        "the snapshot's values only where it has more (a newer version, or papers known only "
        "from summaries) and otherwise only gain what they lack; summaries and links are "
        "never touched. Ctrl-C / SIGTERM commit what was read and stop; the same command "
        "resumes there. Bad lines are counted and reported. Exit 0 imported (bad lines "
        "included) or already imported, 1 the file cannot be read, 2 usage, 130 "
        "interrupted (run it again to resume).",
    )
    snapshot.add_argument("file", metavar="FILE", help="the snapshot file (.json, .jsonl, .gz)")
    snapshot.add_argument(
        "--batch-size",
        type=int,
        default=10_000,
        metavar="N",
        help="papers per transaction (default 10000)",
    )
    snapshot.add_argument(
        "--stop-after",
        type=int,
        metavar="LINES",
        help="stop after LINES lines, as Ctrl-C would (import a big file in slices)",
    )
    snapshot.add_argument(
        "--parser",
        choices=("auto", "thread", "process"),
        default="auto",
        help="where lines are parsed: a thread of this process, or a worker process so that "
        "parsing and writing use two cores (auto: a worker for files of 64 MB and more)",
    )


async def _arxiv_metadata(app: App, args: argparse.Namespace) -> int:
    parse_process = {"auto": None, "thread": False, "process": True}[args.parser]
    return await import_arxiv_metadata(
        app,
        args.file,
        batch_size=args.batch_size,
        stop_after=args.stop_after,
        parse_process=parse_process,
    )
