"""Export records: a stored fact or article row as the columns every export format shares.

A fact's values come from the extractor's own fact dict (the ``data`` column) plus where it came from:
``fact_id``, ``article_id``, ``story_id``, ``counted`` (false for the repeats of a fact in syndicated copies of
one story), ``url``, ``source`` and ``published``. CSV and Parquet have one column per name of
:data:`FACT_COLUMNS` (spans flattened to start/end columns); a JSON line has the same names except that the
spans stay pairs, as ``mahalle-news extract`` prints them (:data:`FACT_JSON_FIELDS`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

#: Fact columns of CSV and Parquet, in order (the extractor's ``span`` / ``sentence_span`` become start/end).
FACT_COLUMNS = (
    "fact_id",
    "article_id",
    "story_id",
    "counted",
    "type",
    "value",
    "rials",
    "unit",
    "name",
    "role",
    "program",
    "province",
    "approx",
    "period",
    "status",
    "span_start",
    "span_end",
    "sentence",
    "sentence_start",
    "sentence_end",
    "confidence",
    "extractor",
    "url",
    "source",
    "published",
)
#: Article columns, in order (the same in every format).
ARTICLE_COLUMNS = (
    "article_id",
    "story_id",
    "duplicate_kind",
    "source",
    "url",
    "title",
    "published",
    "fetched",
    "province",
    "relevant",
    "relevance",
    "topics",
    "extractor",
    "extraction_method",
    "text",
)
#: Flat column pairs that a JSON line keeps as one ``[start, end]`` pair.
SPAN_PAIRS = {"span": ("span_start", "span_end"), "sentence_span": ("sentence_start", "sentence_end")}
_PAIRED = {column: name for name, pair in SPAN_PAIRS.items() for column in pair}


def _json_fields() -> tuple[str, ...]:
    out: list[str] = []
    for column in FACT_COLUMNS:
        name = _PAIRED.get(column, column)
        if name not in out:
            out.append(name)
    return tuple(out)


#: Keys of a fact's JSON line, in order: :data:`FACT_COLUMNS` with each span pair as one ``[start, end]`` key.
FACT_JSON_FIELDS = _json_fields()


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime | dt.date) else value


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _pair(value: Any) -> tuple[int | None, int | None]:
    if isinstance(value, list | tuple) and len(value) == 2:
        return _int(value[0]), _int(value[1])
    return None, None


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


#: Fact fields exported as text, as the extractor gives them (None where a field does not apply).
_TEXT_FIELDS = ("unit", "name", "role", "program", "province", "approx", "period", "status")


def fact_values(row: Mapping[str, Any]) -> dict[str, Any]:
    """A store fact row (:meth:`Store.iter_fact_rows`) as :data:`FACT_COLUMNS`, typed: ints, floats, bools,
    strings and an aware UTC ``datetime`` for ``published``; None where a field does not apply. (An export calls
    it once per fact: one dict built in column order, no copy of the fact.)"""
    fact = _loads(row.get("data")) or {}
    get = fact.get
    span, sentence_span = _pair(get("span")), _pair(get("sentence_span"))
    out = {
        "fact_id": int(row["id"]),
        "article_id": int(row["article_id"]),
        "story_id": _int(row.get("story_id")),
        "counted": bool(row.get("counted", True)),
        "type": _text(get("type", row.get("type"))),
        "value": _float(get("value")),
        "rials": _int(get("rials")),
    }
    for name in _TEXT_FIELDS:
        out[name] = _text(get(name))
    out["span_start"], out["span_end"] = span
    out["sentence"] = _text(get("sentence"))
    out["sentence_start"], out["sentence_end"] = sentence_span
    out["confidence"] = _float(get("confidence"))
    out["extractor"] = _text(get("extractor", row.get("extractor_version")))
    out["url"] = row.get("url")
    out["source"] = row.get("source_id")
    out["published"] = row.get("published_at")
    return out


#: (key, span pair or None) of a fact's JSON line, in order.
_JSON_PLAN = tuple((name, SPAN_PAIRS.get(name)) for name in FACT_JSON_FIELDS)


def fact_json(values: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`fact_values` as a JSON line's object: spans as pairs, the timestamp in ISO 8601."""
    out: dict[str, Any] = {}
    for name, pair in _JSON_PLAN:
        if pair is None:
            out[name] = values[name]
        else:
            start = values[pair[0]]
            out[name] = None if start is None else [start, values[pair[1]]]
    out["published"] = _iso(out["published"])  # the one timestamp of FACT_COLUMNS
    return out


def fact_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """A store fact row as its JSON record: the extractor's fact fields plus its provenance."""
    return fact_json(fact_values(row))


def article_values(row: Mapping[str, Any]) -> dict[str, Any]:
    """A store article row (:meth:`Store.iter_article_rows`) as :data:`ARTICLE_COLUMNS`, typed (timestamps as
    aware UTC datetimes, ``topics`` a list of strings)."""
    topics = _loads(row.get("topics"))
    relevant = row.get("relevant")
    return {
        "article_id": int(row["id"]),
        "story_id": _int(row.get("story_id")),
        "duplicate_kind": row.get("duplicate_kind"),
        "source": row.get("source_id"),
        "url": row.get("url"),
        "title": row.get("title"),
        "published": row.get("published_at"),
        "fetched": row.get("fetched_at"),
        "province": row.get("province"),
        "relevant": None if relevant is None else bool(relevant),
        "relevance": _float(row.get("relevance")),
        "topics": [str(t) for t in topics or ()],
        "extractor": row.get("extractor_version"),
        "extraction_method": row.get("extraction_method"),
        "text": row.get("text"),
    }


def article_json(values: Mapping[str, Any]) -> dict[str, Any]:
    return {column: _iso(values[column]) for column in ARTICLE_COLUMNS}


def article_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """A store article row as its JSON record."""
    return article_json(article_values(row))


def fact_records(rows: Iterable[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    return (fact_record(r) for r in rows)


def article_records(rows: Iterable[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    return (article_record(r) for r in rows)
