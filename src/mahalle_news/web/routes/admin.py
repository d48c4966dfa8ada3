"""Routes: administration — the sources' health (readers may look) and API keys (admins only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from mahalle_news.store import Store
from mahalle_news.store.keys import ApiKey, Role, create_key, list_keys, revoke_key
from mahalle_news.web.auth import require
from mahalle_news.web.deps import get_store
from mahalle_news.web.errors import ERROR_RESPONSES

router = APIRouter(tags=["admin"], responses=ERROR_RESPONSES)


class SourceHealth(BaseModel):
    id: str
    name: str
    agency: str | None
    province: str | None
    url: str
    kind: str
    poll_minutes: int
    enabled: bool
    verified: bool
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    consecutive_failures: int
    polls: int
    not_modified_share: float | None = Field(description="Share of polls answered 304 Not Modified.")
    articles_per_day: float = Field(description="New articles per day over the last 7 days.")
    next_poll_at: datetime | None
    last_error: str | None


class SourceList(BaseModel):
    items: list[SourceHealth]


@router.get("/v1/sources", response_model=SourceList, dependencies=[Depends(require("reader"))])
def sources(store: Store = Depends(get_store)) -> Any:
    """Every source the crawler knows, with its health."""
    per_day = store.articles_per_day()
    items = [
        SourceHealth(
            **{k: getattr(s, k) for k in SourceHealth.model_fields if hasattr(s, k)},
            not_modified_share=round(s.polls_not_modified / s.polls, 3) if s.polls else None,
            articles_per_day=round(per_day.get(s.id, 0.0), 2),
        )
        for s in store.list_sources()
    ]
    return SourceList(items=items)


class KeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    role: Role


class KeyOut(BaseModel):
    id: str
    name: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class KeyCreated(KeyOut):
    key: str = Field(description="The key itself: shown this once, never again.")


class KeyList(BaseModel):
    items: list[KeyOut]


def _out(key: ApiKey) -> dict[str, Any]:
    return {k: getattr(key, k) for k in KeyOut.model_fields}


@router.post("/v1/keys", response_model=KeyCreated, status_code=201, dependencies=[Depends(require("admin"))])
def create(body: KeyIn, store: Store = Depends(get_store)) -> Any:
    """Create an API key with a role."""
    key, secret = create_key(store, body.name, body.role)
    return KeyCreated(**_out(key), key=secret)


@router.get("/v1/keys", response_model=KeyList, dependencies=[Depends(require("admin"))])
def keys(store: Store = Depends(get_store)) -> Any:
    """Every API key (never the secrets)."""
    return KeyList(items=[KeyOut(**_out(k)) for k in list_keys(store)])


@router.delete("/v1/keys/{key_id}", response_model=KeyOut, dependencies=[Depends(require("admin"))])
def revoke(key_id: str, store: Store = Depends(get_store)) -> Any:
    """Revoke an API key."""
    return KeyOut(**_out(revoke_key(store, key_id)))
