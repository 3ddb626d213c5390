"""What members see on each platform when summaries are Markdown with TeX math: the real
``shortbot digest --dry-run --json`` on ShortScience items shaped like the site's."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.bot.test_digest_cli import CONFIG, SECRETS

MARKDOWN_FEED = Path(__file__).parents[1] / "fixtures" / "shortscience-markdown-rss.xml"
RAW_TEX = re.compile(r"\\[A-Za-z]+|\$(?!\d)")  # a TeX command, or a $ that is not a price
MARKDOWN = re.compile(r"\*\*|(?:^|\s)#{1,6}\s|\]\(|`|^\s*[*-]\s", re.MULTILINE)
DENSENET = "Densely Connected Convolutional Networks"


def shown(markdown: str) -> str:
    """What Discord shows for escaped characters: the character itself."""
    return re.sub(r"\\([\\*_`~|>#\[\]()])", r"\1", markdown)


def discord_text(payload: dict[str, Any]) -> str:
    parts = [payload.get("content", "")]
    for embed in payload["embeds"]:
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
        parts.append(embed.get("footer", {}).get("text", ""))
    return "\n".join(parts)


def dry_run(shortbot, tmp_path: Path) -> dict[str, list[dict[str, Any]]]:
    (tmp_path / "shortbot.toml").write_text(CONFIG)
    ingested = shortbot("ingest", str(MARKDOWN_FEED), extra_env=SECRETS)
    assert ingested.code == 0, ingested.err
    result = shortbot("digest", "--dry-run", "--json", extra_env=SECRETS)
    assert result.code == 0, result.err
    by_platform: dict[str, list[dict[str, Any]]] = {}
    for line in result.out.splitlines():
        row = json.loads(line)
        by_platform.setdefault(row["platform"], []).append(row["payload"])
    return by_platform


def test_each_platform_shows_markdown_and_tex_its_own_way(shortbot, tmp_path: Path) -> None:
    by_platform = dry_run(shortbot, tmp_path)
    x_texts = [p["text"] for p in by_platform["x"]]
    (page,) = by_platform["facebook"]
    discord = [discord_text(p) for p in by_platform["discord"]]
    (entry,) = by_platform["atom"]

    # plain-text platforms: no TeX, no Markdown syntax; math in Unicode
    for text in [*x_texts, page["message"]]:
        assert not RAW_TEX.search(text), text
        assert not MARKDOWN.search(text), text
    adam_x = next(t for t in x_texts if t.startswith("Adam"))
    assert "gₜ" in adam_x and "β₁ = 0.9" in adam_x
    for fragment in ("Idea: Adam keeps running averages", "β₁ = 0.9", "β₂ = 0.999", "• mₜ = β₁"):
        assert fragment in page["message"]
    assert "between $5 and $10 of GPU time" in page["message"]  # prices stay prices

    # Discord: its own Markdown kept, math in Unicode, no TeX
    for text in discord:
        assert not RAW_TEX.search(text), text
    joined = shown("\n".join(discord))
    assert "**Idea**\nAdam keeps **running averages** of the gradient gₜ" in joined
    assert "- mₜ = β₁ mₜ₋₁ + (1 − β₁) gₜ" in joined
    assert "`torch.cat`" in joined and "L(L+1)/2" in joined
    assert "x_ℓ = H_ℓ([x₀, x₁, …, x_(ℓ−1)])" in joined  # no subscript ℓ in Unicode: readable

    # Atom: HTML, math as TeX for MathJax
    html = entry["content_html"]
    assert "<strong>running averages</strong>" in html
    assert r"\(\beta_1 = 0.9\)" in html
    assert "<h6>Idea</h6>" in html and "<li>" in html
    assert "**" not in html and "###" not in html


def test_a_digest_head_names_each_paper_once(shortbot, tmp_path: Path) -> None:
    by_platform = dry_run(shortbot, tmp_path)
    head = by_platform["x"][0]["text"]
    assert head.count(DENSENET) == 1
    assert f"{DENSENET} (2 summaries)" in head
    (page,) = by_platform["facebook"]
    assert page["message"].count(DENSENET) == 1
    assert f"{DENSENET} (2 summaries)" in page["message"]
    titles = [e["title"] for p in by_platform["discord"] for e in p["embeds"]]
    assert titles.count(DENSENET) == len(by_platform["discord"])  # once per Discord message
    (entry,) = by_platform["atom"]
    assert entry["content_html"].count(DENSENET) == 1
