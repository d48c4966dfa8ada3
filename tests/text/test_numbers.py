from __future__ import annotations

import pytest

from mahalle_news.text.numbers import find_numbers, parse_number
from tests.conftest import load_conformance


@pytest.mark.parametrize(
    ("phrase", "value"),
    [
        ("۲ هزار و ۵۰۰", 2500),
        ("۳۰میلیون", 30_000_000),
        ("دوهزار و ۳۰۰", 2300),
        ("یک هزار و ۲۰۰ میلیارد", 1_200_000_000_000),
        ("۳٫۵", 3.5),
        ("۲/۵", 2.5),
        ("۱٬۲۵۰٬۰۰۰", 1_250_000),
        ("1,250", 1250),
        ("یک‌صد و بیست", 120),
        ("شش صد", 600),
        ("هیجده", 18),
        ("چارصد", 400),
        ("نیم میلیون", 500_000),
        ("۱۹ و نیم", 19.5),
        ("دو ممیز سه", 2.3),
        ("منفی ۵۰۰", -500),
        ("بیست و سوم", 23),
    ],
)
def test_numbers_parse_phrases(phrase: str, value: float) -> None:
    assert parse_number(phrase) == pytest.approx(value)


@pytest.mark.parametrize("bad", ["", "محله", "۱۲ محله", "و"])
def test_numbers_parse_rejects_non_numbers(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_number(bad)


def _found(text: str) -> list[tuple[str, float]]:
    return [(text[n.span[0] : n.span[1]], n.value) for n in find_numbers(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("در ۱۰ محله از شهر", [("۱۰", 10)]),
        ("در ده محله از شهر", [("ده", 10)]),
        ("نه تنها محله بلکه شهر", []),  # «نه» = "no"
        ("اهالی این ده از آب محروم‌اند", []),  # «ده» = village
        ("محله هفت چنار و سی‌متری جی", []),  # place names
        ("حدود هفت محله کم‌برخوردار", [("هفت", 7)]),
        ("بیش از ۱۰۰ هزار نفر", [("۱۰۰ هزار", 100_000)]),
        ("بیش از ١٠٠ هزار نفر", [("١٠٠ هزار", 100_000)]),
        ("تبصره‌های 1 و 2 ماده 2", [("1", 1), ("2", 2), ("2", 2)]),
        ("۳۰ هزار میلیارد تومان", [("۳۰ هزار میلیارد", 30_000_000_000_000)]),
    ],
)
def test_numbers_find_in_context(text: str, expected: list[tuple[str, float]]) -> None:
    assert _found(text) == expected


def test_numbers_range_carries_scale_and_links_ends() -> None:
    text = "قیمت‌ها ۵۰۰ تا ۷۰۰ میلیون تومان است"
    a, b = find_numbers(text)
    assert (a.value, b.value) == (500_000_000, 700_000_000)
    assert a.scale_carried and a.range_role == "from" and b.range_role == "to"
    assert a.range_other == b.span and b.range_other == a.span


@pytest.mark.parametrize(
    ("text", "value"),
    [("دومین جلسه", 2), ("سوم شهریور", 3), ("بیست و سوم", 23), ("سی ام اسفند", 30), ("۲۱امین دوره", 21)],
)
def test_numbers_ordinals_are_marked(text: str, value: int) -> None:
    first = find_numbers(text)[0]
    assert first.ordinal and first.value == value


def test_numbers_pass_conformance_words_completely() -> None:
    for case in load_conformance("number_words.jsonl"):
        assert parse_number(case["text"]) == pytest.approx(case["value"]), case["text"]


def test_numbers_pass_conformance_mentions_97_percent() -> None:
    total = hit = 0
    misses = []
    for case in load_conformance("number_mentions.jsonl"):
        found = find_numbers(case["text"])
        for exp in case["numbers"]:
            total += 1
            span = tuple(exp["span"])
            if "disputed" in exp and "preferred_value" not in exp:  # preferred reading: no number there
                ok = not any(n.span[0] < span[1] and span[0] < n.span[1] for n in found)
            else:
                value = exp.get("preferred_value", exp["value"]) if "disputed" in exp else exp["value"]
                ok = any(n.span == span and n.value == pytest.approx(value) for n in found)
            hit += ok
            if not ok:
                misses.append((case["text"][span[0] : span[1]], exp))
    assert hit / total >= 0.97, misses


def test_numbers_range_carries_a_compound_scale() -> None:
    a, b = find_numbers("۲ تا ۳ هزار میلیارد تومان")
    assert (a.value, b.value) == (2 * 10**12, 3 * 10**12)


@pytest.mark.parametrize("text", ["1" * 400 + ".5", "1" * 5000, "۹" * 30 + " میلیارد میلیارد"])
def test_numbers_absurd_figures_do_not_crash(text: str) -> None:
    for n in find_numbers(text):
        assert abs(n.value) < 10**24
