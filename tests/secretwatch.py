"""Every test secret, and everything the suite produced, grepped for them at the end.

The fakes register the credentials they are made with (``secret``); the ``shortbot`` fixture,
the service and chaos helpers hand in what the processes they ran printed (``produced``);
``tests/conftest.py`` adds each test's captured output and log, and at the end of the session
the files the tests left in pytest's temporary directory, then fails the session if a secret
shows up anywhere (``leaks``). Inputs the tests wrote themselves (configuration files) are
not output and are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

SECRETS: set[str] = set()
_PRODUCED: list[tuple[str, str]] = []
INPUT_NAMES = frozenset({"shortbot.toml", ".env", "x.json"})
MAX_FILE_BYTES = 64 * 1024 * 1024


def secret(value: str) -> str:
    """Register a credential the tests use; returned unchanged."""
    if len(value) >= 8:
        SECRETS.add(value)
    return value


def produced(where: str, text: str | bytes | None) -> None:
    """Something the code under test printed, logged or answered."""
    if text:
        _PRODUCED.append(
            (where, text.decode("utf-8", "replace") if isinstance(text, bytes) else text)
        )


def files_under(root: Path) -> Iterable[tuple[str, bytes]]:
    for path in sorted(root.rglob("*")):
        try:
            if path.is_symlink() or not path.is_file() or path.name in INPUT_NAMES:
                continue
            if path.stat().st_size > MAX_FILE_BYTES:
                continue
            yield str(path), path.read_bytes()
        except OSError:
            continue


def leaks(
    extra: Iterable[tuple[str, bytes]] = (), *, texts: Iterable[tuple[str, str]] | None = None
) -> list[str]:
    """Where a registered secret was found: 'where: …context…' for each (``texts``: instead
    of what was ``produced``)."""
    found = []
    secrets = sorted(SECRETS)
    for where, text in _PRODUCED if texts is None else texts:
        for value in secrets:
            at = text.find(value)
            if at >= 0:
                found.append(f"{where}: …{text[max(0, at - 60) : at + len(value) + 20]!r}…")
    for where, data in extra:
        for value in secrets:
            if value.encode() in data:
                found.append(f"{where}: holds {value[:4]}…")
    return found
