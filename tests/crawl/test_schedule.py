from __future__ import annotations

import datetime as dt
import random

import pytest

from mahalle_news.crawl.schedule import MAX_BACKOFF, is_due, next_poll

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def test_schedule_success_waits_the_interval() -> None:
    assert next_poll(NOW, 30, 0) == NOW + dt.timedelta(minutes=30)


@pytest.mark.parametrize(("failures", "low", "high"), [(1, 54, 66), (2, 108, 132), (3, 216, 264)])
def test_schedule_failures_back_off_exponentially(failures: int, low: int, high: int) -> None:
    wait = next_poll(NOW, 30, failures, random.Random(1)) - NOW
    assert dt.timedelta(minutes=low) <= wait <= dt.timedelta(minutes=high)


def test_schedule_backoff_is_capped() -> None:
    assert next_poll(NOW, 60, 40, random.Random(2)) - NOW <= MAX_BACKOFF * 1.1


@pytest.mark.parametrize(
    ("next_at", "failures", "respect", "due"),
    [
        (None, 0, True, True),
        (NOW - dt.timedelta(minutes=1), 3, True, True),
        (NOW + dt.timedelta(minutes=5), 0, True, False),
        (NOW + dt.timedelta(minutes=5), 0, False, True),  # a single pass ignores the interval
        (NOW + dt.timedelta(minutes=5), 2, False, False),  # … but not a failing source's backoff
    ],
)
def test_schedule_is_due(next_at: dt.datetime | None, failures: int, respect: bool, due: bool) -> None:
    assert is_due(NOW, next_at, failures, respect_interval=respect) is due
