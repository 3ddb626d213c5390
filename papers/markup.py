"""A summary's text as one model: Markdown with TeX math, parsed once.

ShortScience summaries are Markdown with TeX math (the site renders them with MathJax); blog
posts arrive as plain text. :func:`parse` reads either into a :class:`Document` of blocks and
inlines; ``papers.markup_render`` renders it per platform (Discord Markdown, plain text, HTML).

What parsing takes care of, beyond CommonMark (markdown-it-py):

* math: ``$…$`` (not ``$5 and $10``: the closing ``$`` must follow a non-space and not be
  followed by a digit), ``$$…$$``, ``\\(…\\)`` and ``\\[…\\]``; each formula is converted to
  readable Unicode once (``papers.tex``), ``None`` when it must be shown as TeX;
* feeds that flatten a summary to one line (ShortScience's RSS does: ``… Advantages: * Learning
  … ## Key contributions * Deep …``): headings and list items are put back on lines of their
  own before parsing;
* a summary cut by its feed (``…`` or ``...`` at the end) is marked ``truncated``; a formula
  cut open at the end (``$\\beta_1 = 0.``) is still math, and ``**`` left unmatched by the cut
  is dropped, so no platform shows raw syntax.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Literal, TypeAlias
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.texmath import texmath_plugin

from papers.tex import to_unicode
from papers.text import strip_controls

MAX_SOURCE = 100_000  # longer text is cut before parsing (a summary is a few thousand chars)


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Code:
    text: str


@dataclass(frozen=True, slots=True)
class Math:
    """A formula: its TeX, and readable Unicode for it (None: show the TeX)."""

    tex: str
    unicode: str | None
    display: bool = False


@dataclass(frozen=True, slots=True)
class Styled:
    style: Literal["strong", "em", "strike"]
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Link:
    """A link; ``href`` is None unless it is an absolute http(s) URL (feeds strip URLs,
    leaving ``[CIFAR10]()`` or ``[MNIST](yann.lecun.com/…)``: those are just text)."""

    href: str | None
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Break:
    """A line break inside a paragraph."""


Inline: TypeAlias = Text | Code | Math | Styled | Link | Break


@dataclass(frozen=True, slots=True)
class Paragraph:
    inlines: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Heading:
    inlines: tuple[Inline, ...]
    level: int = 1


@dataclass(frozen=True, slots=True)
class ListBlock:
    items: tuple[tuple[Block, ...], ...]
    ordered: bool = False
    start: int = 1


@dataclass(frozen=True, slots=True)
class Quote:
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class CodeBlock:
    text: str


@dataclass(frozen=True, slots=True)
class MathBlock:
    math: Math


Block: TypeAlias = Paragraph | Heading | ListBlock | Quote | CodeBlock | MathBlock


@dataclass(frozen=True, slots=True)
class Document:
    blocks: tuple[Block, ...] = ()
    truncated: bool = False  # the source was cut by its feed: renderers end with "…"
    source: str = field(default="", compare=False)


# ---------------------------------------------------------------------------- parsing

_ELLIPSIS_END = re.compile(r"\s*(?:\.\.\.|…)\s*$")
_PROTECTED = re.compile(
    r"(`+)(?:(?!\1).)+?\1|\$\$.+?\$\$|\\\(.+?\\\)|\\\[.+?\\\]|(?<![\\$])\$(?=\S)[^$]*?(?<=\S)\$(?!\d)",
    re.DOTALL,
)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
_LEFTOVER_LINK = re.compile(r"\[([^\[\]]+)\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*\)")
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")
_INLINE_HEADING = re.compile(r"(?:^|\s)(#{1,6})\s+(?=\S)")
# where a flattened heading ends: a colon, a list item, a sentence end, another heading, or a
# sentence starting after it ("### Idea Adam keeps …": a capitalised word, then a lower-case one)
_HEADING_END = re.compile(r":|\s[*-]\s(?=\S)|[.!?](?=\s)|\s#{1,6}\s|\s(?=[A-Z][a-z]*\s+[a-z])")
_LIST_MARK = re.compile(r"\s([*-])\s+(?=\S)")
_DISPLAY_BRACKETS = re.compile(r"\\\[(.+?)\\\]", re.DOTALL)
_OPEN_MATH_TAIL = re.compile(r"(?<![\\$\w])\$(?=[^\s$\d])([^$]*)$")
_TEXISH = re.compile(r"\\[A-Za-z]+|[_^]")
_DEBRIS = re.compile(r"\*{2,}|_{2,}")
_MAX_HEADING = 80
# a character or line start that Markdown, TeX or an entity could give a meaning to
# (list items flattened into a line, "…units: - Semantic … - Earlier …", count too)
_MARKUP_HINT = re.compile(
    r"[*_`#\[\]$\\<>|~&!]|^\s*(?:[-+=]|\d+[.)])(?:\s|$)|\s[-+]\s", re.MULTILINE
)
_Change: TypeAlias = Callable[[str], str]


@functools.cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("strikethrough")
    dollarmath_plugin(
        md, allow_space=False, allow_digits=False, allow_labels=False, double_inline=True
    )
    texmath_plugin(md, delimiters="brackets")
    return md


@functools.lru_cache(maxsize=1024)
def parse(text: str) -> Document:
    """The :class:`Document` of a summary's Markdown + TeX (any text parses). Cached: a
    digest renders each summary for several platforms, and documents are immutable."""
    source = strip_controls(text[:MAX_SOURCE].replace("\r\n", "\n").replace("\r", "\n"))
    body = _ELLIPSIS_END.sub("", source)
    truncated = body != source
    if not _MARKUP_HINT.search(body):  # plain prose (most blog posts): nothing to parse
        paragraphs = (" ".join(part.split()) for part in re.split(r"\n\s*\n", body))
        blocks: tuple[Block, ...] = tuple(Paragraph((Text(p),)) for p in paragraphs if p)
        return Document(blocks, truncated, source)
    if "\n" not in body.strip():
        body = _unflatten(body)
    body = _protect_outside(
        body, lambda part: _DISPLAY_BRACKETS.sub(r"$$\1$$", part), protected=_CODE_SPAN
    )
    tree = SyntaxTreeNode(_markdown().parse(body))
    blocks = tuple(b for node in tree.children if (b := _block(node)) is not None)
    return Document(_close_open_math(blocks), truncated, source)


def _protect_outside(text: str, change: _Change, protected: re.Pattern[str] = _PROTECTED) -> str:
    """``change`` applied to the text outside code spans and math (what ``protected``
    matches)."""
    kept: list[str] = []

    def hide(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\ue000{len(kept) - 1}\ue001"

    changed = change(protected.sub(hide, text))
    return _PLACEHOLDER.sub(lambda m: kept[int(m.group(1))], changed)


def _unflatten(text: str) -> str:
    """Headings and list items of a summary flattened to one line, back on their own lines."""
    return _protect_outside(text, _restore_lines)


def _restore_lines(text: str) -> str:
    out: list[str] = []
    at = 0
    for match in _INLINE_HEADING.finditer(text):
        if match.start() < at:
            continue
        rest = text[match.end() :]
        end = _HEADING_END.search(rest[: _MAX_HEADING + 1])
        out.append(text[at : match.start()])
        if end is None:  # no end in sight: not a heading we can place; keep the words
            at = match.end()
            continue
        stop = end.start() + (1 if end.group(0) in ":.!?" else 0)
        out.append(f"\n\n{match.group(1)} {rest[:stop].strip()}\n\n")
        at = match.end() + stop
    out.append(text[at:])
    joined = "".join(out)
    # "*" items: two or more, or after a colon. "-" items only after a colon ("…units: -
    # Semantic … - Earlier …"): prose uses " - " as a dash ("a result - stated once - here")
    for mark in "*-":
        count = sum(1 for m in _LIST_MARK.finditer(joined) if m.group(1) == mark)
        introduced = re.search(rf":\s\{mark}\s", joined) or joined.startswith(f"{mark} ")
        if introduced or (mark == "*" and count >= 2):
            joined = _LIST_MARK.sub(partial(_item_start, mark), joined)
    return joined.strip()


def _item_start(mark: str, match: re.Match[str]) -> str:
    """A flattened list item of ``mark`` back at the start of its line; other marks kept."""
    return f"\n{mark} " if match.group(1) == mark else match.group(0)


def _safe_href(href: str | None) -> str | None:
    if not href:
        return None
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ch.isspace() or ord(ch) < 32 for ch in href):
        return None
    return href


def _math(tex: str, *, display: bool) -> Math:
    tex = tex.strip()
    return Math(tex, to_unicode(tex), display)


def _inlines(nodes: list[SyntaxTreeNode]) -> tuple[Inline, ...]:
    out: list[Inline] = []
    for node in nodes:
        kind = node.type
        if kind == "text":
            out.extend(_text(_DEBRIS.sub("", node.content)))
        elif kind in ("softbreak", "hardbreak"):
            out.append(Break() if kind == "hardbreak" else Text(" "))
        elif kind == "code_inline":
            out.append(Code(node.content))
        elif kind in ("math_inline", "math_inline_double"):
            out.append(_math(node.content, display=kind == "math_inline_double"))
        elif kind in ("strong", "em", "s"):
            style: Literal["strong", "em", "strike"] = (
                "strike" if kind == "s" else "strong" if kind == "strong" else "em"
            )
            out.append(Styled(style, _inlines(node.children)))
        elif kind == "link":
            href = _safe_href(str(node.attrs.get("href", "")))
            out.append(Link(href, _inlines(node.children)))
        elif kind == "image":
            alt = "".join(c.content for c in node.children if c.type == "text") or "image"
            out.append(Link(_safe_href(str(node.attrs.get("src", ""))), (Text(alt),)))
        elif node.children:
            out.extend(_inlines(node.children))
        elif node.content:
            out.append(Text(node.content))
    return tuple(out)


def _text(text: str) -> list[Inline]:
    """Text, with links markdown-it refused (``[x](javascript:…)``) as their label only."""
    out: list[Inline] = []
    at = 0
    for match in _LEFTOVER_LINK.finditer(text):
        if match.start() > at:
            out.append(Text(text[at : match.start()]))
        out.append(Link(None, (Text(match.group(1)),)))
        at = match.end()
    if at < len(text):
        out.append(Text(text[at:]))
    return out


def _block(node: SyntaxTreeNode) -> Block | None:
    kind = node.type
    if kind in ("paragraph", "heading"):
        inline = node.children[0] if node.children else None
        inlines = _inlines(inline.children) if inline is not None else ()
        if not inlines:
            return None
        if kind == "heading":
            return Heading(inlines, int(node.tag[1:]) if node.tag[1:].isdigit() else 1)
        return Paragraph(inlines)
    if kind in ("bullet_list", "ordered_list"):
        items = tuple(
            tuple(b for child in item.children if (b := _block(child)) is not None)
            for item in node.children
        )
        start = int(str(node.attrs.get("start", 1)))
        return ListBlock(tuple(i for i in items if i), kind == "ordered_list", start)
    if kind == "blockquote":
        return Quote(tuple(b for c in node.children if (b := _block(c)) is not None))
    if kind in ("fence", "code_block"):
        return CodeBlock(node.content.rstrip("\n"))
    if kind in ("math_block", "math_block_eqno", "math_block_label"):
        return MathBlock(_math(node.content, display=True))
    if kind == "hr":
        return None
    if node.children:
        return Paragraph(_inlines(node.children))
    return Paragraph((Text(node.content),)) if node.content.strip() else None


def _close_open_math(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """A formula cut open at the end of the text (``… $\\beta_1 = 0.``) is still math."""
    if not blocks or not isinstance(blocks[-1], Paragraph):
        return blocks
    last = blocks[-1]
    if not last.inlines or not isinstance(tail := last.inlines[-1], Text):
        return blocks
    match = _OPEN_MATH_TAIL.search(tail.text)
    if match is None or not _TEXISH.search(match.group(1)):
        return blocks
    before = tail.text[: match.start()]
    tex = match.group(1).rstrip().rstrip("_^\\")
    depth = 0
    for char in tex:
        depth = max(0, depth + (char == "{") - (char == "}"))
    math = _math(tex + "}" * depth, display=False)
    inlines = last.inlines[:-1] + ((Text(before),) if before else ()) + (math,)
    return (*blocks[:-1], Paragraph(inlines))
