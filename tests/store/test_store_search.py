"""Full-text search over folded Persian text, safe for any query string."""

from __future__ import annotations

import pytest

from mahalle_news.store import Store
from tests.store.helpers import folded, make_article

TEXTS = {
    1: "شورای پیشرفت محله‌ها در ۱۱۰ محله تبریز تشکیل شد.",
    2: "اعتبار ۲۵۰۰ میلیارد ریالی طرح ملی ۲۰۲۰ محله در آذربایجان شرقی؛ محله محله محله",
    3: "مدیریت شهری مشهد از بازآفرینی بافت فرسوده گفت.",
}
HOSTILE = [
    '"',
    '""',
    "*",
    "NEAR(",
    ")",
    "(",
    "",
    "   ",
    "'; DROP TABLE articles; --",
    "1 OR 1=1",
    "محله OR",
    "AND NOT",
    "^محله",
    "col:محله",
    "articles_fts:محله",
    '"unterminated محله',
    "{محله تبریز}",
    "-محله",
    "محله*",
    "\x00",
    "\ud800محله",
    "NEAR(محله تبریز, 2)",
    "a" * 10_000,
    " ".join(["محله"] * 500),
]


@pytest.fixture
def indexed(store: Store) -> dict[int, int]:
    ids = {}
    for n, text in TEXTS.items():
        title = f"خبر {n}"
        ids[n] = store.save_article(
            make_article(n, text=text, search_text=folded(f"{title} {text}")), [], []
        ).article_id
    return ids


def test_store_search_finds_folded_persian_words(store: Store, indexed: dict[int, int]) -> None:
    assert store.search_articles(folded("محله‌ها")) == [indexed[1]]
    assert store.search_articles(folded("محله ها")) == [indexed[1]]  # spaced spelling folds the same
    assert store.search_articles(folded("۱۱۰")) == [indexed[1]]  # digits fold to ASCII
    assert store.search_articles(folded("110")) == [indexed[1]]
    assert store.search_articles(folded("بافت فرسوده مشهد")) == [indexed[3]]
    assert store.search_articles(folded("تبريز")) == [indexed[1]]  # Arabic yeh folds to Persian
    assert store.search_articles(folded("کرمان")) == []


def test_store_search_needs_every_word_and_whole_words(store: Store, indexed: dict[int, int]) -> None:
    assert store.search_articles(folded("محله تبریز")) == [indexed[1]]
    assert store.search_articles(folded("محل")) == []  # no prefix matching


def test_store_search_ranks_and_pages(store: Store, indexed: dict[int, int]) -> None:
    both = store.search_articles(folded("محله"))
    assert both == [indexed[2], indexed[1]]  # article 2 says it four times
    assert store.search_articles(folded("محله"), limit=1) == [indexed[2]]
    assert store.search_articles(folded("محله"), limit=1, offset=1) == [indexed[1]]
    assert store.search_articles(folded("محله"), limit=0) == []
    assert store.search_articles(folded("محله"), offset=-5) == both


@pytest.mark.parametrize("query", HOSTILE)
def test_store_search_survives_hostile_queries(store: Store, indexed: dict[int, int], query: str) -> None:
    found = store.search_articles(query)
    assert set(found) <= set(indexed.values())
    assert store.counts()["articles"] == 3


def test_store_search_reindexed_by_replace_facts(store: Store, indexed: dict[int, int]) -> None:
    store.replace_facts(
        indexed[3],
        [],
        [],
        extractor_version="0.2.0",
        text="متن تازه درباره کرمان",
        search_text=folded("متن تازه درباره کرمان"),
        province="کرمان",
        relevant=True,
        relevance=0.7,
        topics=[],
    )
    assert store.search_articles(folded("کرمان")) == [indexed[3]]
    assert store.search_articles(folded("مشهد")) == []
