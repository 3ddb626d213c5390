"""SQLite search by word frequency: which walks of FTS5's posting lists it makes and which it
leaves out, and what a member finds either way. At 3 M papers a walk of common words reads
their whole posting lists (50-100 ms each); here COMMON_DOCS is lowered so that words in more
than two papers count as common in a database of a few dozen."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from papers.model import IncomingPaper
from storage import search_sqlite
from storage.repository import Store
from tests.storage.test_search import NOW, _filled


@pytest.fixture
async def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Store]:
    monkeypatch.setattr(search_sqlite, "COMMON_DOCS", 2)
    async for filled in _filled(f"sqlite+aiosqlite:///{tmp_path / 'search.db'}"):
        yield filled


async def _add(store: Store, *papers: tuple[str, str, str]) -> None:
    await store.save_papers(
        [
            IncomingPaper(title=title, arxiv_id=arxiv_id, abstract=abstract, complete=True)
            for arxiv_id, title, abstract in papers
        ],
        source="arxiv-api",
        announce=False,
        now=NOW,
    )


async def test_one_rare_word_fills_from_the_abstracts_that_hold_it(store: Store) -> None:
    """After the title holding every word, the abstracts fill the answer: the one rare word
    leads that walk alone, so an abstract holding it is found though it lacks the common
    words ("networks", "learning" are in many papers of the sample)."""
    await _add(
        store,
        ("2601.00001", "Quokka networks for learning", "Marsupials on graphs."),
        ("2601.00002", "Field notes on marsupials", "We count quokka on Rottnest Island."),
    )
    found = [p.key for p in await store.search_papers(["quokka", "networks", "learning"])]
    assert found[:2] == ["2601.00001", "2601.00002"]


async def test_many_common_words_no_title_holds_are_not_looked_for_in_abstracts(
    store: Store,
) -> None:
    """Four or more words, each common, that no title holds together: the abstracts are not
    walked for them (few hold them all, and finding those reads every word's whole posting
    list), nor the titles holding all but one (a clause per word left out, each as long a
    walk). Three such words are still looked for."""
    abstract = "An ocelot, a lynx, a puma and a jaguar walk into a bar."
    await _add(
        store,
        ("2601.00011", "Cats of the Americas", abstract),
        ("2601.00012", "Felids at night", abstract),
        ("2601.00013", "Large predators", abstract),
        ("2601.00014", "Ocelot lynx puma survey", "A survey."),
        ("2601.00015", "Ocelot lynx puma census", "A census."),
        ("2601.00016", "Ocelot lynx puma atlas", "An atlas."),
        ("2601.00017", "Jaguar tracks", "Tracks."),
        ("2601.00018", "Jaguar calls", "Calls."),
        ("2601.00019", "Jaguar prey", "Prey."),
    )
    assert await store.search_papers(["ocelot", "lynx", "puma", "jaguar"]) == []
    found = {p.key for p in await store.search_papers(["ocelot", "lynx", "jaguar"])}
    assert {"2601.00011", "2601.00012", "2601.00013"} <= found


async def test_all_but_one_word_still_finds_a_title_when_a_word_is_rare(store: Store) -> None:
    """A typo that is another paper's word ("Lear" for "Learn"): the titles holding all but
    one word are looked for when a rare word keeps that walk short."""
    await _add(
        store,
        ("2601.00021", "Can wombat networks learn", "Burrows."),
        ("2601.00022", "Lear and the networks of wombat keepers", "A play."),
    )
    found = [p.key for p in await store.search_papers(["can", "wombat", "networks", "lear"])]
    assert found[0] == "2601.00021"
