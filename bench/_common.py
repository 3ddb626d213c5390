"""What the benchmarks in bench/ share: the data directory, generated arXiv listings, timers.

Generated data goes under ``bench/.data/`` (git-ignored), never into the repository.
"""

from __future__ import annotations

import random
import resource
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

DATA = Path(__file__).resolve().parent / ".data"

WORDS = [
    "learning",
    "neural",
    "network",
    "deep",
    "model",
    "training",
    "data",
    "representation",
    "graph",
    "attention",
    "transformer",
    "diffusion",
    "policy",
    "reinforcement",
    "gradient",
    "optimization",
    "convex",
    "stochastic",
    "bayesian",
    "inference",
    "variational",
    "latent",
    "generative",
    "adversarial",
    "robust",
    "adversarial",
    "federated",
    "privacy",
    "differential",
    "kernel",
    "sparse",
    "regression",
    "classification",
    "benchmark",
    "language",
    "vision",
    "multimodal",
    "contrastive",
    "self-supervised",
    "few-shot",
    "transfer",
    "scaling",
    "efficient",
    "memory",
    "compute",
    "hardware",
    "sampling",
    "estimation",
    "uncertainty",
    "calibration",
    "causal",
    "theory",
    "bound",
    "generalization",
    "convergence",
    "spectral",
    "manifold",
    "embedding",
    "retrieval",
    "agents",
]
CATEGORIES = ("cs.LG", "stat.ML", "cs.AI", "cs.CV", "cs.CL", "math.OC", "cs.NE", "q-bio.NC")
FIRST = ("Ana", "Bo", "Chen", "Dmitri", "Eva", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kofi")
LAST = ("Müller", "Zhang", "García", "Okafor", "Ivanova", "Smith", "Nakamura", "Rossi", "Kim")

HEAD = """<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" \
xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" \
version="2.0">
  <channel>
    <title>{cat} updates on arXiv.org</title>
    <link>http://rss.arxiv.org/rss/{cat}</link>
    <description>{cat} updates on the arXiv.org e-print archive.</description>
    <atom:link href="https://rss.arxiv.org/rss/{cat}" rel="self" type="application/rss+xml"/>
    <docs>http://www.rssboard.org/rss-specification</docs>
    <language>en-us</language>
    <lastBuildDate>{date}</lastBuildDate>
    <managingEditor>rss-help@arxiv.org</managingEditor>
    <pubDate>{date}</pubDate>
    <skipDays>
      <day>Saturday</day>
      <day>Sunday</day>
    </skipDays>
"""

ITEM = """<item>
  <title>{title}</title>
  <link>https://arxiv.org/abs/{aid}</link>
  <description>arXiv:{aid}v{version} Announce Type: {kind} \nAbstract: {abstract}</description>
  <guid isPermaLink="false">oai:arXiv.org:{aid}v{version}</guid>
{categories}
  <pubDate>{date}</pubDate>
  <arxiv:announce_type>{kind}</arxiv:announce_type>
  <dc:rights>http://arxiv.org/licenses/nonexclusive-distrib/1.0/</dc:rights>
  <dc:creator>{authors}</dc:creator>
</item>
"""


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + "."


def arxiv_listing(
    count: int,
    *,
    seed: int = 1,
    category: str = "cs.LG",
    first_id: int = 1,
    when: datetime | None = None,
) -> bytes:
    """An rss.arxiv.org listing of ``count`` entries in the real format (the one of
    tests/fixtures/arxiv-cs.LG-rss.xml), with arXiv's sizes: titles of 6-16 words, abstracts
    of 120-250 words (about 1-1.7 KB), 1-12 authors, 1-4 categories; 60 % new, 20 % cross,
    20 % replace (version 2-4)."""
    rng = random.Random(seed)
    when = when or datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
    date = format_datetime(when)
    out = [HEAD.format(cat=category, date=date)]
    for n in range(count):
        roll = rng.random()
        kind = "new" if roll < 0.6 else "cross" if roll < 0.8 else "replace"
        version = 1 if kind != "replace" else rng.randint(2, 4)
        aid = f"2611.{first_id + n:05d}"
        cats = [category, *rng.sample(CATEGORIES, rng.randint(0, 3))]
        if kind == "cross":
            cats = [*cats[1:], category] if len(cats) > 1 else ["stat.ML", category]
        abstract = " ".join(_sentence(rng, 12, 25) for _ in range(rng.randint(8, 12)))
        authors = ", ".join(
            f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(1, 12))
        )
        out.append(
            ITEM.format(
                title=escape(_sentence(rng, 6, 16)[:-1]),
                aid=aid,
                version=version,
                kind=kind,
                abstract=escape(abstract),
                categories="\n".join(f"  <category>{c}</category>" for c in dict.fromkeys(cats)),
                date=date,
                authors=escape(authors),
            )
        )
    out.append("  </channel>\n</rss>\n")
    return "".join(out).encode()


def fresh_dir(name: str) -> Path:
    """An empty ``bench/.data/NAME`` directory."""
    path = DATA / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


@dataclass
class Timing:
    wall: float = 0.0
    cpu: float = 0.0  # this process's user + system seconds (every thread)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def timed() -> Iterator[Timing]:
    timing = Timing()
    wall, cpu = time.perf_counter(), _cpu()
    try:
        yield timing
    finally:
        timing.wall = time.perf_counter() - wall
        timing.cpu = _cpu() - cpu


def command_of(module: str) -> str:
    return f"uv run --no-sync python bench/{module}.py"
