"""bot/discord/turns.py: a member's commands in order, never stuck."""

from __future__ import annotations

import asyncio

from bot.discord.turns import Turns


async def test_turns_of_one_member_go_in_order_and_others_do_not_wait() -> None:
    turns = Turns()
    done: list[str] = []

    async def command(name: str, member: int, pause: float) -> None:
        turn = turns.take(member)  # taken when it arrives, as get_context does
        await asyncio.sleep(0)
        await turn.wait()
        await asyncio.sleep(pause)
        done.append(name)
        turn.give_back()

    await asyncio.gather(command("slow", 1, 0.05), command("fast", 1, 0), command("other", 2, 0))
    assert done == ["other", "slow", "fast"]
    assert turns.members_waiting() == 0


async def test_a_turn_not_given_back_holds_the_next_only_for_patience() -> None:
    turns = Turns(patience=0.05)
    stuck = turns.take(7)
    after = turns.take(7)
    assert not after.ready
    await asyncio.wait_for(after.wait(), 5)  # gives up waiting after 0.05 s
    after.give_back()
    assert turns.members_waiting() == 0  # nothing kept for the member
    assert turns.take(7).ready  # the stuck one does not hold the next command either
    stuck.give_back()
    stuck.give_back()  # late, twice: harmless
