"""X's text rules: weighted length, the URLs and emoji X sees, and cutting text to fit.

Weighted length and URLs come from twitter-text-parser (``twitter_text``), the Python port of
X's twitter-text: its configuration v3 is what X's server checks the 280 limit against (code
points outside a few Latin and punctuation ranges weigh 2, so CJK counts 2; a URL counts 23
whatever its length; an emoji, a sequence with ZWJ, skin tones or variation selectors
included, counts 2; the text is NFC-normalised first).

One deliberate divergence, on the safe side: ``\\r\\n`` counts 2 (twitter-text-python folds it
to one ``\\n``; twitter-text's JavaScript counts both). Emoji newer than twitter-text-python's
list (Unicode 12.0) that are sequences count per code point, i.e. more than the 2 X counts
them: also safe.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from functools import lru_cache

with warnings.catch_warnings():
    # twitter_text loads its emoji list through pkg_resources, which warns on import.
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    import twitter_text

from papers.text import grapheme_breaks

MAX_WEIGHTED = 280
ELLIPSIS = "…"

_TRAILING = " \t\n,;:.-–—(["


def normalise(text: str) -> str:
    """NFC, line endings folded to ``\\n``: the text as twitter-text counts it."""
    return re.sub(r"\r\n|\r|\n", "\n", unicodedata.normalize("NFC", text))


@lru_cache(maxsize=1024)  # composing a post measures the same texts many times
def weighted_length(text: str) -> int:
    """The length X counts toward the 280 limit (see the module notes)."""
    crlf = unicodedata.normalize("NFC", text).count("\r\n")
    return int(twitter_text.parse_tweet(text).weightedLength) + crlf


def url_entities(text: str) -> list[tuple[int, int, str]]:
    """URLs twitter-text finds in ``text``: ``(start, end, url)`` in code points.

    ``len(url)`` is how far twitter-text skips for it when counting; it can differ from
    ``end - start`` for a bare domain with a non-ASCII label (only the ASCII domain is the URL).
    """
    return [
        (int(found["indices"][0]), int(found["indices"][1]), str(found["url"]))
        for found in twitter_text.extract_urls_with_indices(text)
    ]


def extract_urls(text: str) -> list[str]:
    """The URLs X would link in ``text`` (after NFC, as ``weighted_length`` sees them)."""
    return [url for _, _, url in url_entities(normalise(text))]


def emoji_entities(text: str) -> list[tuple[int, int]]:
    """Emoji of more than one code point in ``text`` (the ones a cut could split),
    ``(start, end)``, as twitter-text finds them."""
    found = (found["indices"] for found in twitter_text.extract_emojis_with_indices(text))
    return [(int(start), int(end)) for start, end in found if end - start > 1]


def _cut_points(text: str) -> list[int]:
    """Where ``text`` may be cut: grapheme breaks outside every URL and emoji."""
    blocked: set[int] = set()
    for start, end, url in url_entities(text):
        blocked.update(range(start + 1, max(end, start + len(url))))
    for start, end in emoji_entities(text):
        blocked.update(range(start + 1, end))
    return [point for point in grapheme_breaks(text) if point not in blocked]


def _ending(text: str, cut: int, url_ends: set[int]) -> str:
    """``text[:cut]`` and "…": trailing spaces and punctuation go, but never from a URL, and a
    URL at the end is kept apart from the ellipsis."""
    floor = max((end for end in url_ends if end <= cut), default=0)
    kept = text[:floor] + text[floor:cut].rstrip(_TRAILING)
    if floor and len(kept) == floor:
        return kept + " " + ELLIPSIS
    return kept + ELLIPSIS


def fit(text: str, limit: int = MAX_WEIGHTED) -> str:
    """``text`` if it fits ``limit``; else NFC ``text`` cut with "…" so it does, never inside
    a URL, an emoji or a grapheme, at a word boundary when one is not too far back."""
    if weighted_length(text) <= limit:
        return text
    if limit < weighted_length(ELLIPSIS):
        return ""
    normal = normalise(text)
    points = _cut_points(normal)
    url_ends = {end for _, end, _ in url_entities(normal)}

    def fits(cut: int) -> bool:
        return weighted_length(_ending(normal, cut, url_ends)) <= limit

    low, high = 0, len(points) - 1  # points[low] fits (the ellipsis alone), points[high] not
    while high - low > 1:
        middle = (low + high) // 2
        if fits(points[middle]):
            low = middle
        else:
            high = middle
    best = points[low]
    for point in reversed(points[: low + 1]):
        if point <= best // 2:
            break
        if normal[point - 1 : point].isspace() or (point < len(normal) and normal[point] == " "):
            if fits(point):
                best = point
            break
    return _ending(normal, best, url_ends)
