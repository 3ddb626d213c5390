"""``shortbot ingest SOURCE...`` and ``shortbot lookup QUERY``."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from bot.app import App
from bot.cli.base import EXIT_NOT_FOUND, EXIT_OK, EXIT_USAGE, KIND_HELP, KINDS, command
from bot.watch import complete_metadata, describe_report, read_feed
from papers.ids import UnusableQuery
from papers.model import FeedKind, PaperWithSummaries
from papers.ports import Unavailable
from papers.render import console_paper
from papers.usecases import Found, find_paper, ingest_parsed
from sources.errors import SourceError
from sources.parse import parse_feed


def register(sub: Any) -> None:
    parser = command(
        sub,
        "ingest",
        _ingest,
        help="import summaries from feed files or URLs",
        description="Import summaries from each SOURCE (a file path or an http(s) URL). "
        "What is imported counts as new and goes into the next digest. Exit 0 when every "
        "source was read (bad entries are skipped and counted), 1 when a source could not "
        "be read at all.",
    )
    parser.add_argument("sources", nargs="+", metavar="SOURCE")
    parser.add_argument("--kind", choices=KINDS, help=KIND_HELP)
    look = command(
        sub,
        "lookup",
        _lookup,
        help="show a paper and its summaries",
        description="Find a paper by arXiv id or URL, DOI, ShortScience URL or bibtex key, "
        "or title words, and show its summaries best-voted first; a valid arXiv id nobody "
        "knows yet is fetched from the arXiv API. Exit 0 found, 1 not found, 2 unusable query.",
    )
    look.add_argument("query", nargs="+", help="what to look up (words are joined)")
    look.add_argument("--json", action="store_true", help="print one JSON object")


async def _ingest(app: App, args: argparse.Namespace) -> int:
    kind = FeedKind(args.kind) if args.kind else None
    failed = 0
    for source in args.sources:
        try:
            body, _, _ = await read_feed(app, source)
            # no validators were sent, so the body is never None (304)
            parsed = await asyncio.to_thread(parse_feed, body or b"", source, kind=kind)
        except SourceError as exc:
            failed += 1
            print(f"shortbot: {source}: cannot read: {exc.reason}", file=sys.stderr)
            continue
        report = await ingest_parsed(app.store, parsed, source, announce=True, now=app.clock())
        print(f"{source}: {describe_report(report)}")
        for warning in report.warnings:
            print(f"  warning: {warning}", file=sys.stderr)
    completed = await complete_metadata(app)
    if completed:
        print(f"arXiv metadata: {completed} papers completed")
    return EXIT_NOT_FOUND if failed else EXIT_OK


def paper_json(found: PaperWithSummaries) -> dict[str, Any]:
    """The ``lookup --json`` object (a contract: keep the keys)."""
    paper = found.paper
    return {
        "paper": {
            "key": paper.key,
            "arxiv_id": paper.arxiv_id,
            "title": paper.title,
            "authors": list(paper.authors),
            "url": paper.url,
        },
        "summaries": [
            {
                "author": s.author,
                "url": s.url,
                "votes": s.votes,
                "published": s.published.isoformat() if s.published else None,
                "edited": s.edited.isoformat() if s.edited else None,
                "source": s.source,
                "text": s.text,
            }
            for s in found.summaries
        ],
    }


def _missed(error: str, *, as_json: bool, code: int) -> int:
    if as_json:
        print(json.dumps({"paper": None, "summaries": [], "error": error}))
    return code


async def _lookup(app: App, args: argparse.Namespace) -> int:
    """The same use case as ``!summary``: an unknown arXiv id is fetched from arXiv."""
    as_json = args.json
    try:
        outcome = await find_paper(
            app.store,
            app.metadata,
            " ".join(args.query),
            now=app.clock(),
            offline_reason=app.settings.arxiv_off_reason,
        )
    except UnusableQuery as exc:
        print(f"shortbot: unusable query: {exc.reason}", file=sys.stderr)
        return _missed(exc.reason, as_json=as_json, code=EXIT_USAGE)
    except Unavailable as exc:
        print(f"shortbot: {exc}", file=sys.stderr)
        return _missed(str(exc), as_json=as_json, code=EXIT_NOT_FOUND)
    if not isinstance(outcome, Found):
        print(f"shortbot: {outcome.message}", file=sys.stderr)
        return _missed(outcome.message, as_json=as_json, code=EXIT_NOT_FOUND)
    if as_json:
        body = paper_json(outcome.match)
        if outcome.others:
            body["others"] = [{"key": p.key, "title": p.title} for p in outcome.others]
        print(json.dumps(body, ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(console_paper(outcome.match))
        if outcome.others:
            print("\nOther papers matching these words:")
            for paper in outcome.others:
                print(f"  - {paper.title} ({paper.key})")
    return EXIT_OK
