"""The event stream generator on a fake clock: events in order, resuming, heartbeats, its end, disconnects."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from mahalle_news.alerts.sse import StreamConfig, event_stream, format_event
from mahalle_news.store.alerts import Notification
from tests.alerts.helpers import T0


def _note(n: int) -> Notification:
    return Notification(n, f"uuid-{n}", 1, "new", 7, n, 3, {"title": f"بودجه {n}"}, T0)


class Log:
    """A notification log that grows while the stream runs, on a clock that only sleeping moves."""

    def __init__(self, ids: list[int]) -> None:
        self.items = [_note(n) for n in ids]
        self.now = 0.0
        self.arrivals: dict[float, int] = {}

    async def fetch(self, after: int | None, limit: int) -> Sequence[Notification]:
        if after is None:
            return self.items[-1:]
        return [n for n in self.items if n.id > after][:limit]

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        for at, n in list(self.arrivals.items()):
            if at <= self.now:
                self.items.append(_note(n))
                del self.arrivals[at]

    def clock(self) -> float:
        return self.now


def _collect(log: Log, last_id: int | None, config: StreamConfig, disconnect_after: int = 10**6) -> list[str]:
    checks = 0

    async def disconnected() -> bool:
        nonlocal checks
        checks += 1
        return checks > disconnect_after

    async def main() -> list[str]:
        stream = event_stream(
            log.fetch, last_id=last_id, config=config, is_disconnected=disconnected, clock=log.clock, sleep=log.sleep
        )
        return [chunk async for chunk in stream]

    return asyncio.run(main())


CONFIG = StreamConfig(poll_interval=1.0, heartbeat=5.0, max_duration=15.0, batch=2)


def test_sse_replays_after_last_id_then_streams_new_events() -> None:
    log = Log([1, 2, 3])
    log.arrivals = {3.0: 4, 8.0: 5}
    chunks = _collect(log, 1, CONFIG)
    assert chunks[0].startswith("retry: 3000\n")
    events = [c for c in chunks if c.startswith("id: ")]
    assert [e.split("\n", 1)[0] for e in events] == ["id: 2", "id: 3", "id: 4", "id: 5"]
    assert events[0] == format_event(_note(2))
    assert 'data: {"event_id": 2, "title": "بودجه 2"}' in events[0] and "event: new" in events[0]
    assert ": heartbeat\n\n" in chunks  # nothing new for 5 s after event 5; the stream ends at 15 s
    assert log.now <= CONFIG.max_duration + CONFIG.poll_interval


def test_sse_fresh_stream_starts_after_the_newest_event() -> None:
    log = Log([1, 2])
    log.arrivals = {2.0: 3}
    events = [c for c in _collect(log, None, CONFIG) if c.startswith("id: ")]
    assert [e.split("\n", 1)[0] for e in events] == ["id: 3"]


def test_sse_ends_when_the_client_disconnects() -> None:
    log = Log([1, 2, 3, 4])
    chunks = _collect(log, 0, CONFIG, disconnect_after=1)
    assert [c.split("\n", 1)[0] for c in chunks if c.startswith("id: ")] == ["id: 1", "id: 2"]  # one batch
    assert log.now == 0.0  # no waiting after the batch was full
