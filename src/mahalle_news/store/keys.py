"""API keys: created with a random secret shown once, stored as id + SHA-256 of the secret, revocable.

A key reads ``mn_<id>_<secret>``. The secret has 256 bits of randomness, so a plain SHA-256 is enough to store
it (a slow password hash protects guessable secrets, which these are not); comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, get_args

import sqlalchemy as sa

from mahalle_news.errors import InputError, Location, NotFound
from mahalle_news.store.schema import api_keys
from mahalle_news.store.store import Store

Role = Literal["reader", "editor", "admin"]
ROLES: tuple[str, ...] = get_args(Role)
_PREFIX = "mn"


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_key(store: Store, name: str, role: str) -> tuple[ApiKey, str]:
    """A new key; returns it and the full key string, which is never shown again."""
    if role not in ROLES:
        raise InputError(f"{role!r} is not one of {', '.join(ROLES)}", location=Location(field="role"))
    if not name.strip() or len(name) > 200:
        raise InputError("a name of 1–200 characters is required", location=Location(field="name"))
    key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with store.transaction("creating an API key", write=True) as conn:
        conn.execute(
            sa.insert(api_keys).values(
                id=key_id, name=name.strip(), role=role, secret_sha256=_digest(secret), created_at=now
            )
        )
    return ApiKey(key_id, name.strip(), role, now, None, None), f"{_PREFIX}_{key_id}_{secret}"


def list_keys(store: Store) -> list[ApiKey]:
    with store.transaction("listing API keys") as conn:
        rows = conn.execute(sa.select(api_keys).order_by(api_keys.c.created_at)).all()
    return [_key(row._mapping) for row in rows]


def revoke_key(store: Store, key_id: str) -> ApiKey:
    """Revoke a key (it stays listed, as revoked); unknown id → NotFound."""
    now = datetime.now(UTC)
    with store.transaction(f"revoking API key {key_id}", write=True) as conn:
        row = conn.execute(sa.select(api_keys).where(api_keys.c.id == key_id)).first()
        if row is None:
            raise NotFound(f"no API key with id {key_id!r}", location=Location(field="id"))
        if row.revoked_at is None:
            conn.execute(sa.update(api_keys).where(api_keys.c.id == key_id).values(revoked_at=now))
    return _key({**row._mapping, "revoked_at": row.revoked_at or now})


def verify_key(store: Store, presented: str) -> ApiKey | None:
    """The active key a presented key string belongs to, or None (malformed, unknown, wrong secret, revoked)."""
    parts = presented.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != _PREFIX:
        return None
    key_id, secret = parts[1], parts[2]
    with store.transaction("checking an API key") as conn:
        row = conn.execute(sa.select(api_keys).where(api_keys.c.id == key_id)).first()
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.secret_sha256, _digest(secret)):
        return None
    return _key(row._mapping)


def touch_key(store: Store, key_id: str) -> None:
    """Record that a key was just used."""
    with store.transaction("recording API key use", write=True) as conn:
        conn.execute(sa.update(api_keys).where(api_keys.c.id == key_id).values(last_used_at=datetime.now(UTC)))


def _key(row: object) -> ApiKey:
    m = dict(row)  # type: ignore[call-overload]
    return ApiKey(m["id"], m["name"], m["role"], m["created_at"], m["last_used_at"], m["revoked_at"])
