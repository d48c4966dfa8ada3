from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from mahalle_news.nlp.facts import split_sentences
from mahalle_news.nlp.pipeline import build_pipeline, extract


@pytest.fixture(scope="module")
def nlp() -> Any:
    return build_pipeline()


def _facts(nlp: Any, text: str, kind: str | None = None) -> list[dict[str, Any]]:
    facts = [f.to_dict() for f in extract(nlp, text, published=dt.date(2025, 6, 1)).facts]
    return [f for f in facts if kind is None or f["type"] == kind]


@pytest.mark.parametrize(
    ("text", "value", "province", "approx"),
    [
        ("شیراز- معاون استاندار فارس گفت: ۴۵ محله کم‌برخوردار در استان شناسایی شد.", 45, "فارس", None),
        ("در استان گیلان حدود هفت محله حاشیه‌ای در اولویت است.", 7, "گیلان", "about"),
        ("بیش از ۱۲ محله در شهر ارومیه زیر پوشش طرح قرار گرفت.", 12, "آذربایجان غربی", "more_than"),
        ("در کشور ۲ هزار و ۲۰ محله هدف طرح هستند و سهم استان یزد ۳۰ محله است.", 2020, "کشور", None),
        ("از ۲ هزار و ۲۰ محله کشور، ۳۸ محله در استان زنجان قرار دارد.", 38, "زنجان", None),
        ("شاهرود- فرماندار گفت: ده محله در این شهر بازسازی می‌شود.", 10, "سمنان", None),
    ],
)
def test_facts_neighbourhood_counts_with_province_and_qualifier(
    nlp: Any, text: str, value: int, province: str, approx: str | None
) -> None:
    found = {(f["value"], f["province"], f["approx"]) for f in _facts(nlp, text, "neighbourhood_count")}
    assert (value, province, approx) in found


@pytest.mark.parametrize(
    "text",
    [
        "کرمان- طرح ملی «۲۰۲۰ محله» در استان کرمان اجرا می‌شود.",  # the program's name
        "تبریز- جلسه در سال ۱۴۰۳ و در ماده ۱۲ آیین‌نامه و منطقه ۴ شهرداری بررسی شد.",  # labels and years
        "اهواز- سومین جلسه ستاد در ۲۱ فروردین ساعت ۱۰:۳۰ برگزار شد؛ تلفن ۰۶۱۳۳۳۳۴۴۴۴ است.",  # ordinal, date, phone
        "سنندج- سالن ۶ هزار نفری این شهر افتتاح شد.",  # a capacity
        "ساری- برای هر محله یک دستگاه اجرایی مسئول شد.",  # «یک» as an article
    ],
)
def test_facts_traps_are_not_figures(nlp: Any, text: str) -> None:
    assert [f for f in _facts(nlp, text) if f["type"] not in ("program", "official")] == []


def test_facts_update_gives_two_counts_the_later_current(nlp: Any) -> None:
    text = "کرج- استاندار البرز گفت: شمار محله‌های هدف از ۶۷ به ۳۰۰ محله افزایش یافت."
    counts = {f["value"]: f.get("status") for f in _facts(nlp, text, "neighbourhood_count")}
    assert counts == {67: "superseded", 300: "current"}


def test_facts_same_count_twice_is_one_fact(nlp: Any) -> None:
    text = "کرمانشاه- در ۱۰ محله دفتر تسهیلگری باز می‌شود. مدیرکل گفت: در ده محله این دفاتر فعال خواهند شد."
    assert [f["value"] for f in _facts(nlp, text, "neighbourhood_count")] == [10]


@pytest.mark.parametrize(
    ("text", "rials", "program"),
    [
        ("قزوین- برای طرح کرامت در استان قزوین ۸۵ میلیارد تومان اعتبار پیش‌بینی شد.", 850_000_000_000, "طرح کرامت"),
        (
            "بوشهر- اعتباری بالغ بر ۳٫۵ همت برای بازآفرینی شهری در بوشهر تخصیص یافت.",
            35_000_000_000_000,
            "طرح بازآفرینی شهری",
        ),
        ("یزد- یک هزار و ۲۰۰ میلیارد ریال برای محله‌های یزد در نظر گرفته شد.", 1_200_000_000_000, None),
    ],
)
def test_facts_budgets_in_rials_linked_to_program(nlp: Any, text: str, rials: int, program: str | None) -> None:
    (budget,) = _facts(nlp, text, "budget")
    assert budget["rials"] == rials and budget.get("program") == program


@pytest.mark.parametrize(
    ("text", "name", "role_start"),
    [
        ("کرج- مجتبی عبداللهی، استاندار البرز، گفت: کار ادامه دارد.", "مجتبی عبداللهی", "استاندار البرز"),
        ("فرمانده سپاه استان کرمان سردار محمدعلی نظری گفت: کار ادامه دارد.", "محمدعلی نظری", "فرمانده سپاه"),
        (
            "سقز- فرماندار سقز گفت: طرح آغاز شد.\nسیروان ویسی روز دوشنبه افزود: کار ادامه دارد.",
            "سیروان ویسی",
            "فرماندار سقز",
        ),
        ("حجت الاسلام محمدرضا حیدری، معاون وزیر کشور، گفت: طرح ملی است.", "محمدرضا حیدری", "معاون وزیر"),
    ],
)
def test_facts_officials_with_name_and_role(nlp: Any, text: str, name: str, role_start: str) -> None:
    officials = {f["name"]: f["role"] for f in _facts(nlp, text, "official")}
    assert name in officials and officials[name].startswith(role_start)


def test_facts_carry_original_offsets_and_sentence(nlp: Any) -> None:
    text = "كرمان- در ۱۰ محلهمحور شهر كرمان ۲۰ ميليارد ريال هزينه شد."
    for f in _facts(nlp, text):
        start, end = f["span"]
        assert 0 <= start < end <= len(text)
        s_start, s_end = f["sentence_span"]
        assert text[s_start:s_end].strip() == f["sentence"]
        assert s_start <= start and end <= s_end
    (budget,) = _facts(nlp, text, "budget")
    assert text[budget["span"][0] : budget["span"][1]] == "۲۰ ميليارد ريال"


def test_facts_sentences_do_not_break_decimals() -> None:
    text = "رشد ۱۱.۵ درصد بود. سپس افزایش یافت!\nپایان"
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["رشد ۱۱.۵ درصد بود.", " سپس افزایش یافت!", "پایان"]


@pytest.mark.parametrize(
    ("text", "value", "province"),
    [
        ("۳۸ محله در استان زنجان و ۲۰ محله در استان قزوین شناسایی شده است.", 20, "قزوین"),
        ("برای ۱۲ محله کرمان اعتبار تخصیص یافت.", 12, "کرمان"),
        ("۱۲ محله در بخش مرکزی شهرستان بوشهر بازآفرینی می‌شود.", 12, "بوشهر"),
    ],
)
def test_facts_place_named_with_the_figure_wins(nlp: Any, text: str, value: int, province: str) -> None:
    assert (value, province) in {(f["value"], f["province"]) for f in _facts(nlp, text, "neighbourhood_count")}


def test_facts_neighbourhoods_word_is_not_the_city(nlp: Any) -> None:
    (population,) = _facts(nlp, "نیم میلیون نفر از ساکنان محلات یزد در حاشیه شهر زندگی می‌کنند.", "population")
    assert population["province"] == "یزد"


def test_facts_one_bad_article_does_not_lose_the_others(nlp: Any) -> None:
    from mahalle_news.nlp.pipeline import extract_many

    items = [("ok", "یزد- ۱۲ محله شناسایی شد.", None), ("huge", "1" * 5000 + " میلیون میلیارد", None)]
    results = list(extract_many(nlp, items))
    assert [r.id for r in results] == ["ok", "huge"]
    assert results[0].facts and results[1].error is None
