from __future__ import annotations

import pytest

from mahalle_news.text.money import find_money


@pytest.mark.parametrize(
    ("text", "rials", "approx"),
    [
        ("اعتبار ۲۰ میلیارد ریال تخصیص یافت", 20_000_000_000, None),
        ("اعتباری بالغ بر ۵۰ میلیارد تومان", 500_000_000_000, "more_than"),
        ("حدود ۳٫۵ همت", 35_000_000_000_000, "about"),
        ("یک هزار و ۲۰۰ میلیارد ریال", 1_200_000_000_000, None),
        ("پروژه ۳۰۰ میلیارد ریالی", 300_000_000_000, None),
        ("کمتر از ۵ میلیون تومان", 50_000_000, "less_than"),
        ("نزدیک به ۲ هزار و ۵۰۰ میلیارد ریال", 2_500_000_000_000, "about"),
        ("۳۰میلیون تومانی", 300_000_000, None),
    ],
)
def test_money_amounts_in_rials(text: str, rials: int, approx: str | None) -> None:
    (m,) = find_money(text)
    assert (m.rials, m.approx) == (rials, approx)


def test_money_range_gives_both_ends_in_the_written_currency() -> None:
    got = find_money("بین ۵۰۰ تا ۷۰۰ میلیون تومان")
    assert [m.rials for m in got] == [5_000_000_000, 7_000_000_000]


def test_money_span_covers_amount_and_currency_in_original() -> None:
    text = "مبلغ ٢٠ ميليارد ريال"
    (m,) = find_money(text)
    assert text[m.span[0] : m.span[1]] == "٢٠ ميليارد ريال"
    assert m.rials == 20_000_000_000


def test_money_foreign_currency_has_no_rial_value() -> None:
    (m,) = find_money("۱۹۰۰ دلار")
    assert m.currency == "USD" and m.rials is None


def test_money_plain_numbers_are_not_money() -> None:
    assert find_money("۶۷ محله و ۳۰ درصد") == []
