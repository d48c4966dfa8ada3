"""extract_page on the demo site's 131 article pages (selectors: all exact), trafilatura as fallback, PageError."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import json
import statistics
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mahalle_news.crawl import html as H
from mahalle_news.crawl.encoding import decode_document
from mahalle_news.crawl.html import PageError, css_to_xpath, extract_page, fragment_text, parse_datetime
from mahalle_news.errors import InputError

DEMO = Path(__file__).resolve().parents[2] / "corpus" / "demo_site"
IRAN = dt.timezone(dt.timedelta(hours=3, minutes=30))


@functools.cache
def manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DEMO / "manifest.json").read_text(encoding="utf-8"))
    return data


ON_DISK = [a for a in manifest()["articles"] if a["file"]]


@functools.cache
def page_text(key: str) -> str:
    article = next(a for a in ON_DISK if a["key"] == key)
    return decode_document((DEMO / article["file"]).read_bytes(), kind="html").text


def norm(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


# our own unknown-CMS article: no selector matches, so trafilatura must find it
PARAGRAPHS = [
    "به گزارش خبرنگار ما، شورای محله‌ی سرآسیاب دولاب در نشست هفتگی طرح ساماندهی پیاده‌روهای خیابان اصلی را بررسی کرد.",
    "رئیس شورای محله گفت: اجرای این طرح با همکاری شهرداری منطقه و مشارکت کسبه تا پایان تابستان به پایان می‌رسد.",
    "وی افزود: برای نوسازی روشنایی معابر و کاشت درخت در کوچه‌های فرعی نیز اعتباری در نظر گرفته شده است.",
    "ساکنان محله می‌توانند پیشنهادهای خود را تا پایان ماه به دفتر تسهیلگری محله تحویل دهند.",
]
UNKNOWN_CMS = f"""<!DOCTYPE html><html lang="fa" dir="rtl"><head><meta charset="utf-8">
<title>ساماندهی پیاده‌روهای سرآسیاب دولاب | روزنامه نمونه</title>
<meta property="og:site_name" content="روزنامه نمونه">
<meta property="article:published_time" content="2024-05-04T10:30:00+03:30"></head><body>
<header><nav><ul><li><a href="/">صفحه اول</a></li><li><a href="/city">شهری</a></li>
<li><a href="/sport">ورزشی</a></li></ul></nav></header>
<div id="wrap"><div class="cnt"><h1>ساماندهی پیاده‌روهای سرآسیاب دولاب</h1>
<div class="matn">{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}</div>
<div class="share"><a href="https://t.me/share">تلگرام</a> <a href="https://wa.me/">واتس‌اپ</a></div></div>
<aside><h3>پربازدیدها</h3><ul><li><a href="/n/1">خبر اول</a></li><li><a href="/n/2">خبر دوم</a></li></ul></aside></div>
<footer><p>تمامی حقوق برای روزنامه نمونه محفوظ است.</p></footer></body></html>"""

NOT_FOUND = """<!DOCTYPE html><html lang="fa"><head><meta charset="utf-8"><title>خطای ۴۰۴ - صفحه پیدا نشد</title></head>
<body><nav><a href="/">صفحه نخست</a> <a href="/archive">آرشیو</a></nav>
<h1>صفحه مورد نظر یافت نشد</h1><p>ممکن است نشانی را اشتباه وارد کرده باشید یا این مطلب حذف شده باشد.
لطفاً از جستجو یا فهرست خبرها استفاده کنید تا مطلب دلخواه خود را پیدا کنید؛ پوزش ما را بپذیرید.</p>
<footer><p>کلیه حقوق محفوظ است.</p></footer></body></html>"""


@pytest.mark.parametrize("key", [a["key"] for a in ON_DISK])
def test_html_layout_selectors(key: str) -> None:
    article = next(a for a in ON_DISK if a["key"] == key)
    page = extract_page(page_text(key), url=article["url"])
    assert page.method == "selector:" + article["layout"][0]  # A-mobile is layout A
    assert page.text == article["text"]  # exact: no whitespace or letter normalisation either
    assert page.title == article["title"]
    assert page.lead == article["lead"]
    assert page.published == dt.datetime.fromisoformat(article["published"])


def test_html_cp1256_page() -> None:
    key = manifest()["edge_cases"]["cp1256_page"]
    article = next(a for a in ON_DISK if a["key"] == key)
    decoded = decode_document((DEMO / article["file"]).read_bytes(), declared="utf-8", kind="html")
    assert decoded.encoding == "windows-1256"
    page = extract_page(decoded.text, url=article["url"])
    assert (page.text, page.title, page.method) == (article["text"], article["title"], "selector:B")
    assert page.published == dt.datetime(2024, 12, 24, 9, 5, tzinfo=IRAN)  # Jalali text only, Latin digits


def test_html_trafilatura_agreement_on_demo() -> None:
    """The measured fallback quality (module docstring): every paragraph found, with some extra lines."""
    sims, recall = [], []
    for article in ON_DISK:
        got = norm(H._trafilatura_text(page_text(article["key"]), article["url"]) or "")
        want = norm(article["text"])
        sims.append(difflib.SequenceMatcher(None, got, want, autojunk=False).ratio())
        recall.append(sum(line in got.splitlines() for line in want.splitlines()) / len(want.splitlines()))
    assert statistics.mean(recall) >= 0.99
    assert statistics.mean(sims) >= 0.92


def test_html_trafilatura_fallback() -> None:
    page = extract_page(UNKNOWN_CMS, url="https://news.example/a/1")
    assert page.method == "trafilatura"
    assert page.text.splitlines()[-len(PARAGRAPHS) :] == PARAGRAPHS  # ZWNJ kept, one paragraph per line
    for boilerplate in ("تلگرام", "پربازدیدها", "حقوق", "ورزشی"):
        assert boilerplate not in page.text
    assert page.title == "ساماندهی پیاده‌روهای سرآسیاب دولاب"  # «| روزنامه نمونه» dropped
    assert page.published == dt.datetime(2024, 5, 4, 10, 30, tzinfo=IRAN)


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n ",
        "<html><body></body></html>",
        NOT_FOUND,
        '<?xml version="1.0" encoding="utf-8"?><html><body><nav><a href="/">خانه</a></nav></body></html>',
        '<html><body><div class="item-body"><div class="item-text"><p> </p></div></div></body></html>',
    ],
)
def test_html_no_article_raises(html: str) -> None:
    with pytest.raises(PageError) as info:
        extract_page(html, url="https://ex.demo/news/404")
    assert isinstance(info.value, InputError) and info.value.code == "invalid_page"
    assert "https://ex.demo/news/404" in info.value.message


def test_html_paragraph_lines_kept_as_written() -> None:
    html = (
        '<div id="echo-detail"><div class="body"><p>خط يك<br>خط دوم‌ها</p><div class="x">'
        "<p>بند\n  شكسته  با   فاصله</p></div><script>var p = 1;</script><p></p></div></div>"
    )
    page = extract_page(f"<html><body>{html}</body></html>", url="https://ex.demo/news/1")
    assert page.method == "selector:B"
    assert page.text == "خط يك\nخط دوم‌ها\nبند شكسته  با   فاصله"  # Arabic yeh / kaf and ZWNJ untouched


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-04T10:30:00+03:30", dt.datetime(2024, 5, 4, 10, 30, tzinfo=IRAN)),
        ("2024-05-04T07:00:00Z", dt.datetime(2024, 5, 4, 10, 30, tzinfo=IRAN)),
        ("2024-05-04 10:30", dt.datetime(2024, 5, 4, 10, 30, tzinfo=IRAN)),
        ("Sat, 04 May 2024 07:00:00 GMT", dt.datetime(2024, 5, 4, 10, 30, tzinfo=IRAN)),
        ("Sat, 04 May 2024 10:30:00", dt.datetime(2024, 5, 4, 10, 30, tzinfo=IRAN)),
        ("۱۴۰۳/۰۲/۱۵ ۱۰:۳۰", dt.datetime(2024, 5, 4, 10, 30, tzinfo=IRAN)),
        ("1403-02-15 10:30", dt.datetime(2024, 5, 4, 10, 30, tzinfo=IRAN)),
        ("۱۵ اردیبهشت ۱۴۰۳ - ۱۰:۳۰", dt.datetime(2024, 5, 4, 10, 30, tzinfo=IRAN)),
        ("شنبه / ۱۵ اردیبهشت ۱۴۰۳ / ۱۰:۳۰", dt.datetime(2024, 5, 4, 10, 30, tzinfo=IRAN)),
        ("تاریخ انتشار: ۱۰:۳۰ - ۱۴۰۳/۰۲/۱۵", dt.datetime(2024, 5, 4, 10, 30, tzinfo=IRAN)),
        ("۱۵ اردیبهشت ۱۴۰۳", dt.datetime(2024, 5, 4, tzinfo=IRAN)),
        ("۱۵ اردیبهشت", None),  # no year: not guessed here
        ("دیروز", None),
        ("", None),
        (None, None),
    ],
)
def test_html_parse_datetime(value: str | None, expected: dt.datetime | None) -> None:
    assert parse_datetime(value) == expected


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        ("عنوان خبر آزمایشی - ایرنا", "", "عنوان خبر آزمایشی"),
        ("فارس - عنوان خبر آزمایشی", "", "عنوان خبر آزمایشی"),
        ("آغاز تعریض محور کرمان - بم - خبرگزاری نمونه", "خبرگزاری نمونه (نسخه نمایشی)", "آغاز تعریض محور کرمان - بم"),
        ("عنوان بلند خبر | پایگاه خبری تحلیلی استان", "پایگاه خبری تحلیلی استان", "عنوان بلند خبر"),
        ("عنوانی بی‌پسوند", "", "عنوانی بی‌پسوند"),
    ],
)
def test_html_title_site_suffix(title: str, site: str, expected: str) -> None:
    head = f"<title>{title}</title>" + (f'<meta property="og:site_name" content="{site}">' if site else "")
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    page = extract_page(f"<html><head>{head}</head><body><article>{body}</article></body></html>", url="https://x.ir/1")
    assert page.title == expected


@pytest.mark.parametrize(
    ("selector", "xpath"),
    [
        ("h1.title", "//h1[contains(concat(' ', normalize-space(@class), ' '), ' title ')]"),
        (
            "div#echo-detail > div.body",
            "//div[@id='echo-detail']/div[contains(concat(' ', normalize-space(@class), ' '), ' body ')]",
        ),
        ("time[itemprop=datePublished]", "//time[@itemprop='datePublished']"),
        ("ul li", "//ul//li"),
    ],
)
def test_html_css_to_xpath(selector: str, xpath: str) -> None:
    assert css_to_xpath(selector) == xpath


def test_html_css_to_xpath_rejects_unsupported() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        css_to_xpath("a:hover")


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<p>یک</p><p>دو&nbsp;و&amp;سه</p>", "یک دو و&سه"),
        ("متن &amp; ساده", "متن & ساده"),
        ("<b>پر</b>رنگ", "پررنگ"),
        ("<p> </p>", None),
        (None, None),
    ],
)
def test_html_fragment_text(markup: str | None, expected: str | None) -> None:
    assert fragment_text(markup) == expected


HTML_PIECES = ["<p>", "</p>", "<br>", "<div class='item-body'><div class='item-text'>", "</div>", "<title>", "&zwnj;"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(HTML_PIECES), st.text(max_size=30)), max_size=30))
def test_html_extract_never_raises_anything_but_page_error(pieces: list[str]) -> None:
    try:
        page = extract_page("".join(pieces), url="https://ex.demo/news/1")
    except PageError:
        return
    assert page.text and page.method


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("0123456789۰۱۲۳۴۵۶۷۸۹/:-+TZ ،اردیبهشتخرداد"), max_size=30) | st.text(max_size=30)
)
def test_html_parse_datetime_never_raises(value: str) -> None:
    stamp = parse_datetime(value)
    assert stamp is None or stamp.tzinfo is not None
