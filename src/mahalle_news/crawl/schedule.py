"""When to poll a source next: its interval after a success, an exponential backoff after failures."""

from __future__ import annotations

import datetime as dt
import random

#: A failing source waits its interval times 2**failures (with ±10 % jitter), at most this long.
MAX_BACKOFF = dt.timedelta(hours=24)


def next_poll(
    now: dt.datetime, poll_minutes: int, consecutive_failures: int, rng: random.Random | None = None
) -> dt.datetime:
    """The time of the next poll: ``poll_minutes`` after a success, doubling with each consecutive failure."""
    interval = dt.timedelta(minutes=poll_minutes)
    if consecutive_failures <= 0:
        return now + interval
    wait = min(interval * (1 << min(consecutive_failures, 16)), MAX_BACKOFF)
    jitter = rng.uniform(0.9, 1.1) if rng is not None else random.uniform(0.9, 1.1)
    return now + wait * jitter


def is_due(
    now: dt.datetime, next_poll_at: dt.datetime | None, consecutive_failures: int, *, respect_interval: bool
) -> bool:
    """Whether to poll now. A single pass (``respect_interval=False``) skips only sources that are backing off."""
    if next_poll_at is None or next_poll_at <= now:
        return True
    return not respect_interval and consecutive_failures == 0
