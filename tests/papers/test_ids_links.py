"""Paper links as people write them now: papers.links through resolve and find_arxiv_ids."""

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from papers.ids import ArxivId, BibtexKey, Doi, PaperRef, UnusableQuery, find_arxiv_ids, resolve
from papers.links import Link, UnusableLink, read_link, unwrap
from tests.papers.test_ids import valid_arxiv_ids

A = ArxivId

RESOLVES: list[tuple[str, PaperRef]] = [
    # arxiv.org: hosts, case, paths, versions, .pdf, query, fragment, trailing slash
    ("ArXiv.org/abs/1706.03762", A("1706.03762")),
    ("HTTPS://WWW.ARXIV.ORG/ABS/1706.03762V5", A("1706.03762", 5)),
    ("https://export.arxiv.org/pdf/1706.03762v7.pdf", A("1706.03762", 7)),
    ("https://arxiv.org/html/2401.12345v2#S3.SS1", A("2401.12345", 2)),
    ("https://arxiv.org/format/1706.03762", A("1706.03762")),
    ("https://arxiv.org/ps/hep-th/9901001v1", A("hep-th/9901001", 1)),
    ("https://arxiv.org/src/2401.12345v1", A("2401.12345", 1)),
    ("https://arxiv.org/e-print/2401.12345", A("2401.12345")),
    ("https://arxiv.org/abs/1706.03762v5/?context=cs.LG", A("1706.03762", 5)),
    ("https://arxiv.org/abs/math.GT/0309136v2", A("math.GT/0309136", 2)),
    ("https://arxiv.org/abs/hep-th%2F9901001", A("hep-th/9901001")),
    ("https://browse.arxiv.org/html/2308.12345v1/", A("2308.12345", 1)),  # 2023 HTML beta
    # ar5iv
    ("https://ar5iv.org/abs/1910.06709", A("1910.06709")),
    ("ar5iv.org/html/1910.06709", A("1910.06709")),
    ("https://ar5iv.labs.arxiv.org/html/1706.03762#S3", A("1706.03762")),
    # alphaXiv
    ("https://www.alphaxiv.org/abs/2401.12345", A("2401.12345")),
    ("https://www.alphaxiv.org/overview/2512.21120v1", A("2512.21120", 1)),
    ("alphaxiv.org/overview/2505.05470", A("2505.05470")),
    ("https://www.alphaxiv.org/pdf/1504.00702v5?page=33", A("1504.00702", 5)),
    # Hugging Face papers (and its hf.co short domain)
    ("https://huggingface.co/papers/2401.12345", A("2401.12345")),
    ("https://huggingface.co/papers/2401.12345#community", A("2401.12345")),
    ("huggingface.co/papers/2412.19437?utm_source=digest", A("2412.19437")),
    ("https://hf.co/papers/1909.05858", A("1909.05858")),
    # Semantic Scholar (arXiv's abs pages link api.semanticscholar.org/arXiv:ID)
    ("https://www.semanticscholar.org/arxiv/1706.03762", A("1706.03762")),
    ("semanticscholar.org/arxiv/2105.08276", A("2105.08276")),
    ("https://api.semanticscholar.org/arXiv:1706.04599", A("1706.04599")),
    ("https://api.semanticscholar.org/v1/paper/arXiv:2403.00825", A("2403.00825")),
    ("https://api.semanticscholar.org/graph/v1/paper/arXiv:2106.15928/citations", A("2106.15928")),
    # SciRate
    ("https://scirate.com/arxiv/1404.1507", A("1404.1507")),
    ("scirate.com/arxiv/2503.22071#2408", A("2503.22071")),
    # Papers with Code: only its API links carry the id (its paper pages have slugs)
    ("https://arxiv.paperswithcode.com/api/v0/papers/2106.09685", A("2106.09685")),
    ("https://arxiv.paperswithcode.com/api/v0/repos-and-datasets/2106.09685", A("2106.09685")),
    ("https://paperswithcode.com/api/v1/papers/?arxiv_id=1706.03762", A("1706.03762")),
    # other sites arXiv's abs pages link to
    ("https://scholar.google.com/scholar_lookup?arxiv_id=1706.03762", A("1706.03762")),
    ("https://ui.adsabs.harvard.edu/abs/arXiv:1706.03762", A("1706.03762")),
    ("https://ui.adsabs.harvard.edu/abs/arXiv:math%2F0703055/abstract", A("math/0703055")),
    ("https://www.connectedpapers.com/api/redirect/arxiv/1706.03762", A("1706.03762")),
    ("https://papers.cool/arxiv/2212.11743", A("2212.11743")),
    # redirect wrappers, percent-encoded
    (
        "https://www.google.com/url?q=https%3A%2F%2Farxiv.org%2Fabs%2F1706.03762&sa=D",
        A("1706.03762"),
    ),
    ("https://medium.com/r/?url=https%3A%2F%2Farxiv.org%2Fpdf%2F1506.01497.pdf", A("1506.01497")),
    (
        "https://l.facebook.com/l.php?u=https%3A%2F%2Fhuggingface.co%2Fpapers%2F2401.12345",
        A("2401.12345"),
    ),
    (
        # Outlook safe link around a Google redirect: two wrappers
        "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.google.com%2Furl"
        "%3Fq%3Dhttps%253A%252F%252Farxiv.org%252Fabs%252F1706.03762&data=05",
        A("1706.03762"),
    ),
    (
        "https://www.google.com/url?q=https://doi.org/10.1038/nature16961",
        Doi("10.1038/nature16961"),
    ),
    # DOIs of arXiv papers
    ("https://doi.org/10.48550/arXiv.1706.03762", A("1706.03762")),
    ("https://doi.org/10.48550%2FarXiv.1706.03762", A("1706.03762")),
    ("doi:10.48550/arXiv.math.GT/0309136", A("math.GT/0309136")),
    # arXiv prefixes
    ("arXiv id: 1706.03762", A("1706.03762")),
    ("arXiv ID 1706.03762v5", A("1706.03762", 5)),
    ("arXiv identifier: cs.AI/0112017", A("cs.AI/0112017")),
    ("arxiv cs/0112017v1", A("cs/0112017", 1)),
    # wrapped as Discord and people paste them
    ("<https://huggingface.co/papers/2401.12345>", A("2401.12345")),
    ("`https://www.alphaxiv.org/abs/2401.12345`", A("2401.12345")),
    # still what they were
    (
        "https://www.shortscience.org/paper?bibtexKey=conf/nips/LeeS00",
        BibtexKey("conf/nips/LeeS00"),
    ),
    ("https://dl.acm.org/doi/10.1145/3292500.3330701", Doi("10.1145/3292500.3330701")),
]


@pytest.mark.parametrize(("text", "expected"), RESOLVES)
def test_resolve_links(text: str, expected: PaperRef) -> None:
    ref = resolve(text)
    assert type(ref) is type(expected)
    assert ref == expected


UNUSABLE: list[tuple[str, str]] = [
    # links to these sites that name no paper by its arXiv id
    ("https://huggingface.co/papers", "the Hugging Face link carries no arXiv id"),
    ("https://huggingface.co/papers?q=attention", "the Hugging Face link carries no arXiv id"),
    ("https://huggingface.co/papers/trending", "the Hugging Face link carries no arXiv id"),
    ("https://huggingface.co/models/bert-base", "the Hugging Face link carries no arXiv id"),
    ("huggingface.co/meta-llama/Llama-2-7b", "the Hugging Face link carries no arXiv id"),
    (
        "https://paperswithcode.com/paper/attention-is-all-you-need",
        "the Papers with Code link carries no arXiv id; use an arXiv link, the arXiv id or the"
        " title",
    ),
    (
        "https://www.semanticscholar.org/paper/204e3073870fae3d05bcbc2f6a8e263d9b72e776",
        "the Semantic Scholar link carries no arXiv id",
    ),
    ("https://www.alphaxiv.org/", "the alphaXiv link carries no arXiv id"),
    ("https://scirate.com/", "the SciRate link carries no arXiv id"),
    ("https://info.arxiv.org/help/api/index.html", "the arXiv link does not point to a paper"),
    ("https://arxiv.org/list/cs.LG/recent", "the arXiv link does not point to a paper"),
    ("https://export.arxiv.org/api/query?id_list=1706.03762", "does not point to a paper"),
    ("https://arxiv.org/html/2401.12345v2/x1.png", "the arXiv link does not point to a paper"),
    ("https://arxiv.org/abs/1706.03762/citations", "the arXiv link does not point to a paper"),
    # invalid ids behind good links
    ("https://huggingface.co/papers/2401.1234", "ids from 2015 on have 5 digits after the dot"),
    ("https://www.alphaxiv.org/abs/1313.6199", "13 is not a month (01-12)"),
    ("https://scholar.google.com/scholar_lookup?arxiv_id=1706.03762v0", "v0 is not a version"),
    ("arXiv id: 2401.1234", "ids from 2015 on have 5 digits after the dot"),
    # wrappers that lead nowhere usable
    (
        "https://www.google.com/url?q=https%3A%2F%2Fopenreview.net%2Fforum",
        "links to openreview.net",
    ),
    ("https://www.google.com/search?q=attention+is+all+you+need", "links to google.com are not"),
    ("https://substack.com/redirect/ed771677-18ec-475e-9e66-428aa7c4c7f2?j=eyJ1", "substack.com"),
    ("https://fakearxiv.org/abs/1706.03762", "links to fakearxiv.org are not supported"),
    ("https://arxiv.org.example.com/abs/1706.03762", "links to arxiv.org.example.com are not"),
]


@pytest.mark.parametrize(("text", "reason"), UNUSABLE)
def test_resolve_unusable_links(text: str, reason: str) -> None:
    with pytest.raises(UnusableQuery) as caught:
        resolve(text)
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    "text",
    [
        "huggingface.co/papers is where I look",  # prose, not a link
        "arXiv identity crisis",
        "paperswithcode",
    ],
)
def test_link_like_words_stay_title_words(text: str) -> None:
    assert not isinstance(resolve(text), ArxivId)


def test_read_link_says_what_and_where() -> None:
    assert read_link("https://huggingface.co/papers/2401.12345v2") == Link(
        "arxiv", "2401.12345v2", "Hugging Face"
    )
    assert read_link("https://dl.acm.org/doi/10.1145/1") == Link(
        "doi-in-path", "10.1145/1", "dl.acm.org"
    )
    with pytest.raises(UnusableLink, match=r"links to t\.co are not supported"):
        read_link("https://t.co/AbCdEf123")


def _google(url: str) -> str:
    """``url`` behind Google's redirect, as Google Docs and search results write it."""
    return f"https://www.google.com/url?q={quote(url, safe='')}&sa=D"


def test_redirect_wrappers_are_read_three_deep_only() -> None:
    link = "https://arxiv.org/abs/1706.03762"
    for _ in range(3):
        link = _google(link)
    assert resolve(link) == A("1706.03762")
    assert find_arxiv_ids(link) == [A("1706.03762")]
    with pytest.raises(UnusableQuery, match=r"links to google\.com are not supported"):
        resolve(_google(link))


def test_unwrap_undoes_entities_spaces_and_percent_encoding() -> None:
    assert unwrap("a&amp;b&nbsp;c") == "a&b c"
    assert unwrap("https%253A%252F%252Fx") == "https://x"
    assert unwrap("100% sure") == "100% sure"
    assert unwrap("plain") == "plain"


WORDPRESS_POST = """
<div class="entry-content">
<p>This week: <a href="https://huggingface.co/papers/2401.12345" target="_blank"
rel="noreferrer noopener">Self-Rewarding Language Models</a> (also on
<a href="https://www.alphaxiv.org/overview/2401.10020v2">alphaXiv</a>), and the classic
<a href="HTTPS://ARXIV.ORG/ABS/1706.03762">Transformer paper</a>.</p>
<p>Figure from <a href="https://arxiv.org/html/2312.00752v1#S3.F2">Mamba</a>; citations on
<a href="https://www.semanticscholar.org/arxiv/1810.04805">Semantic Scholar</a>, discussion on
<a href="https://scirate.com/arxiv/1404.1507">SciRate</a>.</p>
<p>We ran it with PyTorch 2.1.2 and transformers 4.36.2; the batch cost 1312.6199 dollars.
Model card: <a href="https://huggingface.co/meta-llama/Llama-2-7b">Llama 2</a>, listing:
<a href="https://huggingface.co/papers">daily papers</a>, Papers with Code:
<a href="https://paperswithcode.com/paper/attention-is-all-you-need">page</a>.</p>
<p>Cite as arXiv&nbsp;2305.18290 (DPO) &#8212; doi:
<a href="https://doi.org/10.48550/arXiv.2203.02155">10.48550/arXiv.2203.02155</a>.</p>
</div>
<div class="sharedaddy"><a href="https://twitter.com/share?url=https%3A%2F%2Fblog.example.org">
Share</a></div>
"""

SUBSTACK_POST = """
<div class="body markup"><p>Three papers from the week.</p>
<p><a href="https://www.google.com/url?q=https%3A%2F%2Farxiv.org%2Fabs%2F2305.10601&amp;sa=D
&amp;source=editors&amp;ust=1700000000000000&amp;usg=AOvVaw0">Tree of Thoughts</a> (a link
pasted from Google Docs), <a href="https://medium.com/r/?url=https%3A%2F%2Farxiv.org%2Fpdf%2F2201.11903v6.pdf"
rel>chain of thought</a>, and
<a href="https://substack.com/redirect/ed771677-18ec-475e-9e66-428aa7c4c7f2?j=eyJ1IjoicXd0ciJ9.0tEp">
a link Substack hides behind its own redirect</a>.</p>
<div class="captioned-image-container"><figure><a class="image-link" target="_blank"
href="https://substackcdn.com/image/fetch/f_auto,q_auto:good/https%3A%2F%2Fsubstack-post-media.s3.amazonaws.com%2Fpublic%2Fimages%2F1706.03762.png">
</a></figure></div>
<p>Subscribe for 2401.12345 more.</p></div>
"""

MARKDOWN_POST = """
## Reading list

* [Attention Is All You Need](https://arxiv.org/abs/1706.03762v7) ([HF](https://hf.co/papers/1706.03762))
* [LoRA](<https://arxiv.org/pdf/2106.09685.pdf>), code via
  [PwC API](https://arxiv.paperswithcode.com/api/v0/papers/2106.09685)
* Old but gold: arXiv:hep-th/9711200v3, [ar5iv](https://ar5iv.org/abs/1512.03385).
* Scholar: <https://scholar.google.com/scholar_lookup?arxiv_id=1412.6980>
* See the ADS entry (https://ui.adsabs.harvard.edu/abs/arXiv:1502.03167).
* Python 3.12.1, numpy 1.26.4, version 2106.09685 of nothing.
"""

FINDS: list[tuple[str, list[ArxivId]]] = [
    (
        WORDPRESS_POST,
        [
            A("2401.12345"),
            A("2401.10020", 2),
            A("1706.03762"),
            A("2312.00752", 1),
            A("1810.04805"),
            A("1404.1507"),
            A("2305.18290"),
            A("2203.02155"),
        ],
    ),
    (SUBSTACK_POST, [A("2305.10601"), A("2201.11903", 6)]),
    (
        MARKDOWN_POST,
        [
            A("1706.03762", 7),
            A("2106.09685"),
            A("hep-th/9711200", 3),
            A("1512.03385"),
            A("1412.6980"),
            A("1502.03167"),
        ],
    ),
    # one row per form, in plain text and in HTML attributes
    ("(see arxiv.org/abs/1706.03762).", [A("1706.03762")]),
    ("see ArXiv.org/PDF/1706.03762V5.PDF, then", [A("1706.03762", 5)]),  # any case
    ("https://arxiv.org/abs/1706.03762?context=cs.LG#S3", [A("1706.03762")]),
    ("https://arxiv.org/format/1706.03762v2/", [A("1706.03762", 2)]),
    ("https://browse.arxiv.org/html/2308.12345v1", [A("2308.12345", 1)]),
    (
        "ar5iv.org/abs/1910.06709 and ar5iv.labs.arxiv.org/html/1512.03385",
        [A("1910.06709"), A("1512.03385")],
    ),
    ('<a href="https://www.alphaxiv.org/abs/2401.12345">', [A("2401.12345")]),  # alphaXiv
    ('<a href="https://huggingface.co/papers/2401.12345#community">', [A("2401.12345")]),
    ("https://api.semanticscholar.org/graph/v1/paper/arXiv:2106.15928", [A("2106.15928")]),
    ("https://www.connectedpapers.com/api/redirect/arxiv/1706.03762", [A("1706.03762")]),
    ("https://papers.cool/arxiv/2212.11743", [A("2212.11743")]),
    ("https://paperswithcode.com/api/v1/papers/?arxiv_id=1706.03762", [A("1706.03762")]),
    ("arXiv ID: 1706.03762; arXiv identifier 2401.12345", [A("1706.03762"), A("2401.12345")]),
    ("arxiv_id: 1706.03762", [A("1706.03762")]),
    ("math.GT/0309136 is arXiv:math.GT/0309136v1", [A("math.GT/0309136", 1)]),
    ("https%3A%2F%2Farxiv.org%2Fabs%2Fhep-th%2F9901001", [A("hep-th/9901001")]),
    ("q=https%253A%252F%252Fhuggingface.co%252Fpapers%252F2401.12345", [A("2401.12345")]),
    ("arXiv&#58;1706.03762 and arXiv&#x3A;2401.12345", [A("1706.03762"), A("2401.12345")]),
    # negative rows: no arXiv context, or a site page that carries no id
    ("1706.03762", []),
    ("Transformers 4.36.2 on CUDA 12.1; build 2401.12345", []),
    ("huggingface.co/papers and huggingface.co/models/2401.12345", []),
    ("https://huggingface.co/datasets/arxiv/2401.12345", []),
    ("https://paperswithcode.com/paper/attention-is-all-you-need 1706.03762", []),
    ("https://www.semanticscholar.org/paper/204e3073870fae3d05bcbc2f6a8e263d9b72e776", []),
    ("https://github.com/user/arxiv-1706.03762", []),
    ("notalphaxiv.org/abs/2401.12345 and myhf.co/papers/2401.12345", []),
    ("arxiv-sanity and 1706.03762", []),
    ("huggingface.co/papers/2401.1234 (a typo)", []),
    ("100%25 sure about 1706.03762", []),
]


@pytest.mark.parametrize(("text", "expected"), FINDS)
def test_find_arxiv_ids_in_posts(text: str, expected: list[ArxivId]) -> None:
    assert find_arxiv_ids(text) == expected


SITE_LINKS = [
    "https://arxiv.org/abs/{}",
    "https://export.arxiv.org/pdf/{}.pdf",
    "https://www.alphaxiv.org/overview/{}",
    "https://huggingface.co/papers/{}#community",
    "https://www.semanticscholar.org/arxiv/{}",
    "https://api.semanticscholar.org/arXiv:{}",
    "https://scirate.com/arxiv/{}",
    "https://arxiv.paperswithcode.com/api/v0/papers/{}",
    "https://scholar.google.com/scholar_lookup?arxiv_id={}",
]


@pytest.mark.parametrize("template", SITE_LINKS)
@given(ref=valid_arxiv_ids)
def test_every_site_link_round_trips(template: str, ref: ArxivId) -> None:
    link = template.format(ref.versioned)
    assert resolve(link) == ref
    assert resolve(f"<{link}>") == ref
    assert find_arxiv_ids(f'<p>See <a href="{link}">this</a>.</p>') == [ref]
    wrapped = _google(link)
    assert resolve(wrapped) == ref
    assert find_arxiv_ids(f"[x]({wrapped})") == [ref]


@given(st.text(alphabet="%23ABFhtps:/.?=&#qu0123456789xarivXv", max_size=80))
def test_read_link_only_raises_unusable_link(text: str) -> None:
    try:
        read_link(f"https://www.google.com/url?q={text}")
    except UnusableLink as error:
        assert error.reason  # noqa: PT017 - either outcome is valid here
