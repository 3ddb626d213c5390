"""The Atom publisher: each digest becomes an entry of an Atom feed file, newest first.

The feed file is the only record: ``send`` reads the entries back from it (with a defused
``ElementTree``: it yields exactly what was written, unlike feedparser, which sanitizes and
reformats content and reads a damaged file as far as it can), puts the new entry on top, keeps
the newest ``max_entries``, and writes the whole feed with feedgen to a temporary file in the
same directory, then ``os.replace``s it over the old one. Readers see the old feed or the new
one, never half of one, and there is no second file to fall out of step with the first. A file
that is there but unreadable is never overwritten: ``send`` raises ``Transient`` and the items
stay pending until someone looks.

All file work runs in a thread (``asyncio.to_thread``); an ``asyncio.Lock`` keeps two sends
through the same publisher from overwriting each other's entry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as DefusedET  # type: ignore[import-untyped]
from feedgen.feed import FeedGenerator

from papers.atom_render import render_digest, xml_safe
from papers.model import Digest
from papers.publishing import ItemRejected, Post, Sent, Transient

log = logging.getLogger(__name__)

ATOM = "{http://www.w3.org/2005/Atom}"
FILE_MODE = 0o644  # a feed is for publishing: readable by the web server


class FeedUnreadable(Exception):
    """The feed file exists but is not an Atom feed this publisher can read back."""


class AtomPublisher:
    """Appends digests as entries to one Atom feed file."""

    platform = "atom"

    def __init__(
        self,
        name: str,
        *,
        path: Path,
        feed_url: str,
        title: str = "shortbot digests",
        max_entries: int = 50,
    ) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        if not feed_url or feed_url != xml_safe(feed_url).strip():
            raise ValueError("feed_url must be a URL")
        self.name = name
        self.path = Path(path)
        self.feed_url = feed_url
        self.title = title
        self.max_entries = max_entries
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"AtomPublisher(name={self.name!r}, path={str(self.path)!r})"

    def render(self, digest: Digest) -> list[Post]:
        return render_digest(digest, destination=self.name, feed_url=self.feed_url)

    async def send(self, post: Post, *, reply_to: Sent | None = None) -> Sent:
        """Add ``post``'s entry to the feed (once: an entry id already there is left as is)."""
        entry = entry_values(post)
        async with self._lock:
            try:
                added = await asyncio.to_thread(self._add, entry)
            except FeedUnreadable as exc:
                raise Transient(
                    f"feed file {self.path} unreadable, not overwritten: {exc}"
                ) from exc
            except OSError as exc:
                raise Transient(f"cannot write feed file {self.path}: {exc}") from exc
        if added:
            log.info("atom %s: added %s (%d items)", self.name, entry["id"], len(post.items))
        return Sent(post_id=entry["id"], url=self.feed_url)

    async def delivery_guarantee(self) -> str | None:
        return None  # find_sent reads the feed file back

    async def find_sent(self, post: Post) -> Sent | None:
        entry_id = post.payload.get("id")
        if not isinstance(entry_id, str):
            return None
        async with self._lock:
            try:
                entries = await asyncio.to_thread(read_entries, self.path)
            except FeedUnreadable as exc:
                raise Transient(f"feed file {self.path} unreadable: {exc}") from exc
            except OSError as exc:
                raise Transient(f"cannot read feed file {self.path}: {exc}") from exc
        if any(e["id"] == entry_id for e in entries):
            return Sent(post_id=entry_id, url=self.feed_url)
        return None

    # in a worker thread

    def _add(self, entry: dict[str, Any]) -> bool:
        entries = read_entries(self.path)
        if any(e["id"] == entry["id"] for e in entries):
            return False
        entries = [entry, *entries][: self.max_entries]
        data = self.feed_bytes(entries)
        write_atomically(self.path, data)
        return True

    def feed_bytes(self, entries: list[dict[str, Any]]) -> bytes:
        """The whole feed with these entries, in this order (feedgen prepends by default)."""
        fg = FeedGenerator()
        fg.id(xml_safe(self.feed_url))
        fg.title(xml_safe(self.title) or "shortbot digests")
        fg.author({"name": "shortbot"})
        fg.link(href=self.feed_url, rel="self")
        # Deterministic: the newest entry's time, not the time of writing.
        fg.updated(max(e["updated"] for e in entries))
        for entry in entries:
            fe = fg.add_entry(order="append")
            fe.id(entry["id"])
            fe.title(entry["title"])
            fe.updated(entry["updated"])
            if entry["content_html"]:
                fe.content(entry["content_html"], type="html")
            # feedgen 1.0 writes only ``href`` of an entry's links (its loop variable shadows
            # the dict), so each one is an "alternate" link; Atom allows one: write only that.
            fe.link(href=entry["link"], rel="alternate")
        data: bytes = fg.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)
        return data


def entry_values(post: Post) -> dict[str, Any]:
    """The values written for a post, checked: what ``read_entries`` gives back."""
    payload = post.payload
    try:
        entry_id = str(payload["id"])
        title = xml_safe(str(payload["title"])) or "(untitled)"
        updated = _datetime(str(payload["updated"]))
        content = xml_safe(str(payload.get("content_html") or ""))
        links = payload.get("links") or []
        link = next(
            (str(x["href"]) for x in links if isinstance(x, dict) and x.get("href")),
            None,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ItemRejected(f"not an Atom entry payload: {exc!r}") from exc
    if not entry_id or entry_id != xml_safe(entry_id) or not link or link != xml_safe(link):
        raise ItemRejected("an Atom entry needs an id and a link")
    return {
        "id": entry_id,
        "title": title,
        "updated": updated,
        "content_html": content,
        "link": link,
    }


def _datetime(value: str) -> datetime:
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def read_entries(path: Path) -> list[dict[str, Any]]:
    """The entries of the feed at ``path``, in file order; none if there is no file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    try:
        root = DefusedET.fromstring(data)
    except (DefusedET.ParseError, ValueError) as exc:  # ValueError: defusedxml refused a DTD
        raise FeedUnreadable(f"{type(exc).__name__}: {exc}") from exc
    if root.tag != f"{ATOM}feed":
        raise FeedUnreadable(f"root element is {root.tag}, not an Atom feed")
    entries = []
    for element in root.findall(f"{ATOM}entry"):
        try:
            entry_id = (element.findtext(f"{ATOM}id") or "").strip()
            updated = _datetime((element.findtext(f"{ATOM}updated") or "").strip())
        except ValueError as exc:
            raise FeedUnreadable(f"entry with a bad date: {exc}") from exc
        if not entry_id:
            raise FeedUnreadable("entry without an id")
        link = next(
            (
                x.get("href")
                for x in element.findall(f"{ATOM}link")
                if x.get("href") and x.get("rel", "alternate") == "alternate"
            ),
            None,
        )
        entries.append(
            {
                "id": entry_id,
                "title": element.findtext(f"{ATOM}title") or "(untitled)",
                "updated": updated,
                "content_html": element.findtext(f"{ATOM}content") or "",
                "link": link or entry_id,
            }
        )
    return entries


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, sync it, then ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, FILE_MODE)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable (POSIX)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
