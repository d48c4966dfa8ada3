"""Initial schema: sources, stories, articles, facts, failed pages, crawl runs and full-text search.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# frozen copies of the column types (a migration must not change when schema.py does)
UTC_TIME = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
FTS5_TOKENIZER = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("agency", sa.Text),
        sa.Column("province", sa.Text),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("poll_minutes", sa.Integer, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("verified", sa.Boolean, nullable=False),
        sa.Column("last_attempt_at", UTC_TIME),
        sa.Column("last_success_at", UTC_TIME),
        sa.Column("consecutive_failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("polls", sa.Integer, nullable=False, server_default="0"),
        sa.Column("polls_not_modified", sa.Integer, nullable=False, server_default="0"),
        sa.Column("polls_failed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("items_seen", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_poll_at", UTC_TIME),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("last_error", sa.Text),
    )
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("first_seen_at", UTC_TIME, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("primary_article_id", sa.Integer),
        sa.Column("article_count", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("url_canonical", sa.Text, nullable=False),
        sa.Column("source_id", sa.Text, sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id"), nullable=False),
        sa.Column("duplicate_kind", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("published_at", UTC_TIME),
        sa.Column("fetched_at", UTC_TIME, nullable=False),
        sa.Column("content_hash", sa.Text, nullable=False),
        sa.Column("simhash", sa.BigInteger, nullable=False),
        *(sa.Column(f"simhash_b{i}", sa.Integer, nullable=False) for i in range(4)),
        sa.Column("raw_html", sa.LargeBinary),
        sa.Column("encoding", sa.Text),
        sa.Column("http_status", sa.Integer),
        sa.Column("extraction_method", sa.Text),
        sa.Column("province", sa.Text),
        sa.Column("relevant", sa.Boolean),
        sa.Column("relevance", sa.Float),
        sa.Column("topics", JSON),
        sa.Column("extractor_version", sa.Text),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("url_canonical", name="uq_articles_url_canonical"),
    )
    for column in ("source_id", "story_id", "published_at", "content_hash", *(f"simhash_b{i}" for i in range(4))):
        op.create_index(f"ix_articles_{column}", "articles", [column])
    op.create_table(
        "facts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("value", sa.Float),
        sa.Column("rials", sa.BigInteger),
        *(sa.Column(name, sa.Text) for name in ("unit", "name", "role", "program", "province", "approx", "period")),
        sa.Column("span_start", sa.Integer),
        sa.Column("span_end", sa.Integer),
        sa.Column("sentence", sa.Text),
        sa.Column("sentence_start", sa.Integer),
        sa.Column("sentence_end", sa.Integer),
        sa.Column("confidence", sa.Float),
        sa.Column("extractor_version", sa.Text),
        sa.Column("data", JSON, nullable=False),
        sa.Column("fact_key", sa.Text, nullable=False),
        sa.Column("counted", sa.Boolean, nullable=False),
        sa.Column("published_at", UTC_TIME),
        sa.UniqueConstraint("article_id", "seq", name="uq_facts_article_seq"),
    )
    op.create_index("ix_facts_type_province_program", "facts", ["type", "province", "program"])
    op.create_index("ix_facts_published_at", "facts", ["published_at"])
    op.create_index("ix_facts_story_key", "facts", ["story_id", "fact_key"])
    op.create_index("ix_facts_counted_type", "facts", ["counted", "type"])
    op.create_table(
        "failed_pages",
        sa.Column("url_canonical", sa.Text, primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("source_id", sa.Text),
        sa.Column("status", sa.Integer),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("first_failed_at", UTC_TIME, nullable=False),
        sa.Column("last_attempt_at", UTC_TIME, nullable=False),
        sa.Column("next_retry_at", UTC_TIME),
    )
    op.create_index("ix_failed_pages_source_id", "failed_pages", ["source_id"])
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started_at", UTC_TIME, nullable=False),
        sa.Column("finished_at", UTC_TIME),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("stats", JSON),
    )
    op.create_index("ix_crawl_runs_status", "crawl_runs", ["status"])
    if op.get_bind().dialect.name == "postgresql":
        op.add_column("articles", sa.Column("search_vector", postgresql.TSVECTOR))
        op.create_index("ix_articles_search_vector", "articles", ["search_vector"], postgresql_using="gin")
    else:
        op.execute(f'CREATE VIRTUAL TABLE articles_fts USING fts5(search_text, tokenize = "{FTS5_TOKENIZER}")')


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE articles_fts")
    for table in ("crawl_runs", "failed_pages", "facts", "articles", "stories", "sources"):
        op.drop_table(table)
