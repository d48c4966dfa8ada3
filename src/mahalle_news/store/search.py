"""Fact search: the SQL behind ``GET /v1/facts`` and ``/v1/facts/{id}`` (articles:
:mod:`mahalle_news.store.search_articles`). Every function takes the :class:`Store` and runs in one read
transaction.

A search walks one index in its sort order and checks the filters inside it (the covering ``ix_facts_s_*``
indexes of migrations 0004 and 0005), so a page costs about ``limit / selectivity`` index entries, not the size
of the filtered set. On SQLite the index is chosen here (``INDEXED BY``): one article, the articles of a full-text
query with few matches, a story, officials or programs by name, then a single province, program or type, else
publication order; ``value``/``rials`` sorts walk their own index, a value sort of one type (type, value).
PostgreSQL gets the same SQL without hints.

Pagination is keyset: a page is ordered by (sort key, id), both in the sort's direction, facts without the key
last (by id); the cursor holds the last row's (key, id), so a page never skips or repeats a fact however many
arrive meanwhile. Facet counts and ``total`` are counted over the :data:`FACET_CAP` most recent matches (a full
text query with many matches: over the facts of its :data:`TEXT_IDS` newest articles); ``exact`` says whether
that was all of them: counting all of a million facts costs a full index scan, hundreds of milliseconds. They
are kept per filter while no fact is added (:data:`FACET_TTL`), so paging through a search counts once.
A ``program`` filter matches a figure's program or a program fact's name: two disjoint branches, each walking
its own index, merged here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.selectable import Alias

from mahalle_news.errors import InputError, Location
from mahalle_news.filters import FactFilter, text_terms
from mahalle_news.nlp import FACT_TYPES
from mahalle_news.store.cache import remember
from mahalle_news.store.schema import articles, facts
from mahalle_news.store.store import Store
from mahalle_news.text.normalize import fold

#: Most matches facet counts and ``total`` are counted over (the most recent ones).
FACET_CAP = 5_000
#: A full-text query matching at most this many articles runs from their ids; one matching more runs as a
#: sub-query, and its facets are counted over the facts of this many most recently stored matching articles.
TEXT_IDS = 600
#: SQLite: a full-text query matching at least this share of the articles is checked row by row as a page walks
#: (an FTS5 lookup per fact), not listed in full first.
DENSE_TEXT = 0.25
#: Facet counts are kept per filter while no fact is added (the newest fact id stays), at most this many seconds.
FACET_TTL = 60.0
#: Most distinct names and roles an ``official`` filter may stand for.
MAX_OFFICIAL_VALUES = 2_000
INT64_MAX = (1 << 63) - 1
#: Largest id (ids are 32-bit on PostgreSQL).
MAX_ID = (1 << 31) - 1
_NOT_INDEXED = "f_scan"
_SORT_COLUMNS = {"published": "published_at", "value": "value", "rials": "rials"}
#: The fact types that can have each sort key.
_KEYED = {
    "published_at": frozenset(FACT_TYPES),
    "value": frozenset({"neighbourhood_count", "population", "percentage", "quantity"}),
    "rials": frozenset({"budget"}),
}
Row = dict[str, Any]


class _Hinted(Alias):
    """An alias named after the index SQLite must use (``INDEXED BY``; ``f_scan``: ``NOT INDEXED``)."""

    inherit_cache = True


@compiles(_Hinted)
def _compile_hinted(element: _Hinted, compiler: Any, **kw: Any) -> str:
    text: str = compiler.visit_alias(element, **kw)
    if kw.get("asfrom") and compiler.dialect.name == "sqlite":
        text += " NOT INDEXED" if element.name == _NOT_INDEXED else f" INDEXED BY {element.name}"
    return text


@functools.cache
def facts_via(index: str) -> Any:
    """``facts`` as walked by ``index`` (built once: building an alias costs more than running a query)."""
    return _Hinted._construct(facts, name=index)


@functools.cache
def articles_via(index: str | None) -> Any:
    """``articles`` as walked by ``index`` (None: by its primary key, as ``a``)."""
    return _Hinted._construct(articles, name=index) if index else articles.alias("a")


def program_of(f: Any) -> sa.ColumnElement[Any]:
    """The program a fact is about: a figure's ``program``, a program fact's ``name``."""
    return sa.case((f.c.type == "program", f.c.name), else_=f.c.program)


def newest_first(conn: sa.Connection, f: Any) -> Any:
    """Publication order of the facts alias ``f``, newest first and undated ones last on both backends (SQLite's
    index order; PostgreSQL puts NULLs first unless told)."""
    order = f.c.published_at.desc()
    return order.nulls_last() if conn.dialect.name == "postgresql" else order


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


# ------------------------------------------------------------------ full text


@dataclass(frozen=True)
class TextMatch:
    """The articles matching a full-text query."""

    recent: tuple[int, ...]  # the most recently stored ones, at most TEXT_IDS
    complete: bool  # ``recent`` is all of them
    query: sa.Select[Any]  # the query of their ids
    probe: sa.Select[Any] | None = None  # SQLite, many matches: the FTS5 query, to check one article at a time

    def ids(self, counting: bool = False) -> tuple[int, ...] | None:
        """The ids a search (``counting``: its facet counts) runs from; None: it runs from :attr:`query`."""
        return self.recent if self.complete or counting else None

    def condition(self, article_id: Any, counting: bool = False) -> sa.ColumnElement[bool]:
        ids = self.ids(counting)
        if ids is not None:
            return article_id.in_(ids)  # type: ignore[no-any-return]
        if self.probe is not None:
            return sa.exists(self.probe.where(sa.literal_column("rowid") == article_id))
        return article_id.in_(self.query)  # type: ignore[no-any-return]


def text_match(conn: sa.Connection, q: str | None) -> TextMatch | None:
    """The articles whose full-text index has every word of ``q``, each word in any of its spellings (see
    :func:`~mahalle_news.filters.text_terms`); None when ``q`` has no word (no condition)."""
    terms = text_terms(q) if q else []
    if not terms:
        return None
    if conn.dialect.name == "postgresql":
        groups = []
        for alternatives in terms:
            queries = [sa.func.phraseto_tsquery("simple", " ".join(p)) for p in alternatives]
            groups.append(queries[0] if len(queries) == 1 else queries[0].op("||")(queries[1]))
        tsquery = groups[0]
        for group in groups[1:]:
            tsquery = tsquery.op("&&")(group)
        vector: sa.ColumnElement[Any] = sa.literal_column("articles.search_vector")
        ids_query = sa.select(articles.c.id).where(vector.bool_op("@@")(tsquery))
    else:
        expression = " AND ".join(
            "(" + " OR ".join('"' + " ".join(p).replace('"', '""') + '"' for p in alternatives) + ")"
            for alternatives in terms
        )
        match = sa.text("articles_fts MATCH :fts_query").bindparams(fts_query=expression)
        ids_query = sa.select(sa.literal_column("rowid")).select_from(sa.table("articles_fts")).where(match)
    newest = ids_query.order_by(ids_query.selected_columns[0].desc()).limit(TEXT_IDS + 1)
    found = [int(i) for i in conn.execute(newest).scalars()]
    if len(found) <= TEXT_IDS:
        return TextMatch(tuple(found), True, ids_query)
    probe = None
    if conn.dialect.name == "sqlite":  # the share of the articles that match, judged from the newest ones
        top = int(conn.execute(sa.select(sa.func.max(articles.c.id))).scalar() or 0)
        if TEXT_IDS / max(1, top - found[TEXT_IDS - 1] + 1) >= DENSE_TEXT:
            probe = sa.select(sa.literal(1)).select_from(sa.table("articles_fts")).where(match)
    return TextMatch(tuple(found[:TEXT_IDS]), False, ids_query, probe)


# ------------------------------------------------------------------ plan


@dataclass(frozen=True)
class _Branch:
    types: tuple[str, ...]  # () = any type
    mentions: bool = False  # program facts matched by name (else figures matched by their program)


@dataclass(frozen=True)
class _Plan:
    filt: FactFilter
    version: int  # the newest fact id: what is cached is valid while it stays
    text: TextMatch | None
    branches: tuple[_Branch, ...]
    names: tuple[str, ...] = ()  # an official filter: the names and roles it matches
    roles: tuple[str, ...] = ()


def _plan(conn: sa.Connection, filt: FactFilter) -> _Plan:
    version = int(conn.execute(sa.select(sa.func.max(facts.c.id))).scalar() or 0)
    text = text_match(conn, filt.q)
    types: tuple[str, ...] | None = filt.type
    names: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    if filt.official is not None:
        names, roles = _officials(conn, filt.official, version)
        types = ("official",) if not filt.type or "official" in filt.type else None
    branches: list[_Branch] = []
    if types is None or (text is not None and not text.recent) or (filt.official is not None and not names + roles):
        pass  # nothing can match
    elif not filt.program:
        branches.append(_Branch(types))
    else:
        if not types or "program" in types:
            branches.append(_Branch(("program",), mentions=True))
        figures = tuple(t for t in types if t != "program")
        if not types or figures:
            branches.append(_Branch(figures))
    return _Plan(filt, version, text, tuple(branches), names, roles)


_official_cache: dict[tuple[str, int], list[tuple[str, str, str, str]]] = {}


def _officials(conn: sa.Connection, wanted: str, version: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The names and the roles of official facts that contain ``wanted`` (folded), from a list of every
    (name, role) kept while no fact is added."""
    key = fold(wanted)
    if len(key) < 2:
        raise InputError("an official's name or role needs at least two letters", location=Location(field="official"))
    cache_key = (str(conn.engine.url), version)
    people = _official_cache.get(cache_key)
    if people is None:
        f = facts_via("ix_facts_s_name")
        rows = conn.execute(sa.select(f.c.name, f.c.role).where(f.c.type == "official").distinct())
        people = [(r.name or "", r.role or "", fold(r.name or ""), fold(r.role or "")) for r in rows]
        _official_cache.clear()
        _official_cache[cache_key] = people
    names = tuple(sorted({n for n, _, fn, _ in people if n and key in fn}))
    roles = tuple(sorted({r for _, r, _, fr in people if r and key in fr}))
    if len(names) + len(roles) > MAX_OFFICIAL_VALUES:
        raise InputError("matches too many officials: give more of the name", location=Location(field="official"))
    return names, roles


def _driver(plan: _Plan, branch: _Branch, counting: bool = False) -> str:
    """The index a branch walks in publication order (SQLite); ``counting``: for its facet counts."""
    filt = plan.filt
    if filt.article is not None or (plan.text is not None and plan.text.ids(counting) is not None):
        return "ix_facts_s_article"
    if filt.story is not None:
        return "ix_facts_story_key"
    if branch.mentions or (filt.official is not None and not plan.roles):
        return "ix_facts_s_name"
    if len(filt.province) == 1:
        return "ix_facts_s_province"
    if len(filt.program) == 1:
        return "ix_facts_s_program"
    return "ix_facts_s_type" if len(branch.types) == 1 else "ix_facts_s_recent"


def _where(plan: _Plan, f: Any, branch: _Branch, counting: bool = False) -> tuple[list[sa.ColumnElement[bool]], Any]:
    """The conditions of a branch on the facts alias ``f``, and its FROM clause (joined to articles when an
    article's relevance or source is asked for)."""
    filt, c = plan.filt, f.c
    out: list[sa.ColumnElement[bool]] = []
    if filt.counted is not None:
        out.append(c.counted == sa.literal(filt.counted))
    if branch.types:
        out.append(c.type.in_(branch.types) if len(branch.types) > 1 else c.type == branch.types[0])
    if filt.province:
        out.append(c.province.in_(filt.province))
    if filt.program:
        out.append(c.name.in_(filt.program) if branch.mentions else c.program.in_(filt.program))
    if filt.official is not None:
        by_name = c.name.in_(plan.names)
        out.append(sa.or_(by_name, c.role.in_(plan.roles)) if plan.roles else by_name)
    for column, low, high in ((c.value, filt.value_min, filt.value_max), (c.rials, filt.rials_min, filt.rials_max)):
        if low is not None:
            out.append(column >= low)
        if high is not None:
            out.append(column <= high)
    if filt.date_from is not None:
        out.append(c.published_at >= day_start(filt.date_from))
    if filt.date_to is not None:
        out.append(c.published_at < day_start(filt.date_to + dt.timedelta(days=1)))
    if filt.story is not None:
        out.append(c.story_id == filt.story)
    if filt.article is not None:
        out.append(c.article_id == filt.article)
    if plan.text is not None:
        out.append(plan.text.condition(c.article_id, counting))
    source: Any = f
    if filt.relevant is not None or filt.source:
        a = articles_via("ix_articles_s_relevant" if filt.relevant else None)
        source = sa.join(f, a, a.c.id == c.article_id)
        if filt.relevant is not None:  # NULL (never classified) counts as not relevant
            out.append(a.c.relevant == sa.true() if filt.relevant else a.c.relevant.is_not(sa.true()))
        if filt.source:
            out.append(a.c.source_id.in_(filt.source))
    return out, source


@dataclass(frozen=True)
class Selection:
    """One branch of a filter, for aggregations: the facts alias ``f``, the articles alias ``a`` (None when not
    joined), the FROM clause and the WHERE conditions."""

    f: Any
    a: Any
    source: Any
    where: list[sa.ColumnElement[bool]]


def selections(conn: sa.Connection, filt: FactFilter, *, driver: str | None = None, join: bool = False) -> list[Any]:
    """The branches of ``filt`` (none: nothing can match), to aggregate over; SQLite walks ``driver`` where the
    filter itself would walk every fact in publication order. ``join``: always join the articles."""
    plan = _plan(conn, filt)
    out = []
    for branch in plan.branches:
        walk = _driver(plan, branch)
        f = facts_via(driver if driver is not None and walk == "ix_facts_s_recent" else walk)
        where, source = _where(plan, f, branch)
        a = source.right if isinstance(source, sa.Join) else None
        if a is None and join:
            a = articles_via(None)
            source = sa.join(f, a, a.c.id == f.c.article_id)
        out.append(Selection(f, a, source, where))
    return out


# ------------------------------------------------------------------ cursors


def key_json(sort: str, key: Any) -> Any:
    """A sort key as a cursor holds it, in ``[sort, key, id]`` (timestamps in ISO 8601)."""
    return key.isoformat() if isinstance(key, dt.datetime) else key


def key_from_json(sort: str, values: Sequence[Any]) -> tuple[Any, int]:
    """(key, id) of a decoded ``[sort, key, id]``; an InputError naming ``cursor`` when this sort did not give it."""
    bad = InputError("not a cursor of this search (was the sort changed?)", location=Location(field="cursor"))
    if len(values) != 3 or values[0] != sort:
        raise bad
    _, key, last = values
    if isinstance(last, bool) or not isinstance(last, int) or not 0 <= last <= INT64_MAX:
        raise bad
    if key is None:
        return None, last
    column = _SORT_COLUMNS.get(sort.rpartition("_")[0], "published_at")
    number = isinstance(key, int | float) and not isinstance(key, bool)
    if column == "published_at" and isinstance(key, str):
        try:
            parsed = dt.datetime.fromisoformat(key)
        except ValueError:
            raise bad from None
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)), last
    if column == "rials" and number and isinstance(key, int) and abs(key) <= INT64_MAX:
        return key, last
    if column == "value" and number and math.isfinite(key):
        return float(key), last
    raise bad


# ------------------------------------------------------------------ facts


@dataclass(frozen=True)
class Facets:
    """Counts of the matching facts by type, province and program (None: without one), most first, and their
    total; over at most :data:`FACET_CAP` of them (``exact`` False: there were more)."""

    total: int
    exact: bool
    type: list[tuple[str | None, int]]
    province: list[tuple[str | None, int]]
    program: list[tuple[str | None, int]]


@dataclass(frozen=True)
class FactPage:
    rows: list[Row]
    next_key: tuple[Any, int] | None
    facets: Facets | None


def _page_keys(plan: _Plan, conn: sa.Connection, branch: _Branch, n: int, after: tuple[Any, int] | None) -> list[Any]:
    """(segment, key, id) of a branch's first ``n`` facts after ``after``: segment 0 has a key, 1 has none."""
    name, _, direction = plan.filt.sort.rpartition("_")
    column, desc = _SORT_COLUMNS[name], direction == "desc"
    driver = _driver(plan, branch)
    small = driver in ("ix_facts_s_article", "ix_facts_story_key")
    keyless = bool(branch.types) and not set(branch.types) & _KEYED[column]  # e.g. program facts have no value
    out: list[tuple[int, Any, int]] = []
    if (after is None or after[0] is not None) and not keyless:
        if column == "published_at" or small:
            f = facts_via(driver)
        elif column == "value" and len(branch.types) == 1:  # within the type: other types' larger values skipped
            f = facts_via("ix_facts_s_type_value")
        else:
            f = facts_via(f"ix_facts_s_{column}")
        where, source = _where(plan, f, branch)
        key = f.c[column]
        query = sa.select(key, f.c.id).select_from(source).where(*where, key.is_not(None))
        if after is not None:
            pair = sa.tuple_(key, f.c.id)
            query = query.where(pair < after if desc else pair > after)
        order = (key.desc(), f.c.id.desc()) if desc else (key.asc(), f.c.id.asc())
        out += [(0, r[0], r[1]) for r in conn.execute(query.order_by(*order).limit(n))]
    if len(out) < n:  # then the facts without a key, by id
        f = facts_via(driver if column == "published_at" or driver != "ix_facts_s_recent" else _NOT_INDEXED)
        where, source = _where(plan, f, branch)
        query = sa.select(f.c.id).select_from(source).where(*where, f.c[column].is_(None))
        if after is not None and after[0] is None:
            query = query.where(f.c.id < after[1] if desc else f.c.id > after[1])
        query = query.order_by(f.c.id.desc() if desc else f.c.id.asc()).limit(n - len(out))
        out += [(1, None, r[0]) for r in conn.execute(query)]
    return out


def _facets(plan: _Plan, conn: sa.Connection) -> Facets:
    counts: Counter[tuple[str | None, str | None, str | None]] = Counter()
    total, exact = 0, plan.text is None or plan.text.complete
    cap = FACET_CAP // max(1, len(plan.branches))
    for branch in plan.branches:
        f = facts_via(_driver(plan, branch, counting=True))
        newest = f.c.published_at.desc()  # in index order: undated facts last on SQLite, first on PostgreSQL
        where, source = _where(plan, f, branch, counting=True)
        inner = (
            sa.select(f.c.type, f.c.province, program_of(f).label("program"))
            .select_from(source)
            .where(*where)
            .order_by(newest, f.c.id.desc())
            .limit(cap)
            .subquery()
        )
        groups = (inner.c.type, inner.c.province, inner.c.program)
        seen = 0
        for kind, province, program, n in conn.execute(sa.select(*groups, sa.func.count()).group_by(*groups)):
            counts[(kind, province, program)] += n
            seen += n
        total += seen
        exact = exact and seen < cap

    def by(i: int) -> list[tuple[str | None, int]]:
        c: Counter[str | None] = Counter()
        for k, n in counts.items():
            c[k[i]] += n
        return sorted(c.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or ""))

    return Facets(total, exact, by(0), by(1), by(2))


def _cached_facets(plan: _Plan, conn: sa.Connection) -> Facets:
    """:func:`_facets`, kept for :data:`FACET_TTL` seconds per filter while no fact is added."""
    filt = dataclasses.replace(plan.filt, sort="published_desc")
    key = ("facets", str(conn.engine.url), plan.version, FACET_CAP, TEXT_IDS, filt)
    return remember(key, FACET_TTL, lambda: _facets(plan, conn))


@functools.cache
def _rows_query() -> sa.Select[Any]:
    f, a = facts_via(_NOT_INDEXED), articles_via(None)  # by rowid: SQLite may otherwise start from articles
    return sa.select(*f.c, a.c.url, a.c.source_id, a.c.title.label("article_title")).join_from(
        f, a, a.c.id == f.c.article_id
    )


def fact_rows(conn: sa.Connection, ids: Sequence[int]) -> list[Row]:
    """Whole fact rows with their article's url, source_id and title (``article_title``), in the order of
    ``ids`` (unknown ids left out)."""
    if not ids:
        return []
    query = _rows_query()
    result = conn.execute(query.where(query.selected_columns.id.in_(list(ids))))
    names = tuple(result.keys())  # zipped by hand: a third faster than RowMapping on a page of 50
    found = {r[0]: dict(zip(names, r, strict=True)) for r in result.all()}
    return [found[i] for i in ids if i in found]


def search_facts(
    store: Store, filt: FactFilter, *, limit: int, after: tuple[Any, int] | None = None, facets: bool = True
) -> FactPage:
    """The page of ``limit`` facts ``filt`` selects after the cursor key ``after``, in ``filt.sort`` order, with
    the facet counts of the whole selection (see the module's note on their cap) when ``facets``."""
    desc = filt.sort.endswith("_desc")
    with store.transaction("searching facts") as conn:
        plan = _plan(conn, filt)
        keys: list[tuple[int, Any, int]] = []
        for branch in plan.branches:
            keys += _page_keys(plan, conn, branch, limit + 1, after)
        with_key = sorted((k for k in keys if k[0] == 0), key=lambda k: (k[1], k[2]), reverse=desc)
        keys = (with_key + sorted((k for k in keys if k[0] == 1), key=lambda k: k[2], reverse=desc))[: limit + 1]
        rows = fact_rows(conn, [k[2] for k in keys[:limit]])
        counts = _cached_facets(plan, conn) if facets else None
    next_key = (keys[limit - 1][1], keys[limit - 1][2]) if len(keys) > limit else None
    return FactPage(rows, next_key, counts)


def get_fact(store: Store, fact_id: int) -> Row | None:
    """One fact with its article's url, source_id and title, or None."""
    with store.transaction("reading a fact") as conn:
        rows = fact_rows(conn, [fact_id])
    return rows[0] if rows else None
