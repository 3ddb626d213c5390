"""TeX math as readable Unicode text, for platforms that render no math.

``to_unicode(r"x_{t+1}")`` is ``"xₜ₊₁"``, ``\\beta_1`` is ``"β₁"``, ``O(\\sqrt{T})`` is
``"O(√T)"``, ``\\frac{a+b}{c}`` is ``"(a+b)/c"``, ``\\mathbb{R}^n`` is ``"ℝⁿ"``. Symbols come
from pylatexenc's LaTeX-to-text tables; sub- and superscripts become Unicode sub- and
superscript characters where every character has one (``x_{ij}`` → ``xᵢⱼ``), else stay readable
(``L_∞``, ``x_(a,b)``). What cannot be made readable this way (matrices and other environments,
unknown macros, unbalanced braces) gives ``None``: callers then show the TeX itself.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from pylatexenc.latex2text import LatexNodes2Text

MAX_TEX = 2_000  # longer formulas are shown as TeX (and cost no parsing)

_SUPER = dict(
    zip(
        "0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWβγδθφχ′*∗†⊤⊺'",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵝᵞᵟᶿᵠᵡ′**†ᵀᵀ′",
        strict=True,
    )
)
_SUB = dict(
    zip(
        "0123456789+-−=()aehijklmnoprstuvxβγρφχ",
        "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ",
        strict=True,
    )
)
_RELATIONS = frozenset("=<>≤≥≠≈≡∼≃≅∝→←↦⇒⇐⇔↔∈∉⊂⊆⊃⊇≪≫≺≻⪯⪰⊥∣")
_SPACES = {",": " ", ";": " ", ":": " ", " ": " ", "quad": " ", "qquad": " ", "!": ""}
_ESCAPED = {"|": "‖", "{": "{", "}": "}", "%": "%", "$": "$", "&": "&", "#": "#", "_": "_"}
_IGNORED = frozenset(
    [
        "left",
        "right",
        "big",
        "Big",
        "bigg",
        "Bigg",
        "bigl",
        "bigr",
        "Bigl",
        "Bigr",
        "biggl",
        "biggr",
        "middle",
        "limits",
        "nolimits",
        "displaystyle",
        "textstyle",
        "scriptstyle",
        "scriptscriptstyle",
        "label",
        "nonumber",
        "notag",
    ]
)
_OPERATORS = frozenset(
    [
        "arg",
        "argmax",
        "argmin",
        "det",
        "Re",
        "Im",
        "Pr",
        "sgn",
        "sign",
        "softmax",
        "diag",
        "tr",
        "Tr",
        "rank",
        "KL",
        "Var",
        "Cov",
        "E",
        "erf",
        "log",
        "ln",
        "lg",
        "exp",
        "min",
        "max",
        "sup",
        "inf",
        "lim",
        "liminf",
        "limsup",
        "sin",
        "cos",
        "tan",
        "sinh",
        "cosh",
        "tanh",
        "arcsin",
        "arccos",
        "arctan",
        "cot",
        "sec",
        "csc",
        "deg",
        "dim",
        "gcd",
        "hom",
        "ker",
        "mod",
    ]
)
_TEXT = frozenset(
    [
        "text",
        "textrm",
        "textnormal",
        "mathrm",
        "operatorname",
        "mbox",
        "textit",
        "textbf",
        "textsf",
        "mathop",
    ]
)
_FONTS = frozenset(
    ["mathbb", "mathcal", "mathbf", "mathsf", "mathtt", "mathfrak", "mathscr", "boldsymbol", "bm"]
)
_ACCENTS = frozenset(
    [
        "hat",
        "bar",
        "tilde",
        "vec",
        "dot",
        "ddot",
        "check",
        "breve",
        "acute",
        "grave",
        "widehat",
        "widetilde",
    ]
)
_PLAIN_ARG = frozenset(
    ["overline", "underline", "underbrace", "overbrace", "boxed", "mathring", "mathit"]
)
_FRACTIONS = frozenset(["frac", "dfrac", "tfrac", "cfrac"])
_TOKEN = re.compile(r"\\(?:[A-Za-z]+|.)|[{}]|\s+|%[^\n]*|.", re.DOTALL)
_OPERATOR_CHARS = frozenset(" +-−±∓*/·×÷=<>≤≥≈≠,;:|")
_SIMPLE = re.compile(r"[\w.′]+|.", re.UNICODE)


class _Unreadable(Exception):
    """The formula cannot be written as readable Unicode: show its TeX."""


@functools.cache
def _latex2text() -> LatexNodes2Text:
    return LatexNodes2Text(math_mode="text")


@functools.cache
def _symbol(latex: str) -> str:
    """pylatexenc's text for one macro (with its argument); "" when it has none."""
    return str(_latex2text().latex_to_text(latex))


def to_unicode(tex: str) -> str | None:
    """Readable Unicode for the TeX formula ``tex`` (no ``$``), or None to show it as TeX."""
    if len(tex) > MAX_TEX:
        return None
    try:
        pieces = _Reader(_TOKEN.findall(tex)).sequence(closing=False)
    except _Unreadable:
        return None
    return unicodedata.normalize("NFC", _join(pieces))


@dataclass(slots=True)
class _Piece:
    text: str
    relation: bool = False  # spaced on both sides: "a = b"
    operator: bool = False  # a named operator: "arg max x"


def _join(pieces: list[_Piece], *, tight: bool = False) -> str:
    """The pieces as text; ``tight`` (sub- and superscripts) leaves relations unspaced."""
    out: list[str] = []
    for index, piece in enumerate(pieces):
        text = piece.text
        if piece.relation and not tight:
            text = f" {text} "
        elif piece.operator:
            before = out[-1][-1:] if out else ""
            following = pieces[index + 1].text[:1] if index + 1 < len(pieces) else ""
            if before.isalnum():
                text = " " + text
            if following.isalnum():
                text += " "
        out.append(text)
    return " ".join("".join(out).split())


def _script(body: str, table: dict[str, str], mark: str) -> str:
    if not body:
        return ""
    if body and all(ch in table for ch in body):
        return "".join(table[ch] for ch in body)
    if len(body) == 1 or _SIMPLE.fullmatch(body):
        return mark + body
    return f"{mark}({body})"


def _wrapped(text: str) -> str:
    """``text`` as one operand of ``/``: parenthesised only when an operator or a space stands
    outside its own brackets (``L(L+1)`` stays, ``a+b`` becomes ``(a+b)``)."""
    depth, bare = 0, []
    for char in text:
        depth += char in "([{"
        depth -= char in ")]}"
        if depth == 0 and char not in ")]}":
            bare.append(char)
    return f"({text})" if any(c in _OPERATOR_CHARS for c in bare) else text


class _Reader:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.at = 0

    def _next(self) -> str | None:
        while self.at < len(self.tokens):
            tok = self.tokens[self.at]
            self.at += 1
            if not tok.startswith("%"):
                return tok
        return None

    def _peek_raw(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def sequence(self, *, closing: bool) -> list[_Piece]:
        pieces: list[_Piece] = []
        while (tok := self._next()) is not None:
            if tok == "}":
                if not closing:
                    raise _Unreadable("unbalanced }")
                return pieces
            if tok.isspace():
                pieces.append(_Piece(" "))
            elif tok in ("_", "^"):
                self._attach(pieces, tok)
            else:
                pieces.extend(self._atom(tok))
        if closing:
            raise _Unreadable("unbalanced {")
        return pieces

    def _attach(self, pieces: list[_Piece], mark: str) -> None:
        body = _join(self._argument(), tight=True)
        text = _script(body, _SUPER if mark == "^" else _SUB, mark)
        while pieces and pieces[-1].text == " ":
            pieces.pop()
        if pieces and pieces[-1].operator:
            pieces[-1] = _Piece(pieces[-1].text + text, operator=True)
        else:
            pieces.append(_Piece(text))

    def _argument(self) -> list[_Piece]:
        """The next argument: a {group}, one macro with its arguments, or one character."""
        while (tok := self._next()) is not None and tok.isspace():
            pass
        if tok is None:
            raise _Unreadable("missing argument")
        if tok == "{":
            return self.sequence(closing=True)
        if tok in ("}", "_", "^"):
            raise _Unreadable(f"unexpected {tok}")
        return self._atom(tok)

    def _raw_group(self) -> str:
        """A {group}'s text as written (for \\text{…} and environment names)."""
        while (tok := self._next()) is not None and tok.isspace():
            pass
        if tok != "{":
            return tok or ""
        depth, parts = 1, list[str]()
        while (tok := self._next()) is not None:
            depth += tok == "{"
            depth -= tok == "}"
            if depth == 0:
                return "".join(parts)
            parts.append(_ESCAPED.get(tok[1:], tok[1:]) if tok.startswith("\\") else tok)
        raise _Unreadable("unbalanced {")

    def _atom(self, tok: str) -> list[_Piece]:
        if tok == "{":
            return self.sequence(closing=True)
        if tok == "'":
            return [_Piece("′")]
        if tok in ("&", "~"):
            raise _Unreadable("alignment") if tok == "&" else _Unreadable("tie")
        if not tok.startswith("\\"):
            if tok == "-":
                return [_Piece("−")]
            return [_Piece(tok, relation=tok in _RELATIONS)]
        return self._macro(tok[1:])

    def _macro(self, name: str) -> list[_Piece]:
        if name in _SPACES:
            return [_Piece(_SPACES[name])] if _SPACES[name] else []
        if name in _ESCAPED:
            return [_Piece(_ESCAPED[name])]
        if name in _IGNORED:
            if name in ("label", "left", "right") or name.startswith("big"):
                if name == "label":
                    self._raw_group()
                elif self._peek_raw() == ".":
                    self.at += 1
            return []
        if name in _FRACTIONS:
            top, bottom = _join(self._argument()), _join(self._argument())
            return [_Piece(f"{_wrapped(top)}/{_wrapped(bottom)}")]
        if name == "sqrt":
            return [_Piece(self._root())]
        if name == "binom":
            top, bottom = _join(self._argument()), _join(self._argument())
            return [_Piece(f"({top} choose {bottom})")]
        if name in _TEXT:
            text = " ".join(self._raw_group().split())
            return [_Piece(text, operator=name in ("operatorname", "mathop"))]
        if name in _FONTS or name in _ACCENTS:
            body = _join(self._argument())
            if len(body) == 1 or (name in _FONTS and body.isascii() and body.isalnum()):
                styled = _symbol(f"\\{name}{{{body}}}")
                return [_Piece(styled or body)]
            return [_Piece(body)]
        if name in _PLAIN_ARG:
            return self._argument()
        if name == "not":
            following = self._argument()
            text = _join(following)
            return [_Piece(text + "\u0338" if len(text) == 1 else f"not {text}", relation=True)]
        if name in _OPERATORS:
            return [_Piece(name, operator=True)]
        if name in ("begin", "end", "\\", "newline", "hline", "cr"):
            raise _Unreadable(f"\\{name}")
        symbol = _symbol(f"\\{name}")
        if not symbol or symbol.startswith("\\"):
            raise _Unreadable(f"unknown macro \\{name}")
        symbol = symbol.strip() or " "
        return [_Piece(symbol, relation=symbol in _RELATIONS)]

    def _root(self) -> str:
        index = ""
        if self._peek_raw() == "[":
            self.at += 1
            parts = []
            while (tok := self._next()) is not None and tok != "]":
                parts.append(tok)
            index = "".join(parts).strip()
        body = _join(self._argument())
        sign = {"": "√", "2": "√", "3": "∛", "4": "∜"}.get(index)
        if sign is None:
            sign = _script(index, _SUPER, "^") + "√"
        return sign + (body if _SIMPLE.fullmatch(body) else f"({body})")
