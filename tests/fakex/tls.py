"""A throwaway self-signed certificate for the fake X (made with the ``openssl`` command).

tweepy always calls ``https://api.twitter.com``; the tests resolve that name to the fake on
127.0.0.1 and trust this certificate (and nothing else) in the client's SSL context, so the
TLS connection is verified for the real host name as it would be in production.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOSTS = ("api.twitter.com", "api.x.com")


@dataclass(frozen=True)
class Certificate:
    cert_file: Path
    key_file: Path
    hosts: tuple[str, ...]

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context

    def client_context(self) -> ssl.SSLContext:
        """Verifies the peer and its host name, trusting only this certificate."""
        return ssl.create_default_context(cafile=str(self.cert_file))


def make_certificate(directory: Path, hosts: Sequence[str] = DEFAULT_HOSTS) -> Certificate:
    """A self-signed P-256 certificate for ``hosts``, valid for two days, in ``directory``."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("the openssl command is needed to make the fake X's certificate")
    directory.mkdir(parents=True, exist_ok=True)
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    names = ",".join(f"DNS:{host}" for host in hosts)
    command = [openssl, "req", "-x509", "-newkey", "ec", "-nodes", "-days", "2"]
    command += ["-pkeyopt", "ec_paramgen_curve:prime256v1"]
    command += ["-keyout", str(key_file), "-out", str(cert_file), "-subj", f"/CN={hosts[0]}"]
    command += ["-addext", f"subjectAltName={names}"]
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    return Certificate(cert_file, key_file, tuple(hosts))
