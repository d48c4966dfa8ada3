"""Routes: article search and one article with its facts marked in its text.

``GET /v1/articles`` searches articles (full text ``q`` with Persian folding, province, source, dates,
relevance, story), newest first, keyset-paginated. ``GET /v1/articles/{article_id}`` returns the text cut into
segments at the fact spans (each listing the facts that cover it), the same spans as marks, every fact of the
article, and the other articles of its story (its syndicated copies from other sources).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from mahalle_news.config import Settings
from mahalle_news.errors import Location, NotFound
from mahalle_news.filters import parse_fact_filter
from mahalle_news.store import Store
from mahalle_news.store.search import MAX_ID, key_from_json, key_json
from mahalle_news.store.search_articles import article_detail, search_articles
from mahalle_news.web.auth import require
from mahalle_news.web.deps import decode_cursor, encode_cursor, get_settings, get_store
from mahalle_news.web.errors import ERROR_RESPONSES
from mahalle_news.web.models import (
    ArticleDetail,
    ArticleLinks,
    ArticleQuery,
    ArticleSummary,
    Fact,
    Mark,
    Page,
    Segment,
    StoryMember,
)
from mahalle_news.web.routes.facts import check_limit, fact_out

router = APIRouter(tags=["articles"], dependencies=[Depends(require("reader"))], responses=ERROR_RESPONSES)


def _summary_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    relevant = row.get("relevant")
    article_id, story_id = row["id"], row["story_id"]
    return {
        "article_id": article_id,
        "story_id": story_id,
        "duplicate_kind": row.get("duplicate_kind"),
        "source": row["source_id"],
        "url": row["url"],
        "title": row.get("title"),
        "published": row.get("published_at"),
        "province": row.get("province"),
        "relevant": None if relevant is None else bool(relevant),
        "relevance": row.get("relevance"),
        "topics": [str(t) for t in row.get("topics") or ()],
        "fact_count": row.get("fact_count", 0),
        "links": ArticleLinks(
            article=f"/v1/articles/{article_id}",
            facts=f"/v1/facts?article={article_id}&relevant=any&counted=any",
            story=f"/v1/articles?story={story_id}&relevant=any",
        ),
    }


@router.get("/v1/articles", response_model=Page[ArticleSummary], summary="Search articles")
def list_articles(
    query: Annotated[ArticleQuery, Query()],
    store: Annotated[Store, Depends(get_store)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Page[ArticleSummary]:
    """Articles matching every given filter, newest first (``sort``), a page at a time. Defaults: relevant
    articles only (``relevant=any`` for all)."""
    limit = check_limit(query.limit, settings)
    filt = parse_fact_filter(query.filter_params())
    after = key_from_json(filt.sort, decode_cursor(query.cursor, 3)) if query.cursor is not None else None
    page = search_articles(store, filt, limit=limit, after=after)
    cursor = None
    if page.next_key is not None:
        cursor = encode_cursor([filt.sort, key_json(filt.sort, page.next_key[0]), page.next_key[1]])
    items = [ArticleSummary(**_summary_fields(row), lead=row.get("lead") or "") for row in page.rows]
    return Page[ArticleSummary](items=items, next_cursor=cursor, limit=limit)


def segments(text: str, facts: Sequence[Fact]) -> list[Segment]:
    """``text`` cut at every fact span boundary; each piece lists the facts whose span covers it."""
    spans = [
        (max(0, f.span[0]), min(len(text), f.span[1]), f.fact_id)
        for f in facts
        if f.span is not None and len(f.span) == 2 and f.span[0] < f.span[1]
    ]
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out = []
    for start, end in itertools.pairwise(cuts):
        if start < end:
            covering = [fid for s, e, fid in spans if s <= start and end <= e]
            out.append(Segment(start=start, end=end, text=text[start:end], fact_ids=covering))
    return out


@router.get("/v1/articles/{article_id}", response_model=ArticleDetail, summary="One article, facts marked")
def read_article(
    article_id: Annotated[int, Path(ge=1, le=MAX_ID, description="The article's id.")],
    store: Annotated[Store, Depends(get_store)],
) -> ArticleDetail:
    """The article's text with its facts marked (``segments``, ``marks``), its facts, and its story's other
    articles."""
    found = article_detail(store, article_id)
    if found is None:
        raise NotFound(f"no article with id {article_id}", location=Location(field="article_id"))
    row, text = found.article, found.article["text"]
    facts = [fact_out(r | {"url": row["url"], "source_id": row["source_id"]}) for r in found.facts]
    marks = [
        Mark(start=f.span[0], end=f.span[1], fact_id=f.fact_id, type=f.type)
        for f in facts
        if f.span is not None and len(f.span) == 2
    ]
    others = [
        StoryMember(
            article_id=m["id"],
            source=m["source_id"],
            url=m["url"],
            title=m["title"],
            published=m["published_at"],
            duplicate_kind=m["duplicate_kind"],
        )
        for m in found.story
        if m["id"] != article_id
    ]
    return ArticleDetail(
        **_summary_fields(row),
        lead=text[:280],
        fetched=row["fetched_at"],
        extractor=row.get("extractor_version"),
        extraction_method=row.get("extraction_method"),
        text=text,
        segments=segments(text, facts),
        marks=marks,
        facts=facts,
        story_articles=others,
    )
