"""Filtered rows for bulk export: every fact or article a :class:`~mahalle_news.filters.FactFilter` selects, read
in keyset-paginated batches (one short transaction per batch), so memory stays that of one batch however many
rows there are, and no row cap applies.

Facts are selected as :meth:`FactFilter.matches` defines (the SQL here says the same thing): type, province,
program (a program fact by its name), source, official (folded match on name or role: checked in Python, after
SQL narrows to official facts), value and rials ranges, publication date (UTC date, inclusive), story, article,
the article's ``relevant`` (NULL counts as false), ``counted``, and ``q`` (every word in the article's full-text
index, in one of its spellings, as search takes it). Articles take the article-level conditions directly; the fact
conditions keep articles with at least one such fact. Rows come in ascending id order.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa

from mahalle_news.filters import FactFilter, text_terms
from mahalle_news.store.rows import fact_export_query
from mahalle_news.store.schema import articles, facts
from mahalle_news.store.store import Store

_ARTICLE_COLUMNS = (
    "id",
    "story_id",
    "duplicate_kind",
    "source_id",
    "url",
    "title",
    "published_at",
    "fetched_at",
    "province",
    "relevant",
    "relevance",
    "topics",
    "extractor_version",
    "extraction_method",
    "text",
)
Rows = list[dict[str, Any]]


def _day(date: dt.date) -> dt.datetime:
    return dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC)


def _scanned(column: sa.Column[Any], dialect: str) -> sa.ColumnElement[Any]:
    """``column`` for a condition that must not pick the index: on SQLite ``+column`` (a no-op the planner does not
    match to an index). Without statistics SQLite takes any index with an equality or range on it, reads every
    matching row and sorts them for each page: quadratic over a large export. Read by id instead, a page costs
    what it returns (plus the non-matching rows skipped on the way), and the whole export one pass over the table.
    PostgreSQL has statistics and chooses well by itself."""
    if dialect != "sqlite":
        return column
    table = column.table.name
    return sa.literal_column(f"+{table}.{column.name}", type_=column.type)


def _text_condition(q: str | None, dialect: str) -> sa.ColumnElement[bool] | None:
    """Articles whose full-text index has every word of ``q``, each in one of its spellings
    (:func:`~mahalle_news.filters.text_terms`: a compound glued, or its parts in a row); None: no condition, as for
    a query without a word."""
    terms = text_terms(q) if q else []
    if not terms:
        return None
    if dialect == "postgresql":
        groups: list[sa.ColumnElement[Any]] = []
        for alternatives in terms:
            phrases: list[sa.ColumnElement[Any]] = [
                sa.func.phraseto_tsquery("simple", " ".join(p)) for p in alternatives
            ]
            groups.append(functools.reduce(lambda x, y: x.op("||")(y), phrases))
        query = functools.reduce(lambda x, y: x.op("&&")(y), groups)
        vector: sa.ColumnElement[Any] = sa.literal_column("articles.search_vector")
        return vector.bool_op("@@")(query)
    match = " AND ".join(
        "(" + " OR ".join('"' + " ".join(p).replace('"', '""') + '"' for p in alternatives) + ")"
        for alternatives in terms
    )
    ids: sa.Select[Any] = sa.select(sa.literal_column("rowid")).select_from(sa.table("articles_fts"))
    matching = ids.where(sa.text("articles_fts MATCH :export_q").bindparams(export_q=match))
    return _scanned(articles.c.id, dialect).in_(matching)


def article_conditions(filt: FactFilter, dialect: str) -> list[sa.ColumnElement[bool]]:
    """Conditions on ``articles``: source, publication date, relevant, q."""
    a = articles.c
    out: list[sa.ColumnElement[bool]] = []
    if filt.source:
        out.append(_scanned(a.source_id, dialect).in_(filt.source))
    published = _scanned(a.published_at, dialect)
    if filt.date_from is not None:
        out.append(published >= _day(filt.date_from))
    if filt.date_to is not None:
        out.append(published < _day(filt.date_to + dt.timedelta(days=1)))
    relevant = _scanned(a.relevant, dialect)
    if filt.relevant is True:
        out.append(relevant.is_(True))
    elif filt.relevant is False:
        out.append(sa.or_(relevant.is_(False), relevant.is_(None)))
    text = _text_condition(filt.q, dialect)
    if text is not None:
        out.append(text)
    return out


def has_fact_conditions(filt: FactFilter) -> bool:
    """Whether the filter says anything about the facts themselves (beyond ``counted``, story and article)."""
    ranges = (filt.value_min, filt.value_max, filt.rials_min, filt.rials_max)
    return bool(filt.type or filt.province or filt.program or filt.official) or any(v is not None for v in ranges)


def fact_conditions(filt: FactFilter, dialect: str) -> list[sa.ColumnElement[bool]]:
    """Conditions on ``facts`` (official only up to its type: see :func:`official_match`); story and article are
    left to the callers, as they are the conditions an index should serve."""
    f = facts.c
    kind, program = _scanned(f.type, dialect), _scanned(f.program, dialect)
    out: list[sa.ColumnElement[bool]] = []
    if filt.type:
        out.append(kind.in_(filt.type))
    if filt.province:
        out.append(_scanned(f.province, dialect).in_(filt.province))
    if filt.program:
        name = _scanned(f.name, dialect)
        out.append(sa.or_(program.in_(filt.program), sa.and_(kind == "program", name.in_(filt.program))))
    if filt.official is not None:
        out.append(kind == "official")
    value, rials = _scanned(f.value, dialect), _scanned(f.rials, dialect)
    for column, low, high in ((value, filt.value_min, filt.value_max), (rials, filt.rials_min, filt.rials_max)):
        if low is not None:
            out.append(column >= low)
        if high is not None:
            out.append(column <= high)
    if filt.counted is not None:
        out.append(_scanned(f.counted, dialect).is_(filt.counted))
    return out


def official_match(wanted: str) -> Callable[[Any], bool]:
    """Whether a fact row's name or role contains ``wanted`` (both folded)."""
    from mahalle_news.text.normalize import fold

    key = fold(wanted)
    return lambda row: key in fold(str(row["name"] or "")) or key in fold(str(row["role"] or ""))


def facts_query(filt: FactFilter, dialect: str) -> sa.Select[Any]:
    """Every fact column, its article's url, url_canonical, source_id and title, of the facts ``filt`` selects
    (unordered; official names not yet checked)."""
    where = [*fact_conditions(filt, dialect), *article_conditions(filt, dialect)]
    if filt.story is not None:
        where.append(facts.c.story_id == filt.story)
    if filt.article is not None:
        where.append(facts.c.article_id == filt.article)
    return fact_export_query().where(*where)


def articles_query(filt: FactFilter, dialect: str) -> sa.Select[Any]:
    """The export columns of the articles ``filt`` selects (unordered; official names not yet checked)."""
    a = articles.c
    where = article_conditions(filt, dialect)
    if filt.story is not None:
        where.append(a.story_id == filt.story)
    if filt.article is not None:
        where.append(a.id == filt.article)
    if has_fact_conditions(filt):
        where.append(sa.exists().where(facts.c.article_id == a.id, *fact_conditions(filt, dialect)))
    return sa.select(*(a[name] for name in _ARTICLE_COLUMNS)).where(*where)


def _keyset(
    store: Store,
    action: str,
    query: sa.Select[Any],
    key: sa.ColumnElement[int],
    size: int,
    keep: Callable[[Rows], Rows] | None,
) -> Iterator[dict[str, Any]]:
    if size < 1:
        raise ValueError(f"batch_size must be at least 1, got {size}")
    last: int | None = None
    while True:
        page = query.order_by(key).limit(size)
        if last is not None:
            page = page.where(key > last)
        with store.transaction(action) as conn:
            result = conn.execute(page)
            names = tuple(result.keys())
            rows = [dict(zip(names, r, strict=True)) for r in result]
        yield from rows if keep is None else keep(rows)
        if len(rows) < size:
            return
        last = int(rows[-1]["id"])


def iter_facts(store: Store, filt: FactFilter, *, batch_size: int = 1000) -> Iterator[dict[str, Any]]:
    """The facts ``filt`` selects, as :meth:`Store.iter_fact_rows` gives them, by ascending id."""
    keep: Callable[[Rows], Rows] | None = None
    if filt.official is not None:
        match = official_match(filt.official)

        def keep(rows: Rows) -> Rows:
            return [r for r in rows if match(r)]

    query = facts_query(filt, store.dialect)
    yield from _keyset(store, "exporting facts", query, facts.c.id, batch_size, keep)


def iter_articles(store: Store, filt: FactFilter, *, batch_size: int = 500) -> Iterator[dict[str, Any]]:
    """The articles ``filt`` selects (see the module), as :meth:`Store.iter_article_rows` gives them, by id."""
    keep: Callable[[Rows], Rows] | None = None
    if filt.official is not None:
        official = filt.official

        def keep(rows: Rows) -> Rows:
            return _with_official(store, filt, official, rows)

    query = articles_query(filt, store.dialect)
    yield from _keyset(store, "exporting articles", query, articles.c.id, batch_size, keep)


def _with_official(store: Store, filt: FactFilter, official: str, rows: Rows) -> Rows:
    """The articles of ``rows`` with at least one fact passing ``filt`` whose official matches ``official``."""
    if not rows:
        return rows
    f = facts.c
    match = official_match(official)
    query = sa.select(f.article_id, f.name, f.role).where(
        f.article_id.in_([r["id"] for r in rows]), *fact_conditions(filt, store.dialect)
    )
    with store.transaction("exporting articles") as conn:
        found = {r.article_id for r in conn.execute(query) if match(r._mapping)}
    return [r for r in rows if r["id"] in found]


def count(store: Store, kind: str, filt: FactFilter) -> int:
    """How many facts or articles ``filt`` selects (with ``official``: an upper bound), for a progress bar."""
    query = facts_query(filt, store.dialect) if kind == "facts" else articles_query(filt, store.dialect)
    with store.transaction(f"counting {kind}") as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one())


def iter_rows(store: Store, kind: str, filt: FactFilter) -> Iterator[dict[str, Any]]:
    """:func:`iter_facts` or :func:`iter_articles`, by ``kind``."""
    return iter_facts(store, filt) if kind == "facts" else iter_articles(store, filt)
