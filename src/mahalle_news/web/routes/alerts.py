"""Routes: alerts — saved searches in the filter language of ``GET /v1/facts``, and how they notify.

Every route needs an API key with the editor role; an alert belongs to the key that created it (admins see every
alert). The Atom feed and the event stream also accept the alert's feed token (``?token=…``, given once at
creation) instead of a key, for feed readers and browsers that cannot send headers.
"""

from __future__ import annotations

import asyncio
import functools
import secrets
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from mahalle_news.alerts import atom, sse
from mahalle_news.alerts.ssrf import Resolver, pin
from mahalle_news.config import Settings
from mahalle_news.errors import AuthError, InputError, Location, NotFound
from mahalle_news.filters import parse_fact_filter
from mahalle_news.store import Store
from mahalle_news.store import alerts as alert_store
from mahalle_news.store.alerts import DELIVERY_STATUSES, Alert, Notification
from mahalle_news.web.auth import Principal, authenticate, check_role, require
from mahalle_news.web.deps import decode_cursor, encode_cursor, get_settings, get_store
from mahalle_news.web.errors import ERROR_RESPONSES

router = APIRouter(tags=["alerts"], responses=ERROR_RESPONSES)
editor = require("editor")

FilterValue = str | int | float | bool | list[str]
#: Ids are 32-bit integers on PostgreSQL: larger ones cannot exist (and must not reach the database).
MAX_ID = 2**31 - 1
AlertId = Annotated[int, Path(ge=1, le=MAX_ID, description="The alert's id.")]


class AlertIn(BaseModel):
    """A new alert."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="What the alert is for (shown in the feed).")
    filter: dict[str, FilterValue] = Field(
        default_factory=dict,
        description="The facts to alert on: the query parameters of GET /v1/facts, e.g. "
        '{"type": "budget", "province": ["کرمان", "یزد"], "rials_min": 1000000000}.',
    )
    webhook_url: str | None = Field(
        None, max_length=2000, description="POST each notification here (http or https, public address)."
    )
    on_new: bool = Field(True, description="Notify each new matching fact (once per story).")
    on_changed: bool = Field(
        False, description="Notify when a matching fact changes the latest figure of its province × program × metric."
    )


class AlertLinks(BaseModel):
    self: str
    feed: str
    events: str
    deliveries: str
    notifications: str


class AlertOut(BaseModel):
    id: int
    name: str
    filter: dict[str, Any]
    on_new: bool
    on_changed: bool
    webhook_url: str | None
    owner: str | None = Field(description="The id of the API key that created the alert.")
    created_at: datetime
    links: AlertLinks


class AlertCreated(AlertOut):
    webhook_secret: str | None = Field(
        description="Key of the webhook signatures (HMAC-SHA256). Shown once: store it now."
    )
    feed_token: str = Field(description="Lets the feed and event stream be read without an API key. Shown once.")
    feed_url: str = Field(description="The Atom feed with the token: for feed readers.")


class AlertList(BaseModel):
    items: list[AlertOut]
    next_cursor: str | None


class DeliveryOut(BaseModel):
    id: int
    notification_id: int
    idempotency_key: str
    url: str
    status: str = Field(description="pending, delivered or dead (no more attempts).")
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime
    history: list[dict[str, Any]]


class DeliveryList(BaseModel):
    items: list[DeliveryOut]
    next_cursor: str | None


class NotificationOut(BaseModel):
    id: int
    uuid: str
    kind: str
    created_at: datetime
    payload: dict[str, Any]


class NotificationList(BaseModel):
    items: list[NotificationOut]
    next_cursor: str | None


def _links(alert_id: int) -> AlertLinks:
    base = f"/v1/alerts/{alert_id}"
    return AlertLinks(
        self=base,
        feed=f"{base}/feed.atom",
        events=f"{base}/events",
        deliveries=f"{base}/deliveries",
        notifications=f"{base}/notifications",
    )


def _out(alert: Alert) -> AlertOut:
    return AlertOut(
        id=alert.id,
        name=alert.name,
        filter=alert.filter,
        on_new=alert.on_new,
        on_changed=alert.on_changed,
        webhook_url=alert.webhook_url,
        owner=alert.key_id,
        created_at=alert.created_at,
        links=_links(alert.id),
    )


def _owned(store: Store, alert_id: int, principal: Principal) -> Alert:
    """The alert, when the principal may see it (its owner, or an admin); else 404 (no hint it exists)."""
    alert = alert_store.get_alert(store, alert_id)
    if alert is None or (not principal.can("admin") and alert.key_id != principal.key_id):
        raise NotFound(f"no alert with id {alert_id}", location=Location(field="alert_id"))
    return alert


def _resolver(request: Request) -> Resolver | None:
    resolver: Resolver | None = getattr(request.app.state, "alerts_resolver", None)
    return resolver


def _filter_params(raw: dict[str, FilterValue]) -> dict[str, Any]:
    """The filter as query parameters (``filter.*`` in errors), normalised by the filter language."""
    params: dict[str, Any] = {}
    for name, value in raw.items():
        if isinstance(value, bool):
            params[name] = "true" if value else "false"
        elif isinstance(value, list):
            params[name] = [str(v) for v in value]
        else:
            params[name] = str(value)
    try:
        return parse_fact_filter(params).to_params()
    except InputError as err:
        field = err.location.field if err.location and err.location.field else None
        raise InputError(err.message, location=Location(field=f"filter.{field}" if field else "filter")) from None


def _cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    (value,) = decode_cursor(cursor, 1)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_ID:
        raise InputError("not a cursor this API gave out", location=Location(field="cursor"))
    return value


def _next(ids: list[int], limit: int) -> str | None:
    return encode_cursor([ids[-1]]) if len(ids) == limit and ids else None


@router.post("/v1/alerts", response_model=AlertCreated, status_code=201)
async def create_alert(
    body: AlertIn,
    request: Request,
    principal: Principal = Depends(editor),
    store: Store = Depends(get_store),
    settings: Settings = Depends(get_settings),
) -> Any:
    """Save a search as an alert. The response carries the webhook secret and the feed token, never shown again."""
    name = body.name.strip()
    if not name:
        raise InputError("must not be blank", location=Location(field="name"))
    if not (body.on_new or body.on_changed):
        raise InputError("an alert needs on_new or on_changed", location=Location(field="on_new"))
    params = await asyncio.to_thread(_filter_params, body.filter)  # the gazetteer may load: off the event loop
    webhook_url = body.webhook_url.strip() if body.webhook_url else None
    if webhook_url:
        await pin(webhook_url, allow_private=settings.webhook_allow_private, resolver=_resolver(request))
    secret = f"whsec_{secrets.token_urlsafe(32)}" if webhook_url else None
    token = secrets.token_urlsafe(32)
    alert = await asyncio.to_thread(
        functools.partial(alert_store.create_alert, store),
        name=name,
        params=params,
        on_new=body.on_new,
        on_changed=body.on_changed,
        webhook_url=webhook_url,
        webhook_secret=secret,
        feed_token=token,
        key_id=principal.key_id,
        now=datetime.now(UTC),
    )
    out = _out(alert)
    return AlertCreated(
        **out.model_dump(), webhook_secret=secret, feed_token=token, feed_url=f"{out.links.feed}?token={token}"
    )


@router.get("/v1/alerts", response_model=AlertList)
def list_alerts(
    limit: int = Query(50, ge=1, le=200, description="Alerts per page."),
    cursor: str | None = Query(None, description="next_cursor of the previous page."),
    principal: Principal = Depends(editor),
    store: Store = Depends(get_store),
) -> Any:
    """Your alerts (an admin's: everyone's), newest first."""
    found = alert_store.list_alerts(
        store, owner=principal.key_id, everyone=principal.can("admin"), limit=limit, before=_cursor(cursor)
    )
    return AlertList(items=[_out(a) for a in found], next_cursor=_next([a.id for a in found], limit))


@router.get("/v1/alerts/{alert_id}", response_model=AlertOut)
def get_alert(alert_id: AlertId, principal: Principal = Depends(editor), store: Store = Depends(get_store)) -> Any:
    """One alert."""
    return _out(_owned(store, alert_id, principal))


@router.delete("/v1/alerts/{alert_id}", status_code=204, response_class=Response)
def delete_alert(
    alert_id: AlertId, principal: Principal = Depends(editor), store: Store = Depends(get_store)
) -> Response:
    """Delete an alert with its notifications and pending webhook deliveries."""
    _owned(store, alert_id, principal)
    if not alert_store.delete_alert(store, alert_id):
        raise NotFound(f"no alert with id {alert_id}", location=Location(field="alert_id"))
    return Response(status_code=204)


@router.get("/v1/alerts/{alert_id}/deliveries", response_model=DeliveryList)
def deliveries(
    alert_id: AlertId,
    status: str | None = Query(None, description="pending, delivered or dead."),
    limit: int = Query(50, ge=1, le=200),
    cursor: str | None = Query(None),
    principal: Principal = Depends(editor),
    store: Store = Depends(get_store),
) -> Any:
    """The webhook deliveries of an alert, newest first: attempts, last answer, and dead letters."""
    if status is not None and status not in DELIVERY_STATUSES:
        raise InputError(f"must be one of {', '.join(DELIVERY_STATUSES)}", location=Location(field="status"))
    _owned(store, alert_id, principal)
    found = alert_store.list_deliveries(store, alert_id, status=status, before=_cursor(cursor), limit=limit)
    items = [
        DeliveryOut(
            **{k: getattr(d, k) for k in DeliveryOut.model_fields if k != "idempotency_key"},
            idempotency_key=d.notification_uuid,
        )
        for d in found
    ]
    return DeliveryList(items=items, next_cursor=_next([d.id for d in found], limit))


@router.get("/v1/alerts/{alert_id}/notifications", response_model=NotificationList)
def notifications(
    alert_id: AlertId,
    limit: int = Query(50, ge=1, le=200),
    cursor: str | None = Query(None),
    principal: Principal = Depends(editor),
    store: Store = Depends(get_store),
) -> Any:
    """What an alert has notified, newest first (the payloads webhooks received)."""
    _owned(store, alert_id, principal)
    found = alert_store.list_notifications(store, alert_id, before=_cursor(cursor), limit=limit)
    items = [
        NotificationOut(id=n.id, uuid=n.uuid, kind=n.kind, created_at=n.created_at, payload=n.payload) for n in found
    ]
    return NotificationList(items=items, next_cursor=_next([n.id for n in found], limit))


def _reader(
    alert_id: AlertId,
    request: Request,
    token: str | None = Query(None, description="The alert's feed token, instead of an API key."),
    store: Store = Depends(get_store),
) -> Alert:
    """The alert, for its feed token or for an editor key that may see it."""
    if token is not None:
        if not alert_store.check_feed_token(store, alert_id, token):
            raise AuthError("unknown feed token for this alert")
        alert = alert_store.get_alert(store, alert_id)
        if alert is None:  # deleted meanwhile
            raise NotFound(f"no alert with id {alert_id}", location=Location(field="alert_id"))
        return alert
    return _owned(store, alert_id, check_role(authenticate(request), "editor"))


@router.get(
    "/v1/alerts/{alert_id}/feed.atom",
    response_class=Response,
    responses={200: {"content": {atom.MEDIA_TYPE: {}}, "description": "An Atom 1.0 feed"}},
)
def feed(
    request: Request,
    limit: int = Query(50, ge=1, le=200, description="Newest entries in the feed."),
    alert: Alert = Depends(_reader),
    store: Store = Depends(get_store),
) -> Response:
    """The alert's notifications as an Atom feed (Persian titles, the evidence sentence, a link to the fact)."""
    found = alert_store.list_notifications(store, alert.id, limit=limit)
    document = atom.render_feed(alert, found, base_url=str(request.base_url), self_url=str(request.url))
    return Response(document, media_type=f"{atom.MEDIA_TYPE}; charset=utf-8")


def _last_event_id(request: Request, query: int | None) -> int | None:
    header = request.headers.get("last-event-id")
    value = (header or "").strip()
    if not value:
        return query
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_ID:
        raise InputError("must be the id of an event of this stream", location=Location(field="Last-Event-ID"))
    return int(value)


@router.get(
    "/v1/alerts/{alert_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {sse.MEDIA_TYPE: {}}, "description": "Server-sent events"}},
)
async def events(
    request: Request,
    last_event_id: int | None = Query(
        None, ge=0, le=MAX_ID, description="Resume after this event (the Last-Event-ID header wins)."
    ),
    alert: Alert = Depends(_reader),
    store: Store = Depends(get_store),
) -> StreamingResponse:
    """The alert's notifications as server-sent events: ``id:`` is the notification id, resume with
    ``Last-Event-ID``; ``: heartbeat`` comments keep the connection open."""
    start = _last_event_id(request, last_event_id)
    config: sse.StreamConfig = getattr(request.app.state, "alerts_stream", None) or sse.StreamConfig()

    async def fetch(after: int | None, limit: int) -> list[Notification]:
        if after is None:
            return await asyncio.to_thread(alert_store.list_notifications, store, alert.id, limit=limit)
        return await asyncio.to_thread(
            alert_store.list_notifications, store, alert.id, after=after, limit=limit, newest_first=False
        )

    stream = sse.event_stream(fetch, last_id=start, config=config, is_disconnected=request.is_disconnected)
    return StreamingResponse(stream, media_type=sse.MEDIA_TYPE, headers=sse.HEADERS)
