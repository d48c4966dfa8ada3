"""Streaming encoders: rows in, bytes out, a chunk at a time (constant memory, no row cap).

:func:`encode` turns stored fact or article rows into CSV (UTF-8 with a byte-order mark), JSON lines or Parquet,
yielding chunks of about :data:`CHUNK_BYTES` (Parquet: one chunk per row group); the API streams them, the CLI
writes them to a file. :func:`write_facts` / :func:`write_articles` write CSV or JSON lines to a text stream.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from mahalle_news.exports.records import (
    ARTICLE_COLUMNS,
    FACT_COLUMNS,
    article_json,
    article_values,
    fact_json,
    fact_values,
)

BOM = "\ufeff"
#: Text formats are yielded in chunks of about this many characters.
CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    binary: bool


FORMATS: dict[str, Format] = {
    "csv": Format("csv", "text/csv; charset=utf-8", binary=False),
    "jsonl": Format("jsonl", "application/x-ndjson; charset=utf-8", binary=False),
    "parquet": Format("parquet", "application/vnd.apache.parquet", binary=True),
}
TEXT_FORMATS = ("jsonl", "csv")


@dataclass(frozen=True)
class Kind:
    """What is exported: its columns, how a store row becomes typed values, and those values as JSON."""

    name: str
    columns: tuple[str, ...]
    values: Callable[[Mapping[str, Any]], dict[str, Any]]
    to_json: Callable[[Mapping[str, Any]], dict[str, Any]]
    row_group_size: int  # Parquet rows per row group


KINDS: dict[str, Kind] = {
    "facts": Kind("facts", FACT_COLUMNS, fact_values, fact_json, 10_000),
    "articles": Kind("articles", ARTICLE_COLUMNS, article_values, article_json, 1_000),
}


@dataclass
class ExportMeta:
    """What an export says about itself: in the file name, the response headers and the Parquet metadata."""

    kind: str
    format: str
    extractor_version: str
    filter: dict[str, Any] = field(default_factory=dict)
    exported_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def filename(self) -> str:
        """``mahalle-news-facts-2025-04-12.csv``: the kind and the UTC date of the export."""
        return f"mahalle-news-{self.kind}-{self.exported_at.astimezone(dt.UTC).date().isoformat()}.{self.format}"

    def headers(self) -> dict[str, str]:
        return {
            "Content-Disposition": f'attachment; filename="{self.filename}"',
            "X-Mahalle-Extractor-Version": self.extractor_version,
            "Cache-Control": "no-store",
        }

    def metadata(self) -> dict[str, str]:
        """Parquet file metadata known before the first row."""
        return {
            "mahalle.kind": self.kind,
            "mahalle.extractor_version": self.extractor_version,
            "mahalle.exported_at": self.exported_at.astimezone(dt.UTC).isoformat(),
            "mahalle.filter": json.dumps(self.filter, ensure_ascii=False, sort_keys=True),
        }


def current_meta(kind: str, fmt: str, filter_params: Mapping[str, Any] | None = None) -> ExportMeta:
    """Meta of an export made now by the running extractor version."""
    from mahalle_news.nlp.facts import EXTRACTOR_VERSION

    return ExportMeta(kind, fmt, EXTRACTOR_VERSION, dict(filter_params or {}))


_PLAIN = (int, float)
#: A text cell starting with one of these is a formula to a spreadsheet: CSV gives it a leading apostrophe.
FORMULA_START = frozenset("=+-@\t\r")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if type(value) is str:
        return "'" + value if value[:1] in FORMULA_START else value
    if type(value) in _PLAIN:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def text_chunks(
    kind: Kind,
    fmt: str,
    rows: Iterable[Mapping[str, Any]],
    *,
    on_row: Callable[[], None] | None = None,
    chunk_chars: int = CHUNK_BYTES,
) -> Iterator[str]:
    """CSV (header first, no byte-order mark) or JSON lines of ``rows``, in chunks of about ``chunk_chars``."""
    if fmt not in TEXT_FORMATS:
        raise ValueError(f"format must be one of {', '.join(TEXT_FORMATS)}")
    parts: list[str] = []
    size = 0
    writer = csv.writer(_Parts(parts), lineterminator="\r\n") if fmt == "csv" else None
    if writer is not None:
        writer.writerow(kind.columns)
    for row in rows:
        values = kind.values(row)
        if writer is None:
            line = json.dumps(kind.to_json(values), ensure_ascii=False) + "\n"
            parts.append(line)
            size += len(line)
        else:
            # most cells are None, numbers or plain text: only the rest go through _cell (a call per cell costs)
            size += writer.writerow(
                [
                    "" if v is None
                    else v if (t := type(v)) is int or t is float or (t is str and v[:1] not in FORMULA_START)
                    else _cell(v)
                    for v in map(values.__getitem__, kind.columns)
                ]
            )  # fmt: skip
        if on_row is not None:
            on_row()
        if size >= chunk_chars:
            yield "".join(parts)
            parts.clear()
            size = 0
    if parts:
        yield "".join(parts)


class _Parts:
    """A write-only text file appending to a list (what csv.writer writes to)."""

    def __init__(self, parts: list[str]) -> None:
        self._parts = parts

    def write(self, text: str) -> int:
        self._parts.append(text)
        return len(text)


def encode(
    kind: str,
    fmt: str,
    rows: Iterable[Mapping[str, Any]],
    *,
    meta: ExportMeta | None = None,
    on_row: Callable[[], None] | None = None,
) -> Iterator[bytes]:
    """The export of ``rows`` (store fact or article rows) as bytes, chunk by chunk. CSV starts with a UTF-8
    byte-order mark; Parquet carries ``meta`` in its file metadata."""
    spec = KINDS[kind]
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    if fmt == "parquet":
        from mahalle_news.exports.parquet import encode_parquet

        yield from encode_parquet(spec, rows, meta or current_meta(kind, fmt), on_row=on_row)
        return
    first = True
    for chunk in text_chunks(spec, fmt, rows, on_row=on_row):
        yield ((BOM if first and fmt == "csv" else "") + chunk).encode("utf-8")
        first = False


def _write(kind: str, rows: Iterable[Mapping[str, Any]], out: IO[str], fmt: str, **kw: Any) -> int:
    n = 0
    on_row: Callable[[], None] | None = kw.pop("on_row", None)

    def count() -> None:
        nonlocal n
        n += 1
        if on_row is not None:
            on_row()

    for chunk in text_chunks(KINDS[kind], fmt, rows, on_row=count, **kw):
        out.write(chunk)
    return n


def write_facts(rows: Iterable[Mapping[str, Any]], out: IO[str], fmt: str, **kw: Any) -> int:
    """Write store fact rows to a text stream as JSON lines or CSV (no byte-order mark: a ``str`` stream has no
    encoding; :func:`encode` adds it); returns the number written."""
    return _write("facts", rows, out, fmt, **kw)


def write_articles(rows: Iterable[Mapping[str, Any]], out: IO[str], fmt: str, **kw: Any) -> int:
    """Write store article rows to a text stream as JSON lines or CSV; returns the number written."""
    return _write("articles", rows, out, fmt, **kw)
