"""The console publisher: the embedded default's output, a readable digest on a stream."""

from __future__ import annotations

import sys
from typing import TextIO

from papers.keys import console_post_key
from papers.model import Digest
from papers.publishing import Post, Sent
from papers.render import console_digest


class ConsolePublisher:
    platform = "console"

    def __init__(self, name: str = "console", stream: TextIO | None = None) -> None:
        self.name = name
        self._stream = stream

    def render(self, digest: Digest) -> list[Post]:
        if digest.empty:
            return []
        items = digest.keys
        return [Post(console_post_key(self.name, items), items, {"text": console_digest(digest)})]

    async def send(self, post: Post, *, reply_to: Sent | None = None) -> Sent:
        stream = self._stream or sys.stdout
        stream.write(str(post.payload["text"]))
        stream.flush()
        return Sent(post.key)

    async def delivery_guarantee(self) -> str | None:
        return "a terminal keeps no record"  # a digest cut off by a crash is printed again

    async def find_sent(self, post: Post) -> Sent | None:
        return None  # a terminal keeps no record: an interrupted digest is printed again
