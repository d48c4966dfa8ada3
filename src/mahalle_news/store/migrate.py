"""Alembic migrations, applied programmatically: :func:`migrate` a URL, or :func:`upgrade` an open engine.

The whole upgrade runs in one transaction (SQLite and PostgreSQL both have transactional DDL), so a failure
leaves the database as it was. Concurrent openers are serialised: SQLite by the write lock taken at BEGIN,
PostgreSQL by a transaction-scoped advisory lock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from mahalle_news.store.engine import WRITE_OPTION, create_store_engine, describe_error, mask_url
from mahalle_news.store.errors import StoreError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Key of the PostgreSQL advisory lock held while migrating (any constant unique to this application).
_PG_LOCK_KEY = 0x6D61_6861_6C6C_65  # "mahalle"
#: Objects of the database that the metadata does not describe (full-text search, per backend).
_FTS_NAMES = ("articles_fts", "ix_articles_search_vector", "search_vector")


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic filter: leave the backend-specific full-text objects out of schema comparisons."""
    return not (name or "").startswith(_FTS_NAMES)


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic config for the packaged migrations, optionally bound to an open connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision the code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - a packaging error
        raise StoreError(f"no migrations found in {MIGRATIONS}")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None: never migrated)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the database of ``engine`` to the newest revision, in one transaction."""
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
            command.upgrade(alembic_config(conn), "head")


def check_current(engine: Engine, url: str) -> None:
    """Raise StoreError unless the database is at the newest revision."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        state = "has never been migrated" if current is None else f"is at revision {current}"
        raise StoreError(f"the database {mask_url(url)} {state}, this code needs {head}: open it with migrations on")


def migrate(url: str) -> None:
    """Create or upgrade the database at ``url`` to the newest schema; StoreError when that fails."""
    engine = create_store_engine(url)
    try:
        upgrade(engine)
    except sa.exc.SQLAlchemyError as err:
        raise StoreError(f"migrating {mask_url(url)} failed: {describe_error(err)}") from None
    finally:
        engine.dispose()
