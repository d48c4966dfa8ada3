"""Bulk export of stored facts and articles: CSV, JSON lines and Parquet, streamed in constant memory.

* :mod:`.records` — a store row as export columns (:data:`FACT_COLUMNS`, :data:`ARTICLE_COLUMNS`);
* :mod:`.dictionary` — the data dictionary: types, units and meaning of every column;
* :mod:`.encode` — rows to bytes, chunk by chunk (CSV with a UTF-8 byte-order mark, JSON lines);
* :mod:`.parquet` — Parquet, one row group at a time (imported on demand: pyarrow);
* :mod:`.files` — the command line's side: an atomically replaced output file and a progress bar.

Filtered rows come from :mod:`mahalle_news.store.export_query` (the filter language of
:mod:`mahalle_news.filters`).
"""

from __future__ import annotations

from mahalle_news.exports.encode import (
    FORMATS,
    KINDS,
    TEXT_FORMATS,
    ExportMeta,
    current_meta,
    encode,
    write_articles,
    write_facts,
)
from mahalle_news.exports.records import (
    ARTICLE_COLUMNS,
    FACT_COLUMNS,
    FACT_JSON_FIELDS,
    article_record,
    article_records,
    article_values,
    fact_record,
    fact_records,
    fact_values,
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
