"""An article page → title, main text, lead and publication time.

Two extractors:

- **CMS selectors** for the four layouts of the Iranian news CMSs we crawl (``LAYOUTS``, the demo site's manifest):
  A ``div.item-body > div.item-text`` (IRNA / Mehr / YJC, desktop and mobile), B ``div#echo-detail > div.body``
  (ISNA / Fars), C ``article.news div.news-text`` (IQNA / IRIB News), D ``article.single-news div.story``
  (Tasnim / Hamshahri). The text is the container's ``<p>`` texts, one per line (``<br>`` starts a new line).
- **trafilatura** (offline: it only ever sees the string) for every other page.

Order, by measurement on the demo site (``corpus/demo_site``: the 131 article pages on disk against the manifest's
``text``; exact = equal after whitespace normalisation; similarity = difflib ratio on characters; paragraph
recall / precision = share of the expected lines found / of the output lines expected; see
``tests/crawl/test_html.py``):

=========================================  ===========  ===========  ======  =========  ==========
method                                     exact        similarity   (min)   recall     precision
=========================================  ===========  ===========  ======  =========  ==========
selectors (layouts A–D)                    131 / 131    1.000        1.000   1.000      1.000
trafilatura 2.3, favor_precision, as is    33 / 131     0.938        0.697   0.539      0.441
trafilatura, ZWNJ protected (used here)    64 / 131     0.941        0.696   1.000      0.766
=========================================  ===========  ===========  ======  =========  ==========

trafilatura deletes every non-printable character, ZWNJ included («می‌شود» → «میشود»), which corrupts most Persian
lines; we hand it stand-ins and restore them (last row). It then finds every paragraph on every page but, outside
layouts A and C, adds the headline, the lead and meta lines («کد خبر …»، «- استان‌ها»): exact per layout A 47/58,
B 0/27, C 17/17, D 0/28, A-mobile 0/1. So the selectors go first and trafilatura is the fallback for layouts we do
not know (``method="trafilatura"``). A page where neither finds text raises :class:`PageError`; so does a page only
trafilatura reads when its title or ``<h1>`` reads as an error template («صفحه مورد نظر یافت نشد»، «خطای ۴۰۴»,
"not found") or the text is under ``MIN_FALLBACK_CHARS`` characters. The text keeps the page's characters (no
Persian letter normalisation: evidence offsets index it); only line breaks inside a paragraph become spaces.

Dates: ``article:published_time`` / ``itemprop=datePublished`` / JSON-LD ``datePublished``, then the layout's date
element (its ``<time datetime>``, else its Jalali text — layout B has only that), then the article's first
``<time datetime>``. Times without a zone are Iran time (+03:30). :func:`parse_datetime` is shared with the feeds.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
from dataclasses import dataclass
from html import unescape
from typing import Any

import lxml.html
import trafilatura
from lxml import etree

from mahalle_news.errors import InputError

__all__ = [
    "IRAN_TZ",
    "LAYOUTS",
    "MIN_FALLBACK_CHARS",
    "ExtractedPage",
    "Layout",
    "PageError",
    "css_to_xpath",
    "extract_page",
    "fragment_text",
    "parse_datetime",
    "parse_jalali",
]

IRAN_TZ = dt.timezone(dt.timedelta(hours=3, minutes=30), "IRST")
MIN_FALLBACK_CHARS = 120


class PageError(InputError):
    """An HTML page with no article text in it (empty page, error template, listing page)."""

    code = "invalid_page"


@dataclass(frozen=True)
class Layout:
    name: str
    main: str  # CSS selectors (the subset css_to_xpath knows)
    title: str
    lead: str
    date: str


LAYOUTS = (
    Layout("A", "div.item-body > div.item-text", "h1.title", "p.summary", "div.item-date"),
    Layout("B", "div#echo-detail > div.body", "h1.first-title", "div.lead", "div.news-info span.date"),
    Layout("C", "article.news div.news-text", "h1.news-title", "p.news-lead", "time[itemprop=datePublished]"),
    Layout("D", "article.single-news div.story", "h1.title", "h3.lead", "ul.news-info li.time"),
)


@dataclass
class ExtractedPage:
    title: str | None
    text: str  # main paragraphs, one per line, characters as on the page
    published: dt.datetime | None  # timezone-aware
    method: str  # "selector:A" … "selector:D" or "trafilatura"
    lead: str | None


# ---------------------------------------------------------------- selectors
_COMPOUND = re.compile(r"^(?P<tag>[A-Za-z][\w-]*|\*)?(?P<rest>(?:[.#][\w-]+|\[[^\]]+\])*)$")
_PART = re.compile(r"[.#][\w-]+|\[\s*([\w-]+)\s*(?:=\s*[\"']?([^\"'\]]*)[\"']?\s*)?\]")


def css_to_xpath(selector: str) -> str:
    """XPath for a simple CSS selector: type, ``.class``, ``#id``, ``[attr]``/``[attr=value]``, descendant and
    ``>`` child combinators. Raises ValueError on anything else."""
    xpath, axis = "", "//"
    for token in selector.replace(">", " > ").split():
        if token == ">":
            axis = "/"
            continue
        m = _COMPOUND.match(token)
        if m is None:
            raise ValueError(f"unsupported CSS selector: {selector!r}")
        preds = []
        for part in _PART.finditer(m.group("rest")):
            text = part.group(0)
            if text[0] == ".":
                preds.append(f"contains(concat(' ', normalize-space(@class), ' '), ' {text[1:]} ')")
            elif text[0] == "#":
                preds.append(f"@id='{text[1:]}'")
            elif part.group(2) is None:
                preds.append(f"@{part.group(1)}")
            else:
                preds.append(f"@{part.group(1)}='{part.group(2)}'")
        xpath += axis + (m.group("tag") or "*") + "".join(f"[{p}]" for p in preds)
        axis = "//"
    return xpath


def _first(tree: Any, selector: str) -> Any | None:
    found = tree.xpath(css_to_xpath(selector))
    return found[0] if found else None


_NEWLINES = re.compile(r"[ \t\f\v]*[\r\n][\s]*")
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template"})


def _lines(el: Any) -> list[str]:
    """The element's text split at ``<br>``, each line stripped, line breaks inside a line made spaces."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if node.text and node.tag not in _SKIP_TAGS:
            parts.append(node.text)
        for child in node:
            if not isinstance(child.tag, str):  # comment, processing instruction
                pass
            elif child.tag == "br":
                parts.append("\x00")
            elif child.tag not in _SKIP_TAGS:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    out = (_NEWLINES.sub(" ", line).strip() for line in "".join(parts).split("\x00"))
    return [line for line in out if line]


def _text_of(el: Any | None) -> str | None:
    if el is None:
        return None
    text = " ".join(_lines(el))
    return text or None


def _selector_text(container: Any) -> str:
    paragraphs = container.xpath(".//p")
    lines = [line for p in paragraphs for line in _lines(p)] if paragraphs else _lines(container)
    return "\n".join(lines)


# ---------------------------------------------------------------- dates
_TIME = re.compile(r"(?<!\d)(\d{1,2})\s*:\s*(\d{2})(?:\s*:\s*(\d{2}))?(?!\d)")
_JALALI_HINT = re.compile(r"[\u0600-\u06ff]|(?<!\d)1[34]\d\d\s*[/\-.]")


def parse_jalali(text: str) -> dt.datetime | None:
    """«۱۴۰۳/۰۲/۱۵ ۱۰:۳۰»، «۱۵ اردیبهشت ۱۴۰۳ - ۱۰:۳۰»، «سه‌شنبه / ۲۰ خرداد ۱۴۰۴ / ۰۹:۱۴» → Iran-time datetime."""
    from mahalle_news.text.dates import find_dates  # the Persian text stack is heavy to load: only when needed

    for mention in find_dates(text):
        if mention.year_inferred:
            continue
        stamp = dt.datetime.fromisoformat(mention.gregorian)
        if "T" not in mention.gregorian:
            start, end = mention.span
            m = _TIME.search(text[end:]) or _TIME.search(text[:start])
            if m and int(m.group(1)) < 24 and int(m.group(2)) < 60 and int(m.group(3) or 0) < 60:
                stamp = stamp.replace(hour=int(m.group(1)), minute=int(m.group(2)), second=int(m.group(3) or 0))
        return stamp.replace(tzinfo=IRAN_TZ)
    return None


def parse_datetime(value: str | None) -> dt.datetime | None:
    """ISO 8601, RFC 822, or Jalali text → timezone-aware datetime (Iran time when no zone is written)."""
    if not value or not value.strip():
        return None
    text = value.strip()
    stamp: dt.datetime | None
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        try:
            stamp = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError):
            stamp = None
        if stamp is not None and stamp.tzinfo is None and text.endswith("-0000"):
            stamp = stamp.replace(tzinfo=dt.UTC)  # RFC 5322: UTC, local zone unknown
    if stamp is None or stamp.year < 1900:
        return parse_jalali(text) if _JALALI_HINT.search(text) else None
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=IRAN_TZ)


def _json_ld_dates(tree: Any) -> list[str]:
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            value = node.get("datePublished")
            if isinstance(value, str):
                found.append(value)
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            walk(json.loads(script.text or ""))
        except ValueError:
            continue
    return found


def _published(tree: Any, layout: Layout | None) -> dt.datetime | None:
    candidates: list[str] = list(
        tree.xpath(
            "//meta[@property='article:published_time' or @name='article:published_time' or "
            "@itemprop='datePublished' or @name='pubdate']/@content"
        )
    )
    candidates += _json_ld_dates(tree)
    candidates += tree.xpath("//*[@itemprop='datePublished']/@datetime")
    if layout is not None and (el := _first(tree, layout.date)) is not None:
        candidates += el.xpath("./@datetime | .//time/@datetime")
        candidates.append(_text_of(el) or "")
    candidates += tree.xpath("(//article//time/@datetime)[1]")
    for value in candidates:
        if (stamp := parse_datetime(str(value))) is not None:
            return stamp
    return None


# ---------------------------------------------------------------- title, lead, page
_TITLE_SEP = re.compile(r"\s+[-|–—:]{1,2}\s+")


def _strip_site(title: str, site_names: list[str]) -> str:
    """«عنوان خبر - ایرنا» / «فارس - عنوان خبر» → «عنوان خبر»: drop one end part that names the site or is short."""
    parts = _TITLE_SEP.split(title)
    if len(parts) < 2:
        return title
    seps = _TITLE_SEP.findall(title)

    def named(part: str) -> bool:
        return len(part.split()) <= 4 and any(s and (part in s or s in part) for s in site_names)

    def short(part: str) -> bool:
        return len(part.split()) <= 2

    for test in (named, short):
        if test(parts[-1]):
            return title[: len(title) - len(parts[-1]) - len(seps[-1])].strip()
        if test(parts[0]):
            return title[len(parts[0]) + len(seps[0]) :].strip()
    return title


def _meta(tree: Any, *names: str) -> str | None:
    for name in names:
        for value in tree.xpath(f"//meta[@property='{name}' or @name='{name}']/@content"):
            if str(value).strip():
                return " ".join(str(value).split())
    return None


def _title(tree: Any, layout: Layout | None) -> str | None:
    if layout is not None and (found := _text_of(_first(tree, layout.title))):
        return found
    if found := _meta(tree, "og:title", "twitter:title"):
        return found
    if raw := _text_of(_first(tree, "title")):
        return _strip_site(raw, [_meta(tree, "og:site_name", "application-name") or ""])
    return _text_of(_first(tree, "h1"))


_ERROR_PAGE = re.compile(
    r"not found|error 404|خطای[ \u200c]*(?:404|۴۰۴)|صفحه[ \u200c]*(?:ای[ \u200c]*که|مورد[ \u200c]*نظر|درخواستی)"
    r"|صفحه[ \u200c]*(?:یافت|پیدا)[ \u200c]*نشد",
    re.I,
)


# trafilatura drops every non-printable character, which includes ZWNJ (U+200C, «می‌شود» → «میشود») and the other
# joiners and direction marks: hand it stand-ins from the Yi syllables block and put the originals back.
_INVISIBLE = {"\u200c": "\ua000", "\u200d": "\ua001", "\u200e": "\ua002", "\u200f": "\ua003"}
_INVISIBLE_REF = re.compile(r"&(?:zwnj|zwj|lrm|rlm|#820[4-7]|#x200[c-f]);", re.I)
_REF_CHAR = {"zwnj": "\u200c", "zwj": "\u200d", "lrm": "\u200e", "rlm": "\u200f"}


def _hide_invisible(html: str) -> tuple[str, dict[str, str]]:
    swap = {ch: stand_in for ch, stand_in in _INVISIBLE.items() if stand_in not in html}

    def ref(m: re.Match[str]) -> str:
        name = m.group(0)[1:-1].lower()
        ch = _REF_CHAR.get(name) or chr(int(name[2:], 16) if name.startswith("#x") else int(name[1:]))
        return swap.get(ch, m.group(0))

    html = _INVISIBLE_REF.sub(ref, html)
    for ch, stand_in in swap.items():
        html = html.replace(ch, stand_in)
    return html, {stand_in: ch for ch, stand_in in swap.items()}


def _trafilatura_text(html: str, url: str) -> str | None:
    hidden, restore = _hide_invisible(html)
    text = trafilatura.extract(
        hidden,
        url=url,
        output_format="txt",
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        include_formatting=False,
        favor_precision=True,
        deduplicate=False,
        with_metadata=False,
    )
    if not text:
        return None
    for stand_in, ch in restore.items():
        text = text.replace(stand_in, ch)
    lines = [_NEWLINES.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line) or None


def _parse(html: str, url: str) -> Any:
    html = re.sub(r"^\s*<\?xml[^>]*>", "", html)  # lxml refuses str input with an encoding declaration
    if not html.strip():
        raise PageError(f"{url}: the page is empty")
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
    try:
        return lxml.html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise PageError(f"{url}: not an HTML page ({exc})") from exc


def extract_page(html: str, *, url: str) -> ExtractedPage:
    """Title, main text, lead and publication time of an article page (see the module docstring)."""
    tree = _parse(html, url)
    for layout in LAYOUTS:
        for container in tree.xpath(css_to_xpath(layout.main)):
            if body := _selector_text(container):
                lead = _text_of(_first(tree, layout.lead)) or _meta(tree, "og:description", "description")
                return ExtractedPage(
                    _title(tree, layout), body, _published(tree, layout), f"selector:{layout.name}", lead
                )
    title = _title(tree, None)
    heading = " ".join(filter(None, [_text_of(_first(tree, "title")), _text_of(_first(tree, "h1"))]))
    if _ERROR_PAGE.search(heading):
        raise PageError(f"{url}: an error page ({heading[:80]!r}), not an article")
    text = _trafilatura_text(html, url)
    if text is None or len(text) < MIN_FALLBACK_CHARS:
        raise PageError(f"{url}: no article text found (known CMS layouts: none; trafilatura: {len(text or '')} chars)")
    lead = _meta(tree, "og:description", "description")
    return ExtractedPage(title, text, _published(tree, None), "trafilatura", lead)


def fragment_text(markup: str | None) -> str | None:
    """Plain text of an HTML fragment (feed titles and descriptions): tags dropped, entities resolved, blocks
    separated, whitespace collapsed to single spaces. Text without markup is only unescaped and collapsed."""
    if markup is None:
        return None
    if "<" not in markup:
        text = unescape(markup)
    else:
        try:
            parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)  # one per call:
            root = lxml.html.fragment_fromstring(markup, create_parent="div", parser=parser)  # not thread-safe
        except (etree.ParserError, ValueError):
            return " ".join(re.sub(r"<[^>]*>", " ", markup).split()) or None
        for el in root.iter():
            if isinstance(el.tag, str) and el.tag in _BLOCKS:
                el.tail = " " + (el.tail or "")
                el.text = " " + (el.text or "")
        text = " ".join(_lines(root))
    return " ".join(text.split()) or None


_BLOCKS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 tr td th table blockquote section article header footer figure figcaption"
    " pre dd dt dl".split()
)
