"""What ``/summary`` suggests while a member types (autocomplete): the use case on a real
database (SQLite and PostgreSQL) with the sample summaries, and the choices' text within
Discord's limits (at most 25, name and value 1-100 characters, plain text)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papers.discord_render import CHOICE_LIMIT, choice
from papers.model import Paper
from papers.usecases import SUGGESTIONS, suggest
from storage.repository import Store

FIXTURES = Path(__file__).parents[1] / "fixtures"
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


async def test_nothing_typed_suggests_the_papers_of_the_newest_summaries(sampled: Store) -> None:
    papers = await suggest(sampled, "")
    assert 0 < len(papers) <= SUGGESTIONS
    assert len({p.key for p in papers}) == len(papers)  # a paper with two summaries once


async def test_title_words_suggest_the_paper_first(sampled: Store) -> None:
    papers = await suggest(sampled, "intriguing properties")
    assert papers[0].arxiv_id == "1312.6199"
    whole = await suggest(sampled, "Deep Residual Learning for Image Recognition.")
    assert whole[0].arxiv_id == "1512.03385"  # a pasted title, its full stop included


async def test_an_id_suggests_that_paper_only_if_known(sampled: Store) -> None:
    assert [p.arxiv_id for p in await suggest(sampled, "arxiv.org/abs/1312.6199v2")] == [
        "1312.6199"
    ]
    assert await suggest(sampled, "2512.99999") == []  # never the arXiv API at a keystroke


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(typed=st.text(max_size=300) | st.sampled_from(['"', "*", "-", "NEAR(", "\x00", " " * 50]))
async def test_any_text_suggests_within_limits_and_never_raises(sampled: Store, typed: str) -> None:
    papers = await suggest(sampled, typed)
    assert len(papers) <= SUGGESTIONS


def paper(title: str, arxiv_id: str | None = "2401.00001", key: str = "2401.00001") -> Paper:
    return Paper(key=key, title=title, arxiv_id=arxiv_id)


def test_a_choice_is_the_title_and_the_id_within_100_characters() -> None:
    assert choice(paper("Adam: A Method for Stochastic Optimization", "1412.6980")) == (
        "Adam: A Method for Stochastic Optimization · 1412.6980",
        "1412.6980",
    )
    long = choice(paper("Scaling laws for neural language models " * 5))
    assert long is not None
    name, value = long
    assert len(name) == CHOICE_LIMIT and name.endswith("… · 2401.00001") and value == "2401.00001"


def test_a_choice_shows_tex_as_text_and_no_markup() -> None:
    made = choice(paper("$\\alpha$-divergence bounds for $L_\\infty$ **robust** training"))
    assert made is not None
    assert "α-divergence" in made[0] and "$" not in made[0] and "\\" not in made[0]


def test_a_paper_whose_id_cannot_be_a_value_is_not_offered() -> None:
    long_key = "conf/" + "x" * 120
    assert choice(paper("A title", arxiv_id=None, key=long_key)) is None
    assert choice(paper("", arxiv_id="2401.00002")) == ("2401.00002", "2401.00002")
