"""An alert's notifications as an Atom 1.0 feed (RFC 4287), in Persian.

Each notification is an entry: its id is the notification's ``urn:uuid``, its title the Persian title of the
notification, its link the fact (``/v1/facts/{id}``, absolute), its summary the evidence sentence (for a changed
figure: the new and the previous evidence). Feed readers cannot send headers, so the feed URL may carry the
alert's feed token (``?token=…``) instead of an API key.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from lxml import etree

from mahalle_news import __version__
from mahalle_news.store.alerts import Alert, Notification

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: Characters XML 1.0 cannot carry (lxml refuses them): dropped from text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _sub(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
    element = etree.SubElement(parent, f"{{{ATOM_NS}}}{tag}", {k: _NOT_XML.sub("", v) for k, v in attrs.items()})
    if text is not None:
        element.text = _NOT_XML.sub("", text)
    return element


def _published(payload: dict[str, Any]) -> dt.datetime | None:
    value = (payload.get("fact") or {}).get("published")
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _summary(payload: dict[str, Any]) -> str:
    evidence = str(payload.get("evidence") or payload.get("title") or "")
    if payload.get("kind") != "changed":
        return evidence
    previous = (payload.get("previous_fact") or {}).get("sentence")
    return f"اکنون: {evidence}\nپیش‌تر: {previous}" if previous else evidence


def feed_id(alert: Alert) -> str:
    """A permanent, unique id of the alert's feed."""
    return f"urn:mahalle-news:alert:{alert.id}:{int(alert.created_at.timestamp())}"


def render_feed(alert: Alert, notifications: Sequence[Notification], *, base_url: str, self_url: str) -> bytes:
    """The feed document (UTF-8 XML) of ``notifications``, newest first; links are made absolute on
    ``base_url`` (``https://host/``)."""
    base = base_url.rstrip("/")
    feed = etree.Element(f"{{{ATOM_NS}}}feed", {_XML_LANG: "fa"}, nsmap={None: ATOM_NS})
    _sub(feed, "id", feed_id(alert))
    _sub(feed, "title", f"هشدار «{alert.name}»")
    _sub(feed, "subtitle", "واقعیت‌های تازه و رقم‌های تغییرکرده‌ای که با این جست‌وجوی ذخیره‌شده جور درمی‌آیند")
    latest = max((n.created_at for n in notifications), default=alert.created_at)
    _sub(feed, "updated", _stamp(latest))
    _sub(feed, "link", rel="self", type=MEDIA_TYPE, href=self_url)
    _sub(feed, "link", rel="alternate", href=f"{base}/v1/alerts/{alert.id}")
    author = _sub(feed, "author")
    _sub(author, "name", "mahalle-news")
    _sub(feed, "generator", "mahalle-news", version=__version__)
    for n in notifications:
        payload = n.payload
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"urn:uuid:{n.uuid}")
        _sub(entry, "title", str(payload.get("title") or n.kind))
        _sub(entry, "updated", _stamp(n.created_at))
        published = _published(payload)
        if published is not None:
            _sub(entry, "published", _stamp(published))
        path = payload.get("fact_path") or (f"/v1/facts/{n.fact_id}" if n.fact_id is not None else None)
        if path:
            _sub(entry, "link", rel="alternate", href=f"{base}{path}")
        article_url = (payload.get("fact") or {}).get("url")
        if isinstance(article_url, str) and article_url:
            _sub(entry, "link", rel="related", type="text/html", href=article_url)
        _sub(entry, "category", term=n.kind, label="تغییر رقم" if n.kind == "changed" else "واقعیت تازه")
        _sub(entry, "summary", _summary(payload), type="text")
    return bytes(etree.tostring(feed, encoding="utf-8", xml_declaration=True, pretty_print=True))
