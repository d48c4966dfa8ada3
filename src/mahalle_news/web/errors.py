"""One JSON error envelope for every error the service returns:

``{"error": {"code": "invalid_input", "message": "…", "location": {"field": "province"}, "request_id": "…"}}``

Library errors (:class:`~mahalle_news.errors.MahalleError`) keep their code and location; validation errors of
FastAPI become ``invalid_input`` (422) naming the first bad parameter; anything unexpected is a 500 with a
request id to find it in the logs, never a stack trace.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from mahalle_news.errors import AuthError, InputError, MahalleError, NotFound, RateLimited

log = logging.getLogger("mahalle_news.web")


class ErrorBody(BaseModel):
    code: str
    message: str
    location: dict[str, Any] | None = None
    request_id: str | None = None


class ErrorEnvelope(BaseModel):
    """Every error response has this shape."""

    error: ErrorBody


#: For route declarations: ``responses=ERROR_RESPONSES`` documents the envelope in the OpenAPI document.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorEnvelope, "description": text}
    for status, text in (
        (401, "No or unknown API key"),
        (403, "The key's role may not do this"),
        (404, "Not found"),
        (422, "Invalid parameters"),
        (429, "Rate limit exceeded"),
    )
}


def status_of(err: MahalleError) -> int:
    """The HTTP status of a library error (shared by the JSON API and the HTML pages)."""
    if isinstance(err, AuthError):
        return 403 if err.forbidden else 401
    if isinstance(err, NotFound):
        return 404
    if isinstance(err, RateLimited):
        return 429
    if isinstance(err, InputError):
        return 422
    return 503 if err.code == "store_error" else 500


def envelope(request: Request, status: int, code: str, message: str, location: dict[str, Any] | None = None,
             headers: dict[str, str] | None = None) -> JSONResponse:  # fmt: skip
    body: dict[str, Any] = {"code": code, "message": message}
    if location:
        body["location"] = location
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    return JSONResponse({"error": body}, status_code=status, headers=headers)


async def _mahalle(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MahalleError)
    status = status_of(exc)
    location = exc.to_dict().get("location")
    headers: dict[str, str] = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(max(1, round(exc.retry_after)))
    if isinstance(exc, AuthError) and not exc.forbidden:
        headers["WWW-Authenticate"] = "Bearer"
    if status >= 500:
        log.error("request failed: %s", exc, extra={"request_id": getattr(request.state, "request_id", None)})
    return envelope(request, status, exc.code, exc.message, location if isinstance(location, dict) else None, headers)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first = errors[0] if errors else {}
    loc = [str(p) for p in first.get("loc", ()) if p not in ("query", "body", "path", "header")]
    message = str(first.get("msg", "invalid request"))
    return envelope(request, 422, "invalid_input", message, {"field": ".".join(loc)} if loc else None)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    codes = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 429: "rate_limited"}
    code = codes.get(exc.status_code, "http_error")
    return envelope(request, exc.status_code, code, str(exc.detail), headers=dict(exc.headers or {}))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", extra={"request_id": getattr(request.state, "request_id", None)})
    return envelope(request, 500, "internal_error", "internal error: the request id finds it in the service log")


def install(app: FastAPI) -> None:
    """Register the envelope for every kind of error."""
    app.add_exception_handler(MahalleError, _mahalle)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
