"""Operations: Prometheus metrics, structured (JSON) access logs, and the health check's facts.

``instrument(app)`` adds a middleware that gives every request an id, times it, counts it by route template and
status, and logs one JSON line (method, route, path, status, duration, request id, API key id). ``/metrics`` exposes the
counters plus store gauges (articles, facts, stories, sources failing) read at scrape time.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mahalle_news.store import Store
from mahalle_news.store.cache import remember

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


#: Seconds the store's row counts are reused by ``/healthz`` and ``/metrics`` (counting a million facts takes a
#: tenth of a second; probes and scrapes come every few seconds).
COUNTS_TTL = 15.0


def store_counts(store: Store) -> dict[str, int]:
    """:meth:`Store.counts`, reused for :data:`COUNTS_TTL` seconds."""
    return remember(("store counts", id(store), store.url), COUNTS_TTL, store.counts)


class _StoreCollector(Collector):
    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        store = getattr(self.app.state, "store", None)
        if store is None:
            return
        counts = store_counts(store)
        gauge = GaugeMetricFamily("mahalle_store_rows", "Rows in the store, by kind", labels=["kind"])
        for kind, n in counts.items():
            gauge.add_metric([kind], n)
        yield gauge
        failing = GaugeMetricFamily("mahalle_sources_failing", "Sources whose last poll failed")
        failing.add_metric([], sum(1 for s in store.list_sources() if s.consecutive_failures > 0))
        yield failing


class RequestMiddleware:
    """Plain ASGI middleware (no per-request task group, unlike ``@app.middleware``): gives each HTTP request an
    id (the client's ``X-Request-ID`` or a new one) in ``request.state.request_id`` and the response header, then
    counts and times it by route template and status and writes its access-log line once the body is sent."""

    def __init__(self, app: ASGIApp, *, requests: Counter, duration: Histogram) -> None:
        self.app, self.requests, self.duration = app, requests, duration

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = Headers(scope=scope).get("x-request-id") or uuid.uuid4().hex[:16]
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        start, status = time.perf_counter(), 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("X-Request-ID", request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - start
            route = getattr(scope.get("route"), "path", "unmatched")
            self.requests.labels(scope["method"], route, str(status)).inc()
            self.duration.labels(route).observe(elapsed)
            principal = state.get("principal")
            access_log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "request_id": request_id,
                    "key_id": getattr(principal, "key_id", None),
                },
            )


def instrument(app: FastAPI) -> CollectorRegistry:
    """Request ids, metrics and access logs for ``app`` (:class:`RequestMiddleware`); returns the registry
    ``/metrics`` serves."""
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
    app.add_middleware(RequestMiddleware, requests=requests, duration=duration)
    return registry
