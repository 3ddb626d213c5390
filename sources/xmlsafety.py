"""Making an XML document safe to parse: entity declarations removed from its DOCTYPE.

:func:`defuse_xml` removes entity declarations from a document's DOCTYPE before feedparser
sees it (billion laughs, quadratic blowup, external entities), keeping only declarations of a
single character reference such as ``<!ENTITY nbsp "&#160;">``. A document in an encoding a
byte scan cannot see through (UTF-16, UTF-32, UTF-7, EBCDIC …, named by its byte-order mark or
XML declaration) is decoded, cleaned and encoded again in that encoding.

This module imports only the standard library. Which URLs may be fetched is
:mod:`sources.urlsafety`'s.
"""

from __future__ import annotations

import codecs
import re

from sources.errors import SourceError

__all__ = ["UnsafeXML", "defuse_xml"]


class UnsafeXML(SourceError, ValueError):
    """A document that cannot be made safe to parse; the message says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_XML_DECLARATION = re.compile(
    r"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""", re.IGNORECASE
)
_SNIFF = (
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x4c\x6f\xa7\x94", "cp037"),
)
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))
# A declaration kept in a cleaned DOCTYPE: one character reference, nothing to expand.
_SAFE_ENTITY = re.compile(
    r"""^<!ENTITY\s+[A-Za-z_][\w.-]*\s+(["'])&#(?:[0-9]{1,7}|x[0-9a-fA-F]{1,6});\1\s*>$"""
)


def _ascii_transparent(encoding: str) -> bool:
    """Whether every ASCII character is the same one byte in ``encoding``, and nothing else is.

    For those a scan of the bytes (read as latin-1) sees the markup a parser sees; anything
    else (UTF-16/32, UTF-7, EBCDIC, ISO-2022 …) is decoded before it is scanned.
    """
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        return True  # feedparser cannot use it either; it falls back to utf-8 / windows-1252
    if info.name in {"utf-7", "hz"} or info.name.startswith("iso2022"):
        return False
    try:
        return _PRINTABLE_ASCII.decode(info.name) == _PRINTABLE_ASCII.decode("ascii")
    except (UnicodeDecodeError, ValueError):
        return False


def _candidate_encodings(body: bytes) -> list[str]:
    """Encodings a feed parser may read ``body`` in that a byte scan would not see through."""
    found: list[str] = []
    for marker, encoding in _SNIFF:
        if body.startswith(marker):
            found.append(encoding)
            break
    head = body[:1024]
    views = [head.decode("latin-1")]
    if found:
        views.append(head.decode(found[0], errors="ignore"))
    for view in views:
        match = _XML_DECLARATION.match(view.lstrip("\ufeff"))
        if match:
            found.append(match.group(1))
    out: list[str] = []
    for encoding in found:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            continue
        if not _ascii_transparent(name) and name not in out:
            out.append(name)
    return out


def _find(text: str, needle: str, start: int) -> int:
    at = text.find(needle, start)
    return len(text) if at < 0 else at + len(needle)


def _declaration_end(text: str, start: int) -> int | None:
    """End of the ``<!…>`` declaration at ``start``: quotes, comments and ``[…]`` aware."""
    i, size, in_subset = start + 2, len(text), False
    while i < size:
        char = text[i]
        if char in "\"'":
            close = text.find(char, i + 1)
            if close < 0:
                return None
            i = close + 1
            continue
        if text.startswith("<!--", i):
            close = text.find("-->", i + 4)
            if close < 0:
                return None
            i = close + 3
            continue
        if text.startswith("<?", i):
            close = text.find("?>", i + 2)
            if close < 0:
                return None
            i = close + 2
            continue
        if char == "[":
            in_subset = True
        elif char == "]":
            in_subset = False
        elif char == ">" and not in_subset:
            return i + 1
        i += 1
    return None


def _subset_declarations(subset: str) -> list[str]:
    """The ``<!…>`` declarations of an internal subset (comments, PIs and ``%pe;`` dropped)."""
    out: list[str] = []
    i = 0
    while True:
        at = subset.find("<!", i)
        if at < 0:
            return out
        if subset.startswith("<!--", at):
            i = _find(subset, "-->", at + 4)
            continue
        end = _declaration_end(subset, at)
        if end is None:
            return out
        out.append(subset[at:end])
        i = end


def _subset_bounds(doctype: str) -> tuple[int, int] | None:
    """Where the internal subset ``[…]`` of a DOCTYPE declaration starts and ends."""
    quote: str | None = None
    for index, char in enumerate(doctype):
        if quote:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "[":
            close = doctype.rfind("]")
            return index, close if close > index else len(doctype) - 1
    return None


def _clean_doctype(doctype: str) -> str:
    """``doctype`` without entity declarations (single character references are kept)."""
    bounds = _subset_bounds(doctype)
    if bounds is None:
        return doctype
    start, end = bounds
    subset = doctype[start + 1 : end]
    if "<!entity" not in subset.lower():
        return doctype
    kept = [
        declaration
        for declaration in _subset_declarations(subset)
        if len(declaration) < 200 and _SAFE_ENTITY.match(declaration)
    ][:256]
    head = doctype[:start].rstrip()
    return f"{head} [\n" + "\n".join(kept) + "\n]>" if kept else f"{head}>"


def _defuse_text(text: str) -> str | None:
    """``text`` with the DOCTYPE of its prolog cleaned; None when nothing needs to change.

    Only the prolog (before the root element) can declare entities; markup after it — a blog
    post about XXE in a CDATA section, say — is left alone.
    """
    out: list[str] = []
    copied = 0
    i, size = 0, len(text)
    while i < size:
        at = text.find("<", i)
        if at < 0 or at + 1 >= size:
            break
        if text[at + 1] == "?":
            i = _find(text, "?>", at + 2)
            continue
        if text[at + 1] != "!":
            break  # the root element: the prolog is over
        if text.startswith("<!--", at):
            i = _find(text, "-->", at + 4)
            continue
        if text.startswith("<![", at):
            i = _find(text, "]]>", at + 3)
            continue
        end = _declaration_end(text, at)
        if end is None:
            if "<!entity" in text[at:].lower():
                raise UnsafeXML("a DOCTYPE with entity declarations has no end")
            break
        declaration = text[at:end]
        keyword = declaration[2:9].upper()
        if keyword.startswith("ENTITY"):
            replacement = ""  # an entity declaration outside any DOCTYPE
        elif keyword == "DOCTYPE":
            replacement = _clean_doctype(declaration)
        else:
            replacement = declaration
        if replacement != declaration:
            out += [text[copied:at], replacement]
            copied = end
        i = end
    if not out:
        return None
    out.append(text[copied:])
    return "".join(out)


def defuse_xml(body: bytes) -> bytes:
    """``body`` with entity declarations removed from its DOCTYPE, else ``body`` itself.

    Billion laughs, quadratic blowup and external entities (``SYSTEM "file:///…"``, parameter
    entities) all need ``<!ENTITY`` declarations in the internal subset; removing them leaves
    their references undefined, which parsers report instead of expanding. The external DTD
    reference (``PUBLIC "…" "…"``) is kept: feedparser recognises Netscape RSS 0.91 by it and
    never fetches it. The document keeps its encoding: UTF-16, UTF-32, UTF-7 or EBCDIC bodies
    are decoded, cleaned and encoded again in the same encoding. Raises UnsafeXML when a
    DOCTYPE with entity declarations has no end.
    """
    cleaned = _defuse_text(body.decode("latin-1"))
    if cleaned is not None:
        body = cleaned.encode("latin-1")
    for encoding in _candidate_encodings(body):
        bom = next((m for m, e in _SNIFF[:5] if body.startswith(m) and e == encoding), b"")
        try:
            text = body[len(bom) :].decode(encoding)
        except (UnicodeDecodeError, ValueError):
            continue  # not readable in this encoding, so no parser reads markup through it
        cleaned = _defuse_text(text)
        if cleaned is None:
            continue
        try:
            body = bom + cleaned.encode(encoding)
        except UnicodeEncodeError as exc:
            raise UnsafeXML(f"cannot write the cleaned document back as {encoding}") from exc
    return body
