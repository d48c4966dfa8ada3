"""The web UI in a real browser: Debian's Chromium driven by Playwright against the live server over the crawled
demo store. Search (with the keyboard, with JavaScript off), open a fact, create an alert, download exports, and
the error and 404 pages; screenshots of each page are kept in test-artifacts/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.e2e.conftest import Live, shot

PERSIAN_DIGITS = re.compile(r"[۰-۹]")


def right_aligned(page: Any, selector: str) -> bool:
    """Whether the element's text starts at the right edge of the main column (right-to-left layout)."""
    box = page.locator(selector).first.bounding_box()
    main = page.locator("main").bounding_box()
    assert box is not None and main is not None
    return abs((box["x"] + box["width"]) - (main["x"] + main["width"])) < 24


def test_browser_search_with_the_keyboard(page: Any, live: Live) -> None:
    page.goto("/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate("document.fonts.ready.then(() => document.fonts.check('16px Vazirmatn', 'محله'))")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.bounding_box()["y"] >= 0  # shown on focus
    shot(page, "01-skip-link-focused", full_page=False)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.get_by_label("استان").select_option("کرمان")
    page.get_by_label("نوع واقعیت").select_option("budget")
    page.locator("#f-date_from").fill("۱۴۰۳/۰۱/۰۱")
    page.locator("#f-q").focus()
    page.keyboard.press("Enter")  # submits the GET form
    page.wait_for_url(re.compile(r"province="))
    assert "date_from=%DB%B1%DB%B4%DB%B0%DB%B3" in page.url  # the Persian digits went as typed
    rows = page.locator("table tbody tr")
    assert rows.count() > 0
    for i in range(rows.count()):
        assert rows.nth(i).locator("td").nth(1).inner_text() == "کرمان"
        assert "ریال" in rows.nth(i).locator("th").inner_text()
    assert PERSIAN_DIGITS.search(page.locator("#results-title").inner_text())
    assert right_aligned(page, "h1")
    shot(page, "02-search-kerman-budgets")


def test_browser_search_works_with_javascript_off(browser: Any, live: Live) -> None:
    context = browser.new_context(base_url=live.url, java_script_enabled=False, locale="fa-IR")
    try:
        page = context.new_page()
        page.goto("/")
        page.get_by_label("نوع واقعیت").select_option("neighbourhood_count")
        page.get_by_role("button", name="اعمال فیلترها").click()
        page.wait_for_url(re.compile(r"type=neighbourhood_count"))
        assert page.locator("table tbody tr").count() > 10
        assert page.locator("table tbody tr th a").first.inner_text().endswith("محله")
        page.get_by_role("link", name=re.compile("صفحهٔ بعد")).click()
        page.wait_for_url(re.compile(r"cursor="))
        assert page.locator("table tbody tr").count() > 0
    finally:
        context.close()


def test_browser_open_a_fact_and_its_article(page: Any, live: Live) -> None:
    page.goto("/?type=neighbourhood_count&sort=value_desc")
    first = page.locator("table tbody tr th a").first
    figure = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/facts/\d+$"))
    assert page.locator("p.figure").inner_text() == figure
    mark = page.locator("mark#evidence")
    assert mark.is_visible() and PERSIAN_DIGITS.search(mark.inner_text())
    assert page.locator("blockquote.evidence mark").inner_text() == mark.inner_text()
    shot(page, "03-fact")
    page.locator("#article-title a").click()
    page.wait_for_url(re.compile(r"/articles/\d+$"))
    assert page.locator(".article-text mark.fact").count() >= 2
    assert page.locator("ul.legend mark").count() >= 2
    shot(page, "04-article-with-facts-marked")


def test_browser_create_an_alert_from_a_search(page: Any, live: Live) -> None:
    page.goto("/alerts")
    assert "کلید API" in page.locator("main").inner_text()  # alerts need a key
    page.get_by_role("link", name="وارد کردن کلید API").click()
    page.get_by_label("کلید API").fill(live.editor_key)
    page.get_by_role("button", name="ورود").click()
    page.wait_for_url(re.compile(r"/alerts$"))
    assert "کارشناس پایش" in page.locator(".who").inner_text()

    page.goto("/?province=یزد&type=neighbourhood_count")
    page.get_by_role("link", name="ساخت هشدار از این جست‌وجو").click()
    page.wait_for_url(re.compile(r"/alerts/new\?"))
    assert "یزد" in page.locator("section.panel").inner_text()
    page.get_by_label("نام هشدار").fill("محله‌های یزد")
    shot(page, "05-alert-new")
    page.get_by_role("button", name="ساخت هشدار").click()
    assert page.locator("h1").inner_text() == "هشدار «محله‌های یزد» ساخته شد"
    feed = page.locator("#feed-url").get_attribute("href")
    assert feed is not None and "/feed.atom?token=" in feed
    shot(page, "06-alert-created")

    page.get_by_role("link", name="فهرست هشدارها").click()
    row = page.locator("table tbody tr", has_text="محله‌های یزد")
    assert row.count() == 1
    shot(page, "07-alerts-list")
    response = page.request.get(feed)  # what a feed reader gets
    assert response.status == 200 and "محله‌های یزد" in response.text()
    row.get_by_role("button", name=re.compile("حذف")).click()
    assert page.locator("table tbody tr", has_text="محله‌های یزد").count() == 0
    assert "حذف شد" in page.locator("main").inner_text()


def test_browser_download_exports_of_the_search(page: Any, live: Live, tmp_path: Path) -> None:
    page.goto("/?type=budget&province=تهران")
    page.get_by_role("link", name=re.compile("خروجی این جست‌وجو")).click()
    page.wait_for_url(re.compile(r"/export\?"))
    shot(page, "08-export")
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="CSV (برای اکسل)").click()
    csv_path = tmp_path / csv_download.value.suggested_filename
    csv_download.value.save_as(csv_path)
    data = csv_path.read_bytes()
    assert csv_path.suffix == ".csv" and data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("fact_id,") and len(lines) > 1 and all("تهران" in line for line in lines[1:])
    with page.expect_download() as parquet_download:
        page.get_by_role("link", name="Parquet", exact=True).click()
    parquet_path = tmp_path / parquet_download.value.suggested_filename
    parquet_download.value.save_as(parquet_path)
    assert parquet_path.read_bytes()[:4] == b"PAR1"


def test_browser_bad_input_and_missing_pages_are_explained_in_persian(page: Any, live: Live) -> None:
    page.goto("/?value_min=زیاد&date_to=۱۴۰۴/۱۳/۰۱")
    value = page.locator("#f-value_min")
    assert value.get_attribute("aria-invalid") == "true"
    assert "یک عدد بنویسید" in page.locator("#value_min-error").inner_text()
    assert "چنین روزی" in page.locator("#date_to-error").inner_text()
    page.locator("#errors a").first.click()  # the error summary leads to the field
    assert page.evaluate("document.activeElement.id") in ("f-value_min", "f-date_to")
    shot(page, "09-bad-input")
    response = page.goto("/facts/999999")
    assert response is not None and response.status == 404
    assert "پیدا نشد" in page.locator("h1").inner_text()
    shot(page, "10-not-found", full_page=False)


def test_browser_dashboard_sources_and_small_screens(page: Any, live: Live) -> None:
    page.goto("/dashboard")
    chart = page.locator("svg.chart").first
    assert chart.is_visible() and chart.locator("rect").count() >= 10
    shot(page, "11-dashboard", full_page=False)
    page.goto("/dashboard/کرمان")
    assert page.locator("h1").inner_text() == "داشبورد استان کرمان"
    shot(page, "12-dashboard-kerman")
    page.goto("/sources")
    assert page.locator("table tbody tr").count() == 16
    shot(page, "13-sources")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/?type=budget")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # no sideways page
    shot(page, "14-search-phone", full_page=False)
