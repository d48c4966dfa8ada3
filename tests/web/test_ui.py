"""The Persian web UI through the app (TestClient) over the crawled demo store: pages render right to left with
Persian digits, the search form works as a plain GET form (no JavaScript) with the filter language, bad input is
explained next to its field, the key cookie and CSRF protect the alert forms, and errors are Persian pages."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import lxml.html
import pytest
from fastapi.testclient import TestClient

from mahalle_news.config import Settings
from mahalle_news.filters import KNOWN_PARAMS, parse_fact_filter
from mahalle_news.store import Store
from mahalle_news.store import alerts as alert_store
from mahalle_news.store.export_query import count
from mahalle_news.store.keys import create_key
from mahalle_news.web.app import create_app
from mahalle_news.web.ui.format import fa_text
from tests.e2e.demo_store import demo_store_url

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with Store.open(demo_store_url(tmp_path_factory)) as s:
        yield s


@pytest.fixture(scope="module")
def client(store: Store) -> Iterator[TestClient]:
    """Anonymous read on, as ``mahalle-news demo`` serves it."""
    app = create_app(Settings(db=store.url, anonymous_read=True, rate_limit=0), store=store)
    with TestClient(app, headers=HTML) as c:
        yield c


@pytest.fixture
def closed(store: Store) -> Iterator[TestClient]:
    """Anonymous read off: every page needs a key."""
    app = create_app(Settings(db=store.url, anonymous_read=False, rate_limit=0), store=store)
    with TestClient(app, headers=HTML) as c:
        yield c


def doc(response: Any) -> Any:
    return lxml.html.fromstring(response.text)


def shown_text(tree: Any) -> str:
    """What a reader sees as Persian text: without left-to-right islands (addresses, keys, ids) and code."""
    for node in tree.xpath('//*[@dir="ltr"] | //code | //script | //style'):
        node.drop_tree()
    return str(tree.text_content())


def post_form(client: TestClient, url: str, pairs: list[tuple[str, str]], **kwargs: Any) -> Any:
    """POST a form with repeated fields, as a browser sends it."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return client.post(url, content=urlencode(pairs), headers=headers, **kwargs)


def csrf(response: Any) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', response.text)
    assert found, "no CSRF token in the page"
    return found.group(1)


# ---------------------------------------------------------------- every page


@pytest.mark.parametrize(
    "path",
    ["/", "/?province=کرمان", "/dashboard", "/dashboard/یزد", "/sources", "/export?type=budget", "/login", "/facts/1",
     "/articles/1"],
)  # fmt: skip
def test_ui_pages_are_persian_right_to_left_with_persian_digits(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    tree = doc(response)
    html = tree.xpath("/html")[0]
    assert html.get("lang") == "fa" and html.get("dir") == "rtl"
    assert tree.xpath('//a[@class="skip-link"]/@href') == ["#main"] and tree.xpath('//main[@id="main"]')
    text = shown_text(tree)
    assert re.search(r"[\u0600-\u06ff]", text)
    latin = re.findall(r".{0,20}[0-9].{0,20}", text)
    assert not latin, f"Latin digits shown on {path}: {latin[:5]}"


def test_ui_every_control_has_a_label_and_every_table_a_caption_and_headers(client: TestClient, store: Store) -> None:
    for path in ("/", "/?type=budget", "/dashboard", "/sources", "/articles/1", "/login"):
        tree = doc(client.get(path))
        for control in tree.xpath("//input[not(@type='hidden')] | //select | //textarea"):
            cid = control.get("id")
            labelled = (cid and tree.xpath(f'//label[@for="{cid}"]')) or control.get("aria-label")
            assert labelled, f"{path}: control {control.get('name')} has no label"
        for table in tree.xpath("//table"):
            assert table.xpath("./caption"), f"{path}: a table without caption"
            assert table.xpath(".//th[@scope='col']"), f"{path}: a table without column headers"


# ---------------------------------------------------------------- search


def test_ui_search_form_is_a_plain_get_form_with_the_api_parameter_names(client: TestClient) -> None:
    tree = doc(client.get("/"))
    (form,) = tree.xpath('//form[@role="search"]')
    assert form.get("method") == "get" and form.get("action") == "/"
    names = {c.get("name") for c in form.xpath(".//input | .//select") if c.get("name")}
    assert names <= KNOWN_PARAMS and {"q", "type", "province", "program", "date_from", "value_min"} <= names


def test_ui_search_filters_like_the_api_and_shows_facets(client: TestClient, store: Store) -> None:
    # an empty plain form submission (every field sent, empty) is the unfiltered search
    blank = "&".join(f"{n}=" for n in ("q", "type", "province", "program", "date_from", "value_min", "sort"))
    everything = doc(client.get(f"/?{blank}"))
    total = count(store, "facts", parse_fact_filter({}))
    assert f"{total:,}".translate(str.maketrans("0123456789,", "۰۱۲۳۴۵۶۷۸۹٬")) in everything.xpath("string(//h2)")

    response = client.get("/", params={"province": "استان كرمان", "type": "budget"})  # Arabic kaf, «استان»
    assert response.status_code == 200
    tree = doc(response)
    assert tree.xpath('//select[@id="f-province"]/option[@selected]/@value') == ["کرمان"]
    rows = tree.xpath("//table/tbody/tr")
    expected = count(store, "facts", parse_fact_filter({"province": "کرمان", "type": "budget"}))
    assert 0 < len(rows) == expected
    for row in rows:
        assert row.xpath("string(td[2])").strip() == "کرمان" and "ریال" in row.xpath("string(th)")
    facet_types = tree.xpath('//aside[@class="facets"]//a/text()')
    assert "اعتبار" in facet_types
    # the buttons carry the filter to the alert and export pages
    alert_link = tree.xpath('//a[starts-with(@href, "/alerts/new")]/@href')[0]
    assert parse_qs(urlsplit(alert_link).query) == {"province": ["استان كرمان"], "type": ["budget"]}


def test_ui_search_accepts_jalali_dates_in_persian_digits(client: TestClient, store: Store) -> None:
    tree = doc(client.get("/", params={"date_from": "۱۴۰۴/۰۱/۰۱", "date_to": "1404-06-31"}))
    expected = count(store, "facts", parse_fact_filter({"date_from": "1404-01-01", "date_to": "1404-06-31"}))
    shown = tree.xpath("string(//h2[@id='results-title'])")
    assert shown.startswith(f"{expected:,}".translate(str.maketrans("0123456789,", "۰۱۲۳۴۵۶۷۸۹٬")))
    for day in tree.xpath("//table/tbody/tr/td[5]/text()"):
        assert "۱۴۰۴/۰۱/۰۱" <= day <= "۱۴۰۴/۰۶/۳۱"  # Jalali, Persian digits, sortable as text
    assert tree.xpath('//input[@id="f-date_from"]/@value') == ["۱۴۰۴/۰۱/۰۱"]  # echoed as typed


def test_ui_search_pages_with_the_cursor_without_gaps_or_repeats(client: TestClient, store: Store) -> None:
    seen: list[str] = []
    url: str | None = "/?sort=value_desc"
    pages = 0
    while url:
        tree = doc(client.get(url))
        seen += tree.xpath("//table/tbody/tr/th/a/@href")
        nxt = tree.xpath('//a[@rel="next"]/@href')
        url = nxt[0] if nxt else None
        pages += 1
    assert pages > 1 and len(seen) == len(set(seen))
    assert len(seen) == count(store, "facts", parse_fact_filter({}))


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"value_min": "بسیار"}, "value_min", "یک عدد"),
        ({"date_from": "1404-13-40"}, "date_from", "چنین روزی"),
        ({"date_from": "دیروز"}, "date_from", "سال/ماه/روز"),
        ({"province": "ناکجاآباد"}, "province", "استانی به این نام"),
        ({"rials_min": "2.5"}, "rials_min", "عدد صحیح"),
        ({"value_min": "10", "value_max": "2"}, "value_min", "بزرگ‌تر"),
        ({"cursor": "not-a-cursor"}, "cursor", "صفحهٔ اول"),
    ],
)
def test_ui_bad_input_is_explained_in_persian_next_to_the_field(
    client: TestClient, params: dict[str, str], field: str, words: str
) -> None:
    response = client.get("/", params=params)
    assert response.status_code == 422
    assert "Traceback" not in response.text and "error" not in response.text.lower().split("form-error")[0][-200:]
    tree = doc(response)
    summary = tree.xpath('string(//div[@id="errors"])')
    assert words in summary
    if field != "cursor":
        (control,) = tree.xpath(f'//*[@id="f-{field}"]')
        assert control.get("aria-invalid") == "true"
        assert words in tree.xpath(f'string(//*[@id="{field}-error"])')
    else:
        assert tree.xpath("//table/tbody/tr")  # the first page instead


def test_ui_two_bad_fields_are_both_marked_and_an_unknown_parameter_is_named(client: TestClient) -> None:
    tree = doc(client.get("/", params={"value_min": "x", "date_to": "y"}))
    assert tree.xpath('//*[@aria-invalid="true"]/@name') == ["date_to", "value_min"] or set(
        tree.xpath('//*[@aria-invalid="true"]/@name')
    ) == {"date_to", "value_min"}
    response = client.get("/", params={"provinse": "یزد", "type": "budget"})
    assert response.status_code == 422 and "«provinse»" in response.text
    assert doc(response).xpath('//select[@id="f-type"]/option[@selected]/@value') == ["budget"]


# ---------------------------------------------------------------- fact, article, dashboard, sources


def test_ui_fact_page_highlights_the_evidence_and_lists_the_story_sources(client: TestClient, store: Store) -> None:
    stories = Counter(row["story_id"] for row in store.iter_article_rows(include_text=False))
    fact = next(
        row
        for row in store.iter_fact_rows()
        if stories[row["story_id"]] > 1 and row["type"] == "neighbourhood_count" and row["counted"]
    )
    story = fact["story_id"]
    article = store.get_article(fact["article_id"])
    assert article is not None
    tree = doc(client.get(f"/facts/{fact['id']}"))
    evidence = fa_text(article.text[fact["span_start"] : fact["span_end"]])  # digits shown in Persian
    assert tree.xpath('string(//mark[@id="evidence"])') == evidence
    assert tree.xpath('string(//blockquote//mark[@class="evidence"])') == evidence
    assert tree.xpath('string(//p[@class="figure"])').endswith("محله")
    others = tree.xpath('//section[@aria-labelledby="story-title"]//a/@href')
    assert len({h for h in others if h.startswith("/articles/")}) == len(store.story_members(story)) - 1


def test_ui_article_page_marks_every_fact_by_type_with_a_legend(client: TestClient, store: Store) -> None:
    # the article with the most facts: ids follow the crawl's (concurrent) fetch order, so «article 1» varies
    ((article_id, _),) = Counter(row["article_id"] for row in store.iter_fact_rows()).most_common(1)
    tree = doc(client.get(f"/articles/{article_id}"))
    marks = tree.xpath('//div[@class="article-text"]//mark | //h1//mark')
    kinds = {m.get("class").split()[1] for m in marks}
    legend = {m.get("class").split()[1] for m in tree.xpath('//ul[@class="legend"]//mark')}
    assert kinds and kinds <= legend
    rows = tree.xpath('//section[@aria-labelledby="facts-title"]//tbody/tr')
    overlapping = [r for r in rows if "هم‌پوشان" in r.xpath("string(.)")]
    assert len(marks) + len(overlapping) == len(rows) > 3
    for mark in marks:
        assert mark.xpath("./a/@href")[0].startswith("/facts/")


def test_ui_dashboard_draws_svg_charts_on_the_server(client: TestClient) -> None:
    response = client.get("/dashboard")
    tree = doc(response)
    charts = tree.xpath("//svg")
    assert len(charts) >= 2 and all(c.get("role") == "img" for c in charts)
    bars = charts[0].xpath(".//rect")
    labels = charts[0].xpath(".//text/text()")
    assert len(bars) >= 10 and "تهران" in labels
    assert any(re.search(r"(فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند) ۱۴۰[۳-۵]", t)
               for t in tree.xpath("//svg//text/text()"))  # fmt: skip
    province = doc(client.get("/dashboard/%D9%83%D8%B1%D9%85%D8%A7%D9%86"))  # «كرمان» with an Arabic kaf
    assert province.xpath("string(//h1)") == "داشبورد استان کرمان"


def test_ui_dashboard_chart_ids_are_unique_and_the_same_on_every_load(client: TestClient) -> None:
    first, second = (doc(client.get("/dashboard")) for _ in range(2))
    ids = first.xpath("//svg/*[self::title or self::desc]/@id")
    assert len(ids) >= 4 and len(ids) == len(set(ids))
    assert ids == second.xpath("//svg/*[self::title or self::desc]/@id")
    for chart in first.xpath("//svg"):  # each chart is labelled by its own title and description
        assert chart.get("aria-labelledby").split() == chart.xpath("./*[self::title or self::desc]/@id")


def test_ui_sources_page_shows_feed_health_with_jalali_dates(client: TestClient, store: Store) -> None:
    tree = doc(client.get("/sources"))
    rows = tree.xpath("//table/tbody/tr")
    assert len(rows) == len(store.list_sources()) == 16
    first = rows[0].xpath("./td/text()")
    assert "۵۰٪" in first  # the second crawl was answered 304
    assert re.search(r"\d+ (فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند) \d{4}".replace(
        r"\d", "[۰-۹]"), rows[0].xpath("string(.)"))  # fmt: skip


# ---------------------------------------------------------------- export


def test_ui_export_links_carry_the_search_to_the_api_endpoints(client: TestClient) -> None:
    tree = doc(client.get("/export", params={"type": "budget", "province": "یزد", "sort": "value_desc"}))
    links = tree.xpath('//ul[@class="downloads"]//a/@href')
    assert [urlsplit(h).path for h in links] == ["/v1/export/facts.csv", "/v1/export/facts.jsonl",
                                                 "/v1/export/facts.parquet"]  # fmt: skip
    for href in links:
        assert parse_qs(urlsplit(href).query) == {"type": ["budget"], "province": ["یزد"]}
    csv = client.get(links[0])
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")  # Excel reads the BOM as UTF-8
    assert "یزد" in csv.content.decode("utf-8-sig")


# ---------------------------------------------------------------- keys, cookies, CSRF, alerts


def test_ui_without_anonymous_read_pages_ask_for_a_key(closed: TestClient, store: Store) -> None:
    response = closed.get("/")
    assert response.status_code == 401 and "کلید API" in response.text
    assert doc(response).xpath('//a[starts-with(@href, "/login")]')
    form = closed.get("/login?next=/sources")
    wrong = closed.post("/login", data={"csrf_token": csrf(form), "api_key": "mn_x_y", "next": "/sources"})
    assert wrong.status_code == 401 and "شناخته نیست" in wrong.text
    _, key = create_key(store, "خواننده", "reader")
    ok = closed.post(
        "/login", data={"csrf_token": csrf(form), "api_key": key, "next": "/sources"}, follow_redirects=False
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/sources"
    cookie = ok.headers["set-cookie"].lower()
    assert "mn_key=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    assert closed.get("/sources").status_code == 200
    # a reader key may search and download, not make alerts
    download = closed.get("/export/facts.jsonl?type=official")
    assert download.status_code == 200 and download.text.count("\n") > 10
    assert closed.get("/alerts").status_code == 403
    page = closed.get("/sources")
    out = closed.post("/logout", data={"csrf_token": csrf(page)}, follow_redirects=False)
    assert out.status_code == 303 and 'mn_key=""' in out.headers["set-cookie"]


def test_ui_login_refuses_open_redirects(client: TestClient, store: Store) -> None:
    _, key = create_key(store, "ویراستار", "editor")
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil"):
        form = client.get("/login")
        response = client.post(
            "/login", data={"csrf_token": csrf(form), "api_key": key, "next": target}, follow_redirects=False
        )
        assert response.status_code == 303 and response.headers["location"] == "/"
    client.cookies.clear()


def test_ui_forms_refuse_requests_without_the_csrf_token(store: Store) -> None:
    _, key = create_key(store, "ویراستار", "editor")
    app = create_app(Settings(db=store.url, anonymous_read=True, rate_limit=0), store=store)
    with TestClient(app, headers=HTML) as browser:
        form = browser.get("/login")
        token = csrf(form)
        assert browser.post("/login", data={"api_key": key}).status_code == 403  # no token
        assert browser.post("/login", data={"csrf_token": "0" * 64, "api_key": key}).status_code == 403
        cross = browser.post("/login", data={"csrf_token": token, "api_key": key},
                             headers={"Origin": "https://evil.example"})  # fmt: skip
        assert cross.status_code == 403 and "فرم" in cross.text
        assert browser.post("/login", data={"csrf_token": token, "api_key": key}).status_code == 200
        # the token is bound to the key: the one from before logging in no longer works
        stale = browser.post("/alerts", data={"csrf_token": token, "name": "x", "on_new": "1"})
        assert stale.status_code == 403
    with TestClient(app, headers=HTML) as other:  # another browser's token is worthless here
        other.get("/login")
        assert other.post("/login", data={"csrf_token": token, "api_key": key}).status_code == 403


def test_ui_alert_from_a_search_is_created_listed_and_deleted(client: TestClient, store: Store) -> None:
    key_row, key = create_key(store, "کارشناس", "editor")
    login = client.get("/login")
    client.post("/login", data={"csrf_token": csrf(login), "api_key": key})
    try:
        new = client.get("/alerts/new", params={"province": "كرمان", "type": ["budget", "neighbourhood_count"]})
        assert new.status_code == 200
        tree = doc(new)
        hidden = [
            (i.get("name"), i.get("value")) for i in tree.xpath('//form[@action="/alerts"]//input[@type="hidden"]')
        ]
        assert ("filter.province", "کرمان") in hidden and ("filter.type", "neighbourhood_count") in hidden
        name = tree.xpath('//input[@id="name"]/@value')[0]
        assert "کرمان" in name
        form = dict(hidden)
        data = [(k, v) for k, v in hidden] + [("name", "بودجه‌های کرمان"), ("on_new", "1")]
        bad = post_form(client, "/alerts", [*data[:-2], ("name", ""), ("csrf_token", form["csrf_token"])])
        assert bad.status_code == 422 and doc(bad).xpath('//input[@id="name"]/@aria-invalid') == ["true"]
        created = post_form(client, "/alerts", data)
        assert created.status_code == 200, created.text[:300]
        feed = doc(created).xpath('//a[@id="feed-url"]/@href')[0]
        assert "/v1/alerts/" in feed and "token=" in feed
        (alert,) = alert_store.list_alerts(store, owner=key_row.id, everyone=False, limit=5, before=None)
        assert alert.filter == {"type": ["budget", "neighbourhood_count"], "province": ["کرمان"]}
        assert client.get(urlsplit(feed).path + "?" + urlsplit(feed).query).status_code == 200  # feed readers
        listing = doc(client.get("/alerts"))
        assert listing.xpath("string(//table/tbody/tr/th)") == "بودجه‌های کرمان"
        ui_feed = client.get(f"/alerts/{alert.id}/feed.atom")
        assert ui_feed.status_code == 200 and ui_feed.headers["content-type"].startswith("application/atom+xml")
        token = csrf(client.get("/alerts"))
        gone = client.post(f"/alerts/{alert.id}/delete", data={"csrf_token": token}, follow_redirects=False)
        assert gone.status_code == 303
        assert alert_store.get_alert(store, alert.id) is None
        assert client.post(f"/alerts/{alert.id}/delete", data={"csrf_token": token}).status_code == 404
    finally:
        client.cookies.clear()


# ---------------------------------------------------------------- errors


def test_ui_not_found_pages_are_persian(client: TestClient) -> None:
    for path in ("/facts/987654", "/articles/987654", "/no/such/page", "/dashboard/آتلانتیس"):
        response = client.get(path)
        assert response.status_code == 404, path
        tree = doc(response)
        assert tree.xpath("/html/@dir") == ["rtl"] and "پیدا نشد" in tree.xpath("string(//h1)")
    assert client.get("/facts/abc").status_code == 422
    api = client.get("/v1/no-such-thing", headers={"Accept": "application/json"})
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"  # the API keeps its envelope
