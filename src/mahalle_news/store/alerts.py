"""Alerts in the store: saved searches, their notifications and the webhook outbox.

Store-level functions take the :class:`~mahalle_news.store.Store` and run one transaction each; the two
connection-level ones (:func:`alert_rules`, :func:`add_notification`) run inside the transaction that stores an
article (the alerts matcher is a ``Store.on_saved`` hook), so a notification and its outbox row are committed
with the article or not at all.

Outbox rows are claimed by moving ``next_attempt_at`` one lease into the future with a conditional UPDATE: two
workers (the API and the crawler) never send the same row at once, and a worker that dies mid-send leaves the
row due again when its lease runs out (at-least-once; receivers deduplicate on the idempotency key).
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from mahalle_news.store.schema import alert_deliveries, alert_notifications, alerts
from mahalle_news.store.store import Store

DeliveryStatus = Literal["pending", "delivered", "dead"]
DELIVERY_STATUSES: tuple[str, ...] = ("pending", "delivered", "dead")
#: Attempts kept in a delivery's history (the newest).
HISTORY_LIMIT = 50


@dataclass(frozen=True)
class Alert:
    """A saved search (its webhook secret and feed token are never read back)."""

    id: int
    name: str
    filter: dict[str, Any]
    on_new: bool
    on_changed: bool
    webhook_url: str | None
    key_id: str | None
    created_at: datetime


@dataclass(frozen=True)
class Notification:
    """One firing of an alert: ``payload`` is the JSON a webhook receives (a snapshot of the facts)."""

    id: int
    uuid: str
    alert_id: int
    kind: str
    story_id: int
    fact_id: int | None
    article_id: int | None
    payload: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class Delivery:
    """The webhook delivery of one notification: its state in the outbox."""

    id: int
    notification_id: int
    notification_uuid: str
    alert_id: int
    url: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    delivered_at: datetime | None
    history: list[dict[str, Any]]
    created_at: datetime


@dataclass(frozen=True)
class DueDelivery:
    """A claimed outbox row with what sending it needs."""

    id: int
    notification_id: int
    uuid: str
    kind: str
    alert_id: int
    url: str
    secret: str
    payload: dict[str, Any]
    attempts: int


def token_digest(token: str) -> str:
    """How a feed token is stored: its SHA-256 (the token has 256 random bits, so no slow hash is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _alert(row: sa.Row[Any]) -> Alert:
    m = row._mapping
    return Alert(
        m["id"], m["name"], dict(m["filter"]), m["on_new"], m["on_changed"], m["webhook_url"], m["key_id"],
        m["created_at"],
    )  # fmt: skip


_ALERT_COLUMNS = [alerts.c[n] for n in ("id", "name", "filter", "on_new", "on_changed", "webhook_url", "key_id")]
_ALERT_COLUMNS.append(alerts.c.created_at)


def create_alert(
    store: Store,
    *,
    name: str,
    params: Mapping[str, Any],
    on_new: bool,
    on_changed: bool,
    webhook_url: str | None,
    webhook_secret: str | None,
    feed_token: str,
    key_id: str | None,
    now: datetime,
) -> Alert:
    """Store a new alert (``params`` as :meth:`FactFilter.to_params` gives them)."""
    values = {
        "name": name,
        "filter": dict(params),
        "on_new": on_new,
        "on_changed": on_changed,
        "webhook_url": webhook_url,
        "webhook_secret": webhook_secret,
        "feed_token_sha256": token_digest(feed_token),
        "key_id": key_id,
        "created_at": now,
    }
    with store.transaction("creating an alert", write=True) as conn:
        alert_id = conn.execute(sa.insert(alerts).values(**values).returning(alerts.c.id)).scalar_one()
    return Alert(alert_id, name, dict(params), on_new, on_changed, webhook_url, key_id, now)


def get_alert(store: Store, alert_id: int) -> Alert | None:
    with store.transaction("reading an alert") as conn:
        row = conn.execute(sa.select(*_ALERT_COLUMNS).where(alerts.c.id == alert_id)).first()
    return None if row is None else _alert(row)


def list_alerts(store: Store, *, owner: str | None, everyone: bool, limit: int, before: int | None) -> list[Alert]:
    """Alerts newest first (ids below ``before``): those of key ``owner``, or of ``everyone``."""
    query = sa.select(*_ALERT_COLUMNS).order_by(alerts.c.id.desc()).limit(limit)
    if not everyone:
        query = query.where(alerts.c.key_id == owner if owner is not None else alerts.c.key_id.is_(None))
    if before is not None:
        query = query.where(alerts.c.id < before)
    with store.transaction("listing alerts") as conn:
        return [_alert(row) for row in conn.execute(query)]


def delete_alert(store: Store, alert_id: int) -> bool:
    """Delete an alert with its notifications and outbox rows; False when there was none."""
    with store.transaction(f"deleting alert {alert_id}", write=True) as conn:
        conn.execute(sa.delete(alert_deliveries).where(alert_deliveries.c.alert_id == alert_id))
        conn.execute(sa.delete(alert_notifications).where(alert_notifications.c.alert_id == alert_id))
        return conn.execute(sa.delete(alerts).where(alerts.c.id == alert_id)).rowcount == 1


def check_feed_token(store: Store, alert_id: int, token: str) -> bool:
    """Whether ``token`` is the feed token of the alert (constant-time comparison)."""
    with store.transaction("checking a feed token") as conn:
        stored = conn.execute(sa.select(alerts.c.feed_token_sha256).where(alerts.c.id == alert_id)).scalar()
    return stored is not None and hmac.compare_digest(stored, token_digest(token))


# ---------------------------------------------------------------- inside the article transaction


@dataclass(frozen=True)
class AlertRule:
    id: int
    name: str
    filter: dict[str, Any]
    on_new: bool
    on_changed: bool
    webhook_url: str | None


def alert_rules(conn: sa.Connection) -> list[AlertRule]:
    """Every alert, as the matcher needs it."""
    c = alerts.c
    query = sa.select(c.id, c.name, c.filter, c.on_new, c.on_changed, c.webhook_url).order_by(c.id)
    return [AlertRule(r.id, r.name, dict(r.filter), r.on_new, r.on_changed, r.webhook_url) for r in conn.execute(query)]


def _insert_ignoring_duplicates(conn: sa.Connection, values: dict[str, Any]) -> int | None:
    table = alert_notifications
    insert = postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)
    stmt = insert.values(**values).on_conflict_do_nothing().returning(table.c.id)
    found: int | None = conn.execute(stmt).scalar()
    return found


def add_notification(
    conn: sa.Connection,
    *,
    alert_id: int,
    kind: str,
    story_id: int,
    dedup_key: str,
    fact_id: int | None,
    article_id: int | None,
    payload: Mapping[str, Any],
    webhook_url: str | None,
    now: datetime,
) -> int | None:
    """Record a notification and, with a webhook, its outbox row; None (and nothing written) when this alert
    already fired for (kind, story, dedup key)."""
    notification_uuid = str(payload.get("id") or uuid.uuid4())
    notification_id = _insert_ignoring_duplicates(
        conn,
        {
            "uuid": notification_uuid,
            "alert_id": alert_id,
            "kind": kind,
            "story_id": story_id,
            "dedup_key": dedup_key,
            "fact_id": fact_id,
            "article_id": article_id,
            "payload": dict(payload),
            "created_at": now,
        },
    )
    if notification_id is not None and webhook_url:
        conn.execute(
            sa.insert(alert_deliveries).values(
                notification_id=notification_id,
                alert_id=alert_id,
                url=webhook_url,
                status="pending",
                attempts=0,
                next_attempt_at=now,
                history=[],
                created_at=now,
            )
        )
    return notification_id


# ---------------------------------------------------------------- reading notifications and deliveries


def _notification(row: sa.Row[Any]) -> Notification:
    m = row._mapping
    return Notification(
        m["id"], m["uuid"], m["alert_id"], m["kind"], m["story_id"], m["fact_id"], m["article_id"], dict(m["payload"]),
        m["created_at"],
    )  # fmt: skip


def list_notifications(
    store: Store,
    alert_id: int,
    *,
    after: int | None = None,
    before: int | None = None,
    limit: int = 50,
    newest_first: bool = True,
) -> list[Notification]:
    """An alert's notifications by id (newest first, or oldest first for streaming from ``after``)."""
    n = alert_notifications.c
    query = sa.select(alert_notifications).where(n.alert_id == alert_id).limit(limit)
    query = query.order_by(n.id.desc() if newest_first else n.id)
    if after is not None:
        query = query.where(n.id > after)
    if before is not None:
        query = query.where(n.id < before)
    with store.transaction("reading notifications") as conn:
        return [_notification(row) for row in conn.execute(query)]


def _delivery(row: sa.Row[Any, *tuple[Any, ...]]) -> Delivery:
    m = dict(row._mapping)
    m["history"] = list(m["history"] or [])
    return Delivery(**m)


def list_deliveries(
    store: Store, alert_id: int, *, status: str | None = None, before: int | None = None, limit: int = 50
) -> list[Delivery]:
    """An alert's webhook deliveries, newest first."""
    d = alert_deliveries.c
    query = (
        sa.select(*alert_deliveries.c, alert_notifications.c.uuid.label("notification_uuid"))
        .join_from(alert_deliveries, alert_notifications, d.notification_id == alert_notifications.c.id)
        .where(d.alert_id == alert_id)
        .order_by(d.id.desc())
        .limit(limit)
    )
    if status is not None:
        query = query.where(d.status == status)
    if before is not None:
        query = query.where(d.id < before)
    with store.transaction("reading webhook deliveries") as conn:
        return [_delivery(row) for row in conn.execute(query)]


def outbox_counts(store: Store) -> dict[str, int]:
    """Deliveries per status (every status present, 0 when none): for metrics and health."""
    d = alert_deliveries.c
    with store.transaction("counting webhook deliveries") as conn:
        found: dict[str, int] = {
            status: count for status, count in conn.execute(sa.select(d.status, sa.func.count()).group_by(d.status))
        }
    return {status: int(found.get(status, 0)) for status in DELIVERY_STATUSES}


# ---------------------------------------------------------------- the outbox worker


def claim_due(store: Store, now: datetime, *, lease: timedelta, limit: int) -> list[DueDelivery]:
    """Claim up to ``limit`` pending deliveries due at ``now``: each is hidden from other workers for ``lease``."""
    d, n, a = alert_deliveries.c, alert_notifications.c, alerts.c
    with store.transaction("claiming webhook deliveries", write=True) as conn:
        due = conn.execute(
            sa.select(d.id)
            .where(d.status == "pending", d.next_attempt_at <= now)
            .order_by(d.next_attempt_at, d.id)
            .limit(limit)
        ).scalars()
        claimed = [
            delivery_id
            for delivery_id in list(due)
            if conn.execute(
                sa.update(alert_deliveries)
                .where(d.id == delivery_id, d.status == "pending", d.next_attempt_at <= now)
                .values(next_attempt_at=now + lease)
            ).rowcount
            == 1
        ]
        if not claimed:
            return []
        rows = conn.execute(
            sa.select(
                d.id, d.notification_id, n.uuid, n.kind, d.alert_id, d.url, a.webhook_secret, n.payload, d.attempts
            )
            .join_from(alert_deliveries, alert_notifications, d.notification_id == n.id)
            .join(alerts, d.alert_id == a.id)
            .where(d.id.in_(claimed))
            .order_by(d.id)
        ).all()
    return [
        DueDelivery(r.id, r.notification_id, r.uuid, r.kind, r.alert_id, r.url, r.webhook_secret or "",
                    dict(r.payload), r.attempts)
        for r in rows
    ]  # fmt: skip


def record_attempt(
    store: Store,
    delivery_id: int,
    *,
    at: datetime,
    outcome: DeliveryStatus,
    status: int | None,
    error: str | None,
    ms: int,
    next_attempt_at: datetime | None,
) -> None:
    """Record one attempt: ``delivered``, ``dead`` (no more attempts) or ``pending`` (again at
    ``next_attempt_at``). A delivery deleted meanwhile (its alert was) is ignored."""
    d = alert_deliveries.c
    with store.transaction(f"recording webhook delivery {delivery_id}", write=True) as conn:
        history = conn.execute(sa.select(d.history).where(d.id == delivery_id)).scalar()
        entries: Sequence[Any] = list(history or [])
        entries = [*entries, {"at": at.isoformat(), "status": status, "error": error, "ms": ms}][-HISTORY_LIMIT:]
        values: dict[str, Any] = {
            "status": outcome,
            "attempts": d.attempts + 1,
            "last_attempt_at": at,
            "last_status": status,
            "last_error": error,
            "history": entries,
            "next_attempt_at": next_attempt_at if outcome == "pending" else None,
        }
        if outcome == "delivered":
            values["delivered_at"] = at
        conn.execute(sa.update(alert_deliveries).where(d.id == delivery_id).values(**values))
