"""twitter-text-python, X's own text rules, as an oracle for tests (never used by shortbot).

It imports ``pkg_resources`` (deprecated) when loaded; the warning is silenced here so that
``filterwarnings = error`` does not fail the import.
"""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from twitter_text import extract_urls, extract_urls_with_indices, parse_tweet
    from twitter_text.regexp.emoji import emoji_list
    from twitter_text.regexp.extract_url import extract_url
    from twitter_text.regexp.valid_ascii_domain import valid_ascii_domain
    from twitter_text.regexp.valid_tco_url import valid_tco_url


def weighted_length(text: str) -> int:
    return int(parse_tweet(text).weightedLength)


def emoji_sequences() -> frozenset[str]:
    """The multi-code-point emoji of twitter-text-python's list."""
    sequences = ("".join(chr(int(c, 16)) for c in e.codepoint.split()) for e in emoji_list)
    return frozenset(s for s in sequences if len(s) > 1)


__all__ = [
    "emoji_sequences",
    "extract_url",
    "extract_urls",
    "extract_urls_with_indices",
    "parse_tweet",
    "valid_ascii_domain",
    "valid_tco_url",
    "weighted_length",
]
