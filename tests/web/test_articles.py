"""``GET /v1/articles`` and ``/v1/articles/{id}``: full-text search with Persian folding, keyset pages, the text
with its facts marked, and the story's other sources."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import OWN_ARTICLES, get_error, get_ok


def article_ids(page: dict[str, Any]) -> list[int]:
    return [item["article_id"] for item in page["items"]]


@pytest.mark.parametrize("spelling", ["کم‌برخوردار", "کمبرخوردار", "كم برخوردار", "كم‌برخوردار"])
def test_articles_compound_spellings_find_each_other(api: TestClient, spelling: str) -> None:
    page = get_ok(api, "/v1/articles", q=spelling, relevant="any", limit=200)
    reference = get_ok(api, "/v1/articles", q="کم‌برخوردار", relevant="any", limit=200)
    assert article_ids(page) == article_ids(reference)
    titles = {item["title"] for item in page["items"]}
    assert {title for title, _, _ in OWN_ARTICLES} <= titles  # written glued, with a joiner and apart


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"province": "كردستان"}, lambda a: a["province"] == "کردستان"),
        ({"source": "mehr-rss-latest"}, lambda a: a["source"] == "mehr-rss-latest"),
        ({"relevant": "false"}, lambda a: not a["relevant"]),
        ({"date_from": "1404-01-01"}, lambda a: a["published"] >= "2025-03-21"),
        ({"date_to": "۱۴۰۳/۱۲/۳۰"}, lambda a: a["published"] < "2025-03-21"),
    ],
)
def test_articles_filters(api: TestClient, params: dict[str, str], check: Any) -> None:
    page = get_ok(api, "/v1/articles", limit=200, **params)
    assert page["items"] and all(check(item) for item in page["items"])


def test_articles_pages_follow_the_cursor(api: TestClient) -> None:
    whole = get_ok(api, "/v1/articles", limit=200, relevant="any")
    assert whole["next_cursor"] is None
    for sort in ("published_desc", "published_asc"):
        seen: list[int] = []
        cursor = None
        while True:
            page = get_ok(
                api, "/v1/articles", limit=9, relevant="any", sort=sort, **({"cursor": cursor} if cursor else {})
            )
            seen += article_ids(page)
            cursor = page["next_cursor"]
            if cursor is None:
                break
        expected = article_ids(whole)
        if sort == "published_asc":  # the undated article is last either way
            dated = [i for i, item in zip(expected, whole["items"], strict=True) if item["published"]]
            expected = dated[::-1] + [i for i in expected if i not in dated]
        assert seen == expected


def test_articles_summary_shape(api: TestClient) -> None:
    item = get_ok(api, "/v1/articles", limit=1, q="شورای پیشرفت")["items"][0]
    assert item["lead"] and len(item["lead"]) <= 280 and item["fact_count"] >= 1
    facts = get_ok(api, item["links"]["facts"] + "&limit=200")
    assert len(facts["items"]) == item["fact_count"]


def test_article_detail_marks_its_facts(api: TestClient) -> None:
    params = {"province": "خراسان رضوی", "type": "neighbourhood_count", "value_min": "230", "value_max": "230"}
    first = get_ok(api, "/v1/facts", limit=1, **params)["items"][0]  # «از ۱۵۰ به ۲۳۰ محله»
    article = get_ok(api, f"/v1/articles/{first['article_id']}")
    text = article["text"]
    assert "".join(s["text"] for s in article["segments"]) == text
    assert [s["start"] for s in article["segments"][1:]] == [s["end"] for s in article["segments"][:-1]]
    facts = {f["fact_id"]: f for f in article["facts"]}
    assert len(facts) == article["fact_count"] and first["fact_id"] in facts
    for mark in article["marks"]:
        fact = facts[mark["fact_id"]]
        assert [mark["start"], mark["end"]] == fact["span"] and mark["type"] == fact["type"]
        covered = "".join(s["text"] for s in article["segments"] if mark["fact_id"] in s["fact_ids"])
        assert covered == text[mark["start"] : mark["end"]]
    marked = [s for s in article["segments"] if s["fact_ids"]]
    assert any("۱۵۰" in s["text"] for s in marked) and any("۲۳۰" in s["text"] for s in marked)


def test_article_detail_lists_the_story_s_other_sources(api: TestClient) -> None:
    copies = get_ok(api, "/v1/articles", limit=200, relevant="any")["items"]
    copy = next(item for item in copies if item["duplicate_kind"])
    detail = get_ok(api, f"/v1/articles/{copy['article_id']}")
    others = detail["story_articles"]
    assert others and copy["article_id"] not in {o["article_id"] for o in others}
    assert {o["source"] for o in others} - {copy["source"]}
    story = get_ok(api, copy["links"]["story"] + "&limit=200")
    assert sorted(article_ids(story)) == sorted([copy["article_id"], *(o["article_id"] for o in others)])


def test_articles_bad_input(api: TestClient) -> None:
    assert get_error(api, "/v1/articles", 422, type="budget")["location"] == {"field": "type"}
    assert get_error(api, "/v1/articles", 422, sort="value_desc")["location"] == {"field": "sort"}
    assert get_error(api, "/v1/articles", 422, limit=1000)["location"] == {"field": "limit"}
    assert get_error(api, "/v1/articles", 422, province="ناکجاآباد")["location"] == {"field": "province"}
    assert get_error(api, "/v1/articles", 422, cursor="e30")["location"] == {"field": "cursor"}
    assert get_error(api, "/v1/articles/2147483647", 404)["code"] == "not_found"
    assert get_error(api, "/v1/articles/-1", 422)["location"] == {"field": "article_id"}
