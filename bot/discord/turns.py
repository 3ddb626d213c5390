"""One member's commands answered in the order they sent them.

Commands run concurrently: one member's slow search does not hold up anyone else. But a member
who sends ``/search …`` and then ``/summary …`` gets the search's answer first: each command
takes a turn when it arrives (in gateway order, before its first pause) and, before it runs,
waits until the member's previous command has answered. A slash command that has to wait is
deferred first, since Discord drops an interaction not acknowledged within 3 s.

A turn not given back within ``patience`` (a command stuck behind an outage) lets the next one
run anyway: the order is a courtesy to the reader, never a reason to leave a command unanswered.
"""

from __future__ import annotations

import asyncio
import logging

log = logging.getLogger(__name__)

PATIENCE_SECONDS = 30.0


class Turns:
    """The queue of each member's commands (only members with a command in progress)."""

    def __init__(self, patience: float = PATIENCE_SECONDS) -> None:
        self.patience = patience
        self._last: dict[int, asyncio.Future[None]] = {}

    def take(self, member_id: int) -> Turn:
        """The next turn of ``member_id``: after every turn taken before it. Synchronous, so
        commands take their turns in the order the event loop started them."""
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        previous = self._last.get(member_id)
        self._last[member_id] = mine
        return Turn(self, member_id, previous, mine)

    def members_waiting(self) -> int:
        """Members with a command not yet answered."""
        return len(self._last)

    def _give_back(self, member_id: int, mine: asyncio.Future[None]) -> None:
        if not mine.done():
            mine.set_result(None)
        if self._last.get(member_id) is mine:
            del self._last[member_id]


class Turn:
    def __init__(
        self,
        turns: Turns,
        member_id: int,
        previous: asyncio.Future[None] | None,
        mine: asyncio.Future[None],
    ) -> None:
        self._turns = turns
        self.member_id = member_id
        self._previous = previous
        self._mine = mine

    @property
    def ready(self) -> bool:
        """The member's previous command has answered (or there was none)."""
        return self._previous is None or self._previous.done()

    async def wait(self) -> None:
        """Until the previous command has answered, or ``patience`` has run out."""
        if self._previous is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._previous), self._turns.patience)
        except TimeoutError:
            log.warning(
                "a member's previous command is still running after %.0f s; "
                "answering the next one anyway",
                self._turns.patience,
            )
        self._previous = None

    def give_back(self) -> None:
        """This command has answered (or given up): the member's next one may run.
        Idempotent."""
        self._turns._give_back(self.member_id, self._mine)
