"""Webhook delivery from the outbox to a real local server: signature, idempotency key, retries with backoff,
dead letters, restarts, leases and the background loop."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Iterator
from datetime import timedelta

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from mahalle_news.alerts import AlertService, verify_signature
from mahalle_news.alerts.delivery import backoff, sign
from mahalle_news.config import Settings
from mahalle_news.store import Store
from mahalle_news.store.alerts import claim_due, list_deliveries, list_notifications, outbox_counts
from tests.alerts.helpers import SECRET, FakeClock, budget_fact, make_alert, save

HOOK = "/hooks/mahalle"


@pytest.fixture
def receiver(httpserver: HTTPServer) -> Iterator[HTTPServer]:
    yield httpserver
    httpserver.clear()


def _service(store: Store, settings: Settings, clock: FakeClock, **kw: object) -> AlertService:
    return AlertService(store, settings, clock=clock, rng=random.Random(7), **kw)  # type: ignore[arg-type]


def _run(service: AlertService, rounds: int = 1) -> list[int]:
    async def main() -> list[int]:
        try:
            return [await service.run_once() for _ in range(rounds)]
        finally:
            await service.stop()

    return asyncio.run(main())


def _posts(server: HTTPServer) -> list[Request]:
    return [request for request, _ in server.log if request.path == HOOK]


def test_delivery_signed_post_with_idempotency_key(
    store: Store, settings: Settings, clock: FakeClock, receiver: HTTPServer
) -> None:
    receiver.expect_request(HOOK, method="POST").respond_with_data("ok")
    alert = make_alert(store, {"type": "budget"}, webhook_url=receiver.url_for(HOOK))
    save(store, 1, [budget_fact(9_000_000_000)])
    assert _run(_service(store, settings, clock)) == [1]
    (request,) = _posts(receiver)
    body = request.get_data()
    (note,) = list_notifications(store, alert.id)
    assert request.headers["Idempotency-Key"] == note.uuid
    assert request.headers["X-Mahalle-Event"] == "new"
    assert request.headers["Content-Type"].startswith("application/json")
    stamp, signature = request.headers["X-Mahalle-Timestamp"], request.headers["X-Mahalle-Signature"]
    now = clock.now.timestamp()
    assert verify_signature(SECRET, body, stamp, signature, now=now)
    assert not verify_signature("whsec_other", body, stamp, signature, now=now)
    assert not verify_signature(SECRET, body + b" ", stamp, signature, now=now)
    assert not verify_signature(SECRET, body, stamp, signature, now=now + 3600)  # a replay, an hour later
    assert not verify_signature(SECRET, body, str(int(stamp) + 1), signature, now=now)  # timestamp is signed
    document = json.loads(body)
    assert document["event_id"] == note.id and document["id"] == note.uuid
    assert document["fact"]["rials"] == 9_000_000_000 and document["alert"]["name"] == alert.name
    (delivery,) = list_deliveries(store, alert.id)
    assert (delivery.status, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)
    assert delivery.delivered_at == clock.now and delivery.next_attempt_at is None
    assert _run(_service(store, settings, clock)) == [0]  # delivered: never again, also after a restart


def test_delivery_retries_with_backoff_then_succeeds(
    store: Store, settings: Settings, clock: FakeClock, receiver: HTTPServer
) -> None:
    for status in (500, 503):
        receiver.expect_ordered_request(HOOK, method="POST").respond_with_data("خطا", status=status)
    receiver.expect_ordered_request(HOOK, method="POST").respond_with_data("", status=204)
    alert = make_alert(store, {"type": "budget"}, webhook_url=receiver.url_for(HOOK))
    save(store, 1, [budget_fact(9_000_000_000)])
    service = _service(store, settings, clock)

    async def main() -> list[timedelta]:
        waits = []
        try:
            for _ in range(3):
                assert await service.run_once() == 1
                assert await service.run_once() == 0  # not due again at once
                (delivery,) = list_deliveries(store, alert.id)
                if delivery.next_attempt_at is not None:
                    waits.append(delivery.next_attempt_at - clock.now)
                    clock.now = delivery.next_attempt_at
        finally:
            await service.stop()
        return waits

    first, second = asyncio.run(main())
    assert timedelta(seconds=15) <= first <= timedelta(seconds=30)  # 30 s with 50–100 % jitter
    assert timedelta(seconds=30) <= second <= timedelta(seconds=60)  # then doubled
    (delivery,) = list_deliveries(store, alert.id)
    assert (delivery.status, delivery.attempts, delivery.last_status) == ("delivered", 3, 204)
    assert [h["status"] for h in delivery.history] == [500, 503, 204]
    assert delivery.history[0]["error"].startswith("HTTP 500")
    keys = {r.headers["Idempotency-Key"] for r in _posts(receiver)}
    bodies = {r.get_data() for r in _posts(receiver)}
    assert len(_posts(receiver)) == 3 and len(keys) == 1 and len(bodies) == 1  # the same notification each time


def test_delivery_dead_letter_after_max_attempts(
    store: Store, settings: Settings, clock: FakeClock, receiver: HTTPServer
) -> None:
    receiver.expect_request(HOOK, method="POST").respond_with_data("نه", status=500)
    alert = make_alert(store, {"type": "budget"}, webhook_url=receiver.url_for(HOOK))
    save(store, 1, [budget_fact(9_000_000_000)])
    service = _service(store, settings, clock)

    async def main() -> None:
        try:
            for _ in range(settings.webhook_max_attempts):
                assert await service.run_once() == 1
                clock.advance(7 * 3600)  # past any backoff
            assert await service.run_once() == 0
        finally:
            await service.stop()

    asyncio.run(main())
    (delivery,) = list_deliveries(store, alert.id, status="dead")
    assert delivery.attempts == settings.webhook_max_attempts == len(_posts(receiver))
    assert delivery.next_attempt_at is None and delivery.last_status == 500
    assert outbox_counts(store) == {"pending": 0, "delivered": 0, "dead": 1}


def test_delivery_connection_refused_is_retried(store: Store, settings: Settings, clock: FakeClock) -> None:
    alert = make_alert(store, {"type": "budget"}, webhook_url="http://127.0.0.1:9/nothing-listens")
    save(store, 1, [budget_fact(9_000_000_000)])
    assert _run(_service(store, settings, clock)) == [1]
    (delivery,) = list_deliveries(store, alert.id)
    assert delivery.status == "pending" and delivery.last_status is None and delivery.last_error
    assert delivery.next_attempt_at is not None and delivery.next_attempt_at > clock.now


def test_delivery_outbox_survives_a_restart(
    store: Store, store_url: str, settings: Settings, clock: FakeClock, receiver: HTTPServer
) -> None:
    receiver.expect_request(HOOK, method="POST").respond_with_data("ok")
    alert = make_alert(store, {"type": "budget"}, webhook_url=receiver.url_for(HOOK))
    save(store, 1, [budget_fact(9_000_000_000)])
    store.close()  # the crawler stops before the worker sent anything
    with Store.open(store_url) as reopened:
        assert _run(_service(reopened, settings, clock)) == [1]
        assert [d.status for d in list_deliveries(reopened, alert.id)] == ["delivered"]
    assert len(_posts(receiver)) == 1


def test_delivery_claims_are_leases(store: Store, clock: FakeClock) -> None:
    make_alert(store, {"type": "budget"}, webhook_url="https://hooks.example.org/a")
    save(store, 1, [budget_fact(9_000_000_000)])
    lease = timedelta(minutes=2)
    assert len(claim_due(store, clock.now, lease=lease, limit=10)) == 1
    assert claim_due(store, clock.now, lease=lease, limit=10) == []  # another worker: nothing to take
    clock.advance(121)  # the first worker died mid-send: the row is due again
    assert len(claim_due(store, clock.now, lease=lease, limit=10)) == 1


def test_delivery_redirects_are_not_followed(
    store: Store, settings: Settings, clock: FakeClock, receiver: HTTPServer
) -> None:
    receiver.expect_request(HOOK, method="POST").respond_with_response(
        Response(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    )
    alert = make_alert(store, {"type": "budget"}, webhook_url=receiver.url_for(HOOK))
    save(store, 1, [budget_fact(9_000_000_000)])
    _run(_service(store, settings, clock))
    (delivery,) = list_deliveries(store, alert.id)
    assert delivery.status == "pending" and delivery.last_status == 302
    assert "redirects are not followed" in (delivery.last_error or "")


def test_delivery_retry_after_is_respected(
    store: Store, settings: Settings, clock: FakeClock, receiver: HTTPServer
) -> None:
    receiver.expect_request(HOOK, method="POST").respond_with_data("", status=429, headers={"Retry-After": "900"})
    alert = make_alert(store, {"type": "budget"}, webhook_url=receiver.url_for(HOOK))
    save(store, 1, [budget_fact(9_000_000_000)])
    _run(_service(store, settings, clock))
    (delivery,) = list_deliveries(store, alert.id)
    assert delivery.next_attempt_at == clock.now + timedelta(seconds=900)


def test_delivery_background_loop_delivers_and_stops(
    store: Store, settings: Settings, clock: FakeClock, receiver: HTTPServer
) -> None:
    receiver.expect_request(HOOK, method="POST").respond_with_data("ok")
    alert = make_alert(store, {"type": "budget"}, webhook_url=receiver.url_for(HOOK))
    service = _service(store, settings, clock, poll_interval=0.01)

    async def main() -> None:
        async with service:
            await service.start()  # starting twice is fine
            await asyncio.to_thread(save, store, 1, [budget_fact(9_000_000_000)])
            for _ in range(500):
                if list_deliveries(store, alert.id)[0].status == "delivered":
                    break
                await asyncio.sleep(0.01)
        await service.stop()  # stopping twice is fine

    asyncio.run(main())
    assert [d.status for d in list_deliveries(store, alert.id)] == ["delivered"]


def test_delivery_backoff_grows_to_its_cap() -> None:
    rng = random.Random(1)
    waits = [backoff(n, rng) for n in range(1, 16)]
    assert all(timedelta(seconds=15) * (1 << min(n, 10)) <= w for n, w in enumerate(waits[:6]))
    assert max(waits) <= timedelta(hours=6) and waits[-1] >= timedelta(hours=3)


def test_delivery_signature_scheme_is_documented_hmac() -> None:
    import hashlib
    import hmac

    body = '{"عنوان":"بودجه"}'.encode()
    expected = hmac.new(b"k", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert sign("k", 1700000000, body) == f"sha256={expected}"
    assert not verify_signature("k", body, None, f"sha256={expected}")
    assert not verify_signature("k", body, "abc", f"sha256={expected}")


def test_delivery_a_failing_sender_costs_attempts_not_a_loop(
    store: Store, settings: Settings, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(self: object, due: object) -> None:
        raise RuntimeError("خرابی پیش‌بینی‌نشده")

    monkeypatch.setattr("mahalle_news.alerts.delivery.WebhookSender.send", broken)
    alert = make_alert(store, {"type": "budget"}, webhook_url="https://hooks.example.org/a")
    save(store, 1, [budget_fact(9_000_000_000)])
    assert _run(_service(store, settings, clock)) == [1]
    (delivery,) = list_deliveries(store, alert.id)
    assert delivery.attempts == 1 and delivery.last_error == "internal error: RuntimeError"
