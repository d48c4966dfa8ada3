"""Routes: operations — ``/healthz`` (liveness and the store's state) and ``/metrics`` (Prometheus)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from mahalle_news import __version__
from mahalle_news.errors import MahalleError
from mahalle_news.nlp.facts import EXTRACTOR_VERSION
from mahalle_news.web.observability import store_counts

router = APIRouter(tags=["ops"])


class Health(BaseModel):
    status: str
    version: str
    extractor_version: str
    store: str
    counts: dict[str, int] | None = None
    error: str | None = None


@router.get("/healthz", response_model=Health, summary="Health check")
def healthz(request: Request) -> Any:
    """``ok`` with the store's row counts (reused for a few seconds), or 503 ``unavailable`` when the store cannot
    be read."""
    store = request.app.state.store
    try:
        store.ping()  # live on every call; the counts may be COUNTS_TTL seconds old
        counts = store_counts(store)
    except MahalleError as err:
        body = Health(status="unavailable", version=__version__, extractor_version=EXTRACTOR_VERSION,
                      store=store.dialect, error=str(err))  # fmt: skip
        return JSONResponse(body.model_dump(), status_code=503)
    return Health(status="ok", version=__version__, extractor_version=EXTRACTOR_VERSION, store=store.dialect,
                  counts=counts)  # fmt: skip


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(request: Request) -> Response:
    """Request counters and durations by route, and the store's row counts, in the Prometheus text format."""
    return Response(generate_latest(request.app.state.metrics), media_type=CONTENT_TYPE_LATEST)
