"""Pages: one fact (``/facts/{id}``: its figure, its evidence highlighted in the article, the story's other
sources) and one article (``/articles/{id}``: its text with every extracted fact marked by type)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mahalle_news.errors import Location, NotFound
from mahalle_news.nlp import FACT_TYPES
from mahalle_news.store import Store, StoredArticle
from mahalle_news.web.ui import queries, session
from mahalle_news.web.ui.format import fa_digits, fa_text
from mahalle_news.web.ui.highlight import marked_ids, segments
from mahalle_news.web.ui.pages_search import source_names
from mahalle_news.web.ui.render import UIRoute, render

router = APIRouter(route_class=UIRoute)


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _article(store: Store, article_id: int) -> StoredArticle:
    article = store.get_article(article_id)
    if article is None:
        raise NotFound(f"no article with id {article_id}", location=Location(field="article_id"))
    return article


def _title_end(article: StoredArticle) -> int:
    """Where the body starts: the text is the title line, then the body (spans index both)."""
    title = article.title or ""
    return len(title) + 1 if title and article.text.startswith(title + "\n") else 0


def _others(store: Store, article: StoredArticle) -> list[dict[str, object]]:
    """The other articles of the article's story (syndicated copies, near-duplicates), oldest first."""
    members = [m for m in store.story_members(article.story_id) if m[0] != article.id]
    titles = queries.article_titles(store, [m[0] for m in members])
    return [{"id": mid, "source_id": source, "url": url, **titles.get(mid, {})} for mid, source, url in members]


@router.get("/facts/{fact_id}", response_class=HTMLResponse)
def fact_page(request: Request, fact_id: int) -> HTMLResponse:
    session.require(request, "reader")
    store = _store(request)
    fact = queries.get_fact(store, fact_id)
    if fact is None:
        raise NotFound(f"no fact with id {fact_id}", location=Location(field="fact_id"))
    article = _article(store, fact["article_id"])
    text = article.text
    s0, s1 = fact.get("sentence_start"), fact.get("sentence_end")
    if isinstance(s0, int) and isinstance(s1, int) and 0 <= s0 < s1 <= len(text):
        evidence = segments(text, [fact], start=s0, end=s1)
    else:
        evidence = []
    body_start = _title_end(article)
    if isinstance(fact.get("span_start"), int) and fact["span_start"] < body_start:
        body_start = 0  # the evidence is in the title: show the text with its title line
    copies = queries.same_fact_in_story(store, fact["story_id"], fact["fact_key"])
    return render(
        request,
        "fact.html",
        title=f"واقعیت {fa_digits(fact_id)}",
        fact=fact,
        fact_status=(fact.get("data") or {}).get("status"),
        article=article,
        evidence=evidence,
        body=segments(text, [fact], start=body_start),
        copies=[c for c in copies if c["id"] != fact_id],
        others=_others(store, article),
        sources=source_names(store),
    )


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, article_id: int) -> HTMLResponse:
    session.require(request, "reader")
    store = _store(request)
    article = _article(store, article_id)
    found = queries.article_facts(store, article_id)
    body_start = _title_end(article)
    title_parts = segments(article.text, found, end=body_start - 1) if body_start else []
    body = segments(article.text, found, start=body_start)
    shown = marked_ids(title_parts) | marked_ids(body)
    kinds = sorted({f["type"] for f in found}, key=lambda k: FACT_TYPES.index(k) if k in FACT_TYPES else 99)
    return render(
        request,
        "article.html",
        title=fa_text(article.title or f"خبر {article_id}"),
        article=article,
        facts=found,
        title_parts=title_parts,
        body=body,
        unmarked=[f for f in found if f["id"] not in shown],
        kinds=kinds,
        others=_others(store, article),
        sources=source_names(store),
    )
