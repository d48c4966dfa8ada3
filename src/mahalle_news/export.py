"""Bulk export of stored facts and articles (kept for existing imports): see :mod:`mahalle_news.exports`."""

from __future__ import annotations

from mahalle_news.exports import (
    ARTICLE_COLUMNS,
    FACT_COLUMNS,
    FACT_JSON_FIELDS,
    FORMATS,
    KINDS,
    TEXT_FORMATS,
    ExportMeta,
    article_record,
    article_records,
    article_values,
    current_meta,
    encode,
    fact_record,
    fact_records,
    fact_values,
    write_articles,
    write_facts,
)

__all__ = [
    "ARTICLE_COLUMNS",
    "FACT_COLUMNS",
    "FACT_JSON_FIELDS",
    "FORMATS",
    "KINDS",
    "TEXT_FORMATS",
    "ExportMeta",
    "article_record",
    "article_records",
    "article_values",
    "current_meta",
    "encode",
    "fact_record",
    "fact_records",
    "fact_values",
    "write_articles",
    "write_facts",
]
