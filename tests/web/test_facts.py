"""``GET /v1/facts`` and ``/v1/facts/{id}`` over the ingested demo news web: filters in Persian spellings,
keyset pagination, facets, links, and every kind of bad input answered in the error envelope."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mahalle_news.store import Store
from mahalle_news.web.models import FactPage
from tests.web.conftest import get_error, get_ok, make_search_app


def every_page(api: TestClient, limit: int, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(500):
        page = get_ok(api, "/v1/facts", limit=limit, facets="false", **params, **({"cursor": cursor} if cursor else {}))
        assert page["facets"] is None and page["total"] is None and len(page["items"]) <= limit
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("no last page")


def ids(items: list[dict[str, Any]]) -> list[int]:
    return [item["fact_id"] for item in items]


@pytest.mark.parametrize(
    "spellings",
    [
        {"province": ["كرمان", "استان کرمان", "کرمان"]},
        {"province": ["آذربايجان شرقي", "آذربایجان‌شرقی"]},
        {"date_from": ["1403-01-01", "۱۴۰۳/۰۱/۰۱", "2024-03-20"]},
        {"date_to": ["1403-06-31", "۱۴۰۳-۰۶-۳۱", "2024-09-21"]},
        {"program": ["۲۰۲۰ محله", "طرح ملي ۲۰۲۰ محله", "طرح ملی ۲۰۲۰ محله"]},
        {"q": ["کم‌برخوردار", "کمبرخوردار", "كم برخوردار"]},
        {"value_min": ["۱۰۰", "100", "١٠٠"]},
        {"rials_min": ["۱٬۰۰۰٬۰۰۰٬۰۰۰٬۰۰۰", "1000000000000"]},
    ],
    ids=lambda s: next(iter(s)),
)
def test_facts_persian_spellings_select_the_same_facts(api: TestClient, spellings: dict[str, list[str]]) -> None:
    (name, values), = spellings.items()  # fmt: skip
    pages = [get_ok(api, "/v1/facts", limit=200, **{name: v}) for v in values]
    assert pages[0]["items"], "a filter that selects nothing proves nothing"
    for page in pages[1:]:
        assert ids(page["items"]) == ids(pages[0]["items"]) and page["facets"] == pages[0]["facets"]


def test_facts_filters_hold_on_every_item(api: TestClient) -> None:
    page = get_ok(api, "/v1/facts", limit=200, type="budget,neighbourhood_count", province="خراسان رضوی,فارس")
    assert page["items"]
    for item in page["items"]:
        assert item["type"] in ("budget", "neighbourhood_count") and item["province"] in ("خراسان رضوی", "فارس")
        assert item["counted"] is True
    big = get_ok(api, "/v1/facts", limit=200, type="budget", rials_min="1000000000000")["items"]
    assert big and all(item["rials"] >= 10**12 for item in big)


@pytest.mark.parametrize("sort", ["published_desc", "published_asc", "value_desc", "rials_asc"])
def test_facts_pages_follow_the_cursor(api: TestClient, sort: str) -> None:
    whole = get_ok(api, "/v1/facts", limit=200, sort=sort, relevant="any", type="budget,population")
    assert whole["next_cursor"] is None and whole["total"] == len(whole["items"]) and whole["total_exact"]
    paged = every_page(api, 6, sort=sort, relevant="any", type="budget,population")
    assert ids(paged) == ids(whole["items"])


def test_facts_newest_first_by_default(api: TestClient) -> None:
    items = get_ok(api, "/v1/facts", limit=50)["items"]
    published = [item["published"] for item in items]
    assert published == sorted(published, reverse=True)


def test_facts_facets_count_the_whole_selection(api: TestClient) -> None:
    page = get_ok(api, "/v1/facts", limit=3)
    facets, total = page["facets"], page["total"]
    assert len(page["items"]) == 3 and page["next_cursor"] and page["total_exact"]
    for name in ("type", "province", "program"):
        assert sum(c["count"] for c in facets[name]) == total
    # a facet's count is the total of the search narrowed to its value
    for province in [c for c in facets["province"] if c["value"]][:3]:
        assert get_ok(api, "/v1/facts", limit=1, province=province["value"])["total"] == province["count"]
    program = next(c for c in facets["program"] if c["value"] == "طرح ملی ۲۰۲۰ محله")
    assert get_ok(api, "/v1/facts", limit=1, program="۲۰۲۰ محله")["total"] == program["count"]
    types = {c["value"] for c in facets["type"]}
    assert {"neighbourhood_count", "budget", "official", "program"} <= types


@pytest.mark.parametrize("params", [{"facets": "true"}, {"facets": "false", "limit": 3}, {"q": "کم‌برخوردار"}])
def test_facts_page_is_the_models_serialisation(api: TestClient, params: dict[str, str]) -> None:
    """The page is serialised without the model: it must still be exactly what FactPage validates and writes."""
    response = api.get("/v1/facts", params=params)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    page = FactPage.model_validate_json(response.content)
    assert page.items and page.model_dump_json().encode() == response.content


def test_facts_carry_evidence_and_links(api: TestClient) -> None:
    item = get_ok(api, "/v1/facts", limit=1, type="neighbourhood_count")["items"][0]
    start, end = item["span"]
    assert item["sentence"] and item["sentence_span"][0] <= start < end <= item["sentence_span"][1]
    assert item["url"].startswith("https://") and item["source"] and item["published"]
    assert get_ok(api, item["links"]["fact"]) == item
    article = get_ok(api, item["links"]["article"])
    assert article["text"][start:end] and item["fact_id"] in {f["fact_id"] for f in article["facts"]}
    story = api.get(item["links"]["story"]).json()
    assert item["article_id"] in {a["article_id"] for a in story["items"]}


def test_facts_uncounted_repeats_of_a_story(api: TestClient) -> None:
    repeats = get_ok(api, "/v1/facts", limit=200, counted="false", relevant="any")["items"]
    assert repeats and all(not item["counted"] for item in repeats)
    counted = {(i["story_id"], i["type"], i["value"], i["rials"]) for i in every_page(api, 200, relevant="any")}
    assert any((r["story_id"], r["type"], r["value"], r["rials"]) in counted for r in repeats)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 201}, "limit"),
        ({"limit": 0}, "limit"),
        ({"limit": "ده"}, "limit"),
        ({"colour": "blue"}, "colour"),
        ({"date_from": "1403-13-01"}, "date_from"),
        ({"province": "آتلانتیس"}, "province"),
        ({"type": "rumour"}, "type"),
        ({"sort": "newest"}, "sort"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "WyJ4Il0"}, "cursor"),
        ({"facets": "perhaps"}, "facets"),
        ({"q": "ک" * 201}, "q"),
        ({"story": "-3"}, "story"),
        ({"official": "ی"}, "official"),
        ({"value_min": "5", "value_max": "1"}, "value_min"),
    ],
)
def test_facts_bad_input_is_a_422_naming_it(api: TestClient, params: dict[str, Any], field: str) -> None:
    error = get_error(api, "/v1/facts", 422, **params)
    assert error["code"] == "invalid_input" and error["location"] == {"field": field} and error["message"]


def test_facts_cursor_of_another_sort_is_refused(api: TestClient) -> None:
    cursor = get_ok(api, "/v1/facts", limit=2, sort="value_desc")["next_cursor"]
    assert get_error(api, "/v1/facts", 422, cursor=cursor)["location"] == {"field": "cursor"}
    assert get_ok(api, "/v1/facts", limit=2, sort="value_desc", cursor=cursor)["items"]


def test_facts_one_fact_or_404(api: TestClient) -> None:
    assert get_error(api, "/v1/facts/2147483647", 404)["code"] == "not_found"
    assert get_error(api, "/v1/facts/0", 422)["location"] == {"field": "fact_id"}
    assert get_error(api, "/v1/facts/99999999999999999999999", 422)["location"] == {"field": "fact_id"}
    assert get_error(api, "/v1/facts/یک", 422)["location"] == {"field": "fact_id"}


def test_facts_page_size_cap_is_the_setting(search_store: Store) -> None:
    with TestClient(make_search_app(search_store, max_page_size=5)) as client:
        assert len(get_ok(client, "/v1/facts", limit=5)["items"]) == 5
        assert get_error(client, "/v1/facts", 422, limit=6)["location"] == {"field": "limit"}
        assert len(get_ok(client, "/v1/facts")["items"]) == 5  # the default (50) within the cap


def test_facts_need_the_reader_role(search_store: Store) -> None:
    with TestClient(make_search_app(search_store, anonymous_read=False)) as client:
        for path in ("/v1/facts", "/v1/facts/1", "/v1/articles", "/v1/programs", "/v1/officials", "/v1/stats"):
            assert get_error(client, path, 401)["code"] == "unauthorized"


_WORDS = st.sampled_from(["کرمان", "كم برخوردار", "۱۴۰۳-۰۱-۰۱", "1404/13/01", "budget", "۲۰۲۰ محله", "any", "-1", "x"])
_PARAMS = st.dictionaries(
    st.sampled_from(["type", "province", "program", "q", "date_from", "value_min", "rials_max", "story", "official",
                     "relevant", "sort", "limit", "cursor", "facets", "metric", "history"]),
    st.one_of(_WORDS, st.text(max_size=12)),
    max_size=4,
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(["/v1/facts", "/v1/articles", "/v1/programs", "/v1/officials", "/v1/stats"]), params=_PARAMS
)
def test_facts_any_input_is_an_answer_or_a_422(api: TestClient, path: str, params: dict[str, str]) -> None:
    response = api.get(path, params=params)
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert response.json()["error"]["location"]["field"] in params
