"""Pages: signing in with an API key and out, the sources' health, and the export links of a search."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from mahalle_news.errors import InputError, NotFound
from mahalle_news.exports import FORMATS, current_meta, encode
from mahalle_news.filters import KNOWN_PARAMS, parse_fact_filter
from mahalle_news.store import Store
from mahalle_news.store.export_query import iter_rows
from mahalle_news.store.keys import verify_key
from mahalle_news.web.ui import session
from mahalle_news.web.ui.render import SECURITY_HEADERS, UIRoute, query_string, render
from mahalle_news.web.ui.search_form import filter_pairs

router = APIRouter(route_class=UIRoute)


def _safe_next(target: str | None) -> str:
    """Only a path of this site (no scheme, no host, no ``//``): an open redirect otherwise."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc else target


def _login_page(request: Request, *, next_url: str, error: str | None = None, status: int = 200) -> HTMLResponse:
    return render(request, "login.html", status=status, title="ورود با کلید API", next_url=next_url, error=error)


def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return _login_page(request, next_url=_safe_next(next))


async def login(request: Request) -> Response:
    form = await session.read_form(request)
    session.check_csrf(request, form)
    next_url = _safe_next(session.one(form, "next"))
    key = session.one(form, "api_key").strip()
    store: Store = request.app.state.store
    found = verify_key(store, key) if key else None
    if found is None:
        message = "کلید را وارد کنید." if not key else "این کلید شناخته نیست یا باطل شده است."
        return _login_page(request, next_url=next_url, error=message, status=400 if not key else 401)
    response = RedirectResponse(next_url, status_code=303)
    session.set_key(request, response, key)
    request.state.ui_clear_key = False
    return session.finish(request, response)


async def logout(request: Request) -> Response:
    form = await session.read_form(request)
    session.check_csrf(request, form)
    response = RedirectResponse("/", status_code=303)
    session.clear_key(response)
    return response


router.add_api_route("/login", login_form, methods=["GET"], response_class=HTMLResponse)
router.add_api_route("/login", login, methods=["POST"], response_class=HTMLResponse)
router.add_api_route("/logout", logout, methods=["POST"], response_class=HTMLResponse)


@router.get("/sources", response_class=HTMLResponse)
def sources(request: Request) -> HTMLResponse:
    """Every feed: when it last worked, its failure streak, how often it answered 304, articles per day."""
    session.require(request, "reader")
    store: Store = request.app.state.store
    per_day = store.articles_per_day()
    rows: list[dict[str, Any]] = []
    for s in store.list_sources():
        rows.append(
            {
                "source": s,
                "share_304": s.polls_not_modified / s.polls if s.polls else None,
                "per_day": per_day.get(s.id, 0.0),
                "healthy": s.consecutive_failures == 0 and s.last_success_at is not None,
            }
        )
    failing = sum(1 for r in rows if r["source"].consecutive_failures > 0 and r["source"].enabled)
    return render(request, "sources.html", title="منابع خبری", rows=rows, failing=failing)


def _export_params(request: Request) -> list[tuple[str, str]]:
    """The search's filter parameters that the export endpoints take (all but ``sort`` and ``cursor``)."""
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k not in ("sort", "cursor")]
    parse_fact_filter(_multi(pairs))  # a bad filter is an error page, not a broken download
    return pairs


def _multi(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return {k: v if len(v) > 1 else v[0] for k, v in out.items()}


def export_page(request: Request) -> HTMLResponse:
    session.require(request, "reader")
    try:
        pairs = _export_params(request)
        error = None
    except InputError as err:
        pairs, error = [], err
    filt = parse_fact_filter(_multi(pairs)) if error is None else None
    query = query_string(pairs)
    links = [
        {
            "format": fmt,
            "api": f"/v1/export/facts.{fmt}{query}",
            "ui": f"/export/facts.{fmt}{query}",
        }
        for fmt in ("csv", "jsonl", "parquet")
    ]
    return render(
        request,
        "export.html",
        title="خروجی داده",
        links=links,
        summary=filter_pairs(filt) if filt is not None else [],
        search_link="/" + query_string([(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]),
        error=error is not None,
        direct=request.app.state.settings.anonymous_read,
    )


export_page.ui_query_params = tuple(KNOWN_PARAMS | {"cursor"})  # type: ignore[attr-defined]
router.add_api_route("/export", export_page, methods=["GET"], response_class=HTMLResponse)


def download(request: Request, kind: str, fmt: str) -> Response:
    """The same export as ``/v1/export/…``, for a browser whose key is in the UI's cookie (a link cannot send
    an ``Authorization`` header)."""
    session.require(request, "reader")
    if kind != "facts" or fmt not in FORMATS:
        raise NotFound(f"no export {kind}.{fmt}")
    filt = parse_fact_filter(_multi(_export_params(request)))
    meta = current_meta(kind, fmt, filt.to_params())
    chunks = encode(kind, fmt, iter_rows(request.app.state.store, kind, filt), meta=meta)
    first = next(chunks, b"")  # errors before the response starts become an error page

    def body() -> Any:
        yield first
        yield from chunks

    headers = {**meta.headers(), "Cache-Control": SECURITY_HEADERS["Cache-Control"]}
    return StreamingResponse(body(), media_type=FORMATS[fmt].media_type, headers=headers)


download.ui_query_params = tuple(KNOWN_PARAMS - {"sort"})  # type: ignore[attr-defined]
router.add_api_route("/export/{kind}.{fmt}", download, methods=["GET"])
