"""Alerts fixtures: stores on both backends with the matcher installed on a fake clock, and a threaded local
webhook receiver (pytest-httpserver on 127.0.0.1, so delivery tests allow private targets)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mahalle_news.alerts import install
from mahalle_news.config import Settings
from mahalle_news.store import Store
from tests.alerts.helpers import FakeClock, with_sources
from tests.crawl.conftest import make_httpserver
from tests.db import pg_schema, store_url

__all__ = ["make_httpserver", "pg_schema", "store_url"]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(store_url: str) -> Settings:
    return Settings(db=store_url, webhook_allow_private=True, webhook_max_attempts=4)


@pytest.fixture
def store(store_url: str, clock: FakeClock) -> Iterator[Store]:
    """A migrated store with the Kerman sources and the alert matcher installed."""
    with Store.open(store_url) as opened:
        install(with_sources(opened), clock=clock)
        yield opened
