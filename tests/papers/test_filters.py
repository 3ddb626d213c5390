"""A destination's precise filters: the words maintainers type, authors by surname or full name
(case, accents and initials), whole-word keywords, exclusions, the vote threshold, and the
report of what each filter let through or held back."""

from __future__ import annotations

import pytest

from papers import subscriptions as rules
from papers.filter_report import FilterReport
from papers.filters import OFF_TOPIC, REPLACED, Filters
from papers.model import DigestItem, Paper, PaperItem, Subscription
from papers.model import SubscriptionKind as Kind
from papers.names import is_author, name_words
from tests.arxiv_metadata import PAPERS
from tests.publishers.test_x import summary
from tests.strategies import SEEN

SNN, RESNET, DRAW, ACT, ELU = (
    PAPERS[k] for k in ("1706.02515", "1512.03385", "1502.04623", "1603.08983", "1511.07289")
)
PBP = Paper(
    key="1502.05336",
    arxiv_id="1502.05336",
    title="Probabilistic Backpropagation for Scalable Learning of Bayesian Neural Networks",
    authors=("José Miguel Hernández-Lobato", "Ryan P. Adams"),
    categories=("stat.ML",),
)
WAVENET = Paper(
    key="1609.03499",
    arxiv_id="1609.03499",
    title="WaveNet: A Generative Model for Raw Audio",
    authors=("Aäron van den Oord", "Sander Dieleman", "Heiga Zen", "Karen Simonyan"),
    categories=("cs.SD", "cs.LG"),
)
GNN_REVIEW = Paper(
    key="1812.08434",
    arxiv_id="1812.08434",
    title="Graph Neural Networks: A Review of Methods and Applications",
    authors=("Jie Zhou", "Ganqu Cui", "Zhiyuan Liu", "Maosong Sun"),
    categories=("cs.LG", "cs.AI", "stat.ML"),
    abstract="Lots of learning tasks require dealing with graph data which contains rich "
    "relation information among elements.",
)


def rule(kind: Kind, value: str) -> Subscription:
    return Subscription(0, 0, 0, kind, value)


def summary_of(paper: Paper, votes: int | None = 3, text: str = "A clear summary.") -> DigestItem:
    return DigestItem(summary(int(paper.key[-4:]), text, votes=votes, title=paper.title), (paper,))


def announced(paper: Paper, announce_type: str = "new") -> PaperItem:
    return PaperItem(paper, announce_type, 1, 42, SEEN)


def verdict(item: DigestItem, *typed: str) -> tuple[bool, str]:
    subs = [rule(kind, value) for text in typed for kind, value in rules.parse(text)]
    judged = Filters(subs).judge(item)
    return judged.passed, judged.reason


# ---------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("typed", "author", "same"),
    [
        ("Kingma", "Diederik P. Kingma", True),
        ("kingma", "Diederik P. Kingma", True),
        ("D. Kingma", "Diederik P. Kingma", True),
        ("Diederik Kingma", "Diederik P. Kingma", True),
        ("Diederik P. Kingma", "Diederik P. Kingma", True),
        ("Diederik Kingma", "D. P. Kingma", True),  # the author listed by initials
        ("J. Kingma", "Diederik P. Kingma", False),
        ("Diederik P. Kingma", "Diederik Kingma", False),  # a middle name the listing lacks
        ("Hochreiter", "Djork-Arné Clevert", False),
        ("Clevert", "Djork-Arné Clevert", True),
        ("Djork-Arne Clevert", "Djork-Arné Clevert", True),  # accents ignored
        ("Hernandez-Lobato", "José Miguel Hernández-Lobato", True),
        ("Hernández", "José Miguel Hernández-Lobato", True),  # one part of a hyphenated name
        ("Lobato", "José Miguel Hernández-Lobato", True),
        ("J. M. Hernández-Lobato", "José Miguel Hernández-Lobato", True),
        ("van den Oord", "Aäron van den Oord", True),
        ("Aaron van den Oord", "Aäron van den Oord", True),
        ("Oord", "Aäron van den Oord", True),
        ("Lukasz Kaiser", "Łukasz Kaiser", True),
        ("Ng", "Andrew Y. Ng", True),
        ("Ng", "Andrew Yang", False),  # a surname is a whole word, never a prefix
    ],
)
def test_an_author_is_found_by_surname_or_full_name(typed: str, author: str, same: bool) -> None:
    assert is_author(name_words(typed), author) is same


# ---------------------------------------------------------------------- the words typed


def test_the_words_for_authors_exclusions_and_keywords() -> None:
    assert rules.parse('author:Kingma, author:"Diederik P. Kingma", -cs.CV, -survey') == [
        (Kind.AUTHOR, "Kingma"),
        (Kind.AUTHOR, "Diederik P. Kingma"),
        (Kind.EXCLUDE_CATEGORY, "cs.CV"),
        (Kind.EXCLUDE_KEYWORD, "survey"),
    ]
    assert rules.parse("Author: José Miguel Hernández-Lobato") == [
        (Kind.AUTHOR, "José Miguel Hernández-Lobato")
    ]
    assert rules.parse("- stat, -Graph-Neural Networks") == [
        (Kind.EXCLUDE_CATEGORY, "stat"),
        (Kind.EXCLUDE_KEYWORD, "graph neural networks"),
    ]
    assert rules.parse("math") == [(Kind.CATEGORY, "math")]
    assert rules.parse("keyword:math, -keyword:physics") == [
        (Kind.KEYWORD, "math"),
        (Kind.EXCLUDE_KEYWORD, "physics"),
    ]
    assert rule(Kind.EXCLUDE_CATEGORY, "cs.CV").describe() == "not arXiv category cs.CV"
    assert rule(Kind.EXCLUDE_KEYWORD, "survey").describe() == "not keyword “survey”"
    assert rule(Kind.AUTHOR, "Kingma").describe() == "author Kingma"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("-author:Kingma", "only categories and keywords can be left out"),
        ("-votes>=3", "only categories and keywords can be left out"),
        ("-", "say what to leave out after -"),
        ("author:", "author:Surname or author:Full Name"),
        ('author:"…"', "author:Surname or author:Full Name"),
        ("", "author:Surname"),
    ],
)
def test_words_that_are_no_filter_say_what_would_be(typed: str, says: str) -> None:
    with pytest.raises(rules.BadSubscription) as caught:
        rules.parse(typed)
    assert says in caught.value.reason


def test_the_same_author_whatever_the_spelling() -> None:
    stored = rule(Kind.AUTHOR, "José Miguel Hernández-Lobato")
    assert rules.same(Kind.AUTHOR, "jose miguel hernandez-lobato", stored)
    assert not rules.same(Kind.AUTHOR, "Hernández-Lobato", stored)  # another rule: wider
    assert not rules.same(Kind.KEYWORD, "José Miguel Hernández-Lobato", stored)


# ---------------------------------------------------------------------- verdicts


def test_positive_filters_let_an_item_through_when_any_matches() -> None:
    assert verdict(summary_of(ACT), "author:A. Graves, cs.CV") == (True, "author A. Graves")
    assert verdict(summary_of(RESNET), "author:A. Graves, cs.CV") == (
        True,
        "arXiv category cs.CV",
    )
    assert verdict(summary_of(SNN), "author:A. Graves, cs.CV") == (False, OFF_TOPIC)
    assert verdict(summary_of(SNN), "author:Gunter Klambauer") == (
        True,
        "author Gunter Klambauer",
    )
    assert verdict(summary_of(SNN)) == (True, "no filter")


def test_keywords_are_whole_words_in_titles_abstracts_and_summaries() -> None:
    # the abstract of Self-Normalizing Neural Networks speaks of feed-forward networks
    assert verdict(summary_of(SNN), "feed forward") == (True, "keyword “feed forward”")
    assert verdict(summary_of(SNN), "feed") == (True, "keyword “feed”")
    assert verdict(summary_of(SNN), "forwar") == (False, OFF_TOPIC)  # not a whole word
    assert verdict(summary_of(ACT), "residual") == (False, OFF_TOPIC)
    told = summary_of(ACT, text="Compare with **Residual** connections.")
    assert verdict(told, "residual") == (True, "keyword “residual”")
    assert verdict(summary_of(GNN_REVIEW), "GRAPH neural networks") == (
        True,
        "keyword “graph neural networks”",
    )


def test_an_exclusion_holds_an_item_back_even_when_a_positive_filter_matches() -> None:
    draw = summary_of(DRAW, votes=4)
    assert verdict(draw, "author:Alex Graves") == (True, "author Alex Graves")
    assert verdict(draw, "author:Alex Graves, -cs.CV") == (False, "not arXiv category cs.CV")
    assert verdict(draw, "-cs") == (False, "not arXiv category cs")  # the whole archive
    assert verdict(summary_of(GNN_REVIEW), "cs.LG, -review") == (False, "not keyword “review”")
    assert verdict(summary_of(GNN_REVIEW), "cs.LG, -reviews") == (True, "arXiv category cs.LG")


def test_the_vote_threshold_holds_summaries_back_and_not_papers() -> None:
    assert verdict(summary_of(ELU, votes=4), "votes>=4") == (True, "no filter")
    assert verdict(summary_of(ELU, votes=3), "votes>=4, author:Hochreiter") == (
        False,
        "fewer than 4 votes",
    )
    assert verdict(summary_of(ELU, votes=None), "votes>=1") == (False, "fewer than 1 votes")
    filters = Filters([rule(Kind.AUTHOR, "Hochreiter"), rule(Kind.MIN_VOTES, "4")])
    assert filters.judge_paper(announced(ELU)).passed


def test_new_papers_by_author_and_replacements_only_when_asked() -> None:
    by_graves = Filters([rule(Kind.AUTHOR, "Graves"), rule(Kind.EXCLUDE_CATEGORY, "cs.CV")])
    assert by_graves.judge_paper(announced(ACT)).reason == "author Graves"
    assert by_graves.judge_paper(announced(DRAW)).reason == "not arXiv category cs.CV"
    assert by_graves.judge_paper(announced(ACT, "replace")).reason == REPLACED
    assert rules.matches_paper(announced(WAVENET), [rule(Kind.AUTHOR, "van den Oord")])
    assert not rules.matches_paper(announced(WAVENET), [rule(Kind.EXCLUDE_CATEGORY, "cs.CV")])


# ---------------------------------------------------------------------- the report


def test_the_report_says_what_each_filter_let_through_and_held_back() -> None:
    typed = ["author:A. Graves", "author:Hochreiter", "-cs.CV", "votes>=4"]
    filters = Filters([rule(k, v) for text in typed for k, v in rules.parse(text)])
    report = FilterReport()
    for item in (
        summary_of(DRAW, 4),
        summary_of(ACT, 4),
        summary_of(SNN, 4),
        summary_of(ELU, 3),
        summary_of(PBP, 5),
    ):
        report.summary(item, filters.judge(item))
    report.paper(announced(WAVENET), filters.judge_paper(announced(WAVENET)))
    assert report.lines() == [
        "2 of 5 summaries let through, 3 held back",
        "0 of 1 new papers let through, 1 held back",
        "Let through by: author A. Graves (1); author Hochreiter (1)",
        f"Held back by: {OFF_TOPIC} (2); not arXiv category cs.CV (1); fewer than 4 votes (1)",
        "held: summary of DRAW: A Recurrent Neural Network For Image Generation "
        "(arXiv:1502.04623): not arXiv category cs.CV",
        "held: summary of Fast and Accurate Deep Network Learning by Exponential Linear Units "
        "(ELUs) (arXiv:1511.07289): fewer than 4 votes",
        "held: summary of Probabilistic Backpropagation for Scalable Learning of Bayesian "
        f"Neural Networks (arXiv:1502.05336): {OFF_TOPIC}",
        "held: new paper WaveNet: A Generative Model for Raw Audio (arXiv:1609.03499): "
        + OFF_TOPIC,
    ]
    assert report.lines(held_shown=1)[-1] == "and 3 more held back"
    shown = report.as_json()
    assert shown["summaries"] == {"through": 2, "held": 3}
    assert shown["papers"] == {"through": 0, "held": 1}
    assert shown["held_by"]["not arXiv category cs.CV"] == 1
    assert shown["held"][0]["by"] == "not arXiv category cs.CV"
    assert FilterReport().lines() == ["Nothing new to filter."]
