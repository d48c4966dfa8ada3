"""Full-text search over folded text: an FTS5 table on SQLite, a tsvector column with a GIN index on PostgreSQL.

The caller folds (:func:`mahalle_news.text.normalize.fold_word` per word, words separated by spaces); here the
folded text is cut into tokens the same way for both backends — runs of letters, digits, combining marks and
private-use characters — so a document and a query always agree on what a word is. A query matches articles that
contain every query token (whole tokens, no prefixes), best ranked first (bm25 on SQLite, ts_rank on PostgreSQL).
Query tokens are quoted before they reach FTS5 and passed through ``plainto_tsquery`` on PostgreSQL, so no user
string can use (or break) either query syntax.
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa

#: SQLite FTS5 tokenizer: letters (L*), digits (N*), private use (Co) and combining marks (M*: a diacritic the
#: folding missed stays inside its word). ZWNJ (Cf) separates, but folded text has none.
FTS5_TOKENIZER = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
#: Longest folded text indexed per article (characters); PostgreSQL refuses a tsvector over 1 MB.
MAX_INDEXED_CHARS = 1_000_000
#: Query tokens used at most; the rest of a giant query is ignored.
MAX_QUERY_TOKENS = 32


class _TokenTable(dict[int, int]):
    """``str.translate`` table: token characters map to themselves, all others to a space (filled lazily)."""

    def __missing__(self, code: int) -> int:
        category = unicodedata.category(chr(code))
        value = code if category[0] in "LNM" or category == "Co" else 0x20
        self[code] = value
        return value


_TABLE = _TokenTable()


def tokens(folded: str) -> list[str]:
    """The tokens of folded text, as both backends index them."""
    return folded[:MAX_INDEXED_CHARS].translate(_TABLE).split()


def indexed_text(folded: str) -> str:
    """The document as indexed: its tokens joined by single spaces."""
    return " ".join(tokens(folded))


def query_tokens(folded_query: str) -> list[str]:
    """The distinct tokens of a query, at most :data:`MAX_QUERY_TOKENS`."""
    return list(dict.fromkeys(tokens(folded_query)))[:MAX_QUERY_TOKENS]


def fts5_query(folded_query: str) -> str | None:
    """An FTS5 MATCH expression requiring every token (each one quoted), or None when there is no token."""
    words = query_tokens(folded_query)
    if not words:
        return None
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def index_article(conn: sa.Connection, article_id: int, folded: str, *, replace: bool = False) -> None:
    """Index (or with ``replace``, re-index) one article's folded text."""
    doc = indexed_text(folded)
    if conn.dialect.name == "postgresql":
        conn.execute(
            sa.text("UPDATE articles SET search_vector = to_tsvector('simple', :doc) WHERE id = :id"),
            {"doc": doc, "id": article_id},
        )
        return
    if replace:
        conn.execute(sa.text("DELETE FROM articles_fts WHERE rowid = :id"), {"id": article_id})
    conn.execute(
        sa.text("INSERT INTO articles_fts (rowid, search_text) VALUES (:id, :doc)"), {"id": article_id, "doc": doc}
    )


def search(conn: sa.Connection, folded_query: str, limit: int, offset: int) -> list[int]:
    """Article ids matching every token of the query, best first (ties: oldest article first)."""
    match = fts5_query(folded_query)
    if match is None or limit <= 0:
        return []
    params: dict[str, object] = {"limit": limit, "offset": max(0, offset)}
    if conn.dialect.name == "postgresql":
        sql = (
            "SELECT a.id FROM articles AS a, plainto_tsquery('simple', :q) AS q "
            "WHERE a.search_vector @@ q ORDER BY ts_rank(a.search_vector, q) DESC, a.id LIMIT :limit OFFSET :offset"
        )
        params["q"] = " ".join(query_tokens(folded_query))
    else:
        sql = (
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :q "
            "ORDER BY rank, rowid LIMIT :limit OFFSET :offset"
        )
        params["q"] = match
    return [int(row[0]) for row in conn.execute(sa.text(sql), params)]
