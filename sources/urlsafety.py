"""Which URLs shortbot may fetch: the SSRF guard (schemes, credentials, host addresses).

A feed URL comes from people (``feeds add``, Discord maintainers, the config file), so
shortbot must not become a way to reach what only its own host can reach: cloud metadata
(``169.254.169.254``), databases and admin pages on localhost or the private network.
:func:`check_url` refuses non-http(s) schemes, credentials in URLs, and hosts that are or
resolve to loopback, private, link-local, multicast, reserved, unspecified or shared
(``100.64.0.0/10``) addresses — also written as IPv4-mapped / IPv4-compatible / NAT64 / 6to4 /
Teredo IPv6, or as the decimal, octal and hex IPv4 forms that ``inet_aton`` accepts
(``http://2130706433/``, ``http://0x7f.1/``, ``http://0177.0.0.1/``). Every address a name
resolves to must pass, not just the first. :func:`check_url_syntax` is the same check without
DNS, for validating a URL when it is entered.

DNS rebinding (the name resolving to a public address for the check and to a private one for
the connection) is closed by the fetcher for plain ``http``: it connects to an address this
check approved (see ``sources.fetch``). For ``https`` the connection resolves again, which is
a known residual risk, narrowed by TLS: a rebound internal service would have to present a
certificate valid for the attacker's host name.

This module imports only the standard library and ``httpx`` (for the URL parser the
fetcher itself uses, so the check and the connection never disagree about the host). XML
entities are :mod:`sources.xmlsafety`'s.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Sequence

import httpx

from papers.errors import UserError
from sources.errors import SourceError

__all__ = [
    "Resolver",
    "UnsafeURL",
    "address_problem",
    "check_url",
    "check_url_syntax",
    "parse_ip_host",
    "system_resolver",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: Resolves a host name to the IP addresses (as text) a connection could use.
Resolver = Callable[[str], Awaitable[Sequence[str]]]

ALLOWED_SCHEMES = frozenset({"http", "https"})
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_NUMERIC_PART = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


class UnsafeURL(SourceError, UserError):
    """A URL shortbot refuses to fetch. ``reason`` is one line for people."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason  # without the URL: the face says which URL


def address_problem(ip: IPAddress) -> str | None:
    """Why ``ip`` must not be fetched from (``"a loopback address"`` …), None when public."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return "a scoped address (with a zone id)"
        for embedded in _embedded_ipv4(ip):
            problem = address_problem(embedded)
            if problem:
                return f"{problem} (IPv4 {embedded} inside IPv6)"
    checks: tuple[tuple[bool, str], ...] = (
        (ip.is_unspecified, "an unspecified"),
        (ip.is_loopback, "a loopback"),
        (ip.is_link_local, "a link-local"),
        (ip.is_multicast, "a multicast"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED, "a shared (carrier-grade NAT)"),
        (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local, "a site-local"),
        (ip.is_private, "a private"),
        (ip.is_reserved, "a reserved"),
        (not ip.is_global, "a not globally routable"),
    )
    return next((f"{label} address" for failed, label in checks if failed), None)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses a connection to ``ip`` may really reach: mapped, compatible, NAT64 …"""
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip in _IPV4_COMPATIBLE and int(ip) > 1:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if any(ip in net for net in _NAT64):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    return found


def parse_ip_host(host: str) -> IPAddress | None:
    """The address ``host`` denotes when it is an IP literal in any form a resolver accepts.

    Besides dotted quads and IPv6 this reads what ``inet_aton`` reads: one to four parts, each
    decimal, octal (leading ``0``) or hex (``0x``), the last filling the remaining bytes —
    ``2130706433``, ``0x7f.1``, ``0177.0.0.1`` and ``127.1`` are all 127.0.0.1. Returns None for
    a host name; raises ValueError for something numeric that is not a valid address.
    """
    text = host.strip("[]").lower()
    if ":" in text:
        return ipaddress.IPv6Address(text)  # ValueError when malformed
    parts = text.removesuffix(".").split(".")
    if not all(_NUMERIC_PART.match(part) for part in parts):
        return None
    if len(parts) > 4:
        raise ValueError(f"{host!r} is not a valid IPv4 address")
    values = []
    for part in parts:
        if part.startswith("0x"):
            values.append(int(part[2:] or "0", 16))
        elif len(part) > 1 and part.startswith("0"):
            values.append(int(part, 8))  # ValueError for 08, 09 …
        else:
            values.append(int(part))
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (4 - len(head)):
        raise ValueError(f"{host!r} is not a valid IPv4 address")
    number = last
    for index, value in enumerate(head):
        number |= value << (8 * (3 - index))
    return ipaddress.IPv4Address(number)


def _check_syntax(url: str, *, allow_private: bool) -> tuple[httpx.URL, str, IPAddress | None]:
    """The URL, its ASCII host, and the host's address when it is an IP literal."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, ValueError) as exc:
        raise UnsafeURL(url, f"not a valid URL: {exc}") from None
    scheme = parsed.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = f"{scheme}:" if scheme else "no scheme"
        raise UnsafeURL(url, f"only http:// and https:// URLs can be fetched, not {shown}")
    if parsed.userinfo:
        raise UnsafeURL(url, "URLs with a user name or password are refused")
    host = parsed.raw_host.decode("ascii").lower()
    if not host:
        raise UnsafeURL(url, "the URL has no host")
    try:
        literal = parse_ip_host(host)
    except ValueError:
        raise UnsafeURL(url, f"{host} is a malformed numeric address") from None
    if literal is not None:
        problem = None if allow_private else address_problem(literal)
        if problem:
            raise UnsafeURL(url, f"{literal} is {problem}")
        return parsed, host, literal
    name = host.removesuffix(".")
    if not all(_HOST_LABEL.match(label) for label in name.split(".")):
        raise UnsafeURL(url, f"{host!r} is not a valid host name")
    if not allow_private and (name in _LOCAL_NAMES or name.endswith(".localhost")):
        raise UnsafeURL(url, f"{name} is a loopback name")
    return parsed, host, None


def check_url_syntax(url: str, *, allow_private: bool = False) -> str:
    """Check ``url`` without DNS; return it normalised (an IP host in its canonical form).

    Raises UnsafeURL for a scheme other than http(s), credentials, a malformed host, and —
    unless ``allow_private`` — a host that is ``localhost`` or a non-public IP literal. For
    validating a URL when it is entered; fetching uses :func:`check_url`, which also resolves.
    """
    parsed, _, literal = _check_syntax(url, allow_private=allow_private)
    if literal is not None:
        parsed = parsed.copy_with(host=str(literal))
    return str(parsed)


async def system_resolver(host: str) -> list[str]:
    """The addresses ``host`` resolves to, asked of the system resolver off the event loop."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def check_url(url: str, *, allow_private: bool, resolve: Resolver | None = None) -> list[str]:
    """Check ``url`` and, unless ``allow_private``, every address its host resolves to.

    Returns the approved addresses (the literal itself for an IP host; empty with
    ``allow_private``, which skips DNS). Raises UnsafeURL when refused, OSError (such as
    ``socket.gaierror``) when the host cannot be resolved. ``resolve`` replaces the system
    resolver: tests use it to make a name resolve to a public address without a network.
    """
    _, host, literal = _check_syntax(url, allow_private=allow_private)
    if allow_private:
        return []
    if literal is not None:
        return [str(literal)]
    name = host.removesuffix(".")
    addresses = [str(a) for a in await (resolve or system_resolver)(name)]
    if not addresses:
        raise OSError(f"{name} has no address")
    for text in addresses:
        try:
            ip = ipaddress.ip_address(text)
        except ValueError:
            raise UnsafeURL(url, f"{name} resolves to {text!r}, not an address") from None
        problem = address_problem(ip)
        if problem:
            raise UnsafeURL(url, f"{name} resolves to {ip}, {problem}")
    return addresses
