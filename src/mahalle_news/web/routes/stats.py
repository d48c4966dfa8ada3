"""Routes: figures over time.

``GET /v1/stats`` groups the numeric facts (neighbourhood counts, budgets in rials, populations, percentages,
quantities per unit) into series, one per province × program × metric (× unit), and gives each series its latest
figure with the history leading to it: a province's neighbourhood count for a program that went from 67 to 300 has
latest 300 and history [67, 300], each point with its date and fact id. Points are ordered by publication time,
then by position in the article («از ۶۷ به ۳۰۰»: 67 first). With ``timeline``, it also gives per metric and Jalali
month (``1404-01``) the number of facts, their total and their largest figure. The filter language applies;
by default only counted facts of relevant articles (a syndicated figure counts once). A computation goes over every
selected fact (seconds for a million: filter by province or program); its result is reused for the same filter for
:data:`STATS_TTL` seconds, then answered as it was while a background thread computes it again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace
from typing import Annotated, Any

import jdatetime
import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query

from mahalle_news.config import Settings
from mahalle_news.errors import InputError, Location
from mahalle_news.filters import FactFilter, parse_fact_filter
from mahalle_news.store import Store
from mahalle_news.store.cache import remember
from mahalle_news.store.search import newest_first, program_of, selections
from mahalle_news.web.auth import require
from mahalle_news.web.deps import decode_cursor, encode_cursor, get_settings, get_store
from mahalle_news.web.errors import ERROR_RESPONSES
from mahalle_news.web.models import Month, Point, Series, StatsPage, StatsQuery
from mahalle_news.web.routes.facts import check_limit

router = APIRouter(tags=["stats"], dependencies=[Depends(require("reader"))], responses=ERROR_RESPONSES)

#: The metrics: fact types with a figure (a budget's is in rials).
METRICS = ("neighbourhood_count", "budget", "population", "percentage", "quantity")
SeriesKey = tuple[str, str | None, str | None, str | None]


def _figure(f: Any) -> sa.ColumnElement[Any]:
    return sa.case((f.c.type == "budget", sa.cast(f.c.rials, sa.Float)), else_=f.c.value)


def _unit(f: Any) -> sa.ColumnElement[Any]:
    return sa.case((f.c.type == "quantity", f.c.unit), else_=sa.null())


def jalali_day(day: dt.date) -> str:
    return jdatetime.date.fromgregorian(date=day).strftime("%Y-%m-%d")  # type: ignore[no-any-return]


def _time(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


#: Seconds a computed series or timeline is fresh for the same filter (a full pass over a million facts takes
#: seconds); then it is refreshed in the background: stats may lag the newest facts by this much, plus one pass.
STATS_TTL = 120.0


def _per_metric(conn: sa.Connection, filt: FactFilter) -> list[Any]:
    """The selections of ``filt``, one metric at a time (so that each walks the facts of its type)."""
    return [sel for metric in filt.type for sel in selections(conn, replace(filt, type=(metric,)))]


def series_points(store: Store, filt: FactFilter, history: int) -> dict[SeriesKey, tuple[int, list[Point]]]:
    """Per series: its number of facts and its latest ``history`` points, oldest first. One pass over each
    metric's facts, newest first in index order (undated ones last, as the oldest): no sort, no window."""
    counts: dict[SeriesKey, int] = {}
    newest: dict[SeriesKey, list[Any]] = {}
    with store.transaction("computing series") as conn:
        for sel in _per_metric(conn, filt):
            f = sel.f
            order = newest_first(conn, f)
            query = (
                sa.select(f.c.type, f.c.province, program_of(f), _unit(f), _figure(f), f.c.id, f.c.article_id,
                          sa.type_coerce(f.c.published_at, sa.Text))  # parsed for kept points only
                .select_from(sel.source)
                .where(*sel.where, _figure(f).is_not(None))
                .order_by(order, f.c.id.desc())
                .execution_options(yield_per=5000)
            )  # fmt: skip
            for row in conn.execute(query):
                key: SeriesKey = (row[0], row[1], row[2], row[3])
                counts[key] = counts.get(key, 0) + 1
                points = newest.setdefault(key, [])
                if len(points) < history:
                    points.append(row[4:])
    out: dict[SeriesKey, tuple[int, list[Point]]] = {}
    for key, rows in newest.items():
        points = []
        for figure, fact_id, article_id, published_at in reversed(rows):
            published = _time(published_at)
            day = jalali_day(published.date()) if published else None
            points.append(Point(value=figure, fact_id=fact_id, article_id=article_id, published=published, jalali=day))
        out[key] = (counts[key], points)
    return out


def timeline(store: Store, filt: FactFilter) -> list[Month]:
    """Per metric and Jalali month of publication (UTC day): facts, their total and their largest figure."""
    months: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0.0, float("-inf")])
    with store.transaction("computing timelines") as conn:
        for sel in _per_metric(conn, filt):
            f = sel.f
            if conn.dialect.name == "postgresql":
                day: sa.ColumnElement[Any] = sa.cast(sa.func.timezone("UTC", f.c.published_at), sa.Date)
            else:
                day = sa.func.date(f.c.published_at)
            figure = _figure(f)
            query = (
                sa.select(f.c.type, day.label("day"), sa.func.count(), sa.func.sum(figure), sa.func.max(figure))
                .select_from(sel.source)
                .where(*sel.where, figure.is_not(None), f.c.published_at.is_not(None))
                .group_by(f.c.type, day)
            )
            for kind, when, n, total, top in conn.execute(query):
                when = when if isinstance(when, dt.date) else dt.date.fromisoformat(str(when))
                cell = months[(kind, jalali_day(when)[:7])]
                cell[0] += n
                cell[1] += float(total or 0)
                cell[2] = max(cell[2], float(top))
    order = {m: i for i, m in enumerate(METRICS)}
    return [
        Month(month=month, metric=metric, facts=int(c[0]), total=c[1], max=c[2])
        for (metric, month), c in sorted(months.items(), key=lambda kv: (order[kv[0][0]], kv[0][1]))
    ]


def _sort_key(key: SeriesKey) -> tuple[int, str, str, str]:
    return (METRICS.index(key[0]), key[1] or "", key[2] or "", key[3] or "")


def stats_filter(query: StatsQuery) -> FactFilter:
    """The facts ``query`` selects: its filter, restricted to the metrics it names (default: all)."""
    metrics = tuple(dict.fromkeys(m.strip() for item in query.metric for m in item.split(",") if m.strip()))
    for m in metrics:
        if m not in METRICS:
            raise InputError(f"{m!r} is not one of {', '.join(METRICS)}", location=Location(field="metric"))
    filt = parse_fact_filter(query.filter_params())
    wanted = tuple(t for t in metrics or METRICS if not filt.type or t in filt.type)
    if not wanted:
        raise InputError("none of the given types is a metric", location=Location(field="type"))
    return replace(filt, type=wanted)


def cached_series(store: Store, filt: FactFilter, history: int) -> dict[SeriesKey, tuple[int, list[Point]]]:
    """:func:`series_points`, reused for :data:`STATS_TTL` seconds (then refreshed in the background)."""
    return remember(
        ("series", store.url, filt, history), STATS_TTL, lambda: series_points(store, filt, history), refresh_stale=True
    )


def cached_timeline(store: Store, filt: FactFilter) -> list[Month]:
    """:func:`timeline`, reused like :func:`cached_series`."""
    return remember(("timeline", store.url, filt), STATS_TTL, lambda: timeline(store, filt), refresh_stale=True)


@router.get("/v1/stats", response_model=StatsPage, summary="Latest figures, their history, monthly timelines")
def read_stats(
    query: Annotated[StatsQuery, Query()],
    store: Annotated[Store, Depends(get_store)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> StatsPage:
    """The latest figure of each province × program × metric with its history (series, paginated by metric,
    province, program, unit), and monthly timelines by Jalali month."""
    limit = check_limit(query.limit, settings)
    filt = stats_filter(query)
    after: tuple[int, str, str, str] | None = None
    if query.cursor is not None:
        values = decode_cursor(query.cursor, 5)
        if values[0] != "stats" or not all(isinstance(v, str) for v in values[2:]) or not isinstance(values[1], int):
            raise InputError("not a cursor of this list", location=Location(field="cursor"))
        after = (values[1], values[2], values[3], values[4])
    found = cached_series(store, filt, query.history)
    keys = sorted((k for k in found if after is None or _sort_key(k) > after), key=_sort_key)
    items = []
    for key in keys[:limit]:
        n, points = found[key]
        items.append(
            Series(metric=key[0], province=key[1], program=key[2], unit=key[3], facts=n, latest=points[-1],
                   history=points)
        )  # fmt: skip
    cursor = encode_cursor(["stats", *_sort_key(keys[limit - 1])]) if len(keys) > limit else None
    months = cached_timeline(store, filt) if query.timeline else None
    return StatsPage(items=items, next_cursor=cursor, limit=limit, timeline=months)
