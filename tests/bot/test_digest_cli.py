"""``shortbot digest`` and ``shortbot deliveries`` as real processes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.bot.test_cli import SAMPLE
from tests.papers.test_paper_digests import LISTING

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


FILTERED = """
console = false

[[destinations]]
name = "feed"
platform = "atom"
feed_url = "https://example.org/f.atom"
authors = ["Gunter Klambauer", "M. Welling"]
exclude_categories = ["q-bio"]
exclude_keywords = ["adversarial"]
"""


def test_dry_run_says_what_each_filter_let_through_and_held_back(shortbot, tmp_path: Path) -> None:
    (tmp_path / "shortbot.toml").write_text(FILTERED)
    for fixture in (SAMPLE, LISTING):  # summaries, then the listing's papers with authors
        assert shortbot("ingest", str(fixture)).code == 0
    text = shortbot("digest", "--dry-run")
    assert text.code == 0, text.err
    report = text.out[text.out.index("--- feed: filters") :].splitlines()
    assert report[1:4] == [
        "  2 of 12 summaries let through, 10 held back",
        "  2 of 5 new papers let through, 3 held back",
        "  Let through by: author Gunter Klambauer (2); author M. Welling (2)",
    ]
    assert (
        "  held: summary of Biologically inspired protection of deep networks from adversarial "
        "attacks (arXiv:1703.09202): not arXiv category q-bio"
    ) in report
    assert (
        "  held: new paper Understanding deep learning requires rethinking generalization "
        "(arXiv:1611.03530): a replaced version (not subscribed to replacements)"
    ) in report
    lines = [
        json.loads(line) for line in shortbot("digest", "--dry-run", "--json").out.splitlines()
    ]
    (filters,) = [line for line in lines if "filters" in line]
    assert set(filters) == {"destination", "platform", "filters"}
    shown = filters["filters"]
    assert shown["summaries"] == {"through": 2, "held": 10}
    assert shown["through_by"] == {"author Gunter Klambauer": 2, "author M. Welling": 2}
    assert shown["held_by"]["not arXiv category q-bio"] == 2  # the summary and the paper
    held = {h["item"]: h["by"] for h in shown["held"]}
    gan = "Generative adversarial networks uncover epidermal regulators and predict single cell…"
    assert held[f"summary of {gan}"] == "not keyword “adversarial”"  # in its title
    (entry,) = [line["payload"] for line in lines if "payload" in line]
    assert len(entry["items"]) == 4  # two summaries, two new papers
