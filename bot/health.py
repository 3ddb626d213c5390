"""The operations endpoint of ``shortbot run``: ``/healthz``, ``/metrics`` and the Atom feeds.

Served with aiohttp (imported only when the server starts: the other commands do not pay for
it) on ``health.host:health.port``; port 0 takes any free port (the log says which).

``/healthz`` answers ``{"status": "ok" | "degraded" | "failing", "checks": {...}}``: 200 unless
failing (503). The checks:

- ``database``: ``SELECT 1`` within a short timeout; failing when it does not answer;
- ``discord`` (only with a Discord token): degraded while the gateway is not connected;
- ``scheduler`` (only when one registered ``Runtime.scheduler_running``): failing when it
  is not running;
- ``polls``: the latest successful poll; degraded when no active feed has been polled
  successfully for twice the longest interval (and a bit), counted from the start when none
  ever was.

The Discord runner and the scheduler plug their state in through ``app.runtime``
(``bot.state.Runtime``): plain callables, asked at each request.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot import metrics
from bot.app import App
from bot.settings import Settings
from storage import stats

if TYPE_CHECKING:  # aiohttp loads when the server starts (module docstring), for typing here
    from aiohttp import web

log = logging.getLogger(__name__)

DATABASE_TIMEOUT_SECONDS = 2.0
STALE_POLL_GRACE = timedelta(minutes=5)
ATOM_CONTENT_TYPE = "application/atom+xml; charset=utf-8"
OK, DEGRADED, FAILING = "ok", "degraded", "failing"
_RANK = {OK: 0, DEGRADED: 1, FAILING: 2}


class HealthServerError(Exception):
    """The endpoint cannot listen where it was told to; the message says why."""


@dataclass(frozen=True, slots=True)
class Health:
    status: str
    checks: dict[str, dict[str, Any]]

    @property
    def http_status(self) -> int:
        return 503 if self.status == FAILING else 200

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "checks": self.checks}


def _ask(hook: Callable[[], bool]) -> tuple[bool, str | None]:
    try:
        return bool(hook()), None
    except Exception as exc:  # a broken hook is a finding, not a crash of the endpoint
        return False, f"{type(exc).__name__}: {exc}"


async def _database_check(app: App, limit: float) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(stats.ping(app.store.engine), limit)
    except TimeoutError:
        return {"status": FAILING, "error": f"no answer within {limit:g} s"}
    except Exception as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0] if str(exc) else ""
        return {"status": FAILING, "error": f"{type(exc).__name__}: {reason}".rstrip(": ")}
    return {"status": OK, "latency_ms": round((time.perf_counter() - started) * 1000, 2)}


async def _polls_check(app: App, now: datetime) -> dict[str, Any]:
    feeds = [f for f in await app.store.list_feeds() if not f.paused and not f.disabled_reason]
    last = await stats.last_successful_poll(app.store.engine)
    out: dict[str, Any] = {
        "status": OK,
        "last_success": last.isoformat() if last else None,
        "active_feeds": len(feeds),
    }
    if last is not None:
        out["age_seconds"] = round((now - last).total_seconds())
    if not feeds:
        return out
    allowed = 2 * timedelta(seconds=max(f.interval_seconds for f in feeds)) + STALE_POLL_GRACE
    since = last or app.runtime.started_at
    if since is not None and now - since > allowed:
        out["status"] = DEGRADED
        out["error"] = (
            f"no successful poll for more than {round(allowed.total_seconds())} s"
            if last
            else "no successful poll yet"
        )
    return out


async def check_health(app: App, *, database_timeout: float = DATABASE_TIMEOUT_SECONDS) -> Health:
    """Every check, and the worst of their statuses."""
    state = app.runtime
    checks: dict[str, dict[str, Any]] = {"database": await _database_check(app, database_timeout)}
    if app.settings.discord.token is not None:
        if state.discord_ready is None:
            checks["discord"] = {"status": DEGRADED, "error": "the Discord client is not started"}
        else:
            ready, error = _ask(state.discord_ready)
            checks["discord"] = (
                {"status": OK}
                if ready
                else {
                    "status": DEGRADED,
                    "error": error or "not connected to the Discord gateway",
                }
            )
    if state.scheduler_running is not None:
        running, error = _ask(state.scheduler_running)
        checks["scheduler"] = (
            {"status": OK}
            if running
            else {
                "status": FAILING,
                "error": error or "the scheduler is not running",
            }
        )
    if checks["database"]["status"] == OK:
        try:
            checks["polls"] = await _polls_check(app, app.clock())
        except Exception as exc:
            checks["polls"] = {"status": DEGRADED, "error": f"{type(exc).__name__}: {exc}"}
    status = max((c["status"] for c in checks.values()), key=_RANK.__getitem__)
    return Health(status, checks)


async def render_metrics(app: App) -> str:
    """The registry, with the queue sizes read from the database now."""
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS):
            queues = await stats.queue_sizes(app.store.engine, app.clock())
            last = await stats.last_successful_poll(app.store.engine)
    except Exception as exc:
        log.warning("metrics: database unavailable reason=%s", type(exc).__name__)
        metrics.DATABASE_UP.set(0)
        for gauge in (metrics.PENDING_POSTS, metrics.PENDING_ROWS, metrics.FEEDS_DUE):
            gauge.reset()
    else:
        metrics.DATABASE_UP.set(1)
        metrics.PENDING_POSTS.set_all(
            ({"destination": name}, count) for name, count in queues.pending_posts.items()
        )
        metrics.PENDING_ROWS.set_all(
            ({"destination": name}, count) for name, count in queues.pending_deliveries.items()
        )
        metrics.FEEDS_DUE.set(queues.feeds_due)
        metrics.LAST_SUCCESSFUL_POLL.set_all([({}, last.timestamp())] if last else [])
    return metrics.REGISTRY.render()


def atom_feed_path(settings: Settings, name: str) -> Path | None:
    """The file of the ``atom`` destination called exactly ``name``; None for any other name
    (the path never comes from the request)."""
    for config in settings.all_destinations():
        if config.platform == "atom" and config.name == name:
            return settings.atom_path(config)
    return None


@dataclass(frozen=True, slots=True)
class HealthServer:
    host: str
    port: int

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


def build_web_app(app: App) -> web.Application:
    from aiohttp import web

    async def healthz(_request: web.Request) -> web.Response:
        health = await check_health(app)
        return web.json_response(
            health.as_json(),
            status=health.http_status,
            headers={"Cache-Control": "no-store"},
            dumps=lambda value: json.dumps(value, ensure_ascii=False),
        )

    async def metrics_page(_request: web.Request) -> web.Response:
        body = await render_metrics(app)
        return web.Response(
            body=body.encode(),
            headers={"Content-Type": metrics.CONTENT_TYPE, "Cache-Control": "no-store"},
        )

    async def atom_feed(request: web.Request) -> web.StreamResponse:
        filename = request.match_info["filename"]
        name = filename.removesuffix(".atom")
        path = atom_feed_path(app.settings, name) if filename.endswith(".atom") else None
        if path is None:
            raise web.HTTPNotFound(text=f"no Atom feed {filename!r}\n")
        if not await asyncio.to_thread(path.is_file):
            raise web.HTTPNotFound(text=f"the feed {name!r} has no entries yet\n")
        return web.FileResponse(path, headers={"Content-Type": ATOM_CONTENT_TYPE})

    web_app = web.Application()
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/metrics", metrics_page)
    web_app.router.add_get("/feeds/{filename}", atom_feed)
    return web_app


@asynccontextmanager
async def serve_health(
    app: App, *, host: str | None = None, port: int | None = None
) -> AsyncIterator[HealthServer]:
    """Serve the endpoint while the block runs; stop it (and its connections) on exit."""
    from aiohttp import web

    settings = app.settings.health
    host = settings.host if host is None else host
    port = settings.port if port is None else port
    if app.runtime.started_at is None:
        app.runtime.started_at = app.clock()
    runner = web.AppRunner(
        build_web_app(app), access_log=None, handle_signals=False, shutdown_timeout=5.0
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise HealthServerError(
            f"cannot serve the health endpoint on {host}:{port}: {exc.strerror or exc}"
        ) from None
    address = runner.addresses[0]
    server = HealthServer(str(address[0]), int(address[1]))
    log.info("health endpoint listening url=%s", server.url)
    try:
        yield server
    finally:
        await runner.cleanup()
        log.info("health endpoint stopped")
