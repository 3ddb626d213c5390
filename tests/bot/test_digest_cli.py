"""``shortbot digest`` and ``shortbot deliveries`` as real processes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.bot.test_cli import SAMPLE

CONFIG = """
console = false

[facebook]
page_id = "1234567890"

[[destinations]]
name = "channel"
platform = "discord"
channel_id = 111111111111111111

[[destinations]]
name = "hook"
platform = "discord-webhook"
webhook_url = "https://discord.com/api/webhooks/222222222222222222/hook-secret-token-Ab3_Ab3_Ab3_Ab3_Ab3_Ab3_Ab3_Ab3_Ab3_Ab3_Ab3_Ab3_Ab3_"

[[destinations]]
name = "x"
platform = "x"
link_mode = "one-link"

[[destinations]]
name = "page"
platform = "facebook"

[[destinations]]
name = "feed"
platform = "atom"
feed_url = "https://example.org/shortbot.atom"
"""

SECRETS = {
    "SHORTBOT_DISCORD__TOKEN": "discord-secret-token",
    "SHORTBOT_X__API_KEY": "x-key",
    "SHORTBOT_X__API_SECRET": "x-secret",
    "SHORTBOT_X__ACCESS_TOKEN": "x-access",
    "SHORTBOT_X__ACCESS_SECRET": "x-access-secret",
    "SHORTBOT_FACEBOOK__PAGE_TOKEN": "facebook-secret-token",
}


def test_dry_run_prints_valid_payloads_for_every_platform(shortbot, tmp_path: Path) -> None:
    (tmp_path / "shortbot.toml").write_text(CONFIG)
    assert shortbot("ingest", str(SAMPLE), extra_env=SECRETS).code == 0
    result = shortbot("digest", "--dry-run", "--json", extra_env=SECRETS)
    assert result.code == 0, result.err
    lines = [json.loads(line) for line in result.out.splitlines()]
    by_platform: dict[str, list[dict]] = {}
    for line in lines:
        assert set(line) == {"destination", "platform", "payload"}
        by_platform.setdefault(line["platform"], []).append(line["payload"])
    assert set(by_platform) == {"discord", "x", "facebook", "atom"}
    for payload in by_platform["discord"]:
        assert set(payload) == {"content", "embeds"}
        assert 1 <= len(payload["embeds"]) <= 10
    assert len(by_platform["discord"]) == 2 * len(
        [p for p in lines if p["destination"] == "channel"]
    )
    (page,) = by_platform["facebook"]
    assert set(page) == {"message", "link"}
    # 12 summaries of 11 papers: each paper named once, on a line starting with a bullet
    paper_lines = [line for line in page["message"].split("\n") if line.startswith("• ")]
    assert len(paper_lines) == 11
    assert sum("(2 summaries)" in line for line in paper_lines) == 1
    (entry,) = by_platform["atom"]
    assert entry["id"].startswith("tag:shortbot") and len(entry["items"]) == 12
    texts = [p["text"] for p in by_platform["x"]]
    assert len(texts) == 13  # the head post and one reply per summary
    assert sum(t.count("https://") for t in texts) == 1  # one link per digest
    # nothing was sent or recorded, and no secret was printed
    assert "No deliveries yet." in shortbot("deliveries", extra_env=SECRETS).out
    for secret in SECRETS.values():
        assert secret not in result.out + result.err
    assert "hook-secret-token" not in result.out + result.err


def test_digest_sends_once_and_the_ledger_shows_it(shortbot, tmp_path: Path) -> None:
    (tmp_path / "shortbot.toml").write_text(
        'console = false\n[[destinations]]\nname = "feed"\nplatform = "atom"\n'
        'feed_url = "https://example.org/f.atom"\n'
    )
    assert shortbot("ingest", str(SAMPLE)).code == 0
    first = shortbot("digest")
    assert first.code == 0, first.err
    assert first.out.strip() == "feed: 12 sent"
    assert (tmp_path / "data" / "feed.atom").read_text().count("<entry>") == 1
    assert shortbot("digest").out.strip() == "feed: 0 sent"
    ledger = json.loads(shortbot("deliveries", "--json").out)
    assert len(ledger) == 12 and {r["status"] for r in ledger} == {"sent"}
    assert shortbot("deliveries", "--failed").out.strip().endswith("No deliveries failed.")
    assert shortbot("deliveries", "retry", "1").code == 1  # not a failed row
    assert shortbot("digest", "--destination", "nope").code == 1


def test_a_misconfigured_destination_is_named_and_the_others_still_go(
    shortbot, tmp_path: Path
) -> None:
    (tmp_path / "shortbot.toml").write_text(
        'console = false\n[[destinations]]\nname = "hook"\nplatform = "discord-webhook"\n'
        'webhook_url = "https://example.org/not-a-webhook/s3cret-hook-token"\n'
        '[[destinations]]\nname = "feed"\nplatform = "atom"\n'
        'feed_url = "https://example.org/f.atom"\n'
    )
    assert shortbot("ingest", str(SAMPLE)).code == 0
    result = shortbot("digest")
    assert "Traceback" not in result.err
    assert "hook: " in result.err and "not a Discord webhook URL" in result.err
    assert "s3cret-hook-token" not in result.out + result.err
    assert "feed: 12 sent" in result.out
    assert result.code == 1  # a destination could not be built
