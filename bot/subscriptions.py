"""What a Discord channel's digest carries: the application service behind the maintainers'
``subscribe``, ``unsubscribe``, ``subscriptions`` and ``digest preview`` commands.

What was typed is read by ``papers.subscriptions.parse`` (``BadSubscription``, a
``UserError``, says why when it is not a category, keywords, an author, an exclusion or a vote
threshold); ``unsubscribe`` takes the same words. ``schedule kind`` makes the digest a top
digest (``papers.top``), stored as one more rule. A channel's destination is
``discord:{channel id}``; its digests carry what is first seen from its first subscription on.
"""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from bot.destinations import channel_policy
from papers import discord_threads as threads
from papers import subscriptions as rules
from papers import top
from papers.delivery import Selection
from papers.discord_pings import filter_rules, ping_role
from papers.discord_threads import ThreadStyle
from papers.errors import UserError
from papers.model import Subscription, SubscriptionKind
from papers.usecases import preview_digest


def destination_of(channel_id: int) -> str:
    return f"discord:{channel_id}"


async def subscribe(
    app: App, *, guild_id: int, channel_id: int, what: str, by: int, forum: bool = False
) -> list[str]:
    """Add what ``what`` names to the channel's digest; returns what was new ("category cs.LG").
    An author already there under another spelling (``fernandez`` for Fernández) is not new.
    ``forum``: the channel is a forum (recorded: its digests are a post per paper)."""
    wanted = rules.parse(what)
    now = app.clock()
    await app.ledger.ensure_destination(destination_of(channel_id), "discord", now)
    if forum:
        kind = SubscriptionKind.FORUM
        await app.store.subscribe(
            guild_id=guild_id, channel_id=channel_id, kind=kind, value="yes", by=by, now=now
        )
    held = await list_subscriptions(app, guild_id=guild_id, channel_id=channel_id)
    added = []
    for kind, value in wanted:
        if kind is SubscriptionKind.AUTHOR and any(rules.same(kind, value, s) for s in held):
            continue
        if await app.store.subscribe(
            guild_id=guild_id, channel_id=channel_id, kind=kind, value=value, by=by, now=now
        ):
            added.append(f"{kind.value} {value}")
    return added


async def unsubscribe(app: App, *, guild_id: int, channel_id: int, what: str) -> int:
    """Remove what ``what`` names, in the words ``subscribe`` takes (``all``: everything), from
    the channel's digest; how many. Authors are found whatever their case or accents."""
    if what.strip().lower() == "all":
        return await app.store.unsubscribe(
            guild_id=guild_id, channel_id=channel_id, kind=None, value=None
        )
    held = await list_subscriptions(app, guild_id=guild_id, channel_id=channel_id)
    removed = 0
    for kind, value in rules.parse(what):
        for sub in [s for s in held if rules.same(kind, value, s)]:
            removed += await app.store.unsubscribe(
                guild_id=guild_id, channel_id=channel_id, kind=kind, value=sub.value
            )
    return removed


async def set_kind(
    app: App, *, guild_id: int, channel_id: int, kind: str, window: str | None, by: int
) -> timedelta | None:
    """Make the channel's digest a top digest, the best-voted summaries first seen in
    ``window`` (default 7d) at each run, or with ``new`` a digest of what is new again (the
    default); the window, or None for ``new``. Raises ``BadKind`` or ``BadWindow``, having
    changed nothing."""
    if top.parse_kind(kind) == top.NEW:
        if window is not None:
            raise top.BadWindow("only a top digest has a window: top 7d, or new alone")
        await app.store.unsubscribe(
            guild_id=guild_id, channel_id=channel_id, kind=SubscriptionKind.TOP, value=None
        )
        return None
    span = top.parse_window(window) if window is not None else top.DEFAULT_WINDOW
    now = app.clock()
    await app.ledger.ensure_destination(destination_of(channel_id), "discord", now)
    rule, value = top.rule(span)
    await app.store.subscribe(
        guild_id=guild_id, channel_id=channel_id, kind=rule, value=value, by=by, now=now
    )
    return span


async def set_ping_role(
    app: App, *, guild_id: int, channel_id: int, role_id: int | None, by: int
) -> None:
    """Make the channel's digest mention ``role_id`` (members opt in with the digest's
    "Notify me" button), or no role (None). A channel that subscribes to nothing has no
    digest to ping about (``UserError``)."""
    held = await list_subscriptions(app, guild_id=guild_id, channel_id=channel_id)
    if role_id is not None and not filter_rules(held):
        raise UserError("that channel has no digest yet: subscribe it to something first")
    kind = SubscriptionKind.PING_ROLE
    await app.store.unsubscribe(guild_id=guild_id, channel_id=channel_id, kind=kind, value=None)
    if role_id is not None:
        await app.store.subscribe(
            guild_id=guild_id,
            channel_id=channel_id,
            kind=kind,
            value=str(role_id),
            by=by,
            now=app.clock(),
        )


async def set_thread(
    app: App, *, guild_id: int, channel_id: int, mode: str, archive: str | None, by: int
) -> ThreadStyle:
    """Open a thread on each of the channel's digests (``per-digest``, archived after
    ``archive``: 1h, 1d, 3d or 1w) or none (the default); the style set. Raises ``BadThread``
    (or ``UserError`` for a channel with no digest), having changed nothing."""
    style = ThreadStyle(threads.parse_mode(mode), threads.parse_archive(archive or "1d"))
    if style.mode == threads.NONE and archive is not None:
        raise threads.BadThread("only a thread has an archive duration: per-digest 1d, or none")
    held = await list_subscriptions(app, guild_id=guild_id, channel_id=channel_id)
    if style.mode != threads.NONE and not filter_rules(held):
        raise UserError("that channel has no digest yet: subscribe it to something first")
    kind = SubscriptionKind.THREAD
    await app.store.unsubscribe(guild_id=guild_id, channel_id=channel_id, kind=kind, value=None)
    if style.mode != threads.NONE:
        await app.store.subscribe(
            guild_id=guild_id,
            channel_id=channel_id,
            kind=kind,
            value=threads.rule_value(style),
            by=by,
            now=app.clock(),
        )
    return style


async def channel_ping_role(app: App, channel_id: int) -> int | None:
    """The role the digests of ``channel_id`` mention: a configured Discord destination's
    ``ping_role_id``, else the one a maintainer set on the channel's subscriptions."""
    for config in app.settings.all_destinations():
        if config.platform == "discord" and config.channel_id == channel_id and config.ping_role_id:
            return config.ping_role_id
    subs = await app.store.list_subscriptions(guild_id=None, channel_id=channel_id)
    return ping_role(subs)


async def list_subscriptions(
    app: App, *, guild_id: int, channel_id: int | None = None
) -> list[Subscription]:
    return await app.store.list_subscriptions(guild_id=guild_id, channel_id=channel_id)


async def preview(app: App, *, guild_id: int, channel_id: int) -> Selection:
    """What the channel's next digest would carry, and what each of its rules let through or
    held back (nothing is recorded)."""
    subs = await list_subscriptions(app, guild_id=guild_id, channel_id=channel_id)
    name = destination_of(channel_id)
    state = await app.ledger.destination(name)
    policy = channel_policy(app, subs)
    return await preview_digest(
        app.store,
        name,
        policy.rules,
        policy.max_items,
        since=state.created_at if state else None,
        now=app.clock(),
        window=policy.window,
    )
