"""Chaos for threads: ``kill -9`` between Discord making a thread and shortbot's commit.

A digest of ITEMS summaries (each of its own paper) goes to two Discord destinations of the
fake Discord: a forum channel (a post per paper) and a text channel with ``thread =
"per-digest"`` (the heading in the channel, the items in a thread opened on it). A real
process (``tests/scenarios/chaos_child.py``: the ``deliver_all`` of ``shortbot digest``) is
SIGKILLed at seeded random points, mostly at a thread's creation (a forum post with its first
message, or a thread opened on the heading): inside the fake once it made the thread, while it
holds its answer back, or just after it answered; sometimes at a message, or at a random time.
It is started again until it says nothing is left. Discord's nonce guard is off: what keeps
each thread single is the ledger, each paper's post recorded before the answer, and the look
for the post by name and first message (the guild's active threads, the forum's archived ones)
or for the heading in the channel's history.

After every trial: one forum post per paper, each with its one message; one heading in the
text channel, one thread on it, every item once in it; every ledger row sent.

    SHORTBOT_CHAOS=full uv run --no-sync pytest tests/scenarios/test_chaos_threads.py -s
"""

from __future__ import annotations

import json
import random
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakediscord import FakeDiscord
from tests.fakediscord.threads import add_forum
from tests.offline import clean_env
from tests.scenarios.chaos_world import (
    DISCORD_TOKEN,
    Killer,
    LoopThread,
    Plan,
    World,
    ledger_rows,
    token,
)
from tests.scenarios.test_chaos import FULL, MAX_RUNS, SEED

ITEMS = 20
TRIALS = 12 if FULL else 2
THREADS = ITEMS + 1  # a post per paper, and the digest's thread


class ThreadWorld(World):
    """The fake Discord with a forum and a text channel, and the two destinations."""

    def __init__(self, directory: Path, loop: LoopThread) -> None:
        self.directory, self.loop = directory, loop
        self.discord = FakeDiscord(DISCORD_TOKEN, nonce_window=-1.0)
        loop.run(self.discord.__aenter__())
        self.forum = add_forum(self.discord.guild, "paper-forum", ["cs.LG", "stat.ML"])
        self.text = self.discord.guild.channel("general")
        self.killer = Killer()
        self._threads_seen = 0
        self.discord.on_post = self._stored
        self.config = directory / "shortbot.toml"
        self.config.write_text(
            "console = false\nfeeds = []\n[digest]\nmax_items = 60\n"
            f'[discord]\napi_base_url = "{self.discord.api_base_url}"\n'
            f'gateway_url = "{self.discord.gateway_url}"\nreconcile_window = "2s"\n'
            '[[destinations]]\nname = "forum"\nplatform = "discord"\n'
            f"channel_id = {self.forum.id}\n"
            '[[destinations]]\nname = "threaded"\nplatform = "discord"\n'
            f'channel_id = {self.text.id}\nthread = "per-digest"\nthread_archive = "1w"\n'
        )
        self.x_config = directory / "x.json"  # no X destination: the child needs the file
        self.x_config.write_text(json.dumps({"port": 1, "hosts": [], "cafile": ""}))
        self.env = {
            **clean_env(),
            "SHORTBOT_DISCORD__TOKEN": DISCORD_TOKEN,
            "SHORTBOT_DATA_DIR": str(directory / "data"),
        }
        self.runs: list[tuple[str, int]] = []

    def _stored(self) -> None:
        """The fake made a thread (a forum post, or a thread on the heading) or a message."""
        made = self.threads_made()
        kind = "thread" if made > self._threads_seen else "message"
        self._threads_seen = made
        self.killer.stored(kind)

    def threads_made(self) -> int:
        return len(self.discord.threads(self.forum)) + len(self.discord.threads(self.text))

    def close(self) -> None:
        self.loop.run(self.discord.__aexit__(None, None, None))

    def thread_texts(self) -> list[str]:
        out = []
        for thread in self.discord.threads(self.text):
            out += self._message_texts(self.discord.messages(thread))
        return out

    def problems(self) -> list[str]:
        found = []
        posts = self.discord.threads(self.forum)
        if len(posts) != ITEMS or len({t.name for t in posts}) != ITEMS:
            found.append(f"forum: {len(posts)} posts ({len({t.name for t in posts})} names)")
        once = [len(self.discord.messages(t)) for t in posts]
        if set(once) != {1}:
            found.append(f"forum: messages per post {Counter(once)}")
        forum_texts = [t for p in posts for t in self._message_texts(self.discord.messages(p))]
        heads = self.discord.bot_messages(self.text)
        opened = self.discord.threads(self.text)
        if len(heads) != 1 or len(opened) != 1:
            found.append(f"text channel: {len(heads)} headings, {len(opened)} threads")
        inside = self.thread_texts()
        if len(inside) != len(set(inside)):
            found.append("thread: a message twice")
        for where, texts in (("forum", forum_texts), ("thread", inside)):
            counts = Counter(i for i in range(ITEMS) for text in texts if token(i) in text)
            wrong = {i: counts[i] for i in range(ITEMS) if counts[i] != 1}
            if wrong:
                found.append(f"{where}: items not posted exactly once: {wrong}")
        return found


@pytest.fixture(scope="module")
def loop() -> Iterator[LoopThread]:
    running = LoopThread()
    yield running
    running.close()


def plan_for(rng: random.Random, world: ThreadWorld) -> Plan:
    """Mostly a kill at one of the threads still to be made; else at a message or a time."""
    left = THREADS - world.threads_made()
    kind = rng.choice(("stored", "answering", "answered", "answered"))
    delay = rng.uniform(0.0, 0.02)
    roll = rng.random()
    if left > 0 and roll < 0.7:
        return Plan(kind, "thread", rng.randint(1, left), delay=delay)
    if roll < 0.85:
        return Plan(kind, "message", rng.randint(1, 3), delay=delay)
    return Plan("time", delay=rng.uniform(0.3, 3.0))


@pytest.mark.parametrize("trial", range(TRIALS))
def test_a_kill_between_thread_creation_and_commit_makes_no_second_thread(
    trial: int, tmp_path: Path, loop: LoopThread
) -> None:
    rng = random.Random(f"{SEED}-threads-{trial}")
    world = ThreadWorld(tmp_path, loop)
    try:
        world.prepare(ITEMS)
        kills = rng.randint(1, 5)
        start = time.monotonic()
        for _ in range(MAX_RUNS):
            plan = plan_for(rng, world) if kills > 0 else Plan()
            kills -= 1
            if world.run_child(plan) == 0:
                break
        else:
            pytest.fail(f"not done after {MAX_RUNS} runs: {world.runs}")
        killed = sum(1 for _, code in world.runs if code == -signal.SIGKILL)
        print(
            f"\nthread chaos seed {SEED} trial {trial}: {len(world.runs)} runs, {killed} killed, "
            f"{time.monotonic() - start:.1f} s: " + "; ".join(f"{p} → {c}" for p, c in world.runs)
        )
        assert world.problems() == [], world.runs
        rows: list[dict[str, Any]] = ledger_rows(world)
        assert len(rows) == 2 * ITEMS
        assert {r["status"] for r in rows} == {"sent"}, world.runs
    finally:
        world.close()
