"""``GET /v1/programs`` and ``/v1/officials``: what the facts name, with counts that agree with fact search."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import get_error, get_ok


def every_item(api: TestClient, path: str, limit: int, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = get_ok(api, path, limit=limit, **params, **({"cursor": cursor} if cursor else {}))
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def test_programs_list_with_counts_that_match_fact_search(api: TestClient) -> None:
    programs = every_item(api, "/v1/programs", 3)
    names = [p["name"] for p in programs]
    assert {"طرح ملی ۲۰۲۰ محله", "طرح کرامت", "طرح اقدام مدیریت محله‌محور", "دفاتر تسهیلگری"} <= set(names)
    assert len(names) == len(set(names))
    assert [p["facts"] for p in programs] == sorted((p["facts"] for p in programs), reverse=True)
    assert programs == get_ok(api, "/v1/programs", limit=200)["items"]
    national = next(p for p in programs if p["name"] == "طرح ملی ۲۰۲۰ محله")
    assert sum(c["count"] for c in national["types"]) == national["facts"]
    assert sum(c["count"] for c in national["provinces"]) == national["facts"]
    assert {"program", "neighbourhood_count"} <= {c["value"] for c in national["types"]}
    assert national["first_published"] <= national["last_published"]
    assert get_ok(api, "/v1/facts", limit=1, program=national["name"])["total"] == national["facts"]
    linked = get_ok(api, national["links"]["facts"] + "&limit=1")
    assert linked["total"] == national["facts"]


@pytest.mark.parametrize("province", ["خراسان رضوی", "استان فارس"])
def test_programs_narrowed_by_the_filter_language(api: TestClient, province: str) -> None:
    programs = get_ok(api, "/v1/programs", province=province, limit=200)["items"]
    assert programs
    for program in programs:
        assert [c["value"] for c in program["provinces"]] == [province.removeprefix("استان ")]
        total = get_ok(api, "/v1/facts", limit=1, province=province, program=program["name"])["total"]
        assert total == program["facts"]


def test_programs_of_one_type(api: TestClient) -> None:
    budgets = get_ok(api, "/v1/programs", type="budget", limit=200)["items"]
    assert budgets and all([c["value"] for c in p["types"]] == ["budget"] for p in budgets)


def test_officials_with_roles_and_provinces(api: TestClient) -> None:
    officials = every_item(api, "/v1/officials", 25)
    assert len(officials) > 20
    for official in officials[:10]:
        assert official["roles"] and official["provinces"]
        assert sum(c["count"] for c in official["roles"]) == official["facts"]
        facts = get_ok(api, "/v1/facts", limit=200, official=official["name"])["items"]
        assert official["facts"] <= len(facts)  # a name can be part of a longer one
        assert all(f["type"] == "official" for f in facts)
    governors = get_ok(api, "/v1/officials", official="استاندار", limit=200)["items"]
    assert governors and all(any("استاندار" in r["value"] for r in g["roles"]) for g in governors)


def test_officials_by_province_and_spelling(api: TestClient) -> None:
    one = get_ok(api, "/v1/officials", province="آذربايجان شرقي", limit=200)["items"]
    other = get_ok(api, "/v1/officials", province="آذربایجان شرقی", limit=200)["items"]
    assert one == other


def test_catalog_bad_input(api: TestClient) -> None:
    for path in ("/v1/programs", "/v1/officials"):
        assert get_error(api, path, 422, cursor="WyJ4IiwxLCJ5Il0")["location"] == {"field": "cursor"}
        assert get_error(api, path, 422, sort="value_desc")["location"] == {"field": "sort"}
        assert get_error(api, path, 422, limit=201)["location"] == {"field": "limit"}
    assert get_ok(api, "/v1/officials", type="budget")["items"] == []


def test_catalog_with_many_text_matches_counts_them_all(api: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full-text query matching more articles than facets count over still selects all of them here."""
    from mahalle_news.store import search

    monkeypatch.setattr(search, "TEXT_IDS", 2)
    params = {"q": "محله", "relevant": "any", "date_to": "1405-12-29"}
    programs = get_ok(api, "/v1/programs", limit=200, **params)["items"]
    facts, cursor = [], None
    while True:
        page = get_ok(api, "/v1/facts", limit=200, facets="false", **params, **({"cursor": cursor} if cursor else {}))
        facts += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    named = Counter(f["name"] if f["type"] == "program" else f["program"] for f in facts)
    assert programs and {p["name"]: p["facts"] for p in programs} == {k: n for k, n in named.items() if k}
