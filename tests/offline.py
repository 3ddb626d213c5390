"""The environment every ``shortbot`` process of the tests starts from: offline.

Anything configured (a Discord token, feeds, destinations) turns the arXiv API on, as in
production. The tests are offline, so their processes get an arXiv API address on loopback
where nothing listens (refused at once, no retries): a look-up or a metadata pass finds arXiv
unavailable within milliseconds, never the real API and never a 70 s back-off. A test that
wants an arXiv API passes its own ``SHORTBOT_ARXIV__API_URL``.
"""

from __future__ import annotations

import os

OFFLINE_ARXIV = {
    "SHORTBOT_ARXIV__API_URL": "http://127.0.0.1:9/api/query",  # discard port: refused
    "SHORTBOT_ARXIV__NUM_RETRIES": "0",
    "SHORTBOT_ARXIV__DELAY_SECONDS": "0",
}


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any ``SHORTBOT_`` variable, arXiv offline, then
    ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHORTBOT_")}
    return {**env, **OFFLINE_ARXIV, **extra}
