"""Keyset-paginated reading: articles for reprocessing, fact and article rows for export."""

from __future__ import annotations

import pytest

from mahalle_news.store import Store, StoreError
from tests.store.helpers import fact, make_article

N = 23  # more than a few batches of 5


@pytest.fixture
def filled(store: Store) -> Store:
    for n in range(1, N + 1):
        store.save_article(
            make_article(n, extractor_version="0.1.0" if n % 3 else "0.2.0"),
            [fact(), fact("budget", rials=n)],
            ["nc", f"budget:{n}"],
        )
    return store


def test_store_iter_articles_in_batches(filled: Store) -> None:
    articles = list(filled.iter_articles(batch_size=5))
    assert [a.id for a in articles] == sorted(a.id for a in articles)
    assert len({a.id for a in articles}) == N
    assert all(a.text and a.topics == ["neighbourhood", "budget"] for a in articles)


def test_store_iter_articles_needing_reprocessing(filled: Store) -> None:
    stale = list(filled.iter_articles(batch_size=4, extractor_version_not="0.2.0"))
    assert len(stale) == N - N // 3
    assert all(a.extractor_version == "0.1.0" for a in stale)


def test_store_iter_articles_while_replacing_facts(filled: Store) -> None:
    done = []
    for article in filled.iter_articles(batch_size=3, extractor_version_not="0.3.0"):
        filled.replace_facts(
            article.id,
            [fact()],
            ["nc"],
            extractor_version="0.3.0",
            province=article.province,
            relevant=article.relevant,
            relevance=article.relevance,
            topics=article.topics,
        )
        done.append(article.id)
    assert len(done) == len(set(done)) == N
    assert list(filled.iter_articles(extractor_version_not="0.3.0")) == []
    assert filled.counts()["facts"] == N


def test_store_iter_fact_rows_in_batches(filled: Store) -> None:
    rows = list(filled.iter_fact_rows(batch_size=7))
    assert len(rows) == 2 * N
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    assert {"url", "url_canonical", "source_id", "title", "story_id", "published_at", "counted", "data"} <= set(rows[0])
    assert sum(r["counted"] for r in rows) == 2 * N  # every article its own story


def test_store_iter_article_rows(filled: Store) -> None:
    rows = list(filled.iter_article_rows(batch_size=6, include_text=False))
    assert len(rows) == N and "text" not in rows[0] and "raw_html" not in rows[0]
    assert rows[0]["simhash"] == make_article(1).simhash
    with_text = next(filled.iter_article_rows())
    assert with_text["text"] == make_article(1).text


def test_store_iter_batch_size_must_be_positive(filled: Store) -> None:
    with pytest.raises(StoreError, match="batch_size"):
        list(filled.iter_articles(batch_size=0))


def test_store_iter_on_empty_store(empty_store: Store) -> None:
    assert list(empty_store.iter_articles()) == []
    assert list(empty_store.iter_fact_rows()) == []
