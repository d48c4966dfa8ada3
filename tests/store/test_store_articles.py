"""Saving articles: stories, duplicates, facts and their counted flags, failed pages, transactions."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from mahalle_news.store import Store, StoreError
from mahalle_news.store import articles as article_ops
from tests.store.helpers import T0, fact, make_article, simhash_for


def test_store_save_article_new(store: Store) -> None:
    article = make_article(1)
    saved = store.save_article(article, [fact(), fact("budget")], ["nc:110", "budget:2.5e12"])
    assert (saved.status, saved.facts_stored, saved.facts_counted) == ("new", 2, 2)
    stored = store.get_article(saved.article_id)
    assert stored is not None
    assert (stored.url, stored.url_canonical, stored.text) == (article.url, article.url_canonical, article.text)
    assert stored.simhash == article.simhash and stored.topics == ["neighbourhood", "budget"]
    assert stored.duplicate_kind is None and stored.story_id == saved.story_id
    assert stored.published_at == article.published_at and stored.fetched_at == article.fetched_at
    assert store.story_members(saved.story_id) == [(saved.article_id, "irna-east-azarbaijan", article.url)]
    assert store.counts() | {"sources": 0} == {
        "sources": 0, "articles": 1, "stories": 1, "facts": 2, "facts_counted": 2, "failed_pages": 0, "duplicates": 0
    }  # fmt: skip


def test_store_save_article_exists_changes_nothing(store: Store) -> None:
    first = store.save_article(make_article(1), [fact()], ["k"])
    before = store.counts()
    again = store.save_article(make_article(1, text="another text", content_hash="other"), [fact()] * 3, ["a"] * 3)
    assert (again.article_id, again.story_id, again.status, again.facts_stored) == (
        first.article_id,
        first.story_id,
        "exists",
        0,
    )
    assert store.counts() == before
    stored = store.get_article(first.article_id)
    assert stored is not None and stored.text == make_article(1).text


def test_store_save_article_exact_copy_joins_the_story(store: Store) -> None:
    first = store.save_article(make_article(1), [], [])
    copy = make_article(2, source_id="mehr-tabriz", content_hash="hash-1")
    saved = store.save_article(copy, [], [])
    assert (saved.status, saved.story_id) == ("exact", first.story_id)
    stored = store.get_article(saved.article_id)
    assert stored is not None and stored.duplicate_kind == "exact"
    assert [m[1] for m in store.story_members(first.story_id)] == ["irna-east-azarbaijan", "mehr-tabriz"]
    assert store.counts()["duplicates"] == 1 and store.counts()["stories"] == 1


def test_store_save_article_near_duplicate_signed_fingerprints(store: Store) -> None:
    base = 0xF0F0_0000_1234_8001  # top bit set: stored negative
    first = store.save_article(make_article(1, simhash=base), [], [])
    near = store.save_article(make_article(2, simhash=base ^ 0b111), [], [])  # 3 bits in one band
    spread = store.save_article(make_article(3, simhash=base ^ (1 | 1 << 16 | 1 << 32)), [], [])  # 3 bands differ
    far = store.save_article(make_article(4, simhash=base ^ (2 | 2 << 16 | 2 << 32 | 2 << 48)), [], [])  # no band
    assert (near.status, near.story_id) == ("near", first.story_id)
    assert (spread.status, spread.story_id) == ("near", first.story_id)
    assert far.status == "new" and far.story_id != first.story_id
    assert store.counts()["stories"] == 2


def test_store_save_article_near_distance_is_per_article(store: Store) -> None:
    base = simhash_for(7)
    first = store.save_article(make_article(1, simhash=base), [], [])
    strict = store.save_article(make_article(2, simhash=base ^ 0b11, near_distance=1), [], [])
    loose = store.save_article(make_article(3, simhash=base ^ 0b11111, near_distance=5), [], [])
    assert strict.status == "new"
    assert (loose.status, loose.story_id) == ("near", strict.story_id)  # 3 bits from article 2, 5 from article 1
    assert strict.story_id != first.story_id


def test_store_save_article_joins_the_closest_story(store: Store) -> None:
    base = simhash_for(9)
    a = store.save_article(make_article(1, simhash=base), [], [])
    b = store.save_article(make_article(2, simhash=base ^ (0b1111 << 20), near_distance=0), [], [])
    assert b.status == "new"
    probe = store.save_article(make_article(3, simhash=base ^ (0b111 << 20)), [], [])  # 1 bit from b, 3 from a
    assert (probe.status, probe.story_id) == ("near", b.story_id)
    assert a.story_id != b.story_id


def test_store_save_article_near_check_can_refuse(store: Store) -> None:
    base = simhash_for(3)
    first = store.save_article(make_article(1, simhash=base), [], [])
    seen: list[Any] = []

    def refuse(candidate: Any) -> bool:
        seen.append(candidate)
        return False

    saved = store.save_article(make_article(2, simhash=base ^ 1), [], [], near_check=refuse)
    assert saved.status == "new"
    assert [(c.article_id, c.distance, c.text) for c in seen] == [(first.article_id, 1, make_article(1).text)]
    accepted = store.save_article(make_article(3, simhash=base ^ 2), [], [], near_check=lambda c: c.distance == 1)
    assert (accepted.status, accepted.story_id) == ("near", first.story_id)


def test_store_counted_once_across_syndicated_copies(store: Store) -> None:
    facts = [fact(), fact("budget"), fact("official")]
    keys = ["nc:110", "budget:2.5e12", "official:nikpour"]
    first = store.save_article(make_article(1), facts, keys)
    copy = store.save_article(
        make_article(2, source_id="mehr-tabriz", content_hash="hash-1"),
        [fact(), fact("budget", rials=3_000_000_000_000), fact()],
        ["nc:110", "budget:3e12", "nc:110"],
    )
    assert (first.facts_counted, copy.facts_stored, copy.facts_counted) == (3, 3, 1)
    rows = sorted(store.iter_fact_rows(), key=lambda r: (r["article_id"], r["seq"]))
    assert [(r["article_id"], r["fact_key"], r["counted"]) for r in rows] == [
        (first.article_id, "nc:110", True),
        (first.article_id, "budget:2.5e12", True),
        (first.article_id, "official:nikpour", True),
        (copy.article_id, "nc:110", False),
        (copy.article_id, "budget:3e12", True),
        (copy.article_id, "nc:110", False),
    ]
    other = store.save_article(make_article(3), [fact()], ["nc:110"])  # another story: counted again
    assert other.facts_counted == 1
    assert store.counts()["facts_counted"] == 5


def test_store_replace_facts_recomputes_counted(store: Store) -> None:
    first = store.save_article(make_article(1), [fact(), fact("budget")], ["nc:110", "budget"])
    copy = store.save_article(make_article(2, content_hash="hash-1"), [fact()], ["nc:110"])
    stored = store.replace_facts(
        first.article_id,
        [fact("budget", rials=7)],
        ["budget"],
        extractor_version="0.2.0",
        text="متن تازه",
        province=None,
        relevant=False,
        relevance=0.2,
        topics=[],
    )
    assert stored == 1
    rows = {(r["article_id"], r["fact_key"]): r for r in store.iter_fact_rows()}
    assert rows[(copy.article_id, "nc:110")]["counted"] is True  # the copy's figure now counts
    assert rows[(first.article_id, "budget")]["rials"] == 7
    assert rows[(first.article_id, "budget")]["extractor_version"] == "0.1.0"  # from the fact's own "extractor"
    article = store.get_article(first.article_id)
    assert article is not None
    assert (article.text, article.province, article.relevant, article.topics) == ("متن تازه", None, False, [])
    assert article.extractor_version == "0.2.0" and article.updated_at > article.fetched_at
    assert store.counts()["facts"] == 2 and store.counts()["facts_counted"] == 2
    store.replace_facts(
        first.article_id,
        [fact()],
        ["nc:110"],
        extractor_version="0.2.0",
        province=None,
        relevant=True,
        relevance=0.9,
        topics=["x"],
    )
    rows = {(r["article_id"], r["fact_key"]): r["counted"] for r in store.iter_fact_rows()}
    assert rows == {(first.article_id, "nc:110"): True, (copy.article_id, "nc:110"): False}


def test_store_replace_facts_unknown_article(store: Store) -> None:
    with pytest.raises(StoreError, match="no article"):
        store.replace_facts(42, [], [], extractor_version="x", province=None, relevant=None, relevance=None, topics=[])


def test_store_fact_columns_round_trip(store: Store) -> None:
    big = fact("budget", rials=10**17, approx="حدود", span=[475, 500], sentence_span=[393, 605])
    saved = store.save_article(make_article(1), [big, fact("quantity", value=85, unit="شورای پیشرفت محله")], ["b", "q"])
    rows = list(store.iter_fact_rows())
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    budget, quantity = rows
    assert budget["rials"] == 10**17 and budget["approx"] == "حدود" and budget["period"] == "1 year"
    assert (budget["span_start"], budget["span_end"], budget["sentence_start"], budget["sentence_end"]) == (
        475,
        500,
        393,
        605,
    )
    assert budget["data"] == big and budget["story_id"] == saved.story_id
    assert budget["published_at"] == make_article(1).published_at
    assert (budget["url"], budget["source_id"], budget["title"]) == (
        make_article(1).url,
        "irna-east-azarbaijan",
        "عنوان 1",
    )
    assert (quantity["value"], quantity["unit"], quantity["seq"]) == (85.0, "شورای پیشرفت محله", 1)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"value": 1}, "'type'"),
        ({"type": "budget", "rials": 10**19}, "64-bit"),
        ({"type": "budget", "rials": "many"}, "whole number"),
        ({"type": "percentage", "value": float("nan")}, "finite number"),
        ({"type": "official", "span": [1]}, "span"),
    ],
)
def test_store_bad_fact_refused_and_nothing_stored(store: Store, bad: dict[str, Any], message: str) -> None:
    with pytest.raises(StoreError, match=message):
        store.save_article(make_article(1), [fact(), bad], ["a", "b"])
    assert store.counts() | {"sources": 0} == dict.fromkeys(store.counts(), 0)
    assert store.known_urls([make_article(1).url_canonical]) == set()


def test_store_fact_keys_must_match_facts(store: Store) -> None:
    with pytest.raises(StoreError, match="1 facts but 2 fact keys"):
        store.save_article(make_article(1), [fact()], ["a", "b"])


def test_store_unknown_source_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="unknown source 'nope'"):
        store.save_article(make_article(1, source_id="nope"), [], [])


def test_store_rollback_on_failure_injected_mid_transaction(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    kept = store.save_article(make_article(1), [fact()], ["k"])

    def boom(*args: object, **kwargs: object) -> int:
        raise RuntimeError("injected")

    monkeypatch.setattr(article_ops, "insert_facts", boom)  # after the story, article and FTS rows exist
    with pytest.raises(RuntimeError, match="injected"):
        store.save_article(make_article(2, content_hash="hash-1"), [fact()], ["k"])
    with pytest.raises(RuntimeError, match="injected"):
        store.save_article(make_article(3), [fact()], ["k"])
    monkeypatch.undo()
    assert store.counts() | {"sources": 0} == {
        "sources": 0, "articles": 1, "stories": 1, "facts": 1, "facts_counted": 1, "failed_pages": 0, "duplicates": 0
    }  # fmt: skip
    assert store.search_articles("خبر") == [kept.article_id]
    assert store.story_members(kept.story_id) == [(kept.article_id, "irna-east-azarbaijan", make_article(1).url)]
    again = store.save_article(make_article(3), [fact()], ["k"])  # ids and stories still fine afterwards
    assert again.status == "new"


def test_store_replace_facts_rolls_back_on_failure(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    saved = store.save_article(make_article(1), [fact(), fact("budget")], ["a", "b"])

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("injected")

    monkeypatch.setattr(article_ops, "recount_story", boom)  # after the delete, update and insert
    with pytest.raises(RuntimeError):
        store.replace_facts(
            saved.article_id, [], [], extractor_version="9", text="x", province=None, relevant=None, relevance=None,
            topics=[],
        )  # fmt: skip
    article = store.get_article(saved.article_id)
    assert article is not None and article.extractor_version == "0.1.0" and article.text == make_article(1).text
    assert [r["fact_key"] for r in store.iter_fact_rows()] == ["a", "b"]


def test_store_raw_html_round_trip(store: Store) -> None:
    html = ("<html><head><meta charset='windows-1256'></head><body>" + "محله " * 5000 + "</body></html>").encode(
        "utf-8"
    ) + bytes(range(256))
    saved = store.save_article(make_article(1, raw_html=html), [], [])
    none = store.save_article(make_article(2, raw_html=None), [], [])
    assert store.get_raw_html(saved.article_id) == html
    assert store.get_raw_html(none.article_id) is None
    assert store.get_raw_html(999) is None


def test_store_text_with_nul_and_surrogates_is_stored(store: Store) -> None:
    text = "سلام\x00دنیا \ud800 پایان"
    saved = store.save_article(make_article(1, text=text, title="t\x00"), [fact(sentence="a\x00b")], ["k"])
    article = store.get_article(saved.article_id)
    assert article is not None and article.text == "سلام\ufffdدنیا \ufffd پایان" and len(article.text) == len(text)
    assert next(store.iter_fact_rows())["data"]["sentence"] == "a\ufffdb"


def test_store_failed_pages_and_known_urls(store: Store) -> None:
    store.save_article(make_article(1), [], [])
    stored = make_article(1).url_canonical
    store.record_failed_page("https://irna.ir/news/500", "https://www.irna.ir/news/500", "irna-east-azarbaijan", 503,
                             "HTTP 503", at=T0)  # fmt: skip
    store.record_failed_page("https://irna.ir/gone", "https://irna.ir/gone", None, 404, "HTTP 404", at=T0)
    urls = [stored, "https://irna.ir/news/500", "https://irna.ir/gone", "https://irna.ir/new"]
    assert store.known_urls(urls, now=T0 + timedelta(minutes=30)) == set(urls[:3])
    assert store.known_urls(urls, now=T0 + timedelta(hours=2)) == {stored, "https://irna.ir/gone"}
    for attempt in range(2, 6):
        store.record_failed_page("https://irna.ir/news/500", "https://irna.ir/news/500", None, None, f"try {attempt}",
                                 at=T0 + timedelta(days=attempt))  # fmt: skip
    assert store.known_urls(urls, now=T0 + timedelta(days=365)) == set(urls[:3])  # 5 attempts: given up
    assert store.counts()["failed_pages"] == 2
    store.save_article(make_article(500, url_canonical="https://irna.ir/news/500"), [], [])  # fetched after all
    assert store.counts()["failed_pages"] == 1


def test_store_known_urls_in_large_batches(store: Store) -> None:
    for n in range(3):
        store.save_article(make_article(n), [], [])
    many = [f"https://irna.ir/news/{n}" for n in range(1200)]
    assert store.known_urls(many) == {f"https://irna.ir/news/{n}" for n in range(3)}
    assert store.known_urls([]) == set()


def test_store_simhash_out_of_range_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="64 bits"):
        store.save_article(replace(make_article(1), simhash=2**64), [], [])
