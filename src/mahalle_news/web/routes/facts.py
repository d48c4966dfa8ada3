"""Routes: fact search and single facts.

``GET /v1/facts`` takes the filter language (:mod:`mahalle_news.filters`) as query parameters, plus ``sort``,
``cursor``/``limit`` (keyset pagination) and ``facets``; ``GET /v1/facts/{fact_id}`` returns one fact. Every fact
comes with its evidence and its provenance, linked to its article and story.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic_core import to_json

from mahalle_news.config import Settings
from mahalle_news.errors import InputError, Location, NotFound
from mahalle_news.exports.records import fact_json, fact_values
from mahalle_news.filters import parse_fact_filter
from mahalle_news.store import Store
from mahalle_news.store.search import MAX_ID, get_fact, key_from_json, key_json, search_facts
from mahalle_news.web.auth import require
from mahalle_news.web.deps import decode_cursor, encode_cursor, get_settings, get_store
from mahalle_news.web.errors import ERROR_RESPONSES
from mahalle_news.web.models import Fact, FactPage, FactQuery

router = APIRouter(tags=["facts"], dependencies=[Depends(require("reader"))], responses=ERROR_RESPONSES)


#: Items per page when a request does not say.
DEFAULT_LIMIT = 50


def check_limit(limit: int | None, settings: Settings) -> int:
    """The page size: ``limit``, a 422 when it is above the service's cap, or the default (within the cap)."""
    if limit is None:
        return min(DEFAULT_LIMIT, settings.max_page_size)
    if limit > settings.max_page_size:
        raise InputError(f"at most {settings.max_page_size} items per page", location=Location(field="limit"))
    return limit


def fact_item(row: Mapping[str, Any]) -> dict[str, Any]:
    """The API shape of a stored fact row (with its article's url and source_id) as plain data in the field order
    of :class:`Fact`: the export record + links, ``published`` a datetime (serialised as the model serialises it)."""
    values = fact_values(row)
    item = fact_json(values)
    item["published"] = values["published"]
    item["links"] = {
        "fact": f"/v1/facts/{item['fact_id']}",
        "article": f"/v1/articles/{item['article_id']}",
        "story": f"/v1/articles?story={item['story_id']}&relevant=any",
    }
    return item


def fact_out(row: Mapping[str, Any]) -> Fact:
    """:func:`fact_item` as a validated :class:`Fact`."""
    return Fact.model_validate(fact_item(row))


def counts_out(pairs: list[tuple[str | None, int]]) -> list[dict[str, Any]]:
    return [{"value": value, "count": n} for value, n in pairs]


@router.get("/v1/facts", response_model=FactPage, summary="Search facts")
def list_facts(
    query: Annotated[FactQuery, Query()],
    store: Annotated[Store, Depends(get_store)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Response:
    """Facts matching every given filter, a page at a time (``next_cursor`` → ``cursor``), with their facet counts
    by type, province and program over the whole selection when ``facets`` (counted over at most the 5,000 most
    recent matches: ``total_exact`` says whether that was all). Defaults: facts of relevant articles, a
    syndicated story's fact once (``counted``), newest first."""
    limit = check_limit(query.limit, settings)
    filt = parse_fact_filter(query.filter_params() | {"sort": query.sort})
    after = key_from_json(filt.sort, decode_cursor(query.cursor, 3)) if query.cursor is not None else None
    page = search_facts(store, filt, limit=limit, after=after, facets=query.facets)
    cursor = None
    if page.next_key is not None:
        cursor = encode_cursor([filt.sort, key_json(filt.sort, page.next_key[0]), page.next_key[1]])
    facets = page.facets
    body = {
        "items": [fact_item(row) for row in page.rows],
        "next_cursor": cursor,
        "limit": limit,
        "sort": filt.sort,
        "total": facets.total if facets else None,
        "total_exact": facets.exact if facets else None,
        "facets": {
            "type": counts_out(facets.type),
            "province": counts_out(facets.province),
            "program": counts_out(facets.program),
        }
        if facets
        else None,
    }
    # Serialised directly (FactPage documents it; tests hold the two equal): validating the page that was
    # just built from typed rows, then dumping it, cost a quarter of a search's time.
    return Response(to_json(body), media_type="application/json")


@router.get("/v1/facts/{fact_id}", response_model=Fact, summary="One fact")
def read_fact(
    fact_id: Annotated[int, Path(ge=1, le=MAX_ID, description="The fact's id.")],
    store: Annotated[Store, Depends(get_store)],
) -> Fact:
    """A fact with its evidence sentence, span and provenance (also an uncounted or irrelevant one)."""
    row = get_fact(store, fact_id)
    if row is None:
        raise NotFound(f"no fact with id {fact_id}", location=Location(field="fact_id"))
    return fact_out(row)
