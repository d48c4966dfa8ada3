"""The store's error: anything the database refuses, reported with the (password-masked) URL."""

from __future__ import annotations

from mahalle_news.errors import MahalleError


class StoreError(MahalleError):
    """The database cannot be opened, migrated, read or written; the message names the URL and the cause."""

    code = "store_error"
