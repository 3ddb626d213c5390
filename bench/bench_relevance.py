"""Search relevance: does search find the paper a member means? (issue 16, part 1)

    uv run --no-sync python bench/bench_relevance.py                # 300,000 papers, both databases
    uv run --no-sync python bench/bench_relevance.py --n 3000000    # the 3 M-paper run
    uv run --no-sync python bench/bench_relevance.py --skip-pg --examples 5

A snapshot of realistic ML papers (bench/gen_snapshot.py --titles realistic: Zipf-distributed
real title words and templates, short names before a colon, real surnames; bench/titles.py)
is imported into SQLite and PostgreSQL with ``shortbot import arxiv-metadata`` (kept under
bench/.data/ for the next run: ``relevance-N.db``, database ``relevance_N`` on the shared
benchmark cluster of bench/snapdata.py; ``--rebuild`` imports again). 2 % of the papers and
half of the queries' targets get a summary.

Queries (seeded; ``--per-kind`` of each kind, default 250: 1,500), each with the random paper
of the snapshot it must find, in the kinds members type:

* ``words``: 2-5 distinctive words of the title (its rarest), in any order, mostly lower case
  (while other titles hold them all, the next rarest is added, up to 5, as a member would);
* ``typo``: the whole title with one typo (a letter dropped, doubled, swapped or mistyped);
* ``author``: a surname of an author (mostly the first) plus one distinctive title word;
* ``acronym``: the short name of a title that has one ("BERT" of "BERT: Pre-training …");
* ``quoted``: a quoted phrase of 3-5 title words around its rarest word;
* ``pasted``: the whole title as the metadata has it, with trailing punctuation.

Each query goes through the use cases members hit: ``papers.usecases.lookup`` (``!summary
WORDS``, ``/summary``, ``shortbot lookup``: recall@1 of its match) and
``papers.usecases.search`` (``!search``: recall@5 and MRR over its 10 results). Reported per
kind and database, with the share of queries that found nothing or raised, and ``unique``: the
share of queries whose words no other paper's title holds (author: no other paper has that
author and title word; typo, pasted: no other paper has the same title): the best a ranker
without tie-breaks could do. Every query's outcome goes to
bench/.data/relevance-results-DB-N.json for the analysis of what fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import snapdata
from relevance_db import (
    add_summaries_pg,
    add_summaries_sqlite,
    ensure_pg,
    ensure_sqlite,
    sqlite_path,
)
from relevance_queries import KINDS, PER_KIND, Query, queries_for
from report import record

from papers.ids import UnusableQuery
from papers.usecases import Found, lookup, search
from storage.db import create_engine
from storage.repository import Store

N_DEFAULT = 300_000
TARGETS = {
    "words": (0.90, 0.98),  # recall@1, recall@5
    "typo": (None, 0.80),
    "author": (None, 0.80),
}
COMMAND = "uv run --no-sync python bench/bench_relevance.py"


# ---------------------------------------------------------------- measuring


async def measure(url: str, queries: list[Query]) -> list[dict[str, Any]]:
    """Each query through lookup and search, as members' commands run them."""
    engine = create_engine(url)
    store = Store(engine)
    out = []
    try:
        for query in queries:
            row: dict[str, Any] = {"kind": query.kind, "query": query.text}
            try:
                outcome = await lookup(store, query.text)
            except UnusableQuery as exc:
                row["lookup"] = {"status": "raised", "reason": str(exc)}
            else:
                if isinstance(outcome, Found):
                    paper = outcome.match.paper
                    row["lookup"] = {
                        "status": "found",
                        "hit": paper.arxiv_id == query.target,
                        "first": paper.arxiv_id,
                        "first_title": " ".join(paper.title.split()),
                        "exact": outcome.exact,
                    }
                else:
                    row["lookup"] = {"status": "nothing", "message": outcome.message}
            try:
                found = await search(store, query.text)
            except UnusableQuery as exc:
                row["search"] = {"status": "raised", "reason": str(exc)}
            else:
                keys = [p.arxiv_id for p in found]
                row["search"] = {
                    "status": "found" if found else "nothing",
                    "rank": keys.index(query.target) + 1 if query.target in keys else None,
                    "top": [[p.arxiv_id, " ".join(p.title.split())] for p in found[:5]],
                }
            out.append(row)
    finally:
        await engine.dispose()
    return out


@dataclass
class KindScore:
    kind: str
    count: int
    r1_lookup: float
    r1_search: float
    r5: float
    mrr: float
    nothing: float  # lookup found nothing
    raised: float
    unique: float
    r1_unique: float  # recall@1 (lookup) of the queries no other title matches
    r1_with_summary: float
    r1_without_summary: float


def score(queries: list[Query], rows: list[dict[str, Any]]) -> list[KindScore]:
    out = []
    for kind in [*KINDS, "all"]:
        pairs = [(q, r) for q, r in zip(queries, rows, strict=True) if kind in ("all", q.kind)]
        if not pairs:
            continue
        n = len(pairs)

        def share(values: list[bool]) -> float:
            return sum(values) / len(values) if values else float("nan")

        hit1 = [bool(r["lookup"].get("hit")) for _, r in pairs]
        ranks = [r["search"].get("rank") for _, r in pairs]
        out.append(
            KindScore(
                kind,
                n,
                share(hit1),
                share([rank == 1 for rank in ranks]),
                share([rank is not None and rank <= 5 for rank in ranks]),
                sum(1 / rank for rank in ranks if rank) / n,
                share([r["lookup"]["status"] == "nothing" for _, r in pairs]),
                share(
                    [
                        r["lookup"]["status"] == "raised" or r["search"]["status"] == "raised"
                        for _, r in pairs
                    ]
                ),
                share([q.competitors == 0 for q, _ in pairs]),
                share([h for (q, _), h in zip(pairs, hit1, strict=True) if not q.competitors]),
                share([h for (q, _), h in zip(pairs, hit1, strict=True) if q.with_summary]),
                share([h for (q, _), h in zip(pairs, hit1, strict=True) if not q.with_summary]),
            )
        )
    return out


def table(label: str, scores: list[KindScore]) -> str:
    lines = [
        f"| {label} | queries | recall@1 (lookup) | recall@1 (search) | recall@5 | MRR | "
        "nothing found | raised | unique | recall@1 of unique | "
        "recall@1 with / without summary | target |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        want = TARGETS.get(s.kind)
        target = ""
        if want:
            parts = []
            if want[0] is not None:
                parts.append(f"r@1 ≥ {want[0]:.2f}")
            parts.append(f"r@5 ≥ {want[1]:.2f}")
            target = ", ".join(parts)
        lines.append(
            f"| {s.kind} | {s.count} | {s.r1_lookup:.3f} | {s.r1_search:.3f} | {s.r5:.3f} | "
            f"{s.mrr:.3f} | {s.nothing:.3f} | {s.raised:.3f} | {s.unique:.3f} | "
            f"{s.r1_unique:.3f} | "
            f"{s.r1_with_summary:.3f} / {s.r1_without_summary:.3f} | {target} |"
        )
    return "\n".join(lines)


def met(scores: list[KindScore]) -> bool:
    ok = True
    for s in scores:
        want = TARGETS.get(s.kind)
        if want:
            ok &= (want[0] is None or s.r1_lookup >= want[0]) and s.r5 >= want[1]
    return ok


def breakdown(label: str, queries: list[Query], rows: list[dict[str, Any]]) -> str:
    """Where each kind's misses (lookup's first answer not the target) went."""
    lines = [
        f"| {label}: misses | misses | of them ambiguous | nothing found | search: target "
        "2nd-5th | 6th-10th | not in the 10 results |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind in KINDS:
        misses = [
            (q, r)
            for q, r in zip(queries, rows, strict=True)
            if q.kind == kind and not r["lookup"].get("hit")
        ]
        ranks = [r["search"].get("rank") for _, r in misses]
        nothing = sum(r["lookup"]["status"] != "found" for _, r in misses)
        lost = sum(
            1 for (_, r), k in zip(misses, ranks, strict=True) if not k and r["search"]["top"]
        )
        lines.append(
            f"| {kind} | {len(misses)} | {sum(q.competitors > 0 for q, _ in misses)} | "
            f"{nothing} | {sum(1 for k in ranks if k and k <= 5)} | "
            f"{sum(1 for k in ranks if k and k > 5)} | "
            f"{lost} |"
        )
    return "\n".join(lines)


def failures(queries: list[Query], rows: list[dict[str, Any]], per_kind: int) -> str:
    """A few failing queries of each kind: the query, the target, what came first."""
    out = []
    for kind in KINDS:
        shown = 0
        for q, r in zip(queries, rows, strict=True):
            if q.kind != kind or r["lookup"].get("hit"):
                continue
            first = r["lookup"].get("first_title") or r["lookup"].get("message", "")
            out.append(
                f"  [{kind}] {q.text!r} -> {first!r} (search rank {r['search'].get('rank')}, "
                f"{q.competitors} other titles hold its words)\n      want {q.target_title!r}"
            )
            shown += 1
            if shown == per_kind:
                break
    return "\n".join(out)


def run(
    label: str, url: str, queries: list[Query], n: int, args: argparse.Namespace
) -> list[KindScore]:
    start = time.perf_counter()
    rows = asyncio.run(measure(url, queries))
    elapsed = time.perf_counter() - start
    results = snapdata.DATA / f"relevance-results-{label.lower()}-{n}.json"
    results.write_text(
        json.dumps(
            [asdict(q) | {"outcome": r} for q, r in zip(queries, rows, strict=True)],
            ensure_ascii=False,
            indent=1,
        )
    )
    scores = score(queries, rows)
    print(f"\n{label}, {n:,} papers ({len(queries):,} queries in {elapsed:.0f} s):")
    print(table(label, scores))
    print()
    print(breakdown(label, queries, rows))
    if args.examples:
        print(failures(queries, rows, args.examples))
    print(f"(every query's outcome: {results})")
    by = {s.kind: s for s in scores}
    compact = "; ".join(
        f"{k} {by[k].r1_lookup:.2f}/{by[k].r5:.2f}/{by[k].mrr:.2f}" for k in KINDS if k in by
    )
    command = COMMAND + ("" if n == N_DEFAULT else f" --n {n}")
    if args.no_record:
        return scores
    record(
        f"search relevance, {label}",
        f"{len(queries):,} queries ({args.per_kind} per kind) over {n:,} generated papers "
        "(realistic titles); recall@1 of lookup / recall@5 / MRR of search, per kind",
        compact,
        "words r@1 >= 0.90, r@5 >= 0.98; typo, author r@5 >= 0.80",
        "unique (no other title holds the words): "
        + ", ".join(f"{k} {by[k].unique:.2f}" for k in KINDS if k in by),
        command,
        met(scores),
    )
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=N_DEFAULT, help="papers in the snapshot")
    parser.add_argument("--per-kind", type=int, default=PER_KIND)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--rebuild", action="store_true", help="import the databases again")
    parser.add_argument("--examples", type=int, default=3, help="failing queries shown per kind")
    parser.add_argument("--no-record", action="store_true", help="leave BENCHMARKS.md alone")
    args = parser.parse_args()
    snapshot = snapdata.snapshot(args.n, titles="realistic")
    queries = queries_for(snapshot, args.n, args.per_kind, args.seed)
    print(f"{len(queries):,} queries over {snapshot.name}", file=sys.stderr)
    if not args.skip_sqlite:
        path = sqlite_path(args.n)
        url = ensure_sqlite(path, snapshot, args.n, args.rebuild)
        add_summaries_sqlite(path, queries, args.seed)
        run("SQLite", url, queries, args.n, args)
    if not args.skip_pg:
        url = ensure_pg(args.n, snapshot, args.rebuild)
        add_summaries_pg(url, queries, args.seed)
        run("PostgreSQL", url, queries, args.n, args)


if __name__ == "__main__":
    main()
