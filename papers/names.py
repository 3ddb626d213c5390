"""People's names as maintainers type them and as arXiv lists them, compared with case and
accents ignored: a surname alone, or a full name whose given names may be initials.

``Kingma`` is any author whose last word is Kingma; ``D. Kingma``, ``Diederik Kingma`` and
``Diederik P. Kingma`` are Diederik P. Kingma (and D. P. Kingma): every word typed before the
surname must be found in the author's name, in order, in full or as an initial. A hyphenated
surname is found by either part (``Fernandez`` finds Manuel Fernández-Delgado); a surname of
several words is typed whole (``van der Maaten``).
"""

from __future__ import annotations

import re
import unicodedata

# letters NFKD does not take apart into a base letter and a mark
_LETTERS = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe"})
_APOSTROPHES = re.compile(r"['’ʼ]")
_SEPARATORS = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Lower case without accents: ``Fernández`` → ``fernandez``, ``Łukasz`` → ``lukasz``."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def folded(text: str) -> str:
    """``text`` folded, apostrophes gone: where a surname's word can be looked for at once
    (``Cathy O’Neil`` → ``cathy oneil``)."""
    return _APOSTROPHES.sub("", fold(text))


def name_words(name: str) -> tuple[str, ...]:
    """A name's words, folded; apostrophes join (``O'Neil`` → ``oneil``), points, hyphens and
    spaces separate: ``Diederik P. Kingma`` → ``("diederik", "p", "kingma")``."""
    return tuple(w for w in _SEPARATORS.split(folded(name)) if w)


def listed_words(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """An author's name as arXiv lists it: the words before the last word, and the last word's
    hyphenated parts (``Manuel Fernández-Delgado`` → ``(("manuel",), ("fernandez",
    "delgado"))``)."""
    words = folded(name).split()
    if not words:
        return (), ()
    before = tuple(w for word in words[:-1] for w in _SEPARATORS.split(word) if w)
    return before, tuple(w for w in _SEPARATORS.split(words[-1]) if w)


def _same_word(typed: str, listed: str) -> bool:
    """Equal, or one is the other's initial."""
    if typed == listed:
        return True
    return (len(typed) == 1 and listed.startswith(typed)) or (
        len(listed) == 1 and typed.startswith(listed)
    )


def is_author(wanted: tuple[str, ...], name: str) -> bool:
    """Whether the author ``name`` is the one ``wanted`` (the words of :func:`name_words`)."""
    if not wanted:
        return False
    before, last = listed_words(name)
    *given, surname = wanted
    if surname not in last:
        return False
    # the words ahead of the surname's part, in order (a hyphenated surname's first part too)
    ahead = iter((*before, *last[: last.index(surname)]))
    return all(any(_same_word(word, listed) for listed in ahead) for word in given)
