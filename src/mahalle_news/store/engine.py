"""Database URLs and engines: which URLs are accepted, how SQLite is tuned, how failures are reported.

Accepted URLs: ``sqlite:///relative/path``, ``sqlite:////absolute/path``, ``sqlite://`` (in memory, one shared
connection) and ``postgresql://user:password@host:port/db`` (also ``postgres://`` and ``postgresql+psycopg://``;
the psycopg 3 driver is always used). Anything else is a :class:`~.errors.StoreError` naming the URL with its
password masked.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic_core import from_json
from sqlalchemy import event, exc
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import StaticPool

from mahalle_news.store.errors import StoreError

#: Milliseconds a SQLite connection waits for another process's write lock before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: Seconds to wait for a PostgreSQL server, unless the URL sets ``connect_timeout``.
PG_CONNECT_TIMEOUT = 10
#: Execution option marking a connection whose transactions write: SQLite then takes the write lock at BEGIN.
WRITE_OPTION = "mahalle_write"

_SCHEMES = {
    "sqlite": "sqlite+pysqlite",
    "sqlite+pysqlite": "sqlite+pysqlite",
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
}
_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^@/\s]*@")


def mask_url(url: str) -> str:
    """The URL with its password replaced by ``***`` (also for strings that do not parse as URLs)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return _PASSWORD.sub(r"\1***@", url)


def parse_url(url: str) -> URL:
    """The SQLAlchemy URL for a store URL, with the driver fixed (pysqlite, psycopg 3)."""
    try:
        parsed = make_url(url)
    except Exception:
        raise StoreError(
            f"{mask_url(url)!r} is not a database URL: use sqlite:///PATH or postgresql://USER@HOST:PORT/DB"
        ) from None
    driver = _SCHEMES.get(parsed.drivername)
    if driver is None:
        raise StoreError(
            f"unsupported database {parsed.drivername!r} in {mask_url(url)}: use sqlite:///PATH or "
            "postgresql://USER@HOST:PORT/DB"
        )
    return parsed.set(drivername=driver)


def dump_json(value: Any) -> str:
    """JSON as stored: UTF-8 text, Persian kept readable."""
    return json.dumps(value, ensure_ascii=False)


def load_json(text: str | bytes) -> Any:
    """Stored JSON read back (pydantic-core's parser: a third faster than :func:`json.loads`, the same values)."""
    return from_json(text)


def create_store_engine(url: str) -> Engine:
    """An engine for ``url``: SQLite files get their folder created and WAL mode; PostgreSQL a short timeout."""
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed)
    connect_args: dict[str, Any] = {}
    if "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT
    if "application_name" not in parsed.query:
        connect_args["application_name"] = "mahalle-news"
    try:
        return sa.create_engine(
            parsed,
            connect_args=connect_args,
            pool_pre_ping=True,
            json_serializer=dump_json,
            json_deserializer=load_json,
        )
    except (exc.ArgumentError, ImportError) as err:
        raise StoreError(f"cannot use {mask_url(url)}: {err}") from None


def _sqlite_engine(url: str, parsed: URL) -> Engine:
    database = parsed.database or ""
    in_memory = database in ("", ":memory:")
    if not in_memory:
        path = Path(database)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise StoreError(
                f"cannot create the folder {str(path.parent)!r} for {mask_url(url)}: a file is in the way"
            ) from None
        except OSError as err:
            raise StoreError(
                f"cannot create the folder {str(path.parent)!r} for {mask_url(url)}: {err.strerror or err}"
            ) from None
        if path.is_dir():
            raise StoreError(f"{mask_url(url)} names a folder, not a database file")
    kwargs: dict[str, Any] = {"json_serializer": dump_json, "json_deserializer": load_json}
    connect_args: dict[str, Any] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    if in_memory:
        kwargs["poolclass"] = StaticPool
        connect_args["check_same_thread"] = False
    engine = sa.create_engine(parsed, connect_args=connect_args, **kwargs)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy, not the sqlite3 module, emits BEGIN (see _sqlite_on_begin): transactional DDL, real savepoints
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        _set_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _set_wal(cursor: Any) -> None:
    """``PRAGMA journal_mode=WAL``, waiting while another process holds the lock. Two processes opening a new
    file at once both switch it to WAL, and SQLite answers the loser "database is locked" at once, without its
    busy handler: so retry, with backoff, for up to the busy timeout."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    delay = 0.002
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() + delay > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def _sqlite_on_begin(conn: sa.Connection) -> None:
    # a writer takes the lock up front: a deferred transaction that reads first and then writes can fail at
    # once with "database is locked" when another process wrote in between (busy_timeout does not help there)
    immediate = conn.get_execution_options().get(WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def describe_error(err: BaseException) -> str:
    """The driver's message of a database error on one line, without SQLAlchemy's SQL and background link."""
    orig = getattr(err, "orig", None)
    text = str(orig) if orig is not None else str(err)
    text = text.split("\n[SQL:", 1)[0].split("\n(Background on this error", 1)[0]
    return " ".join(text.split())


def store_error(url: str, action: str, err: BaseException) -> StoreError:
    """A StoreError saying what failed on which (masked) URL, and why."""
    return StoreError(f"{action} {mask_url(url)} failed: {describe_error(err)}")
