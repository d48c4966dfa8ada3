"""Store: articles, stories, facts and source health in SQLite (default) or PostgreSQL, migrated by Alembic."""

from mahalle_news.store.errors import StoreError
from mahalle_news.store.migrate import migrate
from mahalle_news.store.records import (
    CrawlRun,
    NearCandidate,
    NewArticle,
    SavedArticle,
    SourceState,
    StoredArticle,
)
from mahalle_news.store.store import Store

__all__ = [
    "CrawlRun",
    "NearCandidate",
    "NewArticle",
    "SavedArticle",
    "SourceState",
    "Store",
    "StoreError",
    "StoredArticle",
    "migrate",
]
