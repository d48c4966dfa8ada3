"""Routes: the Persian web UI (server-rendered pages)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["ui"], include_in_schema=False)
