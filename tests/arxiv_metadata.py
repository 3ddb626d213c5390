"""The arXiv metadata of the sample summaries' papers (``tests/fixtures/shortscience-rss.xml``):
their authors as arXiv lists them (accents and all), their categories and their abstracts'
opening sentences. Saved over the sample, they give a destination's filters real papers to
judge: by author, by category, by words of an abstract."""

from __future__ import annotations

from datetime import datetime

from papers.model import IncomingPaper, Paper
from storage.repository import Store

PAPERS = {
    p.key: p
    for p in (
        Paper(
            key="1706.02515",
            arxiv_id="1706.02515",
            title="Self-Normalizing Neural Networks",
            authors=("Günter Klambauer", "Thomas Unterthiner", "Andreas Mayr", "Sepp Hochreiter"),
            categories=("cs.LG", "stat.ML"),
            abstract="Deep Learning has revolutionized vision via convolutional neural networks "
            "(CNNs) and natural language processing via recurrent neural networks (RNNs). "
            "However, success stories of Deep Learning with standard feed-forward neural "
            "networks (FNNs) are rare.",
        ),
        Paper(
            key="1312.6199",
            arxiv_id="1312.6199",
            title="Intriguing properties of neural networks",
            authors=(
                "Christian Szegedy",
                "Wojciech Zaremba",
                "Ilya Sutskever",
                "Joan Bruna",
                "Dumitru Erhan",
                "Ian Goodfellow",
                "Rob Fergus",
            ),
            categories=("cs.CV", "cs.LG", "cs.NE"),
            abstract="Deep neural networks are highly expressive models that have recently "
            "achieved state of the art performance on speech and visual recognition tasks.",
        ),
        Paper(
            key="1703.09202",
            arxiv_id="1703.09202",
            title="Biologically inspired protection of deep networks from adversarial attacks",
            authors=("Aran Nayebi", "Surya Ganguli"),
            categories=("stat.ML", "cs.LG", "q-bio.NC"),
            abstract="Inspired by biophysical principles underlying nonlinear dendritic "
            "computation in neural circuits, we develop a scheme to train deep neural networks "
            "to make them robust to adversarial attacks.",
        ),
        Paper(
            key="1512.03385",
            arxiv_id="1512.03385",
            title="Deep Residual Learning for Image Recognition",
            authors=("Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"),
            categories=("cs.CV",),
            abstract="Deeper neural networks are more difficult to train. We present a residual "
            "learning framework to ease the training of networks that are substantially "
            "deeper than those used previously.",
        ),
        Paper(
            key="1705.08665",
            arxiv_id="1705.08665",
            title="Bayesian Compression for Deep Learning",
            authors=("Christos Louizos", "Karen Ullrich", "Max Welling"),
            categories=("stat.ML", "cs.LG"),
            abstract="Compression and computational efficiency in deep learning have become a "
            "problem of great significance.",
        ),
        Paper(
            key="1502.04623",
            arxiv_id="1502.04623",
            title="DRAW: A Recurrent Neural Network For Image Generation",
            authors=(
                "Karol Gregor",
                "Ivo Danihelka",
                "Alex Graves",
                "Danilo Jimenez Rezende",
                "Daan Wierstra",
            ),
            categories=("cs.CV", "cs.LG", "cs.NE"),
            abstract="This paper introduces the Deep Recurrent Attentive Writer (DRAW) neural "
            "network architecture for image generation.",
        ),
        Paper(
            key="1603.08983",
            arxiv_id="1603.08983",
            title="Adaptive Computation Time for Recurrent Neural Networks",
            authors=("Alex Graves",),
            categories=("cs.NE",),
            abstract="This paper introduces Adaptive Computation Time (ACT), an algorithm that "
            "allows recurrent neural networks to learn how many computational steps to take "
            "between receiving an input and emitting an output.",
        ),
        Paper(
            key="1611.03530",
            arxiv_id="1611.03530",
            title="Understanding deep learning requires rethinking generalization",
            authors=(
                "Chiyuan Zhang",
                "Samy Bengio",
                "Moritz Hardt",
                "Benjamin Recht",
                "Oriol Vinyals",
            ),
            categories=("cs.LG",),
            abstract="Despite their massive size, successful deep artificial neural networks "
            "can exhibit a remarkably small difference between training and test performance.",
        ),
        Paper(
            key="1511.07289",
            arxiv_id="1511.07289",
            title="Fast and Accurate Deep Network Learning by Exponential Linear Units (ELUs)",
            authors=("Djork-Arné Clevert", "Thomas Unterthiner", "Sepp Hochreiter"),
            categories=("cs.LG",),
            abstract="We introduce the exponential linear unit (ELU) which speeds up learning "
            "in deep neural networks and leads to higher classification accuracies.",
        ),
    )
}


def incoming(paper: Paper) -> IncomingPaper:
    """``paper`` as the arXiv API brings it (complete: it replaces what summaries said)."""
    return IncomingPaper(
        title=paper.title,
        arxiv_id=paper.arxiv_id,
        authors=paper.authors,
        abstract=paper.abstract,
        categories=paper.categories,
        primary_category=paper.categories[0],
        complete=True,
    )


async def add_metadata(store: Store, now: datetime) -> None:
    """Give the sample's papers their arXiv metadata (no announcement: summaries only)."""
    items = [incoming(p) for p in PAPERS.values()]
    await store.save_papers(items, source="arxiv-api", announce=False, now=now)
