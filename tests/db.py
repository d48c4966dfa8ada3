"""Database URLs for tests on both backends: SQLite in a temporary folder, and PostgreSQL on a fresh schema of
the server named by ``MAHALLE_TEST_PG_URL`` (CI: postgresql://postgres@127.0.0.1:5432/test); the PostgreSQL
cases are skipped, with the reason, when it is unset."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.engine import make_url

PG_ENV = "MAHALLE_TEST_PG_URL"
BACKENDS = ["sqlite", "postgresql"]


def pg_base_url() -> str:
    """The PostgreSQL test server's URL, or skip."""
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(
            f"{PG_ENV} is not set: PostgreSQL tests need a server, e.g. "
            f"{PG_ENV}=postgresql://postgres@127.0.0.1:5432/test"
        )
    return url


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def pg_schema_url(base: str, schema: str) -> str:
    """``base`` with its search_path set to ``schema`` (and no waiting for the disk: test data is disposable)."""
    parsed = make_url(base).update_query_dict({"options": f"-csearch_path={schema} -csynchronous_commit=off"})
    return parsed.render_as_string(hide_password=False)


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A store URL on a fresh PostgreSQL schema, dropped with everything in it after the test."""
    base = pg_base_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_libpq_url(base), autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield pg_schema_url(base, schema)
    finally:
        with psycopg.connect(_libpq_url(base), autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of an empty database on each backend (nothing created yet)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('store')}/db/mahalle.sqlite3"
    url: str = request.getfixturevalue("pg_schema")
    return url
