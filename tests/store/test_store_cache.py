"""The result cache: fresh results reused, expired ones recomputed, or with ``refresh_stale`` answered at once
while one background thread computes the next; a failed refresh keeps the old result; the size is bounded."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable

import pytest

from mahalle_news.store import cache
from mahalle_news.store.cache import remember

_keys = itertools.count()


def _key() -> tuple[str, int]:
    return ("test", next(_keys))


def _counter(start: int = 0) -> tuple[list[int], Callable[[], int]]:
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return start + len(calls)

    return calls, compute


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 5
    while not condition():
        assert time.monotonic() < deadline, "the background refresh did not finish"
        time.sleep(0.005)


def test_store_cache_fresh_result_is_reused() -> None:
    key, (calls, compute) = _key(), _counter()
    assert remember(key, 60, compute) == 1 and remember(key, 60, compute) == 1 and len(calls) == 1


def test_store_cache_expired_result_is_recomputed_in_the_request() -> None:
    key, (calls, compute) = _key(), _counter()
    assert remember(key, 0.01, compute) == 1
    time.sleep(0.02)
    assert remember(key, 0.01, compute) == 2 and len(calls) == 2


def test_store_cache_stale_result_answered_while_refreshed_once_in_the_background() -> None:
    key, release, started = _key(), threading.Event(), threading.Event()
    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        if len(calls) > 1:
            started.set()
            assert release.wait(5)
        return len(calls)

    assert remember(key, 0.01, slow, refresh_stale=True) == 1
    time.sleep(0.02)
    assert remember(key, 0.01, slow, refresh_stale=True) == 1  # at once: the refresh waits on `release`
    assert started.wait(5)
    assert remember(key, 0.01, slow, refresh_stale=True) == 1 and len(calls) == 2  # no second refresh meanwhile
    release.set()
    _wait_for(lambda: key not in cache._refreshing)
    assert cache._cache[key][1] == 2 and len(calls) == 2


def test_store_cache_failed_refresh_keeps_the_old_result(caplog: pytest.LogCaptureFixture) -> None:
    key, failing = _key(), threading.Event()
    calls: list[int] = []

    def flaky() -> int:
        calls.append(1)
        if len(calls) == 2:
            failing.set()
            raise RuntimeError("the store went away")
        return len(calls)

    assert remember(key, 0.01, flaky, refresh_stale=True) == 1
    time.sleep(0.02)
    with caplog.at_level(logging.WARNING, logger="mahalle_news.store.cache"):
        assert remember(key, 0.01, flaky, refresh_stale=True) == 1
        _wait_for(lambda: failing.is_set() and key not in cache._refreshing)
    assert "the store went away" in caplog.text
    assert remember(key, 0.01, flaky, refresh_stale=True) == 1  # still the old one; this starts another refresh
    _wait_for(lambda: key not in cache._refreshing)
    assert cache._cache[key][1] == 3


def test_store_cache_keeps_at_most_its_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "CACHE_SIZE", 3)
    keys = [_key() for _ in range(5)]
    for i, key in enumerate(keys):
        remember(key, 60, lambda i=i: i)
    assert len(cache._cache) == 3 and all(key in cache._cache for key in keys[2:])
