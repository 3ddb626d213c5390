"""The public arXiv metadata snapshot (Kaggle's ``arxiv-metadata-oai-snapshot.json``).

JSON lines, one paper per line: ``id``, ``authors`` / ``authors_parsed`` ([last, first,
suffix] lists), ``title``, ``abstract``, ``categories`` (space separated), ``doi``,
``journal-ref``, ``comments``, ``versions`` ([{"version": "v1", "created": "Mon, 2 Apr 2007
19:18:42 GMT"}, …]) … Plain or gzip (recognised by its magic bytes); several GB, so it is only
ever streamed.

:func:`parse_line` turns one line into an :class:`IncomingPaper` (arXiv's own metadata:
``complete``) or raises :class:`BadLine` with a short reason. :func:`read_lines` yields each
line with its number and the uncompressed byte offset after it, starting from a checkpoint.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import IO, Any

from papers.ids import parse_arxiv_id
from papers.model import IncomingPaper

GZIP_MAGIC = b"\x1f\x8b"
_READ_BUFFER = 1 << 20
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


class BadLine(ValueError):
    """A line that is not a usable paper; the message says why."""


class SnapshotFile:
    """A snapshot file opened at an uncompressed byte ``offset`` (a checkpoint).

    gzip is recognised by content, not name; a plain file seeks to ``offset``, a gzip stream
    decompresses and skips (gzip cannot seek). ``position()`` is how far into the file (its
    compressed bytes) reading got, for progress. Raises OSError.
    """

    def __init__(self, path: Path, offset: int = 0) -> None:
        self.size = path.stat().st_size
        self.raw = io.BufferedReader(io.FileIO(path, "rb"), _READ_BUFFER)
        try:
            self.compressed = self.raw.peek(2)[:2] == GZIP_MAGIC
            self.stream: IO[bytes]
            if not self.compressed:
                self.raw.seek(offset)
                self.stream = self.raw
                return
            gz = gzip.GzipFile(fileobj=self.raw, mode="rb")
            self.stream = io.BufferedReader(gz, _READ_BUFFER)
            left = offset
            while left:
                chunk = self.stream.read(min(left, _READ_BUFFER))
                if not chunk:
                    break
                left -= len(chunk)
        except BaseException:
            self.raw.close()
            raise

    def position(self) -> int:
        return self.raw.tell()

    def close(self) -> None:
        self.stream.close()
        self.raw.close()

    def __enter__(self) -> SnapshotFile:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def read_lines(
    stream: IO[bytes], *, start_line: int = 0, start_offset: int = 0
) -> Iterator[tuple[int, bytes, int]]:
    """(line number from 1, line, uncompressed offset after it) of a stream opened at a
    checkpoint: ``start_line`` lines and ``start_offset`` bytes already done."""
    number, offset = start_line, start_offset
    for line in stream:
        number += 1
        offset += len(line)
        yield number, line, offset


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    flat = " ".join(value.split())  # as papers.text.collapse, several times faster
    return flat or None


def _created(value: Any) -> datetime | None:
    """``Mon, 2 Apr 2007 19:18:42 GMT`` as aware UTC (a fast path, RFC 2822 otherwise)."""
    if not isinstance(value, str):
        return None
    parts = value.split()
    try:
        if len(parts) == 6 and parts[5] == "GMT":
            h, mi, s = parts[4].split(":")
            return datetime(
                int(parts[3]), _MONTHS[parts[2]], int(parts[1]), int(h), int(mi), int(s), tzinfo=UTC
            )
        parsed = parsedate_to_datetime(value)
    except (ValueError, KeyError, TypeError, IndexError):
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _authors(record: dict[str, Any]) -> tuple[str, ...]:
    parsed = record.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names = []
        for item in parsed:
            if isinstance(item, list) and all(isinstance(p, str) for p in item):
                # [last, first, suffix]: "first last suffix"
                name = " ".join(" ".join(item[1:2] + item[:1] + item[2:3]).split())
                if name:
                    names.append(name)
        if names:
            return tuple(names)
    text = _text(record.get("authors"))
    if not text:
        return ()
    text = text.replace(" and ", ", ")
    return tuple(n for n in (p.strip() for p in text.split(",")) if n)


def _doi(value: Any) -> str | None:
    """The first DOI of the field (it sometimes holds several, space separated)."""
    if not isinstance(value, str):
        return None
    for part in value.split():
        if part.startswith("10.") and "/" in part:
            return part
    return None


def parse_line(line: bytes) -> IncomingPaper:
    """One snapshot line as a paper. Raises BadLine (not JSON, no id, a bad id)."""
    try:
        record = json.loads(line)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise BadLine("not JSON") from exc
    if not isinstance(record, dict):
        raise BadLine("not a JSON object")
    raw_id = record.get("id")
    if not isinstance(raw_id, str) or not raw_id.strip():
        raise BadLine("no id")
    ref = parse_arxiv_id(raw_id)
    if ref is None or (ref.version is not None and f"{ref.id}v{ref.version}" != raw_id.strip()):
        raise BadLine(f"bad id {raw_id[:40]!r}")
    title = _text(record.get("title"))
    if not title:
        raise BadLine("no title")
    versions = record.get("versions")
    created: list[datetime] = []
    version = None
    if isinstance(versions, list) and versions:
        for v in versions:
            if isinstance(v, dict) and (when := _created(v.get("created"))) is not None:
                created.append(when)
        last = versions[-1]
        label = last.get("version") if isinstance(last, dict) else None
        if isinstance(label, str) and label[1:].isdigit():
            version = int(label[1:])
        else:
            version = len(versions)
    categories = record.get("categories")
    cats = tuple(dict.fromkeys(categories.split())) if isinstance(categories, str) else ()
    return IncomingPaper(
        title=title,
        arxiv_id=ref.id,
        arxiv_version=version or ref.version,
        doi=_doi(record.get("doi")),
        authors=_authors(record),
        abstract=_text(record.get("abstract")),
        categories=cats,
        published=min(created) if created else None,
        updated=max(created) if len(created) > 1 else None,
        primary_category=cats[0] if cats else None,
        journal_ref=_text(record.get("journal-ref")),
        comment=_text(record.get("comments")),
        complete=True,
    )
