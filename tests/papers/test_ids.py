"""Tests for papers.ids: what people paste becomes the right paper reference."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from papers.ids import (
    ARXIV_ARCHIVES,
    MAX_QUERY_LENGTH,
    ArxivId,
    BibtexKey,
    Doi,
    PaperRef,
    TitleWords,
    UnusableQuery,
    find_arxiv_ids,
    parse_arxiv_id,
    resolve,
)

A = ArxivId

RESOLVES: list[tuple[str, PaperRef]] = [
    # new-style ids, with and without version
    ("1312.6199", A("1312.6199")),
    ("1312.6199v4", A("1312.6199", 4)),
    ("2401.12345", A("2401.12345")),
    ("2401.12345v2", A("2401.12345", 2)),
    ("0704.0001", A("0704.0001")),
    ("1412.9999", A("1412.9999")),
    ("1501.00001", A("1501.00001")),
    ("1312.6199v12", A("1312.6199", 12)),
    # old-style ids
    ("hep-th/9901001", A("hep-th/9901001")),
    ("math.GT/0309136", A("math.GT/0309136")),
    ("math.gt/0309136", A("math.GT/0309136")),
    ("MATH.gt/0309136v3", A("math.GT/0309136", 3)),
    ("cs/0112017v2", A("cs/0112017", 2)),
    ("math/0211159", A("math/0211159")),
    ("Hep-Th/9108001", A("hep-th/9108001")),
    ("cond-mat/0703999", A("cond-mat/0703999")),
    # prefixes
    ("arXiv:1312.6199", A("1312.6199")),
    ("arxiv:1312.6199v4", A("1312.6199", 4)),
    ("ARXIV:2401.12345", A("2401.12345")),
    ("arXiv: 1312.6199", A("1312.6199")),
    ("arXiv 1312.6199", A("1312.6199")),
    ("arXiv:hep-th/9901001", A("hep-th/9901001")),
    ("oai:arXiv.org:2411.01234v1", A("2411.01234", 1)),
    # arXiv links
    ("https://arxiv.org/abs/1312.6199", A("1312.6199")),
    ("http://arxiv.org/abs/1312.6199", A("1312.6199")),
    ("arxiv.org/abs/1312.6199", A("1312.6199")),
    ("https://www.arxiv.org/abs/1312.6199v4", A("1312.6199", 4)),
    ("www.arxiv.org/abs/1312.6199", A("1312.6199")),
    ("https://export.arxiv.org/abs/2401.12345", A("2401.12345")),
    ("export.arxiv.org/abs/2401.12345v2", A("2401.12345", 2)),
    ("https://arxiv.org/pdf/1312.6199", A("1312.6199")),
    ("https://arxiv.org/pdf/1312.6199.pdf", A("1312.6199")),
    ("https://arxiv.org/pdf/1611.01144v1.pdf", A("1611.01144", 1)),
    ("https://arxiv.org/html/2401.12345v2", A("2401.12345", 2)),
    ("https://arxiv.org/html/2401.12345v2/#S3", A("2401.12345", 2)),
    ("https://arxiv.org/abs/1312.6199/", A("1312.6199")),
    ("https://arxiv.org/abs/1312.6199?context=cs.LG", A("1312.6199")),
    ("https://arxiv.org/abs/1312.6199#abstract", A("1312.6199")),
    ("HTTPS://ARXIV.ORG/ABS/1312.6199", A("1312.6199")),
    ("https://arxiv.org/abs/hep-th/9901001v1", A("hep-th/9901001", 1)),
    ("https://arxiv.org/pdf/math.GT/0309136v2.pdf", A("math.GT/0309136", 2)),
    ("https://ar5iv.labs.arxiv.org/html/1312.6199", A("1312.6199")),
    # DOIs of arXiv papers
    ("10.48550/arXiv.1312.6199", A("1312.6199")),
    ("doi:10.48550/ARXIV.1312.6199", A("1312.6199")),
    ("https://doi.org/10.48550/arXiv.1312.6199", A("1312.6199")),
    ("https://dx.doi.org/10.48550/arXiv.2401.12345", A("2401.12345")),
    ("doi.org/10.48550/arxiv.hep-th/9901001", A("hep-th/9901001")),
    # other DOIs
    ("10.1101/262501", Doi("10.1101/262501")),
    ("doi:10.1145/3292500.3330701", Doi("10.1145/3292500.3330701")),
    ("DOI: 10.1145/3292500.3330701", Doi("10.1145/3292500.3330701")),
    ("https://doi.org/10.1038/nature16961", Doi("10.1038/nature16961")),
    ("http://dx.doi.org/10.1038/nature16961", Doi("10.1038/nature16961")),
    ("https://doi.org/10.1145%2F3292500.3330701", Doi("10.1145/3292500.3330701")),
    ("10.1145%2F3292500.3330701", Doi("10.1145/3292500.3330701")),
    ("info:doi/10.1002/anie.201915678", Doi("10.1002/anie.201915678")),
    ("https://dl.acm.org/doi/10.1145/3292500.3330701", Doi("10.1145/3292500.3330701")),
    ("https://www.biorxiv.org/content/10.1101/262501v2.full", Doi("10.1101/262501")),
    # ShortScience links
    (
        "https://www.shortscience.org/paper?bibtexKey=journals/corr/HeZRS15#readerfive",
        BibtexKey("journals/corr/HeZRS15"),
    ),
    (
        "http://www.shortscience.org/paper?bibtexKey=conf/nips/LeeS00",
        BibtexKey("conf/nips/LeeS00"),
    ),
    ("https://shortscience.org/paper?bibtexKey=journals%2Fcorr%2F1706.02515", A("1706.02515")),
    ("shortscience.org/paper?bibtexKey=10.1101%2F262501#anon", Doi("10.1101/262501")),
    ("https://www.shortscience.org/paper?bibtexKey=1312.6199", A("1312.6199")),
    # bibtex keys
    ("journals/corr/1608.06993", A("1608.06993")),
    ("journals/corr/abs-1904-00760", A("1904.00760")),
    ("journals/corr/abs-cs-0112017", A("cs/0112017")),
    ("journals/corr/cs-AI-0112017", A("cs.AI/0112017")),
    ("journals/corr/hep-th-9901001", A("hep-th/9901001")),
    ("conf/nips/LeeS00", BibtexKey("conf/nips/LeeS00")),
    ("journals/corr/HeZRS15", BibtexKey("journals/corr/HeZRS15")),
    ("journals/nature/SilverHMGSDSAPL16", BibtexKey("journals/nature/SilverHMGSDSAPL16")),
    ("conf/icml/GregorDGRW15", BibtexKey("conf/icml/GregorDGRW15")),
    ("books/daglib/0023546", BibtexKey("books/daglib/0023546")),
    ("journals/corr/2401.1234", BibtexKey("journals/corr/2401.1234")),
    # wrapping: Discord angle brackets, quotes, backticks, whitespace
    ("<https://arxiv.org/abs/1312.6199>", A("1312.6199")),
    ("  <https://arxiv.org/abs/1312.6199v2>  ", A("1312.6199", 2)),
    ('"1312.6199"', A("1312.6199")),
    ("'1312.6199'", A("1312.6199")),
    ("`1312.6199`", A("1312.6199")),
    ("```arXiv:1312.6199```", A("1312.6199")),
    ("\u201c10.1101/262501\u201d", Doi("10.1101/262501")),
    ("\t\n1312.6199\r\n", A("1312.6199")),
    ("<conf/nips/LeeS00>", BibtexKey("conf/nips/LeeS00")),
    ("1312.6199.", A("1312.6199")),
    ("1312.\u200b6199", A("1312.6199")),
    ("\uff11\uff13\uff11\uff12.\uff16\uff11\uff19\uff19", A("1312.6199")),  # fullwidth digits
]


@pytest.mark.parametrize(("text", "expected"), RESOLVES)
def test_resolve_identifiers(text: str, expected: PaperRef) -> None:
    ref = resolve(text)
    assert type(ref) is type(expected)
    assert ref == expected


TITLES: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "Intriguing properties of neural networks",
        "Intriguing properties of neural networks",
        ("Intriguing", "properties", "of", "neural", "networks"),
    ),
    ("  AND/OR   graphs ", "AND/OR graphs", ("AND", "OR", "graphs")),
    ("and/or", "and/or", ("and", "or")),
    (
        "'; DROP TABLE papers; --",
        "'; DROP TABLE papers; --",
        ("DROP", "TABLE", "papers"),
    ),
    ("self-normalizing * nets", "self-normalizing * nets", ("self", "normalizing", "nets")),
    (
        '"Attention is all you need"',
        "Attention is all you need",
        ("Attention", "is", "all", "you", "need"),
    ),
    ("<deep residual learning>", "deep residual learning", ("deep", "residual", "learning")),
    ("Réseaux de neurones", "Réseaux de neurones", ("Réseaux", "de", "neurones")),
    ("深層学習 の 理論", "深層学習 の 理論", ("深層学習", "の", "理論")),
    ("GPT-4 technical report 🔥", "GPT-4 technical report 🔥", ("GPT", "4", "technical", "report")),
    ("zero\u200bwidth\u200fmarks\u202e", "zerowidthmarks", ("zerowidthmarks",)),
    ("nul\x00 bytes\x00", "nul bytes", ("nul", "bytes")),
    ("tabs\tand\nnewlines", "tabs and newlines", ("tabs", "and", "newlines")),
    (
        "version 1.2.3 costs $1312.61",
        "version 1.2.3 costs $1312.61",
        ("version", "1", "2", "3", "costs", "1312", "61"),
    ),
    ("arXiv Dataset statistics", "arXiv Dataset statistics", ("arXiv", "Dataset", "statistics")),
    (
        "1312.6199 adversarial examples",
        "1312.6199 adversarial examples",
        ("1312", "6199", "adversarial", "examples"),
    ),
    ("input/output", "input/output", ("input", "output")),
    ("v", "v", ("v",)),
    ("हिन्दी भाषा", "हिन्दी भाषा", ("हिन्दी", "भाषा")),
]


@pytest.mark.parametrize(("text", "clean", "words"), TITLES)
def test_resolve_titles(text: str, clean: str, words: tuple[str, ...]) -> None:
    assert resolve(text) == TitleWords(clean, words)


def test_title_words_are_capped_at_32() -> None:
    ref = resolve(" ".join(f"w{i}" for i in range(40)))
    assert isinstance(ref, TitleWords)
    assert ref.words == tuple(f"w{i}" for i in range(32))
    assert ref.text.endswith("w39")


UNUSABLE: list[tuple[str, str]] = [
    ("", "the query is empty"),
    ("   \t\n ", "the query is empty"),
    ("\x00\x00", "the query is empty"),
    ("x" * 5000, f"the query is 5000 characters long; the limit is {MAX_QUERY_LENGTH}"),
    ("\u200b\u200c\u200d\ufeff", "only invisible or control characters"),
    ("\u202e\u200f\x07\x1b", "only invisible or control characters"),
    ("\u3164\u3164", "only invisible or control characters"),
    ("?!... --- ***", "no letters or digits"),
    ("🔥🚀👍🏽", "no letters or digits"),
    ("<>", "no letters or digits"),
    ("''", "no letters or digits"),
    (
        "2401.1234",
        "2401.1234 is not a valid arXiv id: ids from 2015 on have 5 digits after the dot",
    ),
    ("1312.61990", "ids from 0704 to 1412 have 4 digits after the dot"),
    ("1313.6199", "13 is not a month (01-12)"),
    ("2400.12345", "00 is not a month (01-12)"),
    ("0612.1234", "new-style ids start in April 2007 (0704)"),
    ("1312.6199v0", "v0 is not a version"),
    ("arXiv:2401.1234v2", "ids from 2015 on have 5 digits after the dot"),
    ("arXiv 2401.1234", "ids from 2015 on have 5 digits after the dot"),
    ("arXiv:not-an-id", "not-an-id is not an arXiv id"),
    ("arXiv:", "no id after arXiv:"),
    ("hep-th/990100", "old-style ids have 7 digits (YYMMNNN) after the slash"),
    ("hep-th/9913001", "13 is not a month (01-12)"),
    ("hep-th/0801001", "old-style ids run from 1991 to March 2007"),
    ("https://arxiv.org/abs/2401.1234", "ids from 2015 on have 5 digits after the dot"),
    ("https://arxiv.org/list/cs.LG/recent", "the arXiv link does not point to a paper"),
    ("https://arxiv.org/", "the arXiv link does not point to a paper"),
    ("10.48550/arXiv.2401.1234", "ids from 2015 on have 5 digits after the dot"),
    ("10.48550/arXiv.foo", "10.48550/arXiv.foo is an arXiv DOI but foo is not an arXiv id"),
    ("doi:", "no DOI after doi:"),
    ("doi:banana", "banana is not a valid DOI"),
    ("https://doi.org/", "no DOI after doi:"),
    ("https://www.shortscience.org/paper", "the ShortScience link does not name a paper"),
    ("https://www.shortscience.org/about?bibtexKey=x", "does not name a paper"),
    ("https://openreview.net/forum?id=abc", "links to openreview.net are not supported"),
    ("https://[::1", "the link could not be parsed"),
    ("https://", "the link has no host name"),
]


@pytest.mark.parametrize(("text", "reason"), UNUSABLE)
def test_resolve_unusable(text: str, reason: str) -> None:
    with pytest.raises(UnusableQuery) as caught:
        resolve(text)
    assert reason in caught.value.reason
    assert str(caught.value) == caught.value.reason


def test_unusable_query_is_a_value_error() -> None:
    error = UnusableQuery("the query is empty")
    assert isinstance(error, ValueError)
    assert error.reason == "the query is empty"


def test_length_limit_counts_after_stripping() -> None:
    padded = " " * 1000 + "a" * MAX_QUERY_LENGTH + "\n" * 1000
    assert resolve(padded) == TitleWords("a" * MAX_QUERY_LENGTH, ("a" * MAX_QUERY_LENGTH,))
    with pytest.raises(UnusableQuery, match="501 characters"):
        resolve("a" * (MAX_QUERY_LENGTH + 1))


def test_arxiv_id_value_object() -> None:
    ref = ArxivId("1312.6199", 4)
    assert str(ref) == "1312.6199"
    assert ref.versioned == "1312.6199v4"
    assert ArxivId("1312.6199").versioned == "1312.6199"
    assert ref.abs_url == "https://arxiv.org/abs/1312.6199"
    assert ArxivId("math.GT/0309136").abs_url == "https://arxiv.org/abs/math.GT/0309136"
    assert ref != ArxivId("1312.6199")


@pytest.mark.parametrize(
    ("raw", "version"),
    [("1312.6199v4", None), ("arXiv:1312.6199", None), ("Math.gt/0309136", None), ("1312.6199", 0)],
)
def test_arxiv_id_rejects_non_canonical_values(raw: str, version: int | None) -> None:
    with pytest.raises(ValueError, match="arXiv"):
        ArxivId(raw, version)


def test_doi_compares_case_insensitively() -> None:
    upper, lower = Doi("10.1002/ANIE.201915678"), Doi("10.1002/anie.201915678")
    assert upper == lower
    assert hash(upper) == hash(lower)
    assert upper.normalized == "10.1002/anie.201915678"
    assert upper.doi == "10.1002/ANIE.201915678"
    assert upper != BibtexKey("10.1002/ANIE.201915678")
    assert len({upper, lower}) == 1


PARSE_ARXIV: list[tuple[str, ArxivId | None]] = [
    ("1706.02515", A("1706.02515")),
    ("  1312.6199v2\n", A("1312.6199", 2)),
    ("oai:arXiv.org:2411.01234v1", A("2411.01234", 1)),
    ("oai:arXiv.org:hep-th/9901001", A("hep-th/9901001")),
    ("arXiv:2411.01234", A("2411.01234")),
    ("http://arxiv.org/abs/2411.01234v1", A("2411.01234", 1)),
    ("https://arxiv.org/pdf/2411.01234v3.pdf", A("2411.01234", 3)),
    ("10.48550/arXiv.1312.6199", A("1312.6199")),
    ("https://doi.org/10.48550/arXiv.1312.6199", A("1312.6199")),
    ("math.gt/0309136", A("math.GT/0309136")),
    ("", None),
    ("   ", None),
    ("2401.1234", None),
    ("1313.6199", None),
    ("arXiv:garbage", None),
    ("10.1101/262501", None),
    ("journals/corr/1608.06993", None),
    ("conf/nips/LeeS00", None),
    ("https://www.shortscience.org/paper?bibtexKey=journals/corr/1706.02515", None),
    ("https://example.org/abs/1312.6199", None),
    ("see 1312.6199", None),
    ("1312.6199 and 1312.6200", None),
    ("1" * 600, None),
]


@pytest.mark.parametrize(("text", "expected"), PARSE_ARXIV)
def test_parse_arxiv_id(text: str, expected: ArxivId | None) -> None:
    assert parse_arxiv_id(text) == expected


BLOG_POST = """
<article>
  <h1>Notes on Gumbel-softmax</h1>
  <p>The trick is from <a href="https://arxiv.org/pdf/1611.01144v1.pdf">Jang et al.</a>,
  building on adversarial work (<a href="https://arxiv.org/abs/1312.6199">Szegedy</a>).
  See also <a href='https://arxiv.org/abs/1611.01144v2'>the later version</a> and
  arXiv:1312.6199v4 again.</p>
  <p>We used PyTorch 1.13.1 and numpy 1.26.4 on a 2080.12345-dollar box; the repo at
  version 2401.12345 costs 1312.6199 credits. Old work: arXiv:hep-th/9901001v2 and
  doi <code>10.48550/arXiv.2401.12345</code>; ar5iv copy
  https://ar5iv.labs.arxiv.org/html/1706.02515.</p>
</article>
"""

FINDS: list[tuple[str, list[ArxivId]]] = [
    (
        BLOG_POST,
        [
            A("1611.01144", 1),
            A("1312.6199"),
            A("hep-th/9901001", 2),
            A("2401.12345"),
            A("1706.02515"),
        ],
    ),
    ("arXiv 1312.6199 and ARXIV: 2401.12345v3", [A("1312.6199"), A("2401.12345", 3)]),
    ("oai:arXiv.org:2411.01234v1", [A("2411.01234", 1)]),
    ("export.arxiv.org/abs/math.GT/0309136v1", [A("math.GT/0309136", 1)]),
    ("http://www.arxiv.org/html/2401.12345v2/#S1", [A("2401.12345", 2)]),
    ("[paper](https://arxiv.org/abs/1312.6199).", [A("1312.6199")]),
    ("Python 3.11.7, release 1312.6199, price 2401.12345 USD", []),
    ("hep-th/9901001 without context", []),
    ("arXiv:2401.1234 and arXiv:1313.6199 are invalid", []),
    ("arXiv:1312.61990 is too long", []),
    ("arXiv:foo-bar/9901001 is not an archive", []),
    ("fakearxiv.org/abs/1312.6199", []),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), FINDS)
def test_find_arxiv_ids(text: str, expected: list[ArxivId]) -> None:
    assert find_arxiv_ids(text) == expected


def test_find_arxiv_ids_first_version_wins() -> None:
    text = "arXiv:1312.6199v2 then https://arxiv.org/abs/1312.6199v4 then arXiv:1312.6199"
    assert find_arxiv_ids(text) == [A("1312.6199", 2)]


_new_style_4 = st.builds(
    lambda yy, mm, n: f"{yy:02d}{mm:02d}.{n:04d}",
    st.integers(7, 14),
    st.integers(1, 12),
    st.integers(0, 9999),
).filter(lambda s: "0704" <= s[:4] <= "1412")
_new_style_5 = st.builds(
    lambda yy, mm, n: f"{yy:02d}{mm:02d}.{n:05d}",
    st.integers(15, 99),
    st.integers(1, 12),
    st.integers(0, 99999),
)
_old_style = st.builds(
    lambda archive, cls, yymm, n: f"{archive}{cls}/{yymm}{n:03d}",
    st.sampled_from(sorted(ARXIV_ARCHIVES)),
    st.sampled_from(["", ".GT", ".AI", ".LG"]),
    st.sampled_from([f"{y:02d}{m:02d}" for y in (91, 95, 99, 0, 3, 6) for m in range(1, 13)]),
    st.integers(0, 999),
)
valid_arxiv_ids = st.builds(
    ArxivId,
    st.one_of(_new_style_4, _new_style_5, _old_style),
    st.none() | st.integers(1, 999),
)


@given(st.text())
def test_resolve_returns_a_ref_or_raises_unusable(text: str) -> None:
    try:
        ref = resolve(text)
    except UnusableQuery as error:
        assert error.reason  # noqa: PT017 - either outcome is valid here
    else:
        assert isinstance(ref, ArxivId | BibtexKey | Doi | TitleWords)
        if isinstance(ref, TitleWords):
            assert ref.words
            assert len(ref.words) <= 32


@given(valid_arxiv_ids)
def test_valid_arxiv_ids_round_trip(ref: ArxivId) -> None:
    assert resolve(str(ref)) == ArxivId(ref.id)
    assert resolve(ref.versioned) == ref
    assert resolve(f"<{ref.abs_url}>") == ArxivId(ref.id)
    assert parse_arxiv_id(f"arXiv:{ref.versioned}") == ref
    assert find_arxiv_ids(f"see arXiv:{ref.versioned}.") == [ref]
