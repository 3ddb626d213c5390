"""``shortbot run`` as real processes: one scheduler per SQLite database, leader hand-over on
PostgreSQL when the leader is killed (nothing sent twice), SIGTERM in the middle of a digest
(the post in flight is finished and recorded), and ``shortbot schedule`` from the CLI."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.bot.test_cli import SAMPLE
from tests.conftest import SHORTBOT
from tests.fakegraph import FakeGraph
from tests.httpserver import LocalHTTPServer
from tests.offline import clean_env
from tests.secretwatch import produced

QUIET = {"SHORTBOT_HEALTH__ENABLED": "false"}


class Service:
    """A ``shortbot run`` process whose stderr lines are collected as they come."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        clean = clean_env()
        self.proc = subprocess.Popen(
            [str(SHORTBOT), "run"],
            cwd=cwd,
            env={**clean, **QUIET, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def said(self, text: str) -> bool:
        return any(text in line for line in self.lines)

    def wait_for(self, text: str, timeout: float = 60) -> None:
        wait_until(lambda: self.said(text), timeout, lambda: f"{text!r} in the log:\n{self.log}")

    @property
    def log(self) -> str:
        return "\n".join(self.lines)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(timeout=timeout)
        self.close()
        return code

    def close(self) -> None:
        self._reader.join(timeout=10)
        produced("shortbot run", self.log)
        if self.proc.stderr is not None and not self._reader.is_alive():
            self.proc.stderr.close()


def wait_until(
    condition: Callable[[], bool], timeout: float, what: str | Callable[[], str]
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what() if callable(what) else what}")
        time.sleep(0.05)


@pytest.fixture
def services() -> Iterator[list[Service]]:
    started: list[Service] = []
    yield started
    for service in started:
        if service.proc.poll() is None:
            service.proc.kill()
            service.proc.wait(timeout=30)
        service.close()


def config(tmp_path: Path, text: str) -> None:
    (tmp_path / "shortbot.toml").write_text(text)


FEED = f'allow_private_feeds = true\n[[feeds]]\nurl = "{SAMPLE}"\nannounce_existing = true\n'


def test_sqlite_runs_one_scheduler(tmp_path: Path, shortbot, services: list[Service]) -> None:
    config(tmp_path, "feeds = []\n")
    first = Service(tmp_path, {})
    services.append(first)
    first.wait_for("leader: this process runs the scheduled jobs")
    second = shortbot("run", extra_env=QUIET)
    assert second.code == 3
    assert f"another shortbot process (pid {first.proc.pid}) runs the scheduler" in second.err
    assert "SQLite allows one process" in second.err
    assert first.stop() == 0
    assert first.said("stopped")


def test_sigterm_mid_digest_finishes_and_records_the_post(
    tmp_path: Path, shortbot, services: list[Service]
) -> None:
    with LocalHTTPServer() as server:
        graph = FakeGraph(server)
        graph.fail_next("slow", delay=2.0)  # the Page takes the post, answers 2 s later
        config(
            tmp_path,
            "console = false\n" + FEED + f'[facebook]\npage_id = "{graph.page_id}"\n'
            f'graph_url = "{graph.base_url}"\n'
            '[[destinations]]\nname = "page"\nplatform = "facebook"\n',
        )
        env = {"SHORTBOT_FACEBOOK__PAGE_TOKEN": graph.token}
        service = Service(tmp_path, env)
        services.append(service)
        wait_until(lambda: len(graph.posts) == 1, 60, lambda: "the post:\n" + service.log)
        assert service.stop() == 0  # SIGTERM while the answer is on its way
        assert len(graph.posts) == 1
        rows = json.loads(shortbot("deliveries", "--json", extra_env=env).out)
        assert len(rows) == 12
        assert {r["status"] for r in rows} == {"sent"}
        assert {r["post_id"] for r in rows} == {graph.posts[0].id}
        # started again: nothing is posted a second time
        again = Service(tmp_path, env)
        services.append(again)
        again.wait_for("leader: this process runs the scheduled jobs")
        assert again.stop() == 0
        assert len(graph.posts) == 1
        assert graph.token not in service.log + again.log


@pytest.mark.postgresql
def test_a_follower_takes_over_when_the_leader_is_killed(
    tmp_path: Path, pg_database_url: str, shortbot, services: list[Service]
) -> None:
    feed_path = tmp_path / "feed.atom"
    config(
        tmp_path,
        f'database_url = "{pg_database_url}"\nconsole = false\n' + FEED + "[schedule]\n"
        'leader_retry = "1s"\n[[destinations]]\nname = "feed"\nplatform = "atom"\n'
        f'path = "{feed_path}"\nfeed_url = "https://example.org/f.atom"\n',
    )
    first = Service(tmp_path, {})
    services.append(first)
    first.wait_for("leader: this process runs the scheduled jobs")
    second = Service(tmp_path, {})
    services.append(second)
    second.wait_for("follower: another process runs the scheduled jobs")
    wait_until(lambda: feed_path.exists() and "<entry>" in feed_path.read_text(), 60, "a digest")
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL
    started = time.monotonic()
    second.wait_for("leader: this process runs the scheduled jobs", timeout=60)
    took_over = time.monotonic() - started
    print(f"the follower took over {took_over:.2f} s after the leader was killed")
    assert took_over < 60, took_over
    assert second.stop() == 0
    assert feed_path.read_text().count("<entry>") == 1  # not a second digest from the new leader
    rows = json.loads(shortbot("deliveries", "--json", extra_env=QUIET).out)
    assert len(rows) == 12 == len({r["item"] for r in rows})
    assert {r["status"] for r in rows} == {"sent"}


def test_schedule_from_the_cli(tmp_path: Path, shortbot) -> None:
    config(tmp_path, 'feeds = []\n[[destinations]]\nname = "feed"\nplatform = "atom"\n')
    shown = shortbot("schedule", "show")
    assert shown.code == 0
    assert "console (console): after each poll (no schedule)" in shown.out
    done = shortbot("schedule", "set", "feed", "weekdays", "07:30", "Europe/Berlin")
    assert done.code == 0, done.err
    assert done.out.startswith("feed: weekdays 07:30 Europe/Berlin; next run 20")
    rows = {r["destination"]: r for r in json.loads(shortbot("schedule", "show", "--json").out)}
    assert rows["feed"]["cron"] == "30 7 * * mon-fri"
    assert rows["feed"]["timezone"] == "Europe/Berlin" and rows["feed"]["next_run"]
    assert rows["console"]["cron"] is None
    bad = shortbot("schedule", "set", "feed", "*/0", "*", "*", "*", "*")
    assert bad.code == 2 and "must be a whole number above 0" in bad.err
    assert shortbot("schedule", "set", "nope", "daily", "09:00").code == 1
    assert json.loads(shortbot("schedule", "show", "--json").out)[1]["cron"] == "30 7 * * mon-fri"
    assert "(paused); next run -" in shortbot("schedule", "pause", "feed").out
    assert shortbot("schedule", "resume", "feed").code == 0
    assert shortbot("schedule", "pause", "console").code == 1  # no schedule to pause
    assert (
        shortbot("schedule", "clear", "feed").out.strip() == "feed: after each poll (no schedule)"
    )
    assert shortbot("schedule", "clear", "feed").code == 1
