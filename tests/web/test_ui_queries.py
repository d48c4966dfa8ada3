"""The dashboard's reads, on both backends: the latest figure of each province × program (however many of the
newest are marked superseded), and the cached dashboard recomputed once a fact is added."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mahalle_news.store import Store
from mahalle_news.web.ui import queries
from tests.db import pg_schema, store_url  # noqa: F401  (fixtures: SQLite and PostgreSQL)
from tests.store.helpers import fact, make_article, with_sources

PROGRAM = "طرح ملی ۲۰۲۰ محله"


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:  # noqa: F811
    with Store.open(store_url) as s:
        yield with_sources(s)


def _save(store: Store, n: int, facts: list[dict[str, Any]]) -> None:
    store.save_article(make_article(n), facts, [f"a{n}:{i}" for i in range(len(facts))])


@pytest.mark.parametrize("superseded", [0, 1, 4, 5, 7])
def test_ui_queries_latest_figure_skips_superseded_ones(store: Store, superseded: int) -> None:
    """Article n (published n minutes in) reports 100 + n neighbourhoods and a budget; its newest ``superseded``
    counts are marked superseded by their articles («از … به …»)."""
    articles = 7
    for n in range(1, articles + 1):
        status = "superseded" if n > articles - superseded else "current"
        _save(store, n, [fact(value=100 + n, status=status), fact("budget", program=PROGRAM, rials=n * 10**9)])
    (entry,) = queries.latest_figures(store)
    assert (entry["province"], entry["program"]) == ("آذربایجان شرقی", PROGRAM)
    expected = None if superseded == articles else 100 + articles - superseded
    assert (entry["count"] or {}).get("value") == expected
    assert entry["budget"]["rials"] == articles * 10**9
    assert entry["updated"] == make_article(articles).published_at


def test_ui_queries_latest_figures_per_province_and_program(store: Store) -> None:
    _save(store, 1, [fact(value=10), fact(value=20, program="طرح کرامت"), fact(value=30, province="کرمان")])
    _save(store, 2, [fact(value=11)])
    found = {(e["province"], e["program"]): e["count"]["value"] for e in queries.latest_figures(store)}
    assert found == {("آذربایجان شرقی", PROGRAM): 11, ("آذربایجان شرقی", "طرح کرامت"): 20, ("کرمان", PROGRAM): 30}
    assert [e["province"] for e in queries.latest_figures(store, "کرمان")] == ["کرمان"]


def test_ui_queries_dashboard_is_recomputed_when_a_fact_is_added(store: Store) -> None:
    _save(store, 1, [fact(value=101)])
    figures, timelines = queries.dashboard(store)
    assert figures[0]["count"]["value"] == 101 and timelines
    assert queries.dashboard(store)[0] is figures  # reused while nothing is added
    _save(store, 2, [fact(value=102)])
    assert queries.dashboard(store)[0][0]["count"]["value"] == 102
