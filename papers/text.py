"""Text rules shared by every renderer: HTML to plain text, whitespace, excerpts."""

from __future__ import annotations

import functools
import html
import re
import sys
import unicodedata
from html.parser import HTMLParser

_WS = re.compile(r"\s+")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_BLOCK_TAGS = frozenset({"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "tr", "pre"})
ELLIPSIS = "…"
ZWJ = "\u200d"


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


@functools.cache
def _controls() -> re.Pattern[str]:
    """One character class of every Cc, Cf and Cs code point but newline and tab (built once,
    in about 0.1 s: a per-character ``unicodedata`` loop cost 0.6 µs a character, a second
    for a 2,000-entry arXiv listing)."""
    ranges: list[tuple[int, int]] = []
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        if ch in _KEPT_FORMAT or unicodedata.category(ch) not in ("Cc", "Cf", "Cs"):
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return re.compile("[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges) + "]")


# newlines and tabs; the joiners that emoji sequences and Indic / Persian scripts need; the tag
# characters of subdivision flags (🏴 England)
_KEPT_FORMAT = frozenset("\n\t\u200c\u200d") | frozenset(map(chr, range(0xE0020, 0xE0080)))


# a subdivision flag (🏴 England): the black flag, tag letters, the cancel tag
_FLAG = re.compile("(\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f)")
_TAG = re.compile("[\U000e0020-\U000e007f]")


def strip_controls(text: str) -> str:
    """Remove control and format characters (NUL, zero-width spaces, bidi overrides) but keep
    newlines and the joiners that make emoji and scripts whole (tag characters only inside a
    subdivision flag)."""
    if text.isprintable():  # no Cc, Cf nor Cs (nor other non-printables): nothing to remove
        return text
    kept = _controls().sub("", text)
    if not _TAG.search(kept):
        return kept
    # split keeps the flags at odd indexes; tags elsewhere are stray
    parts = _FLAG.split(kept)
    return "".join(part if i % 2 else _TAG.sub("", part) for i, part in enumerate(parts))


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment (or of plain text with entities), paragraphs kept apart."""
    if "<" not in markup:
        text = html.unescape(markup)
    else:
        parser = _TextExtractor()
        parser.feed(markup)
        parser.close()
        text = "".join(parser.parts)
    lines = (collapse(line) for line in strip_controls(text).split("\n"))
    return "\n".join(line for line in lines if line)


def collapse(text: str) -> str:
    """Single spaces, no leading or trailing whitespace."""
    return _WS.sub(" ", text).strip()


def excerpt(text: str, limit: int) -> str:
    """At most ``limit`` characters of ``text`` on one line, cut at a word boundary with ``…``."""
    if limit < 1:
        return ""
    flat = collapse(text)
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + ELLIPSIS


def shorten_list(names: list[str] | tuple[str, ...], limit: int = 3) -> str:
    """``A, B, C et al.`` for long author lists."""
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + " et al."


def normalize_title(title: str) -> str:
    """Lower-cased words joined by single spaces: the form title matching compares."""
    return " ".join(_NON_WORD.sub(" ", title.casefold()).split())


def _is_extend(char: str) -> bool:
    point = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or 0x1F3FB <= point <= 0x1F3FF
        or 0xE0020 <= point <= 0xE007F
        or point == 0x200C
    )


def _is_regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _is_jamo(char: str) -> bool:
    point = ord(char)
    return 0x1100 <= point <= 0x11FF or 0xA960 <= point <= 0xA97F or 0xD7B0 <= point <= 0xD7FF


def grapheme_breaks(text: str) -> list[int]:
    """Positions between grapheme clusters (an approximation of UAX #29: combining marks,
    variation selectors, skin tones, tags and ZWJ joins stay with their base; regional
    indicators pair up; Hangul jamo stay with their syllable; CR LF stays together)."""
    breaks = [0]
    index, size = 0, len(text)
    while index < size:
        char = text[index]
        index += 1
        following = text[index] if index < size else ""
        if (char == "\r" and following == "\n") or (
            _is_regional(char) and following and _is_regional(following)
        ):
            index += 1
        elif _is_jamo(char) or 0xAC00 <= ord(char) <= 0xD7A3:
            while index < size and _is_jamo(text[index]):
                index += 1
        while index < size:
            if _is_extend(text[index]):
                index += 1
            elif text[index] == ZWJ:
                index += 2 if index + 1 < size else 1
            else:
                break
        breaks.append(min(index, size))
    return breaks
