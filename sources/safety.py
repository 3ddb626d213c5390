"""Safety rules for what shortbot fetches and parses, under their old import path.

Addresses (the SSRF guard: :func:`check_url`, :func:`check_url_syntax`, :class:`UnsafeURL`)
live in :mod:`sources.urlsafety`; XML entity defusing (:func:`defuse_xml`,
:class:`UnsafeXML`) in :mod:`sources.xmlsafety`. This module re-exports both, so
``from sources.safety import …`` keeps working.
"""

from __future__ import annotations

from sources.urlsafety import (
    ALLOWED_SCHEMES,
    IPAddress,
    Resolver,
    UnsafeURL,
    address_problem,
    check_url,
    check_url_syntax,
    parse_ip_host,
    system_resolver,
)
from sources.xmlsafety import UnsafeXML, defuse_xml

__all__ = [
    "ALLOWED_SCHEMES",
    "IPAddress",
    "Resolver",
    "UnsafeURL",
    "UnsafeXML",
    "address_problem",
    "check_url",
    "check_url_syntax",
    "defuse_xml",
    "parse_ip_host",
    "system_resolver",
]
