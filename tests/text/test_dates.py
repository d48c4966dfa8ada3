from __future__ import annotations

import datetime as dt

import pytest

from mahalle_news.text.dates import find_dates
from tests.conftest import load_conformance


@pytest.mark.parametrize(
    ("text", "reference", "gregorian", "inferred"),
    [
        ("روز پنجشنبه، ۲۱ فروردین‌ماه", dt.date(2025, 4, 12), "2025-04-10", True),
        ("۲۱ فروردین ماه", dt.date(2025, 3, 1), "2024-04-09", True),  # not after the reference: last year
        ("۱۴۰۳/۰۸/۱۲", None, "2024-11-02", False),
        ("۱۲ اسفند ۱۴۰۲", None, "2024-03-02", False),
        ("سوم شهريور ۱۳۹۴", None, "2015-08-25", False),  # Arabic yeh in the month name
        ("بیست و سوم اردیبهشت ۱۳۸۹", None, "2010-05-13", False),
    ],
)
def test_dates_jalali_to_gregorian(text: str, reference: dt.date | None, gregorian: str, inferred: bool) -> None:
    (d,) = find_dates(text, reference)
    assert (d.gregorian, d.year_inferred) == (gregorian, inferred)


def test_dates_weekday_is_checked() -> None:
    (good,) = find_dates("پنجشنبه ۲۱ فروردین ۱۴۰۴")
    (bad,) = find_dates("شنبه ۲۱ فروردین ۱۴۰۴")
    assert good.weekday_ok is True and bad.weekday_ok is False


def test_dates_without_year_or_reference_are_skipped() -> None:
    assert find_dates("۲۱ فروردین") == []


def test_dates_do_not_swallow_a_following_count() -> None:
    (d,) = find_dates("۲۱ فروردین ۶۷ محله", dt.date(2025, 5, 1))
    assert d.jalali == "1404-01-21"


def test_dates_invalid_calendar_days_are_skipped() -> None:
    assert find_dates("۳۱ اسفند ۱۴۰۲") == []  # 1402 is not a leap year


def test_dates_pass_conformance_completely() -> None:
    for case in load_conformance("jalali_dates.jsonl"):
        (d,) = find_dates(case["text"])
        assert d.gregorian == case["gregorian"].removesuffix("T00:00:00"), case["text"]


def test_dates_two_digit_year_at_the_end_of_a_clause() -> None:
    (d,) = find_dates("پیروزی ۲۲ بهمن ۵۷، روز ملی است")
    assert d.jalali == "1357-11-22" and not d.year_inferred


def test_dates_impossible_time_keeps_the_date() -> None:
    (d,) = find_dates("۳ مهر ۱۴۰۴ ساعت ۲۴:۰۰")
    assert d.gregorian == "2025-09-25"


def test_dates_reference_outside_the_calendar_is_harmless() -> None:
    assert find_dates("۲۱ فروردین", dt.date(9999, 12, 31)) == []
