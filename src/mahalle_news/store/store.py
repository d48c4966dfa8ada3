"""The :class:`Store`: one object over the database, every write one transaction.

Failed pages are retried with a backoff: after attempt *n* the page is due again ``FAILED_BACKOFF × 4^(n-1)``
later (1 h, 4 h, 16 h, 64 h); after :data:`FAILED_MAX_ATTEMPTS` attempts, or at once for a status in
:data:`PERMANENT_STATUSES`, it is never retried (:meth:`Store.known_urls` keeps reporting it as known).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self, get_args

import sqlalchemy as sa
from alembic.util import CommandError
from sqlalchemy.engine import Engine

from mahalle_news.store import articles as article_ops
from mahalle_news.store import fts
from mahalle_news.store.engine import WRITE_OPTION, create_store_engine, describe_error, mask_url
from mahalle_news.store.errors import StoreError
from mahalle_news.store.migrate import check_current, upgrade
from mahalle_news.store.records import (
    CrawlRun,
    NearCandidate,
    NewArticle,
    PollOutcome,
    RunStatus,
    SavedArticle,
    SourceState,
    StoredArticle,
)
from mahalle_news.store.rows import article_columns, fact_export_query, stored_article, upsert
from mahalle_news.store.schema import articles, crawl_runs, failed_pages, stories
from mahalle_news.store.schema import facts as facts_table
from mahalle_news.store.schema import sources as sources_table
from mahalle_news.store.simhash import to_unsigned

__all__ = [
    "CrawlRun",
    "NearCandidate",
    "NewArticle",
    "SavedArticle",
    "SourceState",
    "Store",
    "StoreError",
    "StoredArticle",
    "next_retry_at",
]

FAILED_MAX_ATTEMPTS = 5
FAILED_BACKOFF = timedelta(hours=1)
#: HTTP statuses that say the page will not come back: not retried.
PERMANENT_STATUSES = frozenset({404, 410, 451})
_REGISTRY_DEFAULTS: dict[str, Any] = {
    "agency": None,
    "province": None,
    "kind": "rss",
    "poll_minutes": 60,
    "enabled": True,
    "verified": False,
}
_CHUNK = 500


def next_retry_at(attempts: int, status: int | None, at: datetime) -> datetime | None:
    """When a page that failed ``attempts`` times (the last at ``at``) may be fetched again; None: never."""
    if attempts >= FAILED_MAX_ATTEMPTS or status in PERMANENT_STATUSES:
        return None
    return at + FAILED_BACKOFF * (1 << 2 * (max(1, attempts) - 1))


def _now() -> datetime:
    return datetime.now(UTC)


class Store:
    """Articles, stories, facts, source health and crawl runs in SQLite or PostgreSQL."""

    def __init__(self, url: str, engine: Engine) -> None:
        """Use :meth:`open`."""
        self.url = url
        self.masked_url = mask_url(url)
        self.dialect: str = engine.dialect.name
        self._engine: Engine | None = engine
        #: Called inside the transaction that stores a new article (not for ``exists``), after its facts:
        #: ``hook(conn, saved)``. Alerts use this to queue notifications atomically with the data.
        self.on_saved: list[Callable[[sa.Connection, SavedArticle], None]] = []

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Store:
        """Open the database at ``url``, migrating it to the newest schema (or, with ``migrate=False``,
        checking that it is there already)."""
        engine = create_store_engine(url)
        try:
            if migrate:
                upgrade(engine)
            else:
                check_current(engine, url)
        except (sa.exc.SQLAlchemyError, CommandError) as err:
            engine.dispose()
            raise StoreError(f"cannot open {mask_url(url)}: {describe_error(err)}") from err
        except BaseException:
            engine.dispose()
            raise
        return cls(url, engine)

    def close(self) -> None:
        """Release every connection; the store cannot be used afterwards (closing twice is fine)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.masked_url!r})"

    def transaction(self, action: str, *, write: bool = False) -> contextlib.AbstractContextManager[sa.Connection]:
        """One transaction for the store's companion modules (search, alerts, keys): committed when the block
        ends, rolled back when it raises; ``action`` names it in errors. Pass ``write=True`` to write."""
        return self._tx(action, write=write)

    @contextmanager
    def _tx(self, action: str, *, write: bool = False) -> Iterator[sa.Connection]:
        """One transaction, committed when the block ends and rolled back when it raises; database errors
        become StoreError."""
        if self._engine is None:
            raise StoreError(f"{action}: the store {self.masked_url} is closed")
        try:
            with self._engine.connect() as conn:
                if write:
                    conn.execution_options(**{WRITE_OPTION: True})
                with conn.begin():
                    yield conn
        except sa.exc.SQLAlchemyError as err:
            raise StoreError(f"{action} failed on {self.masked_url}: {describe_error(err)}") from err

    # ------------------------------------------------------------ sources

    def sync_sources(self, sources: Iterable[Mapping[str, Any]]) -> None:
        """Insert or update the registry fields of sources; their health columns are kept."""
        rows = []
        for item in sources:
            missing = [k for k in ("id", "name", "url") if not item.get(k)]
            if missing:
                raise StoreError(f"source {item.get('id')!r} lacks {', '.join(missing)}")
            row = {
                **_REGISTRY_DEFAULTS,
                **{k: item[k] for k in ("id", "name", "url", *_REGISTRY_DEFAULTS) if k in item},
            }
            rows.append(row)
        if not rows:
            return
        with self._tx("syncing sources", write=True) as conn:
            upsert(conn, sources_table, rows, key="id", update=[c for c in rows[0] if c != "id"])

    def get_source(self, source_id: str) -> SourceState | None:
        """A source with its health, or None."""
        with self._tx("reading a source") as conn:
            row = conn.execute(sa.select(sources_table).where(sources_table.c.id == source_id)).first()
        return None if row is None else SourceState(**row._mapping)

    def list_sources(self) -> list[SourceState]:
        """Every source, by id."""
        with self._tx("listing sources") as conn:
            return [
                SourceState(**row._mapping)
                for row in conn.execute(sa.select(sources_table).order_by(sources_table.c.id))
            ]

    def record_poll(
        self,
        source_id: str,
        *,
        at: datetime,
        outcome: PollOutcome,
        etag: str | None,
        last_modified: str | None,
        items: int,
        error: str | None,
        next_poll_at: datetime,
    ) -> None:
        """Count one poll of a source: ``ok`` and ``not_modified`` reset the failure streak (only ``ok`` replaces
        the validators etag/last_modified), ``error`` extends it and keeps the message."""
        if outcome not in get_args(PollOutcome):
            raise StoreError(f"poll outcome must be one of {get_args(PollOutcome)}, got {outcome!r}")
        c = sources_table.c
        values: dict[str, Any] = {
            "last_attempt_at": at,
            "polls": c.polls + 1,
            "items_seen": c.items_seen + max(0, items),
            "next_poll_at": next_poll_at,
        }
        if outcome == "error":
            values |= {"consecutive_failures": c.consecutive_failures + 1, "polls_failed": c.polls_failed + 1}
            values["last_error"] = error or "unknown error"
        else:
            values |= {"consecutive_failures": 0, "last_success_at": at, "last_error": None}
            if outcome == "ok":
                values |= {"etag": etag, "last_modified": last_modified}
            else:
                values["polls_not_modified"] = c.polls_not_modified + 1
        with self._tx(f"recording a poll of {source_id}", write=True) as conn:
            if conn.execute(sa.update(sources_table).where(c.id == source_id).values(**values)).rowcount != 1:
                raise StoreError(f"unknown source {source_id!r}")

    # ------------------------------------------------------------ articles

    def known_urls(self, canonical_urls: Iterable[str], *, now: datetime | None = None) -> set[str]:
        """The URLs already stored as articles, or failed pages not yet due for a retry."""
        wanted = list(dict.fromkeys(canonical_urls))
        now = now or _now()
        known: set[str] = set()
        with self._tx("looking up known URLs") as conn:
            for i in range(0, len(wanted), _CHUNK):
                chunk = wanted[i : i + _CHUNK]
                known.update(
                    conn.execute(sa.select(articles.c.url_canonical).where(articles.c.url_canonical.in_(chunk)))
                    .scalars()
                    .all()
                )
                fp = failed_pages.c
                due = sa.or_(fp.next_retry_at.is_(None), fp.next_retry_at > now)
                known.update(
                    conn.execute(sa.select(fp.url_canonical).where(fp.url_canonical.in_(chunk), due)).scalars().all()
                )
        return known

    def save_article(
        self,
        article: NewArticle,
        facts: Sequence[Mapping[str, Any]],
        fact_keys: Sequence[str],
        *,
        near_check: article_ops.NearCheck | None = None,
    ) -> SavedArticle:
        """Store an article, its full-text row and its facts in one transaction, in the story of an exact copy,
        else of the closest near-duplicate (``near_check``, when given, must accept it), else a new story.
        A URL stored before returns status ``exists`` and changes nothing."""
        try:
            with self._tx(f"saving {article.url}", write=True) as conn:
                saved = article_ops.save(conn, article, facts, fact_keys, _now(), near_check)
                if saved.status != "exists":
                    for hook in self.on_saved:
                        hook(conn, saved)
                return saved
        except StoreError as err:
            if not isinstance(err.__cause__, sa.exc.IntegrityError):
                raise
            with self._tx(f"saving {article.url}") as conn:  # another writer stored the same URL meanwhile
                found = article_ops.existing(conn, article.url_canonical)
            if found is None:
                raise
            return found

    def record_failed_page(
        self,
        url_canonical: str,
        url: str,
        source_id: str | None,
        status: int | None,
        error: str,
        *,
        at: datetime | None = None,
    ) -> None:
        """Remember a page that could not be fetched or extracted (see the module's retry policy)."""
        at = at or _now()
        fp = failed_pages.c
        with self._tx(f"recording the failure of {url}", write=True) as conn:
            row = conn.execute(
                sa.select(fp.attempts, fp.first_failed_at).where(fp.url_canonical == url_canonical)
            ).first()
            attempts = 1 if row is None else row.attempts + 1
            values = {
                "url_canonical": url_canonical,
                "url": url,
                "source_id": source_id,
                "status": status,
                "error": error,
                "attempts": attempts,
                "first_failed_at": at if row is None else row.first_failed_at,
                "last_attempt_at": at,
                "next_retry_at": next_retry_at(attempts, status, at),
            }
            upsert(
                conn, failed_pages, [values], key="url_canonical", update=[k for k in values if k != "url_canonical"]
            )

    def get_article(self, article_id: int) -> StoredArticle | None:
        """One article (without raw HTML), or None."""
        with self._tx("reading an article") as conn:
            row = conn.execute(sa.select(*article_columns()).where(articles.c.id == article_id)).first()
        return None if row is None else stored_article(row)

    def get_raw_html(self, article_id: int) -> bytes | None:
        """The page of an article as fetched, or None (unknown article, or stored without HTML)."""
        with self._tx("reading raw HTML") as conn:
            stored = conn.execute(sa.select(articles.c.raw_html).where(articles.c.id == article_id)).scalar()
        return article_ops.decompress_html(stored)

    def iter_articles(
        self, *, batch_size: int = 500, extractor_version_not: str | None = None
    ) -> Iterator[StoredArticle]:
        """Every article by id (with ``extractor_version_not``: those extracted by another or no version), read
        ``batch_size`` at a time; safe to write to the store between items."""
        where = []
        if extractor_version_not is not None:
            v = articles.c.extractor_version
            where.append(sa.or_(v.is_(None), v != extractor_version_not))
        query = sa.select(*article_columns()).where(*where)
        for row in self._batches("reading articles", query, articles.c.id, batch_size):
            yield stored_article(row)

    def replace_facts(
        self,
        article_id: int,
        facts: Sequence[Mapping[str, Any]],
        fact_keys: Sequence[str],
        *,
        extractor_version: str,
        text: str | None = None,
        search_text: str | None = None,
        province: str | None,
        relevant: bool | None,
        relevance: float | None,
        topics: Sequence[str],
    ) -> int:
        """Replace an article's facts after re-extraction, in one transaction, and recompute the counted flags
        of its story. ``text`` replaces the stored text (facts index it), ``search_text`` the full-text row."""
        changes: dict[str, Any] = {
            "extractor_version": extractor_version,
            "province": province,
            "relevant": relevant,
            "relevance": relevance,
            "topics": list(topics),
            "updated_at": _now(),
        }
        if text is not None:
            changes["text"] = text
        with self._tx(f"replacing the facts of article {article_id}", write=True) as conn:
            return article_ops.replace(conn, article_id, facts, fact_keys, changes, search_text)

    def iter_fact_rows(self, *, batch_size: int = 1000) -> Iterator[dict[str, Any]]:
        """Every fact with its article's url, url_canonical, source_id and title, by fact id (for export)."""
        for row in self._batches("exporting facts", fact_export_query(), facts_table.c.id, batch_size):
            yield dict(row._mapping)

    def iter_article_rows(self, *, batch_size: int = 500, include_text: bool = True) -> Iterator[dict[str, Any]]:
        """Every article as a dict (no raw HTML; SimHash unsigned), by id (for export)."""
        query = sa.select(*article_columns(include_text=include_text))
        for row in self._batches("exporting articles", query, articles.c.id, batch_size):
            out = dict(row._mapping)
            out["simhash"] = to_unsigned(out["simhash"])
            yield out

    def _batches(self, action: str, query: sa.Select[Any], key: sa.Column[int], size: int) -> Iterator[sa.Row[Any]]:
        """Rows of ``query`` by ascending ``key``, one short transaction per batch (keyset pagination)."""
        if size < 1:
            raise StoreError(f"{action}: batch_size must be at least 1, got {size}")
        last: int | None = None
        while True:
            page = query.order_by(key).limit(size)
            if last is not None:
                page = page.where(key > last)
            with self._tx(action) as conn:
                rows = conn.execute(page).all()
            yield from rows
            if len(rows) < size:
                return
            last = rows[-1]._mapping[key.name]

    def search_articles(self, folded_query: str, *, limit: int = 20, offset: int = 0) -> list[int]:
        """Ids of the articles containing every word of a folded query, best first; [] for a query without
        words. Any string is safe."""
        with self._tx("searching") as conn:
            return fts.search(conn, folded_query, limit, offset)

    def story_members(self, story_id: int) -> list[tuple[int, str, str]]:
        """(article id, source id, url) of a story's articles, oldest first."""
        a = articles.c
        with self._tx("reading a story") as conn:
            rows = conn.execute(sa.select(a.id, a.source_id, a.url).where(a.story_id == story_id).order_by(a.id))
            return [(r.id, r.source_id, r.url) for r in rows]

    def ping(self) -> None:
        """A cheap read (StoreError when the store cannot be read): for health checks."""
        with self._tx("checking the store") as conn:
            conn.execute(sa.select(sa.literal(1))).scalar_one()

    def counts(self) -> dict[str, int]:
        """Row counts: sources, articles, stories, facts, facts_counted, failed_pages, duplicates."""
        count = sa.func.count()
        queries = {
            "sources": sa.select(count).select_from(sources_table),
            "articles": sa.select(count).select_from(articles),
            "stories": sa.select(count).select_from(stories),
            "facts": sa.select(count).select_from(facts_table),
            "facts_counted": sa.select(count).select_from(facts_table).where(facts_table.c.counted.is_(True)),
            "failed_pages": sa.select(count).select_from(failed_pages),
            "duplicates": sa.select(count).select_from(articles).where(articles.c.duplicate_kind.is_not(None)),
        }
        with self._tx("counting") as conn:
            return {name: int(conn.execute(q).scalar_one()) for name, q in queries.items()}

    def articles_per_day(self, *, days: int = 7, now: datetime | None = None) -> dict[str, float]:
        """New articles per day of each source over the last ``days`` days (sources without any are absent)."""
        since = (now or _now()) - timedelta(days=days)
        a = articles.c
        query = sa.select(a.source_id, sa.func.count()).where(a.fetched_at >= since).group_by(a.source_id)
        with self._tx("counting articles per source") as conn:
            return {row[0]: row[1] / days for row in conn.execute(query)}

    # ------------------------------------------------------------ runs

    def start_run(self, *, at: datetime | None = None) -> int:
        """Record the start of a crawl run; its id."""
        with self._tx("starting a run", write=True) as conn:
            values = {"started_at": at or _now(), "status": "running"}
            return int(conn.execute(sa.insert(crawl_runs).values(**values).returning(crawl_runs.c.id)).scalar_one())

    def finish_run(self, run_id: int, status: str, stats: Mapping[str, Any], *, at: datetime | None = None) -> None:
        """Record how a run ended: ``done``, ``interrupted`` or ``failed``, with its statistics."""
        if status not in get_args(RunStatus) or status == "running":
            raise StoreError(f"a run ends as done, interrupted or failed, not {status!r}")
        values = {"finished_at": at or _now(), "status": status, "stats": dict(stats)}
        with self._tx(f"finishing run {run_id}", write=True) as conn:
            if conn.execute(sa.update(crawl_runs).where(crawl_runs.c.id == run_id).values(**values)).rowcount != 1:
                raise StoreError(f"no crawl run with id {run_id}")

    def list_runs(self, *, limit: int = 20) -> list[CrawlRun]:
        """The latest runs, newest first."""
        with self._tx("listing runs") as conn:
            rows = conn.execute(sa.select(crawl_runs).order_by(crawl_runs.c.id.desc()).limit(limit))
            return [CrawlRun(**row._mapping) for row in rows]
