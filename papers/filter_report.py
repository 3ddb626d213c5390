"""What a destination's filters let through and held back in one selection, per rule and per
item: what ``digest preview`` and ``shortbot digest --dry-run`` show. Plain text lines (the
faces escape them for their platform) and a JSON-ready form."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from papers.filters import NO_FILTER, OFF_TOPIC, Verdict
from papers.keys import item_key
from papers.model import DigestItem, Paper, PaperItem
from papers.text import excerpt

HELD_SHOWN = 10  # held items listed one by one; the rest are counted


@dataclass(frozen=True, slots=True)
class Judged:
    key: str  # the ledger key
    label: str  # what people recognise: "summary of <title> (arXiv:…)", "new paper <title>"
    verdict: Verdict
    paper: bool  # a newly announced paper, else a summary


def _name(paper: Paper) -> str:
    ident = f" (arXiv:{paper.arxiv_id})" if paper.arxiv_id else ""
    return excerpt(paper.title or paper.key, 90) + ident


@dataclass(slots=True)
class FilterReport:
    """Every item one selection judged, in the order judged."""

    judged: list[Judged] = field(default_factory=list)

    def summary(self, item: DigestItem, verdict: Verdict) -> None:
        about = _name(item.papers[0]) if item.papers else excerpt(item.summary.title, 90)
        self.judged.append(Judged(item_key(item.summary), f"summary of {about}", verdict, False))

    def paper(self, item: PaperItem, verdict: Verdict) -> None:
        self.judged.append(Judged(item.key, f"new paper {_name(item.paper)}", verdict, True))

    @property
    def held(self) -> list[Judged]:
        return [j for j in self.judged if not j.verdict.passed]

    def _by_rule(self, passed: bool) -> Counter[str]:
        return Counter(j.verdict.reason for j in self.judged if j.verdict.passed is passed)

    def _counts(self, paper: bool) -> tuple[int, int]:
        mine = [j for j in self.judged if j.paper is paper]
        through = sum(j.verdict.passed for j in mine)
        return through, len(mine) - through

    def lines(self, held_shown: int = HELD_SHOWN) -> list[str]:
        """``3 of 12 summaries let through, 9 held back``; then per rule; then the held items
        with the rule that held each (the first ``held_shown``: those a rule held first)."""
        out = []
        for paper, noun in ((False, "summaries"), (True, "new papers")):
            through, held = self._counts(paper)
            if through or held:
                out.append(f"{through} of {through + held} {noun} let through, {held} held back")
        if not self.judged:
            return ["Nothing new to filter."]
        through_by = self._by_rule(True)
        if through_by and set(through_by) != {NO_FILTER}:
            out.append("Let through by: " + _tally(through_by))
        held_by = self._by_rule(False)
        if held_by:
            out.append("Held back by: " + _tally(held_by))
        # held by a rule first (an exclusion, the votes, replacements), then those no
        # positive rule matched
        held_items = sorted(self.held, key=lambda j: j.verdict.reason == OFF_TOPIC)
        out += [f"held: {j.label}: {j.verdict.reason}" for j in held_items[:held_shown]]
        if len(held_items) > held_shown:
            out.append(f"and {len(held_items) - held_shown} more held back")
        return out

    def as_json(self) -> dict[str, Any]:
        """``{"summaries": {"through", "held"}, "papers": {…}, "through_by": {reason: n},
        "held_by": {reason: n}, "held": [{"key", "item", "by"}]}``."""
        counts = {}
        for paper, name in ((False, "summaries"), (True, "papers")):
            through, held = self._counts(paper)
            counts[name] = {"through": through, "held": held}
        return {
            **counts,
            "through_by": dict(self._by_rule(True)),
            "held_by": dict(self._by_rule(False)),
            "held": [{"key": j.key, "item": j.label, "by": j.verdict.reason} for j in self.held],
        }


def _tally(counter: Counter[str]) -> str:
    return "; ".join(f"{reason} ({count})" for reason, count in counter.most_common())
