"""Store fixtures: every ``store`` test runs on SQLite and on PostgreSQL.

PostgreSQL tests use the server of ``MAHALLE_TEST_PG_URL`` (CI: postgresql://postgres@127.0.0.1:5432/test) and
are skipped when it is unset. Each test gets a fresh schema there (search_path set through the connection
options, so Alembic's version table lands in it too), dropped afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mahalle_news.store import Store
from tests.db import BACKENDS, PG_ENV, pg_base_url, pg_schema, pg_schema_url, store_url
from tests.store.helpers import with_sources

__all__ = ["BACKENDS", "PG_ENV", "pg_base_url", "pg_schema", "pg_schema_url", "store_url"]


@pytest.fixture
def empty_store(store_url: str) -> Iterator[Store]:
    """A migrated store without any row."""
    store = Store.open(store_url)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def store(empty_store: Store) -> Store:
    """A migrated store with the two test sources registered."""
    return with_sources(empty_store)
