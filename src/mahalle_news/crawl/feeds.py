"""Feed documents → article links with title, summary, date, categories and a province hint.

:func:`parse_feed` reads three kinds of listing:

- ``kind="rss"`` (also ``"atom"``, ``"rdf"``): RSS 0.9x / 1.0 (RDF) / 2.0 and Atom, with feedparser. The bytes are
  first decoded with :func:`~mahalle_news.crawl.encoding.decode_document` (BOM, HTTP charset, XML declaration,
  sniffing — so an undeclared or mislabeled windows-1256 feed reads right) and handed to feedparser re-encoded as
  declared UTF-8, in a file object: feedparser never sees a URL or a path, so it cannot fetch or open anything.
- ``kind="sitemap"``: a (news) sitemap ``<urlset>`` (gzip-compressed too), with lxml — no network, no DTD, no
  entity expansion; the date is ``<news:publication_date>``, else ``<lastmod>``. A ``<sitemapindex>`` is refused.
- ``kind="html-list"``: an archive / listing page; its links to ``/news/<digits>/…`` or ``/fa/news/<digits>/…`` on
  the same site, with the anchor text as title (and the item's lead and date when the list item has them).

A malformed document still gives the entries read before the damage, with ``ParsedFeed.problem`` set (so the
truncated IRIB provinces feed of the demo site yields its 6 surviving items and a problem). :class:`FeedError` is
raised only when nothing usable came out: not a feed at all, or malformed with no entries.

Entry URLs are resolved against the feed URL but otherwise kept as written (``utm_*`` included: canonicalisation is
the deduplicator's job); an URL repeated within one document appears once. Dates: RFC 822 / ISO 8601, else Jalali
text in ``pubDate``, ``dc:date`` or any extension element (``<fn:jdate>``); a time without a zone is Iran time.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import re
import time
import zlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import feedparser
import lxml.html
from lxml import etree

from mahalle_news.crawl.encoding import charset_from_content_type, decode_document
from mahalle_news.crawl.html import fragment_text, parse_datetime
from mahalle_news.errors import InputError, Location

__all__ = ["FeedEntry", "FeedError", "ParsedFeed", "parse_feed", "province_hint"]

_MAX_INFLATED = 64 << 20
_SYNDICATION = frozenset({"rss", "atom", "rdf", "feed"})
_ARTICLE_PATH = re.compile(r"^/(?:fa/)?news/\d+(?:/|$)")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
# feedparser keys that hold no date even when their text has one
_NOT_DATES = frozenset(
    "title summary description subtitle link id guid author publisher rights comments content category published"
    " updated created".split()
)


class FeedError(InputError):
    """A feed, sitemap or listing document from which no entry could be read."""

    code = "invalid_feed"


@dataclass
class FeedEntry:
    url: str  # absolute article URL (as in the feed, resolved against the feed URL)
    title: str | None  # plain text
    summary: str | None  # plain text, whitespace collapsed
    published: dt.datetime | None  # timezone-aware
    guid: str | None
    categories: list[str] = field(default_factory=list)
    province_hint: str | None = None  # official province name named by a category or the feed title


@dataclass
class ParsedFeed:
    url: str
    title: str | None
    entries: list[FeedEntry]
    problem: str | None = None  # the document was malformed; ``entries`` are those recovered


# ---------------------------------------------------------------- provinces
_PROVINCE_PREFIX = re.compile(r"^(?:(?:اخبار|خبرهای|خبر|استان)[ \u200c]+)+")
_VARIANTS = {  # spellings the gazetteer's folding does not already cover
    "چهارمحال بختیاری": "چهارمحال و بختیاری",
    "سیستان بلوچستان": "سیستان و بلوچستان",
    "کهگیلویه بویراحمد": "کهگیلویه و بویراحمد",
    "کهکیلویه بویراحمد": "کهگیلویه و بویراحمد",
}


def _province_named(text: str) -> str | None:
    from mahalle_news.text.normalize import fold
    from mahalle_news.text.places import PROVINCE, gazetteer

    gaz = gazetteer()
    name = " ".join(text.split())
    for candidate in (name, _PROVINCE_PREFIX.sub("", name)):
        for variant, official in _VARIANTS.items():
            if fold(candidate) == fold(variant):
                return official
        for place in gaz.lookup(candidate):
            if place.kind == PROVINCE:
                return place.name
    return None


def province_hint(categories: list[str], feed_title: str | None = None) -> str | None:
    """The province a category names («خراسان رضوی»، «استان فارس»، «آذربایجان‌شرقی»), else the one the feed's
    title names («ایرنا اصفهان»، «اخبار استان یزد»; «خبرگزاری فارس» is the agency, not the province)."""
    for category in categories:
        if found := _province_named(category):
            return found
    if not feed_title:
        return None
    for part in re.split(r"\s+[-|–—:]\s+|[|:]", feed_title):
        if part.strip() and (found := _province_named(part)):
            return found
    from mahalle_news.text.places import PROVINCE, find_places

    for mention in find_places(feed_title):
        if mention.kinds and mention.kinds[0] == PROVINCE and mention.province:
            return mention.province
    return None


# ---------------------------------------------------------------- RSS / Atom
def _utf8_xml(body: bytes, charset: str | None) -> bytes:
    """The document decoded by our rules and re-encoded as UTF-8 under a matching declaration (same line count)."""
    text = decode_document(body, declared=charset, kind="xml").text.lstrip("\ufeff \t\r\n")
    return ('<?xml version="1.0" encoding="utf-8"?>' + _XML_DECL.sub("", text, count=1)).encode("utf-8")


def _complaint(exc: BaseException | None) -> tuple[str, int | None]:
    if exc is None:
        return "not an RSS, RDF or Atom document", None
    get_line = getattr(exc, "getLineNumber", None)
    line = get_line() if callable(get_line) else None
    get_message = getattr(exc, "getMessage", None)
    message = get_message() if callable(get_message) else str(exc)
    return str(message), line if isinstance(line, int) and line > 0 else None


def _struct_time(value: object) -> dt.datetime | None:
    if not isinstance(value, time.struct_time) or value.tm_year < 1900:
        return None
    return dt.datetime(*value[:6], tzinfo=dt.UTC)


def _entry_published(entry: dict[str, Any]) -> dt.datetime | None:
    # dict.get, not FeedParserDict.get: the latter maps "updated" to "published" with a DeprecationWarning
    for key in ("published", "updated", "created"):
        raw = dict.get(entry, key)
        if isinstance(raw, str) and (stamp := parse_datetime(raw)) is not None:
            return stamp
        if (stamp := _struct_time(dict.get(entry, key + "_parsed"))) is not None:
            return stamp
    extensions = [k for k in entry if k not in _NOT_DATES and not k.endswith(("_detail", "_parsed"))]
    extensions.sort(key=lambda k: ("date" not in k and "time" not in k, k))  # <x:jdate>, <x:pubtime> first
    for key in extensions:
        raw = dict.get(entry, key)
        if isinstance(raw, str) and any(ch.isdigit() for ch in raw) and (stamp := parse_datetime(raw)) is not None:
            return stamp
    return None


def _entry_url(entry: dict[str, Any], base: str) -> str | None:
    link = dict.get(entry, "link")
    if not link:
        for candidate in dict.get(entry, "links") or []:
            if candidate.get("href") and candidate.get("rel", "alternate") == "alternate":
                link = candidate["href"]
                break
    if not link:
        guid = dict.get(entry, "id")
        if isinstance(guid, str) and guid.startswith(("http://", "https://")):
            link = guid
    return urljoin(base, str(link).strip()) if link else None


def _categories(entry: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for tag in dict.get(entry, "tags") or []:
        term = fragment_text(tag.get("term") or tag.get("label") or "")
        if term and term not in out:
            out.append(term)
    return out


def _parse_syndication(body: bytes, url: str, charset: str | None) -> ParsedFeed:
    data = _utf8_xml(body, charset)
    doc = feedparser.parse(
        io.BytesIO(data),
        response_headers={"content-type": "application/xml; charset=utf-8", "content-location": url},
        resolve_relative_uris=False,
        sanitize_html=False,
    )
    message, line = _complaint(doc.get("bozo_exception"))
    problem = message + (f" (line {line})" if line else "") if doc.get("bozo") else None
    feed_title = fragment_text(doc.feed.get("title"))
    title_hint = province_hint([], feed_title)
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for raw in doc.entries:
        entry_url = _entry_url(raw, url)
        if entry_url is None or entry_url in seen:
            continue
        seen.add(entry_url)
        summary = dict.get(raw, "summary")
        if not summary and dict.get(raw, "content"):
            summary = raw["content"][0].get("value")
        categories = _categories(raw)
        guid = dict.get(raw, "id")
        entries.append(
            FeedEntry(
                url=entry_url,
                title=fragment_text(dict.get(raw, "title")),
                summary=fragment_text(summary),
                published=_entry_published(raw),
                guid=str(guid) if guid else None,
                categories=categories,
                province_hint=province_hint(categories) or title_hint,
            )
        )
    if not entries and (problem or not doc.get("version")):
        raise FeedError(f"no entries in the feed at {url}: {message}", location=Location(file=url, line=line))
    return ParsedFeed(url, feed_title, entries, problem)


# ---------------------------------------------------------------- sitemaps
def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child_text(el: Any, *path: str) -> str | None:
    for name in path:
        el = next((c for c in el if _local(c.tag) == name), None)
        if el is None:
            return None
    text = "".join(el.itertext()).strip()
    return text or None


def _parse_sitemap(body: bytes, url: str, charset: str | None) -> ParsedFeed:
    data = _utf8_xml(body, charset)
    options = {"resolve_entities": False, "no_network": True, "load_dtd": False, "remove_pis": True}
    problem, line = None, None
    try:
        root = etree.fromstring(data, etree.XMLParser(**options))
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        problem = str(exc.msg) + (f" (line {line})" if line else "")
        try:
            root = etree.fromstring(data, etree.XMLParser(recover=True, **options))
        except etree.XMLSyntaxError:
            root = None
    if root is None:
        raise FeedError(f"no entries in the sitemap at {url}: {problem}", location=Location(file=url, line=line))
    if _local(root.tag) == "sitemapindex":
        raise FeedError(
            f"{url} is a sitemap index, not a <urlset>: add its sitemaps as sources", location=Location(file=url)
        )
    if _local(root.tag) != "urlset":
        raise FeedError(
            f"{url} is not a sitemap: its root element is <{_local(root.tag)}>", location=Location(file=url)
        )
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for item in root:
        loc = _child_text(item, "loc") if _local(item.tag) == "url" else None
        if not loc or (entry_url := urljoin(url, loc)) in seen:
            continue
        seen.add(entry_url)
        keywords = _child_text(item, "news", "keywords") or ""
        categories = [k.strip() for k in re.split(r"[,،]", keywords) if k.strip()]
        date = _child_text(item, "news", "publication_date") or _child_text(item, "lastmod")
        entries.append(
            FeedEntry(
                url=entry_url,
                title=fragment_text(_child_text(item, "news", "title")),
                summary=None,
                published=parse_datetime(date),
                guid=None,
                categories=categories,
                province_hint=province_hint(categories),
            )
        )
    if problem and not entries:
        raise FeedError(f"no entries in the sitemap at {url}: {problem}", location=Location(file=url, line=line))
    return ParsedFeed(url, None, entries, problem)


# ---------------------------------------------------------------- listing pages
def _site(host: str | None) -> str:
    host = (host or "").lower()
    for prefix in ("www.", "m."):
        host = host.removeprefix(prefix)
    return host


def _item_details(anchor: Any, entry_url: str, base: str) -> tuple[str | None, dt.datetime | None]:
    """Lead and date of the list item (``<li>`` / ``<article>``) that holds only this article's links."""
    items = anchor.xpath("ancestor::*[self::li or self::article][1]")
    if not items:
        return None, None
    item = items[0]
    hrefs = {urldefrag(urljoin(base, h.strip())).url for h in item.xpath(".//a/@href")}
    if hrefs != {entry_url}:
        return None, None
    lead = next((" ".join(p.text_content().split()) for p in item.xpath(".//p[not(.//a)]")), None) or None
    dates = item.xpath(".//time/@datetime") + [
        el.text_content() for el in item.xpath(".//*[contains(@class, 'date') or contains(@class, 'time')]")
    ]
    published = next((stamp for d in dates if (stamp := parse_datetime(str(d))) is not None), None)
    return lead, published


def _parse_listing(body: bytes, url: str, charset: str | None) -> ParsedFeed:
    text = decode_document(body, declared=charset, kind="html").text
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    if not text.strip():
        raise FeedError(f"the listing page at {url} is empty", location=Location(file=url))
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
    try:
        tree = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise FeedError(f"the listing page at {url} is not HTML: {exc}", location=Location(file=url)) from exc
    site = _site(urlsplit(url).hostname)
    by_url: dict[str, FeedEntry] = {}
    for anchor in tree.xpath("//a[@href]"):
        entry_url = urldefrag(urljoin(url, anchor.get("href").strip())).url
        parts = urlsplit(entry_url)
        if parts.scheme not in ("http", "https") or _site(parts.hostname) != site:
            continue
        if not _ARTICLE_PATH.match(parts.path):
            continue
        title = (
            " ".join(anchor.text_content().split())
            or anchor.get("title")
            or anchor.xpath("string(.//img/@alt)")
            or None
        )
        known = by_url.get(entry_url)
        if known is not None:
            known.title = known.title or title
            continue
        lead, published = _item_details(anchor, entry_url, url)
        by_url[entry_url] = FeedEntry(entry_url, title, lead, published, None, [], None)
    page_title = tree.xpath("//title")
    return ParsedFeed(url, fragment_text(page_title[0].text_content()) if page_title else None, list(by_url.values()))


def _gunzip(body: bytes, url: str) -> bytes:
    """A gzip-compressed document (``sitemap.xml.gz`` served as a file, not as a Content-Encoding)."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as stream:
            data = stream.read(_MAX_INFLATED + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise FeedError(f"the gzip data from {url} is broken: {exc}", location=Location(file=url)) from exc
    if len(data) > _MAX_INFLATED:
        raise FeedError(f"{url} inflates to more than {_MAX_INFLATED >> 20} MB", location=Location(file=url))
    return data


def parse_feed(
    body: bytes, *, url: str, content_type: str | None = None, charset: str | None = None, kind: str = "rss"
) -> ParsedFeed:
    """Entries of a feed (``kind`` "rss" / "atom" / "rdf"), a news sitemap ("sitemap") or a listing page
    ("html-list"). ``charset`` (else the one in ``content_type``) is the HTTP charset. See the module docstring."""
    charset = charset or charset_from_content_type(content_type)
    if body.startswith(b"\x1f\x8b"):
        body = _gunzip(body, url)
    if kind in _SYNDICATION:
        return _parse_syndication(body, url, charset)
    if kind == "sitemap":
        return _parse_sitemap(body, url, charset)
    if kind == "html-list":
        return _parse_listing(body, url, charset)
    raise FeedError(
        f"unknown feed kind {kind!r} for {url}: expected rss, sitemap or html-list", location=Location(file=url)
    )
