"""What every ``shortbot`` command shares: exit codes, and how a command registers.

Each module of ``bot.cli`` has ``register(sub)``: it adds its parser(s) to the ``shortbot``
parser and names its handler with ``set_defaults(handler=…, opens=…)``. ``opens`` says what the
handler gets: ``"app"`` (the default: the composition root, database migrated), ``"app-as-is"``
(not migrated: ``db upgrade`` does that itself) or ``"settings"`` (no database opened).
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from papers.model import PINNABLE_KINDS

EXIT_OK, EXIT_NOT_FOUND, EXIT_USAGE, EXIT_CANNOT_START, EXIT_INTERNAL = 0, 1, 2, 3, 4
EXIT_FAILED = EXIT_NOT_FOUND  # 1: not found, refused, or could not be done
KINDS = [kind.value for kind in PINNABLE_KINDS]
KIND_HELP = "read the feed as this kind instead of recognising it from its content"

Opens = Literal["app", "app-as-is", "settings"]
Handler = Callable[[Any, argparse.Namespace], Awaitable[int]]
SubParsers = "argparse._SubParsersAction[argparse.ArgumentParser]"


def command(
    sub: Any, name: str, handler: Handler, *, opens: Opens = "app", **options: Any
) -> argparse.ArgumentParser:
    """Add the command ``name`` to ``sub`` (a subparsers action) with its handler."""
    parser: argparse.ArgumentParser = sub.add_parser(name, **options)
    parser.set_defaults(handler=handler, opens=opens)
    return parser
