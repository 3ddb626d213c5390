"""Realistic machine-learning papers for the generated snapshot: titles, authors, abstracts.

``bench/gen_snapshot.py --titles realistic`` uses it; the search relevance benchmark
(bench/bench_relevance.py) needs it, so that its queries mean something: common words are
really common and distinctive words really rare, as on arXiv.

* Titles follow the templates of arXiv ML titles ("X: Y for Z", "Towards …", "On the … of …",
  "Learning … with …", "… via …", "Rethinking …", "… Is All You Need") and fill their slots
  from lists of real title words and phrases (modifiers, head nouns, tasks, properties), each
  drawn with rank-frequency Zipf weights in the order written here (most frequent first), so
  "learning", "neural networks", "deep", "graph" are everywhere and "Koopman" is not. Named
  terms and domain words ("Wasserstein", "echocardiography", "nuScenes", "Swahili") and a
  long tail of made-up but word-like technical terms ("spectrotopic", "chronometry") make the
  rare end: most titles hold one or two words few other titles hold.
* About a quarter of the titles start with a short name before a colon ("BERT: Pre-training
  of …"): an acronym of the title's words, a CamelCase name ("GraphFormer", "DreamFusion"),
  an everyday word ("Chinchilla") or a derivative of a famous one ("SciBERT"), sometimes with
  a version ("-2", "v3", "++"). Names repeat across papers, as on arXiv.
* Authors: 1-10, first names and surnames from real lists (Wang, Zhang, Li … are common, as
  on arXiv) with a long tail of generated surnames from real name parts.
* Abstracts: template sentences around the title's own phrases and the paper's short name,
  filler sentences of common abstract words, and baselines cited by name (names of earlier
  papers, the popular ones more often), so a title word also appears in other papers'
  abstracts.

Everything is drawn from the ``random.Random`` passed in: deterministic for a seed.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass

from title_words import (
    ABSTRACT_WORDS,
    DOMAIN,
    EVERYDAY_NAMES,
    FAMOUS_NAMES,
    FAMOUS_PREFIXES,
    FIRST_NAMES,
    GERUNDS,
    HEADS,
    LEADS,
    MODIFIERS,
    NAME_ROOTS,
    NAME_SUFFIXES,
    PREFIXES,
    PROPERTIES,
    ROOTS,
    SINGULAR_HEADS,
    SMALL_WORDS,
    SUFFIXES,
    SURNAME_PARTS,
    SURNAMES,
    TASKS,
    VERSIONS,
)


class Zipf:
    """Words drawn with weight 1 / (rank + offset) ** s: the list's order is its ranking."""

    def __init__(self, words: list[str], s: float = 1.0, offset: float = 1.0) -> None:
        self.words = list(dict.fromkeys(words))
        self.cum = list(
            itertools.accumulate(1.0 / (r + offset) ** s for r in range(len(self.words)))
        )
        self.total = self.cum[-1]

    def draw(self, rng: random.Random) -> str:
        return self.words[bisect.bisect_left(self.cum, rng.random() * self.total)]

    def draw_distinct(self, rng: random.Random, k: int) -> list[str]:
        out: list[str] = []
        for _ in range(k * 4):
            word = self.draw(rng)
            if word not in out:
                out.append(word)
                if len(out) == k:
                    break
        return out


@dataclass(frozen=True, slots=True)
class GeneratedPaper:
    title: str
    short_name: str | None
    authors: list[list[str]]  # authors_parsed: [last, first, suffix]
    abstract: str


def _distinct(make: Callable[[], str], count: int) -> list[str]:
    """Up to ``count`` distinct values of ``make()`` (fewer if it cannot make that many)."""
    out: dict[str, None] = {}
    for _ in range(count * 20):
        out.setdefault(make(), None)
        if len(out) == count:
            break
    return list(out)


def _tail_terms(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct made-up technical words from real morphemes ("spectrotopic")."""
    return _distinct(lambda: rng.choice(PREFIXES) + rng.choice(ROOTS) + rng.choice(SUFFIXES), count)


_SYLLABLES = ("", "", "", "an", "el", "in", "or", "ar", "us", "ol")


def _tail_surnames(rng: random.Random, count: int) -> list[str]:
    cultures = list(SURNAME_PARTS.values())

    def make() -> str:
        stems, ends = rng.choice(cultures)
        stem = rng.choice(stems)
        if rng.random() < 0.5:  # a second stem makes the long tail long
            stem += rng.choice(stems)[:3].lower()
        return stem + rng.choice(_SYLLABLES) + rng.choice(ends)

    return _distinct(make, count)


def title_case(words: list[str]) -> list[str]:
    """arXiv's usual Title Case: small words lower (but the first), words with capitals kept."""
    out = []
    for i, word in enumerate(words):
        if any(c.isupper() for c in word) or (i and word in SMALL_WORDS):
            out.append(word)
        else:
            out.append("-".join(p[:1].upper() + p[1:] for p in word.split("-")))
    return out


def sentence_case(words: list[str]) -> list[str]:
    if not words:
        return words
    first = words[0]
    return [first[:1].upper() + first[1:], *words[1:]]


class PaperGenerator:
    """Titles, authors and abstracts of ML papers; one instance per snapshot (``rng``)."""

    def __init__(self, rng: random.Random, *, tail_terms: int = 40_000) -> None:
        self.rng = rng
        self.mods = Zipf(MODIFIERS, 1.0, offset=4.0)
        self.heads = Zipf(HEADS, 1.0, offset=2.5)
        self.tasks = Zipf(TASKS, 0.9, offset=2.0)
        self.props = Zipf(PROPERTIES, 0.9)
        self.gerunds = Zipf(GERUNDS, 0.9)
        self.leads = Zipf(LEADS, 0.9)
        self.singular = Zipf(SINGULAR_HEADS, 1.0)
        # named terms first, then the made-up tail: one Zipf ranking of the rare end
        self.domain = Zipf(DOMAIN + _tail_terms(rng, tail_terms), 1.0, offset=3.0)
        self.surnames = Zipf(SURNAMES + _tail_surnames(rng, 40_000), 0.95, offset=2.0)
        self.first_names = Zipf(FIRST_NAMES, 0.6)
        self.abstract_words = Zipf(ABSTRACT_WORDS, 1.0)
        self.cited: list[str] = list(FAMOUS_NAMES) * 20  # names baselines are cited by

    # ---- titles

    def np(self, *, min_words: int = 1) -> list[str]:
        """A noun phrase: 0-3 modifiers, sometimes a domain word, a head."""
        rng = self.rng
        k = rng.choice((0, 1, 1, 1, 2, 2, 3))
        words = self.mods.draw_distinct(rng, k)
        if rng.random() < 0.3:
            words.append(self.domain.draw(rng))
        words.append(self.heads.draw(rng))
        phrase = " ".join(words).split()
        while len(phrase) < min_words:
            phrase = [self.mods.draw(rng), *phrase]
        return phrase

    def task(self) -> list[str]:
        rng = self.rng
        words = self.tasks.draw(rng).split()
        if rng.random() < 0.25:
            words = [*self.domain.draw(rng).split(), *words]
        return words

    def _body(self, *, colon: bool) -> list[str]:
        """The words of a title without its short name (``colon``: a colon may appear)."""
        rng = self.rng
        t = rng.random() * 100
        if t < 16:
            return [*self.np(), "for", *self.task()]
        if t < 22:
            return [*self.np(), "for", *self.np()]
        if t < 29:
            return [self.gerunds.draw(rng), *self.np(), "for", *self.task()]
        if t < 37:
            return [self.gerunds.draw(rng), *self.np(), "with", *self.np()]
        if t < 44:
            return [*self.np(), "via", *self.np()]
        if t < 50:
            return [*self.np(), "with", *self.np()]
        if t < 54:
            return ["Towards", *self.np(), "for", *self.task()]
        if t < 57:
            return ["Towards", *self.np(min_words=2)]
        if t < 62:
            return ["On", "the", *self.props.draw(rng).split(), "of", *self.np()]
        if t < 67 and colon:
            return [*self.np(min_words=2), ":", *self.np(), "for", *self.task()]
        if t < 72:
            mod = self.mods.draw(rng)
            article = "The" if t >= 70 else "An" if mod[0].lower() in "aeiou" else "A"
            return [article, mod, *self.singular.draw(rng).split(), "for", *self.task()]
        if t < 76:
            return [*self.np(), "in", *self.task()]
        if t < 79:
            return [*self.np(), "and", *self.np(), "for", *self.task()]
        if t < 85:
            return [*self.leads.draw(rng).split(), *self.np(min_words=2)]
        if t < 86:
            return [*self.np(min_words=2), "Is", "All", "You", "Need"]
        if t < 88:
            return ["When", "Do", *self.np(min_words=2), "Help", *self.task(), "?"]
        if t < 89:
            return ["Can", *self.np(min_words=2), "Learn", *self.np(), "?"]
        if t < 93:
            return [*self.np(), "Using", *self.np()]
        if t < 96:
            return [*self.props.draw(rng).split(), "of", *self.np(), "in", *self.task()]
        if t < 98:
            return [
                *self.np(),
                "for",
                *self.task(),
                ":",
                "A",
                *self.singular.draw(rng).split(),
            ]
        return [*self.np(), "Meets", *self.np()]

    def short_name(self, body: list[str]) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.45:  # an acronym of some of the title's words ("CLIP"), mostly 4-5 letters
            letters = [w[0] for w in body if w[0].isalpha() and w.lower() not in SMALL_WORDS]
            if len(letters) >= 3:
                size = min(len(letters), rng.choices((3, 4, 5, 6), weights=(25, 40, 25, 10))[0])
                start = rng.randint(0, len(letters) - size)
                name = "".join(letters[start : start + size]).upper()
                if rng.random() < 0.3:  # a vowel to say it ("GraIL", "DINO")
                    at = rng.randrange(1, len(name))
                    name = name[:at] + rng.choice("aeiou") + name[at:]
                return name + (rng.choice(VERSIONS) if rng.random() < 0.1 else "")
            roll = 0.5
        if roll < 0.85:  # CamelCase ("GraphFormer", "DreamFusion")
            name = rng.choice(NAME_ROOTS)
            if rng.random() < 0.75:
                second = rng.choice(NAME_ROOTS)
                if second != name:
                    name += second
            name += rng.choice(NAME_SUFFIXES)
        elif roll < 0.93:  # an everyday word ("Chinchilla")
            name = rng.choice(EVERYDAY_NAMES)
        else:  # a famous name's derivative ("SciBERT")
            name = rng.choice(FAMOUS_PREFIXES) + rng.choice(FAMOUS_NAMES)
        if rng.random() < 0.12:
            name += rng.choice(VERSIONS)
        return name

    def title(self) -> tuple[str, str | None]:
        """A title and its short name (the part before the colon) if it has one."""
        rng = self.rng
        named = rng.random() < 0.25
        body = self._body(colon=not named)
        cased = title_case(body) if rng.random() < 0.65 else sentence_case(body)
        name = self.short_name(body) if named else None
        if name is not None:
            cased = [name + ":", *cased]
        text = " ".join(cased).replace(" :", ":").replace(" ?", "?")
        return text, name

    # ---- authors

    def authors(self) -> list[list[str]]:
        rng = self.rng
        count = rng.choices(range(1, 11), weights=(8, 14, 18, 17, 13, 9, 7, 5, 4, 5))[0]
        out = []
        for _ in range(count):
            first = self.first_names.draw(rng)
            if rng.random() < 0.15:  # arXiv's initials
                first = first[0] + "."
            out.append([self.surnames.draw(rng), first, ""])
        return out

    # ---- abstracts

    def _filler(self, low: int, high: int) -> str:
        rng = self.rng
        words = []
        for _ in range(rng.randint(low, high)):
            roll = rng.random()
            if roll < 0.72:
                words.append(self.abstract_words.draw(rng))
            elif roll < 0.84:
                words.append(self.mods.draw(rng))
            elif roll < 0.95:
                words.append(self.heads.draw(rng))
            else:
                words.append(self.domain.draw(rng))
        return " ".join(words).capitalize() + "."

    def _cite(self) -> str:
        return self.rng.choice(self.cited)

    def abstract(self, title: str, name: str | None) -> str:
        rng = self.rng
        body = title.split(": ", 1)[1] if name else title
        phrase = body.rstrip("?").lower()
        task = " ".join(self.task()).lower()
        np_ = " ".join(self.np()).lower()
        what = name or "a novel " + " ".join(self.np()).lower()
        sentences = [
            f"{np_.capitalize()} have shown remarkable success in {task}.",
            f"However, existing {' '.join(self.np()).lower()} suffer from "
            f"{self.props.draw(rng)} issues.",
            self._filler(12, 25),
            f"In this paper, we propose {what}, {phrase}.",
            self._filler(12, 25),
        ]
        for _ in range(rng.randint(1, 4)):
            sentences.append(self._filler(10, 22))
        cites = [self._cite() for _ in range(rng.choice((0, 1, 1, 2, 3)))]
        if cites:
            sentences.append(
                f"Experiments on {self.domain.draw(rng)} show that {name or 'our method'} "
                f"outperforms {' and '.join(cites)} by {rng.randint(1, 25)}%."
            )
        if name:
            self.cited.append(name)  # later papers may cite it
        return "  " + " ".join(sentences) + "\n"

    def paper(self) -> GeneratedPaper:
        title, name = self.title()
        return GeneratedPaper(title, name, self.authors(), self.abstract(title, name))


def short_name_of(title: str) -> str | None:
    """The short name a generated title starts with ("BERT: …" -> "BERT"), or None."""
    head, colon, _ = " ".join(title.split()).partition(": ")
    return head if colon and head and " " not in head else None
