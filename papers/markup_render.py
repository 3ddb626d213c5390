"""A :class:`~papers.markup.Document` rendered per platform, cut to a length after rendering.

* :func:`discord` — Discord's Markdown: bold, italics, strike, code, lists and masked links
  kept; headings as bold lines; math as Unicode (TeX that has no readable Unicode as code);
  every other character that Discord would read as Markdown escaped, mentions defused.
* :func:`plain` — text for X, a Facebook Page, Bluesky, Mastodon and the console: no Markdown
  syntax at all; list items as ``• ``, links as their text, math as Unicode.
* :func:`html` — HTML for Atom readers: every text escaped, only http(s) links, math kept as
  TeX inside ``\\( \\)`` / ``\\[ \\]`` for MathJax.

Each renderer writes a stream of tokens (words, spaces, unbreakable atoms, opening and closing
markup); :func:`_layout` keeps what fits in ``limit`` characters, cutting at a block or
sentence end when one is near, else between words, and never inside a formula, a link or a
grapheme; open markup is closed and ``…`` added.
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from papers.markup import (
    Block,
    Break,
    Code,
    CodeBlock,
    Document,
    Heading,
    Inline,
    Link,
    ListBlock,
    Math,
    Paragraph,
    Quote,
    Styled,
    Text,
)
from papers.text import ELLIPSIS, grapheme_breaks

Kind = Literal["word", "space", "atom", "open", "close", "block", "heading-end"]

_WORDS = re.compile(r"\S+|\s+")
_DISCORD_MARKDOWN = re.compile(r"([\\*_`~|>#\[\]()])")
_MENTION = re.compile(r"@(everyone|here)|<(@[!&]?|#)(\d+)>")
_SENTENCE_END = (".", "!", "?", ":", ";", ".)", ".”", '."')
_TRAILING = " \t\n,;:-–—(["
# markup that opens a span or block: a cut right after one drops it rather than close it empty
_OPENERS = frozenset(
    {"<p>", "<ul>", "<ol>", "<li>", "<blockquote>", "<em>", "<strong>", "<del>", "<h4>", "<h5>"}
    | {"<h6>", "<pre><code>", "**", "*", "~~", "```\n"}
)
SENTENCE_SHARE = 0.6  # a sentence end is preferred when it keeps at least this much


@dataclass(frozen=True, slots=True)
class _Token:
    kind: Kind
    text: str
    closer: str = ""  # for "open": the text that closes it
    visible: bool = True  # counts toward the limit (HTML tags do not)


def defuse_mentions(text: str) -> str:
    """``@everyone``, ``@here`` and ``<@id>``-style mentions made inert (a zero-width space
    after their first character); Markdown left as it is."""
    return _MENTION.sub(lambda m: m.group(0)[0] + "\u200b" + m.group(0)[1:], text)


def discord_escape(text: str) -> str:
    """Markdown characters escaped and mentions defused (:func:`defuse_mentions`)."""
    return _DISCORD_MARKDOWN.sub(r"\\\1", defuse_mentions(text))


# ------------------------------------------------------------------------------ layout


def _layout(tokens: Iterable[_Token], limit: int | None, *, truncated: bool) -> str:
    """The tokens joined, within ``limit`` characters (markup included when visible)."""
    tail = ELLIPSIS if truncated else ""
    out: list[str] = []
    stack: list[str] = []
    used = 0
    # (tokens kept, characters, closers open, is a sentence / block end)
    cuts: list[tuple[int, int, tuple[str, ...], bool]] = []
    previous = ""
    after_heading = False  # never cut right after a heading: it would end the excerpt
    for token in tokens:
        if token.kind == "heading-end":
            after_heading = True
            continue
        if token.kind in ("space", "block") and out and not out[-1].strip():
            # one separator between two words or blocks; a line break wins over a space
            if token.text.strip() == "" and ("\n" in out[-1] or "\n" not in token.text):
                continue
            if token.text.strip() == "":
                used -= len(out.pop())
                cuts = [cut for cut in cuts if cut[0] <= len(out)]
        if token.kind in ("space", "block") and out and not after_heading:
            strong = token.kind == "block" or previous.endswith(_SENTENCE_END)
            cuts.append((len(out), used, tuple(stack), strong))
        if token.kind == "block" and not out:
            continue
        cost = len(token.text) if token.visible else 0
        closing = sum(len(c) for c in stack) + len(token.closer) + len(ELLIPSIS)
        if limit is not None and used + cost + closing > limit:
            return _cut(out, used, stack, cuts, token, limit)
        out.append(token.text)
        used += cost
        if token.kind == "open":
            stack.append(token.closer)
        elif token.kind == "close" and stack:
            stack.pop()
        if token.kind in ("word", "atom"):
            previous, after_heading = token.text, False
    while out and not out[-1].strip():
        out.pop()
    return "".join(out) + tail + "".join(reversed(stack))


def _cut(
    out: list[str],
    used: int,
    stack: list[str],
    cuts: list[tuple[int, int, tuple[str, ...], bool]],
    overflow: _Token,
    limit: int,
) -> str:
    strong = [c for c in cuts if c[3] and c[1] >= SENTENCE_SHARE * used]
    if strong:
        kept, _, closers, _ = strong[-1]
    elif cuts:
        kept, _, closers, _ = cuts[-1]
    elif overflow.kind == "word" and overflow.visible:
        # one word longer than the room left: cut it between graphemes
        room = limit - used - sum(len(c) for c in stack) - len(ELLIPSIS)
        fitting = [b for b in grapheme_breaks(overflow.text) if b <= room]
        piece = overflow.text[: fitting[-1]] if fitting else ""
        return "".join(out) + piece + ELLIPSIS + "".join(reversed(stack))
    else:
        kept, closers = len(out), tuple(stack)
    closing = list(closers)
    while kept and closing and out[kept - 1] in _OPENERS and out[kept - 1].strip(" \n") != "":
        kept -= 1  # markup opened right before the cut: drop it rather than close it empty
        closing.pop()
    text = "".join(out[:kept]).rstrip(_TRAILING)
    return (text + ELLIPSIS if text else ELLIPSIS) + "".join(reversed(closing))


def _words(text: str) -> Iterator[_Token]:
    for run in _WORDS.findall(text):
        yield _Token("space", " ") if run.isspace() else _Token("word", run)


def _words_escaped(text: str, escape: Callable[[str], str]) -> Iterator[_Token]:
    for token in _words(text):
        yield _Token("word", escape(token.text)) if token.kind == "word" else token


# ------------------------------------------------------------------------------- plain


def plain(document: Document, limit: int | None = None, *, one_line: bool = True) -> str:
    """Plain text: no Markdown, lists as ``• ``, links as their text, math as Unicode."""
    return _layout(_plain_blocks(document.blocks, one_line, 0), limit, truncated=document.truncated)


def _plain_text(inlines: tuple[Inline, ...]) -> str:
    return "".join(t.text for t in _plain_inlines(inlines, True))


def _plain_inlines(inlines: tuple[Inline, ...], one_line: bool) -> Iterator[_Token]:
    for item in inlines:
        if isinstance(item, Text | Code):
            yield from _words(item.text)
        elif isinstance(item, Math):
            yield _Token("atom", item.unicode or item.tex)
        elif isinstance(item, Styled):
            yield from _plain_inlines(item.children, one_line)
        elif isinstance(item, Link):
            text = " ".join(_plain_text(item.children).split())
            if text:
                yield _Token("atom", text)
        elif isinstance(item, Break):
            yield _Token("space", " ") if one_line else _Token("block", "\n")


def _plain_blocks(blocks: tuple[Block, ...], one_line: bool, depth: int) -> Iterator[_Token]:
    separator = _Token("block", " " if one_line else "\n")
    for block in blocks:
        yield separator
        if isinstance(block, Paragraph):
            yield from _plain_inlines(block.inlines, one_line)
        elif isinstance(block, Heading):
            text = " ".join(_plain_text(block.inlines).split())
            if one_line and text and not text.endswith((".", ":", "?", "!")):
                text += ":"
            yield from _words(text)
            yield _Token("heading-end", "")
        elif isinstance(block, ListBlock):
            for number, item in enumerate(block.items, start=block.start):
                yield separator
                if not one_line:
                    yield _Token("word", "  " * depth)
                yield _Token("word", f"{number}." if block.ordered else "•")
                yield _Token("space", " ")
                yield from _trim_first(_plain_blocks(item, one_line, depth + 1))
        elif isinstance(block, Quote):
            yield from _plain_blocks(block.blocks, one_line, depth)
        elif isinstance(block, CodeBlock):
            yield from _words(block.text) if one_line else _lines(block.text)
        else:
            yield _Token("atom", block.math.unicode or block.math.tex)


def _lines(text: str) -> Iterator[_Token]:
    for index, line in enumerate(text.split("\n")):
        if index:
            yield _Token("block", "\n")
        yield from _words(line)


def _trim_first(tokens: Iterator[_Token]) -> Iterator[_Token]:
    """The tokens without a leading block separator (a list item's first block)."""
    first = next(tokens, None)
    if first is not None and first.kind != "block":
        yield first
    yield from tokens


# ----------------------------------------------------------------------------- discord


def discord(document: Document, limit: int | None = None) -> str:
    """Discord Markdown (messages and embed fields), cut to ``limit`` characters."""
    return _layout(_discord_blocks(document.blocks, 0), limit, truncated=document.truncated)


def _discord_inlines(inlines: tuple[Inline, ...], *, bold: bool = False) -> Iterator[_Token]:
    markers = {"strong": "**", "em": "*", "strike": "~~"}
    for item in inlines:
        if isinstance(item, Text):
            yield from _words_escaped(item.text, discord_escape)
        elif isinstance(item, Code):
            yield _code_span(item.text)
        elif isinstance(item, Math):
            yield _discord_math(item)
        elif isinstance(item, Styled):
            marker = "" if bold and item.style == "strong" else markers[item.style]
            if marker:
                yield _Token("open", marker, closer=marker)
            yield from _discord_inlines(item.children, bold=bold or item.style == "strong")
            if marker:
                yield _Token("close", marker)
        elif isinstance(item, Link):
            text = " ".join(discord_escape(_plain_text(item.children)).split())
            if item.href and text:
                href = item.href.replace("(", "%28").replace(")", "%29")
                yield _Token("atom", f"[{text}]({href})")
            elif text:
                yield _Token("atom", text)
        elif isinstance(item, Break):
            yield _Token("block", "\n")


def _code_span(text: str) -> _Token:
    text = " ".join(text.split()) or " "
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return _Token("atom", f"{fence}{pad}{text}{pad}{fence}")


def _discord_math(math: Math) -> _Token:
    if math.unicode is not None:
        return _Token("atom", discord_escape(math.unicode))
    return _code_span(math.tex)


def _discord_blocks(blocks: tuple[Block, ...], depth: int) -> Iterator[_Token]:
    for block in blocks:
        yield _Token("block", "\n")
        if isinstance(block, Paragraph):
            yield from _discord_inlines(block.inlines)
        elif isinstance(block, Heading):
            yield _Token("open", "**", closer="**")
            yield from _discord_inlines(block.inlines, bold=True)
            yield _Token("close", "**")
            yield _Token("heading-end", "")
        elif isinstance(block, ListBlock):
            for number, item in enumerate(block.items, start=block.start):
                yield _Token("block", "\n")
                marker = f"{number}." if block.ordered else "-"
                yield _Token("word", "  " * depth + marker)
                yield _Token("space", " ")
                yield from _trim_first(_discord_blocks(item, depth + 1))
        elif isinstance(block, Quote):
            yield _Token("word", ">")
            yield _Token("space", " ")
            yield from _trim_first(_discord_blocks(block.blocks, depth))
        elif isinstance(block, CodeBlock):
            yield _Token("open", "```\n", closer="\n```")
            yield from _lines(block.text.replace("```", "ˋˋˋ"))
            yield _Token("close", "\n```")
        else:
            yield _discord_math(block.math)


# -------------------------------------------------------------------------------- html


def html(document: Document, limit: int | None = None) -> str:
    """HTML (escaped text, http(s) links only, math as ``\\( \\)`` TeX for MathJax);
    ``limit`` counts visible characters."""
    return _layout(_html_blocks(document.blocks), limit, truncated=document.truncated)


def _tag(name: str) -> _Token:
    return _Token("open", f"<{name}>", closer=f"</{name}>", visible=False)


def _end(name: str) -> _Token:
    return _Token("close", f"</{name}>", visible=False)


def _escaped(text: str) -> str:
    return _html.escape(text, quote=False)


def _html_math(math: Math) -> _Token:
    tex = _escaped(" ".join(math.tex.split()))
    return _Token("atom", f"\\[{tex}\\]" if math.display else f"\\({tex}\\)")


def _html_inlines(inlines: tuple[Inline, ...]) -> Iterator[_Token]:
    tags = {"strong": "strong", "em": "em", "strike": "del"}
    for item in inlines:
        if isinstance(item, Text):
            yield from _words_escaped(item.text, _escaped)
        elif isinstance(item, Code):
            yield _Token("atom", f"<code>{_escaped(item.text)}</code>")
        elif isinstance(item, Math):
            yield _html_math(item)
        elif isinstance(item, Styled):
            yield _tag(tags[item.style])
            yield from _html_inlines(item.children)
            yield _end(tags[item.style])
        elif isinstance(item, Link):
            text = " ".join(_escaped(_plain_text(item.children)).split())
            if item.href and text:
                yield _Token("atom", f'<a href="{_html.escape(item.href)}">{text}</a>')
            elif text:
                yield _Token("atom", text)
        elif isinstance(item, Break):
            yield _Token("block", "<br/>", visible=False)


def _html_blocks(blocks: tuple[Block, ...], *, tight: bool = False) -> Iterator[_Token]:
    for block in blocks:
        yield _Token("block", "", visible=False)
        if isinstance(block, Paragraph | Heading):
            name = "p" if isinstance(block, Paragraph) else f"h{min(block.level + 3, 6)}"
            if tight and name == "p":
                yield from _html_inlines(block.inlines)
                continue
            yield _tag(name)
            yield from _html_inlines(block.inlines)
            yield _end(name)
            if isinstance(block, Heading):
                yield _Token("heading-end", "", visible=False)
        elif isinstance(block, ListBlock):
            name = "ol" if block.ordered else "ul"
            yield _tag(name)
            for item in block.items:
                yield _tag("li")
                yield from _html_blocks(item, tight=len(item) == 1)
                yield _end("li")
            yield _end(name)
        elif isinstance(block, Quote):
            yield _tag("blockquote")
            yield from _html_blocks(block.blocks)
            yield _end("blockquote")
        elif isinstance(block, CodeBlock):
            yield _Token("open", "<pre><code>", closer="</code></pre>", visible=False)
            yield from _lines(_escaped(block.text))
            yield _Token("close", "</code></pre>", visible=False)
        else:
            yield _tag("p")
            yield _html_math(block.math)
            yield _end("p")
