from __future__ import annotations

import pytest

from mahalle_news.text.places import find_dateline, find_places, gazetteer


def test_places_gazetteer_covers_every_province_and_county() -> None:
    gaz = gazetteer()
    provinces = {p.name for p in gaz.places if p.kind == "province"}
    assert len(provinces) == 31
    assert sum(p.kind == "county" for p in gaz.places) >= 440
    assert all(p.province in provinces for p in gaz.places)


@pytest.mark.parametrize(
    ("text", "name", "province"),
    [
        ("مردم شاهرود", "شاهرود", "سمنان"),
        ("در كرمانشاه", "کرمانشاه", "کرمانشاه"),
        ("خرم آباد", "خرم‌آباد", "لرستان"),
        ("خرمآباد", "خرم‌آباد", "لرستان"),
        ("استان سیستان و بلوچستان", "سیستان و بلوچستان", "سیستان و بلوچستان"),
        ("شهرستان محلات", "محلات", "مرکزی"),
        ("استاندار البرز", "البرز", "البرز"),
    ],
)
def test_places_match_spellings_and_resolve_province(text: str, name: str, province: str) -> None:
    found = find_places(text)
    assert [(p.name, p.province) for p in found] == [(name, province)]


@pytest.mark.parametrize(
    "text",
    [
        "محلات کم‌برخوردار شهر",  # «محلات» = neighbourhoods
        "به گزارش خبرگزاری فارس",  # the agency
        "اول مهر ماه",  # the month
        "کرمانشاهی‌ها",  # inside a longer word
    ],
)
def test_places_ambiguous_words_need_context(text: str) -> None:
    assert [p.name for p in find_places(text) if p.name in ("محلات", "فارس", "مهر", "کرمانشاه")] == []


@pytest.mark.parametrize(
    ("text", "province"),
    [
        ("اهواز- ایرنا- استاندار گفت", "خوزستان"),
        ("کرمانشاه- مدیر کل گفت", "کرمانشاه"),
        ("به گزارش ایکنا از البرز، استاندار گفت", "البرز"),
        ("به گزارش خبرگزاری مهر از ساری، امروز", "مازندران"),
    ],
)
def test_places_dateline_gives_province(text: str, province: str) -> None:
    d = find_dateline(text)
    assert d is not None and d.province == province
    assert text[d.span[0] : d.span[1]] == d.text
