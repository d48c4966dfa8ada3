"""The start-up warm-up: the slow summaries are in the result cache before anyone asks for them."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mahalle_news.config import Settings
from mahalle_news.store import Store, cache
from mahalle_news.web import warmup
from mahalle_news.web.app import create_app
from mahalle_news.web.routes import catalog, stats
from mahalle_news.web.ui import queries

PATHS = ("/v1/stats", "/v1/programs", "/v1/officials", "/dashboard")
#: The computations behind PATHS; after a warm-up, none of them may run for the default views.
COMPUTATIONS = (
    (stats, "series_points"),
    (stats, "timeline"),
    (catalog, "program_entries"),
    (catalog, "official_entries"),
    (queries, "latest_figures"),
    (queries, "program_timelines"),
)


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.forget()
    yield
    cache.forget()


def _settings(store: Store, **overrides: Any) -> Settings:
    return Settings(db=store.url, anonymous_read=True, rate_limit=0, **overrides)


def _bodies(client: TestClient) -> dict[str, str]:
    out = {}
    for path in PATHS:
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        out[path] = response.text
    return out


def _forbid_computations(monkeypatch: pytest.MonkeyPatch) -> None:
    def computed(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("computed although the warm-up should have cached it")

    for module, name in COMPUTATIONS:
        monkeypatch.setattr(module, name, computed)


def test_warmup_answers_first_requests_from_the_cache(search_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    with TestClient(create_app(_settings(search_store), store=search_store, deliver_alerts=False)) as client:
        expected = _bodies(client)  # computed on request, without a warm-up
    cache.forget()
    app = create_app(_settings(search_store), store=search_store, deliver_alerts=False, warm_cache=True)
    with TestClient(app) as client:
        app.state.warmup.join(timeout=120)
        assert not app.state.warmup.is_alive()
        _forbid_computations(monkeypatch)
        assert _bodies(client) == expected


def test_warmup_is_off_unless_asked_and_by_setting(search_store: Store) -> None:
    for app in (
        create_app(_settings(search_store), store=search_store, deliver_alerts=False),
        create_app(
            _settings(search_store, warm_cache=False), store=search_store, deliver_alerts=False, warm_cache=True
        ),
    ):
        with TestClient(app) as client:
            assert client.get("/healthz").status_code == 200
            assert app.state.warmup is None


def test_warmup_logs_a_failed_summary_and_goes_on(
    search_store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(stats, "series_points", broken)
    with caplog.at_level(logging.WARNING, logger="mahalle_news.web.warmup"):
        taken = warmup.warm(search_store)
    assert taken["stats"] is None
    assert all(isinstance(taken[name], float) for name in ("timeline", "programs", "officials", "dashboard"))
    assert "stats failed: disk on fire" in caplog.text


def test_warmup_stops_between_summaries_when_asked(search_store: Store) -> None:
    thread, stop = warmup.start(search_store)
    stop.set()
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert len(warmup.warm(search_store, stop)) == 0
