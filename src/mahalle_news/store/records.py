"""The values the store takes and gives: plain dataclasses, no ORM."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

SaveStatus = Literal["new", "exact", "near", "exists"]
PollOutcome = Literal["ok", "not_modified", "error"]
RunStatus = Literal["running", "done", "interrupted", "failed"]


@dataclass(frozen=True)
class NewArticle:
    """An article to store, as the crawler fetched and extracted it."""

    url: str
    """The URL as fetched."""
    url_canonical: str
    """The dedup key (:func:`mahalle_news.crawl.dedup.canonical_url`); storing it twice is a no-op."""
    source_id: str
    """A source already registered by :meth:`Store.sync_sources`."""
    title: str | None
    text: str
    """The exact text the extractor saw: fact spans index it."""
    published_at: datetime | None
    fetched_at: datetime
    content_hash: str
    simhash: int
    """Unsigned 64-bit fingerprint (a signed one is accepted too)."""
    raw_html: bytes | None
    """The page as fetched; the store compresses it."""
    encoding: str | None
    http_status: int | None
    extraction_method: str | None
    province: str | None
    relevant: bool | None
    relevance: float | None
    topics: Sequence[str]
    extractor_version: str | None
    search_text: str
    """Folded title and text, words separated by spaces, for full-text search."""
    near_distance: int = 3
    """Largest SimHash distance of a near-duplicate (all candidates found up to 3; beyond, best effort)."""


@dataclass(frozen=True)
class NearCandidate:
    """An earlier article whose fingerprint lies within ``near_distance`` bits of a new one."""

    article_id: int
    story_id: int
    distance: int
    text: str


@dataclass(frozen=True)
class SavedArticle:
    """What :meth:`Store.save_article` did: ``exists`` means the URL was stored before and nothing changed."""

    article_id: int
    story_id: int
    status: SaveStatus
    facts_stored: int
    facts_counted: int


@dataclass(frozen=True)
class StoredArticle:
    """An article as stored (without its raw HTML: see :meth:`Store.get_raw_html`)."""

    id: int
    url: str
    url_canonical: str
    source_id: str
    story_id: int
    duplicate_kind: str | None
    title: str | None
    text: str
    published_at: datetime | None
    fetched_at: datetime
    content_hash: str
    simhash: int
    """Unsigned, as given."""
    encoding: str | None
    http_status: int | None
    extraction_method: str | None
    province: str | None
    relevant: bool | None
    relevance: float | None
    topics: list[str]
    extractor_version: str | None
    updated_at: datetime


@dataclass(frozen=True)
class SourceState:
    """A source's registry fields and its polling health."""

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
    polls_not_modified: int
    polls_failed: int
    items_seen: int
    next_poll_at: datetime | None
    etag: str | None
    last_modified: str | None
    last_error: str | None


@dataclass(frozen=True)
class CrawlRun:
    """One crawl run: ``running`` until finished (a run left ``running`` was killed)."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    status: str
    stats: dict[str, Any] | None
