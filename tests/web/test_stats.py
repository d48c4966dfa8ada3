"""``GET /v1/stats``: the latest figure of each province × program × metric with its history, and monthly
timelines by Jalali month, over counted facts of relevant articles."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import jdatetime
import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import get_error, get_ok

DATED = {"date_from": "2000-01-01"}  # leaves out our undated article (the timeline cannot place it)


def every_series(api: TestClient, limit: int, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = get_ok(
            api, "/v1/stats", limit=limit, timeline="false", **params, **({"cursor": cursor} if cursor else {})
        )
        assert page["timeline"] is None
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def test_stats_latest_figure_with_its_history(api: TestClient) -> None:
    """«از ۱۵۰ به ۲۳۰ محله»: one article, two figures of one series; history keeps their order."""
    page = get_ok(api, "/v1/stats", province="خراسان رضوی", program="۲۰۲۰ محله", metric="neighbourhood_count")
    (series,) = page["items"]
    assert (series["metric"], series["province"], series["program"]) == (
        "neighbourhood_count", "خراسان رضوی", "طرح ملی ۲۰۲۰ محله"
    )  # fmt: skip
    values = [p["value"] for p in series["history"]]
    assert values[values.index(150) + 1] == 230
    assert series["latest"] == series["history"][-1] and series["facts"] >= len(series["history"])
    published = [p["published"] for p in series["history"]]
    assert published == sorted(published)
    for point in series["history"]:
        fact = get_ok(api, f"/v1/facts/{point['fact_id']}")
        assert fact["value"] == point["value"] and fact["article_id"] == point["article_id"]
        assert point["jalali"] == jdatetime.date.fromgregorian(date=_day(point["published"])).strftime("%Y-%m-%d")


def _day(iso: str) -> Any:
    import datetime as dt

    return dt.datetime.fromisoformat(iso).date()


def test_stats_history_is_cut_to_the_latest_points(api: TestClient) -> None:
    full = get_ok(api, "/v1/stats", metric="neighbourhood_count", history=100, limit=200)["items"]
    short = get_ok(api, "/v1/stats", metric="neighbourhood_count", history=1, limit=200)["items"]
    assert [s["latest"] for s in full] == [s["latest"] for s in short]
    assert all(len(s["history"]) == 1 for s in short) and any(len(s["history"]) > 1 for s in full)


def test_stats_budgets_are_in_rials(api: TestClient) -> None:
    for series in get_ok(api, "/v1/stats", metric="budget", limit=20)["items"]:
        fact = get_ok(api, f"/v1/facts/{series['latest']['fact_id']}")
        assert fact["type"] == "budget" and series["latest"]["value"] == fact["rials"]


def test_stats_series_count_what_fact_search_counts(api: TestClient) -> None:
    series = every_series(api, 7)
    assert len({(s["metric"], s["province"], s["program"], s["unit"]) for s in series}) == len(series)
    assert {s["metric"] for s in series} == {"neighbourhood_count", "budget", "population", "percentage", "quantity"}
    per_metric = Counter()
    for s in series:
        per_metric[s["metric"]] += s["facts"]
    for metric, n in per_metric.items():
        assert get_ok(api, "/v1/facts", limit=1, type=metric)["total"] == n
    assert any(s["unit"] for s in series if s["metric"] == "quantity")
    assert all(s["unit"] is None for s in series if s["metric"] != "quantity")


def test_stats_timeline_by_jalali_month(api: TestClient) -> None:
    page = get_ok(api, "/v1/stats", limit=200, **DATED)
    months = page["timeline"]
    assert months and all(re.fullmatch(r"14\d\d-(0[1-9]|1[0-2])", m["month"]) for m in months)
    per_metric = Counter()
    for m in months:
        per_metric[m["metric"]] += m["facts"]
        assert m["max"] <= m["total"] or m["total"] < 0
    series = every_series(api, 200, **DATED)
    for metric in per_metric:
        assert per_metric[metric] == sum(s["facts"] for s in series if s["metric"] == metric)
    # a month holds the facts the same Jalali month's date filter selects
    month = next(m for m in months if m["metric"] == "budget")
    year, number = (int(x) for x in month["month"].split("-"))
    last = jdatetime.j_days_in_month[number - 1] if number < 12 else (30 if jdatetime.date(year, 1, 1).isleap() else 29)
    span = {"date_from": f"{month['month']}-01", "date_to": f"{month['month']}-{last:02d}"}
    assert get_ok(api, "/v1/facts", limit=1, type="budget", **span)["total"] == month["facts"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"metric": "happiness"}, "metric"),
        ({"type": "official"}, "type"),
        ({"history": 0}, "history"),
        ({"history": 101}, "history"),
        ({"cursor": "WyJzdGF0cyJd"}, "cursor"),
        ({"limit": 500}, "limit"),
        ({"province": "ناکجا"}, "province"),
        ({"timeline": "sometimes"}, "timeline"),
    ],
)
def test_stats_bad_input(api: TestClient, params: dict[str, Any], field: str) -> None:
    assert get_error(api, "/v1/stats", 422, **params)["location"] == {"field": field}
