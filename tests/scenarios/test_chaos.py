"""Chaos: ``kill -9`` in the middle of digests to Discord (a channel and a webhook), X and a
Facebook Page, on platforms whose reads lag their writes.

A digest of ITEMS summaries goes to four destinations (``tests/scenarios/chaos_world.py``: the
fake Discord's channel and a channel webhook, the fake X, the fake Graph API), delivered by a
real process (``tests/scenarios/chaos_child.py``: the ``deliver_all`` of ``shortbot digest``)
that is killed with SIGKILL at seeded random points (inside a fake once it stored a post,
while it holds its answer back, just after it answered, at a random time; sometimes the same
post several runs in a row), then started again until it says nothing is left. The fakes'
reads lag their writes by 0, 1 or 5 s (X's timeline, the Page's feed, the channel history).

The platforms' own duplicate guards are off (Discord's nonce window, X's duplicate check, the
Page's duplicate-status check), so a post sent twice would show: what keeps each item to one
post is shortbot's ledger and its reconciliation with what each platform reads back
(``find_sent``, looked at again until the window past the send's start is over). After every
trial each fake must hold exactly what an undisturbed run posts: every item once per
destination, no post twice, X's replies one thread. A webhook whose channel the bot cannot
read (``blind``) is at-least-once: there the repeats are counted, and nothing may be lost.

A short seeded run is part of the suite; the full one, on demand::

    SHORTBOT_CHAOS=full uv run --no-sync pytest tests/scenarios/test_chaos.py -s
    SHORTBOT_CHAOS_SEED=7 SHORTBOT_CHAOS_TRIALS=50 \
        uv run --no-sync pytest tests/scenarios/test_chaos.py -s
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakex import Certificate, make_certificate
from tests.scenarios.chaos_world import (
    ITEMS,
    PLATFORMS,
    Expected,
    LoopThread,
    Plan,
    World,
    check,
    ledger_rows,
    posts_per_item,
    repeats,
)
from tests.secretwatch import produced

FULL = os.environ.get("SHORTBOT_CHAOS") == "full"
TRIALS = int(os.environ.get("SHORTBOT_CHAOS_TRIALS") or (24 if FULL else 2))
SEED = int(os.environ.get("SHORTBOT_CHAOS_SEED") or 20261123)
MAX_RUNS = 20  # child runs per trial before the test gives up
# (read lag, webhook access): every lag with a readable webhook, and a blind webhook
LAGS = (0.0, 1.0, 5.0) if FULL else (0.0, 1.0)
CASES = [(lag, "read") for lag in LAGS] + [(0.0, "blind")]


@pytest.fixture(scope="module")
def loop() -> Iterator[LoopThread]:
    running = LoopThread()
    yield running
    running.close()


@pytest.fixture(scope="module")
def x_certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return make_certificate(tmp_path_factory.mktemp("chaos-tls"))


@pytest.fixture(scope="module")
def undisturbed(
    tmp_path_factory: pytest.TempPathFactory, loop: LoopThread, x_certificate: Certificate
) -> Expected:
    """What a run nobody kills posts (what every trial must end with)."""
    world = World(tmp_path_factory.mktemp("chaos-control"), loop, x_certificate)
    try:
        world.prepare()
        assert world.run_child(Plan()) == 0
        texts = world.texts()
        expected = Expected(
            posts={platform: len(t) for platform, t in texts.items()},
            per_item={platform: posts_per_item(t) for platform, t in texts.items()},
        )
        for platform, counts in expected.per_item.items():
            # every item is in every platform's digest, none is in two posts but X's head
            assert all(counts[i] >= 1 for i in range(ITEMS)), (platform, counts)
            assert platform == "x" or all(counts[i] == 1 for i in range(ITEMS)), platform
        assert check(world, expected) == []
        return expected
    finally:
        world.close()


def plan_for(rng: random.Random, expected: Expected, world: World, previous: Plan | None) -> Plan:
    """A kill at a random point of what is left to post; after a kill at a post, often the
    next post of that platform again (the same post cut off run after run)."""
    posted = {platform: len(texts) for platform, texts in world.texts().items()}
    left = {p: n - posted[p] for p, n in expected.posts.items() if n > posted[p]}
    if previous is not None and previous.platform in left and rng.random() < 0.4:
        kind = rng.choice(("stored", "answering", "answered"))
        return Plan(kind, previous.platform, 1, delay=rng.uniform(0.0, 0.02))
    kind = rng.choice(("stored", "stored", "answering", "answered", "answered", "time"))
    if kind == "time" or not left:
        return Plan("time", delay=rng.uniform(0.3, 4.0 if left else 2.0))
    platform = rng.choice(sorted(left))
    nth = rng.randint(1, left[platform])
    return Plan(kind, platform, nth, delay=rng.uniform(0.0, 0.02))


def at_least_once(world: World) -> dict[str, str | None]:
    """Each destination's ``at_least_once`` as ``shortbot status --json`` reports it."""
    shortbot = Path(sys.executable).with_name("shortbot")
    done = subprocess.run(
        [str(shortbot), "--config", str(world.config), "status", "--json"],
        env=world.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    produced("shortbot status", done.stdout + done.stderr)
    return {d["name"]: d["at_least_once"] for d in json.loads(done.stdout)["destinations"]}


@pytest.mark.parametrize("trial", range(TRIALS))
@pytest.mark.parametrize(
    ("lag", "webhook"), CASES, ids=[f"lag{lag:g}s-webhook-{access}" for lag, access in CASES]
)
def test_kill_9_mid_digest_loses_nothing_and_posts_nothing_twice(
    lag: float,
    webhook: str,
    trial: int,
    tmp_path: Path,
    loop: LoopThread,
    x_certificate: Certificate,
    undisturbed: Expected,
) -> None:
    rng = random.Random(f"{SEED}-{lag}-{webhook}-{trial}")
    world = World(tmp_path, loop, x_certificate, read_lag=lag, webhook=webhook)
    try:
        world.prepare()
        kills = rng.randint(1, 5)
        start = time.monotonic()
        previous: Plan | None = None
        for run in range(MAX_RUNS):
            plan = plan_for(rng, undisturbed, world, previous) if kills > 0 else Plan()
            if webhook == "blind" and run == 0:  # the at-least-once case, made to happen
                kind = rng.choice(("stored", "answering", "answered"))
                nth = rng.randint(1, undisturbed.posts["hook"])
                plan = Plan(kind, "hook", nth, delay=rng.uniform(0.0, 0.02))
            kills -= 1
            previous = plan if plan.platform else None
            if world.run_child(plan) == 0:
                break
        else:
            pytest.fail(f"not done after {MAX_RUNS} runs: {world.runs}")
        killed = sum(1 for _, code in world.runs if code == -signal.SIGKILL)
        blind = ("hook",) if webhook == "blind" else ()
        repeated = {p: repeats(world, p) for p in PLATFORMS}
        print(
            f"\nchaos seed {SEED} lag {lag:g} s webhook {webhook} trial {trial}: "
            f"{len(world.runs)} runs, {killed} killed, repeats {repeated}, "
            f"{time.monotonic() - start:.1f} s: " + "; ".join(f"{p} → {c}" for p, c in world.runs)
        )
        assert check(world, undisturbed, repeats_allowed=blind) == [], world.runs
        # an at-least-once destination repeats at most the message each kill cut off
        assert repeated["hook"] <= (killed if blind else 0)
        rows = ledger_rows(world)
        assert len(rows) == len(PLATFORMS) * ITEMS
        assert {r["status"] for r in rows} == {"sent"}, world.runs
        guarantees = at_least_once(world)
        assert (guarantees["hook"] is not None) == bool(blind), guarantees
        assert [n for n, reason in guarantees.items() if reason and n != "hook"] == []
    finally:
        world.close()


def test_outages_and_429_storms_lose_nothing_and_never_spin(
    tmp_path: Path, loop: LoopThread, x_certificate: Certificate, undisturbed: Expected
) -> None:
    """Each platform fails for a while (500s, a lost answer, 429 storms with and without
    ``global``), then recovers; the digest is run again until nothing is left. Every item
    arrives once, and the requests stay few: retries back off instead of spinning."""
    from tests.fakex import Fault as XFault

    # discord.py retries a 5xx itself, inside one send: what keeps that retry from posting
    # twice after a lost answer is the nonce, which Discord enforces (as the fake does here)
    world = World(tmp_path, loop, x_certificate, discord_nonces=True)
    try:
        world.prepare()
        messages = "*/channels/*/messages"
        world.discord.fail_next("POST", messages, status=500, times=8)
        world.discord.fail_next(
            "POST", messages, status=429, retry_after=0.4, global_=True, times=6
        )
        world.discord.fail_next("POST", messages, status=429, retry_after=0.4, times=6)
        world.discord.fail_next("POST", messages, status=502, times=1, after_processing=True)
        world.x.fail_next(
            "create_tweet",
            *[XFault.server_error(503) for _ in range(6)],
            XFault.rate_limited(reset_in=1.0),
            XFault.server_error(500, html_body=True),
        )
        for kind in ["server_error"] * 6 + ["too_many", "server_error"]:
            world.graph.fail_next(kind)
        for _ in range(MAX_RUNS):
            if world.run_child(Plan()) == 0:
                break
        else:
            pytest.fail(f"not done after {MAX_RUNS} runs: {world.runs}")
        assert check(world, undisturbed) == [], world.runs
        creates = len(world.discord.requests_to("POST", messages))
        faults = 8 + 6 + 6 + 1
        # every post, every fault answered once, and a few retries: nothing near a tight loop
        assert creates <= undisturbed.posts["discord"] + faults + 5, creates
        assert world.x.count("create_tweet") <= undisturbed.posts["x"] + 8 + 5
        print(
            f"\noutages: {len(world.runs)} runs; Discord creates {creates} for "
            f"{undisturbed.posts['discord']} posts and {faults} faults; X creates "
            f"{world.x.count('create_tweet')} for {undisturbed.posts['x']} posts and 8 faults"
        )
    finally:
        world.close()
