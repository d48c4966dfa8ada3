"""Start-up warm-up: the summaries that take seconds on a large store, computed once in the background.

``/v1/stats``, ``/v1/programs``, ``/v1/officials`` and the dashboard go over every selected fact; on a million
facts their first, unfiltered request took 1–4 s before the result cache held it. ``mahalle-news serve`` (setting
``warm_cache``) runs :func:`warm` in a background thread as soon as the app has started, so the default views are
answered from the cache by the time someone asks. Requests are served meanwhile; one that arrives first computes
its own result, as without the warm-up. Each summary that fails is logged and skipped: the warm-up never stops the
service.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from mahalle_news.filters import parse_fact_filter
from mahalle_news.store import Store
from mahalle_news.web.models import CatalogQuery, StatsQuery
from mahalle_news.web.routes import catalog, stats
from mahalle_news.web.ui import queries

log = logging.getLogger(__name__)


def summaries(store: Store) -> dict[str, Callable[[], object]]:
    """The default (unfiltered) summaries, under the cache keys their routes use."""
    stats_query = StatsQuery.model_validate({})
    stats_filter = stats.stats_filter(stats_query)
    catalog_filter = parse_fact_filter(CatalogQuery.model_validate({}).filter_params())
    return {
        "stats": lambda: stats.cached_series(store, stats_filter, stats_query.history),
        "timeline": lambda: stats.cached_timeline(store, stats_filter),
        "programs": lambda: catalog.cached_programs(store, catalog_filter),
        "officials": lambda: catalog.cached_officials(store, catalog_filter),
        "dashboard": lambda: queries.dashboard(store),
    }


def warm(store: Store, stop: threading.Event | None = None) -> dict[str, float | None]:
    """Compute each summary into the result cache; seconds taken per summary (``None``: failed, logged).
    ``stop`` ends the warm-up between summaries (the app is shutting down)."""
    taken: dict[str, float | None] = {}
    for name, compute in summaries(store).items():
        if stop is not None and stop.is_set():
            break
        started = time.perf_counter()
        try:
            compute()
        except Exception as err:  # a warm-up must never take the service down
            log.warning("warming the cache: %s failed: %s", name, err)
            taken[name] = None
        else:
            taken[name] = round(time.perf_counter() - started, 3)
    log.info("cache warmed", extra={"warmed": taken})
    return taken


def start(store: Store) -> tuple[threading.Thread, threading.Event]:
    """:func:`warm` in a daemon thread; set the event to stop it between summaries."""
    stop = threading.Event()
    thread = threading.Thread(target=warm, args=(store, stop), name="mahalle-warmup", daemon=True)
    thread.start()
    return thread, stop
