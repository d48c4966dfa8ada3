"""Search indexes: covering indexes that let a fact search walk one index in publication order, checking its
filters inside the index, and stop after a page (see :mod:`mahalle_news.store.search`).

Each ``ix_facts_s_<driver>`` starts with the column a search can fix to one value (nothing, a province, a type, a
program, an article), then (published_at, id) for the keyset order, then the columns filters and facets read.
``value`` and ``rials`` sorts walk (value, id) and (rials, id).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the same indexes are declared in mahalle_news.store.schema (the metadata); a migration never changes
_COVER = ("counted", "type", "province", "program", "name", "article_id", "value", "rials")
FACT_INDEXES: dict[str, list[str]] = {
    "ix_facts_s_recent": ["published_at", "id", *_COVER],
    "ix_facts_s_province": ["province", "published_at", "id", *(c for c in _COVER if c != "province")],
    "ix_facts_s_type": ["type", "published_at", "id", *(c for c in _COVER if c != "type"), "role", "unit"],
    "ix_facts_s_program": ["program", "published_at", "id", *(c for c in _COVER if c != "program")],
    "ix_facts_s_article": ["article_id", "published_at", "id", *(c for c in _COVER if c != "article_id")],
    "ix_facts_s_name": ["name", "published_at", "id", "counted", "type", "role", "province", "article_id"],
    "ix_facts_s_value": ["value", "id", *(c for c in _COVER if c != "value"), "published_at"],
    "ix_facts_s_rials": ["rials", "id", *(c for c in _COVER if c != "rials"), "published_at"],
}
ARTICLE_INDEXES: dict[str, list[str]] = {
    "ix_articles_s_relevant": ["relevant", "id", "source_id", "province"],
    "ix_articles_s_recent": ["published_at", "id", "relevant", "province", "source_id", "story_id"],
}


def upgrade() -> None:
    for name, columns in FACT_INDEXES.items():
        op.create_index(name, "facts", columns)
    for name, columns in ARTICLE_INDEXES.items():
        op.create_index(name, "articles", columns)


def downgrade() -> None:
    for name in ARTICLE_INDEXES:
        op.drop_index(name, table_name="articles")
    for name in FACT_INDEXES:
        op.drop_index(name, table_name="facts")
