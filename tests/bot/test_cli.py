"""The ``shortbot`` command, run as a real process on the sample feeds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parents[1] / "fixtures"
SAMPLE = FIXTURES / "shortscience-rss.xml"


def test_the_demo_prints_a_digest_then_nothing_new(shortbot, tmp_path: Path) -> None:
    first = shortbot("run", "--once")
    assert first.code == 0, first.err
    assert "12 new summaries of 11 papers" in first.out
    for title in ("Intriguing properties of neural networks", "Deep Residual Learning"):
        assert title in first.out
    summary_links = re.findall(
        r"https://www\.shortscience\.org/paper\?bibtexKey=\S+#\w+", first.out
    )
    assert len(set(summary_links)) == 12
    assert (tmp_path / "data" / "shortbot.db").is_file()
    second = shortbot("run", "--once")
    assert second.code == 0, second.err
    assert second.out.strip() == "Nothing new since the last digest."


def test_ingest_then_lookup_json(shortbot) -> None:
    ingest = shortbot("ingest", str(SAMPLE))
    assert ingest.code == 0, ingest.err
    assert "12 new, 0 updated, 0 unchanged" in ingest.out
    found = shortbot("lookup", "https://arxiv.org/pdf/1312.6199v4.pdf", "--json")
    assert found.code == 0, found.err
    body = json.loads(found.out)
    assert body["paper"] == {
        "key": "1312.6199",
        "arxiv_id": "1312.6199",
        "title": "Intriguing properties of neural networks",
        "authors": [],
        "url": "https://arxiv.org/abs/1312.6199",
    }
    assert [s["author"] for s in body["summaries"]] == ["Reader Three", "Reader Ten"]
    assert [s["votes"] for s in body["summaries"]] == [5, 2]
    first = body["summaries"][0]
    assert set(first) >= {"author", "url", "votes", "published", "source", "text"}
    assert first["published"] == "2017-08-11T19:45:00+00:00"
    assert first["source"] == str(SAMPLE)
    again = shortbot("ingest", str(SAMPLE))
    assert "0 new, 0 updated, 12 unchanged" in again.out


def test_lookup_paper_not_on_arxiv(shortbot) -> None:
    shortbot("ingest", str(SAMPLE))
    found = shortbot("lookup", "conf/nips/LeeS00")
    assert found.code == 0, found.err
    assert "Algorithms for Non-negative Matrix Factorization" in found.out
    as_json = json.loads(shortbot("lookup", "conf/nips/LeeS00", "--json").out)
    assert as_json["paper"]["arxiv_id"] is None
    assert as_json["paper"]["key"] == "conf/nips/LeeS00"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("2401.12345", 1),
        ("no such words anywhere", 1),
        ("", 2),
        ("   ", 2),
        ("x" * 5000, 2),
        ("\x01\x02\x03", 2),
        ("'; DROP TABLE papers; --", 1),
    ],
    ids=["unknown-id", "unknown-words", "empty", "blank", "5000-chars", "controls", "sql"],
)
def test_lookup_exit_codes(shortbot, query: str, code: int) -> None:
    shortbot("ingest", str(SAMPLE))
    result = shortbot("lookup", query)
    assert result.code == code, result.err
    assert result.err.strip()  # a message either way
    assert shortbot("lookup", "1312.6199").code == 0  # nothing was lost


def test_ingest_exit_codes(shortbot, tmp_path: Path) -> None:
    html = tmp_path / "page.html"
    html.write_text("<html><body>not a feed</body></html>")
    result = shortbot("ingest", str(SAMPLE), str(tmp_path / "missing.xml"), str(html))
    assert result.code == 1
    assert "12 new" in result.out
    lines = [line for line in result.err.splitlines() if line.startswith("shortbot:")]
    assert len(lines) == 2
    assert "missing.xml: cannot read: no such file" in lines[0]
    assert "page.html: cannot read:" in lines[1]


def test_bad_config_is_one_clear_message(shortbot, tmp_path: Path) -> None:
    (tmp_path / "shortbot.toml").write_text("[digest]\nmax_itemz = 3\n")
    result = shortbot("run", "--once")
    assert result.code == 3
    assert result.err.strip() == (
        "shortbot: config file shortbot.toml: digest.max_itemz: unknown key"
    )


def test_unreachable_database_is_one_clear_message(shortbot) -> None:
    result = shortbot(
        "lookup",
        "1312.6199",
        extra_env={"SHORTBOT_DATABASE_URL": "postgresql+asyncpg://u:secret@127.0.0.1:1/x"},
    )
    assert result.code == 3
    assert "cannot use the database" in result.err
    assert "secret" not in result.err


def test_db_upgrade(shortbot) -> None:
    first = shortbot("db", "upgrade")
    assert first.code == 0, first.err
    assert "migrated from empty to" in first.out
    second = shortbot("db", "upgrade")
    assert "already at revision" in second.out


@pytest.mark.parametrize(
    "args", [(), ("ingest",), ("lookup",), ("db",), ("db", "upgrade"), ("run",)]
)
def test_help_explains_every_command(shortbot, args: tuple[str, ...]) -> None:
    result = shortbot(*args, "--help")
    assert result.code == 0
    assert "usage: shortbot" in result.out
    assert len(result.out.splitlines()) >= 4


def test_cli_against_postgresql(shortbot, pg_database_url: str) -> None:
    env = {"SHORTBOT_DATABASE_URL": pg_database_url}
    assert shortbot("ingest", str(SAMPLE), extra_env=env).code == 0
    result = shortbot("lookup", "journals/corr/HeZRS15", "--json", extra_env=env)
    assert result.code == 0, result.err
    assert json.loads(result.out)["paper"]["arxiv_id"] == "1512.03385"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed",
        "http://[::1]/feed",
        "http://169.254.169.254/latest/meta-data",
        "http://2130706433/",
        "http://localhost/feed",
        "file:///etc/passwd",
        "ftp://example.org/feed",
        "http://user:pass@example.org/feed",
    ],
)
def test_feeds_add_refuses_unsafe_urls(shortbot, url: str) -> None:
    result = shortbot("feeds", "add", url)
    assert result.code == 2
    assert "not added" in result.err
    assert "No feeds are watched" in shortbot("feeds", "list").out
