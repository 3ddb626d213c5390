"""Summaries' Markdown + TeX: parsed once, rendered per platform, cut after rendering."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from defusedxml import ElementTree as ET
from hypothesis import given, settings
from hypothesis import strategies as st

from papers import markup_render as render
from papers.markup import Document, Heading, ListBlock, Math, Paragraph, parse
from papers.tex import to_unicode

SAMPLES = Path(__file__).parents[2] / "bot" / "samples" / "shortscience-rss.xml"
TEX_COMMAND = re.compile(r"\\[A-Za-z]+")
MARKDOWN_SYNTAX = re.compile(r"\*\*|__|^#{1,6} |\]\(|`|^\s*[*-] |\$", re.MULTILINE)


def plain(text: str, limit: int | None = None) -> str:
    return render.plain(parse(text), limit)


def discord(text: str, limit: int | None = None) -> str:
    return render.discord(parse(text), limit)


def html(text: str, limit: int | None = None) -> str:
    return render.html(parse(text), limit)


# ------------------------------------------------------------------------ TeX as Unicode


@pytest.mark.parametrize(
    ("tex", "expected"),
    [
        (r"x_{t+1}", "xₜ₊₁"),
        (r"\beta_1", "β₁"),
        (r"\beta_1 = 0.9", "β₁ = 0.9"),
        (r"O(\sqrt{T})", "O(√T)"),
        (r"L_\infty", "L_∞"),  # no subscript infinity in Unicode: readable, not raw
        (r"\frac{a}{b}", "a/b"),
        (r"\frac{a+b}{2}", "(a+b)/2"),
        (r"\mathbb{R}^n", "ℝⁿ"),
        (r"\mathcal{L}", "ℒ"),
        (r"\mathcal{O}(n \log n)", "𝒪(n log n)"),
        (r"W^T", "Wᵀ"),
        (r"A^{-1}", "A⁻¹"),
        (r"10^{-8}", "10⁻⁸"),
        (r"\sum_{i=1}^n x_i", "∑ᵢ₌₁ⁿ xᵢ"),
        (r"\hat{y} = \arg\max_k p(y=k|x)", "ŷ = arg maxₖ p(y = k|x)"),
        (r"\|x\|_2 \leq \epsilon", "‖x‖₂ ≤ ϵ"),
        (r"\theta_{t+1} = \theta_t - \eta \nabla L(\theta_t)", "θₜ₊₁ = θₜ − η ∇ L(θₜ)"),
        (r"\text{softmax}(z)_i", "softmax(z)ᵢ"),
        (r"\sqrt[3]{x}", "∛x"),
        (r"\not\in", "∉"),
        (r"e^{-x^2}", "e^(−x²)"),
    ],
)
def test_tex_becomes_readable_unicode(tex: str, expected: str) -> None:
    assert to_unicode(tex) == expected


@pytest.mark.parametrize(
    "tex",
    [
        r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}",  # matrices: shown as TeX
        r"\mycustommacro{x}",  # unknown macros
        r"x^{",  # unbalanced
        r"a}",
        "x" * 3000,  # too long to bother
    ],
)
def test_tex_that_cannot_be_made_readable_is_left_as_tex(tex: str) -> None:
    assert to_unicode(tex) is None


# ------------------------------------------------------------------------ parsing


def test_math_delimiters_and_what_is_not_math() -> None:
    doc = parse(r"We set $\beta_1 = 0.9$, \(x^2\) and $$E = mc^2$$; it costs $5 and $10.")
    (paragraph,) = doc.blocks
    assert isinstance(paragraph, Paragraph)
    maths = [i for i in paragraph.inlines if isinstance(i, Math)]
    assert [(m.tex, m.unicode, m.display) for m in maths] == [
        (r"\beta_1 = 0.9", "β₁ = 0.9", False),
        ("x^2", "x²", False),
        ("E = mc^2", "E = mc²", True),
    ]
    assert plain(r"it costs $5 and $10, or a $ sign") == "it costs $5 and $10, or a $ sign"
    assert plain(r"display \[a_1\] inline") == "display a₁ inline"


def test_a_summary_flattened_to_one_line_gets_its_structure_back() -> None:
    # ShortScience's RSS puts a summary on one line: headings and list items mid-line
    doc = parse(
        "Deeper networks should be easy. Advantages: * Learning the identity is simple * "
        "No loss in the forward pass ### Idea Adam keeps **running averages** of $g_t$"
    )
    kinds = [type(block) for block in doc.blocks]
    assert kinds == [Paragraph, ListBlock, Heading, Paragraph]
    heading = doc.blocks[2]
    assert isinstance(heading, Heading) and heading.level == 3
    assert plain_text_of(heading) == "Idea"
    assert plain(doc.source) == (
        "Deeper networks should be easy. Advantages: • Learning the identity is simple "
        "• No loss in the forward pass Idea: Adam keeps running averages of gₜ"
    )


def plain_text_of(block: Heading) -> str:
    return render.plain(Document((Paragraph(block.inlines),)))


def test_a_summary_cut_by_its_feed_is_marked_and_its_open_formula_is_still_math() -> None:
    doc = parse(r"The update is **important** and uses $\beta_1 = 0.9 and \epsilon_{...")
    assert doc.truncated
    out = plain(doc.source)
    assert "β₁" in out and "\\" not in out and "$" not in out and out.endswith("…")
    debris = parse("the **running averag...")
    assert plain(debris.source) == "the running averag…"


# ------------------------------------------------------------------------ per platform

CASES = [
    # (source, plain, discord, html)
    (
        r"Adam keeps **running averages**: $\beta_1 = 0.9$, $x_{t+1}$",
        "Adam keeps running averages: β₁ = 0.9, xₜ₊₁",
        "Adam keeps **running averages**: β₁ = 0.9, xₜ₊₁",
        r"<p>Adam keeps <strong>running averages</strong>: \(\beta_1 = 0.9\), \(x_{t+1}\)</p>",
    ),
    (
        "### How\n\n* one *step*\n* two",
        "How: • one step • two",
        "**How**\n- one *step*\n- two",
        "<h6>How</h6><ul><li>one <em>step</em></li><li>two</li></ul>",
    ),
    (
        "Run `echo $HOME` then `a_b`",  # code spans hold $ and _ that are not math
        "Run echo $HOME then a_b",
        "Run `echo $HOME` then `a_b`",
        "<p>Run <code>echo $HOME</code> then <code>a_b</code></p>",
    ),
    (
        "See [the paper](https://arxiv.org/abs/1412.6980) and [CIFAR10]()",
        "See the paper and CIFAR10",
        "See [the paper](https://arxiv.org/abs/1412.6980) and CIFAR10",
        '<p>See <a href="https://arxiv.org/abs/1412.6980">the paper</a> and CIFAR10</p>',
    ),
    (
        r"Loss $O(\sqrt{T})$ over $\mathbb{R}^d$ with $\frac{1}{2}\|w\|^2$",
        "Loss O(√T) over ℝᵈ with 1/2‖w‖²",
        "Loss O\\(√T\\) over ℝᵈ with 1/2‖w‖²",
        r"<p>Loss \(O(\sqrt{T})\) over \(\mathbb{R}^d\) with \(\frac{1}{2}\|w\|^2\)</p>",
    ),
    (
        r"The matrix $\begin{pmatrix}a & b\\ c & d\end{pmatrix}$ stays TeX",
        r"The matrix \begin{pmatrix}a & b\\ c & d\end{pmatrix} stays TeX",
        r"The matrix `\begin{pmatrix}a & b\\ c & d\end{pmatrix}` stays TeX",
        r"<p>The matrix \(\begin{pmatrix}a &amp; b\\ c &amp; d\end{pmatrix}\) stays TeX</p>",
    ),
    (
        "<script>alert(1)</script> [x](javascript:alert(1)) @everyone",
        "<script>alert(1)</script> x @everyone",
        "<script\\>alert\\(1\\)</script\\> x @\u200beveryone",
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; x @everyone</p>",
    ),
]


@pytest.mark.parametrize(("source", "as_plain", "as_discord", "as_html"), CASES)
def test_each_platform_renders_its_own_way(
    source: str, as_plain: str, as_discord: str, as_html: str
) -> None:
    assert plain(source) == as_plain
    assert discord(source) == as_discord
    assert html(source) == as_html


def seed_summaries() -> list[str]:
    root = ET.parse(SAMPLES).getroot()
    return [item.findtext("description") or "" for item in root.iter("item")]


@pytest.mark.parametrize("summary", seed_summaries())
@pytest.mark.parametrize("limit", [None, 100, 240, 350])
def test_seed_summaries_show_no_raw_syntax(summary: str, limit: int | None) -> None:
    out = plain(summary, limit)
    assert not MARKDOWN_SYNTAX.search(out), out
    assert not TEX_COMMAND.search(out), out
    for text in (out, discord(summary, limit)):
        assert "$" not in text and "\\beta" not in text and "\\underbrace" not in text
    if limit is not None:
        assert len(out) <= limit and len(discord(summary, limit)) <= limit


def test_a_flattened_list_with_no_other_markup_is_still_a_list() -> None:
    # the sample summary of 1312.6199: dashes are its only markup
    text = next(s for s in seed_summaries() if s.startswith("The paper introduces two key"))
    out = plain(text, 240)
    assert out.startswith(
        "The paper introduces two key properties of deep neural networks: "
        "• Semantic meaning of individual units. • Earlier works"
    )
    assert " - " not in out
    assert discord(text).startswith(
        "The paper introduces two key properties of deep neural networks:\n"
        "- Semantic meaning of individual units.\n- Earlier works"
    )
    assert plain("A well-known result - stated once - in prose.") == (
        "A well-known result - stated once - in prose."  # two dashes, no colon: not a list
    )


def test_seed_summaries_keep_their_structure_on_discord() -> None:
    elu = next(s for s in seed_summaries() if s.startswith("* ELUs"))
    out = discord(elu)
    assert out.startswith("- ELUs are an activation function\n- The are most similar")
    assert "\n**How \\(formula\\)**\n" in out
    assert "`if x >= 0: x`" in out


# ------------------------------------------------------------------------ cutting


def test_cuts_prefer_a_sentence_end_near_the_limit() -> None:
    text = "The first sentence ends here. The second one goes on and on for a while longer."
    assert plain(text, 45) == "The first sentence ends here.…"
    assert plain(text, 60) == "The first sentence ends here. The second one goes on and on…"
    assert plain("Short one. " + "word " * 30, 80).endswith("word…")  # too early: a word end


def test_cuts_never_split_a_formula_a_link_or_a_grapheme() -> None:
    text = (
        r"Words before $\sum_{i=1}^{n} x_i^2 + \lambda \|w\|$ and [a long link text](https://e.org)"
    )
    for limit in range(5, 80):
        out = plain(text, limit)
        assert len(out) <= limit
        assert ("∑ᵢ₌₁ⁿ" in out) == ("λ" in out)  # the formula whole or not at all
        assert ("a long" in out) == ("link text" in out)
    family = "👩🏽‍💻" * 30
    out = plain(family, 25)
    assert out.endswith("…") and out[:-1] == "👩🏽‍💻" * (len(out[:-1]) // len("👩🏽‍💻"))


def test_discord_markup_stays_balanced_when_cut() -> None:
    text = "Intro. **A bold claim that goes on and on** and *an aside that is long too* end"
    for limit in range(10, 90):
        out = discord(text, limit)
        assert len(out) <= limit
        assert out.count("**") % 2 == 0
        assert out.replace("**", "").count("*") % 2 == 0


def test_html_stays_well_formed_when_cut() -> None:
    text = "Intro.\n\n* first item is long\n* second **item** here\n\nLast paragraph."
    for limit in range(1, 70):
        out = html(text, limit)
        assert len(re.sub(r"<[^>]+>", "", out)) <= limit + 1
        ET.fromstring(f"<div>{out}</div>")  # every tag closed, in order


words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    parts=st.lists(
        st.one_of(
            words,
            st.sampled_from(
                [
                    r"$\alpha_i$",
                    "**bold words**",
                    "*it*",
                    "`code $x$`",
                    "[link](https://e.org/a)",
                    "\n\n* item\n* item two\n\n",
                    "### Head\n\n",
                    "$5",
                    r"\(x^2\)",
                ]
            ),
        ),
        max_size=40,
    ),
    limit=st.integers(1, 200),
)
def test_any_text_renders_within_the_limit(parts: list[str], limit: int) -> None:
    text = " ".join(parts)
    for out in (plain(text, limit), discord(text, limit)):
        assert len(out) <= limit
    for ch in plain(text):
        assert ch == "\n" or unicodedata.category(ch) not in ("Cc",)
