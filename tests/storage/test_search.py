"""Full-text search on SQLite FTS5 and PostgreSQL, with user words treated as data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from papers.model import IncomingPaper, IncomingSummary
from papers.usecases import ingest_parsed
from sources.parse import parse_feed
from storage.db import create_engine, upgrade
from storage.repository import Store
from storage.search import fts5_query, terms

FIXTURES = Path(__file__).parents[1] / "fixtures"
NOW = datetime(2026, 11, 23, tzinfo=UTC)


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    async for filled in _filled(database_url):
        yield filled


@pytest.fixture
async def pg_store(pg_database_url: str) -> AsyncIterator[Store]:
    async for filled in _filled(pg_database_url):
        yield filled


async def _filled(url: str) -> AsyncIterator[Store]:
    engine = create_engine(url)
    await upgrade(engine)
    store = Store(engine)
    for name in ("shortscience-rss.xml", "arxiv-cs.LG-rss.xml"):
        parsed = parse_feed((FIXTURES / name).read_bytes(), name)
        await ingest_parsed(store, parsed, name, announce=True, now=NOW)
    yield store
    await engine.dispose()


async def test_title_words_best_first(store: Store) -> None:
    found = await store.search_papers(["residual", "learning"])
    assert found[0].arxiv_id == "1512.03385"
    found = await store.search_papers(["adversarial"])
    keys = {p.key for p in found}
    assert "1703.09202" in keys  # in the title
    assert len(found) >= 2


async def test_a_word_no_paper_holds_is_left_out(store: Store) -> None:
    """A typo would make the whole query find nothing: the other words are searched."""
    found = await store.search_papers(["deep", "resdiual", "learning", "image"])
    assert found[0].arxiv_id == "1512.03385"
    found = await store.search_papers(["intriguing", "propertys", "neural"])  # the last one too
    assert found[0].arxiv_id == "1312.6199"
    assert await store.search_papers(["zzqxw"]) == []  # alone, it finds nothing
    assert [p.arxiv_id for p in await store.search_papers(["residual", "learn"])][:1] == [
        "1512.03385"
    ]  # a last word typed part way is still a prefix


async def test_abstracts_are_searched_too(store: Store) -> None:
    selu = next(p for p in await store.search_papers(["self", "normalizing"]))
    assert selu.abstract  # the listing gave it one
    word = next(w for w in selu.abstract.split() if len(w) > 9 and w.isalpha())
    assert selu.key in {p.key for p in await store.search_papers([word])}


async def test_updates_reach_the_index(store: Store) -> None:
    await store.save_papers(
        [
            IncomingPaper(
                title="Zyxwvut transformers for everything", arxiv_id="1512.03385", complete=True
            )
        ],
        source="arxiv-api",
        announce=False,
        now=NOW,
    )
    assert [p.key for p in await store.search_papers(["zyxwvut"])] == ["1512.03385"]
    assert "1512.03385" not in {p.key for p in await store.search_papers(["residual"])}


async def test_equal_matches_put_papers_with_summaries_first_then_the_newest(
    store: Store,
) -> None:
    titles = ["Quokka graph transformers", "Quokka graph transformers", "Quokka graph models"]
    papers = [
        IncomingPaper(title=t, arxiv_id=f"2601.0000{n}", complete=True)
        for n, t in enumerate(titles, start=1)
    ]
    await store.save_papers(papers, source="arxiv-api", announce=False, now=NOW)
    found = [p.key for p in await store.search_papers(["quokka", "transformers"])]
    assert found == ["2601.00002", "2601.00001"]  # equal: the newer first
    summary = IncomingSummary(
        guid="q",
        source="s",
        author="a",
        url=None,
        votes=1,
        text="A summary.",
        published=NOW,
        papers=(IncomingPaper(title=titles[0], arxiv_id="2601.00001"),),
    )
    await store.save_summaries([summary], announce=False, now=NOW)
    found = [p.key for p in await store.search_papers(["quokka", "transformers"])]
    assert found == ["2601.00001", "2601.00002"]  # the one with a summary first
    found = [p.key for p in await store.search_papers(["quokka", "graph"])]
    assert found[0] == "2601.00001"


async def test_a_surname_and_a_title_word_find_the_paper(store: Store) -> None:
    """Members type an author's surname: authors are searched with the titles, and a paper
    that only cites the name in its abstract comes after the papers of that author."""
    papers = [
        IncomingPaper(
            title="Harnessing okapi examples",
            arxiv_id="2601.00011",
            authors=("Ian J. Goodfellow", "Jonathon Shlens", "Christian Szegedy"),
            complete=True,
        ),
        IncomingPaper(
            title="Generative okapi networks",
            arxiv_id="2601.00012",
            authors=("Ian J. Goodfellow", "Yoshua Bengio"),
            complete=True,
        ),
        IncomingPaper(
            title="Okapi patches",
            arxiv_id="2601.00013",
            abstract="Following Goodfellow and others, we fool classifiers.",
            authors=("Tom B. Brown",),
            complete=True,
        ),
    ]
    await store.save_papers(papers, source="arxiv-api", announce=False, now=NOW)
    found = [p.key for p in await store.search_papers(["Szegedy", "okapi"])]
    assert found[:1] == ["2601.00011"]
    found = [p.key for p in await store.search_papers(["goodfellow", "okapi"])]
    assert set(found[:2]) == {"2601.00011", "2601.00012"}
    assert found.index("2601.00013") == 2  # the abstract's mention after the authors
    found = [p.key for p in await store.search_papers(["Bengio", "okapi"])]
    assert found[:1] == ["2601.00012"]
    # a typo beside the surname is left out, as with title words: Szegedy's papers remain,
    # the one with a summary (1312.6199, in the fixture) first
    found = [p.key for p in await store.search_papers(["Szegedy", "harnessing", "okapix"])]
    assert found[:1] == ["2601.00011"]
    found = [p.key for p in await store.search_papers(["Szegedy", "okapix"])]
    assert found[:2] == ["1312.6199", "2601.00011"]


async def test_a_surname_puts_the_first_authors_paper_first(store: Store) -> None:
    """ "Vaswani attention" means the paper Vaswani wrote first, not the newer, shorter one
    that lists the name among others."""
    papers = [
        IncomingPaper(
            title="Tapir attention is all you need",
            arxiv_id="2601.00051",
            authors=("Ashish Vaswani", "Noam Shazeer"),
            complete=True,
        ),
        IncomingPaper(
            title="Tapir attention",
            arxiv_id="2601.00052",
            authors=("Noam Shazeer", "Niki Parmar", "Ashish Vaswani"),
            complete=True,
        ),
    ]
    await store.save_papers(papers, source="arxiv-api", announce=False, now=NOW)
    assert [p.key for p in await store.search_papers(["Vaswani", "tapir"])][:2] == [
        "2601.00051",
        "2601.00052",
    ]
    assert [p.key for p in await store.search_papers(["shazeer", "tapir"])][:2] == [
        "2601.00052",
        "2601.00051",
    ]


async def test_surnames_with_accents_are_found_typed_either_way(store: Store) -> None:
    """The authors' JSON may escape "á" as "\\u00e1": the index holds the decoded names."""
    paper = IncomingPaper(
        title="Wombat inference",
        arxiv_id="2601.00031",
        authors=("Ana Fernández-Suárez", "Zoë Ødegård"),
        complete=True,
    )
    await store.save_papers([paper], source="arxiv-api", announce=False, now=NOW)
    for words in (["Fernández"], ["fernandez", "wombat"], ["Suarez"], ["odegard", "Zoë"]):
        assert [p.key for p in await store.search_papers(words)][:1] == ["2601.00031"], words
    renamed = IncomingPaper(
        title="Wombat inference",
        arxiv_id="2601.00031",
        arxiv_version=2,
        authors=("Ana Pérez",),
        complete=True,
    )
    await store.save_papers([renamed], source="arxiv-api", announce=False, now=NOW)
    assert [p.key for p in await store.search_papers(["perez", "wombat"])][:1] == ["2601.00031"]
    assert await store.search_papers(["Ødegård"]) == []  # the old names left the index


async def test_a_typo_that_is_another_papers_word_still_finds_the_title(store: Store) -> None:
    """ "Lear" for "Learn" is a word of another title: no paper holds every word typed, and the
    titles holding all of them but one are found instead of nothing."""
    papers = [
        IncomingPaper(
            title="Can okapi networks learn continuous estimation?",
            arxiv_id="2601.00041",
            complete=True,
        ),
        IncomingPaper(title="King Lear and the okapi", arxiv_id="2601.00042", complete=True),
        IncomingPaper(title="Okapi estimation", arxiv_id="2601.00043", complete=True),
    ]
    await store.save_papers(papers, source="arxiv-api", announce=False, now=NOW)
    words = ["Can", "okapi", "networks", "lear", "continuous", "estimation?"]
    assert [p.key for p in await store.search_papers(words)][:1] == ["2601.00041"]
    # two words alone are never loosened: one of them would be too loose a match
    assert await store.search_papers(["lear", "continuous"]) == []


async def test_a_title_holding_the_words_comes_before_abstracts_holding_them(
    store: Store,
) -> None:
    older = IncomingPaper(title="Kalman counting of crowds", arxiv_id="2601.00021", complete=True)
    newer = IncomingPaper(
        title="Counting crowds",
        arxiv_id="2601.00022",
        abstract="A Kalman filter smooths the counts; the counting is done per frame.",
        complete=True,
    )
    await store.save_papers([older, newer], source="arxiv-api", announce=False, now=NOW)
    found = [p.key for p in await store.search_papers(["kalman", "counting"])]
    assert found[:2] == ["2601.00021", "2601.00022"]


@pytest.mark.parametrize(
    "words",
    [
        ['"neural'],
        ["neural", "AND", "OR", "NOT"],
        ["*"],
        ["hep-th/9901001"],
        ["'); DROP TABLE papers; --"],
        ["NEAR(neural", "networks)"],
        ["title:neural"],
        ["-neural"],
        ["^neural"],
        ["\x00neural\u200b"],
        ["\u202eneural"],
        ["ab" * 50_000],
    ],
)
async def test_hostile_words_never_break_the_query(store: Store, words: list[str]) -> None:
    found = await store.search_papers(words)
    assert isinstance(found, list)
    assert await store.count_papers() == 11  # the listing's five are among the eleven


def test_fts5_query_quotes_every_term() -> None:
    assert terms(['Self-"Normalizing"', "NEURAL", "neural"]) == ["self", "normalizing", "neural"]
    assert terms(["residual", "AND", "learning", "for", "the"]) == ["residual", "learning"]
    assert fts5_query(["a", 'b"c']) == '"a" "b""c"*'
    assert fts5_query([]) == ""


def _slowed(monkeypatch: pytest.MonkeyPatch, column: str, kind: str, where: str) -> None:
    """PostgreSQL search's ``kind`` statement (ranked, newest) of ``column`` made to take
    half a second, answering the newest papers ``where`` holds."""
    from dataclasses import replace

    from sqlalchemy import text

    from storage import search_postgres

    slow = text(
        f"SELECT id FROM papers, pg_sleep(0.5) WHERE {where} ORDER BY id DESC LIMIT :limit"  # noqa: S608 (test text)
    )
    statements = search_postgres._BY_COLUMN[column]
    monkeypatch.setitem(search_postgres._BY_COLUMN, column, replace(statements, **{kind: slow}))


@pytest.mark.postgresql
async def test_a_walk_past_its_budget_finds_nothing_and_the_search_goes_on(
    pg_store: Store,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """PostgreSQL: the newest matches of common words that rarely meet can take seconds to
    walk; past NEWEST_BUDGET_MS that walk gives up, and the same transaction answers the rest
    (here the abstracts' search, after a heads' walk made slow on purpose)."""
    from storage import search_postgres

    monkeypatch.setattr(search_postgres, "COMMON_DOCS", -1)  # every search walks the newest
    where = "head @@ plainto_tsquery('shortbot_head', :query)"
    _slowed(monkeypatch, search_postgres.HEAD, "newest", where)
    with caplog.at_level("INFO", logger="storage.search_postgres"):
        found = [p.key for p in await pg_store.search_papers(["residual", "learning"])]
    assert "1512.03385" in found  # from the abstracts' walk, in the same transaction
    assert f"took over {search_postgres.NEWEST_BUDGET_MS} ms" in caplog.text


@pytest.mark.postgresql
async def test_an_abstracts_fill_past_its_budget_leaves_the_titles_found(
    pg_store: Store,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """PostgreSQL: the abstracts only fill what the heads leave, and the planner's estimate of
    words that meet can be far too low, so the fill has FILL_BUDGET_MS: past it the titles
    found are the answer (here the fill is made slow on purpose)."""
    from storage import search_postgres

    # every paper, slowly: without the budget they would fill the answer
    where = "search @@ plainto_tsquery('english', :query) OR true"
    _slowed(monkeypatch, search_postgres.FULL, "ranked", where)
    with caplog.at_level("INFO", logger="storage.search_postgres"):
        found = [p.key for p in await pg_store.search_papers(["residual", "learning"])]
    assert found == ["1512.03385"]  # the title holding both words, and no fill
    assert "took over 30 ms" in caplog.text
