"""The crawl end to end: the demo news web (a real local HTTP server) into SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from mahalle_news.crawl.crawler import Crawler, CrawlStats
from mahalle_news.crawl.dedup import canonical_url
from mahalle_news.crawl.fetch import Fetcher, FetchPolicy
from mahalle_news.crawl.ingest import reprocess
from mahalle_news.crawl.localweb import LocalWeb
from mahalle_news.crawl.sources import Source, load_sources
from mahalle_news.store import Store
from tests.db import pg_schema, store_url

__all__ = ["pg_schema", "store_url"]

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "corpus/demo_site"
MANIFEST = json.loads((DEMO / "manifest.json").read_text(encoding="utf-8"))
FAST = FetchPolicy(per_host_delay=0.0, retries=1, backoff_base=0.01, read_timeout=5, total_timeout=20)


@pytest.fixture(scope="module")
def models() -> tuple[Any, Any]:
    from mahalle_news.nlp.classifier import load_default
    from mahalle_news.nlp.pipeline import load_pipeline

    return load_pipeline(), load_default()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    store = Store.open(store_url)
    try:
        yield store
    finally:
        store.close()


def crawl(store: Store, models: tuple[Any, Any], sources: list[Source], transport: Any = None) -> CrawlStats:
    async def run() -> CrawlStats:
        async with Fetcher(FAST, transport=transport) as fetcher:
            crawler = Crawler(store, fetcher, *models)
            try:
                return await crawler.run_once(sources)
            finally:
                crawler.close()

    return asyncio.run(run())


def test_crawler_demo_site_end_to_end(store: Store, models: tuple[Any, Any]) -> None:
    sources = load_sources(DEMO / "sources.toml")
    with LocalWeb(DEMO) as web:
        first = crawl(store, models, sources, web.transport())
        second = crawl(store, models, sources, web.transport())
    fetchable = [a for a in MANIFEST["articles"] if a["status"] == 200 and not a["variant_of"]]  # m.mehr = mehr
    assert first.feeds_polled == 16 and first.feeds_failed == 0
    assert first.new_articles == len(fetchable) == 129
    assert first.pages_failed == 2  # the yjc 404 and the page robots.txt disallows
    assert first.duplicates == sum(len(g["members"]) - 1 for g in MANIFEST["story_groups"]) == 11
    assert first.errors and any("unclosed CDATA" in e for e in first.errors)  # truncated feed: entries kept
    assert second.feeds_not_modified == 16 and second.new_articles == 0

    counts = store.counts()
    assert counts["articles"] == 129 and counts["stories"] == 118 and counts["failed_pages"] == 2

    # every syndication group is one story with several sources; nothing else is merged
    story_of = {canonical_url(r["url"]): r["story_id"] for r in store.iter_article_rows(include_text=False)}
    by_key = {a["key"]: a for a in MANIFEST["articles"]}
    stories: dict[int, set[str]] = defaultdict(set)
    for article in fetchable:
        stories[story_of[canonical_url(article["url"])]].add(article["story"])
    assert all(len(names) == 1 for names in stories.values())
    for group in MANIFEST["story_groups"]:
        ids = {story_of[canonical_url(by_key[m]["url"])] for m in group["members"]}
        assert len(ids) == 1, group["id"]
        members = store.story_members(ids.pop())
        assert {source.split("-")[0] for _, source, _ in members} == {h.split(".")[0] for h in group["hosts"]}

    # a syndicated story's facts count once
    counted: dict[tuple[int, str], int] = defaultdict(int)
    for fact in store.iter_fact_rows():
        if fact["counted"]:
            counted[(fact["story_id"], fact["fact_key"])] += 1
    assert counted and max(counted.values()) == 1

    # the windows-1256 page is stored as Persian text, and its raw HTML is kept byte for byte
    cp = by_key[MANIFEST["edge_cases"]["cp1256_page"]]
    row = next(r for r in store.iter_article_rows() if r["url"] == cp["url"])
    assert cp["text"].splitlines()[0] in row["text"]
    assert store.get_raw_html(row["id"]) == (DEMO / cp["file"]).read_bytes()


def test_crawler_reprocess_needs_no_network(store: Store, models: tuple[Any, Any]) -> None:
    sources = [s for s in load_sources(DEMO / "sources.toml") if s.id == "irna-rss-latest"]
    with LocalWeb(DEMO) as web:
        crawl(store, models, sources, web.transport())
    before = store.counts()
    assert reprocess(store, *models).articles == 0  # nothing stale
    stats = reprocess(store, *models, everything=True)  # no server running now
    assert stats.articles == before["articles"] and stats.facts == before["facts"] and not stats.errors
    assert store.counts() == before


def _feed(items: list[str]) -> str:
    entries = "".join(
        f"<item><title>خبر {n}</title><link>{url}</link><description><![CDATA[<p>خلاصه <b>خبر</b></p>]]>"
        f"</description><pubDate>Sat, 12 Apr 2025 09:30:00 +0330</pubDate></item>"
        for n, url in enumerate(items)
    )
    head = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>آزمون</title>'
    return f"{head}{entries}</channel></rss>"


def _page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><nav>خانه | اخبار</nav>'
        f'<div class="item-body"><h1 class="title">{title}</h1><div class="item-text">{body}</div></div>'
        f"<footer>همه حقوق محفوظ است</footer></body></html>"
    )


STORY = [
    "استاندار گفت: در این استان ۲۴ محله کم‌برخوردار برای اجرای طرح ملی ۲۰۲۰ محله انتخاب شده است.",
    "وی افزود: برای این محله‌ها ۳۰۰ میلیارد ریال اعتبار در نظر گرفته شده که بیشتر آن صرف آسفالت معابر می‌شود.",
    "به گفته وی، شورای پیشرفت محله در همه این محله‌ها تشکیل شده و نشست‌های ماهانه برگزار می‌کند.",
    "استاندار در پایان بر مشارکت مردم و خیران در نوسازی مدارس و ساخت پارک محله‌ای تأکید کرد.",
]


def test_crawler_one_story_on_three_outlets_and_bad_feeds(
    store: Store, models: tuple[Any, Any], httpserver: HTTPServer
) -> None:
    datelines = ["یزد- ایرنا- ", "به گزارش خبرگزاری مهر از یزد، ", "به گزارش تسنیم از یزد، "]
    urls = []
    for n, dateline in enumerate(datelines):
        path = f"/o{n}/news/{n + 1}"
        paragraphs = [dateline + STORY[0], *STORY[1:]]
        if n == 2:
            paragraphs = [*paragraphs[:-1], "انتهای پیام"]
        httpserver.expect_request(path).respond_with_data(_page(f"عنوان {n}", paragraphs), content_type="text/html")
        httpserver.expect_request(f"/o{n}/rss").respond_with_data(
            _feed([httpserver.url_for(path), httpserver.url_for(path) + "?utm_source=rss"]),
            content_type="application/rss+xml",
        )
        urls.append(httpserver.url_for(f"/o{n}/rss"))
    httpserver.expect_request("/broken/rss").respond_with_data("<rss><channel><item>", content_type="text/xml")
    httpserver.expect_request("/down/rss").respond_with_data("boom", status=500)

    def source(sid: str, url: str) -> Source:
        return Source(sid, sid, "IRNA", "یزد", url, "rss", 30)

    sources = [source(f"outlet-{n}", u) for n, u in enumerate(urls)]
    sources += [source("broken", httpserver.url_for("/broken/rss")), source("down", httpserver.url_for("/down/rss"))]
    stats = crawl(store, models, sources)
    assert stats.new_articles == 3 and stats.stories == 1 and stats.duplicates == 2
    assert stats.known == 3  # each feed repeats its item with a tracking parameter
    assert stats.feeds_failed == 2
    facts = list(store.iter_fact_rows())
    assert len({f["story_id"] for f in facts}) == 1
    per_key: dict[str, list[bool]] = defaultdict(list)
    for f in facts:
        per_key[f["fact_key"]].append(bool(f["counted"]))
    assert all(flags.count(True) == 1 for flags in per_key.values())
    assert any(f["type"] == "neighbourhood_count" and f["value"] == 24 for f in facts)
    health = {s.id: s for s in store.list_sources()}
    assert health["broken"].consecutive_failures == 1 and health["down"].consecutive_failures == 1
    assert health["outlet-0"].consecutive_failures == 0 and health["outlet-0"].last_success_at is not None
    assert health["down"].next_poll_at is not None and health["down"].next_poll_at > health["down"].last_attempt_at
    # the next pass skips the sources that are backing off, and finds nothing new on the others
    again = crawl(store, models, sources)
    assert again.sources_due == 3 and again.new_articles == 0
