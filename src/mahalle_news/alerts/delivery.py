"""Sending one webhook: the signed request, the SSRF check right before it, and the retry schedule.

A receiver gets ``POST <webhook_url>`` with the notification's JSON payload (plus ``event_id``, the notification's
sequence number) and these headers:

* ``X-Mahalle-Timestamp``: Unix seconds when it was sent;
* ``X-Mahalle-Signature: sha256=<hex>``: HMAC-SHA256 with the alert's secret over ``<timestamp>.<raw body>``;
  check it with :func:`verify_signature` and refuse old timestamps (replays);
* ``Idempotency-Key``: the notification's UUID, the same on every retry: deduplicate on it;
* ``X-Mahalle-Event``: ``new`` or ``changed``.

A 2xx answer is a delivery; anything else (or no answer) is retried with exponential backoff and jitter
(:func:`backoff`, at least a ``Retry-After`` in seconds when given) until ``webhook_max_attempts``, then the
delivery is dead. A target the SSRF guard refuses is dead at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import httpx

from mahalle_news import __version__
from mahalle_news.alerts.ssrf import ResolveFailed, Resolver, TargetRefused, pin
from mahalle_news.store.alerts import DueDelivery

SIGNATURE_HEADER = "X-Mahalle-Signature"
TIMESTAMP_HEADER = "X-Mahalle-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
EVENT_HEADER = "X-Mahalle-Event"
#: Seconds a receiver should accept between the timestamp and its clock.
SIGNATURE_TOLERANCE = 300
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=6)
_ERROR_CHARS = 500


def body_of(due: DueDelivery) -> bytes:
    """The request body: the stored payload plus its sequence number, the same bytes on every retry."""
    document = {"event_id": due.notification_id, **due.payload}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify_signature(
    secret: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    *,
    now: float | None = None,
    tolerance: float = SIGNATURE_TOLERANCE,
) -> bool:
    """For receivers: whether the headers sign ``body`` with ``secret`` within ``tolerance`` seconds of ``now``."""
    if not timestamp or not signature or not (timestamp.isascii() and timestamp.isdigit()):
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature.strip())


def backoff(
    attempts: int, rng: random.Random, *, base: timedelta = BACKOFF_BASE, cap: timedelta = BACKOFF_CAP
) -> timedelta:
    """Wait after ``attempts`` failed attempts: ``base × 2^(attempts-1)`` up to ``cap``, times a random 50–100 %
    (jitter, so that receivers that come back are not hit by every retry at once)."""
    raw = min(cap, base * (1 << min(max(attempts, 1) - 1, 30)))
    return raw * (0.5 + rng.random() / 2)


@dataclass(frozen=True)
class Outcome:
    """What one attempt gave: ``ok`` for a 2xx, ``permanent`` when retrying cannot help."""

    ok: bool
    status: int | None
    error: str | None
    ms: int
    permanent: bool = False
    retry_after: float | None = None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    return float(value) if value.isascii() and value.isdigit() else None


class WebhookSender:
    """Sends webhook notifications with one ``httpx.AsyncClient`` (``transport`` injectable for tests)."""

    def __init__(
        self,
        *,
        allow_private: bool,
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: Resolver | None = None,
        timeout: float = 10.0,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.allow_private = allow_private
        self._resolver = resolver
        self._wall_clock = wall_clock
        self._client = httpx.AsyncClient(transport=transport, timeout=timeout, follow_redirects=False, trust_env=False)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(self, due: DueDelivery) -> Outcome:
        """One attempt at delivering ``due``."""
        started = time.monotonic()

        def took() -> int:
            return round((time.monotonic() - started) * 1000)

        try:
            pinned = await pin(due.url, allow_private=self.allow_private, resolver=self._resolver)
        except TargetRefused as err:
            return Outcome(False, None, f"refused: {err.message}", took(), permanent=True)
        except ResolveFailed as err:
            return Outcome(False, None, err.message, took())
        body = body_of(due)
        timestamp = int(self._wall_clock())
        headers = {
            "Host": pinned.target.host_header,
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": f"mahalle-news-alerts/{__version__}",
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(due.secret, timestamp, body),
            IDEMPOTENCY_HEADER: due.uuid,
            EVENT_HEADER: due.kind,
        }
        extensions = {"sni_hostname": pinned.sni_hostname} if pinned.sni_hostname else {}
        try:
            request = self._client.build_request(
                "POST", pinned.connect_url, content=body, headers=headers, extensions=extensions
            )
            response = await self._client.send(request, stream=True)
            await response.aclose()  # the answer's body is not needed: never read it
        except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError) as err:
            return Outcome(False, None, f"{type(err).__name__}: {err}"[:_ERROR_CHARS] or type(err).__name__, took())
        if 200 <= response.status_code < 300:
            return Outcome(True, response.status_code, None, took())
        reason = f"HTTP {response.status_code} {response.reason_phrase}".strip()
        if 300 <= response.status_code < 400:
            reason += " (redirects are not followed)"
        return Outcome(False, response.status_code, reason, took(), retry_after=_retry_after(response))
