"""Results reused for a while: facet counts, stats, catalogs, dashboards, row counts.

:func:`remember` keeps the :data:`CACHE_SIZE` most recently computed results, each for its ``ttl``. A result that
takes seconds on a large store (stats, catalogs, the dashboard) can ask for ``refresh_stale``: once expired, it is
still answered at once while one background thread computes its successor, so only the very first request of a
key waits. Keys name the store they were computed on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

#: Results kept (the most recently computed).
CACHE_SIZE = 256

_cache: OrderedDict[tuple[Any, ...], tuple[float, Any]] = OrderedDict()
_refreshing: set[tuple[Any, ...]] = set()
_lock = threading.Lock()


def remember[T](key: tuple[Any, ...], ttl: float, compute: Callable[[], T], *, refresh_stale: bool = False) -> T:
    """``compute()``, reused for ``ttl`` seconds under ``key``. With ``refresh_stale`` an expired result is
    returned as it is while a background thread computes the next one (a failed refresh is logged and the old
    result kept; the next request tries again)."""
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
        if hit is not None and (hit[0] > now or (refresh_stale and key in _refreshing)):
            found: T = hit[1]
            return found
        stale = hit is not None and refresh_stale
        if stale:
            _refreshing.add(key)
    if hit is not None and stale:
        thread = threading.Thread(target=_refresh, args=(key, ttl, compute), name="mahalle-cache-refresh", daemon=True)
        thread.start()
        old: T = hit[1]
        return old
    value = compute()
    _keep(key, ttl, value)
    return value


def forget() -> None:
    """Drop every result (tests and benchmarks: time the computation itself)."""
    with _lock:
        _cache.clear()


def _keep(key: tuple[Any, ...], ttl: float, value: Any) -> None:
    with _lock:
        _cache[key] = (time.monotonic() + ttl, value)
        _cache.move_to_end(key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)


def _refresh(key: tuple[Any, ...], ttl: float, compute: Callable[[], Any]) -> None:
    try:
        value = compute()
    except Exception as err:
        log.warning("refreshing a cached result failed, the previous one is kept: %s", err)
    else:
        _keep(key, ttl, value)
    finally:
        with _lock:
            _refreshing.discard(key)
