"""The filter language: Persian input (Jalali dates, digit scripts, province and program spellings, compound
words written three ways), its errors (always an InputError naming the parameter) and its Python matching."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mahalle_news.errors import InputError
from mahalle_news.filters import KNOWN_PARAMS, SORTS, FactFilter, parse_date, parse_fact_filter, text_terms
from mahalle_news.text.search import search_words
from mahalle_news.web.models import FactQuery


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("1404-01-01", dt.date(2025, 3, 21)),
        ("۱۴۰۴-۰۱-۰۱", dt.date(2025, 3, 21)),
        ("۱۴۰۳/۱۲/۳۰", dt.date(2025, 3, 20)),  # 1403 is a leap year: Esfand has 30 days
        ("١٤٠٢/٠٧/١٥", dt.date(2023, 10, 7)),  # Arabic-Indic digits
        ("1399-06-31", dt.date(2020, 9, 21)),
        ("2025-03-21", dt.date(2025, 3, 21)),
        (" 2024-02-29 ", dt.date(2024, 2, 29)),
    ],
)
def test_filters_dates_jalali_or_gregorian(written: str, day: dt.date) -> None:
    assert parse_date(written, "date_from") == day
    assert parse_fact_filter({"date_from": written}).date_from == day


@pytest.mark.parametrize(
    "written", ["1402-12-30", "1404-13-01", "2025-02-29", "۱۴۰۴-۰۱", "دیروز", "1404-01-01-01", "٣" * 5000, "1e3-1-1"]
)
def test_filters_bad_dates_name_the_parameter(written: str) -> None:
    with pytest.raises(InputError) as err:
        parse_fact_filter({"date_to": written})
    assert err.value.location is not None and err.value.location.field == "date_to"


@pytest.mark.parametrize(
    ("written", "province"),
    [
        ("كرمان", "کرمان"),
        ("استان کرمان", "کرمان"),
        ("استان  كرمان", "کرمان"),
        ("آذربايجان شرقي", "آذربایجان شرقی"),
        ("آذربایجان‌شرقی", "آذربایجان شرقی"),
        ("سيستان و بلوچستان", "سیستان و بلوچستان"),
        ("کهگیلویه و بویراحمد", "کهگیلویه و بویراحمد"),
        ("کشور", "کشور"),
    ],
)
def test_filters_province_spellings(written: str, province: str) -> None:
    assert parse_fact_filter({"province": written}).province == (province,)


@pytest.mark.parametrize(
    ("written", "program"),
    [
        ("۲۰۲۰ محله", "طرح ملی ۲۰۲۰ محله"),
        ("طرح ملي ۲۰۲۰ محله", "طرح ملی ۲۰۲۰ محله"),
        ("كرامت", "طرح کرامت"),
        ("مدیریت محله محور", "طرح اقدام مدیریت محله‌محور"),
        ("طرحی که نیست", "طرحی که نیست"),  # kept as written: a program the registry does not know yet
    ],
)
def test_filters_program_aliases(written: str, program: str) -> None:
    assert parse_fact_filter({"program": written}).program == (program,)


def test_filters_lists_repeat_or_comma_separate() -> None:
    one = parse_fact_filter({"province": ["تهران", "کرمان,فارس"], "type": "budget,budget"})
    assert one.province == ("تهران", "کرمان", "فارس") and one.type == ("budget",)


@pytest.mark.parametrize("spelling", ["کم‌برخوردار", "کمبرخوردار", "كم برخوردار", "كم‌برخوردار", "کم برخوردار"])
def test_filters_compound_spellings_fold_together(spelling: str) -> None:
    assert text_terms(spelling) == [(("کمبرخوردار",),)]  # the normaliser joins every spelling: glued in the index


def test_filters_compound_the_normaliser_does_not_form_matches_its_parts_too() -> None:
    (alternatives,) = text_terms("کوی‌نصر")  # «کوی نصر» stays two words: an article may write it so
    assert alternatives == (("کوینصر",), ("کوی", "نصر"))


@pytest.mark.parametrize(
    ("q", "text", "found"),
    [
        ("کمبرخوردار", "در محله‌های کم‌برخوردار شهر", True),
        ("كم برخوردار", "در محله‌های کمبرخوردار شهر", True),
        ("کم‌برخوردار", "در محله هاي كم برخوردار شهر", True),
        ("کم‌برخوردار", "محله‌ای پرجمعیت و برخوردار از امکانات", False),
        ("محله تهران", "۱۲ محله در تهران", True),
        ("محله تهران", "۱۲ محله در کرج", False),
        ("۲۰۲۰", "طرح ملی 2020 محله", True),
    ],
)
def test_filters_text_matching(q: str, text: str, found: bool) -> None:
    filt = parse_fact_filter({"q": q})
    fact = {"type": "neighbourhood_count", "counted": True}
    article = {"relevant": True, "search_words": search_words(text)}
    assert filt.matches(fact, article) is found


def test_filters_match_program_facts_by_name_and_figures_by_program() -> None:
    filt = parse_fact_filter({"program": "۲۰۲۰ محله"})
    article = {"relevant": True}
    mention = {"type": "program", "name": "طرح ملی ۲۰۲۰ محله", "program": None, "counted": True}
    figure = {"type": "neighbourhood_count", "program": "طرح ملی ۲۰۲۰ محله", "name": None, "counted": True}
    other = {"type": "budget", "program": "طرح کرامت", "counted": True}
    assert filt.matches(mention, article) and filt.matches(figure, article) and not filt.matches(other, article)


def test_filters_defaults_and_round_trip() -> None:
    default = parse_fact_filter({})
    assert default == FactFilter() and default.relevant is True and default.counted is True
    filt = parse_fact_filter(
        {"type": "budget", "province": "كرمان", "date_from": "1404-01-01", "relevant": "any", "rials_min": "۱٬۰۰۰"}
    )
    assert filt.rials_min == 1000 and filt.relevant is None
    assert parse_fact_filter(filt.to_params()) == filt


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"type": "budjet"}, "type"),
        ({"province": "آتلانتیس"}, "province"),
        ({"value_min": "دویست"}, "value_min"),
        ({"value_min": "nan"}, "value_min"),
        ({"rials_max": "1.5"}, "rials_max"),
        ({"rials_min": "9" * 30}, "rials_min"),
        ({"story": "0"}, "story"),
        ({"article": str(2**31)}, "article"),
        ({"relevant": "maybe"}, "relevant"),
        ({"sort": "newest"}, "sort"),
        ({"q": "ک" * 201}, "q"),
        ({"q": "محله\x00"}, "q"),
        ({"source": "irna\x07"}, "source"),
        ({"official": ["یک", "دو"]}, "official"),
        ({"date_from": "1404-02-01", "date_to": "1404-01-01"}, "date_from"),
        ({"value_min": "10", "value_max": "5"}, "value_min"),
        ({"colour": "blue"}, "colour"),
        ({"province": ",".join(["تهران"] * 51)}, "province"),
    ],
)
def test_filters_errors_name_the_parameter(params: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as err:
        parse_fact_filter(params)
    assert err.value.location is not None and err.value.location.field == field


def test_filters_api_sorts_are_the_filter_sorts() -> None:
    assert set(FactQuery.model_fields["sort"].annotation.__args__) == set(SORTS)  # type: ignore[union-attr]
    assert set(FactQuery.model_fields) - {"cursor", "limit", "facets"} == KNOWN_PARAMS


_TEXT = st.text(
    alphabet=st.sampled_from("0123456789۰۱۲۳۴۵۶۷۸۹-/.,٬٫ eE+کمبرخوردایيكة\u200c\x00\ud800,a_ -nfi"), max_size=30
)
_VALUE = st.one_of(st.none(), _TEXT, st.text(max_size=30), st.lists(_TEXT, max_size=3), st.integers(), st.floats())


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.sampled_from([*sorted(KNOWN_PARAMS), "other"]), _VALUE, max_size=6))
def test_filters_parse_raises_only_input_errors(params: dict[str, Any]) -> None:
    """Whatever the parameters, parsing gives a filter or an InputError naming one of them."""
    try:
        filt = parse_fact_filter(params)
    except InputError as err:
        assert err.location is not None and err.location.field in params
    else:
        assert isinstance(filt, FactFilter)
