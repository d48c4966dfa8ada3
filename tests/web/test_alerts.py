"""The alerts API: create, list, read and delete saved searches (editor keys, own alerts), validation in the error
envelope, the Atom feed (readable with the feed token alone), the event stream and the delivery log."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import feedparser
import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from lxml import etree

from mahalle_news.alerts import AlertService, install
from mahalle_news.alerts.sse import StreamConfig
from mahalle_news.config import Settings
from mahalle_news.store import Store
from mahalle_news.store.keys import create_key
from mahalle_news.web.app import create_app
from tests.alerts.helpers import budget_fact, count_fact, save, with_sources
from tests.db import pg_schema, store_url

__all__ = ["pg_schema", "store_url"]

#: Validation and access do not depend on the backend: those tests run on SQLite only.
SQLITE_ONLY = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
PUBLIC = {"hooks.example.org": ["93.184.215.14"], "inside.example.org": ["10.20.30.40"]}
FAST_STREAM = StreamConfig(poll_interval=0.01, heartbeat=0.03, max_duration=0.25)


async def fake_resolver(host: str, port: int) -> list[str]:
    if host not in PUBLIC:
        raise OSError(f"unknown host {host}")
    return PUBLIC[host]


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        install(with_sources(opened))
        yield opened


@pytest.fixture
def app(store: Store) -> FastAPI:
    application = create_app(Settings(db=store.url, rate_limit=0, webhook_max_attempts=2), store=store)
    application.state.alerts_resolver = fake_resolver
    application.state.alerts_stream = FAST_STREAM
    return application


@pytest.fixture
def keys(store: Store) -> dict[str, dict[str, str]]:
    out = {}
    for role, name in (("editor", "ویراستار"), ("other", "ویراستار دوم"), ("admin", "مدیر"), ("reader", "خواننده")):
        _, secret = create_key(store, name, "editor" if role == "other" else role)
        out[role] = {"Authorization": f"Bearer {secret}"}
    return out


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """Without the app's lifespan: the store is given, and no background worker should send these tests'
    webhooks (the delivery test drives one itself)."""
    test_client = TestClient(app)
    try:
        yield test_client
    finally:
        test_client.close()


def _create(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    body = {"name": "بودجه بازآفرینی کرمان", "filter": {"type": "budget", "province": "كرمان"}} | body
    response = client.post("/v1/alerts", json=body, headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def test_alerts_api_crud(client: TestClient, keys: dict[str, dict[str, str]]) -> None:
    created = _create(client, keys["editor"], webhook_url="https://hooks.example.org/mahalle", on_changed=True)
    alert_id = created["id"]
    assert created["filter"] == {"type": ["budget"], "province": ["کرمان"]}  # normalised by the filter language
    assert created["webhook_secret"].startswith("whsec_") and len(created["feed_token"]) >= 40
    assert created["feed_url"] == f"/v1/alerts/{alert_id}/feed.atom?token={created['feed_token']}"
    assert created["on_new"] and created["on_changed"] and created["links"]["events"] == f"/v1/alerts/{alert_id}/events"
    got = client.get(f"/v1/alerts/{alert_id}", headers=keys["editor"])
    assert got.status_code == 200
    assert "webhook_secret" not in got.json() and "feed_token" not in got.json()  # shown once
    assert got.json()["owner"] == created["owner"] and got.json()["webhook_url"] == "https://hooks.example.org/mahalle"
    listed = client.get("/v1/alerts", headers=keys["editor"]).json()
    assert [a["id"] for a in listed["items"]] == [alert_id] and listed["next_cursor"] is None
    assert client.delete(f"/v1/alerts/{alert_id}", headers=keys["editor"]).status_code == 204
    for method in ("get", "delete"):
        gone = client.request(method, f"/v1/alerts/{alert_id}", headers=keys["editor"])
        assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"


def test_alerts_api_are_owned_by_their_key(client: TestClient, keys: dict[str, dict[str, str]]) -> None:
    mine = _create(client, keys["editor"])["id"]
    theirs = _create(client, keys["other"], name="شمار محله‌های یزد", filter={"province": "یزد"})["id"]
    assert [a["id"] for a in client.get("/v1/alerts", headers=keys["editor"]).json()["items"]] == [mine]
    assert client.get(f"/v1/alerts/{theirs}", headers=keys["editor"]).status_code == 404
    assert client.delete(f"/v1/alerts/{theirs}", headers=keys["editor"]).status_code == 404
    assert client.get(f"/v1/alerts/{theirs}/deliveries", headers=keys["editor"]).status_code == 404
    everyone = client.get("/v1/alerts", headers=keys["admin"]).json()["items"]
    assert [a["id"] for a in everyone] == [theirs, mine]
    assert client.get(f"/v1/alerts/{mine}", headers=keys["admin"]).status_code == 200


def test_alerts_api_pages_with_a_cursor(client: TestClient, keys: dict[str, dict[str, str]]) -> None:
    ids = [_create(client, keys["editor"], name=f"هشدار {n}")["id"] for n in range(3)]
    first = client.get("/v1/alerts", params={"limit": 2}, headers=keys["editor"]).json()
    second = client.get("/v1/alerts", params={"limit": 2, "cursor": first["next_cursor"]}, headers=keys["editor"])
    assert [a["id"] for a in first["items"]] + [a["id"] for a in second.json()["items"]] == ids[::-1]
    assert second.json()["next_cursor"] is None


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"filter": {}}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "هشدار", "filter": {"provnce": "کرمان"}}, "filter.provnce"),
        ({"name": "هشدار", "filter": {"province": "آتلانتیس"}}, "filter.province"),
        ({"name": "هشدار", "filter": {"type": "weather"}}, "filter.type"),
        ({"name": "هشدار", "filter": {"rials_min": "بسیار"}}, "filter.rials_min"),
        ({"name": "هشدار", "filter": {"date_from": "1404-13-01"}}, "filter.date_from"),
        ({"name": "هشدار", "filter": {"value_min": 10, "value_max": 5}}, "filter.value_min"),
        ({"name": "هشدار", "filter": {"type": {"nested": "no"}}}, "filter.type"),
        ({"name": "هشدار", "on_new": False, "on_changed": False}, "on_new"),
        ({"name": "هشدار", "colour": "سبز"}, "colour"),
        ({"name": "هشدار", "webhook_url": "ftp://hooks.example.org/x"}, "webhook_url"),
        ({"name": "هشدار", "webhook_url": "http://127.0.0.1:8080/x"}, "webhook_url"),
        ({"name": "هشدار", "webhook_url": "http://[::ffff:169.254.169.254]/x"}, "webhook_url"),
        ({"name": "هشدار", "webhook_url": "https://inside.example.org/x"}, "webhook_url"),
        ({"name": "هشدار", "webhook_url": "https://nowhere.example.org/x"}, "webhook_url"),
    ],
)
def test_alerts_api_invalid_input_names_the_field(
    client: TestClient, keys: dict[str, dict[str, str]], body: dict[str, Any], field: str
) -> None:
    response = client.post("/v1/alerts", json=body, headers=keys["editor"])
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input" and error["location"]["field"].startswith(field)


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/v1/alerts", {"cursor": "نه-یک-نشانگر"}, "cursor"),
        ("/v1/alerts", {"limit": 0}, "limit"),
        ("/v1/alerts", {"sort": "name"}, "sort"),
        ("/v1/alerts/abc", {}, "alert_id"),
        ("/v1/alerts/99999999999", {}, "alert_id"),  # beyond any id: refused before the database sees it
        ("/v1/alerts/{id}/events", {"last_event_id": 2**40}, "last_event_id"),
        ("/v1/alerts/{id}/deliveries", {"status": "lost"}, "status"),
        ("/v1/alerts/{id}/feed.atom", {"limit": 1000}, "limit"),
    ],
)
def test_alerts_api_invalid_parameters(
    client: TestClient, keys: dict[str, dict[str, str]], path: str, params: dict[str, Any], field: str
) -> None:
    alert_id = _create(client, keys["editor"])["id"]
    response = client.get(path.format(id=alert_id), params=params, headers=keys["editor"])
    assert response.status_code == 422, response.text
    assert response.json()["error"]["location"]["field"] == field


ROUTES = [
    ("post", "/v1/alerts"),
    ("get", "/v1/alerts"),
    ("get", "/v1/alerts/{id}"),
    ("delete", "/v1/alerts/{id}"),
    ("get", "/v1/alerts/{id}/deliveries"),
    ("get", "/v1/alerts/{id}/notifications"),
    ("get", "/v1/alerts/{id}/feed.atom"),
    ("get", "/v1/alerts/{id}/events"),
]


@SQLITE_ONLY
@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_alerts_api_needs_an_editor_key(
    client: TestClient, keys: dict[str, dict[str, str]], method: str, path: str
) -> None:
    url = path.format(id=_create(client, keys["editor"])["id"])
    body = {"json": {"name": "هشدار"}} if method == "post" else {}
    missing = client.request(method, url, **body)  # type: ignore[arg-type]
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "unauthorized"
    reader = client.request(method, url, headers=keys["reader"], **body)  # type: ignore[arg-type]
    assert reader.status_code == 403 and reader.json()["error"]["code"] == "forbidden"


def test_alerts_atom_feed(client: TestClient, store: Store, keys: dict[str, dict[str, str]]) -> None:
    created = _create(client, keys["editor"], on_changed=True)
    other = _create(client, keys["editor"], name="بودجه یزد", filter={"type": "budget", "province": "یزد"})
    save(store, 1, [budget_fact(8_000_000_000), count_fact(70)])
    save(store, 2, [budget_fact(11_000_000_000)])
    response = client.get(created["feed_url"])  # no API key: the token is enough
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = etree.fromstring(response.content)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "fa"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "هشدار «بودجه بازآفرینی کرمان»"
    kinds = [entry.tags[0].term for entry in parsed.entries]
    assert kinds == ["changed", "new", "new"]  # newest first
    changed, newest, oldest = parsed.entries
    assert changed.title.startswith("تغییر بودجه") and "از ۸٬۰۰۰٬۰۰۰٬۰۰۰ ریال به ۱۱٬۰۰۰٬۰۰۰٬۰۰۰ ریال" in changed.title
    assert oldest.title.endswith("۸٬۰۰۰٬۰۰۰٬۰۰۰ ریال")
    assert oldest.summary == budget_fact(1)["sentence"]
    assert oldest.id.startswith("urn:uuid:") and len({e.id for e in parsed.entries}) == 3
    assert newest.link.startswith("http://testserver/v1/facts/")
    notes = client.get(f"/v1/alerts/{created['id']}/notifications", headers=keys["editor"]).json()["items"]
    assert [f"http://testserver{n['payload']['fact_path']}" for n in notes] == [e.link for e in parsed.entries]
    assert client.get(f"/v1/alerts/{created['id']}/feed.atom", headers=keys["editor"]).status_code == 200
    wrong = client.get(f"/v1/alerts/{created['id']}/feed.atom", params={"token": other["feed_token"]})
    assert wrong.status_code == 401
    assert client.get("/v1/alerts/99999/feed.atom", params={"token": created["feed_token"]}).status_code == 401
    empty = feedparser.parse(client.get(other["feed_url"]).content)
    assert not empty.bozo and empty.entries == []


def _events(text: str) -> list[dict[str, str]]:
    out = []
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if "id" in fields:
            out.append(fields)
    return out


def test_alerts_event_stream_resumes_from_last_event_id(
    client: TestClient, store: Store, keys: dict[str, dict[str, str]]
) -> None:
    created = _create(client, keys["editor"])
    url = f"/v1/alerts/{created['id']}/events"
    save(store, 1, [budget_fact(8_000_000_000), budget_fact(9_000_000_000)])
    save(store, 2, [budget_fact(10_000_000_000)])
    replay = client.get(url, params={"last_event_id": 0, "token": created["feed_token"]})
    assert replay.status_code == 200 and replay.headers["content-type"].startswith("text/event-stream")
    assert replay.text.startswith("retry: ") and ": heartbeat" in replay.text
    events = _events(replay.text)
    assert [e["event"] for e in events] == ["new", "new", "new"]
    ids = [int(e["id"]) for e in events]
    assert ids == sorted(ids)
    resumed = client.get(url, headers={**keys["editor"], "Last-Event-ID": str(ids[0])})
    assert [int(e["id"]) for e in _events(resumed.text)] == ids[1:]
    assert '"rials": 10000000000' in _events(resumed.text)[-1]["data"]
    fresh = client.get(url, headers=keys["editor"])  # without Last-Event-ID: only what comes next
    assert _events(fresh.text) == []
    bad = client.get(url, headers={**keys["editor"], "Last-Event-ID": "yesterday"})
    assert bad.status_code == 422 and bad.json()["error"]["location"]["field"] == "Last-Event-ID"


def test_alerts_event_stream_delivers_live_events(app: FastAPI, store: Store, keys: dict[str, dict[str, str]]) -> None:
    app.state.alerts_stream = StreamConfig(poll_interval=0.01, heartbeat=10, max_duration=0.6)

    async def main() -> str:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            created = (await http.post("/v1/alerts", json={"name": "زنده"}, headers=keys["editor"])).json()

            async def later() -> None:
                await asyncio.sleep(0.1)
                await asyncio.to_thread(save, store, 1, [budget_fact(8_000_000_000)])

            task = asyncio.create_task(later())
            response = await http.get(f"/v1/alerts/{created['id']}/events", params={"token": created["feed_token"]})
            await task
            return response.text

    events = _events(asyncio.run(main()))
    assert len(events) == 1 and events[0]["event"] == "new" and "8000000000" in events[0]["data"]


def test_alerts_deliveries_log_shows_dead_letters(
    client: TestClient, app: FastAPI, store: Store, keys: dict[str, dict[str, str]]
) -> None:
    created = _create(client, keys["editor"], webhook_url="https://hooks.example.org/mahalle")
    save(store, 1, [budget_fact(8_000_000_000)])
    settings: Settings = app.state.settings
    transport = httpx.MockTransport(lambda request: httpx.Response(500, text="خرابی"))

    async def main() -> None:
        service = AlertService(store, settings, transport, resolver=fake_resolver, clock=_clock_after_hours())
        try:
            for _ in range(settings.webhook_max_attempts):
                await service.run_once()
        finally:
            await service.stop()

    asyncio.run(main())
    path = f"/v1/alerts/{created['id']}/deliveries"
    dead = client.get(path, params={"status": "dead"}, headers=keys["editor"]).json()["items"]
    assert len(dead) == 1 and dead[0]["attempts"] == 2 and dead[0]["last_status"] == 500
    assert dead[0]["url"] == "https://hooks.example.org/mahalle" and len(dead[0]["history"]) == 2
    note = client.get(f"/v1/alerts/{created['id']}/notifications", headers=keys["editor"]).json()["items"][0]
    assert dead[0]["idempotency_key"] == note["uuid"] and dead[0]["notification_id"] == note["id"]
    assert client.get(path, params={"status": "pending"}, headers=keys["editor"]).json()["items"] == []


def _clock_after_hours() -> Any:
    """A clock 7 hours further at each reading: every retry is due at the next round."""
    from datetime import UTC, datetime, timedelta

    state = {"now": datetime.now(UTC)}

    def clock() -> datetime:
        state["now"] += timedelta(hours=7)
        return state["now"]

    return clock
