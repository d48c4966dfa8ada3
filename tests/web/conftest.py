"""Fixtures of the search API tests: a store filled by really ingesting the demo news web (every article of
``corpus/demo_site/manifest.json`` through the NLP pipeline, the classifier and story grouping, as the crawler
does after fetching), plus a few articles of our own (one without a publication date), on SQLite and PostgreSQL,
and an app over it with anonymous read (the reader role).

The pipeline loads once per session; each backend's store is filled once per session here, once per module in the
store tests (which use :func:`fill_search_store` and :func:`backend_url` too).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from mahalle_news.config import Settings
from mahalle_news.crawl.dedup import canonical_url
from mahalle_news.crawl.ingest import PageItem, ingest
from mahalle_news.crawl.sources import load_sources
from mahalle_news.store import Store
from mahalle_news.web.app import create_app
from tests.db import BACKENDS, pg_base_url, pg_schema_url

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "corpus/demo_site"
FETCHED = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)

#: Articles written for these tests. The first has no publication date (its facts sort last); the second spells
#: «کم‌برخوردار» glued, the third apart, so full-text search must fold the three spellings together.
OWN_ARTICLES = [
    (
        "شیراز؛ بازآفرینی محله‌های کم‌برخوردار",
        "شیراز- شهردار شیراز گفت: ۱۴ محله کم‌برخوردار این شهر در طرح ملی ۲۰۲۰ محله بازآفرینی می‌شود.\n"
        "وی افزود: برای این کار ۳۲۰ میلیارد ریال اعتبار در نظر گرفته شده است.",
        None,
    ),
    (
        "سنندج؛ شورای پیشرفت در محلات کمبرخوردار",
        "سنندج- معاون استاندار کردستان گفت: در ۹ محله کمبرخوردار سنندج شورای پیشرفت محله تشکیل شد.\n"
        "به گفته وی جمعیت این محله‌ها حدود ۸۵ هزار نفر است.",
        dt.datetime(2025, 7, 2, 6, 30, tzinfo=dt.UTC),
    ),
    (
        "یاسوج؛ آسفالت کوچه‌های محله‌های كم برخوردار",
        "یاسوج- فرماندار یاسوج گفت: آسفالت کوچه‌های ۶ محله كم برخوردار این شهر تا پایان سال به پایان می‌رسد.",
        dt.datetime(2025, 8, 14, 10, 0, tzinfo=dt.UTC),
    ),
]


@functools.cache
def load_models() -> tuple[Any, Any]:
    """The spaCy pipeline and the relevance classifier (loaded once per session, whatever asks)."""
    from mahalle_news.nlp.classifier import load_default
    from mahalle_news.nlp.pipeline import load_pipeline

    return load_pipeline(), load_default()


@functools.cache
def demo_items() -> tuple[PageItem, ...]:
    """A page item per fetchable demo article (its text as the manifest gives the page's main text), from the
    feed that lists it, then our own articles."""
    manifest = json.loads((DEMO / "manifest.json").read_text(encoding="utf-8"))
    feeds = {s.url: s for s in load_sources(DEMO / "sources.toml")}
    items = []
    for article in manifest["articles"]:
        if article["status"] != 200 or article["variant_of"]:
            continue
        source = next(feeds[f"https://{host}{path}"] for host, path in article["in_feeds"])
        items.append(_item(source.id, article["url"], article["title"], article["text"], article["published"]))
    for n, (title, text, published) in enumerate(OWN_ARTICLES):
        url = f"https://hamshahri.demo/news/search-test-{n}"
        items.append(_item("hamshahri-rss-latest", url, title, text, published.isoformat() if published else None))
    return tuple(items)


def _item(source_id: str, url: str, title: str, body: str, published: str | None) -> PageItem:
    return PageItem(
        source_id=source_id,
        url=url,
        url_canonical=canonical_url(url),
        title=title,
        body=body,
        published=dt.datetime.fromisoformat(published) if published else None,
        fetched_at=FETCHED,
        raw_html=body.encode("utf-8"),
        encoding="utf-8",
        http_status=200,
        method="manifest",
    )


def fill_search_store(store: Store) -> Store:
    """Register the demo sources and ingest every demo item into ``store``."""
    store.sync_sources([s.to_dict() for s in load_sources(DEMO / "sources.toml")])
    results = ingest(store, demo_items(), *load_models())
    assert not [r.error for r in results if r.error]
    return store


def make_search_app(store: Store, **settings: Any) -> FastAPI:
    return create_app(Settings(db=store.url, **{"anonymous_read": True, "rate_limit": 0, **settings}), store=store)


@contextlib.contextmanager
def backend_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database URL on ``backend``: a new SQLite file, or a new PostgreSQL schema (dropped afterwards; skipped
    without ``MAHALLE_TEST_PG_URL``)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('search')}/search.sqlite3"
        return
    base, schema = pg_base_url(), f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield pg_schema_url(base, schema)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(scope="session", params=BACKENDS)
def search_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The demo store on each backend, shared by the API tests (read only)."""
    with backend_url(request.param, tmp_path_factory) as url, Store.open(url) as store:
        yield fill_search_store(store)


@pytest.fixture(scope="session")
def api(search_store: Store) -> Iterator[TestClient]:
    """A client of the app over :func:`search_store` (anonymous read: the reader role)."""
    with TestClient(make_search_app(search_store)) as client:
        yield client


def get_ok(client: TestClient, path: str, **params: Any) -> Any:
    """The JSON of a 200 response to GET ``path`` (``params`` added to any query string in ``path``)."""
    response = client.get(path, params=params or None)
    assert response.status_code == 200, response.text
    return response.json()


def get_error(client: TestClient, path: str, status: int, **params: Any) -> dict[str, Any]:
    """The ``error`` member of an error response (checking the envelope and the status)."""
    response = client.get(path, params=params or None)
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["request_id"]
    assert "Traceback" not in response.text
    error: dict[str, Any] = body["error"]
    return error
