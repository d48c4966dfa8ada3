"""Routes: the catalog of programs and officials found in the facts.

``GET /v1/programs``: every program the facts name (a program fact's name, or the program a figure belongs to)
with its fact count by type and by province. ``GET /v1/officials``: every official named, with the roles given
and the provinces of the articles naming them. Both take the filter language (so ``province=…``, ``date_from=…``
narrow them; defaults: relevant articles, counted facts), most facts first, keyset-paginated by (facts, name).
A catalog is computed over every selected fact and reused for :data:`CATALOG_TTL` seconds, then answered as it
was while a background thread computes it again.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query

from mahalle_news.config import Settings
from mahalle_news.errors import InputError, Location
from mahalle_news.filters import FactFilter, parse_fact_filter
from mahalle_news.nlp import FACT_TYPES
from mahalle_news.store import Store
from mahalle_news.store.cache import remember
from mahalle_news.store.search import selections
from mahalle_news.web.auth import require
from mahalle_news.web.deps import decode_cursor, encode_cursor, get_settings, get_store
from mahalle_news.web.errors import ERROR_RESPONSES
from mahalle_news.web.models import CatalogQuery, FacetCount, Official, Page, Program
from mahalle_news.web.routes.facts import check_limit

#: Seconds a catalog is fresh for the same filter (it reads every selected fact); then it is refreshed in the
#: background: it may lag new facts this much, plus one computation.
CATALOG_TTL = 120.0

router = APIRouter(tags=["catalog"], dependencies=[Depends(require("reader"))], responses=ERROR_RESPONSES)


@dataclass
class _Entry:
    facts: int = 0
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    kinds: Counter[str] = field(default_factory=Counter)  # types, or roles
    provinces: Counter[str | None] = field(default_factory=Counter)

    def add(self, kind: str | None, province: str | None, n: int, first: Any, last: Any) -> None:
        self.facts += n
        if kind:
            self.kinds[kind] += n
        self.provinces[province] += n
        self.first = min((t for t in (self.first, first) if t is not None), default=None)
        self.last = max((t for t in (self.last, last) if t is not None), default=None)


def _as_time(value: Any) -> dt.datetime | None:
    """A timestamp from min()/max() (SQLite gives the stored text)."""
    if value is None or isinstance(value, dt.datetime):
        return value
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _group(conn: sa.Connection, sel: Any, name: Any, kind: Any, province: Any, into: dict[str, _Entry]) -> None:
    published = sel.f.c.published_at
    query = (
        sa.select(name, kind, province, sa.func.count(), sa.func.min(published), sa.func.max(published))
        .select_from(sel.source)
        .where(*sel.where, name.is_not(None))
        .group_by(name, kind, province)
    )
    for who, what, where, n, first, last in conn.execute(query):
        into.setdefault(who, _Entry()).add(what, where, n, _as_time(first), _as_time(last))


def program_entries(store: Store, filt: FactFilter) -> dict[str, _Entry]:
    """Programs named by the facts ``filt`` selects: program facts by name, figures by their program."""
    out: dict[str, _Entry] = {}
    wanted = filt.type or FACT_TYPES
    with store.transaction("listing programs") as conn:
        if "program" in wanted:
            for sel in selections(conn, replace(filt, type=("program",))):
                _group(conn, sel, sel.f.c.name, sel.f.c.type, sel.f.c.province, out)
        figures = tuple(t for t in wanted if t != "program")
        if figures:
            for sel in selections(conn, replace(filt, type=figures), driver="ix_facts_s_program"):
                _group(conn, sel, sel.f.c.program, sel.f.c.type, sel.f.c.province, out)
    return out


def official_entries(store: Store, filt: FactFilter) -> dict[str, _Entry]:
    """Officials named by the facts ``filt`` selects, with their roles and the provinces of the articles."""
    out: dict[str, _Entry] = {}
    if filt.type and "official" not in filt.type:
        return out
    with store.transaction("listing officials") as conn:
        for sel in selections(conn, replace(filt, type=("official",)), join=True):
            _group(conn, sel, sel.f.c.name, sel.f.c.role, sel.a.c.province, out)
    return out


def _counts(counter: Counter[Any]) -> list[FacetCount]:
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or ""))
    return [FacetCount(value=k, count=n) for k, n in ranked]


def _page(entries: dict[str, _Entry], cursor: str | None, limit: int, kind: str) -> tuple[list[Any], str | None]:
    """The entries after ``cursor`` by (most facts, name), at most ``limit``, and the next cursor."""
    ranked = sorted(entries.items(), key=lambda kv: (-kv[1].facts, kv[0]))
    if cursor is not None:
        values = decode_cursor(cursor, 3)
        if values[0] != kind or not isinstance(values[1], int) or not isinstance(values[2], str):
            raise InputError("not a cursor of this list", location=Location(field="cursor"))
        after = (-values[1], values[2])
        ranked = [kv for kv in ranked if (-kv[1].facts, kv[0]) > after]
    page = ranked[:limit]
    more = len(ranked) > limit
    return page, encode_cursor([kind, page[-1][1].facts, page[-1][0]]) if more else None


def _links(param: str, name: str) -> dict[str, str]:
    from urllib.parse import urlencode

    return {"facts": "/v1/facts?" + urlencode({param: name})}


def cached_programs(store: Store, filt: FactFilter) -> dict[str, _Entry]:
    """:func:`program_entries`, reused for :data:`CATALOG_TTL` seconds (then refreshed in the background)."""
    return remember(
        ("programs", store.url, filt), CATALOG_TTL, lambda: program_entries(store, filt), refresh_stale=True
    )


def cached_officials(store: Store, filt: FactFilter) -> dict[str, _Entry]:
    """:func:`official_entries`, reused like :func:`cached_programs`."""
    return remember(
        ("officials", store.url, filt), CATALOG_TTL, lambda: official_entries(store, filt), refresh_stale=True
    )


@router.get("/v1/programs", response_model=Page[Program], summary="Programs and their facts")
def list_programs(
    query: Annotated[CatalogQuery, Query()],
    store: Annotated[Store, Depends(get_store)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Page[Program]:
    """Each program named by the selected facts, with its number of facts by type and by province."""
    limit = check_limit(query.limit, settings)
    filt = parse_fact_filter(query.filter_params())
    entries = cached_programs(store, filt)
    page, cursor = _page(entries, query.cursor, limit, "programs")
    items = [
        Program(
            name=name,
            facts=e.facts,
            types=_counts(e.kinds),
            provinces=_counts(e.provinces),
            first_published=e.first,
            last_published=e.last,
            links=_links("program", name),
        )
        for name, e in page
    ]
    return Page[Program](items=items, next_cursor=cursor, limit=limit)


@router.get("/v1/officials", response_model=Page[Official], summary="Officials and their facts")
def list_officials(
    query: Annotated[CatalogQuery, Query()],
    store: Annotated[Store, Depends(get_store)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Page[Official]:
    """Each official named by the selected facts, with the roles given and the articles' provinces."""
    limit = check_limit(query.limit, settings)
    filt = parse_fact_filter(query.filter_params())
    entries = cached_officials(store, filt)
    page, cursor = _page(entries, query.cursor, limit, "officials")
    items = [
        Official(
            name=name,
            facts=e.facts,
            roles=_counts(e.kinds),
            provinces=_counts(e.provinces),
            first_published=e.first,
            last_published=e.last,
            links=_links("official", name),
        )
        for name, e in page
    ]
    return Page[Official](items=items, next_cursor=cursor, limit=limit)
