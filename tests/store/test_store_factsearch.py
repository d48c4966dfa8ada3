"""Fact and article search (:mod:`mahalle_news.store.search`) on SQLite and PostgreSQL, over the demo news web
really ingested: every filter, sort and page is checked against the filter language's own Python definition
(:meth:`FactFilter.matches`) applied to every stored fact, so SQL and Python cannot drift apart."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from mahalle_news.errors import InputError
from mahalle_news.filters import FactFilter, parse_fact_filter, text_terms
from mahalle_news.store import Store
from mahalle_news.store import search as search_module
from mahalle_news.store.search import get_fact, key_from_json, key_json, search_facts
from mahalle_news.store.search_articles import article_detail, search_articles
from mahalle_news.text.search import search_words
from tests.db import BACKENDS
from tests.web.conftest import OWN_ARTICLES, backend_url, fill_search_store

SORT_COLUMN = {"published": "published_at", "value": "value", "rials": "rials"}


@pytest.fixture(scope="module", params=BACKENDS)
def filled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The demo store, filled once per backend."""
    with backend_url(request.param, tmp_path_factory) as url, Store.open(url) as store:
        yield fill_search_store(store)


@dataclasses.dataclass
class Oracle:
    facts: list[dict[str, Any]]
    articles: dict[int, dict[str, Any]]

    def select(self, filt: FactFilter) -> list[dict[str, Any]]:
        """The facts ``filt`` selects, by the filter language's Python definition (``q``: every word in one of its
        spellings, the parts of a compound in a row)."""
        plain = dataclasses.replace(filt, q=None)
        out = []
        for fact in self.facts:
            article = self.articles[fact["article_id"]]
            if plain.matches(fact, article) and (not filt.q or has_text(article["words"], filt.q)):
                out.append(fact)
        return out

    def ids(self, filt: FactFilter) -> list[int]:
        name, _, direction = filt.sort.rpartition("_")
        column, desc = SORT_COLUMN[name], direction == "desc"
        rows = self.select(filt)
        keyed = sorted((r for r in rows if r[column] is not None), key=lambda r: (r[column], r["id"]), reverse=desc)
        unkeyed = sorted((r["id"] for r in rows if r[column] is None), reverse=desc)
        return [r["id"] for r in keyed] + unkeyed


def has_text(words: list[str], q: str) -> bool:
    def phrase_in(phrase: tuple[str, ...]) -> bool:
        n = len(phrase)
        return any(tuple(words[i : i + n]) == phrase for i in range(len(words) - n + 1))

    return all(any(phrase_in(p) for p in alternatives) for alternatives in text_terms(q))


@pytest.fixture(scope="module")
def oracle(filled: Store) -> Oracle:
    articles = {
        row["id"]: {**row, "search_words": search_words(row["text"]), "words": search_words(row["text"])}
        for row in filled.iter_article_rows()
    }
    return Oracle(list(filled.iter_fact_rows()), articles)


def all_pages(store: Store, filt: FactFilter, limit: int) -> list[int]:
    ids: list[int] = []
    after = None
    for _ in range(1000):
        page = search_facts(store, filt, limit=limit, after=after, facets=False)
        assert len(page.rows) <= limit
        ids += [row["id"] for row in page.rows]
        if page.next_key is None:
            return ids
        assert len(page.rows) == limit
        # the key goes through a cursor as the API sends it
        after = key_from_json(filt.sort, [filt.sort, key_json(filt.sort, page.next_key[0]), page.next_key[1]])
    raise AssertionError("no last page")


FILTERS = [
    {},
    {"type": "budget"},
    {"province": "استان خراسان رضوی"},
    {"type": "neighbourhood_count", "province": "فارس"},
    {"program": "۲۰۲۰ محله"},
    {"program": "کرامت,مدیریت محله‌محور", "type": "program,neighbourhood_count"},
    {"official": "مقدم"},
    {"official": "استاندار"},
    {"q": "کم‌برخوردار"},
    {"q": "كم برخوردار محله"},
    {"q": "شورای پیشرفت"},
    {"date_from": "1403-01-01", "date_to": "1403-12-29"},
    {"value_min": "۱۰۰", "type": "neighbourhood_count"},
    {"rials_min": "1000000000000"},
    {"relevant": "any", "counted": "any"},
    {"relevant": "false"},
    {"source": "irna-rss-latest,isna-rss-latest"},
    {"counted": "false", "relevant": "any"},
]


@pytest.mark.parametrize("params", FILTERS, ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()) or "all")
def test_factsearch_filters_match_the_filter_language(filled: Store, oracle: Oracle, params: dict[str, str]) -> None:
    filt = parse_fact_filter(params)
    expected = oracle.ids(filt)
    assert all_pages(filled, filt, limit=9) == expected
    page = search_facts(filled, filt, limit=5)
    assert [r["id"] for r in page.rows] == expected[:5]
    assert page.facets is not None and page.facets.exact and page.facets.total == len(expected)
    rows = oracle.select(filt)
    assert dict(page.facets.type) == dict(Counter(r["type"] for r in rows))
    assert dict(page.facets.province) == dict(Counter(r["province"] for r in rows))
    programs = Counter(r["name"] if r["type"] == "program" else r["program"] for r in rows)
    assert dict(page.facets.program) == dict(programs)
    assert [n for _, n in page.facets.province] == sorted((n for _, n in page.facets.province), reverse=True)


def test_factsearch_filters_are_not_vacuous(oracle: Oracle) -> None:
    for params in FILTERS:
        if params.get("relevant") != "false":
            assert oracle.ids(parse_fact_filter(params)), params


@pytest.mark.parametrize("sort", ["published_desc", "published_asc", "value_desc", "value_asc", "rials_desc",
                                  "rials_asc"])  # fmt: skip
@pytest.mark.parametrize("params", [{}, {"program": "۲۰۲۰ محله"}, {"q": "کمبرخوردار", "relevant": "any"}])
def test_factsearch_sorts_paginate_by_key_then_id_missing_last(
    filled: Store, oracle: Oracle, sort: str, params: dict[str, str]
) -> None:
    filt = parse_fact_filter({**params, "sort": sort})
    expected = oracle.ids(filt)
    assert all_pages(filled, filt, limit=11) == expected
    column = SORT_COLUMN[sort.rpartition("_")[0]]
    by_id = {f["id"]: f for f in oracle.facts}
    keys = [by_id[i][column] for i in expected]
    if None in keys:  # the facts without the key come last
        assert all(k is None for k in keys[keys.index(None) :])


def test_factsearch_undated_facts_come_last(filled: Store, oracle: Oracle) -> None:
    undated = [f["id"] for f in oracle.facts if f["published_at"] is None]
    assert undated, "the first of our own articles has no publication date"
    ids = all_pages(filled, parse_fact_filter({"relevant": "any"}), limit=50)
    assert ids[-len(undated) :] == sorted(undated, reverse=True)


@pytest.mark.parametrize("q", ["کم‌برخوردار", "کمبرخوردار", "كم برخوردار", "كم‌برخوردار"])
def test_factsearch_compound_spellings_find_each_other(filled: Store, oracle: Oracle, q: str) -> None:
    """The three own articles spell «کم‌برخوردار» three ways; each spelling finds all three."""
    filt = parse_fact_filter({"q": q, "relevant": "any", "counted": "any"})
    by_id = {f["id"]: f for f in oracle.facts}
    found = {by_id[i]["article_id"] for i in all_pages(filled, filt, limit=100)}
    own = {a["id"] for a in oracle.articles.values() if a["url"].startswith("https://hamshahri.demo/news/search-")}
    assert len(own) == len(OWN_ARTICLES)
    with_facts = {a for a in own if any(f["article_id"] == a for f in oracle.facts)}
    assert with_facts and with_facts <= found


def test_factsearch_jalali_and_gregorian_dates_agree(filled: Store) -> None:
    jalali = search_facts(filled, parse_fact_filter({"date_from": "۱۴۰۳/۰۱/۰۱", "date_to": "1403-06-31"}), limit=200)
    gregorian = search_facts(filled, parse_fact_filter({"date_from": "2024-03-20", "date_to": "2024-09-21"}), limit=200)
    assert jalali.rows and [r["id"] for r in jalali.rows] == [r["id"] for r in gregorian.rows]
    for row in jalali.rows:
        assert dt.datetime(2024, 3, 20, tzinfo=dt.UTC) <= row["published_at"] < dt.datetime(2024, 9, 22, tzinfo=dt.UTC)


def test_factsearch_caps_facet_counts(filled: Store, oracle: Oracle, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_module, "FACET_CAP", 10)
    filt = parse_fact_filter({})
    page = search_facts(filled, filt, limit=3)
    assert page.facets is not None and not page.facets.exact and page.facets.total == 10
    by_id = {f["id"]: f for f in oracle.facts}
    ordered = oracle.ids(filt)  # newest first, undated last (SQLite's index order); PostgreSQL's puts them first
    if filled.dialect == "postgresql":
        undated = [i for i in ordered if by_id[i]["published_at"] is None]
        ordered = [*undated, *(i for i in ordered if i not in undated)]
    assert dict(page.facets.type) == dict(Counter(by_id[i]["type"] for i in ordered[:10]))
    small = search_facts(filled, parse_fact_filter({"type": "budget", "province": "کرمان"}), limit=3)
    assert small.facets is not None and small.facets.exact == (small.facets.total < 10)


@pytest.mark.parametrize(("text_ids", "dense"), [(2, 1.0), (2, 0.0), (10_000, 1.0)])
def test_factsearch_text_plans_agree(
    filled: Store, oracle: Oracle, monkeypatch: pytest.MonkeyPatch, text_ids: int, dense: float
) -> None:
    """A full-text query runs from its article ids, a sub-query, or (SQLite, many matches) FTS5 lookups per row:
    the same facts every way."""
    monkeypatch.setattr(search_module, "TEXT_IDS", text_ids)
    monkeypatch.setattr(search_module, "DENSE_TEXT", dense)
    for q in ("محله", "کم‌برخوردار", "طرح ملی"):
        filt = parse_fact_filter({"q": q, "relevant": "any"})
        assert all_pages(filled, filt, limit=13) == oracle.ids(filt), q
        page = search_facts(filled, filt, limit=1)
        assert page.facets is not None and page.facets.exact == (text_ids > 100)


def test_factsearch_nothing_matches(filled: Store) -> None:
    for params in ({"q": "واژه‌ای‌که‌نیست"}, {"official": "کسی‌که‌نیست"}, {"type": "official", "program": "کرامت"}):
        page = search_facts(filled, parse_fact_filter(params), limit=10)
        assert page.rows == [] and page.next_key is None
        assert page.facets is not None and page.facets.total == 0 and page.facets.exact


def test_factsearch_query_without_words_is_no_condition(filled: Store) -> None:
    everything = search_facts(filled, parse_fact_filter({}), limit=5)
    punctuation = search_facts(filled, parse_fact_filter({"q": "«» ، ؟"}), limit=5)
    assert [r["id"] for r in punctuation.rows] == [r["id"] for r in everything.rows]


def test_factsearch_official_needs_two_letters(filled: Store) -> None:
    with pytest.raises(InputError) as err:
        search_facts(filled, parse_fact_filter({"official": "ی"}), limit=5)
    assert err.value.location is not None and err.value.location.field == "official"


@pytest.mark.parametrize(
    "values",
    [["value_desc", 3.0, 5], ["published_desc", "yesterday", 5], ["published_desc", None, -1], ["published_desc"],
     ["rials_desc", 1.5, 3], ["published_desc", None, True]],
)  # fmt: skip
def test_factsearch_cursor_of_another_search_is_refused(values: list[Any]) -> None:
    with pytest.raises(InputError) as err:
        key_from_json("published_desc" if values[0] != "rials_desc" else "rials_desc", values)
    assert err.value.location is not None and err.value.location.field == "cursor"


def test_factsearch_get_fact(filled: Store, oracle: Oracle) -> None:
    fact = oracle.facts[0]
    row = get_fact(filled, fact["id"])
    assert row is not None and row["sentence"] == fact["sentence"] and row["url"] == fact["url"]
    assert get_fact(filled, 2**31 - 1) is None


def test_articlesearch_matches_fields_and_pages(filled: Store, oracle: Oracle) -> None:
    for params in ({}, {"q": "كم برخوردار", "relevant": "any"}, {"province": "زنجان"}, {"source": "mehr-rss-latest"}):
        filt = parse_fact_filter(params)
        expected = [
            a["id"]
            for a in sorted(
                oracle.articles.values(),
                key=lambda a: (a["published_at"] is not None, a["published_at"] or dt.datetime.min, a["id"]),
            )
            if (filt.relevant is None or bool(a["relevant"]) == filt.relevant)
            and (not filt.province or a["province"] in filt.province)
            and (not filt.source or a["source_id"] in filt.source)
            and (not filt.q or has_text(a["words"], filt.q))
        ]
        dated = [i for i in expected if oracle.articles[i]["published_at"] is not None]
        expected = dated[::-1] + sorted(set(expected) - set(dated), reverse=True)
        ids: list[int] = []
        after = None
        while True:
            page = search_articles(filled, filt, limit=7, after=after)
            ids += [r["id"] for r in page.rows]
            if page.next_key is None:
                break
            after = page.next_key
        assert ids == expected and ids, params
        assert all(r["fact_count"] == sum(f["article_id"] == r["id"] for f in oracle.facts) for r in page.rows)


def test_articlesearch_story_lists_syndicated_copies(filled: Store, oracle: Oracle) -> None:
    sizes = Counter(a["story_id"] for a in oracle.articles.values())
    story = next(s for s, n in sizes.items() if n >= 3)
    page = search_articles(filled, parse_fact_filter({"story": str(story), "relevant": "any"}), limit=10)
    assert sorted(r["id"] for r in page.rows) == sorted(
        a["id"] for a in oracle.articles.values() if a["story_id"] == story
    )
    detail = article_detail(filled, page.rows[0]["id"])
    assert detail is not None and len(detail.story) == sizes[story]
    assert {m["source_id"] for m in detail.story} == {r["source_id"] for r in page.rows}


def test_article_detail_facts_index_its_text(filled: Store, oracle: Oracle) -> None:
    article = next(a for a in oracle.articles.values() if sum(f["article_id"] == a["id"] for f in oracle.facts) > 4)
    detail = article_detail(filled, article["id"])
    assert detail is not None and detail.article["text"] == article["text"]
    assert [f["seq"] for f in detail.facts] == sorted(f["seq"] for f in detail.facts)
    for fact in detail.facts:
        start, end = fact["span_start"], fact["span_end"]
        assert fact["sentence_start"] <= start < end <= fact["sentence_end"]
        assert article["text"][start:end] in article["text"][fact["sentence_start"] : fact["sentence_end"]]
    assert article_detail(filled, 2**31 - 1) is None


@pytest.mark.parametrize(
    "params",
    [{}, {"type": "budget"}, {"province": "فارس"}, {"type": "budget", "province": "تهران"}, {"program": "۲۰۲۰ محله"},
     {"date_from": "1403-01-01"}, {"official": "مقدم"}, {"sort": "rials_desc", "type": "budget"}, {"q": "محله"},
     {"sort": "value_desc", "type": "neighbourhood_count", "province": "فارس"}],
)  # fmt: skip
def test_factsearch_sqlite_pages_walk_a_covering_index(filled: Store, params: dict[str, str]) -> None:
    """Query plans: a page walks an index in its order (no sort of the whole selection), inside the index."""
    if filled.dialect != "sqlite":
        pytest.skip("SQLite plans; PostgreSQL plans for itself")
    statements: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        statements.append((statement, parameters))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        search_facts(filled, parse_fact_filter(params), limit=20)
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)
    pages = [(s, p) for s, p in statements if "ORDER BY" in s and "INDEXED BY" in s and "count(*)" not in s]
    assert pages
    with filled.transaction("explaining") as conn:
        for statement, parameters in pages[:1]:
            plan = [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
            if "q" not in params:  # a full-text query with few matches sorts their facts: a few hundred
                assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
            assert any("USING COVERING INDEX ix_facts_s_" in step for step in plan), plan
            if params.get("sort") == "value_desc":  # one type's values, not every larger figure of the others
                assert any("COVERING INDEX ix_facts_s_type_value (type=? AND value>?)" in step for step in plan), plan
