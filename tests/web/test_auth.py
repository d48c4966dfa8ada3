"""API keys, roles, anonymous read and rate limits; the error envelope; health and metrics."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mahalle_news.config import Settings
from mahalle_news.store import Store
from mahalle_news.store.keys import create_key, revoke_key, verify_key
from mahalle_news.web.app import create_app
from mahalle_news.web.auth import RateLimiter


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(f"sqlite:///{tmp_path}/m.sqlite3") as s:
        yield s


def _client(store: Store, **settings: object) -> TestClient:
    return TestClient(create_app(Settings(db=store.url, **settings), store=store))  # type: ignore[arg-type]


def _auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_auth_keys_are_stored_hashed_and_revocable(store: Store) -> None:
    key, secret = create_key(store, "تحلیلگر استان", "editor")
    assert secret.startswith(f"mn_{key.id}_")
    with store.transaction("peek") as conn:
        stored = conn.exec_driver_sql("SELECT secret_sha256 FROM api_keys").scalar_one()
    assert secret.split("_", 2)[2] not in stored and len(stored) == 64
    assert verify_key(store, secret) is not None
    assert verify_key(store, secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert verify_key(store, "not-a-key") is None
    revoke_key(store, key.id)
    assert verify_key(store, secret) is None


@pytest.mark.parametrize(
    ("role", "path", "method", "status"),
    [
        ("reader", "/v1/sources", "get", 200),
        ("reader", "/v1/keys", "get", 403),
        ("editor", "/v1/keys", "get", 403),
        ("admin", "/v1/keys", "get", 200),
    ],
)
def test_auth_roles(store: Store, role: str, path: str, method: str, status: int) -> None:
    _, secret = create_key(store, "k", role)
    with _client(store) as client:
        response = client.request(method, path, headers=_auth(secret))
    assert response.status_code == status, response.text
    if status == 403:
        assert response.json()["error"]["code"] == "forbidden"


def test_auth_missing_or_unknown_key_is_401_in_the_envelope(store: Store) -> None:
    with _client(store) as client:
        missing = client.get("/v1/sources")
        unknown = client.get("/v1/sources", headers={"X-API-Key": "mn_abc_def"})
    for response in (missing, unknown):
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
        error = response.json()["error"]
        assert error["code"] == "unauthorized" and error["request_id"] == response.headers["x-request-id"]


def test_auth_anonymous_read_is_a_setting(store: Store) -> None:
    with _client(store, anonymous_read=True) as client:
        assert client.get("/v1/sources").status_code == 200
        assert client.get("/v1/keys").status_code == 401


def test_auth_admin_manages_keys_over_the_api(store: Store) -> None:
    _, admin = create_key(store, "مدیر", "admin")
    with _client(store) as client:
        created = client.post("/v1/keys", json={"name": "پژوهشگر", "role": "reader"}, headers=_auth(admin))
        assert created.status_code == 201
        new = created.json()
        assert client.get("/v1/sources", headers=_auth(new["key"])).status_code == 200
        listed = client.get("/v1/keys", headers=_auth(admin)).json()["items"]
        assert {k["name"] for k in listed} == {"مدیر", "پژوهشگر"} and all("key" not in k for k in listed)
        assert client.delete(f"/v1/keys/{new['id']}", headers=_auth(admin)).json()["revoked_at"]
        assert client.get("/v1/sources", headers=_auth(new["key"])).status_code == 401
        assert client.delete("/v1/keys/nope", headers=_auth(admin)).status_code == 404
        bad = client.post("/v1/keys", json={"name": "x", "role": "god"}, headers=_auth(admin))
        assert bad.status_code == 422 and bad.json()["error"]["location"]["field"] == "role"


def test_auth_rate_limit_per_key(store: Store) -> None:
    _, a = create_key(store, "a", "reader")
    _, b = create_key(store, "b", "reader")
    with _client(store, rate_limit=3) as client:
        codes = [client.get("/v1/sources", headers=_auth(a)).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = client.get("/v1/sources", headers=_auth(a))
        assert limited.json()["error"]["code"] == "rate_limited" and int(limited.headers["retry-after"]) >= 1
        assert client.get("/v1/sources", headers=_auth(b)).status_code == 200


def test_auth_rate_limiter_refills() -> None:
    now = [0.0]
    limiter = RateLimiter(60, clock=lambda: now[0])
    assert all(limiter.take("k") == 0 for _ in range(60))
    assert limiter.take("k") == pytest.approx(1.0)
    now[0] += 2.0
    assert limiter.take("k") == 0 and limiter.take("k") == 0


def test_auth_unknown_parameter_and_unknown_route(store: Store) -> None:
    with _client(store, anonymous_read=True) as client:
        typo = client.get("/v1/sources", params={"provnce": "یزد"})
        assert typo.status_code == 422 and typo.json()["error"]["location"] == {"field": "provnce"}
        missing = client.get("/v1/nothing")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
        wrong = client.put("/v1/sources")
        assert wrong.status_code == 405 and "error" in wrong.json()


def test_auth_healthz_and_metrics(store: Store) -> None:
    with _client(store, anonymous_read=True) as client:
        health = client.get("/healthz").json()
        assert health["status"] == "ok" and health["counts"]["articles"] == 0
        client.get("/v1/sources")
        text = client.get("/metrics").text
    assert 'mahalle_http_requests_total{method="GET",route="/v1/sources",status="200"} 1.0' in text
    assert 'mahalle_store_rows{kind="articles"} 0.0' in text


def test_auth_request_ids_and_access_log_lines(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    key, secret = create_key(store, "خواننده", "reader")
    with _client(store) as client, caplog.at_level("INFO", logger="mahalle_news.access"):
        given = client.get("/v1/sources", headers={"X-Request-ID": "abc-123", **_auth(secret)})
        made = client.get("/v1/no-such-route")
        refused = client.get("/v1/sources")
    assert given.status_code == 200 and given.headers["x-request-id"] == "abc-123"
    assert made.status_code == 404 and len(made.headers["x-request-id"]) == 16
    assert made.json()["error"]["request_id"] == made.headers["x-request-id"]
    assert refused.status_code == 401 and refused.json()["error"]["request_id"] == refused.headers["x-request-id"]
    lines = [r for r in caplog.records if r.name == "mahalle_news.access"]
    assert [(r.route, r.status, r.request_id) for r in lines] == [  # type: ignore[attr-defined]
        ("/v1/sources", 200, "abc-123"),
        ("unmatched", 404, made.headers["x-request-id"]),
        ("/v1/sources", 401, refused.headers["x-request-id"]),
    ]
    assert lines[0].key_id == key.id and lines[2].key_id is None  # type: ignore[attr-defined]
    assert all(r.duration_ms >= 0 for r in lines)  # type: ignore[attr-defined]


def test_auth_healthz_reads_the_store_each_time(store: Store) -> None:
    with _client(store, anonymous_read=True) as client:
        assert client.get("/healthz").json()["status"] == "ok"  # counts now cached
        store.close()
        broken = client.get("/healthz")
    assert broken.status_code == 503 and broken.json()["status"] == "unavailable"
    assert "closed" in broken.json()["error"]
