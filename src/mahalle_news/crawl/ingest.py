"""New article → normalise → classify → extract → store (article, story and facts in one transaction).

Also ``reprocess``: re-extract stored articles whose extractor version is not the current one, from the stored
text, without the network. Both run synchronously; the crawler calls them from its one database thread.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mahalle_news.crawl.dedup import NEAR_DISTANCE, NEAR_OVERLAP, content_hash, shingle_overlap, shingles, simhash
from mahalle_news.nlp.facts import EXTRACTOR_VERSION, Fact
from mahalle_news.nlp.pipeline import ArticleResult, extract_many
from mahalle_news.store.records import NearCandidate
from mahalle_news.store.store import NewArticle, SavedArticle, Store
from mahalle_news.text.search import index_text

#: Iran Standard Time: dates without a year are read against the publication date as Iranians see it.
IRAN = dt.timezone(dt.timedelta(hours=3, minutes=30))


@dataclass
class PageItem:
    """A fetched and extracted article page, ready for the NLP stage."""

    source_id: str
    url: str
    url_canonical: str
    title: str | None
    body: str
    published: dt.datetime | None
    fetched_at: dt.datetime
    raw_html: bytes
    encoding: str | None
    http_status: int | None
    method: str
    province_hint: str | None = None

    @property
    def text(self) -> str:
        """What the extractor reads and fact spans index: the title line, then the body."""
        return f"{self.title}\n{self.body}" if self.title else self.body


@dataclass
class Ingested:
    item: PageItem
    saved: SavedArticle | None = None
    error: str | None = None
    relevant: bool | None = None


@dataclass
class ReprocessStats:
    articles: int = 0
    facts: int = 0
    errors: list[str] = field(default_factory=list)


def fact_key(fact: Fact) -> str:
    """What makes two facts of one story the same fact (so syndicated copies count it once)."""
    return json.dumps(fact.key(), ensure_ascii=False, default=str)


def _same_story(body: str) -> Callable[[NearCandidate], bool]:
    """Confirms a SimHash candidate: its text must share most word 3-shingles with the new body."""
    mine = shingles(body)

    def check(candidate: NearCandidate) -> bool:
        return shingle_overlap(mine, shingles(candidate.text)) >= NEAR_OVERLAP

    return check


def _published_date(published: dt.datetime | None) -> dt.date | None:
    if published is None:
        return None
    return (published if published.tzinfo else published.replace(tzinfo=dt.UTC)).astimezone(IRAN).date()


def _province(result: ArticleResult, hint: str | None) -> str | None:
    return result.province or hint


def ingest(store: Store, items: Sequence[PageItem], nlp: Any, classifier: Any) -> list[Ingested]:
    """Extract and store a batch; each article is its own transaction, one failure does not lose the others."""
    results = extract_many(
        nlp,
        ((str(n), item.text, _published_date(item.published)) for n, item in enumerate(items)),
        classifier=classifier,
    )
    out: list[Ingested] = []
    for item, result in zip(items, results, strict=True):
        if result.error is not None:
            out.append(Ingested(item, error=f"{item.url}: {result.error}"))
            continue
        article = NewArticle(
            url=item.url,
            url_canonical=item.url_canonical,
            source_id=item.source_id,
            title=item.title,
            text=item.text,
            published_at=item.published,
            fetched_at=item.fetched_at,
            content_hash=content_hash(item.body),
            simhash=simhash(item.body),
            raw_html=item.raw_html,
            encoding=item.encoding,
            http_status=item.http_status,
            extraction_method=item.method,
            province=_province(result, item.province_hint),
            relevant=result.relevant,
            relevance=result.relevance,
            topics=list(result.topics),
            extractor_version=EXTRACTOR_VERSION,
            search_text=index_text(item.text),
            near_distance=NEAR_DISTANCE,
        )
        facts = [f.to_dict() for f in result.facts]
        keys = [fact_key(f) for f in result.facts]
        saved = store.save_article(article, facts, keys, near_check=_same_story(item.body))
        out.append(Ingested(item, saved=saved, relevant=result.relevant))
    return out


def reprocess(
    store: Store,
    nlp: Any,
    classifier: Any,
    *,
    everything: bool = False,
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
) -> ReprocessStats:
    """Re-extract every stored article whose facts came from another extractor version (or all of them)."""
    stats = ReprocessStats()
    stale = store.iter_articles(extractor_version_not=None if everything else EXTRACTOR_VERSION)
    batch: list[Any] = []
    for article in stale:
        batch.append(article)
        if len(batch) >= batch_size:
            _reprocess_batch(store, batch, nlp, classifier, stats, progress)
            batch = []
    _reprocess_batch(store, batch, nlp, classifier, stats, progress)
    return stats


def _reprocess_batch(
    store: Store,
    batch: Iterable[Any],
    nlp: Any,
    classifier: Any,
    stats: ReprocessStats,
    progress: Callable[[int], None] | None,
) -> None:
    articles = list(batch)
    triples = ((str(a.id), a.text, _published_date(a.published_at)) for a in articles)
    for article, result in zip(articles, extract_many(nlp, triples, classifier=classifier), strict=True):
        if result.error is not None:
            stats.errors.append(f"article {article.id}: {result.error}")
            continue
        stats.facts += store.replace_facts(
            article.id,
            [f.to_dict() for f in result.facts],
            [fact_key(f) for f in result.facts],
            extractor_version=EXTRACTOR_VERSION,
            province=result.province or article.province,
            relevant=result.relevant,
            relevance=result.relevance,
            topics=list(result.topics),
        )
        stats.articles += 1
        if progress is not None:
            progress(1)
