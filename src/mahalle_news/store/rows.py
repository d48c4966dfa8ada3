"""Query and row helpers shared by the Store methods: column lists, row conversion, upserts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from mahalle_news.store.records import StoredArticle
from mahalle_news.store.schema import articles, facts
from mahalle_news.store.simhash import to_unsigned

#: Article columns never handed out as such: compressed HTML (get_raw_html) and the SimHash bands.
_HIDDEN = frozenset({"raw_html", "simhash_b0", "simhash_b1", "simhash_b2", "simhash_b3"})


def article_columns(*, include_text: bool = True) -> list[sa.Column[Any]]:
    """The article columns of :class:`StoredArticle` (optionally without the text)."""
    return [c for c in articles.c if c.name not in _HIDDEN and (include_text or c.name != "text")]


def stored_article(row: sa.Row[Any]) -> StoredArticle:
    """A StoredArticle from a row of :func:`article_columns`."""
    values = dict(row._mapping)
    values["simhash"] = to_unsigned(values["simhash"])
    values["topics"] = list(values["topics"] or [])
    return StoredArticle(**values)


def fact_export_query() -> sa.Select[Any]:
    """Every fact column plus its article's url, url_canonical, source_id and title."""
    a = articles.c
    return sa.select(*facts.c, a.url, a.url_canonical, a.source_id, a.title).join_from(
        facts, articles, facts.c.article_id == a.id
    )


def upsert(
    conn: sa.Connection, table: sa.Table, rows: Sequence[dict[str, Any]], *, key: str, update: list[str]
) -> None:
    """Insert ``rows``; where ``key`` exists already, update only the ``update`` columns."""
    insert = postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)
    stmt = insert.on_conflict_do_update(index_elements=[key], set_={c: insert.excluded[c] for c in update})
    conn.execute(stmt, list(rows))
