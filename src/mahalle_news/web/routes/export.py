"""Routes: bulk export of facts and articles, and the data dictionary.

``GET /v1/export/{facts,articles}.{csv,jsonl,parquet}`` take the filter parameters of fact search (not ``sort``:
rows come by ascending id) and stream every matching row, without a row cap, in constant memory. The response
names the extractor version (``X-Mahalle-Extractor-Version``; each row has its own ``extractor``) and is an
attachment named with the export date. Another format (``/v1/export/facts.xml``) is a 404 listing the exports.
The first chunk is produced before the response starts, so a bad filter or an unreachable store is an error
envelope; a failure later can only cut the stream short (a Parquet file is then unreadable: no footer).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from mahalle_news.errors import NotFound
from mahalle_news.exports import FORMATS, current_meta, encode
from mahalle_news.exports.dictionary import dictionary
from mahalle_news.filters import FactFilter, parse_fact_filter
from mahalle_news.store import Store
from mahalle_news.web.auth import require
from mahalle_news.web.deps import get_store
from mahalle_news.web.errors import ERROR_RESPONSES

router = APIRouter(tags=["export"], dependencies=[Depends(require("reader"))], responses=ERROR_RESPONSES)


def export_filter(
    type_: Annotated[
        list[str] | None, Query(alias="type", description="Fact types (repeat or comma-separate).")
    ] = None,
    province: Annotated[list[str] | None, Query(description="Provinces, any spelling («استان کرمان»).")] = None,
    program: Annotated[list[str] | None, Query(description="Programs, by name or alias.")] = None,
    source: Annotated[list[str] | None, Query(description="Source ids.")] = None,
    official: Annotated[str | None, Query(description="Part of an official's name or role.")] = None,
    value_min: Annotated[str | None, Query(description="Smallest value.")] = None,
    value_max: Annotated[str | None, Query(description="Largest value.")] = None,
    rials_min: Annotated[str | None, Query(description="Smallest amount in rials.")] = None,
    rials_max: Annotated[str | None, Query(description="Largest amount in rials.")] = None,
    date_from: Annotated[str | None, Query(description="First publication date (UTC), Gregorian or Jalali.")] = None,
    date_to: Annotated[str | None, Query(description="Last publication date (UTC), inclusive.")] = None,
    story: Annotated[str | None, Query(description="Story id.")] = None,
    article: Annotated[str | None, Query(description="Article id.")] = None,
    relevant: Annotated[str | None, Query(description="true (default), false or any.")] = None,
    counted: Annotated[str | None, Query(description="true (default: once per story), false or any.")] = None,
    q: Annotated[str | None, Query(description="Words that must all occur in the article.")] = None,
) -> FactFilter:
    """The filter of the query parameters (every problem a 422 naming the parameter)."""
    given: dict[str, Any] = {
        "type": type_,
        "province": province,
        "program": program,
        "source": source,
        "official": official,
        "value_min": value_min,
        "value_max": value_max,
        "rials_min": rials_min,
        "rials_max": rials_max,
        "date_from": date_from,
        "date_to": date_to,
        "story": story,
        "article": article,
        "relevant": relevant,
        "counted": counted,
        "q": q,
    }
    return parse_fact_filter({k: v for k, v in given.items() if v is not None})


def _filtered_rows(store: Store, kind: str, filt: FactFilter) -> Iterator[dict[str, Any]]:
    from mahalle_news.store.export_query import iter_rows

    return iter_rows(store, kind, filt)


def _primed(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """``chunks`` with the first one made now (errors before the response starts become error envelopes)."""
    first = next(chunks, b"")

    def rest() -> Iterator[bytes]:
        yield first
        yield from chunks

    return rest()


def _export(kind: str, fmt: str, filt: FactFilter, store: Store) -> StreamingResponse:
    meta = current_meta(kind, fmt, filt.to_params())
    chunks = _primed(encode(kind, fmt, _filtered_rows(store, kind, filt), meta=meta))
    return StreamingResponse(chunks, media_type=FORMATS[fmt].media_type, headers=meta.headers())


def _route(kind: str, fmt: str) -> None:
    def endpoint(
        filt: Annotated[FactFilter, Depends(export_filter)], store: Annotated[Store, Depends(get_store)]
    ) -> StreamingResponse:
        return _export(kind, fmt, filt, store)

    endpoint.__name__ = f"export_{kind}_{fmt}"
    what = "facts (counted facts of relevant articles by default)" if kind == "facts" else "articles"
    router.add_api_route(
        f"/v1/export/{kind}.{fmt}",
        endpoint,
        methods=["GET"],
        summary=f"Export {kind} as {fmt}",
        description=f"Every matching {what} as {fmt}, streamed; see GET /v1/export/dictionary.",
        response_class=StreamingResponse,
        responses={200: {"content": {FORMATS[fmt].media_type.split(";")[0]: {}}, "description": f"{fmt} file"}},
    )


@router.get("/v1/export/dictionary", summary="The data dictionary of the exports")
def export_dictionary() -> dict[str, Any]:
    """Columns of each export with their types, units and meaning, and the rules of each format."""
    return dictionary()


for _kind in ("facts", "articles"):
    for _fmt in FORMATS:
        _route(_kind, _fmt)


@router.get("/v1/export/{name}", include_in_schema=False)
def unknown_export(name: str) -> None:
    exports = ", ".join(f"{k}.{f}" for k in ("facts", "articles") for f in FORMATS)
    raise NotFound(f"no export {name!r}: there are {exports} and dictionary")
