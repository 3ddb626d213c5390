"""OAuth 1.0a as X checks it: the fake's credentials, the ``Authorization`` header, signatures.

The signature is RFC 5849 HMAC-SHA1 over the method, the base URI (``https://api.twitter.com``
and the path, as the client signed it) and the parameters: the header's ``oauth_*`` ones and
the query's. :class:`tests.fakex.server.FakeX` checks every request with these.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import quote, unquote


@dataclass(frozen=True)
class Credentials:
    consumer_key: str = "fake-consumer-key-QX7"
    consumer_secret: str = "fake-consumer-secret-8Hq2vN"
    access_token: str = "1790000000000000001-fakeAccessTokenZ9"
    access_token_secret: str = "fake-access-token-secret-Pw4m"

    def as_kwargs(self) -> dict[str, str]:
        return {
            "consumer_key": self.consumer_key,
            "consumer_secret": self.consumer_secret,
            "access_token": self.access_token,
            "access_token_secret": self.access_token_secret,
        }

    @property
    def secrets(self) -> tuple[str, ...]:
        return (
            self.consumer_key,
            self.consumer_secret,
            self.access_token,
            self.access_token_secret,
        )


def _escape(value: str) -> str:
    return quote(value, safe="~")


def oauth_signature(
    method: str,
    base_uri: str,
    params: list[tuple[str, str]],
    consumer_secret: str,
    token_secret: str,
) -> str:
    """RFC 5849 HMAC-SHA1 over the method, the base URI and the (decoded) parameters."""
    pairs = sorted((_escape(k), _escape(v)) for k, v in params)
    normalized = "&".join(f"{k}={v}" for k, v in pairs)
    base = "&".join((method.upper(), _escape(base_uri), _escape(normalized)))
    key = f"{_escape(consumer_secret)}&{_escape(token_secret)}"
    digest = hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def parse_oauth_header(header: str) -> dict[str, str]:
    if not header.startswith("OAuth "):
        raise ValueError("not an OAuth header")
    params = {}
    for part in header[len("OAuth ") :].split(","):
        key, sep, value = part.strip().partition("=")
        if not sep or len(value) < 2 or value[0] != '"' or value[-1] != '"':
            raise ValueError(f"malformed OAuth parameter {key!r}")
        params[unquote(key)] = unquote(value[1:-1])
    return params
