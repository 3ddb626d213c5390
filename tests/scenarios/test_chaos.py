"""Chaos: ``kill -9`` in the middle of digests to Discord, X and a Facebook Page.

A digest of ITEMS summaries goes to three destinations (the fake Discord, the fake X, the fake
Graph API), delivered by a real process (``tests/scenarios/chaos_child.py``: the ``deliver_all`` of
``shortbot digest``) that is killed with SIGKILL at seeded random points, then started again
until it says nothing is left. The kill points:

* ``stored``: inside a fake, the moment it has stored the n-th post of this run, before it
  answers: the platform has the post, the process never learns it;
* ``answered``: a few milliseconds after that post was stored: the answer is on its way or
  read, and the process dies before or after recording it (between the platform's answer
  and our commit);
* ``time``: at a random moment after the start (start-up, selection, the intents' commit, …).

The platforms' own duplicate guards are switched off (Discord's nonce window, X's duplicate
check, the Page's duplicate-status check), so a post sent twice would show: what keeps each
item to one post is shortbot's ledger and its reconciliation with what each platform
reports (``find_sent``). After every trial each fake must hold exactly what an uninterrupted
run posts: every item once per destination, no post twice, X's replies one thread.

A short seeded run is part of the suite (``CHAOS_TRIALS`` trials); the full one, on demand::

    SHORTBOT_CHAOS=full uv run --no-sync pytest tests/scenarios/test_chaos.py -s   # 24 trials
    SHORTBOT_CHAOS_SEED=7 SHORTBOT_CHAOS_TRIALS=50 \
        uv run --no-sync pytest tests/scenarios/test_chaos.py -s
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.app import open_app
from bot.settings import load_settings
from papers.usecases import ingest_parsed
from sources.parse import parse_feed
from tests.fakediscord import FakeDiscord
from tests.fakegraph import FakeGraph
from tests.fakex import Certificate, FakeX, make_certificate
from tests.httpserver import LocalHTTPServer
from tests.offline import clean_env
from tests.secretwatch import produced

FULL = os.environ.get("SHORTBOT_CHAOS") == "full"
TRIALS = int(os.environ.get("SHORTBOT_CHAOS_TRIALS") or (24 if FULL else 4))
SEED = int(os.environ.get("SHORTBOT_CHAOS_SEED") or 20261123)
ITEMS = 50
MAX_RUNS = 15  # child runs per trial before the test gives up
ROOT = Path(__file__).resolve().parents[2]
DISCORD_TOKEN = "MTIzNDU2.chaos-bot-token-SECRET"

T = TypeVar("T")


def token(i: int) -> str:
    """The word that names item ``i`` in every platform's text."""
    return f"qz{i:03d}chaos"


def feed(n: int) -> bytes:
    """A ShortScience RSS feed of ``n`` summaries, each with its own arXiv id and token."""
    items = []
    for i in range(n):
        arxiv = f"2401.{10000 + i:05d}"
        url = f"https://www.shortscience.org/paper?bibtexKey=journals/corr/{arxiv}#r{i}"
        items.append(
            f"<item><shortscience:arxivid>{arxiv}</shortscience:arxivid>"
            f"<shortscience:bibtexkey>journals/corr/{arxiv}</shortscience:bibtexkey>"
            f"<shortscience:votes>{i % 7}</shortscience:votes>"
            f"<title>Robust learning study {token(i)}</title><author>Reader {i}</author>"
            f"<description>Summary {i} of a paper on robust learning.</description>"
            f"<link>{url}</link><guid>{url}</guid>"
            f"<pubDate>Tue, 02 Jan 2024 {i // 60:02d}:{i % 60:02d}:00 +0000</pubDate></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<rss version="2.0" xmlns:shortscience="https://www.shortscience.org"><channel>'
        "<title>ShortScience.org Latest Summaries</title><link>https://www.shortscience.org</link>"
        "<description>chaos</description>" + "".join(items) + "</channel></rss>"
    ).encode()


class LoopThread:
    """An event loop in a thread of its own, for the fakes that are asyncio servers."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=60)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@dataclass
class Plan:
    """Where this run of the child dies (``kind`` None: it is left alone)."""

    kind: str | None = None
    platform: str = ""
    nth: int = 0
    delay: float = 0.0

    def __str__(self) -> str:
        if self.kind is None:
            return "no kill"
        if self.kind == "time":
            return f"kill at {self.delay * 1000:.0f} ms"
        extra = f" + {self.delay * 1000:.1f} ms" if self.kind == "answered" else ""
        return f"kill at {self.platform} post {self.nth} ({self.kind}{extra})"


@dataclass
class Killer:
    """Counts the posts each fake stores during one child run and kills it where planned."""

    plan: Plan = field(default_factory=Plan)
    pid: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    fired: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def arm(self, plan: Plan, pid: int) -> None:
        with self.lock:
            self.plan, self.pid, self.counts, self.fired = plan, pid, Counter(), False

    def kill(self) -> None:
        with self.lock:
            if self.fired or not self.pid:
                return
            self.fired = True
            pid = self.pid
        with contextlib.suppress(ProcessLookupError):  # it finished first
            os.kill(pid, signal.SIGKILL)

    def hook(self, platform: str) -> Any:
        def on_post() -> None:
            with self.lock:
                self.counts[platform] += 1
                plan = self.plan
                hit = plan.platform == platform and self.counts[platform] == plan.nth
            if not hit or plan.kind is None:
                return
            if plan.kind == "stored":
                self.kill()
            elif plan.kind == "answered":
                threading.Timer(plan.delay, self.kill).start()

        return on_post


class World:
    """The three fakes of one trial, with duplicate guards off, and a working directory."""

    def __init__(
        self,
        directory: Path,
        loop: LoopThread,
        certificate: Certificate,
        *,
        discord_nonces: bool = False,
    ) -> None:
        self.directory, self.loop = directory, loop
        # Discord's nonce (enforce_nonce) is off unless asked for: a message sent twice by two
        # processes must be caught by shortbot's own reconciliation, not by the platform
        self.discord = FakeDiscord(DISCORD_TOKEN, nonce_window=300.0 if discord_nonces else -1.0)
        loop.run(self.discord.__aenter__())
        self.x = FakeX(certificate, reject_duplicates=False)
        loop.run(self.x.start())
        self.http = LocalHTTPServer()
        self.http.__enter__()
        self.graph = FakeGraph(self.http, duplicate_window=0.0)
        self.killer = Killer()
        self.discord.on_post = self.killer.hook("discord")
        self.x.on_post = self.killer.hook("x")
        self.graph.on_post = self.killer.hook("facebook")
        self.channel = self.discord.guild.channel("general").id
        self.config = directory / "shortbot.toml"
        self.config.write_text(
            "console = false\nfeeds = []\n[digest]\nmax_items = 60\n"
            f'[discord]\napi_base_url = "{self.discord.api_base_url}"\n'
            f'gateway_url = "{self.discord.gateway_url}"\n'
            f'[facebook]\npage_id = "{self.graph.page_id}"\ngraph_url = "{self.graph.base_url}"\n'
            f'[[destinations]]\nname = "discord"\nplatform = "discord"\n'
            f"channel_id = {self.channel}\n"
            '[[destinations]]\nname = "page"\nplatform = "facebook"\n'
            '[[destinations]]\nname = "x"\nplatform = "x"\nmode = "thread"\n'
        )
        self.x_config = directory / "x.json"
        self.x_config.write_text(
            json.dumps(
                {
                    "port": self.x.port,
                    "hosts": list(certificate.hosts),
                    "cafile": str(certificate.cert_file),
                }
            )
        )
        creds = self.x.credentials
        clean = clean_env()
        self.env = {
            **clean,
            "SHORTBOT_DISCORD__TOKEN": DISCORD_TOKEN,
            "SHORTBOT_FACEBOOK__PAGE_TOKEN": self.graph.token,
            "SHORTBOT_X__API_KEY": creds.consumer_key,
            "SHORTBOT_X__API_SECRET": creds.consumer_secret,
            "SHORTBOT_X__ACCESS_TOKEN": creds.access_token,
            "SHORTBOT_X__ACCESS_SECRET": creds.access_token_secret,
            "SHORTBOT_DATA_DIR": str(directory / "data"),
        }
        self.runs: list[tuple[str, int]] = []

    def close(self) -> None:
        self.loop.run(self.x.close())
        self.loop.run(self.discord.__aexit__(None, None, None))
        self.http.__exit__(None, None, None)

    def prepare(self) -> None:
        """Register the destinations, then bring in the summaries (new: the next digest)."""
        saved = dict(os.environ)
        os.environ.update({k: v for k, v in self.env.items() if k.startswith("SHORTBOT_")})
        try:
            settings = load_settings(str(self.config))
        finally:
            os.environ.clear()
            os.environ.update(saved)

        async def go() -> None:
            async with open_app(settings) as app:
                parsed = parse_feed(feed(ITEMS), "chaos")
                await ingest_parsed(app.store, parsed, "chaos", announce=True, now=app.clock())

        asyncio.run(go())

    def run_child(self, plan: Plan) -> int:
        command = [
            sys.executable,
            "-m",
            "tests.scenarios.chaos_child",
            str(self.config),
            str(self.x_config),
        ]
        child = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.killer.arm(plan, child.pid)
        timer = None
        if plan.kind == "time":
            timer = threading.Timer(plan.delay, self.killer.kill)
            timer.start()
        try:
            out, err = child.communicate(timeout=120)
        finally:
            if timer is not None:
                timer.cancel()
        code = child.returncode
        produced("tests.scenarios.chaos_child", out + err)
        self.runs.append((str(plan), code))
        assert "Traceback" not in err, f"{plan}: the child failed:\n{err}"
        assert code in (0, 1, -signal.SIGKILL), f"{plan}: exit {code}\n{out}\n{err}"
        return code

    # what the fakes hold

    def discord_texts(self) -> list[str]:
        out = []
        for message in self.discord.bot_messages(self.channel):
            parts = [message.get("content") or ""]
            for embed in message.get("embeds") or []:
                parts.append(json.dumps(embed, ensure_ascii=False))
            out.append("\n".join(parts))
        return out

    def texts(self) -> dict[str, list[str]]:
        return {
            "discord": self.discord_texts(),
            "x": [p.text for p in self.x.posts],
            "facebook": [p.message for p in self.graph.posts],
        }


def posts_per_item(texts: list[str]) -> Counter[int]:
    """How many posts name each item."""
    return Counter(i for i in range(ITEMS) for text in texts if token(i) in text)


@dataclass
class Expected:
    """What an undisturbed run posts: posts per platform and posts naming each item (an X
    thread's head names the best-voted items again, so an item may be named twice)."""

    posts: dict[str, int]
    per_item: dict[str, Counter[int]]


def check(world: World, expected: Expected) -> list[str]:
    """What is wrong with what the fakes hold: lost or duplicated items, extra posts."""
    problems = []
    for platform, texts in world.texts().items():
        per_item, want = posts_per_item(texts), expected.per_item[platform]
        lost = [i for i in range(ITEMS) if per_item[i] < want[i]]
        doubled = {i: per_item[i] for i in range(ITEMS) if per_item[i] > want[i]}
        if lost:
            problems.append(f"{platform}: {len(lost)} items lost: {lost[:10]}")
        if doubled:
            problems.append(f"{platform}: items posted more often than once: {doubled}")
        repeated = [t[:60] for t, n in Counter(texts).items() if n > 1]
        if repeated:
            problems.append(f"{platform}: the same post twice: {repeated[:3]}")
        if len(texts) != expected.posts[platform]:
            problems.append(
                f"{platform}: {len(texts)} posts, an undisturbed run makes "
                f"{expected.posts[platform]}"
            )
    posts = world.x.posts
    threaded = all(b.in_reply_to == a.id for a, b in itertools.pairwise(posts))
    if posts and (posts[0].in_reply_to is not None or not threaded):
        problems.append("x: the replies are not one thread")
    return problems


def ledger_rows(world: World) -> list[dict[str, Any]]:
    shortbot = Path(sys.executable).with_name("shortbot")
    done = subprocess.run(
        [str(shortbot), "--config", str(world.config), "deliveries", "--json"],
        env=world.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    rows: list[dict[str, Any]] = json.loads(done.stdout)
    return rows


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


def plan_for(rng: random.Random, expected: Expected, world: World) -> Plan:
    """A kill at a random point of what is left to post."""
    kind = rng.choice(("stored", "stored", "answered", "answered", "time"))
    if kind == "time":
        return Plan("time", delay=rng.uniform(0.3, 4.0))
    posted = {platform: len(texts) for platform, texts in world.texts().items()}
    left = {p: n - posted[p] for p, n in expected.posts.items() if n > posted[p]}
    if not left:
        return Plan("time", delay=rng.uniform(0.3, 2.0))
    platform = rng.choice(sorted(left))
    nth = rng.randint(1, left[platform])
    return Plan(kind, platform, nth, delay=rng.uniform(0.0, 0.02))


@pytest.mark.parametrize("trial", range(TRIALS))
def test_kill_9_mid_digest_loses_nothing_and_posts_nothing_twice(
    trial: int,
    tmp_path: Path,
    loop: LoopThread,
    x_certificate: Certificate,
    undisturbed: Expected,
) -> None:
    rng = random.Random(SEED * 1000 + trial)
    world = World(tmp_path, loop, x_certificate)
    try:
        world.prepare()
        kills = rng.randint(1, 4)
        start = time.monotonic()
        for _ in range(MAX_RUNS):
            plan = plan_for(rng, undisturbed, world) if kills > 0 else Plan()
            kills -= 1
            if world.run_child(plan) == 0:
                break
        else:
            pytest.fail(f"not done after {MAX_RUNS} runs: {world.runs}")
        killed = sum(1 for _, code in world.runs if code == -signal.SIGKILL)
        print(
            f"\nchaos seed {SEED} trial {trial}: {len(world.runs)} runs, {killed} killed, "
            f"{time.monotonic() - start:.1f} s: " + "; ".join(f"{p} → {c}" for p, c in world.runs)
        )
        assert check(world, undisturbed) == [], world.runs
        rows = ledger_rows(world)
        assert len(rows) == 3 * ITEMS
        assert {r["status"] for r in rows} == {"sent"}, world.runs
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
