"""The queries of the search relevance benchmark (bench/bench_relevance.py): six kinds members
type, each with the paper of the snapshot it must find, generated from the snapshot (seeded)
and cached with the counts of papers that compete with each target."""

from __future__ import annotations

import json
import random
import re
import sys
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import snapdata
from titles import short_name_of

from papers.text import normalize_title
from storage.search import STOPWORDS

KINDS = ("words", "typo", "author", "acronym", "quoted", "pasted")
PER_KIND = 250
SUMMARY_SHARE = 0.02
QUERY_FORMAT = 4  # bump when the query generation changes (cached queries are rebuilt)
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
