"""Opening stores: migrations on both backends, re-opening, SQLite tuning, clear errors for bad URLs."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from mahalle_news.store import Store, StoreError, engine, migrate
from mahalle_news.store.engine import create_store_engine
from mahalle_news.store.migrate import alembic_config, current_revision, head_revision, include_object, upgrade
from mahalle_news.store.schema import metadata
from tests.store.helpers import make_article, with_sources

TABLES = {"sources", "stories", "articles", "facts", "failed_pages", "crawl_runs", "alembic_version"}


def _table_names(url: str) -> set[str]:
    engine = create_store_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_store_migrates_empty_database_to_head(store_url: str) -> None:
    with Store.open(store_url) as store:
        assert store.dialect in ("sqlite", "postgresql")
        assert store.counts() == dict.fromkeys(
            ("sources", "articles", "stories", "facts", "facts_counted", "failed_pages", "duplicates"), 0
        )
    names = _table_names(store_url)
    assert names >= TABLES
    engine = create_store_engine(store_url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_store_migration_matches_schema_metadata(store_url: str) -> None:
    migrate(store_url)
    engine = create_store_engine(store_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"include_object": include_object, "compare_type": True, "compare_server_default": False}
            )
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_store_migration_downgrades_to_empty(store_url: str) -> None:
    migrate(store_url)
    engine = create_store_engine(store_url)
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "base")
        assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(engine)
        assert set(sa.inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()


def test_store_reopen_is_a_noop(store_url: str) -> None:
    with Store.open(store_url) as store:
        with_sources(store)
        saved = store.save_article(make_article(1), [], [])
    migrate(store_url)
    with Store.open(store_url) as again, Store.open(store_url, migrate=False) as third:
        assert again.get_article(saved.article_id) is not None
        assert third.counts()["articles"] == 1


def test_store_open_without_migrations_refuses_an_old_database(store_url: str) -> None:
    with pytest.raises(StoreError, match="never been migrated"):
        Store.open(store_url, migrate=False)


def test_store_alembic_version_lands_in_the_test_schema(pg_schema: str) -> None:
    migrate(pg_schema)
    engine = create_store_engine(pg_schema)
    try:
        with engine.connect() as conn:
            schema = conn.execute(sa.text("SELECT current_schema()")).scalar()
            found = conn.execute(
                sa.text("SELECT table_schema FROM information_schema.tables WHERE table_name = 'alembic_version'")
            ).scalars()
            assert schema is not None and schema.startswith("t_")
            found_in = set(found)  # (other test runs may have their own t_ schemas meanwhile)
            assert schema in found_in and "public" not in found_in
    finally:
        engine.dispose()


def test_store_sqlite_creates_folders_and_runs_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "mahalle.sqlite3"
    with Store.open(f"sqlite:///{path}") as store:
        engine = store._engine  # the pragmas are per connection: look at one of the store's own
        assert engine is not None
        with engine.connect() as conn:
            pragma = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            }
    assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 30000, "synchronous": 1}
    assert path.is_file()


def test_store_sqlite_in_memory(tmp_path: Path) -> None:
    with Store.open("sqlite://") as store:
        with_sources(store)
        store.save_article(make_article(1), [], [])
        assert store.counts()["articles"] == 1


def test_store_error_for_sqlite_path_under_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot create the folder") as info:
        Store.open(f"sqlite:///{blocker}/sub/db.sqlite3")
    assert str(blocker) in str(info.value)
    assert info.value.code == "store_error"


def test_store_error_for_sqlite_path_that_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="names a folder"):
        Store.open(f"sqlite:///{tmp_path}")


@pytest.mark.parametrize(
    "url", ["mysql://root:pw@localhost/db", "ftp://x", "not a url", "", "postgresql+asyncpg://h/db"]
)
def test_store_error_for_unsupported_urls(url: str) -> None:
    with pytest.raises(StoreError) as info:
        Store.open(url)
    assert "pw" not in str(info.value)


def test_store_error_for_postgresql_on_a_closed_port() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql://mahalle:s3cret@127.0.0.1:{port}/nowhere?connect_timeout=2"
    with pytest.raises(StoreError) as info:
        Store.open(url)
    message = str(info.value)
    assert f"127.0.0.1:{port}" in message and "s3cret" not in message and "***" in message
    assert "Traceback" not in message


def test_store_error_after_close(empty_store: Store) -> None:
    empty_store.close()
    empty_store.close()
    with pytest.raises(StoreError, match="closed"):
        empty_store.counts()


_WRITER = textwrap.dedent(
    """
    import sys
    from dataclasses import replace
    from mahalle_news.store import Store
    from tests.store.helpers import make_article, with_sources

    url, first = sys.argv[1], int(sys.argv[2])
    with Store.open(url) as store:
        with_sources(store)
        for n in range(first, first + 40):
            store.save_article(make_article(n), [], [])
            store.record_failed_page(f"https://x.ir/{n}", f"https://x.ir/{n}", None, 500, "boom")
    """
)


def test_store_sqlite_two_processes_write_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    url = f"sqlite:///{path}"
    root = Path(__file__).resolve().parents[2]
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, url, str(first)], cwd=root, stderr=subprocess.PIPE)
        for first in (1000, 2000)
    ]
    errors = [p.communicate(timeout=120)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    with Store.open(url) as store:
        counts = store.counts()
    assert counts["articles"] == 80 and counts["failed_pages"] == 80
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


def _lock_new_file(path: Path) -> sqlite3.Connection:
    """A connection holding a write lock on a new file still in rollback-journal mode: what a process that is
    switching the file to WAL holds for an instant while another opens it."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_store_sqlite_open_waits_for_a_new_file_being_switched_to_wal(tmp_path: Path) -> None:
    """SQLite answers the WAL switch of a second opener "database is locked" at once, without its busy
    handler (two processes opening a new file together); opening waits for the lock instead."""
    path = tmp_path / "new.sqlite3"
    holder = _lock_new_file(path)
    threading.Timer(0.3, holder.rollback).start()
    started = time.monotonic()
    with Store.open(f"sqlite:///{path}") as store:
        assert store.counts()["articles"] == 0
    assert time.monotonic() - started >= 0.25
    holder.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_store_sqlite_open_gives_up_on_a_lock_held_past_the_busy_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "new.sqlite3"
    holder = _lock_new_file(path)
    try:
        with pytest.raises(StoreError, match=r"cannot open sqlite:///.*new\.sqlite3: database is locked"):
            Store.open(f"sqlite:///{path}")
    finally:
        holder.close()
