"""Parquet exports, streamed: rows are gathered into row groups (10,000 facts or 1,000 articles), each row group is
written through :class:`pyarrow.parquet.ParquetWriter` into a drain that the generator empties right away, so the
bytes of a finished row group leave before the next is gathered and memory stays that of one row group.

The schema comes from the data dictionary (types, descriptions and units as column metadata); the file metadata
names the kind, the extractor version, the export time and the filter, and, in the footer written last, the number
of rows and the extractor versions the rows came from.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from mahalle_news.exports.dictionary import FIELDS, Field
from mahalle_news.exports.encode import ExportMeta, Kind

_ARROW_TYPES: dict[str, pa.DataType] = {
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "string": pa.string(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "string list": pa.list_(pa.string()),
}


def _arrow_field(f: Field) -> pa.Field:
    meta = {"description": f.description, **({"unit": f.unit} if f.unit else {})}
    return pa.field(f.name, _ARROW_TYPES[f.type], nullable=f.nullable, metadata=meta)


def arrow_schema(kind: str, metadata: Mapping[str, str] | None = None) -> pa.Schema:
    """The Arrow schema of an export of ``kind`` (facts or articles), with ``metadata`` as file metadata."""
    return pa.schema([_arrow_field(f) for f in FIELDS[kind]], metadata=dict(metadata or {}))


class _Drain:
    """A write-only file for ParquetWriter: keeps what was written until :meth:`take`."""

    closed = False

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._parts.append(chunk)
        return len(chunk)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out


def _batch(schema: pa.Schema, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict({c: [r[c] for r in rows] for c in columns}, schema=schema)


def encode_parquet(
    kind: Kind,
    rows: Iterable[Mapping[str, Any]],
    meta: ExportMeta,
    *,
    on_row: Callable[[], None] | None = None,
    row_group_size: int | None = None,
) -> Iterator[bytes]:
    """The Parquet file of ``rows`` (store rows of ``kind``), one chunk of bytes per finished row group."""
    size = row_group_size or kind.row_group_size
    schema = arrow_schema(kind.name, meta.metadata())
    drain = _Drain()
    writer = pq.ParquetWriter(drain, schema, compression="snappy")
    n = 0
    versions: set[str] = set()
    pending: list[dict[str, Any]] = []
    try:
        for row in rows:
            values = kind.values(row)
            pending.append(values)
            if values.get("extractor"):
                versions.add(values["extractor"])
            n += 1
            if on_row is not None:
                on_row()
            if len(pending) >= size:
                writer.write_batch(_batch(schema, kind.columns, pending))
                pending = []
                yield drain.take()
        if pending:
            writer.write_batch(_batch(schema, kind.columns, pending))
        writer.add_key_value_metadata(
            {"mahalle.rows": str(n), "mahalle.extractor_versions": json.dumps(sorted(versions))}
        )
    finally:
        writer.close()
    yield drain.take()
