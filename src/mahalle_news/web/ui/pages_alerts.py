"""Pages: alerts — create one from the current search, list yours, delete, read the Atom feed.

Alerts belong to an API key (an admin sees everyone's), so these pages need a key with the editor role, entered
once at ``/login``. The UI stores alerts with the same library functions as ``POST /v1/alerts``: the filter is
normalised by the filter language, a webhook address passes the same SSRF check, and the feed token is shown once.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mahalle_news.alerts import atom
from mahalle_news.alerts.ssrf import Resolver, pin
from mahalle_news.errors import InputError, Location, NotFound
from mahalle_news.filters import KNOWN_PARAMS, parse_fact_filter
from mahalle_news.store import Store
from mahalle_news.store import alerts as alert_store
from mahalle_news.store.alerts import Alert
from mahalle_news.web.auth import Principal
from mahalle_news.web.ui import session
from mahalle_news.web.ui.render import UIRoute, query_string, render
from mahalle_news.web.ui.search_form import filter_pairs, persian_message

router = APIRouter(route_class=UIRoute)
_PREFIX = "filter."


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _owned(request: Request, alert_id: int, who: Principal) -> Alert:
    alert = alert_store.get_alert(_store(request), alert_id)
    if alert is None or (not who.can("admin") and alert.key_id != who.key_id):
        raise NotFound(f"no alert with id {alert_id}", location=Location(field="alert_id"))
    return alert


def _summary(params: dict[str, Any]) -> list[tuple[str, str]]:
    try:
        return filter_pairs(parse_fact_filter(params))
    except InputError:
        return [("فیلتر", str(params))]


def _default_name(pairs: list[tuple[str, str]]) -> str:
    return "؛ ".join(value for _, value in pairs[:3])[:200] or "همهٔ واقعیت‌های تازه"


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request) -> HTMLResponse:
    who = session.require(request, "editor")
    found = alert_store.list_alerts(
        _store(request), owner=who.key_id, everyone=who.can("admin"), limit=200, before=None
    )
    rows = [{"alert": a, "summary": _summary(a.filter), "search": "/" + query_string(a.filter)} for a in found]
    return render(request, "alerts.html", title="هشدارها", rows=rows, deleted=request.query_params.get("deleted"))


alerts_page.ui_query_params = ("deleted",)  # type: ignore[attr-defined]


def _filter_from(pairs: list[tuple[str, str]]) -> tuple[dict[str, Any], str | None]:
    """The filter parameters (normalised) of these pairs, or an error message in Persian."""
    params: dict[str, list[str]] = {}
    for key, value in pairs:
        if key in KNOWN_PARAMS and key != "cursor" and value.strip():
            params.setdefault(key, []).append(value)
    try:
        filt = parse_fact_filter({k: v if len(v) > 1 else v[0] for k, v in params.items()})
    except InputError as err:
        return {}, persian_message(err)[1]
    return filt.to_params(), None


def new_alert(request: Request) -> HTMLResponse:
    session.require(request, "editor")
    params, error = _filter_from(list(request.query_params.multi_items()))
    pairs = _summary(params) if error is None else []
    return _form(request, params, pairs, error=error, name=_default_name(pairs))


new_alert.ui_query_params = tuple(KNOWN_PARAMS | {"cursor"})  # type: ignore[attr-defined]
router.add_api_route("/alerts/new", new_alert, methods=["GET"], response_class=HTMLResponse)


def _form(
    request: Request,
    params: dict[str, Any],
    pairs: list[tuple[str, str]],
    *,
    error: str | None = None,
    name: str = "",
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    hidden = [
        (f"{_PREFIX}{k}", str(v))
        for k, items in params.items()
        for v in (items if isinstance(items, list) else [items])
    ]
    return render(
        request,
        "alert_new.html",
        status=status,
        title="هشدار تازه",
        filter_error=error,
        summary=pairs,
        hidden=hidden,
        name=name,
        errors=errors or {},
        values=values or {"on_new": "1"},
        search_link="/" + query_string(params),
    )


def _resolver(request: Request) -> Resolver | None:
    resolver: Resolver | None = getattr(request.app.state, "alerts_resolver", None)
    return resolver


@router.post("/alerts", response_class=HTMLResponse)
async def create(request: Request) -> HTMLResponse:
    who = session.require(request, "editor")
    form = await session.read_form(request)
    session.check_csrf(request, form)
    pairs = [(k[len(_PREFIX) :], v) for k, values in form.items() if k.startswith(_PREFIX) for v in values]
    params, filter_error = _filter_from(pairs)
    summary = _summary(params) if filter_error is None else []
    name = session.one(form, "name").strip()
    webhook = session.one(form, "webhook_url").strip() or None
    values = {k: session.one(form, k) for k in ("on_new", "on_changed", "webhook_url")}
    on_new, on_changed = values["on_new"] == "1", values["on_changed"] == "1"
    errors: dict[str, str] = {}
    if not name or len(name) > 200:
        errors["name"] = "نامی بین ۱ تا ۲۰۰ نویسه بنویسید."
    if not (on_new or on_changed):
        errors["on_new"] = "دست‌کم یکی از دو گزینه را برگزینید."
    if webhook and not errors:
        try:
            await pin(
                webhook, allow_private=request.app.state.settings.webhook_allow_private, resolver=_resolver(request)
            )
        except InputError:
            errors["webhook_url"] = "این نشانی پذیرفته نیست: باید http یا https و روی یک نشانی عمومی اینترنت باشد."
    if errors or filter_error:
        return _form(request, params, summary, error=filter_error, name=name, errors=errors, values=values, status=422)
    secret = f"whsec_{secrets.token_urlsafe(32)}" if webhook else None
    token = secrets.token_urlsafe(32)
    alert = alert_store.create_alert(
        _store(request),
        name=name,
        params=params,
        on_new=on_new,
        on_changed=on_changed,
        webhook_url=webhook,
        webhook_secret=secret,
        feed_token=token,
        key_id=who.key_id,
        now=datetime.now(UTC),
    )
    feed = f"{str(request.base_url).rstrip('/')}/v1/alerts/{alert.id}/feed.atom?token={token}"
    return render(
        request, "alert_created.html", title="هشدار ساخته شد", alert=alert, summary=summary, feed=feed, secret=secret
    )


@router.post("/alerts/{alert_id}/delete")
async def delete(request: Request, alert_id: int) -> Response:
    who = session.require(request, "editor")
    form = await session.read_form(request)
    session.check_csrf(request, form)
    _owned(request, alert_id, who)
    alert_store.delete_alert(_store(request), alert_id)
    return RedirectResponse(f"/alerts?deleted={alert_id}", status_code=303)


@router.get("/alerts/{alert_id}/feed.atom")
def feed(request: Request, alert_id: int) -> Response:
    """The alert's Atom feed for this browser's key (feed readers use the token address shown at creation)."""
    who = session.require(request, "editor")
    alert = _owned(request, alert_id, who)
    found = alert_store.list_notifications(_store(request), alert.id, limit=50)
    document = atom.render_feed(alert, found, base_url=str(request.base_url), self_url=str(request.url))
    return Response(document, media_type=f"{atom.MEDIA_TYPE}; charset=utf-8", headers={"Cache-Control": "no-store"})
