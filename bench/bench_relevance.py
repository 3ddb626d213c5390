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
import random
import re
import sqlite3
import sys
import time
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_import
import snapdata
from report import record
from titles import short_name_of

from papers.ids import UnusableQuery
from papers.text import normalize_title
from papers.usecases import Found, lookup, search
from storage.db import create_engine
from storage.repository import Store
from storage.search import STOPWORDS

KINDS = ("words", "typo", "author", "acronym", "quoted", "pasted")
PER_KIND = 250
N_DEFAULT = 300_000
SUMMARY_SHARE = 0.02
QUERY_FORMAT = 4  # bump when the query generation changes (cached queries are rebuilt)
TARGETS = {
    "words": (0.90, 0.98),  # recall@1, recall@5
    "typo": (None, 0.80),
    "author": (None, 0.80),
}
COMMAND = "uv run --no-sync python bench/bench_relevance.py"
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_EDGE_PUNCT = ":;,.?!()[]\"'"
_TRAILING = (".", ".", ".", ",", ";", ":", "?", "!", "…", "...", ".)", " —", ".\n", ". ")
_KEYBOARD = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def tokens(text: str) -> list[str]:
    """Word tokens as the search sees them (storage.search.terms, without its 12-term cut)."""
    return list(dict.fromkeys(t for t in _TOKEN.findall(text.casefold()) if t not in STOPWORDS))


def surnames_of(paper: dict[str, Any]) -> list[str]:
    parsed = paper.get("authors_parsed") or []
    return [a[0] for a in parsed if a and a[0]]


def read(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with open(path, "rb", buffering=1 << 20) as f:
        for index, line in enumerate(f):
            yield index, json.loads(line)


@dataclass
class Query:
    kind: str
    text: str
    target: str  # arXiv id
    target_title: str
    intended: list[str]  # the tokens meant (a typo's word as it was), for `unique`
    intended_authors: list[str] = field(default_factory=list)
    with_summary: bool = False
    competitors: int = 0  # other papers holding every intended token (or the same title)
    spare: list[str] = field(default_factory=list)  # words: the next rarest, to add if needed


# ---------------------------------------------------------------- queries


def _content_words(title: str) -> list[str]:
    """The title's words (whitespace-split, edge punctuation stripped) holding a token."""
    out = []
    for raw in title.split():
        word = raw.strip(_EDGE_PUNCT)
        if word and tokens(word):
            out.append(word)
    return list(dict.fromkeys(out))


def _rarity(word: str, df: Counter[str]) -> int:
    return min(df[t] for t in tokens(word))


def _typo(rng: random.Random, word: str) -> str:
    letters = [i for i, c in enumerate(word) if c.isalpha()]
    for _ in range(20):
        op = rng.choice(("drop", "double", "swap", "key"))
        i = rng.choice(letters[1:])
        if op == "drop":
            out = word[:i] + word[i + 1 :]
        elif op == "double":
            out = word[:i] + word[i] + word[i:]
        elif op == "swap" and i + 1 < len(word) and word[i + 1].isalpha():
            out = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        elif op == "key" and word[i].lower() in "".join(_KEYBOARD):
            row = next(r for r in _KEYBOARD if word[i].lower() in r)
            j = row.index(word[i].lower())
            near = [row[k] for k in (j - 1, j + 1) if 0 <= k < len(row)]
            sub = rng.choice(near)
            out = word[:i] + (sub.upper() if word[i].isupper() else sub) + word[i + 1 :]
        else:
            continue
        if tokens(out) != tokens(word):
            return out
    return word[:-1]


def make_query(
    kind: str, rng: random.Random, record: dict[str, Any], df: Counter[str]
) -> Query | None:
    """A query of ``kind`` for the paper ``record``, or None when the paper cannot have one."""
    title = " ".join(record["title"].split())
    name = short_name_of(title)
    words = _content_words(title)
    by_rarity = sorted(words, key=lambda w: _rarity(w, df))
    target = record["id"]
    if kind == "words":
        if len(words) < 2:
            return None
        k = min(rng.randint(2, 5), len(words))
        # mostly the k rarest words, else k of the k + 2 rarest; more (up to 5) are added
        # while other titles hold them all (count_competitors), as a member would
        picked = by_rarity[:k] if rng.random() < 0.6 else rng.sample(by_rarity[: k + 2], k)
        rng.shuffle(picked)
        spare = [w for w in by_rarity if w not in picked]
        if rng.random() < 0.7:
            picked, spare = [w.lower() for w in picked], [w.lower() for w in spare]
        text = " ".join(picked)
        return Query(kind, text, target, title, tokens(text), spare=spare)
    if kind == "typo":
        parts = title.split(" ")
        candidates = [
            i
            for i, p in enumerate(parts)
            if sum(c.isalpha() for c in p) >= 4 and p.casefold().strip(_EDGE_PUNCT) not in STOPWORDS
        ]
        if not candidates:
            return None
        i = rng.choice(candidates)
        parts[i] = _typo(rng, parts[i])
        return Query(kind, " ".join(parts), target, title, tokens(title))
    if kind == "author":
        surnames = surnames_of(record)
        if not surnames or not words:
            return None
        surname = surnames[0] if rng.random() < 0.6 else rng.choice(surnames)
        word = rng.choice(by_rarity[:2])
        word = word.lower() if rng.random() < 0.7 else word
        text = f"{surname} {word}" if rng.random() < 0.7 else f"{word} {surname}"
        return Query(kind, text, target, title, tokens(word), tokens(surname))
    if kind == "acronym":
        if name is None:
            return None
        text = name if rng.random() < 0.7 else name.lower()
        return Query(kind, text, target, title, tokens(text))
    if kind == "quoted":
        body = title.split(": ", 1)[1] if name else title
        parts = body.split(" ")
        content = _content_words(body)
        if len(parts) < 3 or not content:
            return None
        rarest = min(content, key=lambda w: _rarity(w, df))
        at = next(i for i, p in enumerate(parts) if p.strip(_EDGE_PUNCT) == rarest)
        size = min(rng.randint(3, 5), len(parts))
        start = rng.randint(max(0, at - size + 1), min(at, len(parts) - size))
        phrase = " ".join(parts[start : start + size]).strip(_EDGE_PUNCT + " ")
        if rng.random() < 0.7:
            phrase = phrase.lower()
        text = f'"{phrase}"' if rng.random() < 0.8 else f"\u201c{phrase}\u201d"
        return Query(kind, text, target, title, tokens(phrase))
    if kind == "pasted":
        raw = record["title"] if rng.random() < 0.3 else title
        return Query(kind, raw + rng.choice(_TRAILING), target, title, tokens(title))
    raise ValueError(kind)


def build_queries(path: Path, n: int, per_kind: int, seed: int) -> list[Query]:
    """Pass 1: document frequencies and the targets; pass 2: competitors (``unique``)."""
    rng = random.Random(seed)
    picks = {kind: set(rng.sample(range(n), per_kind * 3)) for kind in KINDS if kind != "acronym"}
    wanted = set().union(*picks.values())
    named_reservoir: list[tuple[int, dict[str, Any]]] = []
    named_seen = 0
    df: Counter[str] = Counter()
    records: dict[int, dict[str, Any]] = {}
    res_rng = random.Random(seed + 1)
    for index, paper in read(path):
        df.update(tokens(paper["title"]))
        if index in wanted:
            records[index] = paper
        if short_name_of(paper["title"]) is not None:  # reservoir sampling of named papers
            named_seen += 1
            if len(named_reservoir) < per_kind * 3:
                named_reservoir.append((index, paper))
            else:
                j = res_rng.randrange(named_seen)
                if j < per_kind * 3:
                    named_reservoir[j] = (index, paper)
    named_reservoir.sort(key=lambda pair: pair[0])
    picks["acronym"] = {index for index, _ in named_reservoir}
    records.update(named_reservoir)

    queries: list[Query] = []
    for kind in KINDS:
        order = sorted(picks[kind])
        rng.shuffle(order)
        made: list[Query] = []
        for index in order:
            query = make_query(kind, rng, records[index], df)
            if query is not None:
                made.append(query)
            if len(made) == per_kind:
                break
        queries += made
    for i, query in enumerate(queries):
        query.with_summary = i % 2 == 0
    count_competitors(path, queries, seed)
    return queries


def count_competitors(path: Path, queries: list[Query], seed: int) -> None:
    """Other papers that hold every intended token (title; authors for ``author``), or have
    the same title (``typo``, ``pasted``). A ``words`` query gets its next rarest title word
    while other titles hold all of its words, up to 5 words."""
    title_tokens = {t for q in queries if q.kind not in ("typo", "pasted") for t in q.intended}
    title_tokens |= {t for q in queries for w in q.spare for t in tokens(w)}
    author_tokens = {t for q in queries for t in q.intended_authors}
    titles = {normalize_title(q.target_title) for q in queries if q.kind in ("typo", "pasted")}
    in_title: dict[str, array[int]] = {t: array("i") for t in title_tokens}
    in_authors: dict[str, array[int]] = {t: array("i") for t in author_tokens}
    same_title: dict[str, list[str]] = {t: [] for t in titles}
    targets = {q.target for q in queries}
    where: dict[str, int] = {}  # a target's line in the snapshot
    for index, paper in read(path):
        if paper["id"] in targets:
            where[paper["id"]] = index
        for token in tokens(paper["title"]):
            if token in in_title:
                in_title[token].append(index)
        for surname in surnames_of(paper):
            for token in tokens(surname):
                if token in in_authors:
                    in_authors[token].append(index)
        norm = normalize_title(paper["title"])
        if norm in same_title:
            same_title[norm].append(paper["id"])

    def competitors(query: Query) -> int:
        lists = [in_title[t] for t in query.intended]
        lists += [in_authors[t] for t in query.intended_authors]
        if not lists:
            return 0
        lists.sort(key=len)
        common = set(lists[0])
        for other in lists[1:]:
            common.intersection_update(other)
        return len(common - {where[query.target]})

    rng = random.Random(seed + 2)
    for query in queries:
        if query.kind in ("typo", "pasted"):
            query.competitors = len(same_title[normalize_title(query.target_title)]) - 1
            continue
        query.competitors = competitors(query)
        words = query.text.split()
        while query.kind == "words" and query.competitors and query.spare and len(words) < 5:
            words.insert(rng.randint(0, len(words)), query.spare.pop(0))
            query.text = " ".join(words)
            query.intended = tokens(query.text)
            query.competitors = competitors(query)


def fingerprint(path: Path) -> str:
    stat = path.stat()
    return f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}"


def queries_for(path: Path, n: int, per_kind: int, seed: int) -> list[Query]:
    cache = snapdata.DATA / f"relevance-queries-{n}-{per_kind}-{seed}.json"
    if cache.exists():
        data = json.loads(cache.read_text())
        if data.get("format") == QUERY_FORMAT and data.get("snapshot") == fingerprint(path):
            return [Query(**q) for q in data["queries"]]
    print("building the queries (two passes over the snapshot) …", file=sys.stderr)
    queries = build_queries(path, n, per_kind, seed)
    cache.write_text(
        json.dumps(
            {
                "format": QUERY_FORMAT,
                "snapshot": fingerprint(path),
                "queries": [asdict(q) for q in queries],
            },
            ensure_ascii=False,
            indent=0,
        )
    )
    return queries


# ---------------------------------------------------------------- databases


def sqlite_path(n: int) -> Path:
    return snapdata.DATA / f"relevance-{n}.db"


def pg_name(n: int) -> str:
    return f"relevance_{n}"


def _sqlite_count(path: Path) -> int:
    if not path.exists():
        return 0
    db = sqlite3.connect(path)
    try:
        return int(db.execute("SELECT count(*) FROM papers").fetchone()[0])
    except sqlite3.Error:
        return 0
    finally:
        db.close()


async def _pg_fetch(url: str, sql: str, *args: Any) -> Any:
    import asyncpg

    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        return await conn.fetchval(sql, *args)
    except asyncpg.PostgresError:
        return 0
    finally:
        await conn.close()


def _built_from(key: str, value: str | None = None) -> str | None:
    """Which snapshot each database was imported from (bench/.data/relevance-built.json)."""
    marks = snapdata.DATA / "relevance-built.json"
    state = json.loads(marks.read_text()) if marks.exists() else {}
    if value is not None:
        state[key] = value
        marks.write_text(json.dumps(state, indent=1))
    return state.get(key)


def ensure_sqlite(path: Path, snapshot: Path, n: int, rebuild: bool) -> str:
    url = f"sqlite+aiosqlite:///{path}"
    key = f"sqlite:{path.name}"
    stale = _built_from(key) != fingerprint(snapshot)
    if rebuild or stale or _sqlite_count(path) != n:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        print(f"importing {n:,} papers into {path} …", file=sys.stderr)
        _, summary = bench_import.run_import(url, snapshot, None)
        print(f"SQLite: {summary}", file=sys.stderr)
        _built_from(key, fingerprint(snapshot))
    return url


def ensure_pg(n: int, snapshot: Path, rebuild: bool) -> str:
    name = pg_name(n)
    url = snapdata.pg_create(name, fresh=False)
    key = f"pg:{name}"
    stale = _built_from(key) != fingerprint(snapshot)
    if rebuild or stale or asyncio.run(_pg_fetch(url, "SELECT count(*) FROM papers")) != n:
        url = snapdata.pg_create(name, fresh=True)
        print(f"importing {n:,} papers into PostgreSQL {name} …", file=sys.stderr)
        _, summary = bench_import.run_import(url, snapshot, None)
        print(f"PostgreSQL: {summary}", file=sys.stderr)
        asyncio.run(_pg_fetch(url, "ANALYZE"))
        _built_from(key, fingerprint(snapshot))
    return url


def _summaries(paper_ids: list[int]) -> tuple[list[tuple[Any, ...]], list[tuple[int, int]]]:
    rows, links = [], []
    for i, paper_id in enumerate(paper_ids, start=1):
        published = f"20{15 + i % 10}-0{1 + i % 9}-1{i % 10} 12:00:00"
        rows.append(
            (
                i,
                f"relevance-summary-{i}",
                "https://www.shortscience.org/rss.xml",
                f"reviewer{i % 5000}",
                f"https://www.shortscience.org/paper?summary={i}",
                i % 40,
                f"Summary {i}",
                snapdata._SUMMARY_TEXT,
                published,
                None,
                f"{i:064x}",
                published,
                False,
            )
        )
        links.append((i, paper_id))
    return rows, links


def _summarised_ids(max_id: int, target_ids: list[int], seed: int) -> list[int]:
    rng = random.Random(f"summaries {seed}")  # not the targets' sequence (random.Random(seed))
    chosen = set(rng.sample(range(1, max_id + 1), int(max_id * SUMMARY_SHARE)))
    return sorted(chosen | set(target_ids))


def add_summaries_sqlite(path: Path, queries: list[Query], seed: int) -> int:
    """Summaries for 2 % of the papers and the targets of half of the queries (again when
    the queries changed)."""
    db = sqlite3.connect(path)
    try:
        (max_id,) = db.execute("SELECT max(id) FROM papers").fetchone()
        wanted = [q.target for q in queries if q.with_summary]
        marks = ",".join("?" * len(wanted))
        targets = [
            r[0]
            for r in db.execute(f"SELECT id FROM papers WHERE arxiv_id IN ({marks})", wanted)  # noqa: S608
        ]
        ids = _summarised_ids(max_id, targets, seed)
        have = db.execute("SELECT DISTINCT paper_id FROM summary_papers").fetchall()
        if {r[0] for r in have} == set(ids):
            return len(ids)
        rows, links = _summaries(ids)
        with db:
            db.execute("DELETE FROM summary_papers")
            db.execute("DELETE FROM summaries")
            db.executemany(
                f"INSERT INTO summaries ({', '.join(snapdata.SUMMARY_COLUMNS)}) "  # noqa: S608
                f"VALUES ({','.join('?' * len(snapdata.SUMMARY_COLUMNS))})",
                rows,
            )
            db.executemany("INSERT INTO summary_papers (summary_id, paper_id) VALUES (?, ?)", links)
        return len(rows)
    finally:
        db.close()


def add_summaries_pg(url: str, queries: list[Query], seed: int) -> int:
    from datetime import UTC, datetime

    import asyncpg

    async def run() -> int:
        conn = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:
            max_id = await conn.fetchval("SELECT max(id) FROM papers")
            wanted = [q.target for q in queries if q.with_summary]
            targets = [
                r[0]
                for r in await conn.fetch(
                    "SELECT id FROM papers WHERE arxiv_id = ANY($1::text[])", wanted
                )
            ]
            ids = _summarised_ids(max_id, targets, seed)
            have = await conn.fetch("SELECT DISTINCT paper_id FROM summary_papers")
            if {r[0] for r in have} == set(ids):
                return len(ids)
            rows, links = _summaries(ids)
            fixed = []
            for row in rows:
                when = datetime.fromisoformat(row[8]).replace(tzinfo=UTC)
                fixed.append((*row[:8], when, None, row[10], when, False))
            async with conn.transaction():
                await conn.execute("DELETE FROM summary_papers")
                await conn.execute("DELETE FROM summaries")
                await conn.copy_records_to_table(
                    "summaries", records=fixed, columns=list(snapdata.SUMMARY_COLUMNS)
                )
                await conn.copy_records_to_table(
                    "summary_papers", records=links, columns=["summary_id", "paper_id"]
                )
                await conn.execute(
                    "SELECT setval(pg_get_serial_sequence('summaries', 'id'), $1)", len(rows)
                )
            await conn.execute("ANALYZE summaries; ANALYZE summary_papers")
            return len(rows)
        finally:
            await conn.close()

    return asyncio.run(run())


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
