"""The one root of the errors a person's request can meet in the domain.

A :class:`UserError` says, in ``reason`` (one sentence, for people), why what was asked cannot
be done as asked: an unusable query or link, a schedule or subscription that is not one, a
name or number that names nothing. Faces show the reason: the CLI on stderr with its exit
code, Discord through its one command-error handler. Cogs translate nothing.
"""

from __future__ import annotations


class UserError(ValueError):
    """What was asked cannot be done as asked; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotKnown(UserError, LookupError):
    """Nothing of that name or number (a feed, a destination, a schedule)."""
