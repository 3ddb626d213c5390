"""Generate N synthetic papers in the arXiv metadata snapshot format (Kaggle's
``arxiv-metadata-oai-snapshot.json``): JSON lines, deterministic for a seed, streamed.

    uv run --no-sync python bench/gen_snapshot.py 3000000 bench/.data/snapshot-3m.jsonl
    uv run --no-sync python bench/gen_snapshot.py 100000 bench/.data/snap.jsonl.gz --seed 7
    uv run --no-sync python bench/gen_snapshot.py 300000 bench/.data/r.jsonl --titles realistic

Realistic sizes: titles of 5-15 words and abstracts of ~150 words drawn from a Zipf-like
vocabulary in which a few words ("learning", "model", "the" …) are very common; 1-10 authors;
1-3 categories; about 10 % old-style ids (``hep-th/9901001``), the rest new-style in id order
(4-digit numbers up to 1412, 5-digit from 1501), as in the real file. A ``.gz`` name writes
gzip (level 1).

``--titles realistic`` writes titles, authors and abstracts of real ML title words, templates
and surnames instead (bench/titles.py), which the search relevance benchmark needs; the
default stays as it was, so the other benchmarks' numbers stay comparable.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import math
import random
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

COMMON = [
    "the",
    "of",
    "and",
    "a",
    "in",
    "for",
    "on",
    "with",
    "to",
    "learning",
    "deep",
    "neural",
    "network",
    "networks",
    "model",
    "models",
    "using",
    "based",
    "data",
    "via",
    "from",
    "approach",
    "method",
    "analysis",
    "training",
    "graph",
    "image",
    "language",
    "large",
    "efficient",
    "robust",
    "towards",
    "generative",
    "adversarial",
    "reinforcement",
    "optimization",
    "representation",
    "representations",
    "inference",
    "estimation",
    "theory",
    "quantum",
    "field",
    "dynamics",
    "transformer",
    "attention",
    "self",
    "supervised",
    "semi",
    "classification",
    "detection",
    "segmentation",
    "systems",
    "algorithm",
    "algorithms",
    "stochastic",
    "gradient",
    "bayesian",
    "convolutional",
    "recurrent",
]
SYLLABLES = [
    "ka",
    "ri",
    "to",
    "mu",
    "ne",
    "so",
    "la",
    "vi",
    "ze",
    "po",
    "an",
    "el",
    "or",
    "is",
    "un",
    "qu",
    "ex",
    "tra",
    "gen",
    "mor",
    "phi",
    "sta",
    "con",
    "ver",
    "lin",
    "dro",
    "ti",
    "cal",
    "ber",
    "nos",
    "pan",
    "lux",
    "mer",
    "dia",
    "sym",
    "tor",
    "bio",
    "geo",
]
ARCHIVES = [
    "hep-th",
    "hep-ph",
    "astro-ph",
    "cond-mat",
    "gr-qc",
    "quant-ph",
    "math",
    "nucl-th",
    "math-ph",
    "physics",
]
CATEGORIES = [
    "cs.LG",
    "cs.AI",
    "cs.CV",
    "cs.CL",
    "stat.ML",
    "math.OC",
    "math.PR",
    "math.ST",
    "hep-th",
    "hep-ph",
    "quant-ph",
    "astro-ph.CO",
    "astro-ph.GA",
    "cond-mat.stat-mech",
    "cond-mat.mtrl-sci",
    "physics.optics",
    "q-bio.NC",
    "eess.SP",
    "econ.EM",
    "gr-qc",
]
FIRST = [
    "Alice",
    "Bob",
    "Chen",
    "Dmitri",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jamal",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Omar",
]
LAST = [
    "Smith",
    "Wang",
    "Li",
    "Zhang",
    "Müller",
    "García",
    "Kim",
    "Nguyen",
    "Rossi",
    "Ivanov",
    "Tanaka",
    "Silva",
    "Kowalski",
    "Haddad",
    "Okafor",
    "Dubois",
    "Larsen",
    "Novak",
    "Singh",
    "Cohen",
]
LICENSES = (
    None,
    "http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
    "http://creativecommons.org/licenses/by/4.0/",
)


def vocabulary(rng: random.Random, size: int = 30_000) -> tuple[list[str], list[float]]:
    """Words with cumulative Zipf weights: COMMON first (very frequent), then made-up words."""
    words = list(COMMON)
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    weights = [1.0 / (rank + 1) ** 1.05 for rank in range(len(words))]
    return words, list(itertools.accumulate(weights))


def month_quotas(n: int, months: list[tuple[int, int]], cap: int) -> list[int]:
    per = min(cap, math.ceil(n / max(len(months), 1)))
    out = []
    left = n
    for _ in months:
        take = min(per, left)
        out.append(take)
        left -= take
    return out


def ids(n: int, rng: random.Random) -> Iterator[tuple[str, datetime]]:
    """``n`` unique ids in order, each with its first-version date."""
    old_n = n // 10
    new_n = n - old_n
    old_months = [(y, m) for y in range(1991, 2008) for m in range(1, 13) if (y, m) >= (1991, 8)]
    old_months = [ym for ym in old_months if ym <= (2007, 3)]
    slots = [(ym, a) for ym in old_months for a in ARCHIVES]
    per_slot = math.ceil(old_n / len(slots)) if old_n else 0
    if per_slot > 999:
        raise SystemExit("too many old-style ids for N; at most ~1.9 M")
    left = old_n
    for (y, m), archive in slots:
        for num in range(1, min(per_slot, left) + 1):
            yield f"{archive}/{y % 100:02d}{m:02d}{num:03d}", _date(rng, y, m)
        left -= min(per_slot, left)
        if not left:
            break
    four = [(y, m) for y in range(2007, 2015) for m in range(1, 13) if (y, m) >= (2007, 4)]
    five = [(y, m) for y in range(2015, 2025) for m in range(1, 13)]
    cap4, cap5 = 9_999, 99_999
    total_cap = len(four) * cap4 + len(five) * cap5
    if new_n > total_cap:
        raise SystemExit("N too large")
    share4 = min(len(four) * cap4, round(new_n * len(four) * cap4 / total_cap))
    for months, quota_n, width, cap in ((four, share4, 4, cap4), (five, new_n - share4, 5, cap5)):
        for (y, m), quota in zip(months, month_quotas(quota_n, months, cap), strict=True):
            for num in range(1, quota + 1):
                yield f"{y % 100:02d}{m:02d}.{num:0{width}d}", _date(rng, y, m)


def _date(rng: random.Random, y: int, m: int) -> datetime:
    return datetime(y, m, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(27 * 86400))


TITLES = ("synthetic", "realistic")


def papers(n: int, seed: int, titles: str = "synthetic") -> Iterator[dict[str, object]]:
    """``titles``: "synthetic" (made-up Zipf words, the default the other benchmarks were
    measured with) or "realistic" (bench/titles.py)."""
    if titles not in TITLES:
        raise ValueError(f"titles must be one of {TITLES}, not {titles!r}")
    rng = random.Random(seed)
    words, cum = vocabulary(rng)
    choices = rng.choices
    generator = None
    if titles == "realistic":
        from titles import PaperGenerator

        generator = PaperGenerator(random.Random(seed * 7919 + 1))
    for arxiv_id, created in ids(n, rng):
        if generator is not None:
            made = generator.paper()
            title, abstract, authors = made.title, made.abstract, made.authors
            cut = title.find(" ", len(title) // 2)
            if rng.random() < 0.3 and cut > 0:  # real titles wrap onto a second line
                title = title[:cut] + "\n  " + title[cut + 1 :]
        else:
            title_words = choices(words, cum_weights=cum, k=rng.randint(5, 15))
            title = " ".join(title_words).capitalize()
            if rng.random() < 0.3:  # real titles wrap onto a second line
                cut = len(title) // 2
                title = title[:cut] + "\n  " + title[cut:]
            sentences = []
            for _ in range(rng.randint(6, 10)):
                sentences.append(" ".join(choices(words, cum_weights=cum, k=rng.randint(10, 25))))
            abstract = "  " + ". ".join(s.capitalize() for s in sentences) + ".\n"
            authors = [
                [rng.choice(LAST), rng.choice(FIRST)[0] + ".", ""]
                for _ in range(rng.randint(1, 10))
            ]
        cats = rng.sample(CATEGORIES, rng.randint(1, 3))
        versions = [created]
        for _ in range(rng.choice((0, 0, 0, 1, 1, 2, 3))):
            versions.append(versions[-1] + timedelta(days=rng.randint(1, 400)))
        has_doi = rng.random() < 0.4
        yield {
            "id": arxiv_id,
            "submitter": f"{authors[0][1]} {authors[0][0]}",
            "authors": ", ".join(f"{a[1]} {a[0]}" for a in authors),
            "title": title,
            "comments": f"{rng.randint(4, 40)} pages, {rng.randint(1, 12)} figures"
            if rng.random() < 0.7
            else None,
            "journal-ref": f"Phys. Rev. D {rng.randint(1, 110)} ({created.year})"
            if rng.random() < 0.2
            else None,
            "doi": f"10.{rng.randint(1000, 9999)}/j.{arxiv_id.replace('/', '.')}"
            if has_doi
            else None,
            "report-no": None,
            "categories": " ".join(cats),
            "license": rng.choice(LICENSES),
            "abstract": abstract,
            "versions": [
                {"version": f"v{i}", "created": v.strftime("%a, %d %b %Y %H:%M:%S GMT")}
                for i, v in enumerate(versions, start=1)
            ],
            "update_date": versions[-1].strftime("%Y-%m-%d"),
            "authors_parsed": authors,
        }


def write(n: int, path: Path, seed: int, titles: str = "synthetic") -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    out: IO[bytes]
    out = gzip.open(tmp, "wb", compresslevel=1) if path.suffix == ".gz" else open(tmp, "wb")  # noqa: SIM115
    count = 0
    with out:
        buf = []
        for paper in papers(n, seed, titles):
            buf.append(json.dumps(paper))
            count += 1
            if len(buf) == 10_000:
                out.write(("\n".join(buf) + "\n").encode())
                buf.clear()
                if sys.stderr.isatty():
                    print(f"\r{count:,} / {n:,}", end="", file=sys.stderr)
        if buf:
            out.write(("\n".join(buf) + "\n").encode())
    tmp.replace(path)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="how many papers")
    parser.add_argument("path", type=Path, help="output .jsonl or .jsonl.gz")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--titles",
        choices=TITLES,
        default="synthetic",
        help="realistic: real ML title words, templates and surnames (bench/titles.py)",
    )
    args = parser.parse_args()
    count = write(args.n, args.path, args.seed, args.titles)
    print(f"{args.path}: {count:,} papers, {args.path.stat().st_size / 1e6:,.0f} MB")


if __name__ == "__main__":
    main()
