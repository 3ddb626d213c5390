"""A fake X API v2 (HTTPS on 127.0.0.1) for end-to-end tests of the X publisher with tweepy.

Typical test::

    certificate = make_certificate(tmp_path)
    async with FakeX(certificate) as fake:
        async with fake_x_session(fake) as session:
            publisher = XPublisher("x", **fake.credentials.as_kwargs(), session=session)
            sent = await publisher.send(post)
            assert fake.post(sent.post_id).text == post.payload["text"]

``fake_x_session`` redirects ``api.twitter.com`` (hard-coded in tweepy) to the fake through
the session's DNS resolver and trusts the fake's certificate; see :mod:`tests.fakex.client`.
``tests.fakex.oracle`` is twitter-text-python, imported without its deprecation warning.
"""

from tests.fakex.client import PinnedResolver, fake_x_session
from tests.fakex.faults import Fault
from tests.fakex.oauth import Credentials, oauth_signature, parse_oauth_header
from tests.fakex.server import DUPLICATE_DETAIL, FakeX, RecordedRequest, StoredPost
from tests.fakex.tls import DEFAULT_HOSTS, Certificate, make_certificate

__all__ = [
    "DEFAULT_HOSTS",
    "DUPLICATE_DETAIL",
    "Certificate",
    "Credentials",
    "FakeX",
    "Fault",
    "PinnedResolver",
    "RecordedRequest",
    "StoredPost",
    "fake_x_session",
    "make_certificate",
    "oauth_signature",
    "parse_oauth_header",
]
