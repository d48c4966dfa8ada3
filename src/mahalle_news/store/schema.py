"""The tables, as SQLAlchemy Core metadata: the shape the migrations build and the queries use.

Full-text search lives outside this metadata because it differs by backend (see :mod:`.fts`): an FTS5 table
``articles_fts`` on SQLite, a ``search_vector`` tsvector column of ``articles`` on PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine

_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")


def scrub(value: Any) -> Any:
    """Strings made storable on both backends: NUL and lone surrogates become U+FFFD (same length, so text
    offsets stay valid); lists and dicts are scrubbed recursively."""
    if isinstance(value, str):
        return _BAD_CHARS.sub("\ufffd", value) if _BAD_CHARS.search(value) else value
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware timestamp, stored in UTC and read back aware in UTC; naive values are refused."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()}: the store needs timezone-aware timestamps")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class CleanText(sa.TypeDecorator[str]):
    """Text with NUL and lone surrogates replaced (PostgreSQL and UTF-8 refuse them)."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else scrub(value)


class JSONData(sa.TypeDecorator[Any]):
    """JSON (JSONB on PostgreSQL); Python None is SQL NULL."""

    impl = sa.JSON(none_as_null=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.JSONB(none_as_null=True))
        return dialect.type_descriptor(sa.JSON(none_as_null=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return scrub(value)


metadata = sa.MetaData()

sources = sa.Table(
    "sources",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("name", CleanText, nullable=False),
    sa.Column("agency", CleanText),
    sa.Column("province", CleanText),
    sa.Column("url", CleanText, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("poll_minutes", sa.Integer, nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("verified", sa.Boolean, nullable=False),
    # health, written by record_poll only
    sa.Column("last_attempt_at", UTCDateTime),
    sa.Column("last_success_at", UTCDateTime),
    sa.Column("consecutive_failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("polls", sa.Integer, nullable=False, server_default="0"),
    sa.Column("polls_not_modified", sa.Integer, nullable=False, server_default="0"),
    sa.Column("polls_failed", sa.Integer, nullable=False, server_default="0"),
    sa.Column("items_seen", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_poll_at", UTCDateTime),
    sa.Column("etag", CleanText),
    sa.Column("last_modified", CleanText),
    sa.Column("last_error", CleanText),
)

stories = sa.Table(
    "stories",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("first_seen_at", UTCDateTime, nullable=False),
    sa.Column("title", CleanText),
    # the article that opened the story; no FOREIGN KEY (the two tables would reference each other)
    sa.Column("primary_article_id", sa.Integer),
    sa.Column("article_count", sa.Integer, nullable=False, server_default="0"),
)

articles = sa.Table(
    "articles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("url", CleanText, nullable=False),
    sa.Column("url_canonical", CleanText, nullable=False),
    sa.Column("source_id", sa.Text, sa.ForeignKey("sources.id"), nullable=False),
    sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id"), nullable=False),
    sa.Column("duplicate_kind", sa.Text),
    sa.Column("title", CleanText),
    sa.Column("text", CleanText, nullable=False),
    sa.Column("published_at", UTCDateTime),
    sa.Column("fetched_at", UTCDateTime, nullable=False),
    sa.Column("content_hash", sa.Text, nullable=False),
    sa.Column("simhash", sa.BigInteger, nullable=False),
    sa.Column("simhash_b0", sa.Integer, nullable=False),
    sa.Column("simhash_b1", sa.Integer, nullable=False),
    sa.Column("simhash_b2", sa.Integer, nullable=False),
    sa.Column("simhash_b3", sa.Integer, nullable=False),
    sa.Column("raw_html", sa.LargeBinary),
    sa.Column("encoding", sa.Text),
    sa.Column("http_status", sa.Integer),
    sa.Column("extraction_method", sa.Text),
    sa.Column("province", CleanText),
    sa.Column("relevant", sa.Boolean),
    sa.Column("relevance", sa.Float),
    sa.Column("topics", JSONData),
    sa.Column("extractor_version", sa.Text),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("url_canonical", name="uq_articles_url_canonical"),
    sa.Index("ix_articles_source_id", "source_id"),
    sa.Index("ix_articles_story_id", "story_id"),
    sa.Index("ix_articles_published_at", "published_at"),
    sa.Index("ix_articles_content_hash", "content_hash"),
    sa.Index("ix_articles_simhash_b0", "simhash_b0"),
    sa.Index("ix_articles_simhash_b1", "simhash_b1"),
    sa.Index("ix_articles_simhash_b2", "simhash_b2"),
    sa.Index("ix_articles_simhash_b3", "simhash_b3"),
    sa.Index("ix_articles_s_relevant", "relevant", "id", "source_id", "province"),
    sa.Index("ix_articles_s_recent", "published_at", "id", "relevant", "province", "source_id", "story_id"),
)

facts = sa.Table(
    "facts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id"), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("value", sa.Float),
    sa.Column("rials", sa.BigInteger),
    sa.Column("unit", CleanText),
    sa.Column("name", CleanText),
    sa.Column("role", CleanText),
    sa.Column("program", CleanText),
    sa.Column("province", CleanText),
    sa.Column("approx", CleanText),
    sa.Column("period", CleanText),
    sa.Column("span_start", sa.Integer),
    sa.Column("span_end", sa.Integer),
    sa.Column("sentence", CleanText),
    sa.Column("sentence_start", sa.Integer),
    sa.Column("sentence_end", sa.Integer),
    sa.Column("confidence", sa.Float),
    sa.Column("extractor_version", sa.Text),
    sa.Column("data", JSONData, nullable=False),
    sa.Column("fact_key", CleanText, nullable=False),
    sa.Column("counted", sa.Boolean, nullable=False),
    sa.Column("published_at", UTCDateTime),
    sa.UniqueConstraint("article_id", "seq", name="uq_facts_article_seq"),
    sa.Index("ix_facts_type_province_program", "type", "province", "program"),
    sa.Index("ix_facts_published_at", "published_at"),
    sa.Index("ix_facts_story_key", "story_id", "fact_key"),
    sa.Index("ix_facts_counted_type", "counted", "type"),
    # covering indexes for search pages (revisions 0004 and 0005): SQLite walks one of them in sort order
    sa.Index(
        "ix_facts_s_recent",
        "published_at",
        "id",
        "counted",
        "type",
        "province",
        "program",
        "name",
        "article_id",
        "value",
        "rials",
    ),
    sa.Index(
        "ix_facts_s_province",
        "province",
        "published_at",
        "id",
        "counted",
        "type",
        "program",
        "name",
        "article_id",
        "value",
        "rials",
    ),
    sa.Index(
        "ix_facts_s_type",
        "type",
        "published_at",
        "id",
        "counted",
        "province",
        "program",
        "name",
        "article_id",
        "value",
        "rials",
        "role",
        "unit",
    ),
    sa.Index(
        "ix_facts_s_program",
        "program",
        "published_at",
        "id",
        "counted",
        "type",
        "province",
        "name",
        "article_id",
        "value",
        "rials",
    ),
    sa.Index(
        "ix_facts_s_article",
        "article_id",
        "published_at",
        "id",
        "counted",
        "type",
        "province",
        "program",
        "name",
        "value",
        "rials",
    ),
    sa.Index("ix_facts_s_name", "name", "published_at", "id", "counted", "type", "role", "province", "article_id"),
    sa.Index(
        "ix_facts_s_value",
        "value",
        "id",
        "counted",
        "type",
        "province",
        "program",
        "name",
        "article_id",
        "rials",
        "published_at",
    ),
    sa.Index(  # migration 0005
        "ix_facts_s_type_value",
        "type",
        "value",
        "id",
        "counted",
        "province",
        "program",
        "name",
        "article_id",
        "published_at",
    ),
    sa.Index(
        "ix_facts_s_rials",
        "rials",
        "id",
        "counted",
        "type",
        "province",
        "program",
        "name",
        "article_id",
        "value",
        "published_at",
    ),
)

failed_pages = sa.Table(
    "failed_pages",
    metadata,
    sa.Column("url_canonical", CleanText, primary_key=True),
    sa.Column("url", CleanText, nullable=False),
    sa.Column("source_id", sa.Text),
    sa.Column("status", sa.Integer),
    sa.Column("error", CleanText, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("first_failed_at", UTCDateTime, nullable=False),
    sa.Column("last_attempt_at", UTCDateTime, nullable=False),
    # NULL: never retried again (permanent failure or attempts exhausted)
    sa.Column("next_retry_at", UTCDateTime),
    sa.Index("ix_failed_pages_source_id", "source_id"),
)

crawl_runs = sa.Table(
    "crawl_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("stats", JSONData),
    sa.Index("ix_crawl_runs_status", "status"),
)

# API keys (revision 0002): the secret is never stored, only its SHA-256
api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),  # public part of the key, e.g. "k3f9a…"
    sa.Column("name", CleanText, nullable=False),
    sa.Column("role", sa.Text, nullable=False),  # reader | editor | admin
    sa.Column("secret_sha256", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("last_used_at", UTCDateTime),
    sa.Column("revoked_at", UTCDateTime),
)

# Alerts (revision 0003): saved searches, the notifications they fired (the log Atom and SSE read) and the
# webhook outbox. A notification is unique per (alert, kind, story, dedup key): that constraint is what makes an
# alert fire once per fact of a story, whatever copies of the story arrive later. No foreign key to facts: fact
# ids change when an article is re-extracted, notifications (and their payload snapshots) stay.
alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", CleanText, nullable=False),
    sa.Column("filter", JSONData, nullable=False),  # FactFilter.to_params()
    sa.Column("on_new", sa.Boolean, nullable=False),
    sa.Column("on_changed", sa.Boolean, nullable=False),
    sa.Column("webhook_url", CleanText),
    sa.Column("webhook_secret", sa.Text),  # the HMAC key: needed in clear to sign
    sa.Column("feed_token_sha256", sa.Text, nullable=False),
    sa.Column("key_id", sa.Text),  # the API key that created it (no foreign key: keys are revoked, not deleted)
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_alerts_key_id", "key_id"),
)

alert_notifications = sa.Table(
    "alert_notifications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("uuid", sa.Text, nullable=False),
    sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("kind", sa.Text, nullable=False),  # new | changed
    sa.Column("story_id", sa.Integer, nullable=False),
    sa.Column("dedup_key", CleanText, nullable=False),  # the fact key (new) or the metric key (changed)
    sa.Column("fact_id", sa.Integer),
    sa.Column("article_id", sa.Integer),
    sa.Column("payload", JSONData, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("alert_id", "kind", "story_id", "dedup_key", name="uq_alert_notifications_once"),
    sa.UniqueConstraint("uuid", name="uq_alert_notifications_uuid"),
    sa.Index("ix_alert_notifications_alert_id", "alert_id", "id"),
)

alert_deliveries = sa.Table(
    "alert_deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "notification_id", sa.Integer, sa.ForeignKey("alert_notifications.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    sa.Column("url", CleanText, nullable=False),
    sa.Column("status", sa.Text, nullable=False),  # pending | delivered | dead
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", UTCDateTime),  # NULL once delivered or dead
    sa.Column("last_attempt_at", UTCDateTime),
    sa.Column("last_status", sa.Integer),
    sa.Column("last_error", CleanText),
    sa.Column("delivered_at", UTCDateTime),
    sa.Column("history", JSONData),  # one {at, status, error, ms} per attempt
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("notification_id", name="uq_alert_deliveries_notification"),
    sa.Index("ix_alert_deliveries_due", "status", "next_attempt_at"),
    sa.Index("ix_alert_deliveries_alert_id", "alert_id"),
)
