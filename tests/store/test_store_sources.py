"""Source registry and health, and crawl runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from mahalle_news.store import Store, StoreError
from tests.store.helpers import SOURCES, T0


def _poll(store: Store, outcome: str, at: datetime, **kw: object) -> None:
    args: dict[str, object] = {"etag": None, "last_modified": None, "items": 0, "error": None}
    args.update(kw)
    store.record_poll(
        "mehr-tabriz",
        at=at,
        outcome=outcome,
        next_poll_at=at + timedelta(minutes=60),
        **args,  # type: ignore[arg-type]
    )


def test_store_sync_sources_inserts_with_defaults(empty_store: Store) -> None:
    empty_store.sync_sources([{"id": "isna-x", "name": "ایسنا", "url": "https://isna.ir/rss", "note": "ignored"}])
    source = empty_store.get_source("isna-x")
    assert source is not None
    assert (source.kind, source.poll_minutes, source.enabled, source.verified) == ("rss", 60, True, False)
    assert (source.polls, source.consecutive_failures, source.etag) == (0, 0, None)
    assert empty_store.get_source("nope") is None


def test_store_sync_sources_keeps_health(store: Store) -> None:
    _poll(store, "ok", T0, etag='"abc"', last_modified="Sat, 01 Mar 2025 08:00:00 GMT", items=12)
    _poll(store, "error", T0 + timedelta(hours=1), error="timeout")
    changed = [dict(SOURCES[1], name="مهر آذربایجان شرقی", poll_minutes=15, enabled=False), SOURCES[0]]
    store.sync_sources(changed)
    source = store.get_source("mehr-tabriz")
    assert source is not None
    assert (source.name, source.poll_minutes, source.enabled) == ("مهر آذربایجان شرقی", 15, False)
    assert (source.polls, source.items_seen, source.consecutive_failures) == (2, 12, 1)
    assert source.etag == '"abc"' and source.last_error == "timeout"
    assert [s.id for s in store.list_sources()] == ["irna-east-azarbaijan", "mehr-tabriz"]


def test_store_sync_sources_refuses_incomplete_entries(store: Store) -> None:
    with pytest.raises(StoreError, match="lacks name"):
        store.sync_sources([{"id": "x", "url": "https://x.ir"}])


def test_store_record_poll_counters(store: Store) -> None:
    _poll(store, "ok", T0, etag="e1", last_modified="lm1", items=10)
    _poll(store, "error", T0 + timedelta(minutes=1), error="HTTP 503")
    _poll(store, "error", T0 + timedelta(minutes=2), error="HTTP 502", etag="ignored")
    source = store.get_source("mehr-tabriz")
    assert source is not None
    assert (source.consecutive_failures, source.polls_failed, source.last_error) == (2, 2, "HTTP 502")
    assert source.etag == "e1" and source.last_success_at == T0
    _poll(store, "not_modified", T0 + timedelta(minutes=3), etag="also ignored")
    source = store.get_source("mehr-tabriz")
    assert source is not None
    assert (source.consecutive_failures, source.polls_not_modified, source.last_error) == (0, 1, None)
    assert (source.etag, source.last_modified) == ("e1", "lm1")
    assert source.last_success_at == T0 + timedelta(minutes=3)
    _poll(store, "ok", T0 + timedelta(minutes=4), etag="e2", items=5)
    source = store.get_source("mehr-tabriz")
    assert source is not None
    assert (source.polls, source.items_seen, source.etag, source.last_modified) == (5, 15, "e2", None)
    assert source.last_attempt_at == T0 + timedelta(minutes=4)
    assert source.next_poll_at == T0 + timedelta(minutes=64)


def test_store_record_poll_refuses_unknown_source_and_outcome(store: Store) -> None:
    with pytest.raises(StoreError, match="unknown source"):
        store.record_poll(
            "nope", at=T0, outcome="ok", etag=None, last_modified=None, items=0, error=None, next_poll_at=T0
        )
    with pytest.raises(StoreError, match="outcome"):
        _poll(store, "maybe", T0)


def test_store_timestamps_come_back_aware_in_utc(store: Store) -> None:
    tehran = timezone(timedelta(hours=3, minutes=30))
    _poll(store, "ok", datetime(2025, 3, 1, 11, 30, tzinfo=tehran))
    source = store.get_source("mehr-tabriz")
    assert source is not None and source.last_attempt_at is not None
    assert source.last_attempt_at == datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    assert source.last_attempt_at.utcoffset() == timedelta(0)


def test_store_naive_timestamps_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="naive datetime"):
        _poll(store, "ok", datetime(2025, 3, 1, 8, 0))


def test_store_runs_start_and_finish(store: Store) -> None:
    first = store.start_run(at=T0)
    second = store.start_run()
    store.finish_run(first, "interrupted", {"fetched": 3, "errors": {"http": 1}}, at=T0 + timedelta(minutes=5))
    runs = store.list_runs()
    assert [r.id for r in runs] == [second, first]
    assert runs[0].status == "running" and runs[0].finished_at is None
    assert runs[1].status == "interrupted" and runs[1].stats == {"fetched": 3, "errors": {"http": 1}}
    assert runs[1].finished_at == T0 + timedelta(minutes=5)
    with pytest.raises(StoreError, match="not 'running'"):
        store.finish_run(second, "running", {})
    with pytest.raises(StoreError, match="no crawl run"):
        store.finish_run(999, "done", {})
