"""parse_feed on the demo site's 16 feeds and on fixtures of our own (sitemaps, listing pages, broken input)."""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mahalle_news.crawl.feeds import FeedError, ParsedFeed, parse_feed, province_hint
from mahalle_news.errors import InputError

DEMO = Path(__file__).resolve().parents[2] / "corpus" / "demo_site"
IRAN = dt.timezone(dt.timedelta(hours=3, minutes=30))


@functools.cache
def manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DEMO / "manifest.json").read_text(encoding="utf-8"))
    return data


def articles() -> dict[str, dict[str, Any]]:
    return {a["key"]: a for a in manifest()["articles"]}


@functools.cache
def demo_feed(url: str) -> ParsedFeed:
    feed = next(f for f in manifest()["feeds"] if f["url"] == url)
    return parse_feed((DEMO / feed["file"]).read_bytes(), url=url)


FEEDS = [f["url"] for f in manifest()["feeds"]]


def rss(items: str, *, head: str = '<?xml version="1.0" encoding="utf-8"?>\n', ns: str = "") -> bytes:
    return (
        f'{head}<rss version="2.0"{ns}><channel><title>اخبار آزمایشی</title><link>https://ex.demo/</link>'
        f"{items}</channel></rss>"
    ).encode()


# ---------------------------------------------------------------- the demo feeds
@pytest.mark.parametrize("url", FEEDS)
def test_feeds_demo_entries_match_manifest(url: str) -> None:
    feed = demo_feed(url)
    spec = next(f for f in manifest()["feeds"] if f["url"] == url)
    expected = list(dict.fromkeys(item["link"] for item in spec["items"]))  # a repeated item appears once
    assert [e.url for e in feed.entries] == expected
    assert feed.title
    complete = spec.get("complete_items", len(expected))  # the truncated feed's last item lost its tail
    for entry, item in zip(feed.entries[:complete], dict((i["link"], i) for i in spec["items"]).values(), strict=False):
        article = articles()[item["article"]]
        assert entry.title == article["title"]
        assert entry.summary and "<" not in entry.summary and "&lt;" not in entry.summary
        assert entry.province_hint == article["province"]
        if entry.published is not None:
            assert entry.published == dt.datetime.fromisoformat(article["published"])
    if spec["well_formed"]:
        assert feed.problem is None
        assert all(e.published is not None for e in feed.entries)


def test_feeds_truncated_feed_keeps_entries_and_reports() -> None:
    """Decision: a truncated feed is not an error; its surviving items come back with ``problem`` set."""
    url = manifest()["edge_cases"]["broken_feed"]
    feed = demo_feed(url)
    assert feed.problem is not None and "line" in feed.problem
    assert len(feed.entries) == 6
    assert all(e.published is not None for e in feed.entries[:5])


def test_feeds_jalali_dates_demo() -> None:
    feed = demo_feed(manifest()["edge_cases"]["jalali_feed"])
    assert len(feed.entries) == 9
    for entry in feed.entries:
        assert entry.published is not None and entry.published.utcoffset() == dt.timedelta(hours=3, minutes=30)


@pytest.mark.parametrize(
    "element",
    [
        "<pubDate>۱۴۰۳/۰۲/۱۵ ۱۰:۳۰</pubDate>",
        "<pubDate>1403/02/15 10:30</pubDate>",
        "<dc:date>۱۵ اردیبهشت ۱۴۰۳ - ۱۰:۳۰</dc:date>",
        "<fn:jdate>۱۴۰۳/۰۲/۱۵ ۱۰:۳۰</fn:jdate>",
        "<fn:jdate>شنبه ۱۵ اردیبهشت ۱۴۰۳ ساعت ۱۰:۳۰</fn:jdate>",
        "<pubDate>Sat, 04 May 2024 10:30:00 +0330</pubDate>",
        "<pubDate>Sat, 04 May 2024 10:30:00</pubDate>",
        "<pubDate>2024-05-04T07:00:00Z</pubDate>",
    ],
)
def test_feeds_jalali_dates(element: str) -> None:
    ns = ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:fn="https://ex.demo/ns"'
    feed = parse_feed(
        rss(f"<item><title>آ</title><link>https://ex.demo/news/1</link>{element}</item>", ns=ns),
        url="https://ex.demo/rss",
    )
    assert feed.entries[0].published == dt.datetime(2024, 5, 4, 10, 30, tzinfo=IRAN)


def test_feeds_html_in_descriptions_stripped() -> None:
    items = (
        "<item><title>عنوان &amp;amp; &lt;b&gt;پررنگ&lt;/b&gt;</title><link>https://ex.demo/news/1</link>"
        "<description><![CDATA[<p><img src='x.jpg'/></p><p>بند   اول</p>"
        "<p>بند&nbsp;دوم &amp; سوم</p>]]></description></item>"
        "<item><title>دو</title><link>https://ex.demo/news/2</link>"
        "<description>&lt;div&gt;متن &lt;a href='/t'&gt;پیوند&lt;/a&gt;&lt;/div&gt;"
        "&lt;br/&gt;پایان</description></item>"
    )
    entries = parse_feed(rss(items), url="https://ex.demo/rss").entries
    assert entries[0].title == "عنوان & پررنگ"
    assert entries[0].summary == "بند اول بند دوم & سوم"
    assert entries[1].summary == "متن پیوند پایان"


def test_feeds_duplicate_item_collapsed() -> None:
    feed = demo_feed(manifest()["edge_cases"]["duplicate_item_feed"])
    urls = [e.url for e in feed.entries]
    assert len(urls) == len(set(urls)) == 14


def test_feeds_tracking_links_kept() -> None:
    feed = demo_feed(manifest()["edge_cases"]["tracking_params_feed"])
    query = manifest()["edge_cases"]["tracking_query"]
    assert all(e.url.endswith("?" + query) for e in feed.entries)
    assert all(e.guid and e.guid.isdigit() for e in feed.entries)


def test_feeds_atom_and_rdf() -> None:
    atom = demo_feed("https://mehr.demo/atom/provinces.xml")
    assert manifest()["edge_cases"]["mobile_variant"]["mobile_url"] in [e.url for e in atom.entries]
    assert all(e.guid and e.guid.startswith("tag:mehr.demo") for e in atom.entries)
    rdf = demo_feed("https://isna.demo/rdf/provinces.rdf")
    assert len(rdf.entries) == 15 and all(e.published for e in rdf.entries)


def test_feeds_undeclared_cp1256() -> None:
    title = "نوسازي 40 خانه در محله کوي نصر"  # windows-1256 has Arabic yeh only
    body = (
        "<rss version='2.0'><channel><title>استان يزد</title>"
        f"<item><title>{title}</title><link>/news/7/x</link></item></channel></rss>"
    )
    for declared in (None, "utf-8", "iso-8859-1"):
        feed = parse_feed(body.encode("cp1256"), url="https://ex.demo/rss/yazd.xml", charset=declared)
        assert feed.entries[0].title == title
        assert feed.entries[0].url == "https://ex.demo/news/7/x"
        assert feed.entries[0].province_hint == "یزد"  # from the feed title


def test_feeds_content_type_charset_is_used() -> None:
    body = "<rss version='2.0'><channel><item><title>کوچه</title><link>https://ex.demo/news/1</link></item></channel></rss>"
    feed = parse_feed(body.encode("cp1256"), url="https://ex.demo/rss", content_type="text/xml; charset=windows-1256")
    assert feed.entries[0].title == "کوچه"


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?>\n<rss version="2.0">\n<channel><title>x</title>\n<item><title>a</ti',
        b"<rss><channel><item><title>a</title></item></channel>",
        b"this is not xml at all",
        b"<html><body><p>a page, not a feed</p></body></html>",
        b"",
        b"https://ex.demo/feed.xml",  # feedparser must not fetch ...
        b"/etc/hostname",  # ... nor open a file
    ],
)
def test_feeds_unusable_document_raises(body: bytes) -> None:
    with pytest.raises(FeedError) as info:
        parse_feed(body, url="https://ex.demo/broken.xml")
    err = info.value
    assert isinstance(err, InputError) and err.code == "invalid_feed"
    assert "https://ex.demo/broken.xml" in err.message
    assert err.location is not None and err.location.file == "https://ex.demo/broken.xml"


def test_feeds_malformed_location_has_line() -> None:
    body = b'<?xml version="1.0"?>\n<rss version="2.0">\n<channel>\n<title>x</title>\n<item><title>a</ti'
    with pytest.raises(FeedError) as info:
        parse_feed(body, url="https://ex.demo/broken.xml")
    assert info.value.location is not None and info.value.location.line == 5


def test_feeds_empty_but_valid_feed() -> None:
    feed = parse_feed(rss(""), url="https://ex.demo/rss")
    assert feed.entries == [] and feed.problem is None and feed.title == "اخبار آزمایشی"


def test_feeds_relative_links_and_guid_only() -> None:
    items = (
        "<item><title>a</title><link> ../news/5/slug </link></item>"
        "<item><title>b</title><guid>https://ex.demo/news/6</guid></item>"
        "<item><title>no link at all</title></item>"
    )
    feed = parse_feed(rss(items), url="https://ex.demo/rss/all.xml")
    assert [e.url for e in feed.entries] == ["https://ex.demo/news/5/slug", "https://ex.demo/news/6"]


@pytest.mark.parametrize(
    ("categories", "feed_title", "expected"),
    [
        (["آذربایجان‌شرقی"], None, "آذربایجان شرقی"),
        (["استان‌ها", "خراسان رضوی"], None, "خراسان رضوی"),
        (["کهکیلویه و بویراحمد"], None, "کهگیلویه و بویراحمد"),
        (["چهارمحال بختیاری"], None, "چهارمحال و بختیاری"),
        (["استان فارس"], None, "فارس"),
        (["اخبار استان گلستان"], None, "گلستان"),
        (["مشهد"], None, None),  # a city, not a province
        (["استان‌ها"], "خبرگزاری فارس - استان‌ها", None),  # the agency, not the province
        ([], "ایرنا - اخبار استان اصفهان", "اصفهان"),
        ([], "خبرهای کرمانشاه", "کرمانشاه"),
        (["اقتصادی"], None, None),
    ],
)
def test_feeds_province_hint(categories: list[str], feed_title: str | None, expected: str | None) -> None:
    assert province_hint(categories, feed_title) == expected


# ---------------------------------------------------------------- sitemaps
SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://ex.demo/fa/news/101/نوسازی-کوچه</loc>
  <news:news><news:publication><news:name>نمونه</news:name><news:language>fa</news:language></news:publication>
  <news:publication_date>2024-05-04T10:30:00+03:30</news:publication_date>
  <news:title>نوسازی کوچه‌های محله سنگلج</news:title><news:keywords>تهران، بازآفرینی</news:keywords></news:news></url>
<url><loc>/fa/news/102</loc><lastmod>2024-05-05</lastmod></url>
<url><loc>https://ex.demo/fa/news/101/نوسازی-کوچه</loc></url>
</urlset>"""


def test_feeds_sitemap() -> None:
    feed = parse_feed(SITEMAP.encode(), url="https://ex.demo/sitemap-news.xml", kind="sitemap")
    assert feed.problem is None
    first, second = feed.entries
    assert first.url == "https://ex.demo/fa/news/101/نوسازی-کوچه"
    assert first.title == "نوسازی کوچه‌های محله سنگلج"
    assert first.published == dt.datetime(2024, 5, 4, 10, 30, tzinfo=IRAN)
    assert first.categories == ["تهران", "بازآفرینی"] and first.province_hint == "تهران"
    assert second.url == "https://ex.demo/fa/news/102" and second.title is None
    assert second.published == dt.datetime(2024, 5, 5, tzinfo=IRAN)


def test_feeds_sitemap_gzip() -> None:
    feed = parse_feed(gzip.compress(SITEMAP.encode()), url="https://ex.demo/sitemap.xml.gz", kind="sitemap")
    assert len(feed.entries) == 2
    with pytest.raises(FeedError, match="gzip"):
        parse_feed(gzip.compress(SITEMAP.encode())[:-12] + b"junk", url="https://ex.demo/s.xml.gz", kind="sitemap")


def test_feeds_sitemap_entities_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = (
        f'<?xml version="1.0"?>\n<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://ex.demo/news/1/&xxe;</loc></url></urlset>"
    )
    feed = parse_feed(body.encode(), url="https://ex.demo/sitemap.xml", kind="sitemap")
    assert all("TOP-SECRET" not in e.url for e in feed.entries)


def test_feeds_sitemap_truncated_keeps_entries() -> None:
    body = SITEMAP.encode()[: SITEMAP.encode().index(b"<url><loc>/fa/news/102") + 40]
    feed = parse_feed(body, url="https://ex.demo/sitemap.xml", kind="sitemap")
    assert feed.problem is not None and [e.url for e in feed.entries][:1] == ["https://ex.demo/fa/news/101/نوسازی-کوچه"]


@pytest.mark.parametrize(
    "body",
    [
        b"<urlset><url><lo",
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://ex.demo/s1.xml</loc></sitemap></sitemapindex>',
        b"<rss><channel/></rss>",
        b"not xml",
    ],
)
def test_feeds_sitemap_unusable_raises(body: bytes) -> None:
    with pytest.raises(FeedError, match=r"ex\.demo/sitemap\.xml"):
        parse_feed(body, url="https://ex.demo/sitemap.xml", kind="sitemap")


# ---------------------------------------------------------------- listing pages
LISTING = """<!DOCTYPE html><html lang="fa"><head><meta charset="utf-8"><title>آرشیو اخبار استان</title></head><body>
<nav><a href="/">خانه</a> <a href="/service/provinces">استان‌ها</a></nav>
<ul class="list">
<li><h3><a href="/news/2001/کارگاه-محله">کارگاه آموزشی در محله جوادیه</a></h3>
<p class="lead">کارگاه مهارت برای جوانان محله برگزار شد.</p>
<span class="date">۱۵ اردیبهشت ۱۴۰۳ - ۱۰:۳۰</span></li>
<li><a href="https://ex.demo/fa/news/2002"><img src="t.jpg" alt="تصویر خبر دوم"></a>
<a href="https://ex.demo/fa/news/2002#comments">دیدگاه‌ها</a></li>
<li><a href="https://www.ex.demo/news/2003?utm_source=home">خبر سوم</a>
<time datetime="2024-05-04T10:30:00+03:30">امروز</time></li>
<li><a href="https://other.demo/news/9999">سایت دیگر</a></li>
<li><a href="/news/archive">آرشیو</a> <a href="/fa/tag/news/1">برچسب</a> <a href="mailto:a@ex.demo">نامه</a></li>
</ul>
<aside><a href="/news/2001/کارگاه-محله">کارگاه آموزشی در محله جوادیه</a></aside>
</body></html>"""


def test_feeds_html_list() -> None:
    feed = parse_feed(LISTING.encode(), url="https://ex.demo/service/provinces/tehran", kind="html-list")
    assert feed.title == "آرشیو اخبار استان"
    assert [(e.url, e.title) for e in feed.entries] == [
        ("https://ex.demo/news/2001/کارگاه-محله", "کارگاه آموزشی در محله جوادیه"),
        ("https://ex.demo/fa/news/2002", "تصویر خبر دوم"),
        ("https://www.ex.demo/news/2003?utm_source=home", "خبر سوم"),
    ]
    first, second, third = feed.entries
    assert first.summary == "کارگاه مهارت برای جوانان محله برگزار شد."
    assert first.published == dt.datetime(2024, 5, 4, 10, 30, tzinfo=IRAN)
    assert third.published == dt.datetime(2024, 5, 4, 10, 30, tzinfo=IRAN)
    assert second.published is None


def test_feeds_html_list_demo_listings() -> None:
    arts = {a["url"]: a for a in manifest()["articles"]}
    listings = [p for p in manifest()["pages"] if p["kind"] == "province-listing"]
    assert len(listings) > 200
    special = articles()[manifest()["edge_cases"]["robots"]["article"]]["url"]  # /fa/media/…: not a news path
    for page in listings:
        url = f"https://{page['host']}{page['path']}"
        body = (DEMO / page["file"]).read_bytes()
        feed = parse_feed(body, url=url, kind="html-list")
        assert len(feed.entries) == page["articles"] - (special.encode() in body), url
        for entry in feed.entries:
            article = arts[entry.url]
            assert (entry.title, entry.province_hint) == (article["title"], None)
            assert entry.published == dt.datetime.fromisoformat(article["published"])


def test_feeds_unknown_kind() -> None:
    with pytest.raises(FeedError, match="unknown feed kind"):
        parse_feed(b"<rss/>", url="https://ex.demo/x", kind="json")


FEED_PIECES = [
    "<rss version='2.0'>",
    "<channel>",
    "<item>",
    "</item>",
    "<link>",
    "</link>",
    "<title>",
    "<![CDATA[",
    "&",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=512),
        st.lists(st.one_of(st.sampled_from(FEED_PIECES), st.text(max_size=20)), max_size=25).map(
            lambda parts: "".join(parts).encode("utf-8", "surrogatepass")
        ),
    ),
    st.sampled_from(["rss", "sitemap", "html-list"]),
)
def test_feeds_parse_never_raises_anything_but_feed_error(body: bytes, kind: str) -> None:
    try:
        feed = parse_feed(body, url="https://ex.demo/feed", kind=kind)
    except FeedError:
        return
    assert all(e.url.startswith("https://") or "://" in e.url for e in feed.entries)
