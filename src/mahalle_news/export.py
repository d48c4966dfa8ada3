"""Bulk export of stored facts and articles as JSON lines or CSV, streamed row by row (constant memory).

A fact line carries the fields ``mahalle-news extract`` prints for it, plus where it came from: ``fact_id``,
``article_id``, ``story_id``, ``counted`` (false for the repeats of a fact in syndicated copies of one story),
``url``, ``source`` and ``published``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, Any

FORMATS = ("jsonl", "csv")

#: CSV columns of a fact (nested ``span`` / ``sentence_span`` become start/end columns).
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


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime | dt.date) else value


def fact_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """A store fact row as an export record: the extractor's own fact dict plus its provenance."""
    data = row.get("data")
    fact = dict(json.loads(data) if isinstance(data, str) else data or {})
    return {
        "fact_id": row["id"],
        "article_id": row["article_id"],
        "story_id": row["story_id"],
        "counted": bool(row["counted"]),
        **fact,
        "url": row.get("url"),
        "source": row.get("source_id"),
        "published": _iso(row.get("published_at")),
    }


def article_record(row: Mapping[str, Any]) -> dict[str, Any]:
    topics = row.get("topics")
    return {
        "article_id": row["id"],
        "story_id": row["story_id"],
        "duplicate_kind": row.get("duplicate_kind"),
        "source": row.get("source_id"),
        "url": row.get("url"),
        "title": row.get("title"),
        "published": _iso(row.get("published_at")),
        "fetched": _iso(row.get("fetched_at")),
        "province": row.get("province"),
        "relevant": row.get("relevant"),
        "relevance": row.get("relevance"),
        "topics": json.loads(topics) if isinstance(topics, str) else topics,
        "extractor": row.get("extractor_version"),
        "extraction_method": row.get("extraction_method"),
        "text": row.get("text"),
    }


def _flat_fact(record: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in record.items() if k not in ("span", "sentence_span")}
    span, sentence_span = record.get("span") or (None, None), record.get("sentence_span") or (None, None)
    out["span_start"], out["span_end"] = span
    out["sentence_start"], out["sentence_end"] = sentence_span
    return out


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def write_records(
    records: Iterable[Mapping[str, Any]],
    out: IO[str],
    fmt: str,
    columns: tuple[str, ...],
    *,
    flatten: Callable[[Mapping[str, Any]], Mapping[str, Any]] = dict,
    on_row: Callable[[], None] | None = None,
) -> int:
    """Write ``records`` to ``out`` as JSON lines or CSV (header first); returns the number written."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    n = 0
    writer = csv.writer(out, lineterminator="\r\n") if fmt == "csv" else None
    if writer is not None:
        writer.writerow(columns)
    for record in records:
        if writer is None:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            flat = flatten(record)
            writer.writerow([_csv_cell(flat.get(c)) for c in columns])
        n += 1
        if on_row is not None:
            on_row()
    return n


def fact_records(rows: Iterable[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    return (fact_record(r) for r in rows)


def article_records(rows: Iterable[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    return (article_record(r) for r in rows)


def write_facts(rows: Iterable[Mapping[str, Any]], out: IO[str], fmt: str, **kw: Any) -> int:
    return write_records(fact_records(rows), out, fmt, FACT_COLUMNS, flatten=_flat_fact, **kw)


def write_articles(rows: Iterable[Mapping[str, Any]], out: IO[str], fmt: str, **kw: Any) -> int:
    return write_records(article_records(rows), out, fmt, ARTICLE_COLUMNS, **kw)
