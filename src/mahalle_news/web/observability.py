"""Operations: Prometheus metrics, structured (JSON) access logs, and the health check's facts.

``instrument(app)`` adds a middleware that times every request, counts it by route template and status, and
logs one JSON line (method, route, path, status, duration, request id, API key id). ``/metrics`` exposes the
counters plus store gauges (articles, facts, stories, sources failing) read at scrape time.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request, Response
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

access_log = logging.getLogger("mahalle_news.access")


class JsonFormatter(logging.Formatter):
    """One JSON object per log line: time, level, logger, message and any ``extra`` fields."""

    _SKIP = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        out.update({k: v for k, v in vars(record).items() if k not in self._SKIP})
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def log_config(level: str = "info") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for uvicorn and our loggers: JSON lines on stderr."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"json": handler},
        "loggers": {
            name: {"handlers": ["json"], "level": level.upper(), "propagate": False}
            for name in ("uvicorn", "uvicorn.error", "mahalle_news")
        },
        # uvicorn's own access log is replaced by ours (which knows the route and the key)
        "root": {"handlers": ["json"], "level": "WARNING"},
    }


class _StoreCollector(Collector):
    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        store = getattr(self.app.state, "store", None)
        if store is None:
            return
        counts = store.counts()
        gauge = GaugeMetricFamily("mahalle_store_rows", "Rows in the store, by kind", labels=["kind"])
        for kind, n in counts.items():
            gauge.add_metric([kind], n)
        yield gauge
        failing = GaugeMetricFamily("mahalle_sources_failing", "Sources whose last poll failed")
        failing.add_metric([], sum(1 for s in store.list_sources() if s.consecutive_failures > 0))
        yield failing


def instrument(app: FastAPI) -> CollectorRegistry:
    """Metrics and access logs for ``app``; returns the registry ``/metrics`` serves."""
    registry = CollectorRegistry()
    requests = Counter(
        "mahalle_http_requests", "HTTP requests by method, route and status", ["method", "route", "status"],
        registry=registry,
    )  # fmt: skip
    duration = Histogram(
        "mahalle_http_request_seconds", "HTTP request duration by route", ["route"], registry=registry,
        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    )  # fmt: skip
    registry.register(_StoreCollector(app))

    @app.middleware("http")
    async def observe(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        start = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            elapsed = time.perf_counter() - start
            route = getattr(request.scope.get("route"), "path", "unmatched")
            requests.labels(request.method, route, str(status)).inc()
            duration.labels(route).observe(elapsed)
            principal = getattr(request.state, "principal", None)
            access_log.info(
                "%s %s %s",
                request.method,
                request.url.path,
                status,
                extra={
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "request_id": getattr(request.state, "request_id", None),
                    "key_id": getattr(principal, "key_id", None),
                },
            )

    return registry
