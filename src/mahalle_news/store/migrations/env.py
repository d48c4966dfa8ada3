"""Alembic environment: migrates the connection the store hands over (``config.attributes["connection"]``),
or, for the ``alembic`` command, the database of ``MAHALLE_DB`` or of ``sqlalchemy.url`` in alembic.ini."""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import context

from mahalle_news.store.engine import create_store_engine
from mahalle_news.store.migrate import include_object
from mahalle_news.store.schema import metadata

config = context.config


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _online() -> None:
    given = config.attributes.get("connection")
    if given is not None:
        _run(given)
        return
    url = os.environ.get("MAHALLE_DB") or config.get_main_option("sqlalchemy.url") or ""
    engine = create_store_engine(url)
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: the schema differs per backend")
_online()
