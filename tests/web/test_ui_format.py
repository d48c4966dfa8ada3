"""The UI's building blocks: Persian numbers, money, Jalali dates, bidi isolation, SVG charts, evidence marking,
CSRF tokens, and the shipped font with its licence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import lxml.etree
from fastapi.testclient import TestClient

from mahalle_news.config import Settings
from mahalle_news.store import Store
from mahalle_news.web.app import create_app
from mahalle_news.web.ui import format as fmt
from mahalle_news.web.ui import session
from mahalle_news.web.ui.charts import Bar, bar_chart, column_chart
from mahalle_news.web.ui.highlight import segments
from mahalle_news.web.ui.options import persian_key, provinces
from mahalle_news.web.ui.pages_misc import _safe_next


def test_ui_format_numbers_with_persian_digits_and_separators() -> None:
    assert fmt.fa_number(12345) == "۱۲٬۳۴۵"
    assert fmt.fa_number(2500.0) == "۲٬۵۰۰"
    assert fmt.fa_number(3.5) == "۳٫۵" and fmt.fa_number(1 / 3) == "۰٫۳۳"
    assert fmt.fa_number(-7) == "−۷" and fmt.fa_number(None) == "—" and fmt.fa_number(float("nan")) == "—"
    assert fmt.fa_percent(0.5) == "۵۰٪" and fmt.fa_percent(None) == "—"


def test_ui_format_money_reads_in_rials_and_tomans_with_the_unit() -> None:
    assert fmt.money(25_000_000_000_000) == "۲۵٬۰۰۰ میلیارد ریال"
    assert fmt.tomans(25_000_000_000_000) == "۲٬۵۰۰ میلیارد تومان"
    assert fmt.money(60_000_000_000) == "۶۰ میلیارد ریال" and fmt.tomans(60_000_000_000) == "۶ میلیارد تومان"
    assert fmt.money(1_234_567_890) == "۱٫۲۳ میلیارد ریال"
    assert fmt.money(5_000_000) == "۵ میلیون ریال" and fmt.money(9_000) == "۹٬۰۰۰ ریال"
    assert fmt.money(None) == "—"


def test_ui_format_jalali_dates_in_iran_time() -> None:
    assert fmt.jalali_date(dt.date(2025, 3, 21)) == "۱ فروردین ۱۴۰۴"
    late = dt.datetime(2025, 3, 20, 21, 0, tzinfo=dt.UTC)  # 00:30 on 1 Farvardin in Tehran
    assert fmt.jalali_date(late) == "۱ فروردین ۱۴۰۴"
    assert fmt.jalali_datetime(late) == "۱ فروردین ۱۴۰۴، ساعت ۰۰:۳۰"
    assert fmt.jalali_short(dt.date(2025, 9, 22)) == "۱۴۰۴/۰۶/۳۱"
    assert fmt.month_label(fmt.month_key(dt.date(2026, 1, 1))) == "دی ۱۴۰۴"
    assert fmt.jalali_date(None) == "—"


def test_ui_format_fact_values_in_words() -> None:
    budget = {"type": "budget", "rials": 60_000_000_000, "approx": "about", "period": "per neighbourhood"}
    assert fmt.fact_value(budget) == "حدود ۶۰ میلیارد ریال برای هر محله"
    assert fmt.fact_value({"type": "neighbourhood_count", "value": 16.0, "approx": "more_than"}) == "بیش از ۱۶ محله"
    assert fmt.fact_value({"type": "percentage", "value": 12.5}) == "۱۲٫۵٪"
    assert fmt.fact_value({"type": "quantity", "value": 480, "unit": "خانه"}) == "۴۸۰ خانه"
    assert fmt.fact_value({"type": "official", "name": "عبدالله سارانی", "role": "فرماندار زابل"}) == (
        "عبدالله سارانی (فرماندار زابل)"
    )


def test_ui_format_quoted_text_and_latin_islands() -> None:
    assert fmt.fa_text("ساعت 12 در A4 و https://x.ir/1404") == "ساعت ۱۲ در A4 و https://x.ir/1404"
    shown = fmt.isolate_latin("ایرنا — /rss/latest.xml <b>")
    assert str(shown) == 'ایرنا — <bdi dir="ltr">/rss/latest.xml &lt;b&gt;</bdi>'
    assert str(fmt.isolate_latin("مهر (نمایشی)")) == "مهر (نمایشی)"  # parentheses alone stay mirrored


def test_ui_charts_are_valid_svg_drawn_right_to_left() -> None:
    svg = bar_chart(
        [Bar("تهران", 244), Bar("<یزد>", 12, href="/dashboard/x")], chart_id="c1", title="عنوان", desc="شرح"
    )
    root = lxml.etree.fromstring(str(svg).encode())
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert root.get("role") == "img" and root.get("direction") == "rtl"
    rects = root.findall(".//s:rect", ns)
    assert len(rects) == 2 and float(rects[0].get("width")) > float(rects[1].get("width"))
    right = float(rects[0].get("x")) + float(rects[0].get("width"))
    assert right == float(rects[1].get("x")) + float(rects[1].get("width"))  # both grow from the same right edge
    assert "<یزد>" in [t.text for t in root.findall(".//s:text", ns)] and "۲۴۴" in str(svg)
    columns = column_chart([Bar("فروردین ۱۴۰۴", 1), Bar("اردیبهشت ۱۴۰۴", 3)], chart_id="c2", title="t", desc="d")
    first, second = lxml.etree.fromstring(str(columns).encode()).findall(".//s:rect", ns)
    assert float(first.get("x")) > float(second.get("x"))  # time runs from right to left
    empty = lxml.etree.fromstring(str(bar_chart([], chart_id="c2", title="t", desc="d")).encode())
    assert "داده‌ای نیست" in "".join(empty.itertext())


def test_ui_highlight_marks_spans_and_skips_overlaps() -> None:
    text = "۱۶ محله در طرح ملی"
    facts = [{"id": 1, "span_start": 0, "span_end": 2}, {"id": 2, "span_start": 1, "span_end": 8},
             {"id": 3, "span_start": 11, "span_end": 18}, {"id": 4, "span_start": 30, "span_end": 40}]  # fmt: skip
    parts = segments(text, facts)
    assert "".join(p.text for p in parts) == text
    assert [(p.text, p.fact["id"]) for p in parts if p.fact] == [("۱۶", 1), ("طرح ملی", 3)]
    assert [p.text for p in segments(text, facts, start=3, end=10)] == ["محله در"]


def test_ui_csrf_tokens_are_bound_to_the_browser_and_the_key() -> None:
    nonce = "n" * 43
    assert session._token(nonce, "mn_a_b") != session._token(nonce, "mn_a_c") != session._token(nonce, None)
    assert session._token(nonce, None) != session._token("m" * 43, None)
    assert [_safe_next(t) for t in ("/alerts?x=1", "//evil", "https://evil", "/\\evil", None)] == [
        "/alerts?x=1", "/", "/", "/", "/"]  # fmt: skip


def test_ui_provinces_in_persian_alphabetical_order() -> None:
    names = list(provinces())
    assert len(names) == 32 and names[-1] == "کشور"
    assert names.index("کرمان") < names.index("گیلان") < names.index("لرستان")
    assert names.index("بوشهر") < names.index("تهران") < names.index("چهارمحال و بختیاری") < names.index("خوزستان")
    assert persian_key("پ") > persian_key("ب")


def test_ui_ships_its_font_and_licence(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path}/m.sqlite3") as store:
        app = create_app(Settings(db=store.url, anonymous_read=True), store=store)
        with TestClient(app) as client:
            css = client.get("/static/site.css").text
            licence = client.get("/static/fonts/OFL.txt")
            font = client.get("/static/fonts/vazirmatn-arabic-400-normal.woff2")
            empty = client.get("/dashboard", headers={"Accept": "text/html"})
    assert "@font-face" in css and 'font-family: "Vazirmatn"' in css
    assert licence.status_code == 200 and "SIL Open Font License" in licence.text
    assert font.status_code == 200 and font.content[:4] == b"wOF2"
    assert empty.status_code == 200 and "داده‌ای نیست" in empty.text  # an empty store is not an error
