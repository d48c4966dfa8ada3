"""Dependencies shared by the routes: the store and settings of the app, strict query parameters and cursors."""

from __future__ import annotations

import base64
import json
from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from pydantic import BaseModel

from mahalle_news.config import Settings
from mahalle_news.errors import InputError, Location
from mahalle_news.store import Store

# The dependencies are ``async``: FastAPI runs a plain ``def`` dependency in a worker thread, a hop that costs
# more than the work of these.


async def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def reject_unknown_params(request: Request) -> None:
    """A query parameter the route does not declare is an error (422), not silently ignored: a typo in a filter
    must not return everything."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    allowed = _allowed_params(route, dependant)
    for name in request.query_params:
        if name not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            raise InputError(f"unknown parameter (this endpoint takes: {known})", location=Location(field=name))


def _allowed_params(route: Any, dependant: Dependant) -> frozenset[str]:
    """The query parameters ``route`` takes, worked out once and kept on the route."""
    names: frozenset[str] | None = getattr(route, "_mahalle_query_names", None)
    if names is None:
        names = frozenset(_query_names(dependant) | set(getattr(route, "extra_query_params", ())))
        route._mahalle_query_names = names
    return names


def _query_names(dependant: Dependant) -> set[str]:
    """Every query parameter a route declares, through its dependencies and query-parameter models."""
    names: set[str] = set()
    for param in dependant.query_params:
        kind = param.field_info.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            names |= {f.alias or n for n, f in kind.model_fields.items()}
        else:
            names.add(param.alias)
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def encode_cursor(values: list[Any]) -> str:
    """An opaque page cursor for keyset pagination: the sort key values of the last row of a page."""
    raw = json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    """The values of :func:`encode_cursor`; anything else is a 422 naming ``cursor``."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise InputError("not a cursor this API gave out", location=Location(field="cursor")) from None
    if not isinstance(values, list) or len(values) != size:
        raise InputError("not a cursor this API gave out", location=Location(field="cursor"))
    return values
