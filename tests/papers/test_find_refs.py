"""find_refs: the papers a chat message links or names by identifier, in order, once each."""

from __future__ import annotations

from papers.ids import ArxivId, BibtexKey, Doi, find_refs


def test_every_form_the_resolver_reads_in_the_order_written() -> None:
    message = (
        "Three for the reading group: <https://arxiv.org/abs/1312.6199v2>, the pdf "
        "https://arxiv.org/pdf/1608.06993.pdf and "
        "[LeeS00](https://www.shortscience.org/paper?bibtexKey=conf/nips/LeeS00); "
        "also doi:10.1145/3292500.3330701, arXiv:hep-th/9901001, "
        "https://huggingface.co/papers/1706.03762 and arXiv: 1512.03385."
    )
    assert find_refs(message) == [
        ArxivId("1312.6199", 2),
        ArxivId("1608.06993"),
        BibtexKey("conf/nips/LeeS00"),
        Doi("10.1145/3292500.3330701"),
        ArxivId("hep-th/9901001"),
        ArxivId("1706.03762"),
        ArxivId("1512.03385"),  # "arXiv: ID" with a space: found by its arXiv context
    ]


def test_one_paper_once_whatever_its_form() -> None:
    message = (
        "https://arxiv.org/abs/1312.6199 is 10.48550/arXiv.1312.6199 is "
        "https://www.shortscience.org/paper?bibtexKey=journals/corr/1312.6199 is arXiv:1312.6199v4"
    )
    assert find_refs(message) == [ArxivId("1312.6199")]


def test_links_naming_no_paper_titles_and_bare_numbers_are_not_references() -> None:
    message = (
        "see https://arxiv.org/list/cs.LG/new, https://example.com/post?id=1312.6199, "
        "version 2401.12345 of nothing, and Attention Is All You Need"
    )
    assert find_refs(message) == []
