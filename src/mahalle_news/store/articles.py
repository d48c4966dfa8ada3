"""Writing articles and facts inside one open transaction: story assignment, fact rows, counted flags.

A fact is *counted* when it is the first one with its ``fact_key`` in its story, in (article id, seq) order: the
same figure reported by five syndicated copies of one story counts once.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from mahalle_news.store import fts
from mahalle_news.store.errors import StoreError
from mahalle_news.store.records import NearCandidate, NewArticle, SavedArticle, SaveStatus
from mahalle_news.store.schema import articles, facts, failed_pages, sources, stories
from mahalle_news.store.simhash import bands, hamming, to_signed, to_unsigned

NearCheck = Callable[[NearCandidate], bool]
#: zlib level for raw HTML: most of the gain of 9 at a fraction of the time.
HTML_COMPRESSION = 6
_INT64 = (-(1 << 63), (1 << 63) - 1)
_TEXT_FIELDS = ("unit", "name", "role", "program", "province", "approx", "period")


def compress_html(raw: bytes | None) -> bytes | None:
    """Raw HTML as stored (zlib)."""
    return None if raw is None else zlib.compress(raw, HTML_COMPRESSION)


def decompress_html(stored: bytes | None) -> bytes | None:
    """Raw HTML as fetched, from its stored form."""
    return None if stored is None else zlib.decompress(stored)


def existing(conn: sa.Connection, url_canonical: str) -> SavedArticle | None:
    """The ``exists`` answer for a URL stored before, or None."""
    row = conn.execute(
        sa.select(articles.c.id, articles.c.story_id).where(articles.c.url_canonical == url_canonical)
    ).first()
    return None if row is None else SavedArticle(row.id, row.story_id, "exists", 0, 0)


#: Besides articles sharing a SimHash band (every candidate up to 3 bits), the articles published this close to
#: the new one are compared too, so that copies edited more heavily (up to ``near_distance``) are found.
NEAR_WINDOW = timedelta(days=3)
NEAR_WINDOW_ROWS = 20_000


def near_candidates(
    conn: sa.Connection,
    simhash: int,
    max_distance: int,
    around: datetime | None = None,
    province: str | None = None,
) -> list[tuple[int, int, int]]:
    """(article id, story id, distance) of stored articles within ``max_distance`` bits, closest first (ties:
    oldest first): those sharing a SimHash band, and those published within :data:`NEAR_WINDOW` of ``around``
    (of the same province, when it is known: copies of one story report the same place)."""
    b = bands(simhash)
    band_columns = (articles.c.simhash_b0, articles.c.simhash_b1, articles.c.simhash_b2, articles.c.simhash_b3)
    columns = (articles.c.id, articles.c.story_id, articles.c.simhash)
    queries = [sa.select(*columns).where(sa.or_(*(col == value for col, value in zip(band_columns, b, strict=True))))]
    if around is not None and max_distance > 3:
        window: sa.ColumnElement[bool] = articles.c.published_at.between(around - NEAR_WINDOW, around + NEAR_WINDOW)
        if province is not None:
            window = sa.and_(window, articles.c.province == province)
        queries.append(
            sa.select(*columns).where(window).order_by(articles.c.published_at.desc()).limit(NEAR_WINDOW_ROWS)
        )
    found: dict[int, tuple[int, int, int]] = {}
    for query in queries:
        for row in conn.execute(query):
            found[row.id] = (row.id, row.story_id, hamming(row.simhash, simhash))
    return sorted((c for c in found.values() if c[2] <= max_distance), key=lambda c: (c[2], c[0]))


def _choose_story(
    conn: sa.Connection, article: NewArticle, near_check: NearCheck | None
) -> tuple[int | None, SaveStatus]:
    exact = conn.execute(
        sa.select(articles.c.story_id)
        .where(articles.c.content_hash == article.content_hash)
        .order_by(articles.c.id)
        .limit(1)
    ).scalar()
    if exact is not None:
        return exact, "exact"
    around = article.published_at or article.fetched_at
    for article_id, story_id, distance in near_candidates(
        conn, article.simhash, article.near_distance, around, article.province
    ):
        if near_check is not None:
            text = conn.execute(sa.select(articles.c.text).where(articles.c.id == article_id)).scalar_one()
            if not near_check(NearCandidate(article_id, story_id, distance, text)):
                continue
        return story_id, "near"
    return None, "new"


def _validate(article: NewArticle) -> None:
    try:
        to_unsigned(article.simhash)
    except ValueError as err:
        raise StoreError(f"{article.url}: {err}") from None
    if not 0 <= article.near_distance <= 64:
        raise StoreError(f"{article.url}: near_distance {article.near_distance} is outside 0–64")


def save(
    conn: sa.Connection,
    article: NewArticle,
    fact_list: Sequence[Mapping[str, Any]],
    fact_keys: Sequence[str],
    now: datetime,
    near_check: NearCheck | None = None,
) -> SavedArticle:
    """Store one article with its facts (see :meth:`Store.save_article`); the caller owns the transaction."""
    _validate(article)
    found = existing(conn, article.url_canonical)
    if found is not None:
        return found
    rows = fact_rows(fact_list, fact_keys, article.url, article.published_at, article.extractor_version)
    if conn.execute(sa.select(sources.c.id).where(sources.c.id == article.source_id)).first() is None:
        raise StoreError(f"{article.url}: unknown source {article.source_id!r} (register it with sync_sources)")
    story_id, status = _choose_story(conn, article, near_check)
    if story_id is None:
        story_id = conn.execute(
            sa.insert(stories)
            .values(first_seen_at=article.fetched_at, title=article.title, article_count=0)
            .returning(stories.c.id)
        ).scalar_one()
    b0, b1, b2, b3 = bands(article.simhash)
    article_id: int = conn.execute(
        sa.insert(articles)
        .values(
            url=article.url,
            url_canonical=article.url_canonical,
            source_id=article.source_id,
            story_id=story_id,
            duplicate_kind=None if status == "new" else status,
            title=article.title,
            text=article.text,
            published_at=article.published_at,
            fetched_at=article.fetched_at,
            content_hash=article.content_hash,
            simhash=to_signed(article.simhash),
            simhash_b0=b0,
            simhash_b1=b1,
            simhash_b2=b2,
            simhash_b3=b3,
            raw_html=compress_html(article.raw_html),
            encoding=article.encoding,
            http_status=article.http_status,
            extraction_method=article.extraction_method,
            province=article.province,
            relevant=article.relevant,
            relevance=article.relevance,
            topics=list(article.topics),
            extractor_version=article.extractor_version,
            updated_at=now,
        )
        .returning(articles.c.id)
    ).scalar_one()
    fts.index_article(conn, article_id, article.search_text)
    seen = set(conn.execute(sa.select(facts.c.fact_key).where(facts.c.story_id == story_id).distinct()).scalars())
    counted = insert_facts(conn, article_id, story_id, rows, seen)
    conn.execute(
        sa.update(stories)
        .where(stories.c.id == story_id)
        .values(
            article_count=stories.c.article_count + 1,
            primary_article_id=sa.func.coalesce(stories.c.primary_article_id, article_id),
        )
    )
    conn.execute(sa.delete(failed_pages).where(failed_pages.c.url_canonical == article.url_canonical))
    return SavedArticle(article_id, story_id, status, len(fact_list), counted)


def _check_keys(url: str, fact_list: Sequence[Mapping[str, Any]], fact_keys: Sequence[str]) -> None:
    if len(fact_list) != len(fact_keys):
        raise StoreError(f"{url}: {len(fact_list)} facts but {len(fact_keys)} fact keys")


def fact_rows(
    fact_list: Sequence[Mapping[str, Any]],
    fact_keys: Sequence[str],
    url: str,
    published_at: datetime | None,
    extractor_version: str | None,
) -> list[dict[str, Any]]:
    """The validated ``facts`` rows of an article's facts, not yet counted nor tied to their article."""
    _check_keys(url, fact_list, fact_keys)
    return [
        fact_row(fact, key, seq, url, published_at, extractor_version)
        for seq, (fact, key) in enumerate(zip(fact_list, fact_keys, strict=True))
    ]


def insert_facts(
    conn: sa.Connection, article_id: int, story_id: int, rows: list[dict[str, Any]], seen_keys: set[str] | None
) -> int:
    """Insert an article's fact rows; with ``seen_keys`` (the story's keys so far) set their counted flags and
    return how many count, without it insert them uncounted (the caller recomputes the story)."""
    counted = 0
    for row in rows:
        row.update(article_id=article_id, story_id=story_id)
        if seen_keys is not None and row["fact_key"] not in seen_keys:
            seen_keys.add(row["fact_key"])
            row["counted"] = True
            counted += 1
    if rows:
        conn.execute(sa.insert(facts), rows)
    return counted


def fact_row(
    fact: Mapping[str, Any],
    key: str,
    seq: int,
    url: str,
    published_at: datetime | None,
    extractor_version: str | None,
) -> dict[str, Any]:
    """The ``facts`` columns of one fact dict (uncounted; article_id and story_id excepted)."""

    def bad(message: str) -> StoreError:
        return StoreError(f"{url}: fact {seq}: {message}")

    if not isinstance(fact, Mapping):
        raise bad(f"must be a mapping, got {type(fact).__name__}")
    kind = fact.get("type")
    if not isinstance(kind, str) or not kind:
        raise bad(f"'type' must be a non-empty string, got {kind!r}")
    if not isinstance(key, str):
        raise bad(f"fact key must be a string, got {key!r}")
    span = _pair(fact.get("span"), "span", bad)
    sentence_span = _pair(fact.get("sentence_span"), "sentence_span", bad)
    version = fact.get("extractor")
    row: dict[str, Any] = {
        "seq": seq,
        "type": kind,
        "value": _number(fact.get("value"), "value", bad),
        "rials": _rials(fact.get("rials"), bad),
        **{name: _text(fact.get(name)) for name in _TEXT_FIELDS},
        "span_start": span[0],
        "span_end": span[1],
        "sentence": _text(fact.get("sentence")),
        "sentence_start": sentence_span[0],
        "sentence_end": sentence_span[1],
        "confidence": _number(fact.get("confidence"), "confidence", bad),
        "extractor_version": str(version) if version is not None else extractor_version,
        "data": dict(fact),
        "fact_key": key,
        "counted": False,
        "published_at": published_at,
    }
    return row


def _text(value: Any) -> str | None:
    return None if value is None else value if isinstance(value, str) else str(value)


def _number(value: Any, name: str, bad: Callable[[str], StoreError]) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise bad(f"{name!r} must be a finite number, got {value!r}")
    return float(value)


def _rials(value: Any, bad: Callable[[str], StoreError]) -> int | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad(f"'rials' must be a whole number, got {value!r}")
    if not _INT64[0] <= value <= _INT64[1]:
        raise bad(f"'rials' {value} does not fit in a 64-bit integer")
    return value


def _pair(value: Any, name: str, bad: Callable[[str], StoreError]) -> tuple[int | None, int | None]:
    if value is None:
        return None, None
    if (
        isinstance(value, str | bytes)
        or not isinstance(value, Sequence)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        raise bad(f"{name!r} must be [start, end] integers, got {value!r}")
    return value[0], value[1]


def recount_story(conn: sa.Connection, story_id: int) -> None:
    """Recompute the counted flags of every fact of a story."""
    seen: set[str] = set()
    changes = []
    query = (
        sa.select(facts.c.id, facts.c.fact_key, facts.c.counted)
        .where(facts.c.story_id == story_id)
        .order_by(facts.c.article_id, facts.c.seq)
    )
    for row in conn.execute(query):
        counted = row.fact_key not in seen
        seen.add(row.fact_key)
        if counted != row.counted:
            changes.append({"fid": row.id, "flag": counted})
    if changes:
        conn.execute(
            sa.update(facts).where(facts.c.id == sa.bindparam("fid")).values(counted=sa.bindparam("flag")), changes
        )


def replace(
    conn: sa.Connection,
    article_id: int,
    fact_list: Sequence[Mapping[str, Any]],
    fact_keys: Sequence[str],
    changes: dict[str, Any],
    search_text: str | None,
) -> int:
    """Replace an article's facts and update its columns (``changes``); see :meth:`Store.replace_facts`."""
    row = conn.execute(
        sa.select(articles.c.url, articles.c.story_id, articles.c.published_at).where(articles.c.id == article_id)
    ).first()
    if row is None:
        raise StoreError(f"no article with id {article_id}")
    rows = fact_rows(fact_list, fact_keys, row.url, row.published_at, changes.get("extractor_version"))
    conn.execute(sa.delete(facts).where(facts.c.article_id == article_id))
    conn.execute(sa.update(articles).where(articles.c.id == article_id).values(**changes))
    if search_text is not None:
        fts.index_article(conn, article_id, search_text, replace=True)
    insert_facts(conn, article_id, row.story_id, rows, None)
    recount_story(conn, row.story_id)
    return len(fact_list)
