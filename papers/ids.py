"""Turn what people paste (in Discord, on a CLI) into a paper reference.

:func:`resolve` removes NUL bytes and control/zero-width characters, applies NFKC, collapses
whitespace, unwraps ``<…>``, quotes and backticks, and then accepts:

* arXiv ids: new style ``1312.6199``, ``2401.12345v2`` (4 digits after the dot for 0704-1412,
  5 from 1501 on) and old style ``hep-th/9901001``, ``math.GT/0309136v2`` (a real archive,
  ``YYMMNNN`` from 1991 to March 2007), bare or after ``arXiv:``, ``arXiv ``, ``arXiv id:`` or
  ``oai:arXiv.org:`` (any case);
* links, read by :func:`papers.links.read_link` (scheme optional, percent-encoded or not, inside
  redirect links): arXiv links (``/abs/``, ``/pdf/``, ``/html/``, … on arxiv.org, its
  subdomains and ar5iv) and links that carry an arXiv id (alphaXiv, Hugging Face papers,
  Semantic Scholar, SciRate, Papers with Code's API, …) give an :class:`ArxivId`;
* DOIs, bare or as ``doi:``, ``info:doi/``, doi.org / dx.doi.org links, percent-encoded or not,
  and DOIs in the path of other links (``dl.acm.org/doi/10.1145/…``, biorxiv). arXiv DOIs
  ``10.48550/arXiv.ID`` give an :class:`ArxivId`, others a :class:`Doi`;
* ShortScience links ``shortscience.org/paper?bibtexKey=KEY`` (the key is trusted as is) and
  bibtex keys: dblp CoRR keys (``journals/corr/1608.06993``, ``journals/corr/abs-1904-00760``,
  ``journals/corr/cs-AI-0112017``) give an :class:`ArxivId`, DOIs a :class:`Doi`, others a
  :class:`BibtexKey`. Typed on its own, a key is 2-4 ``/``-separated ``[A-Za-z0-9_.-]``
  segments starting with a dblp key type (``conf``, ``journals``, ``books``, …), or 3-4
  segments starting with a lower-case word and ending in one with a digit, so that
  ``AND/OR graphs`` and ``and/or`` stay title words;
* anything else: :class:`TitleWords`.

:class:`UnusableQuery` (``reason`` says why) is raised for empty, too long or letter-less text,
for invalid ids and DOIs that are clearly meant as such (``2401.1234``, month 13), and for
links that cannot name a paper (arXiv listings, ``huggingface.co/papers``, Papers with Code
slugs, sites other than those above).

:func:`find_arxiv_ids` finds the arXiv ids a post mentions with arXiv context (links,
``arXiv:ID``, arXiv DOIs; see :func:`papers.links.arxiv_mentions`), never bare numbers.
:func:`find_refs` finds every paper a message links or names by identifier: its links of every
kind above, ``arXiv:ID`` and DOIs (never title words nor bare numbers).
"""

import re
import unicodedata
from contextlib import suppress
from dataclasses import dataclass
from itertools import groupby
from typing import TypeAlias
from urllib.parse import unquote

from papers.errors import UserError
from papers.links import (
    NO_BIBTEX_KEY,
    UnusableLink,
    arxiv_mentions,
    looks_like_link,
    no_arxiv_id,
    read_link,
)

MAX_QUERY_LENGTH = 500
MAX_TITLE_WORDS = 32
_ARCHIVE_NAMES = (
    "acc-phys adap-org alg-geom ao-sci astro-ph atom-ph bayes-an chao-dyn chem-ph cmp-lg comp-gas "
    "cond-mat cs dg-ga funct-an gr-qc hep-ex hep-lat hep-ph hep-th math math-ph mtrl-th nlin "
    "nucl-ex nucl-th patt-sol physics plasm-ph q-alg q-bio quant-ph solv-int supr-con"
)
ARXIV_ARCHIVES = frozenset(_ARCHIVE_NAMES.split())

_A = re.ASCII
_AI = re.ASCII | re.IGNORECASE
_CANONICAL_ARXIV = re.compile(r"\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7}", _A)
_ID = re.compile(
    r"(?:(?P<yymm>\d{4})\.(?P<num>\d+)"
    r"|(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.(?P<cls>[a-z]{2}))?/(?P<onum>\d+))"
    r"(?:v(?P<ver>\d+))?",
    _AI,
)
_ARXIV_PREFIX = re.compile(
    r"(?P<prefix>oai:arxiv\.org:|arxiv(?:\s*id(?:entifier)?)?\s*:"
    r"|arxiv(?:\s+id(?:entifier)?)?(?=\s))\s*(?P<rest>\S*)",
    _AI,
)
_DOI = re.compile(r"10\.\d{4,9}(?:\.\d+)*/\S+", _A)
_DOI_BARE = re.compile(r"10\.\d{4,9}(?:\.\d+)*(?:/|%2F)\S+", _AI)
_DOI_LABELLED = re.compile(r"(?:doi\s*:|info:doi/)\s*(?P<doi>\S*)", _AI)
_ARXIV_DOI_PREFIX = "10.48550/arxiv."
_CORR_KEY = re.compile(
    r"journals/corr/(?:abs-)?(?:(?P<yymm>\d{4})[.-](?P<num>\d{4,5})(?:v(?P<ver>\d+))?"
    r"|(?P<archive>[a-z]+(?:-[a-z]+)?)(?:-(?P<cls>[A-Z]{2}))?-(?P<onum>\d{7}))",
    _A,
)
_SEGMENT = r"[A-Za-z0-9_.-]+"
_KEY_TYPES = "conf|journals|books|series|phd|tr|reference|persons|ms|www|homepages"
_BIBTEX_DBLP = re.compile(rf"(?:{_KEY_TYPES})(?:/{_SEGMENT}){{1,3}}", _A)
_BIBTEX_OTHER = re.compile(rf"[a-z]+(?:/{_SEGMENT}){{1,2}}/[A-Za-z0-9_.-]*\d[A-Za-z0-9_.-]*", _A)
_PAIRS = {"<": ">", '"': '"', "'": "'", "`": "`", "\u201c": "\u201d", "\u2018": "\u2019", "«": "»"}
_WRAPPERS = "".join(_PAIRS) + "".join(_PAIRS.values()) + " "
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co"})
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")  # Hangul fillers


@dataclass(frozen=True, slots=True)
class ArxivId:
    """An arXiv paper: canonical ``id`` without version, and the version if one was given."""

    id: str
    version: int | None = None

    def __post_init__(self) -> None:
        if not _CANONICAL_ARXIV.fullmatch(self.id):
            raise ValueError(f"not a canonical arXiv id (use parse_arxiv_id): {self.id!r}")
        if self.version is not None and self.version < 1:
            raise ValueError(f"arXiv versions start at 1, not {self.version}")

    def __str__(self) -> str:
        return self.id

    @property
    def versioned(self) -> str:
        return self.id if self.version is None else f"{self.id}v{self.version}"

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.id}"


@dataclass(frozen=True, slots=True)
class BibtexKey:
    """A ShortScience / dblp bibtex key such as ``conf/nips/LeeS00`` (case preserved)."""

    key: str


@dataclass(frozen=True, slots=True, eq=False)
class Doi:
    """A DOI without ``doi:`` or URL wrapper; DOIs compare and hash case-insensitively."""

    doi: str

    @property
    def normalized(self) -> str:
        return self.doi.lower()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Doi):
            return NotImplemented
        return self.normalized == other.normalized

    def __hash__(self) -> int:
        return hash(self.normalized)


@dataclass(frozen=True, slots=True)
class TitleWords:
    """Free text to search titles with: the cleaned ``text`` and its first 32 ``words``."""

    text: str
    words: tuple[str, ...]


PaperRef: TypeAlias = ArxivId | BibtexKey | Doi | TitleWords


class UnusableQuery(UserError):
    """The text cannot name a paper; ``reason`` is a short sentence saying why."""


def resolve(text: str) -> PaperRef:
    """The paper reference ``text`` names (see the module docstring); raises UnusableQuery."""
    stripped = text.replace("\x00", "").strip()
    if not stripped:
        raise UnusableQuery("the query is empty")
    if len(stripped) > MAX_QUERY_LENGTH:
        raise UnusableQuery(
            f"the query is {len(stripped)} characters long; the limit is {MAX_QUERY_LENGTH}"
        )
    body = _clean(stripped)
    if not body:
        raise UnusableQuery("the query contains only invisible or control characters")
    while len(body) >= 2 and _PAIRS.get(body[0]) == body[-1]:
        body = body[1:-1].strip()
    candidate = body.strip(_WRAPPERS).rstrip(".,;")
    if candidate and (ref := _identify(candidate, keys=True)) is not None:
        return ref
    words = _words(body)
    if not words:
        raise UnusableQuery("the query contains no letters or digits")
    return TitleWords(body, words[:MAX_TITLE_WORDS])


def parse_arxiv_id(text: str) -> ArxivId | None:
    """The arXiv id that all of ``text`` is (id, ``arXiv:`` form, DOI, link with an id), or None."""
    stripped = text.strip()
    if not stripped or len(stripped) > MAX_QUERY_LENGTH:
        return None
    try:
        ref = _identify(stripped, keys=False)
    except UnusableQuery:
        return None
    return ref if isinstance(ref, ArxivId) else None


def find_arxiv_ids(text: str) -> list[ArxivId]:
    """Every valid arXiv id mentioned with arXiv context in ``text``, first mention first."""
    found: dict[str, ArxivId] = {}
    for mention in arxiv_mentions(text):
        try:
            ref = _arxiv_from_id(mention)
        except UnusableQuery:
            continue
        if ref is not None:
            found.setdefault(ref.id, ref)
    return list(found.values())


_TOKEN = re.compile(r"[^\s<>()\[\]\"'`|*]+")


def _ref_key(ref: PaperRef) -> str:
    if isinstance(ref, ArxivId):
        return f"arxiv:{ref.id}"
    if isinstance(ref, Doi):
        return f"doi:{ref.normalized}"
    return f"key:{ref.key}" if isinstance(ref, BibtexKey) else f"words:{ref.text}"


def find_refs(text: str) -> list[PaperRef]:
    """Every paper ``text`` (a message) links or names by identifier, first mention first,
    each once (an arXiv paper once whatever its version): links read as :func:`resolve` reads
    them (arXiv abs/pdf/… links, sites that carry an arXiv id, DOI links, ShortScience links),
    ``arXiv:ID`` (old ids too) and DOIs. Links naming no paper, title words and bare numbers
    are not references."""
    found: dict[str, PaperRef] = {}
    for token in _TOKEN.findall(text.replace("\x00", "")):
        token = token.rstrip(".,;:!?")
        ref: PaperRef | None = None
        with suppress(UnusableQuery):
            if looks_like_link(token):
                ref = _from_url(token, keys=True)
            elif _ARXIV_PREFIX.fullmatch(token):
                ref = _identify(token, keys=False)
            elif match := _DOI_LABELLED.fullmatch(token):
                ref = _from_doi(_decode(match["doi"]))
            elif _DOI_BARE.fullmatch(token):
                ref = _from_doi(_decode(token))
        if ref is not None:
            found.setdefault(_ref_key(ref), ref)
    for arxiv in find_arxiv_ids(text):  # arXiv:ID, "arXiv 1312.6199", and the like
        found.setdefault(_ref_key(arxiv), arxiv)
    return list(found.values())


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    kept = "".join(
        ch
        for ch in text
        if ch.isspace()
        or (unicodedata.category(ch) not in _INVISIBLE_CATEGORIES and ch not in _INVISIBLE_LETTERS)
    )
    return " ".join(kept.split())


def _decode(text: str) -> str:
    return _clean(unquote(text)) if "%" in text else text


def _words(text: str) -> tuple[str, ...]:
    """Runs of letters, digits and combining marks holding a letter or digit."""
    runs = ("".join(run) for is_word, run in groupby(text, _is_word_char) if is_word)
    return tuple(run for run in runs if any(unicodedata.category(c)[0] in "LN" for c in run))


def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LNM"


def _identify(text: str, *, keys: bool) -> PaperRef | None:
    """The reference ``text`` (no surrounding junk) is as an identifier, None if it is none."""
    if looks_like_link(text):
        return _from_url(text, keys=keys)
    if match := _ARXIV_PREFIX.fullmatch(text):
        rest = match["rest"]
        if (found := _arxiv_from_id(rest)) is None and match["prefix"].endswith(":"):
            raise UnusableQuery(f"{rest} is not an arXiv id" if rest else "no id after arXiv:")
        return found
    if match := _DOI_LABELLED.fullmatch(text):
        return _from_doi(_decode(match["doi"]))
    if _DOI_BARE.fullmatch(text):
        return _from_doi(_decode(text))
    return _from_key(text) if keys else _arxiv_from_id(text)


def _from_url(url: str, *, keys: bool) -> PaperRef | None:
    try:
        link = read_link(url)
    except UnusableLink as exc:
        raise UnusableQuery(exc.reason) from exc
    value = _clean(link.value)
    if link.kind == "arxiv":
        if (found := _arxiv_from_id(value)) is None:
            raise UnusableQuery(no_arxiv_id(link.site))
        return found
    if link.kind == "doi":
        return _from_doi(value)
    if not keys:
        return None
    if link.kind == "doi-in-path":
        return _from_doi(value)
    if not value:
        raise UnusableQuery(NO_BIBTEX_KEY)
    return _from_key(value) or BibtexKey(value)


def _from_doi(doi: str) -> ArxivId | Doi:
    if not _DOI.fullmatch(doi):
        raise UnusableQuery(f"{doi} is not a valid DOI" if doi else "no DOI after doi:")
    if doi.lower().startswith(_ARXIV_DOI_PREFIX):
        rest = doi[len(_ARXIV_DOI_PREFIX) :]
        if (found := _arxiv_from_id(rest)) is None:
            raise UnusableQuery(f"{doi} is an arXiv DOI but {rest} is not an arXiv id")
        return found
    return Doi(doi)


def _from_key(key: str) -> PaperRef | None:
    """A bibtex key as ArxivId (CoRR keys), Doi or BibtexKey; None if it is not one."""
    if _DOI_BARE.fullmatch(key):
        return _from_doi(_decode(key))
    if (found := _arxiv_from_id(key)) is not None:
        return found
    if match := _CORR_KEY.fullmatch(key):
        if match["yymm"]:
            version = f"v{match['ver']}" if match["ver"] else ""
            candidate = f"{match['yymm']}.{match['num']}{version}"
        else:
            subject = f".{match['cls']}" if match["cls"] else ""
            candidate = f"{match['archive']}{subject}/{match['onum']}"
        with suppress(UnusableQuery):
            if (found := _arxiv_from_id(candidate)) is not None:
                return found
    if _BIBTEX_DBLP.fullmatch(key) or _BIBTEX_OTHER.fullmatch(key):
        return BibtexKey(key)
    return None


def _arxiv_from_id(text: str) -> ArxivId | None:
    """The ArxivId ``text`` spells; None if it is not id-shaped; UnusableQuery if invalid."""
    match = _ID.fullmatch(text)
    if match is None:
        return None

    def invalid(why: str) -> UnusableQuery:
        return UnusableQuery(f"{text} is not a valid arXiv id: {why}")

    version = match["ver"]
    if version is not None and (len(version) > 3 or int(version) == 0):
        raise invalid(f"v{version} is not a version (versions count from v1)")
    if (yymm := match["yymm"]) is not None:
        if not 1 <= int(yymm[2:]) <= 12:
            raise invalid(f"{yymm[2:]} is not a month (01-12)")
        if yymm < "0704":
            raise invalid("new-style ids start in April 2007 (0704)")
        if yymm < "1501" and len(match["num"]) != 4:
            raise invalid("ids from 0704 to 1412 have 4 digits after the dot")
        if yymm >= "1501" and len(match["num"]) != 5:
            raise invalid("ids from 2015 on have 5 digits after the dot")
        canonical = f"{yymm}.{match['num']}"
    else:
        archive, number = match["archive"].lower(), match["onum"]
        if archive not in ARXIV_ARCHIVES:
            return None
        if len(number) != 7:
            raise invalid("old-style ids have 7 digits (YYMMNNN) after the slash")
        if not 1 <= int(number[2:4]) <= 12:
            raise invalid(f"{number[2:4]} is not a month (01-12)")
        if "0703" < number[:4] < "9100":
            raise invalid("old-style ids run from 1991 to March 2007")
        subject = f".{match['cls'].upper()}" if match["cls"] else ""
        canonical = f"{archive}{subject}/{number}"
    return ArxivId(canonical, int(version) if version is not None else None)
