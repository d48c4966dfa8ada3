"""Builders shared by the store tests."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from mahalle_news.store import NewArticle, Store

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
SOURCES = [
    {"id": "irna-east-azarbaijan", "name": "ایرنا تبریز", "agency": "IRNA", "province": "آذربایجان شرقی",
     "url": "https://www.irna.ir/rss/tp/1", "kind": "rss", "poll_minutes": 30, "enabled": True, "verified": False},
    {"id": "mehr-tabriz", "name": "مهر تبریز", "agency": "Mehr", "province": "آذربایجان شرقی",
     "url": "https://www.mehrnews.com/rss/tp/2", "kind": "rss", "poll_minutes": 60, "enabled": True, "verified": True},
]  # fmt: skip


def folded(text: str) -> str:
    """Folded words separated by spaces, as the pipeline gives search text."""
    from mahalle_news.text.normalize import fold_word, normalize  # hazm: slow to import, only search tests need it

    return " ".join(w for w in map(fold_word, normalize(text).text.split()) if w)


def simhash_for(n: int) -> int:
    """A random-looking unsigned fingerprint, fixed per ``n``."""
    return random.Random(n).getrandbits(64)


def make_article(n: int, **changes: Any) -> NewArticle:
    """Article number ``n`` of source irna-east-azarbaijan, distinct from every other ``n``."""
    text = changes.pop("text", f"خبر شماره {n}: شورای پیشرفت محله‌ها در ۱۱۰ محله تبریز تشکیل شد.")
    title = changes.pop("title", f"عنوان {n}")
    article = NewArticle(
        url=f"https://www.irna.ir/news/{n}/?utm_source=rss",
        url_canonical=f"https://irna.ir/news/{n}",
        source_id="irna-east-azarbaijan",
        title=title,
        text=text,
        published_at=T0 + timedelta(minutes=n),
        fetched_at=T0 + timedelta(minutes=n, seconds=30),
        content_hash=f"hash-{n}",
        simhash=simhash_for(n),
        raw_html=f"<html><body><p>{text}</p></body></html>".encode(errors="replace"),
        encoding="utf-8",
        http_status=200,
        extraction_method="trafilatura",
        province="آذربایجان شرقی",
        relevant=True,
        relevance=0.91,
        topics=["neighbourhood", "budget"],
        extractor_version="0.1.0",
        search_text=f"{title} {text}",  # not folded: tests of search pass folded() text
    )
    return replace(article, **changes)


def fact(kind: str = "neighbourhood_count", **fields: Any) -> dict[str, Any]:
    """A fact dict shaped like the extractor's."""
    base: dict[str, Any] = {
        "type": kind,
        "province": "آذربایجان شرقی",
        "span": [10, 13],
        "sentence": "شورای پیشرفت محله‌ها در ۱۱۰ محله تبریز تشکیل شد.",
        "sentence_span": [0, 48],
        "confidence": 0.9,
        "extractor": "0.1.0",
    }
    if kind == "neighbourhood_count":
        base |= {"value": 110, "approx": None, "program": "طرح ملی ۲۰۲۰ محله"}
    elif kind == "budget":
        base |= {"rials": 2_500_000_000_000, "approx": None, "period": "1 year"}
    elif kind == "official":
        base |= {"name": "یوسف نیک‌پور", "role": "معاون استاندار آذربایجان شرقی"}
    return base | fields


def with_sources(store: Store) -> Store:
    """The store, with the two test sources registered."""
    store.sync_sources(SOURCES)
    return store
