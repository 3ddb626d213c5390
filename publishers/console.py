"""The console publisher: the embedded default's output, a readable digest on a stream."""

from __future__ import annotations

import sys
from typing import TextIO

from papers.model import Digest
from papers.render import console_digest


class ConsolePublisher:
    platform = "console"

    def __init__(self, name: str = "console", stream: TextIO | None = None) -> None:
        self.name = name
        self._stream = stream

    async def publish(self, digest: Digest) -> None:
        stream = self._stream or sys.stdout
        stream.write(console_digest(digest))
        stream.flush()
