"""Hypothesis strategies shared by the renderers' property tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import strategies as st

from papers.model import Digest, Paper, PaperItem

ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")
SEEN = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ARXIV_IDS = ("1312.6199", "2401.00001", "2501.12345", "hep-th/9901001", "math.GT/0309136")
any_text = st.text(max_size=400)
long_text = st.text(max_size=3000)


@st.composite
def paper_items(draw: st.DrawFn, paper_id: int) -> PaperItem:
    """A newly announced paper with arbitrary Unicode title, authors, abstract, categories."""
    arxiv_id = draw(st.none() | st.sampled_from(ARXIV_IDS))
    paper = Paper(
        key=arxiv_id or draw(st.text(min_size=1, max_size=40)),
        title=draw(any_text),
        arxiv_id=arxiv_id,
        authors=tuple(draw(st.lists(st.text(max_size=80), max_size=40))),
        abstract=draw(st.none() | long_text),
        categories=tuple(
            draw(
                st.lists(
                    st.sampled_from(["cs.LG", "stat.ML", "cs.CV"]) | st.text(max_size=20),
                    max_size=6,
                )
            )
        ),
        primary_category=draw(st.none() | st.just("cs.LG")),
    )
    return PaperItem(
        paper=paper,
        announce_type=draw(st.sampled_from(ANNOUNCE_TYPES)),
        version=draw(st.integers(0, 30)),
        paper_id=paper_id,
        first_seen=SEEN,
    )


@st.composite
def with_papers(draw: st.DrawFn, digest: Digest, max_papers: int = 12) -> Digest:
    """``digest`` with up to ``max_papers`` announced papers after its summaries (``more``
    left as it is; some of it counted as papers when there are papers)."""
    count = draw(st.integers(0 if digest.items else 1, max_papers))
    papers = tuple(draw(paper_items(paper_id=n)) for n in range(1, count + 1))
    more_papers = draw(st.integers(0, digest.more)) if papers else 0
    return replace(digest, papers=papers, more_papers=more_papers)
