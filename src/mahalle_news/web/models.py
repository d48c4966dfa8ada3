"""The API's pydantic models: query-parameter models (inputs) and response models (outputs), kept apart.

Inputs are query-parameter models (``Annotated[FactQuery, Query()]``): every field is one query parameter, its
text parsed by the filter language (:func:`mahalle_news.filters.parse_fact_filter`), so Persian digits, Jalali
dates and province spellings work everywhere and every problem is a 422 naming the parameter. Outputs are what
the routes return; other route modules may reuse them (``Fact``, ``ArticleSummary``, ``Page``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

FactSort = Literal["published_desc", "published_asc", "value_desc", "value_asc", "rials_desc", "rials_asc"]
ArticleSort = Literal["published_desc", "published_asc"]

# ---------------------------------------------------------------- inputs


class FilterQuery(BaseModel):
    """The filter language as query parameters (lists: repeat the parameter or separate values by commas)."""

    type: list[str] = Field(default_factory=list, description="Fact types: neighbourhood_count, budget, …")
    province: list[str] = Field(default_factory=list, description="Provinces, in any spelling («استان كرمان»).")
    program: list[str] = Field(default_factory=list, description="Programs, by name or alias («۲۰۲۰ محله»).")
    source: list[str] = Field(default_factory=list, description="Source ids.")
    official: str | None = Field(None, max_length=200, description="Part of an official's name or role.")
    value_min: str | None = Field(None, description="Smallest value (Persian or Latin digits).")
    value_max: str | None = Field(None, description="Largest value.")
    rials_min: str | None = Field(None, description="Smallest amount in rials.")
    rials_max: str | None = Field(None, description="Largest amount in rials.")
    date_from: str | None = Field(None, description="First publication day (UTC): 2025-03-21 or Jalali 1404-01-01.")
    date_to: str | None = Field(None, description="Last publication day (UTC), inclusive, Gregorian or Jalali.")
    story: str | None = Field(None, description="Story id.")
    article: str | None = Field(None, description="Article id.")
    relevant: str | None = Field(None, description="Relevant articles only: true (default), false or any.")
    counted: str | None = Field(None, description="true (default: a syndicated story's fact once), false or any.")
    q: str | None = Field(
        None, max_length=200, description="Words that must all occur in the article (Persian folding: «کم‌برخوردار» "
        "= «کمبرخوردار» = «كم برخوردار»).",
    )  # fmt: skip

    def filter_params(self) -> dict[str, Any]:
        """The given filter parameters, as :func:`~mahalle_news.filters.parse_fact_filter` takes them."""
        names = FilterQuery.model_fields
        return {k: v for k, v in self.model_dump(include=set(names)).items() if v is not None and v != []}


class PageQuery(BaseModel):
    cursor: str | None = Field(None, max_length=2000, description="`next_cursor` of the previous page.")
    limit: int | None = Field(
        None, ge=1, description="Items per page: default 50, at most the service's max_page_size (default 200)."
    )


class FactQuery(PageQuery, FilterQuery):
    sort: FactSort = Field("published_desc", description="Order; ties and missing values by id, missing last.")
    facets: bool = Field(True, description="Count the matches by type, province and program, with a total.")


class ArticleQuery(PageQuery):
    q: str | None = Field(None, max_length=200, description="Words that must all occur (Persian folding).")
    province: list[str] = Field(default_factory=list, description="The article's province, in any spelling.")
    source: list[str] = Field(default_factory=list, description="Source ids.")
    date_from: str | None = Field(None, description="First publication day (UTC), Gregorian or Jalali.")
    date_to: str | None = Field(None, description="Last publication day (UTC), inclusive.")
    relevant: str | None = Field(None, description="true (default), false or any.")
    story: str | None = Field(None, description="Story id: the copies of one story.")
    sort: ArticleSort = Field("published_desc", description="Order by publication time; ties by id.")

    def filter_params(self) -> dict[str, Any]:
        names = ("q", "province", "source", "date_from", "date_to", "relevant", "story", "sort")
        return {k: v for k, v in self.model_dump(include=set(names)).items() if v is not None and v != []}


class CatalogQuery(PageQuery, FilterQuery):
    pass


class StatsQuery(PageQuery, FilterQuery):
    metric: list[str] = Field(
        default_factory=list, description="Metrics (fact types with a number); default: all of them."
    )
    history: int = Field(10, ge=1, le=100, description="Points of history per series (the latest ones).")
    timeline: bool = Field(True, description="Include the monthly timelines (by Jalali month).")


# ---------------------------------------------------------------- outputs


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FactLinks(_Out):
    fact: str
    article: str
    story: str = Field(description="The articles of the fact's story (its syndicated copies).")


class Fact(_Out):
    """One fact: the extractor's fields with its evidence (``sentence``, ``span`` and ``sentence_span`` index the
    article's text) and where it came from."""

    fact_id: int
    article_id: int
    story_id: int | None
    counted: bool = Field(description="False for the repeats of a fact in a story's syndicated copies.")
    type: str
    value: float | None = None
    rials: int | None = None
    unit: str | None = None
    name: str | None = None
    role: str | None = None
    program: str | None = None
    province: str | None = None
    approx: str | None = None
    period: str | None = None
    status: str | None = None
    span: list[int] | None = Field(None, description="[start, end) of the figure in the article's text.")
    sentence: str | None = None
    sentence_span: list[int] | None = None
    confidence: float | None = None
    extractor: str | None = None
    url: str | None = None
    source: str | None = None
    published: dt.datetime | None = None
    links: FactLinks


class FacetCount(_Out):
    value: str | None = Field(description="None: facts without one (no province, no program).")
    count: int


class Facets(_Out):
    type: list[FacetCount]
    province: list[FacetCount]
    program: list[FacetCount]


class Page[T](_Out):
    items: list[T]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
    limit: int


class FactPage(Page[Fact]):
    sort: str
    total: int | None = Field(None, description="Matches (with facets): all of them when total_exact, else a floor.")
    total_exact: bool | None = Field(
        None, description="False: total and facets were counted over the most recent matches only."
    )
    facets: Facets | None = None


class ArticleLinks(_Out):
    article: str
    facts: str
    story: str


class ArticleSummary(_Out):
    article_id: int
    story_id: int
    duplicate_kind: str | None = Field(description="exact / near: a copy of an earlier article of its story.")
    source: str
    url: str
    title: str | None
    published: dt.datetime | None
    province: str | None
    relevant: bool | None
    relevance: float | None
    topics: list[str]
    fact_count: int = Field(description="Facts extracted from the article.")
    lead: str = Field(description="The beginning of the text.")
    links: ArticleLinks


class Segment(_Out):
    start: int
    end: int
    text: str
    fact_ids: list[int] = Field(description="The facts whose span covers this piece of the text.")


class Mark(_Out):
    start: int
    end: int
    fact_id: int
    type: str


class StoryMember(_Out):
    article_id: int
    source: str
    url: str
    title: str | None
    published: dt.datetime | None
    duplicate_kind: str | None


class ArticleDetail(ArticleSummary):
    fetched: dt.datetime
    extractor: str | None
    extraction_method: str | None
    text: str
    segments: list[Segment] = Field(description="The text cut at fact spans: concatenated, it is `text`.")
    marks: list[Mark]
    facts: list[Fact] = Field(description="Every fact of the article (also the uncounted repeats), by position.")
    story_articles: list[StoryMember] = Field(description="The story's other articles (other sources, copies).")


class Program(_Out):
    name: str
    facts: int
    types: list[FacetCount]
    provinces: list[FacetCount]
    first_published: dt.datetime | None
    last_published: dt.datetime | None
    links: dict[str, str]


class Official(_Out):
    name: str
    facts: int
    roles: list[FacetCount]
    provinces: list[FacetCount] = Field(description="Provinces of the articles that name the official.")
    first_published: dt.datetime | None
    last_published: dt.datetime | None
    links: dict[str, str]


class Point(_Out):
    value: float
    fact_id: int
    article_id: int
    published: dt.datetime | None
    jalali: str | None = Field(description="The publication day (UTC) in the Jalali calendar.")


class Series(_Out):
    metric: str
    province: str | None
    program: str | None
    unit: str | None
    facts: int = Field(description="Facts in the series (history shows the latest of them).")
    latest: Point
    history: list[Point] = Field(description="Oldest first; the last one is `latest`.")


class Month(_Out):
    month: str = Field(description="Jalali month, 1404-01.")
    metric: str
    facts: int
    total: float
    max: float


class StatsPage(Page[Series]):
    timeline: list[Month] | None
