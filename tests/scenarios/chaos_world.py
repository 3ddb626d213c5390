"""The world of the chaos tests (``tests/scenarios/test_chaos.py``): the fakes of one trial,
the process they kill, and what an undisturbed run must leave on every platform.

A trial's world holds the fake Discord (a channel the bot posts to, and a channel webhook in
another channel), the fake X and the fake Graph API, each with its own duplicate guard off and
reads that lag writes by ``read_lag`` seconds; a configuration with four destinations
(``discord``, ``hook``, ``page``, ``x``) whose reconciliation windows cover that lag; and a
:class:`Killer` that SIGKILLs the child process at the planned point:

* ``stored``: inside a fake, the moment it has stored the n-th post of this run, before it
  answers: the platform has the post, the process never learns it;
* ``answering``: the fake holds its answer back after storing the post, and the kill lands
  while it still is (the request in flight, the post made);
* ``answered``: a few milliseconds after the post was stored: the answer is on its way or
  read, and the process dies before or after recording it (between the platform's answer
  and our commit);
* ``time``: at a random moment after the start (start-up, selection, the intents' commit, …).

``webhook="blind"`` takes Read Message History from the bot in the webhook's channel: that
destination is then at-least-once, and its repeats are counted rather than forbidden.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bot.app import open_app
from bot.settings import load_settings
from papers.usecases import ingest_parsed
from sources.parse import parse_feed
from tests.fakediscord import FakeDiscord
from tests.fakediscord.permissions import Permission
from tests.fakegraph import FakeGraph
from tests.fakex import Certificate, FakeX
from tests.httpserver import LocalHTTPServer
from tests.offline import clean_env
from tests.secretwatch import produced

ITEMS = 50
ROOT = Path(__file__).resolve().parents[2]
DISCORD_TOKEN = "MTIzNDU2.chaos-bot-token-SECRET"
PLATFORMS = ("discord", "hook", "facebook", "x")
ANSWER_HELD = 0.05  # how long an ``answering`` fake holds its answer past the kill

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
        extra = f" + {self.delay * 1000:.1f} ms" if self.kind in ("answered", "answering") else ""
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

    def stored(self, platform: str) -> None:
        """A fake stored a post of ``platform`` and has not answered yet."""
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
        elif plan.kind == "answering":
            threading.Timer(plan.delay, self.kill).start()
            time.sleep(plan.delay + ANSWER_HELD)  # the answer waits: the kill lands first

    def hook(self, platform: str) -> Any:
        return lambda: self.stored(platform)


class World:
    """The fakes of one trial, with duplicate guards off, and a working directory."""

    def __init__(
        self,
        directory: Path,
        loop: LoopThread,
        certificate: Certificate,
        *,
        discord_nonces: bool = False,
        read_lag: float = 0.0,
        webhook: str = "read",
    ) -> None:
        self.directory, self.loop = directory, loop
        self.read_lag, self.webhook_access = read_lag, webhook
        # Discord's nonce (enforce_nonce) is off unless asked for: a message sent twice by two
        # processes must be caught by shortbot's own reconciliation, not by the platform
        self.discord = FakeDiscord(
            DISCORD_TOKEN, nonce_window=300.0 if discord_nonces else -1.0, read_lag=read_lag
        )
        loop.run(self.discord.__aenter__())
        self.x = FakeX(certificate, reject_duplicates=False, read_lag=read_lag)
        loop.run(self.x.start())
        self.http = LocalHTTPServer()
        self.http.__enter__()
        self.graph = FakeGraph(self.http, duplicate_window=0.0, read_lag=read_lag)
        self.killer = Killer()
        self.channel = self.discord.guild.channel("general").id
        webhook_channel = self.discord.guild.channel("announcements")
        self.webhook = self.discord.create_webhook(webhook_channel)
        if webhook == "blind":
            self.discord.deny_bot(webhook_channel, Permission.READ_MESSAGE_HISTORY)
        self._webhook_seen = 0
        self.discord.on_post = self._discord_stored
        self.x.on_post = self.killer.hook("x")
        self.graph.on_post = self.killer.hook("facebook")
        # every lagging read is looked at again until this long after the send started
        window = f"{math.ceil(read_lag) + 2}s"
        self.config = directory / "shortbot.toml"
        self.config.write_text(
            "console = false\nfeeds = []\n[digest]\nmax_items = 60\n"
            f'[discord]\napi_base_url = "{self.discord.api_base_url}"\n'
            f'gateway_url = "{self.discord.gateway_url}"\nreconcile_window = "{window}"\n'
            f'[x]\nreconcile_window = "{window}"\n'
            f'[facebook]\npage_id = "{self.graph.page_id}"\ngraph_url = "{self.graph.base_url}"\n'
            f'reconcile_window = "{window}"\n'
            f'[[destinations]]\nname = "discord"\nplatform = "discord"\n'
            f"channel_id = {self.channel}\n"
            f'[[destinations]]\nname = "hook"\nplatform = "discord-webhook"\n'
            f'webhook_url = "{self.webhook.url}"\n'
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
        self.env = {
            **clean_env(),
            "SHORTBOT_DISCORD__TOKEN": DISCORD_TOKEN,
            "SHORTBOT_FACEBOOK__PAGE_TOKEN": self.graph.token,
            "SHORTBOT_X__API_KEY": creds.consumer_key,
            "SHORTBOT_X__API_SECRET": creds.consumer_secret,
            "SHORTBOT_X__ACCESS_TOKEN": creds.access_token,
            "SHORTBOT_X__ACCESS_SECRET": creds.access_token_secret,
            "SHORTBOT_DATA_DIR": str(directory / "data"),
        }
        self.runs: list[tuple[str, int]] = []

    def _discord_stored(self) -> None:
        """The fake Discord stored a message: the bot's, or the webhook's (one hook for both)."""
        made = len(self.discord.webhook_messages(self.webhook))
        platform = "hook" if made > self._webhook_seen else "discord"
        self._webhook_seen = made
        self.killer.stored(platform)

    def close(self) -> None:
        self.loop.run(self.x.close())
        self.loop.run(self.discord.__aexit__(None, None, None))
        self.http.__exit__(None, None, None)

    def prepare(self, items: int = ITEMS) -> None:
        """Register the destinations, then bring in ``items`` summaries (new: the next
        digest)."""
        saved = dict(os.environ)
        os.environ.update({k: v for k, v in self.env.items() if k.startswith("SHORTBOT_")})
        try:
            settings = load_settings(str(self.config))
        finally:
            os.environ.clear()
            os.environ.update(saved)

        async def go() -> None:
            async with open_app(settings) as app:
                parsed = parse_feed(feed(items), "chaos")
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
            out, err = child.communicate(timeout=180)
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

    def _message_texts(self, messages: list[Any]) -> list[str]:
        out = []
        for message in messages:
            parts = [message.get("content") or ""]
            for embed in message.get("embeds") or []:
                parts.append(json.dumps(embed, ensure_ascii=False))
            out.append("\n".join(parts))
        return out

    def texts(self) -> dict[str, list[str]]:
        return {
            "discord": self._message_texts(self.discord.bot_messages(self.channel)),
            "hook": self._message_texts(self.discord.webhook_messages(self.webhook)),
            "facebook": [p.message for p in self.graph.posts],
            "x": [p.text for p in self.x.posts],
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


def check(world: World, expected: Expected, *, repeats_allowed: tuple[str, ...] = ()) -> list[str]:
    """What is wrong with what the fakes hold: lost or duplicated items, extra posts (on the
    platforms of ``repeats_allowed``, only lost items count)."""
    problems = []
    for platform, texts in world.texts().items():
        per_item, want = posts_per_item(texts), expected.per_item[platform]
        lost = [i for i in range(ITEMS) if per_item[i] < want[i]]
        if lost:
            problems.append(f"{platform}: {len(lost)} items lost: {lost[:10]}")
        if platform in repeats_allowed:
            continue
        doubled = {i: per_item[i] for i in range(ITEMS) if per_item[i] > want[i]}
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


def repeats(world: World, platform: str) -> int:
    """Posts beyond the first of each text on ``platform``."""
    return sum(n - 1 for n in Counter(world.texts()[platform]).values())


def ledger_rows(world: World) -> list[dict[str, Any]]:
    shortbot = Path(sys.executable).with_name("shortbot")
    done = subprocess.run(
        [str(shortbot), "--config", str(world.config), "deliveries", "--all", "--json"],
        env=world.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    produced("shortbot deliveries", done.stdout + done.stderr)
    rows: list[dict[str, Any]] = json.loads(done.stdout)
    return rows
