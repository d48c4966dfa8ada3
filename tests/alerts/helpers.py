"""Builders for the alerts tests: articles of two Kerman news sources with facts shaped like the extractor's."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from mahalle_news.filters import parse_fact_filter
from mahalle_news.store import NewArticle, SavedArticle, Store
from mahalle_news.store.alerts import Alert, create_alert

T0 = datetime(2025, 4, 10, 6, 30, tzinfo=UTC)
PROGRAM = "طرح ملی ۲۰۲۰ محله"
SOURCES = [
    {"id": "irna-kerman", "name": "ایرنا کرمان", "agency": "IRNA", "province": "کرمان",
     "url": "https://www.irna.ir/rss/kerman", "kind": "rss", "poll_minutes": 30, "enabled": True, "verified": True},
    {"id": "isna-kerman", "name": "ایسنا کرمان", "agency": "ISNA", "province": "کرمان",
     "url": "https://www.isna.ir/rss/kerman", "kind": "rss", "poll_minutes": 30, "enabled": True, "verified": True},
]  # fmt: skip


@dataclass
class FakeClock:
    """A settable clock shared by the matcher and the delivery worker."""

    now: datetime = field(default_factory=lambda: T0 + timedelta(days=1))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def count_fact(value: int, province: str = "کرمان", **more: Any) -> dict[str, Any]:
    sentence = more.pop("sentence", f"مدیرکل راه و شهرسازی {province} گفت طرح بازآفرینی در {value} محله اجرا می‌شود.")
    return {"type": "neighbourhood_count", "value": value, "province": province, "program": PROGRAM,
            "approx": None, "span": [40, 44], "sentence": sentence, "sentence_span": [0, len(sentence)],
            "confidence": 0.88, "extractor": "test"} | more  # fmt: skip


def budget_fact(rials: int, province: str = "کرمان", **more: Any) -> dict[str, Any]:
    sentence = more.pop("sentence", f"برای پیشرفت محله‌های کم‌برخوردار {province} اعتبار تازه‌ای تخصیص یافت.")
    return {"type": "budget", "rials": rials, "province": province, "program": PROGRAM, "approx": None,
            "period": "1 year", "span": [10, 30], "sentence": sentence, "sentence_span": [0, len(sentence)],
            "confidence": 0.9, "extractor": "test"} | more  # fmt: skip


def key_of(fact: dict[str, Any]) -> str:
    """The fact key the ingest stage would give (what makes two facts of a story the same)."""
    if fact["type"] == "budget":
        return json.dumps(["budget", fact.get("rials"), fact.get("province")], ensure_ascii=False)
    return json.dumps([fact["type"], fact.get("value"), fact.get("province"), ""], ensure_ascii=False)


def article(n: int, **changes: Any) -> NewArticle:
    """Article ``n`` (distinct content and fingerprint per ``n`` unless ``changes`` say otherwise)."""
    text = changes.pop("text", f"گزارش {n}: شورای برنامه‌ریزی استان کرمان درباره محله‌های حاشیه شهر تصمیم گرفت.")
    values: dict[str, Any] = {
        "url": f"https://www.irna.ir/news/{n}/",
        "url_canonical": f"https://irna.ir/news/{n}",
        "source_id": "irna-kerman",
        "title": f"خبر محله‌ها {n}",
        "text": text,
        "published_at": T0 + timedelta(hours=n),
        "fetched_at": T0 + timedelta(hours=n, minutes=5),
        "content_hash": f"content-{n}",
        "simhash": random.Random(n).getrandbits(64),
        "raw_html": None,
        "encoding": "utf-8",
        "http_status": 200,
        "extraction_method": "test",
        "province": "کرمان",
        "relevant": True,
        "relevance": 0.9,
        "topics": ["neighbourhood"],
        "extractor_version": "test",
        "search_text": text,
    }
    return NewArticle(**(values | changes))


def save(store: Store, n: int, facts: list[dict[str, Any]], **changes: Any) -> SavedArticle:
    return store.save_article(article(n, **changes), facts, [key_of(f) for f in facts])


def with_sources(store: Store) -> Store:
    store.sync_sources(SOURCES)
    return store


SECRET = "whsec_test-secret-for-signatures"


def make_alert(
    store: Store,
    filter_params: dict[str, Any],
    *,
    name: str = "بودجه محله‌های کرمان",
    webhook_url: str | None = None,
    on_new: bool = True,
    on_changed: bool = False,
    key_id: str | None = None,
    now: datetime | None = None,
) -> Alert:
    """An alert stored directly (the API validates the same way: the filter language's normal form)."""
    return create_alert(
        store,
        name=name,
        params=parse_fact_filter(filter_params).to_params(),
        on_new=on_new,
        on_changed=on_changed,
        webhook_url=webhook_url,
        webhook_secret=SECRET if webhook_url else None,
        feed_token="feed-token-" + name,
        key_id=key_id,
        now=now or T0,
    )
