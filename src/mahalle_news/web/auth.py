"""Access: API keys with roles (reader ⊂ editor ⊂ admin), optional anonymous read, and per-key rate limits.

A key is sent as ``Authorization: Bearer mn_…`` or ``X-API-Key: mn_…``. With the ``anonymous_read`` setting,
requests without a key get the reader role (rate-limited per client address). Routes declare the role they need:
``dependencies=[Depends(require("reader"))]`` or take the principal: ``p: Principal = Depends(require("editor"))``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from mahalle_news.config import Settings
from mahalle_news.errors import AuthError, RateLimited
from mahalle_news.store import Store
from mahalle_news.store.keys import ROLES, Role, verify_key

_RANK = {role: n for n, role in enumerate(ROLES)}


@dataclass(frozen=True)
class Principal:
    """Who is asking: a key (id, name, role) or an anonymous reader (key_id None)."""

    key_id: str | None
    name: str
    role: str

    def can(self, role: str) -> bool:
        return _RANK[self.role] >= _RANK[role]


class RateLimiter:
    """Token buckets per caller: ``per_minute`` requests, refilled continuously, bursts up to the same number."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, who: str) -> float:
        """0 when the request may go ahead, else the seconds until it could."""
        if self.rate <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(who, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[who] = (tokens - 1.0, now)
                return 0.0
            self._buckets[who] = (tokens, now)
            return (1.0 - tokens) / self.rate


def presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.headers.get("x-api-key") or None


def authenticate(request: Request) -> Principal:
    """The principal of a request (cached on it), or AuthError 401; applies the rate limit."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    store: Store = request.app.state.store
    settings: Settings = request.app.state.settings
    key = presented_key(request)
    if key is not None:
        found = verify_key(store, key)
        if found is None:
            raise AuthError("unknown or revoked API key")
        principal = Principal(found.id, found.name, found.role)
    elif settings.anonymous_read:
        principal = Principal(None, "anonymous", "reader")
    else:
        raise AuthError("an API key is required: send `Authorization: Bearer <key>` (see `mahalle-news keys create`)")
    limiter: RateLimiter = request.app.state.rate_limiter
    who = principal.key_id or f"ip:{request.client.host if request.client else 'unknown'}"
    wait = limiter.take(who)
    if wait > 0:
        raise RateLimited(f"rate limit of {settings.rate_limit} requests per minute exceeded", retry_after=wait)
    request.state.principal = principal
    return principal


def check_role(principal: Principal, role: Role) -> Principal:
    """``principal`` when it has ``role`` (or a higher one), else AuthError: 401 without a key, 403 with one."""
    if not principal.can(role) and principal.key_id is None:
        raise AuthError(f"an API key with the {role} role is required")
    if not principal.can(role):
        raise AuthError(f"this needs the {role} role; the key has {principal.role}", forbidden=True)
    return principal


def require(role: Role) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency that lets the request through when its principal has ``role`` (or a higher one). It runs on
    the event loop; only a presented key, which is looked up in the store, goes to a worker thread."""
    if role not in _RANK:
        raise ValueError(f"unknown role {role!r}")

    async def dependency(request: Request) -> Principal:
        if isinstance(getattr(request.state, "principal", None), Principal) or presented_key(request) is None:
            principal = authenticate(request)  # no store access
        else:
            principal = await run_in_threadpool(authenticate, request)
        return check_role(principal, role)

    dependency.__name__ = f"require_{role}"
    return dependency
