"""Article search: the SQL behind ``GET /v1/articles`` and ``/v1/articles/{id}``, on the full-text match, the
index hints and the fact rows of :mod:`mahalle_news.store.search`. Every function takes the :class:`Store` and
runs in one read transaction; pagination is keyset on (published_at, id), articles without a date last."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from mahalle_news.filters import FactFilter
from mahalle_news.store.rows import article_columns
from mahalle_news.store.schema import articles
from mahalle_news.store.search import Row, TextMatch, articles_via, day_start, fact_rows, facts_via, text_match
from mahalle_news.store.store import Store

#: Article columns of a search result (the text only as its beginning).
LEAD_CHARS = 280
_ARTICLE_SUMMARY = (
    "id", "story_id", "duplicate_kind", "source_id", "url", "title", "published_at", "province", "relevant",
    "relevance", "topics",
)  # fmt: skip


@dataclass(frozen=True)
class ArticlePage:
    rows: list[Row]  # _ARTICLE_SUMMARY columns, ``lead`` and ``fact_count``
    next_key: tuple[Any, int] | None


def _article_where(a: Any, filt: FactFilter, text: TextMatch | None) -> list[sa.ColumnElement[bool]]:
    c = a.c
    out: list[sa.ColumnElement[bool]] = []
    if filt.province:
        out.append(c.province.in_(filt.province))
    if filt.source:
        out.append(c.source_id.in_(filt.source))
    if filt.date_from is not None:
        out.append(c.published_at >= day_start(filt.date_from))
    if filt.date_to is not None:
        out.append(c.published_at < day_start(filt.date_to + dt.timedelta(days=1)))
    if filt.relevant is not None:
        out.append(c.relevant == sa.true() if filt.relevant else c.relevant.is_not(sa.true()))
    if filt.story is not None:
        out.append(c.story_id == filt.story)
    if text is not None:
        out.append(text.condition(c.id))
    return out


def article_rows(conn: sa.Connection, ids: Sequence[int]) -> list[Row]:
    """Search-result rows of articles, in the order of ``ids``, with ``lead`` and ``fact_count``."""
    if not ids:
        return []
    a = articles.c
    columns = [a[name] for name in _ARTICLE_SUMMARY]
    lead = sa.func.substr(a.text, 1, LEAD_CHARS).label("lead")
    found = {r.id: dict(r._mapping) for r in conn.execute(sa.select(*columns, lead).where(a.id.in_(list(ids))))}
    f = facts_via("ix_facts_s_article")
    query = sa.select(f.c.article_id, sa.func.count()).where(f.c.article_id.in_(list(ids))).group_by(f.c.article_id)
    counts = {int(article): int(n) for article, n in conn.execute(query)}
    return [found[i] | {"fact_count": counts.get(i, 0)} for i in ids if i in found]


def search_articles(store: Store, filt: FactFilter, *, limit: int, after: tuple[Any, int] | None = None) -> ArticlePage:
    """A page of the articles matching the article-level fields of ``filt`` (q, province, source, dates,
    relevant, story), by publication time (``filt.sort``: published_desc or published_asc), keyset-paginated."""
    desc = filt.sort != "published_asc"
    with store.transaction("searching articles") as conn:
        text = text_match(conn, filt.q)
        if text is not None and not text.recent:
            return ArticlePage([], None)
        if text is not None and text.complete:
            a = articles_via(None)
        else:
            a = articles_via("ix_articles_story_id" if filt.story is not None else "ix_articles_s_recent")
        where = _article_where(a, filt, text)
        key, out = a.c.published_at, []
        if after is None or after[0] is not None:
            query = sa.select(key, a.c.id).where(*where, key.is_not(None))
            if after is not None:
                pair = sa.tuple_(key, a.c.id)
                query = query.where(pair < after if desc else pair > after)
            order = (key.desc(), a.c.id.desc()) if desc else (key.asc(), a.c.id.asc())
            out += [(r[0], r[1]) for r in conn.execute(query.order_by(*order).limit(limit + 1))]
        if len(out) <= limit:
            query = sa.select(a.c.id).where(*where, key.is_(None))
            if after is not None and after[0] is None:
                query = query.where(a.c.id < after[1] if desc else a.c.id > after[1])
            query = query.order_by(a.c.id.desc() if desc else a.c.id.asc()).limit(limit + 1 - len(out))
            out += [(None, r[0]) for r in conn.execute(query)]
        rows = article_rows(conn, [k[1] for k in out[:limit]])
    return ArticlePage(rows, out[limit - 1] if len(out) > limit else None)


@dataclass(frozen=True)
class ArticleDetail:
    article: Row  # every column but the raw HTML and SimHash bands, with ``fact_count``
    facts: list[Row]  # as fact_rows, by position in the text
    story: list[Row]  # the story's articles (id, source_id, url, title, published_at, duplicate_kind), oldest first


def article_detail(store: Store, article_id: int) -> ArticleDetail | None:
    """An article with its facts and its story's articles, or None."""
    a = articles.c
    with store.transaction("reading an article") as conn:
        row = conn.execute(sa.select(*article_columns()).where(a.id == article_id)).first()
        if row is None:
            return None
        f = facts_via("ix_facts_s_article")
        ids = conn.execute(sa.select(f.c.id).where(f.c.article_id == article_id)).scalars().all()
        fact_list = sorted(fact_rows(conn, ids), key=lambda r: (r["seq"], r["id"]))
        members = conn.execute(
            sa.select(a.id, a.source_id, a.url, a.title, a.published_at, a.duplicate_kind)
            .where(a.story_id == row.story_id)
            .order_by(a.id)
        )
        story = [dict(m._mapping) for m in members]
    return ArticleDetail(dict(row._mapping) | {"fact_count": len(fact_list)}, fact_list, story)
