"""Log lines: one per event, ``key=value`` or JSON (``log_format``), secrets never printed.

``configure_logging(settings)`` gives every handler of the root logger the chosen formatter and
a ``RedactingFilter`` holding every secret of the settings (each ``SecretStr``: tokens, the
Page token, the X keys, webhook URLs; and the database password): each occurrence in a record's
final message, exception text or stack is replaced by ``[redacted]`` before any handler
formats it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pydantic import BaseModel, SecretStr
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.settings import Settings

REDACTED = "[redacted]"
# parts of a secret URL (a webhook's token) are secrets too when at least this long
_MIN_URL_PART = 8


def _walk(value: Any) -> Iterator[SecretStr]:
    if isinstance(value, SecretStr):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _walk(getattr(value, name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _walk(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)


def _url_parts(value: str) -> list[str]:
    """A secret URL's token may be logged without the rest (another API base, a query)."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return []
    if not parts.scheme or not parts.netloc:
        return []
    out = [segment for segment in parts.path.split("/") if len(segment) >= _MIN_URL_PART]
    out += [v for _, v in parse_qsl(parts.query) if len(v) >= _MIN_URL_PART]
    if parts.password:
        out.append(parts.password)
    return out


def secret_values(settings: Settings) -> list[str]:
    """Every secret the settings hold, longest first (so no secret is half-replaced)."""
    found: set[str] = set()
    for secret in _walk(settings):
        value = secret.get_secret_value()
        if value.strip():
            found.add(value)
            found.add(value.strip())
            found.update(_url_parts(value.strip()))
    try:
        password = make_url(settings.database).password
    except ArgumentError:
        password = None
    if password:
        found.add(str(password))
    return sorted(found, key=lambda s: (-len(s), s))


class RedactingFilter(logging.Filter):
    """Replace each secret in a record's message, exception text and stack by ``[redacted]``.

    Installed on handlers, so it sees every record they handle, propagated ones included."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # bad arguments: keep what can be shown, redacted
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = _PLAIN.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


_PLAIN = logging.Formatter()


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")


def _quoted(text: str) -> str:
    return '"' + _one_line(text.replace("\\", "\\\\").replace('"', '\\"')) + '"'


class KeyValueFormatter(logging.Formatter):
    """``ts=… level=… logger=… message`` on one line; an exception as ``exc="…"`` (newlines
    escaped, so a multi-line message or traceback never splits the event)."""

    def format(self, record: logging.LogRecord) -> str:
        line = (
            f"ts={_timestamp(record)} level={record.levelname} logger={record.name} "
            f"{_one_line(record.getMessage())}"
        )
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line += f" exc={_quoted(record.exc_text)}"
        if record.stack_info:
            line += f" stack={_quoted(record.stack_info)}"
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, and exc / stack when present."""

    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "ts": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            body["exc"] = record.exc_text
        if record.stack_info:
            body["stack"] = record.stack_info
        return json.dumps(body, ensure_ascii=False)


def formatter_for(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else KeyValueFormatter()


def install(handler: logging.Handler, settings: Settings) -> None:
    """Give ``handler`` the configured format and the secrets filter (replacing earlier ones)."""
    handler.setFormatter(formatter_for(settings.log_format))
    for old in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
        handler.removeFilter(old)
    handler.addFilter(RedactingFilter(secret_values(settings)))


def configure_logging(settings: Settings) -> None:
    """Every handler of the root logger (``logging.basicConfig``'s stderr one)."""
    for handler in logging.getLogger().handlers:
        install(handler, settings)
