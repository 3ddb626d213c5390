"""SQLAlchemy table definitions. Only ``storage`` sees these; everything else gets domain values."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


papers = Table(
    "papers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(255), nullable=False, unique=True),
    Column("arxiv_id", String(64), unique=True),
    Column("arxiv_version", Integer),
    Column("title", Text, nullable=False),
    Column("title_norm", Text, nullable=False, index=True),
    Column("authors", JSON, nullable=False, default=list),
    Column("abstract", Text),
    Column("categories", JSON, nullable=False, default=list),
    Column("doi", String(255), index=True),
    Column("bibtex_key", String(255)),
    Column("published", UTCDateTime),
    Column("updated", UTCDateTime),
    Column("metadata_complete", Boolean, nullable=False, default=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("modified_at", UTCDateTime, nullable=False),
    Column("primary_category", String(64)),
    Column("journal_ref", Text),
    Column("comment", Text),
)

# What arXiv listings announced: one row per paper, listing, announce type and version.
paper_announcements = Table(
    "paper_announcements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("paper_id", ForeignKey("papers.id", ondelete="CASCADE"), nullable=False),
    Column("source", String(2048), nullable=False),
    Column("announce_type", String(16), nullable=False),
    Column("arxiv_version", Integer, nullable=False),  # 0 when the listing gave none
    Column("announced", UTCDateTime),
    Column("first_seen", UTCDateTime, nullable=False, index=True),
    Column("announce", Boolean, nullable=False),
    UniqueConstraint(
        "paper_id",
        "source",
        "announce_type",
        "arxiv_version",
        name="uq_paper_announcements_paper_id",
    ),
)

# Every other name a paper is known by: ShortScience bibtex keys and DOIs, stored lower-cased.
paper_aliases = Table(
    "paper_aliases",
    metadata,
    Column("alias", String(255), primary_key=True),
    Column("paper_id", ForeignKey("papers.id", ondelete="CASCADE"), nullable=False, index=True),
)

summaries = Table(
    "summaries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("guid", String(2048), nullable=False, unique=True),
    Column("source", String(2048), nullable=False),
    Column("author", String(255), nullable=False),
    Column("url", Text),
    Column("votes", Integer),
    Column("title", Text, nullable=False, default=""),
    Column("text", Text, nullable=False),
    Column("published", UTCDateTime),
    Column("edited", UTCDateTime),
    Column("content_hash", String(64), nullable=False),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("announce", Boolean, nullable=False),
    # the newest first (``latest``) without sorting every summary
    Index("ix_summaries_first_seen", "first_seen", "id"),
)

summary_papers = Table(
    "summary_papers",
    metadata,
    Column("summary_id", ForeignKey("summaries.id", ondelete="CASCADE"), primary_key=True),
    Column("paper_id", ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_summary_papers_paper_id", "paper_id"),
)

feeds = Table(
    "feeds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", String(2048), nullable=False, unique=True),
    Column("name", String(255)),
    Column("kind", String(32), nullable=False, default="unknown"),
    Column("interval_seconds", Integer, nullable=False),
    Column("announce_existing", Boolean, nullable=False, default=False),
    Column("seeded", Boolean, nullable=False, default=False),
    Column("paused", Boolean, nullable=False, default=False),
    Column("etag", String(1024)),
    Column("last_modified", String(255)),
    Column("content_hash", String(64)),
    Column("last_poll", UTCDateTime),
    Column("last_result", Text),
    Column("failures", Integer, nullable=False, default=0),
    Column("next_poll", UTCDateTime),
    Column("disabled_reason", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("guild_id", BigInteger, index=True),
    # set by `feeds add --kind`: every poll reads the feed as this kind (NULL: recognised)
    Column("pinned_kind", String(32)),
    # the last poll's skipped entries per reason: {"no-paper": 2}
    Column("last_skipped", JSON),
)

# What a Discord channel's digest carries: arXiv categories, keywords, authors, excluded
# categories and keywords, a minimum vote count, a top digest's window ("top", "7d") (``kind``: a
# papers.model.SubscriptionKind value, unconstrained; the longest, "exclude-category", fills its
# 16 characters).
subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("guild_id", BigInteger, nullable=False, index=True),
    Column("channel_id", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("value", String(200), nullable=False),
    Column("created_by", BigInteger),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("channel_id", "kind", "value", name="uq_subscriptions_channel_id"),
)

# Where digests go; a disabled destination keeps its reason until a maintainer re-enables it.
destinations = Table(
    "destinations",
    metadata,
    Column("name", String(255), primary_key=True),
    Column("platform", String(32), nullable=False),
    Column("disabled_reason", Text),
    Column("last_post_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    # why a post cut off by a crash cannot be found there again (NULL: it can)
    Column("at_least_once", Text),
)

# When each destination's digest goes out: the scheduler rebuilds its jobs from these rows.
schedules = Table(
    "schedules",
    metadata,
    Column("destination", String(255), primary_key=True),
    Column("cron", String(200), nullable=False),  # five fields, weekdays by name
    Column("timezone", String(64), nullable=False),
    Column("paused", Boolean, nullable=False, default=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(255)),
    Column("last_run_at", UTCDateTime),  # the last scheduled digest run (start)
)

# Every post made (or about to be made) to a platform, with its payload, so that a post cut off
# by a crash can be reconciled with the platform before anything is sent again.
posts = Table(
    "posts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("destination", String(255), nullable=False),
    Column("key", String(64), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("reply_to_key", String(64)),
    Column("status", String(16), nullable=False),  # pending, sent, failed
    Column("post_id", String(255)),
    Column("url", Text),
    Column("error", Text),
    Column("attempts", Integer, nullable=False, default=0),
    Column("attempted_at", UTCDateTime),  # when the last send started
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    UniqueConstraint("destination", "key", name="uq_posts_destination"),
    Index("ix_posts_status", "destination", "status"),
)

# The delivery ledger: one row per (destination, item); the unique constraint makes a second
# send of the same item impossible at the database level.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("destination", String(255), nullable=False),
    Column("item_key", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # pending, sent, failed, skipped
    Column("post_key", String(64)),
    Column("post_id", String(255)),
    Column("error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    UniqueConstraint("destination", "item_key", name="uq_deliveries_destination_item"),
    Index("ix_deliveries_post_key", "destination", "post_key"),
)

# A paper's Discord home in a forum channel: the forum post (a thread) that holds its summaries.
# A later summary of the paper is a reply there, never a second post. Written when the post is
# made or found again after a crash; replaced when the post was locked or deleted.
discord_threads = Table(
    "discord_threads",
    metadata,
    Column("channel_id", BigInteger, primary_key=True),  # the forum
    Column("paper_key", String(255), primary_key=True),  # papers.key
    Column("guild_id", BigInteger),
    Column("thread_id", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_discord_threads_paper", "paper_key"),
)

# ``shortbot import arxiv-metadata``: how far each snapshot file (path, size, mtime) got. The
# row is written in the transaction of each batch, so a re-run resumes after the last commit.
import_progress = Table(
    "import_progress",
    metadata,
    Column("source", String(1024), primary_key=True),
    Column("path", Text, nullable=False),
    Column("line", BigInteger, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("new", BigInteger, nullable=False),
    Column("known", BigInteger, nullable=False),
    Column("bad", BigInteger, nullable=False),
    Column("bad_lines", Text, nullable=False),  # JSON list: the first few bad line numbers
    Column("finished", Boolean, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
