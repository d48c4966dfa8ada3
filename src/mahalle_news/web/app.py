"""The FastAPI application: ``create_app(settings)`` wires the store, the routes, the error envelope and the
request middleware (request ids, structured access logs). ``mahalle-news serve`` runs it with uvicorn."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from mahalle_news import __version__
from mahalle_news.alerts import AlertService
from mahalle_news.alerts import install as install_alerts
from mahalle_news.config import Settings
from mahalle_news.filters import resolve_program, resolve_province
from mahalle_news.store import Store
from mahalle_news.web import errors, warmup
from mahalle_news.web.auth import RateLimiter
from mahalle_news.web.deps import reject_unknown_params
from mahalle_news.web.observability import instrument

#: Route modules under ``mahalle_news.web.routes``; each has a ``router``.
ROUTE_MODULES: tuple[str, ...] = ("facts", "articles", "catalog", "stats", "alerts", "export", "admin", "ops", "ui")

#: Seconds shutdown waits for a summary the start-up warm-up is computing.
WARMUP_JOIN_TIMEOUT = 10.0

API_DESCRIPTION = """Facts about Iran's neighbourhood-development programs, extracted from provincial news with
their evidence: search them, follow them with alerts, export them. Every error has the same JSON envelope."""


def create_app(
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    deliver_alerts: bool = True,
    warm_cache: bool = False,
) -> FastAPI:
    """The app over ``store`` (or the store of ``settings.db``, opened at start-up and closed at shutdown). With
    ``deliver_alerts`` the webhook delivery worker runs while the app does; with ``warm_cache`` (and the setting
    of that name) the slow summaries are computed in the background at start-up (:mod:`mahalle_news.web.warmup`)."""
    settings = settings or Settings.from_env()
    owns_store = store is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.store is None:
            app.state.store = Store.open(settings.db)
        install_alerts(app.state.store, settings)
        resolve_province("تهران"), resolve_program("کرامت")  # load the gazetteer and registry before requests
        service = None
        if deliver_alerts:
            resolver = getattr(app.state, "alerts_resolver", None)
            service = AlertService(app.state.store, settings, resolver=resolver)
            await service.start()
        warming = warmup.start(app.state.store) if warm_cache and settings.warm_cache else None
        app.state.warmup = warming[0] if warming else None
        try:
            yield
        finally:
            if warming is not None:
                warming[1].set()  # stop between summaries, then let the one under way finish before closing
                await asyncio.to_thread(warming[0].join, WARMUP_JOIN_TIMEOUT)
            if service is not None:
                await service.stop()
            if owns_store and app.state.store is not None:
                app.state.store.close()
                app.state.store = None

    app = FastAPI(
        title="mahalle-news",
        version=__version__,
        description=API_DESCRIPTION,
        lifespan=lifespan,
        dependencies=[Depends(reject_unknown_params)],
    )
    app.state.settings = settings
    app.state.store = store
    app.state.rate_limiter = RateLimiter(settings.rate_limit)
    errors.install(app)
    app.state.metrics = instrument(app)

    app.mount("/static", StaticFiles(packages=[("mahalle_news.web", "static")]), name="static")
    for name in ROUTE_MODULES:
        module = importlib.import_module(f"mahalle_news.web.routes.{name}")
        app.include_router(module.router)
    return app
