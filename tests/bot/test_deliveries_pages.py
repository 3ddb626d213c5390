"""The whole ledger can be read: ``shortbot deliveries`` pages through it (``--limit``,
``--before``, ``--all``) and says when more rows exist."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from bot.app import open_app
from bot.settings import Settings
from papers.keys import item_key
from papers.ledger import Intent
from papers.publishing import Post, Sent

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ITEMS = 1_000


async def ledger_of(path: Path, count: int) -> str:
    """A SQLite database whose ledger holds ``count`` items for one destination."""
    url = f"sqlite+aiosqlite:///{path}"
    async with open_app(Settings(database_url=url, arxiv={"enabled": False})) as app:
        await app.ledger.ensure_destination("page", "facebook", NOW)
        intents = [
            Intent(Post(f"post-{n}", (item_key(n),), {"message": f"item {n}"}), n, None)
            for n in range(1, count + 1)
        ]
        assert await app.ledger.record_intents("page", intents, NOW) == []
        for n in range(1, count + 1, 2):  # half of them sent, half still pending
            await app.ledger.mark_sent("page", f"post-{n}", Sent(str(n)), NOW)
    return url


async def test_every_row_of_a_1000_item_ledger_is_listed(shortbot, tmp_path: Path) -> None:
    env = {"SHORTBOT_DATABASE_URL": await ledger_of(tmp_path / "ledger.db", ITEMS)}
    everything = shortbot("deliveries", "--all", "--json", extra_env=env)
    assert everything.code == 0, everything.err
    rows = json.loads(everything.out)
    assert len(rows) == ITEMS
    assert {r["item"] for r in rows} == {item_key(n) for n in range(1, ITEMS + 1)}
    assert sum(r["status"] == "sent" for r in rows) == ITEMS // 2
    assert "more rows" not in everything.err

    # the default page: the newest 200, and stderr says how to go on
    first = shortbot("deliveries", "--json", extra_env=env)
    page = json.loads(first.out)
    assert [r["id"] for r in page] == [r["id"] for r in rows[:200]]
    assert f"more rows: shortbot deliveries --before {page[-1]['id']}" in first.err

    # paging with --before visits every row once, newest first, and then stops saying "more"
    seen: list[int] = []
    before: list[str] = []
    while True:
        result = shortbot("deliveries", "--json", "--limit", "300", *before, extra_env=env)
        ids = [r["id"] for r in json.loads(result.out)]
        seen += ids
        if "more rows" not in result.err:
            break
        before = ["--before", str(ids[-1])]
    assert seen == [r["id"] for r in rows]


async def test_text_pages_say_where_the_next_one_starts(shortbot, tmp_path: Path) -> None:
    env = {"SHORTBOT_DATABASE_URL": await ledger_of(tmp_path / "ledger.db", 30)}
    result = shortbot("deliveries", "--limit", "10", extra_env=env)
    assert result.code == 0
    lines = [line for line in result.out.splitlines() if line.strip()[:1].isdigit()]
    assert len(lines) == 10
    last_id = lines[-1].split()[0]
    assert f"More rows: shortbot deliveries --before {last_id} (or --all)." in result.out
    refused = shortbot("deliveries", "--limit", "0", extra_env=env)
    assert refused.code == 2 and "--limit must be 1 or more" in refused.err
