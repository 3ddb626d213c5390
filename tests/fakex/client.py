"""Pointing tweepy's ``AsyncClient`` at the fake, by configuration only.

tweepy 4.17 builds every URL as ``"https://api.twitter.com" + route`` and has no base-URL
option, but ``AsyncClient.session`` is a documented attribute: the ``aiohttp.ClientSession``
it uses (``XPublisher`` takes one as ``session=``). The session made here has a connector whose
resolver answers ``api.twitter.com`` (and ``api.x.com``) with the fake's address and port
(aiohttp connects to the port the resolver returns) and refuses every other name, and whose
SSL context trusts only the fake's self-signed certificate. The request keeps its URL, its
``Host`` header, SNI and host-name check, and its OAuth signature (made over the real URL); no
tweepy code is patched.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from tests.fakex.server import FakeX


class PinnedResolver(AbstractResolver):
    """Resolves the given names to ``127.0.0.1:port``; any other name fails (no network)."""

    def __init__(self, ports: Mapping[str, int]) -> None:
        self._ports = {host.lower(): port for host, port in ports.items()}
        self.lookups: list[tuple[str, int]] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.lookups.append((host, port))
        target = self._ports.get(host.lower().rstrip("."))
        if target is None:
            raise OSError(f"{host} is not served by a fake: tests make no network calls")
        return [
            ResolveResult(
                hostname=host,
                host="127.0.0.1",
                port=target,
                family=socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
        ]

    async def close(self) -> None:
        pass


def fake_x_session(fake: FakeX, **options: object) -> aiohttp.ClientSession:
    """A session whose requests to X's API hosts reach ``fake`` (call it in a coroutine)."""
    resolver = PinnedResolver(dict.fromkeys(fake.certificate.hosts, fake.port))
    connector = aiohttp.TCPConnector(resolver=resolver, ssl=fake.certificate.client_context())
    return aiohttp.ClientSession(connector=connector, **options)  # type: ignore[arg-type]
