"""An alert's notifications as a server-sent event stream (``text/event-stream``).

Every notification is one event: ``id:`` its sequence number, ``event:`` its kind (``new`` or ``changed``),
``data:`` its JSON payload on one line. The stream reads the notification log in the database, so a client that
reconnects with ``Last-Event-ID`` (browsers' ``EventSource`` do it by themselves) gets exactly what it missed,
also across restarts of the service. Without it the stream starts with the notifications that come next.

Comment lines (``: heartbeat``) keep idle connections open through proxies. A stream ends after
``max_duration`` (the client reconnects and resumes) or when the client goes away.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass

from mahalle_news.store.alerts import Notification

MEDIA_TYPE = "text/event-stream"
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


@dataclass(frozen=True)
class StreamConfig:
    """Timing of a stream (seconds): tests shorten them through ``app.state.alerts_stream``."""

    poll_interval: float = 1.0
    heartbeat: float = 15.0
    max_duration: float = 600.0
    retry_ms: int = 3000
    batch: int = 100


def format_event(notification: Notification) -> str:
    data = json.dumps({"event_id": notification.id, **notification.payload}, ensure_ascii=False)
    return f"id: {notification.id}\nevent: {notification.kind}\ndata: {data}\n\n"


async def event_stream(
    fetch: Callable[[int | None, int], Awaitable[Sequence[Notification]]],
    *,
    last_id: int | None,
    config: StreamConfig,
    is_disconnected: Callable[[], Awaitable[bool]],
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> AsyncIterator[str]:
    """The stream: ``fetch(after, limit)`` returns notifications with ids above ``after``, oldest first
    (``after`` None: the newest one only, which sets where a fresh stream starts)."""
    yield f"retry: {config.retry_ms}\n: mahalle-news alert stream\n\n"
    if last_id is None:
        newest = await fetch(None, 1)
        last_id = newest[-1].id if newest else 0
    started = last_beat = clock()
    while True:
        if await is_disconnected():
            return
        items = await fetch(last_id, config.batch)
        for item in items:
            yield format_event(item)
            last_id = item.id
        now = clock()
        if items:
            last_beat = now
        elif now - last_beat >= config.heartbeat:
            yield ": heartbeat\n\n"
            last_beat = now
        if now - started >= config.max_duration:
            return
        if len(items) < config.batch:
            await sleep(config.poll_interval)
