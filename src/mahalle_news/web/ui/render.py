"""Templates, the common page context, and Persian error pages.

Every UI route is a :class:`UIRoute`: whatever goes wrong in it (bad input, a missing key, an unknown id, the store
being down, a bug) becomes an HTML page in Persian with the right status, never the API's JSON envelope and never
a traceback. :class:`HtmlNotFoundRoute` answers browsers (``Accept: text/html``) asking for a page that does not
exist with a Persian 404; API clients still get the JSON envelope.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Scope

from mahalle_news.errors import AuthError, InputError, MahalleError, NotFound, RateLimited
from mahalle_news.web.errors import status_of
from mahalle_news.web.ui import format as fmt
from mahalle_news.web.ui import session

log = logging.getLogger("mahalle_news.web")

#: Sent with every page: no inline scripts, nothing from other sites, no framing.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
NAV = (
    ("/", "جست‌وجو"),
    ("/dashboard", "داشبورد استان‌ها"),
    ("/alerts", "هشدارها"),
    ("/export", "خروجی داده"),
    ("/sources", "منابع خبری"),
)
ROLE_LABELS = {"reader": "خواننده", "editor": "ویراستار", "admin": "مدیر"}


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mahalle_news.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        fa=fmt.fa_digits,
        fatext=fmt.fa_text,
        num=fmt.fa_number,
        pct=fmt.fa_percent,
        money=fmt.money,
        tomans=fmt.tomans,
        jdate=fmt.jalali_date,
        jshort=fmt.jalali_short,
        jdatetime=fmt.jalali_datetime,
        type_label=fmt.type_label,
        fact_value=fmt.fact_value,
        bidi=fmt.isolate_latin,
    )
    env.globals.update(
        NAV=NAV,
        TYPE_LABELS=fmt.TYPE_LABELS,
        STATUS_LABELS=fmt.STATUS_LABELS,
        ROLE_LABELS=ROLE_LABELS,
        qs=query_string,
    )
    return env


def query_string(params: Mapping[str, Any] | list[tuple[str, str]], **changes: Any) -> str:
    """``?a=1&b=2`` of parameters (lists repeat the name), with ``changes`` applied (None removes)."""
    pairs = list(params.items()) if isinstance(params, Mapping) else [(k, v) for k, v in params]
    drop = set(changes)
    out = [(k, v) for k, v in _flatten(pairs) if k not in drop]
    out += [(k, v) for k, v in _flatten(list(changes.items())) if v is not None]
    return "?" + urlencode(out) if out else ""


def _flatten(pairs: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for key, value in pairs:
        if value is None:
            continue
        values = value if isinstance(value, list | tuple) else [value]
        out += [(key, str(v)) for v in values]
    return out


def render(request: Request, template: str, *, status: int = 200, title: str = "", **context: Any) -> HTMLResponse:
    """The page ``template`` with the common context (who is signed in, the CSRF token, the current path)."""
    try:
        who = session.principal(request)
    except RateLimited:
        who = None
    page = (
        environment()
        .get_template(template)
        .render(
            request=request,
            path=request.url.path,
            who=who,
            csrf=session.csrf_token(request),
            csrf_field=session.CSRF_FIELD,
            anonymous_read=request.app.state.settings.anonymous_read,
            title=title,
            **context,
        )
    )
    response = HTMLResponse(page, status_code=status, headers=SECURITY_HEADERS)
    return session.finish(request, response)  # type: ignore[return-value]


# ---------------------------------------------------------------- errors

_STATUS_TEXT = {
    400: "درخواست نادرست",
    401: "کلید دسترسی لازم است",
    403: "اجازهٔ این کار را ندارید",
    404: "پیدا نشد",
    405: "این روش درخواست پذیرفته نیست",
    422: "ورودی نادرست",
    429: "درخواست‌ها بیش از حد مجاز",
    500: "خطای داخلی",
    503: "پایگاه داده در دسترس نیست",
}


_NOT_FOUND = {
    "fact_id": "واقعیتی با این شناسه نداریم؛ شاید خبرش دوباره پردازش شده و شناسه‌اش عوض شده است.",
    "article_id": "خبری با این شناسه نداریم.",
    "alert_id": "هشداری با این شناسه در میان هشدارهای شما نیست.",
    "province": "استانی به این نام نمی‌شناسیم.",
}


def _message(err: MahalleError, status: int) -> str:
    if isinstance(err, AuthError):
        if err.message.startswith("csrf"):
            return "فرم کهنه شده یا از جای دیگری فرستاده شده است. صفحه را دوباره باز کنید و فرم را از نو بفرستید."
        if err.forbidden:
            return "کلیدی که وارد کرده‌اید برای این کار نقش ویراستار یا مدیر ندارد."
        return "برای دیدن این بخش، کلید API خود را وارد کنید."
    if isinstance(err, RateLimited):
        return f"تعداد درخواست‌ها از حد مجاز گذشت؛ {fmt.fa_number(max(1, round(err.retry_after)))} ثانیه دیگر بکوشید."
    if isinstance(err, NotFound):
        field = err.location.field if err.location else None
        return _NOT_FOUND.get(field or "", "آنچه خواستید پیدا نشد؛ شاید نشانی یا شناسه نادرست است.")
    if isinstance(err, InputError):
        field = err.location.field if err.location else None
        return f"ورودی «{field}» پذیرفتنی نیست." if field else "ورودی پذیرفتنی نیست."
    if status == 503:
        return "اکنون به پایگاه داده دسترسی نداریم؛ کمی بعد دوباره بکوشید."
    return "خطایی پیش آمد. اگر تکرار شد، شناسهٔ درخواست را به پشتیبانی بدهید."


def error_page(request: Request, status: int, message: str, *, detail: str | None = None) -> HTMLResponse:
    return render(
        request,
        "error.html",
        status=status,
        title=_STATUS_TEXT.get(status, "خطا"),
        status_code=status,
        heading=_STATUS_TEXT.get(status, "خطا"),
        message=message,
        detail=detail,
        request_id=getattr(request.state, "request_id", None),
        show_login=status in (401, 403),
    )


def page_for_error(request: Request, exc: Exception) -> HTMLResponse:
    if isinstance(exc, MahalleError):
        status = status_of(exc)
        if status >= 500:
            log.error("ui request failed: %s", exc, extra={"request_id": getattr(request.state, "request_id", None)})
        response = error_page(request, status, _message(exc, status))
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = str(max(1, round(exc.retry_after)))
        return response
    if isinstance(exc, RequestValidationError):
        return error_page(request, 422, "نشانی این صفحه درست نیست؛ شناسه‌ها عدد هستند.")
    if isinstance(exc, StarletteHTTPException):
        return error_page(request, exc.status_code, _STATUS_TEXT.get(exc.status_code, "خطا"))
    log.exception("unexpected error in the UI", extra={"request_id": getattr(request.state, "request_id", None)})
    return error_page(request, 500, _message(MahalleError(str(exc)), 500))


Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class UIRoute(APIRoute):
    """A page: errors become Persian HTML pages. Two attributes of an endpoint tune it: ``ui_query_params``
    names the query parameters it reads itself (the app otherwise refuses undeclared ones), and
    ``ui_on_input_error(request, err)`` renders bad input its own way (the search form, with the message)."""

    @property
    def extra_query_params(self) -> tuple[str, ...]:
        """Read by :func:`mahalle_news.web.deps.reject_unknown_params`."""
        return tuple(getattr(self.endpoint, "ui_query_params", ()))

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except InputError as exc:
                fallback = getattr(self.endpoint, "ui_on_input_error", None)
                if fallback is not None:  # e.g. the search page: the form again, the problem explained
                    try:
                        response: Response = fallback(request, exc)
                        return response
                    except Exception as again:
                        return page_for_error(request, again)
                return page_for_error(request, exc)
            except Exception as exc:  # every failure of a page is a page
                return page_for_error(request, exc)

        return page


def _accepts_html(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"accept":
            return b"text/html" in value
    return False


class HtmlNotFoundRoute(UIRoute):
    """Matches GET requests from browsers for paths no other route has (outside the API and static files)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope.get("method") != "GET"
            or path.startswith(("/v1/", "/static/"))
            or not _accepts_html(scope)
        ):
            return Match.NONE, {}
        return super().matches(scope)


def not_found(request: Request) -> HTMLResponse:
    return error_page(request, 404, "صفحه‌ای با این نشانی نداریم. از فهرست بالای صفحه بخش دیگری را باز کنید.")
