"""The reads the pages need. Fact search and single facts are :mod:`mahalle_news.store.search` (the functions
behind ``GET /v1/facts``: keyset pages, facet counts); the rest is small SQL of the UI's own: an article's facts,
the copies of a fact in its story, and the dashboard's latest figures and monthly timelines.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from mahalle_news.filters import NATIONAL, FactFilter
from mahalle_news.store import Store
from mahalle_news.store import search as fact_search
from mahalle_news.store.cache import remember
from mahalle_news.store.schema import articles, facts
from mahalle_news.web.deps import decode_cursor, encode_cursor
from mahalle_news.web.ui.format import month_key

Row = dict[str, Any]
Timelines = dict[str, list[tuple[tuple[int, int], int]]]  # program → ((Jalali year, month), stories)


@dataclass(frozen=True)
class FactPage:
    """A page of facts, the cursor of the next one, and the counts (over at most
    :data:`~mahalle_news.store.search.FACET_CAP` matches: ``exact`` False when there were more)."""

    rows: list[Row]
    next_cursor: str | None
    total: int
    exact: bool
    facets: dict[str, list[tuple[str, int]]]


def search_facts(store: Store, filt: FactFilter, *, cursor: str | None = None, limit: int = 50) -> FactPage:
    """One page of the facts ``filt`` selects after ``cursor``: :func:`mahalle_news.store.search.search_facts`,
    the search behind ``GET /v1/facts``, with its cursor encoded as the API encodes cursors."""
    after = fact_search.key_from_json(filt.sort, decode_cursor(cursor, 3)) if cursor else None
    page = fact_search.search_facts(store, filt, limit=limit, after=after)
    next_cursor = None
    if page.next_key is not None:
        key, last = page.next_key
        next_cursor = encode_cursor([filt.sort, fact_search.key_json(filt.sort, key), last])
    counts = page.facets
    facets: dict[str, list[tuple[str, int]]] = {}
    if counts is not None:
        for name in ("type", "province", "program"):
            facets[name] = [(value, n) for value, n in getattr(counts, name) if value is not None]
    total, exact = (counts.total, counts.exact) if counts is not None else (len(page.rows), False)
    return FactPage(page.rows, next_cursor, total, exact, facets)


def get_fact(store: Store, fact_id: int) -> Row | None:
    """A fact with its article's url, source and title, or None."""
    return fact_search.get_fact(store, fact_id)


def article_facts(store: Store, article_id: int) -> list[Row]:
    """Every fact of an article, in text order."""
    f = facts.c
    with store.transaction("reading an article's facts") as conn:
        rows = conn.execute(sa.select(facts).where(f.article_id == article_id).order_by(f.span_start, f.seq))
        return [dict(r._mapping) for r in rows]


def same_fact_in_story(store: Store, story_id: int, fact_key: str) -> list[Row]:
    """The copies of one fact in the articles of its story (syndicated reports), with their article's source."""
    f, a = facts.c, articles.c
    query = (
        sa.select(f.id, f.article_id, a.source_id, a.title, a.url, a.published_at)
        .join_from(facts, articles, f.article_id == a.id)
        .where(f.story_id == story_id, f.fact_key == fact_key)
        .order_by(f.article_id)
    )
    with store.transaction("reading a story") as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def article_titles(store: Store, ids: Iterable[int]) -> dict[int, Row]:
    """Title, source and publication time of some articles."""
    wanted = list(ids)
    if not wanted:
        return {}
    a = articles.c
    with store.transaction("reading article titles") as conn:
        rows = conn.execute(sa.select(a.id, a.title, a.source_id, a.published_at).where(a.id.in_(wanted)))
        return {r.id: dict(r._mapping) for r in rows}


# ---------------------------------------------------------------- dashboard

_FIGURES = ("neighbourhood_count", "budget")
#: Newest figures kept per (province, program, type) while walking them: the first not superseded is the latest.
_CANDIDATES = 4
_FIGURE_COLUMNS = ("id", "type", "value", "rials", "approx", "period", "program", "province", "published_at", "data")
Slot = tuple[str, str, str]  # province, program ("" for none), type


def _newest_ids(conn: sa.Connection, filt: FactFilter) -> dict[Slot, list[int]]:
    """Per slot, the ids of its :data:`_CANDIDATES` newest figures, newest first (undated ones last): one walk
    of each type's covering index in publication order (the search's own), reading no fact's row."""
    out: dict[Slot, list[int]] = {}
    for kind in _FIGURES:
        for sel in fact_search.selections(conn, replace(filt, type=(kind,))):
            f = sel.f
            order = fact_search.newest_first(conn, f)
            query = (
                sa.select(f.c.id, f.c.province, f.c.program)
                .select_from(sel.source)
                .where(*sel.where, f.c.province.is_not(None))
                .order_by(order, f.c.id.desc())
            )
            for fact_id, province, program in conn.execute(query):
                ids = out.setdefault((province, program or "", kind), [])
                if len(ids) < _CANDIDATES:
                    ids.append(fact_id)
    return out


def _figure_rows(conn: sa.Connection, ids: list[int]) -> dict[int, Row]:
    f = facts.c
    out: dict[int, Row] = {}
    for start in range(0, len(ids), 500):
        query = sa.select(*(f[c] for c in _FIGURE_COLUMNS)).where(f.id.in_(ids[start : start + 500]))
        out.update((r.id, dict(r._mapping)) for r in conn.execute(query))
    return out


def _current(row: Row) -> bool:
    """Not marked by its article as superseded («از ۶۷ به ۳۰۰»: 67 is)."""
    return (row["data"] or {}).get("status") != "superseded"


def _older_current(conn: sa.Connection, filt: FactFilter, slot: Slot, before: int) -> Row | None:
    """A slot's newest figure not superseded, when its :data:`_CANDIDATES` newest all were (rare): the rest of
    its figures, newest first, after ``before`` (the last candidate)."""
    province, program, kind = slot
    for sel in fact_search.selections(conn, replace(filt, type=(kind,), province=(province,))):
        f = sel.f
        same_program = f.c.program.is_(None) if not program else f.c.program == program
        order = fact_search.newest_first(conn, f)
        query = sa.select(f.c.id).select_from(sel.source).where(*sel.where, same_program)
        ids = [int(i) for i in conn.execute(query.order_by(order, f.c.id.desc())).scalars()]
        rest = ids[ids.index(before) + 1 :] if before in ids else ids
        for start in range(0, len(rest), 100):
            rows = _figure_rows(conn, rest[start : start + 100])
            found = next((rows[i] for i in rest[start : start + 100] if i in rows and _current(rows[i])), None)
            if found is not None:
                return found
    return None


def latest_figures(store: Store, province: str | None = None) -> list[Row]:
    """The latest figure of each (province, program): its neighbourhood count and its budget (a total, or per
    neighbourhood), each with the fact it comes from; counted facts of relevant articles. A figure the article
    itself marks as superseded is skipped. Ordered by province, then program."""
    filt = FactFilter(province=(province,) if province is not None else ())
    latest: dict[tuple[str, str], Row] = {}
    with store.transaction("reading the latest figures") as conn:
        candidates = _newest_ids(conn, filt)
        rows = _figure_rows(conn, [i for ids in candidates.values() for i in ids])
        for slot, ids in sorted(candidates.items()):
            row = next((rows[i] for i in ids if i in rows and _current(rows[i])), None)
            if row is None and len(ids) == _CANDIDATES:
                row = _older_current(conn, filt, slot, ids[-1])
            if row is None:
                continue
            where, program, kind = slot
            empty = {"province": where, "program": row["program"], "count": None, "budget": None, "updated": None}
            entry = latest.setdefault((where, program), empty)
            entry["count" if kind == "neighbourhood_count" else "budget"] = row
            when = row["published_at"]
            if entry["updated"] is None or (when is not None and when > entry["updated"]):
                entry["updated"] = when
    return list(latest.values())


def neighbourhoods_by_province(figures: list[Row]) -> list[tuple[str, float]]:
    """The latest neighbourhood counts summed over programs, per province (national figures apart), largest
    first."""
    totals: Counter[str] = Counter()
    for entry in figures:
        fact = entry.get("count")
        if fact is not None and entry["province"] != NATIONAL and fact["value"] is not None:
            totals[entry["province"]] += fact["value"]
    return sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))


def program_timelines(store: Store, province: str | None = None, *, months: int = 24) -> Timelines:
    """For each program, how many stories reported on it in each Jalali month (the last ``months`` months with
    any report; months without one count 0), oldest first."""
    f, a = facts.c, articles.c
    program = sa.case((f.type == "program", f.name), else_=f.program).label("p")
    where: list[sa.ColumnElement[bool]] = [
        program.is_not(None),
        f.counted.is_(True),
        a.relevant.is_(True),
        f.published_at.is_not(None),
    ]
    if province is not None:
        where.append(f.province == province)
    query = sa.select(program, f.story_id, f.published_at).join_from(facts, articles, f.article_id == a.id)
    with store.transaction("reading program timelines") as conn:
        found = conn.execute(query.where(*where).distinct()).all()
    stories: dict[str, dict[tuple[int, int], set[int]]] = defaultdict(lambda: defaultdict(set))
    for name, story_id, published in found:
        stories[name][month_key(published)].add(story_id)
    if not stories:
        return {}
    last = max(m for per in stories.values() for m in per)
    span = _months_back(last, months)
    first_used = min((m for per in stories.values() for m in per if m >= span[0]), default=last)
    span = [m for m in span if m >= first_used]
    out = {name: [(m, len(per.get(m, ()))) for m in span] for name, per in stories.items()}
    return dict(sorted(out.items(), key=lambda kv: -sum(n for _, n in kv[1])))


#: Seconds the dashboard's figures and timelines are fresh while no fact is added (on a million facts they take
#: seconds to compute).
DASHBOARD_TTL = 120.0


def dashboard(store: Store, province: str | None = None) -> tuple[list[Row], Timelines]:
    """:func:`latest_figures` and :func:`program_timelines` of ``province``, computed again when a fact is added;
    once older than :data:`DASHBOARD_TTL` seconds, shown as it was while a background thread refreshes it."""
    with store.transaction("checking for new facts") as conn:
        version = conn.execute(sa.select(sa.func.max(facts.c.id))).scalar()
    return remember(
        ("dashboard", id(store), store.url, province, version),
        DASHBOARD_TTL,
        lambda: (latest_figures(store, province), program_timelines(store, province)),
        refresh_stale=True,
    )


def _months_back(last: tuple[int, int], n: int) -> list[tuple[int, int]]:
    year, month = last
    out = []
    for _ in range(n):
        out.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]
