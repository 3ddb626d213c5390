"""arXiv: listings from rss.arxiv.org, API responses, and the API client against a local server."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest

from papers.ids import parse_arxiv_id
from papers.model import IncomingPaper
from sources.arxiv import (
    ArxivClient,
    ArxivUnavailable,
    parse_arxiv_api,
    parse_arxiv_listing,
    split_authors,
)

FIXTURES = Path(__file__).parents[1] / "fixtures"
ARXIV = FIXTURES / "arxiv"
RSS_LISTING = FIXTURES / "arxiv-cs.LG-rss.xml"
ATOM_LISTING = ARXIV / "listing-cs.LG.atom.xml"
API = {
    "1605.08386": "id_1605.08386_s0_m100_199195aa31ad.json",
    "astro-ph/0601001": "id_astro-ph_0601001_s0_m100_3150dca9dc76.json",
    "quant-ph/0201082v1": "id_quant-ph_0201082v1_s0_m100_86989fe779ef.json",
    "0808.05394,1707.08567": "id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af.json",
    "0000.0000": "id_0000.0000_s0_m100_8b51d9633a68.json",
    "abc": "id_abc_s0_m100_b79c8dcf6bc3.json",
    "search:testing": "q_testing_s0_m10_bc5a6c384fe9.json",
}


def parse(body: bytes) -> feedparser.FeedParserDict:
    """feedparser with the options sources.parse.parse_feed uses (no HTML sanitising)."""
    return feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)


def recorded(request: str) -> tuple[int, bytes]:
    """Status and body of a recorded API response (the JSON keeps the bytes as Latin-1)."""
    data = json.loads((ARXIV / "api" / API[request]).read_text(encoding="utf-8"))
    return data["status_code"], data["body"].encode("latin-1")


def listing(body: bytes) -> tuple[list[IncomingPaper], int, list[str]]:
    warnings: list[str] = []
    papers, skipped = parse_arxiv_listing(parse(body), "listing.xml", warnings)
    return papers, skipped, warnings


def api(body: bytes) -> tuple[list[IncomingPaper], int, list[str]]:
    warnings: list[str] = []
    papers, skipped = parse_arxiv_api(parse(body), "api.xml", warnings)
    return papers, skipped, warnings


# --- listings ---------------------------------------------------------------------------------

# id, version, announce type, number of authors, categories: what the sample listing holds.
LISTED = [
    ("1706.02515", 1, "new", 4, ("cs.LG", "stat.ML")),
    ("1705.08665", 1, "new", 3, ("stat.ML", "cs.LG")),
    ("1703.09202", 1, "cross", 2, ("stat.ML", "cs.LG", "q-bio.NC")),
    ("1611.03530", 2, "replace", 5, ("cs.LG",)),
    ("1312.6199", 4, "replace-cross", 7, ("cs.CV", "cs.LG", "cs.NE")),
]
BOTH_FORMS = pytest.mark.parametrize("path", [RSS_LISTING, ATOM_LISTING], ids=["rss", "atom"])


@BOTH_FORMS
def test_every_listed_item_with_id_version_type_authors_and_categories(path: Path) -> None:
    papers, skipped, warnings = listing(path.read_bytes())
    assert (skipped, warnings) == (0, [])
    got = [
        (p.arxiv_id, p.arxiv_version, p.announce_type, len(p.authors), p.categories) for p in papers
    ]
    assert got == LISTED
    assert all(p.complete for p in papers)
    assert [p.primary_category for p in papers] == [c[0] for *_, c in LISTED]
    assert {p.published for p in papers} == {datetime(2017, 6, 9, 4, 0, tzinfo=UTC)}
    assert papers[3].title == "Understanding deep learning requires rethinking generalization"


@BOTH_FORMS
def test_listing_authors_are_split_from_the_one_creator(path: Path) -> None:
    papers, _, _ = listing(path.read_bytes())
    by_id = {p.arxiv_id: p for p in papers}
    assert by_id["1706.02515"].authors == (
        "Günter Klambauer",
        "Thomas Unterthiner",
        "Andreas Mayr",
        "Sepp Hochreiter",
    )
    assert by_id["1312.6199"].authors[0] == "Christian Szegedy"
    assert by_id["1312.6199"].authors[-1] == "Rob Fergus"


@BOTH_FORMS
def test_listing_abstract_loses_the_announce_prefix(path: Path) -> None:
    papers, _, _ = listing(path.read_bytes())
    assert papers[1].abstract == (
        "Compression and computational efficiency in deep learning have become a problem of "
        "great significance."
    )
    for paper in papers:
        assert paper.abstract
        assert "arXiv:" not in paper.abstract
        assert "Announce Type" not in paper.abstract
        assert not paper.abstract.startswith("Abstract")


def test_listing_reads_the_same_with_feedparser_defaults() -> None:
    body = RSS_LISTING.read_bytes()
    warnings: list[str] = []
    papers, skipped = parse_arxiv_listing(feedparser.parse(body), "listing.xml", warnings)
    assert (papers, skipped, warnings) == (listing(body)[0], 0, [])


@pytest.mark.parametrize(
    "name", ["listing-empty-weekend.rss.xml", "listing-empty-weekend.atom.xml"]
)
def test_empty_weekend_listing_is_normal(name: str) -> None:
    parsed = parse((ARXIV / name).read_bytes())
    assert not parsed.bozo
    assert parsed.feed.title == "cs.LG updates on arXiv.org"
    warnings: list[str] = []
    assert parse_arxiv_listing(parsed, name, warnings) == ([], 0)
    assert warnings == []


def rss(items: str) -> bytes:
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0"><channel>'
        "<title>cs.LG updates on arXiv.org</title>"
        f"<link>http://rss.arxiv.org/rss/cs.LG</link>{items}</channel></rss>"
    ).encode()


def item(
    guid: str,
    *,
    link: str = "",
    title: str = "A title",
    description: str = "arXiv:2411.01234v1 Announce Type: new \nAbstract: Text.",
    creator: str = "Ada Lovelace",
    extra: str = "",
) -> str:
    return (
        f"<item><title>{title}</title><link>{link}</link>"
        f"<description>{description}</description>"
        f'<guid isPermaLink="false">{guid}</guid><category>cs.LG</category>'
        "<pubDate>Mon, 04 Nov 2024 00:00:00 -0500</pubDate>"
        "<arxiv:announce_type>new</arxiv:announce_type>"
        f"<dc:creator>{creator}</dc:creator>{extra}</item>"
    )


def test_item_without_usable_id_is_skipped_and_counted() -> None:
    body = rss(
        item("oai:arXiv.org:2411.01234v1")
        + item(
            "oai:arXiv.org:broken",
            title="Broken guid",
            link="https://example.org/post",
            description="Abstract: an item that names no paper anywhere.",
        )
        + item(
            "oai:arXiv.org:also-broken",
            link="https://arxiv.org/abs/2411.05678",
            description="arXiv:2411.05678v3 Announce Type: replace \nAbstract: Kept.",
        )
    )
    papers, skipped, warnings = listing(body)
    assert skipped == 1
    assert len(warnings) == 1
    assert "Broken guid" in warnings[0]
    assert "oai:arXiv.org:broken" in warnings[0]
    # The third item's guid is broken too, but its link names the paper and the description
    # the version.
    assert [(p.arxiv_id, p.arxiv_version) for p in papers] == [
        ("2411.01234", 1),
        ("2411.05678", 3),
    ]
    assert papers[1].abstract == "Kept."


def test_listing_item_with_doi_journal_ref_entities_and_messy_text() -> None:
    body = rss(
        item(
            "oai:arXiv.org:2411.01234v2",
            title="Bounds for x &lt; y &amp; the $\\alpha$-case",
            description=(
                "arXiv:2411.01234v2 Announce Type: replace \nAbstract:   We show "
                "$p&lt;0.05$ and q&gt;1,\n\n   R&amp;amp;D   \u00e9t\u00e9 results.  "
            ),
            creator="  J\u00fcrgen M\u00fcller (ETH, Z\u00fcrich) ,\n Zo\u00eb Smith and  Li Wei  ",
            extra=(
                "<arxiv:DOI>10.5555/12345678</arxiv:DOI>"
                "<arxiv:journal_reference>J. Examples 1 (2024) 1-10</arxiv:journal_reference>"
            ),
        )
    )
    (paper,), skipped, _ = listing(body)
    assert skipped == 0
    assert paper.title == "Bounds for x < y & the $\\alpha$-case"
    assert paper.abstract == "We show $p<0.05$ and q>1, R&D été results."
    assert paper.authors == ("Jürgen Müller", "Zoë Smith", "Li Wei")
    assert paper.doi == "10.5555/12345678"
    assert paper.journal_ref == "J. Examples 1 (2024) 1-10"
    assert paper.published == datetime(2024, 11, 4, 5, 0, tzinfo=UTC)
    assert paper.announce_type == "new"


def test_error_feed_from_rss_arxiv_org_is_reported() -> None:
    body = (
        b"<?xml version='1.0' encoding='UTF-8'?><rss version=\"2.0\"><channel>"
        b"<title>Feed error for query: https://rss.arxiv.org/rss/cs.XX</title>"
        b"<description>Bad archive/category: cs.XX</description></channel></rss>"
    )
    papers, skipped, warnings = listing(body)
    assert (papers, skipped) == ([], 0)
    assert len(warnings) == 1
    assert "Bad archive/category: cs.XX" in warnings[0]


@pytest.mark.parametrize(
    ("creator", "names"),
    [
        ("A One, B Two, C Three", ("A One", "B Two", "C Three")),
        ("A One, B Two and C Three", ("A One", "B Two", "C Three")),
        ("A One, B Two, and C Three", ("A One", "B Two", "C Three")),
        ("A One and B Two", ("A One", "B Two")),
        ("  A   One ,B Two,\n   C Three  ", ("A One", "B Two", "C Three")),
        ("Andrea Anderson, Sandra Brandt", ("Andrea Anderson", "Sandra Brandt")),
        (
            "A One (MIT, Cambridge and Boston), B Two (Oxford)",
            ("A One", "B Two"),
        ),
        ("Martin Luther King, Jr., B Two", ("Martin Luther King, Jr.", "B Two")),
        ("李 明, Иван Петров, José Ñúñez", ("李 明", "Иван Петров", "José Ñúñez")),
        ("A One, , B Two,", ("A One", "B Two")),
        ("", ()),
    ],
)
def test_split_authors(creator: str, names: tuple[str, ...]) -> None:
    assert split_authors(creator) == names


# --- API responses ----------------------------------------------------------------------------


def test_api_response_with_one_paper() -> None:
    (paper,), skipped, warnings = api(recorded("1605.08386")[1])
    assert (skipped, warnings) == (0, [])
    assert paper == IncomingPaper(
        title="Heat-bath random walks with Markov bases",
        arxiv_id="1605.08386",
        arxiv_version=1,
        authors=("Caprice Stanley", "Tobias Windisch"),
        abstract=paper.abstract,
        categories=("math.CO", "math.ST"),
        published=datetime(2016, 5, 26, 17, 59, 46, tzinfo=UTC),
        updated=datetime(2016, 5, 26, 17, 59, 46, tzinfo=UTC),
        primary_category="math.CO",
        comment="20 pages, 3 figures",
        complete=True,
    )
    assert paper.abstract is not None
    assert paper.abstract.startswith("Graphs on lattice points are studied whose edges")
    assert paper.abstract.endswith("is an expander in fixed dimension.")


def test_api_old_style_id_affiliations_journal_ref_and_entities() -> None:
    (paper,), _, _ = api(recorded("astro-ph/0601001")[1])
    assert (paper.arxiv_id, paper.arxiv_version) == ("astro-ph/0601001", 1)
    # Affiliations are separate elements in the API, not part of the names.
    assert paper.authors == ("Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski")
    assert paper.journal_ref == "ActaAstron.56:1-50,2006"
    assert paper.primary_category == "astro-ph"
    assert paper.comment is not None
    assert paper.comment.startswith("62 pages including 16 figures")
    assert paper.abstract is not None
    assert paper.abstract.startswith("We derive the frequencies")  # leading spaces gone
    assert "following Gould & Morgan (2003)" in paper.abstract
    assert "spectroscopic-followup limit of V_max<17.5." in paper.abstract


def test_api_versioned_old_style_request() -> None:
    (paper,), _, _ = api(recorded("quant-ph/0201082v1")[1])
    assert (paper.arxiv_id, paper.arxiv_version) == ("quant-ph/0201082", 1)
    assert paper.categories == ("quant-ph", "cs.PL")
    assert paper.authors == ("Stephen Blaha",)
    assert paper.comment == "32 pages"


def test_api_unknown_id_is_absent_and_unicode_names_survive() -> None:
    papers, skipped, _ = api(recorded("0808.05394,1707.08567")[1])
    assert skipped == 0
    assert [p.arxiv_id for p in papers] == ["1707.08567"]
    authors = papers[0].authors
    assert len(authors) == 34
    assert authors[0] == "Kees A. Schouhamer Immink"
    assert "Dirk Wübben" in authors
    assert papers[0].comment == (
        "44 pages, editors for the proceedings: Yanling Chen and A. J. Han Vinck"
    )


def test_api_search_results_carry_doi_journal_ref_and_dates() -> None:
    papers, skipped, _ = api(recorded("search:testing")[1])
    assert (len(papers), skipped) == (10, 0)
    assert sum(p.doi is not None for p in papers) == 6
    fuzzing = next(p for p in papers if p.arxiv_id == "2005.14124")
    assert fuzzing.arxiv_version == 2
    assert fuzzing.doi == "10.1145/3395363.3397376"
    assert fuzzing.categories == ("cs.SE", "cs.CR", "cs.LG")
    assert fuzzing.primary_category == "cs.SE"
    assert len(fuzzing.authors) == 5
    assert fuzzing.published == datetime(2020, 5, 28, 16, 19, 50, tzinfo=UTC)
    assert fuzzing.updated == datetime(2020, 7, 16, 8, 15, 48, tzinfo=UTC)
    assert fuzzing.journal_ref is not None
    assert fuzzing.journal_ref.startswith("In Proc. ACM SIGSOFT International Symposium")
    ijsea = next(p for p in papers if p.arxiv_id == "1202.4527")
    assert ijsea.journal_ref is not None
    assert "Software Engineering & Applications (IJSEA)" in ijsea.journal_ref


def test_api_error_entry_is_skipped_with_a_warning() -> None:
    status, body = recorded("abc")
    assert status == 400
    papers, skipped, warnings = api(body)
    assert (papers, skipped) == ([], 1)
    assert warnings == ["the arXiv API reported an error: incorrect id format for abc"]


def test_api_response_without_entries() -> None:
    assert api(recorded("0000.0000")[1]) == ([], 0, [])


# --- the client against a local server --------------------------------------------------------


def entries_of(body: bytes) -> dict[str, str]:
    """The ``<entry>`` elements of an API response, by the id the API would be asked with."""
    found: dict[str, str] = {}
    for entry in re.findall(r"  <entry>.*?</entry>", body.decode("utf-8"), re.DOTALL):
        ref = parse_arxiv_id(re.search(r"<id>(.*?)</id>", entry)[1])  # type: ignore[index]
        assert ref is not None
        found[ref.id] = entry
    return found


def synthetic_entry(entry_id: str, title: str) -> str:
    return (
        "  <entry>\n"
        f"    <id>http://arxiv.org/abs/{entry_id}</id>\n"
        f"    <title>{title}</title>\n"
        "    <updated>2024-01-02T03:04:05Z</updated>\n"
        f"    <summary>  About {title}.\n  </summary>\n"
        '    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>\n'
        "    <published>2024-01-01T00:00:00Z</published>\n"
        '    <arxiv:primary_category term="cs.LG"/>\n'
        "    <author>\n      <name>Ada Lovelace</name>\n    </author>\n"
        "  </entry>"
    )


@dataclass
class Seen:
    path: str
    query: dict[str, str]
    at: float


@dataclass
class FakeArxiv:
    """A local stand-in for export.arxiv.org/api/query, answering id_list queries."""

    entries: dict[str, str]
    faults: list[tuple[int, bytes]] = field(default_factory=list)  # answered first, in order
    always: int | None = None  # answer every request with this status
    delay: float = 0.0
    requests: list[Seen] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def answer(self, path: str, raw_query: str) -> tuple[int, bytes]:
        query = {k: v[0] for k, v in parse_qs(raw_query, keep_blank_values=True).items()}
        with self.lock:
            self.requests.append(Seen(path, query, time.monotonic()))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            fault = self.faults.pop(0) if self.faults else None
        try:
            time.sleep(self.delay)
            if fault is not None:
                return fault
            if self.always is not None:
                return self.always, b"<html>unavailable</html>"
            if path != "/api/query":
                return 404, b"not found"
            ids = [i for i in query.get("id_list", "").split(",") if i]
            found = [self.entries[i] for i in ids if i in self.entries]
            return 200, self.feed(found)
        finally:
            with self.lock:
                self.in_flight -= 1

    @staticmethod
    def feed(entries: list[str]) -> bytes:
        return (
            "<?xml version='1.0' encoding='UTF-8'?>\n"
            '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
            "  <id>https://arxiv.org/api/local</id>\n"
            "  <title>arXiv Query</title>\n"
            "  <updated>2026-04-12T22:09:26Z</updated>\n"
            f"  <opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>\n"
            f"  <opensearch:totalResults>{len(entries)}</opensearch:totalResults>\n"
            "  <opensearch:startIndex>0</opensearch:startIndex>\n"
            + "".join(f"{entry}\n" for entry in entries)
            + "</feed>\n"
        ).encode()


@pytest.fixture
def fake_arxiv() -> Iterator[FakeArxiv]:
    entries: dict[str, str] = {}
    for request in ("1605.08386", "astro-ph/0601001", "0808.05394,1707.08567"):
        entries.update(entries_of(recorded(request)[1]))
    fake = FakeArxiv(entries)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            status, body = fake.answer(parts.path, parts.query)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the client gave up (timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/api/query"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_client(sleeps: list[float]) -> Iterator[Any]:
    clients: list[ArxivClient] = []

    def make(url: str, **options: Any) -> ArxivClient:
        options.setdefault("delay_seconds", 0)
        client = ArxivClient(url, sleep=sleeps.append, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


async def test_fetch_answers_by_canonical_id_from_recorded_entries(
    fake_arxiv: FakeArxiv, make_client: Any
) -> None:
    client = make_client(fake_arxiv.url)
    found = await client.fetch(
        [
            "1605.08386",
            "arXiv:astro-ph/0601001v1",
            "https://arxiv.org/abs/1707.08567v1",
            "0704.0001",  # a valid id the server does not know
            "not an arXiv id",
        ]
    )
    assert set(found) == {"1605.08386", "astro-ph/0601001", "1707.08567"}
    heat = found["1605.08386"]
    assert heat.title == "Heat-bath random walks with Markov bases"
    assert (heat.arxiv_id, heat.arxiv_version) == ("1605.08386", 1)
    assert heat.authors == ("Caprice Stanley", "Tobias Windisch")
    assert heat.categories == ("math.CO", "math.ST")
    assert heat.primary_category == "math.CO"
    assert heat.comment == "20 pages, 3 figures"
    assert heat.published == datetime(2016, 5, 26, 17, 59, 46, tzinfo=UTC)
    assert heat.published is not None
    assert heat.published.utcoffset() is not None
    assert heat.complete
    assert found["astro-ph/0601001"].journal_ref == "ActaAstron.56:1-50,2006"
    abstract = found["astro-ph/0601001"].abstract
    assert abstract is not None
    assert abstract.startswith("We derive the frequencies")
    assert "Dirk Wübben" in found["1707.08567"].authors
    (seen,) = fake_arxiv.requests
    assert seen.path == "/api/query"
    # Versions dropped, non-ids never sent, one request for the lot.
    assert seen.query["id_list"] == "1605.08386,astro-ph/0601001,1707.08567,0704.0001"
    assert seen.query["max_results"] == "100"  # batch_size: one page holds a batch


async def test_id_the_server_does_not_know_is_absent(
    fake_arxiv: FakeArxiv, make_client: Any
) -> None:
    client = make_client(fake_arxiv.url)
    assert await client.fetch(["0704.0001", "2501.99999v2"]) == {}
    assert [r.query["id_list"] for r in fake_arxiv.requests] == ["0704.0001,2501.99999"]


async def test_nothing_to_ask_sends_nothing(fake_arxiv: FakeArxiv, make_client: Any) -> None:
    client = make_client(fake_arxiv.url)
    assert await client.fetch([]) == {}
    assert await client.fetch(["", "hello world", "2401.1234"]) == {}
    assert fake_arxiv.requests == []


async def test_429_is_retried_after_exponential_backoff(
    fake_arxiv: FakeArxiv, make_client: Any, sleeps: list[float]
) -> None:
    fake_arxiv.faults = [(429, b"slow down"), (429, b"slow down")]
    client = make_client(fake_arxiv.url, num_retries=3, backoff_seconds=10.0)
    found = await client.fetch(["1605.08386"])
    assert list(found) == ["1605.08386"]
    assert len(fake_arxiv.requests) == 3
    assert sleeps == [10.0, 20.0]


async def test_503_forever_gives_up_after_num_retries(
    fake_arxiv: FakeArxiv, make_client: Any, sleeps: list[float]
) -> None:
    fake_arxiv.always = 503
    client = make_client(fake_arxiv.url, num_retries=3, backoff_seconds=2.0)
    with pytest.raises(ArxivUnavailable) as caught:
        await client.fetch(["1605.08386"])
    assert len(fake_arxiv.requests) == 1 + 3
    assert sleeps == [2.0, 4.0, 8.0]
    assert "HTTP 503" in caught.value.reason
    assert "4 attempts" in caught.value.reason
    assert "\n" not in caught.value.reason
    assert str(caught.value) == caught.value.reason


@pytest.mark.parametrize("status", [500, 400, 404])
async def test_other_http_errors_are_not_retried(
    fake_arxiv: FakeArxiv, make_client: Any, sleeps: list[float], status: int
) -> None:
    # 400 is what arXiv answers to an id it cannot read (the recorded "Error" entry).
    body = recorded("abc")[1] if status == 400 else b"oops"
    fake_arxiv.faults = [(status, body)]
    client = make_client(fake_arxiv.url, num_retries=3)
    started = time.monotonic()
    with pytest.raises(ArxivUnavailable, match=f"HTTP {status}"):
        await client.fetch(["1605.08386"])
    assert time.monotonic() - started < 5
    assert len(fake_arxiv.requests) == 1
    assert sleeps == []


async def test_batches_of_batch_size_ids(fake_arxiv: FakeArxiv, make_client: Any) -> None:
    ids = [f"2401.{n:05d}" for n in range(1, 8)]
    for n, arxiv_id in enumerate(ids):
        fake_arxiv.entries[arxiv_id] = synthetic_entry(f"{arxiv_id}v{n + 1}", f"Paper {n}")
    client = make_client(fake_arxiv.url, batch_size=3)
    found = await client.fetch([*ids, "0704.0001"])
    assert len(fake_arxiv.requests) == 3  # ceil(8 / 3)
    sent = [r.query["id_list"].split(",") for r in fake_arxiv.requests]
    assert [len(batch) for batch in sent] == [3, 3, 2]
    assert [i for batch in sent for i in batch] == [*ids, "0704.0001"]
    assert set(found) == set(ids)
    assert found["2401.00005"].arxiv_version == 5
    assert found["2401.00005"].title == "Paper 4"
    assert found["2401.00005"].abstract == "About Paper 4."
    assert found["2401.00005"].authors == ("Ada Lovelace",)


async def test_old_style_id_with_subject_class(fake_arxiv: FakeArxiv, make_client: Any) -> None:
    fake_arxiv.entries["math/0309136"] = synthetic_entry("math/0309136v2", "Knots")
    client = make_client(fake_arxiv.url)
    found = await client.fetch(["math.GT/0309136"])
    assert [r.query["id_list"] for r in fake_arxiv.requests] == ["math/0309136"]
    assert list(found) == ["math.GT/0309136"]  # keyed as asked
    assert (found["math.GT/0309136"].arxiv_id, found["math.GT/0309136"].arxiv_version) == (
        "math/0309136",
        2,
    )


async def test_connection_refused_is_retried_then_unavailable(
    make_client: Any, sleeps: list[float]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_client(f"http://127.0.0.1:{port}/api/query", num_retries=2)
    with pytest.raises(ArxivUnavailable, match="3 attempts") as caught:
        await client.fetch(["1605.08386"])
    assert sleeps == [10.0, 20.0]
    assert "connect" in caught.value.reason


async def test_timeout_is_retried_then_unavailable(
    fake_arxiv: FakeArxiv, make_client: Any, sleeps: list[float]
) -> None:
    fake_arxiv.delay = 1.0
    client = make_client(fake_arxiv.url, num_retries=1, timeout_seconds=0.2)
    with pytest.raises(ArxivUnavailable, match="timed out"):
        await client.fetch(["1605.08386"])
    assert len(fake_arxiv.requests) == 2
    assert sleeps == [10.0]


async def test_concurrent_calls_make_one_request_at_a_time(
    fake_arxiv: FakeArxiv, make_client: Any
) -> None:
    fake_arxiv.delay = 0.05
    client = make_client(fake_arxiv.url)
    results = await asyncio.gather(
        client.fetch(["1605.08386"]),
        client.fetch(["astro-ph/0601001"]),
        client.fetch(["1707.08567"]),
    )
    assert [list(r) for r in results] == [["1605.08386"], ["astro-ph/0601001"], ["1707.08567"]]
    assert len(fake_arxiv.requests) == 3
    assert fake_arxiv.max_in_flight == 1


async def test_throttle_holds_across_calls(fake_arxiv: FakeArxiv, make_client: Any) -> None:
    client = make_client(fake_arxiv.url, delay_seconds=0.3)
    await client.fetch(["1605.08386"])
    await client.fetch(["astro-ph/0601001"])
    first, second = fake_arxiv.requests
    assert second.at - first.at >= 0.29


def test_client_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        ArxivClient(batch_size=0)
    with pytest.raises(ValueError, match="batch_size"):
        ArxivClient(batch_size=2001)
    with pytest.raises(ValueError, match="num_retries"):
        ArxivClient(num_retries=-1)
