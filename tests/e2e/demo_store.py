"""A store filled with real data for the UI tests: the demo news web (corpus/demo_site) crawled twice by the real
crawler (the second pass is answered 304, so the sources page has something to show). It is built once per test
session and copied for each user, so tests writing to it (keys, alerts) do not see each other."""

from __future__ import annotations

import asyncio
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from mahalle_news.crawl.crawler import Crawler
from mahalle_news.crawl.fetch import Fetcher, FetchPolicy
from mahalle_news.crawl.localweb import LocalWeb
from mahalle_news.crawl.sources import load_sources
from mahalle_news.store import Store

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "corpus/demo_site"
_FAST = FetchPolicy(per_host_delay=0.0, retries=1, backoff_base=0.01, read_timeout=5, total_timeout=20)
_built: list[Path] = []


def _crawl(path: Path) -> None:
    from mahalle_news.nlp.classifier import load_default
    from mahalle_news.nlp.pipeline import load_pipeline

    models = (load_pipeline(), load_default())
    sources = load_sources(DEMO / "sources.toml")
    with Store.open(f"sqlite:///{path}") as store, LocalWeb(DEMO) as web:

        async def run() -> None:
            async with Fetcher(_FAST, transport=web.transport()) as fetcher:
                crawler = Crawler(store, fetcher, *models)
                try:
                    await crawler.run_once(sources)
                finally:
                    crawler.close()

        # in a thread of its own: the caller may be inside a running event loop (Playwright's sync API)
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(lambda: asyncio.run(run())).result()
            pool.submit(lambda: asyncio.run(run())).result()


def demo_store_url(factory: pytest.TempPathFactory) -> str:
    """The URL of a fresh copy of the crawled demo store."""
    if not _built:
        path = factory.mktemp("ui-demo-template") / "demo.sqlite3"
        _crawl(path)
        _built.append(path)
    template = _built[0]
    target = factory.mktemp("ui-demo") / "demo.sqlite3"
    for extra in ("", "-wal", "-shm"):
        source = template.with_name(template.name + extra)
        if source.exists():
            shutil.copyfile(source, target.with_name(target.name + extra))
    return f"sqlite:///{target}"
