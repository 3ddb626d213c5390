"""Paper links: which arXiv id, DOI or ShortScience key a link, or a post, refers to.

Recognition only (standard library, no I/O): what is found here comes back as raw text, and
:mod:`papers.ids` validates it and turns it into value objects.

:func:`read_link` reads one link (scheme optional, host and path in any case) into a :class:`Link`:

* arXiv: arxiv.org and its subdomains (``www.``, ``export.``, ``browse.``, ``ar5iv.labs.``) and
  ar5iv.org, paths ``/abs/``, ``/pdf/`` (``.pdf`` optional), ``/html/``, ``/format/``, ``/ps/``,
  ``/src/`` and ``/e-print/``, with version, trailing slash, query or fragment;
* other sites that name a paper by its arXiv id (table :data:`ARXIV_ID_SITES`): alphaxiv.org
  ``/abs/``, ``/overview/``, ``/pdf/``; huggingface.co or hf.co ``/papers/ID``;
  semanticscholar.org ``/arxiv/ID`` and api.semanticscholar.org ``/arXiv:ID`` (also after
  ``/v1/paper/`` and ``/graph/v1/paper/``); scirate.com ``/arxiv/ID``; arxiv.paperswithcode.com
  ``/api/v0/papers/ID``; connectedpapers.com ``/api/redirect/arxiv/ID``; papers.cool
  ``/arxiv/ID``; NASA ADS ``/abs/arXiv:ID``; and a link to any site with an ``arxiv_id=``
  parameter (Google Scholar's ``scholar_lookup``, the Papers with Code API);
* doi.org / dx.doi.org, ShortScience ``/paper?bibtexKey=KEY``, and DOIs in the path of links to
  other sites (``dl.acm.org/doi/10.1145/…``; bioRxiv / medRxiv suffixes removed);
* redirect wrappers (Google ``/url?q=``, Medium ``/r/?url=``, Facebook ``l.php?u=``, Outlook
  safe links, …): a query parameter holding an http(s) link is read instead, 3 wrappers deep.

Other links raise :class:`UnusableLink`, and so do links to the sites above that name no paper
(``huggingface.co/papers``, ``paperswithcode.com/paper/<slug>``, Semantic Scholar's hashes).

:func:`arxiv_mentions` yields the arXiv ids a post mentions with arXiv context: links of the
arXiv-id sites above, ``arXiv:ID``, ``arXiv ID``, ``arXiv id: ID``, ``arxiv_id=ID``,
``oai:arXiv.org:ID`` and ``10.48550/arXiv.ID``, also inside HTML attributes, Markdown and
percent-encoded (redirect) links. A number with no arXiv context is never a mention.
"""

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, TypeAlias
from urllib.parse import parse_qsl, unquote, urlsplit

from papers.errors import UserError

LinkKind: TypeAlias = Literal["arxiv", "doi", "doi-in-path", "bibtex"]

# (site name, hosts without "www." (subdomains match too), path up to the arXiv id, what may
# follow the id besides a slash)
ARXIV_ID_SITES: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    ("arXiv", ("arxiv.org", "ar5iv.org"), r"/(?:abs|pdf|html|format|ps|src|e-print)/", r"\.pdf"),
    ("alphaXiv", ("alphaxiv.org",), r"/(?:abs|overview|pdf)/", r"\.pdf"),
    ("Hugging Face", ("huggingface.co", "hf.co"), r"/papers/", ""),
    (
        "Semantic Scholar",
        ("semanticscholar.org",),
        r"/(?:arxiv/|(?:(?:graph/)?v1/paper/)?arxiv:)",
        r"/(?:citations|references|authors)",
    ),
    ("SciRate", ("scirate.com",), r"/arxiv/", ""),
    ("Papers with Code", ("paperswithcode.com",), r"/api/v0/(?:papers|repos-and-datasets)/", ""),
    ("Connected Papers", ("connectedpapers.com",), r"/api/redirect/arxiv/", ""),
    ("papers.cool", ("papers.cool",), r"/arxiv/", ""),
    ("NASA ADS", ("adsabs.harvard.edu",), r"/abs/arxiv:", r"/abstract"),
)
NO_BIBTEX_KEY = "the ShortScience link does not name a paper (no bibtexKey)"
MAX_WRAPPERS = 3

_AI = re.ASCII | re.IGNORECASE
_SITE_PATHS = tuple(
    (name, hosts, re.compile(rf"{path}(?P<id>.+?)(?:{after})?/?", _AI))
    for name, hosts, path, after in ARXIV_ID_SITES
)
_ALL_HOSTS = "|".join(re.escape(host) for _, hosts, _, _ in ARXIV_ID_SITES for host in hosts)
_LINK_START = re.compile(
    rf"https?://|(?:[a-z0-9-]+\.)*(?:{_ALL_HOSTS})[/?#]|(?:dx\.)?doi\.org/"
    r"|(?:www\.)?shortscience\.org[/?]",
    _AI,
)
_SITE_PREFIXES = "|".join(
    rf"(?<![\w-])(?:{'|'.join(re.escape(host) for host in hosts)}){path}"
    for _, hosts, path, _ in ARXIV_ID_SITES
)
_MENTION = re.compile(
    rf"(?:{_SITE_PREFIXES}|(?<![\w-])arxiv\.org:|10\.48550/arxiv\."
    r"|\barxiv(?:[\s_-]*id(?:entifier)?)?\s*[:=]?\s*)"
    r"(?P<id>(?:\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)?(?:\.[a-z]{2})?/\d{7})(?:v\d{1,4})?)(?!\d)",
    _AI,
)
_WIDE_SPACES = str.maketrans({"\xa0": " ", "\u202f": " ", "\u2007": " "})
_HTTP = re.compile(r"https?://\S", _AI)
_DOI_IN_PATH = re.compile(r"/(?P<doi>10\.\d{4,9}(?:\.\d+)*/.+)", re.ASCII)
_PREPRINT_SUFFIX = re.compile(r"(?:v\d+)?(?:\.full(?:\.pdf)?|\.abstract|\.pdf)?/?$", re.ASCII)


@dataclass(frozen=True, slots=True)
class Link:
    """What a link names: ``value`` read as ``kind`` (not yet validated), found on ``site``."""

    kind: LinkKind
    value: str
    site: str


class UnusableLink(UserError):
    """The link cannot name a paper; ``reason`` is a short sentence saying why."""


def looks_like_link(text: str) -> bool:
    """Whether ``text`` (one word) is a link to read with :func:`read_link`."""
    return _LINK_START.match(text) is not None and not any(ch.isspace() for ch in text)


def no_arxiv_id(site: str) -> str:
    """The reason a link to ``site`` (an arXiv-id site, or a host) names no paper."""
    if site == "arXiv":
        return "the arXiv link does not point to a paper"
    return f"the {site} link carries no arXiv id; use an arXiv link, the arXiv id or the title"


def read_link(url: str, *, wrappers: int = MAX_WRAPPERS) -> Link:
    """What ``url`` names (see the module docstring); raises UnusableLink."""
    try:
        parts = urlsplit(url if "://" in url else f"https://{url}")
        host = (parts.hostname or "").removeprefix("www.")
    except ValueError as exc:
        raise UnusableLink("the link could not be parsed") from exc
    if not host:
        raise UnusableLink("the link has no host name")
    path = unquote(parts.path)
    params: dict[str, str] = {}
    for name, value in parse_qsl(parts.query):
        params.setdefault(name.lower(), value.strip())
    for site, hosts, pattern in _SITE_PATHS:
        if any(host == known or host.endswith(f".{known}") for known in hosts):
            if match := pattern.fullmatch(path):
                return Link("arxiv", match["id"], site)
            if params.get("arxiv_id"):
                return Link("arxiv", params["arxiv_id"], site)
            raise UnusableLink(no_arxiv_id(site))
    if host in ("doi.org", "dx.doi.org"):
        return Link("doi", path.lstrip("/"), "doi.org")
    if host == "shortscience.org":
        if parts.path.rstrip("/") != "/paper" or not params.get("bibtexkey"):
            raise UnusableLink(NO_BIBTEX_KEY)
        return Link("bibtex", params["bibtexkey"], "ShortScience")
    if params.get("arxiv_id"):
        return Link("arxiv", params["arxiv_id"], host)
    if match := _DOI_IN_PATH.search(path):
        doi = match["doi"].rstrip("/")
        if host in ("biorxiv.org", "medrxiv.org"):
            doi = _PREPRINT_SUFFIX.sub("", doi)
        return Link("doi-in-path", doi, host)
    inner = [value for value in params.values() if _HTTP.match(value)]
    if inner and wrappers > 0:
        return _read_first(inner, wrappers - 1)
    raise UnusableLink(
        f"links to {host} are not supported; use an arXiv, DOI or ShortScience link or a title"
    )


def _read_first(urls: list[str], wrappers: int) -> Link:
    """The first of ``urls`` (a redirect's targets) that names a paper; else the first error."""
    errors: list[UnusableLink] = []
    for url in urls:
        try:
            return read_link(url, wrappers=wrappers)
        except UnusableLink as error:
            errors.append(error)
    raise errors[0]


def arxiv_mentions(text: str) -> Iterator[str]:
    """Every arXiv id (unvalidated) ``text`` mentions with arXiv context, in order."""
    for match in _MENTION.finditer(unwrap(text)):
        yield match["id"]


def unwrap(text: str) -> str:
    """``text`` with HTML entities undone, no-break spaces as spaces and percent-encoding undone
    (up to 3 times: a link inside a redirect link inside another)."""
    if "&" in text:
        text = html.unescape(text)
    text = text.translate(_WIDE_SPACES)
    for _ in range(MAX_WRAPPERS):
        if "%" not in text or (decoded := unquote(text)) == text:
            break
        text = decoded
    return text
