"""The webhook worker: an asyncio task that polls the outbox and delivers what is due.

``AlertService(store, settings)`` is started and stopped by its owner (the API's lifespan, the crawler)::

    service = AlertService(store, settings)
    await service.start()
    ...
    await service.stop()

Each round claims the due outbox rows (pending, ``next_attempt_at <= now``), sends them concurrently and records
every attempt (see :mod:`mahalle_news.alerts.delivery` for the retry policy). The outbox lives in the database,
so deliveries survive restarts; two services on one database never send a row at the same time (claims are
leases, see :mod:`mahalle_news.store.alerts`). Database calls run in worker threads, off the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx

from mahalle_news.alerts.delivery import BACKOFF_CAP, Outcome, WebhookSender, backoff
from mahalle_news.alerts.ssrf import Resolver
from mahalle_news.config import Settings
from mahalle_news.store.alerts import DeliveryStatus, DueDelivery, claim_due, record_attempt
from mahalle_news.store.store import Store

log = logging.getLogger("mahalle_news.alerts")


class AlertService:
    """Delivers webhook notifications from the outbox; ``run_once`` is one round (tests drive it directly)."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        resolver: Resolver | None = None,
        clock: Callable[[], datetime] | None = None,
        rng: random.Random | None = None,
        poll_interval: float = 2.0,
        batch_size: int = 20,
        lease: timedelta = timedelta(minutes=2),
        timeout: float = 10.0,
    ) -> None:
        self.store = store
        self.settings = settings
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self.lease = lease
        self._clock = clock or (lambda: datetime.now(UTC))
        self._rng = rng or random.Random()
        self._transport, self._resolver, self._timeout = transport, resolver, timeout
        self._sender: WebhookSender | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def _get_sender(self) -> WebhookSender:
        if self._sender is None:
            self._sender = WebhookSender(
                allow_private=self.settings.webhook_allow_private,
                transport=self._transport,
                resolver=self._resolver,
                timeout=self._timeout,
                wall_clock=lambda: self._clock().timestamp(),
            )
        return self._sender

    async def run_once(self) -> int:
        """Send every delivery due now (up to ``batch_size``); how many were attempted."""
        now = self._clock()
        due = await asyncio.to_thread(claim_due, self.store, now, lease=self.lease, limit=self.batch_size)
        results = await asyncio.gather(*(self._deliver(item) for item in due), return_exceptions=True)
        for item, result in zip(due, results, strict=True):
            if isinstance(result, Exception):  # not recorded: due again when its lease ends
                log.error("alerts: webhook delivery %s failed: %r", item.id, result)
            elif isinstance(result, BaseException):
                raise result
        return len(due)

    async def _deliver(self, due: DueDelivery) -> None:
        try:
            outcome = await self._get_sender().send(due)
        except Exception as err:  # a bug must cost attempts, not loop forever on one row
            log.exception("alerts: sending webhook delivery %s failed", due.id)
            outcome = Outcome(False, None, f"internal error: {type(err).__name__}", 0)
        at = self._clock()
        attempts = due.attempts + 1
        next_at: datetime | None = None
        state: DeliveryStatus
        if outcome.ok:
            state = "delivered"
        elif outcome.permanent or attempts >= self.settings.webhook_max_attempts:
            state = "dead"
        else:
            state = "pending"
            next_at = at + self._delay(attempts, outcome)
        if state == "dead":
            log.warning("alerts: webhook delivery %s is dead after %s attempts: %s", due.id, attempts, outcome.error)
        await asyncio.to_thread(
            record_attempt,
            self.store,
            due.id,
            at=at,
            outcome=state,
            status=outcome.status,
            error=outcome.error,
            ms=outcome.ms,
            next_attempt_at=next_at,
        )

    def _delay(self, attempts: int, outcome: Outcome) -> timedelta:
        delay = backoff(attempts, self._rng)
        if outcome.retry_after is not None:
            delay = max(delay, min(timedelta(seconds=outcome.retry_after), BACKOFF_CAP))
        return delay

    async def start(self) -> None:
        """Start polling the outbox in a background task (starting twice is fine)."""
        if self._task is not None and not self._task.done():
            return
        self._stopping.clear()
        self._task = asyncio.create_task(self._loop(), name="mahalle-alerts")

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                busy = await self.run_once() >= self.batch_size
            except Exception:
                log.exception("alerts: delivery round failed")
                busy = False
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self.poll_interval)

    async def stop(self) -> None:
        """Stop polling (the current round finishes) and close the HTTP client (stopping twice is fine)."""
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None
        if self._sender is not None:
            await self._sender.aclose()
            self._sender = None

    async def __aenter__(self) -> AlertService:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
