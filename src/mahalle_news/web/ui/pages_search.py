"""The search page (``/``): one box and the filters of ``GET /v1/facts`` (same parameter names, Jalali dates
accepted), facet counts, and the matching facts as a table paginated with a cursor. A plain GET form: it works
with JavaScript off, and every search is a link that can be shared, saved as an alert or exported."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mahalle_news.errors import InputError
from mahalle_news.filters import KNOWN_PARAMS
from mahalle_news.store import Store
from mahalle_news.web.ui import options, queries, session
from mahalle_news.web.ui.render import UIRoute, query_string, render
from mahalle_news.web.ui.search_form import LABELS, SearchForm, persian_message, read_form

router = APIRouter(route_class=UIRoute)
PAGE_SIZE = 50


def source_names(store: Store) -> dict[str, str]:
    return {s.id: s.name for s in store.list_sources()}


def _page(request: Request, form: SearchForm, *, notice: str | None = None, status: int = 200) -> HTMLResponse:
    store: Store = request.app.state.store
    page: queries.FactPage | None = None
    facet_counts: dict[str, list[tuple[str, int]]] = {}
    cursor = request.query_params.get("cursor")
    if form.filter is not None:
        try:
            page = queries.search_facts(store, form.filter, cursor=cursor or None, limit=PAGE_SIZE)
        except InputError as err:
            form.errors["cursor"] = persian_message(err)[1]
            page = queries.search_facts(store, form.filter, limit=PAGE_SIZE)
        facet_counts = page.facets
    if form.errors:
        status = 422
    params = form.params
    programs = sorted(
        set(options.programs()) | {p for p, _ in facet_counts.get("program", [])}, key=options.persian_key
    )
    return render(
        request,
        "search.html",
        status=status,
        title="جست‌وجوی واقعیت‌ها",
        form=form,
        labels=LABELS,
        page=page,
        cursor=cursor,
        facets=facet_counts,
        params=params,
        here=query_string(params),
        provinces=options.provinces(),
        programs=programs,
        fact_types=options.fact_types(),
        sorts=options.sorts(),
        sources=source_names(store) if page is not None else {},
        notice=notice,
        has_filter=any(k != "sort" for k in params),
    )


def search(request: Request) -> HTMLResponse:
    session.require(request, "reader")
    return _page(request, read_form(request.query_params))


def _on_input_error(request: Request, err: InputError) -> HTMLResponse:
    """An unknown parameter in the address: the search without it, and a message naming it."""
    session.require(request, "reader")
    known: dict[str, Any] = {}
    for key in request.query_params:
        if key in KNOWN_PARAMS:
            values = request.query_params.getlist(key)
            known[key] = values if len(values) > 1 or key in ("type", "province", "program", "source") else values[0]
    form = read_form(known)
    field, message = persian_message(err)
    form.errors.setdefault(field or "q", message)
    return _page(request, form, status=422)


search.ui_query_params = tuple(KNOWN_PARAMS | {"cursor"})  # type: ignore[attr-defined]
search.ui_on_input_error = _on_input_error  # type: ignore[attr-defined]
router.add_api_route("/", search, methods=["GET"], response_class=HTMLResponse)
