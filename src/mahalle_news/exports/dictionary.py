"""The data dictionary of the exports: every column with its type, unit and meaning, and the rules of each format.

It is the one definition the exports are built from (the Parquet schema is derived from :data:`FACT_FIELDS` and
:data:`ARTICLE_FIELDS`), served as JSON at ``GET /v1/export/dictionary`` and written out for people in
``docs/data-dictionary.md`` (a test checks that the document lists exactly these columns with these types).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Logical column types, and how Parquet stores each.
PARQUET_TYPES = {
    "integer": "int64",
    "number": "float64",
    "boolean": "bool",
    "string": "string",
    "timestamp": "timestamp[us, tz=UTC]",
    "string list": "list<string>",
}


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # a key of PARQUET_TYPES
    description: str
    unit: str | None = None
    nullable: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "parquet_type": PARQUET_TYPES[self.type],
            "unit": self.unit,
            "nullable": self.nullable,
            "description": self.description,
        }


_SPAN = "character offset into the article's `text` (Unicode code points, 0-based"
FACT_FIELDS: tuple[Field, ...] = (
    Field("fact_id", "integer", "Id of the fact in this store.", nullable=False),
    Field("article_id", "integer", "Id of the article the fact was extracted from.", nullable=False),
    Field("story_id", "integer", "Id of the story: an article and its syndicated copies share one.", nullable=False),
    Field(
        "counted",
        "boolean",
        "True for the first occurrence of this fact in its story (by article id); false for its repeats in "
        "syndicated copies. Sum counted facts only, or a figure reprinted by five agencies counts five times.",
        nullable=False,
    ),
    Field(
        "type",
        "string",
        "neighbourhood_count, budget, program, official, population, percentage or quantity.",
        nullable=False,
    ),
    Field(
        "value",
        "number",
        "The figure: neighbourhoods (neighbourhood_count), persons (population), percent 0-100 (percentage), "
        "or so many `unit` (quantity). Empty for budget, program and official.",
        unit="by type (see the description)",
    ),
    Field(
        "rials",
        "integer",
        "A budget's amount in Iranian rials, whatever the text said (1 toman = 10 rials, 1 hemat = 10^13 rials). "
        "Budget facts only.",
        unit="IRR (rial)",
    ),
    Field("unit", "string", "What a quantity counts, in Persian as written (e.g. «نفر»). Quantity facts only."),
    Field(
        "name",
        "string",
        "A program's canonical name (program facts) or an official's name without honorifics (official facts).",
    ),
    Field("role", "string", "An official's position as the article gives it. Official facts only."),
    Field(
        "program",
        "string",
        "The program a count or budget belongs to, by its canonical name (e.g. «طرح ملی ۲۰۲۰ محله»).",
    ),
    Field(
        "province",
        "string",
        "One of Iran's 31 provinces, or «کشور» for a national figure: the place the figure is about.",
    ),
    Field(
        "approx",
        "string",
        "How exact the figure is: empty (exact), about, more_than or less_than (as the text hedges).",
    ),
    Field("period", "string", "A budget's period when stated: `1 year` or `per neighbourhood`."),
    Field(
        "status",
        "string",
        "For a count updated in the text («از ۶۷ به ۳۰۰ محله»): current (the new figure) or superseded; "
        "empty when there was no update.",
    ),
    Field("span_start", "integer", f"Start of the figure's evidence: {_SPAN}).", unit="characters"),
    Field("span_end", "integer", f"End of the evidence: {_SPAN}, exclusive).", unit="characters"),
    Field("sentence", "string", "The sentence the fact was found in, as in the article."),
    Field("sentence_start", "integer", f"Start of the sentence: {_SPAN}).", unit="characters"),
    Field("sentence_end", "integer", f"End of the sentence: {_SPAN}, exclusive).", unit="characters"),
    Field("confidence", "number", "The extractor's confidence in the fact, 0 to 1.", unit="probability"),
    Field("extractor", "string", "Version of the fact extractor that produced this fact."),
    Field("url", "string", "Address of the article as fetched.", nullable=False),
    Field("source", "string", "Id of the news source in the source registry.", nullable=False),
    Field("published", "timestamp", "When the article was published (UTC); empty when the source did not say."),
)

ARTICLE_FIELDS: tuple[Field, ...] = (
    Field("article_id", "integer", "Id of the article in this store.", nullable=False),
    Field("story_id", "integer", "Id of its story (an article and its syndicated copies).", nullable=False),
    Field(
        "duplicate_kind",
        "string",
        "Empty for the first article of a story; exact (same text) or near (nearly the same text) for a copy.",
    ),
    Field("source", "string", "Id of the news source in the source registry.", nullable=False),
    Field("url", "string", "Address of the article as fetched.", nullable=False),
    Field("title", "string", "Headline."),
    Field("published", "timestamp", "When it was published (UTC); empty when the source did not say."),
    Field("fetched", "timestamp", "When mahalle-news fetched it (UTC).", nullable=False),
    Field("province", "string", "The province the article is mainly about (or «کشور»)."),
    Field("relevant", "boolean", "The classifier's verdict: about neighbourhood-development programs or not."),
    Field("relevance", "number", "The classifier's probability that the article is relevant, 0 to 1.", "probability"),
    Field("topics", "string list", "Up to three of the classifier's fourteen Persian topic tags (e.g. «مسکن»)."),
    Field("extractor", "string", "Version of the fact extractor that last read the article."),
    Field("extraction_method", "string", "How the text was cut from the page: selector:A … selector:D, trafilatura."),
    Field(
        "text",
        "string",
        "The article text the facts point into: the title line, a line break, then the body.",
        nullable=False,
    ),
)

FIELDS: dict[str, tuple[Field, ...]] = {"facts": FACT_FIELDS, "articles": ARTICLE_FIELDS}

#: What a fact's ``value`` measures, by fact type (None: the type has no value).
VALUE_UNITS: dict[str, str | None] = {
    "neighbourhood_count": "neighbourhoods",
    "budget": None,
    "program": None,
    "official": None,
    "population": "persons",
    "percentage": "percent (0-100)",
    "quantity": "the fact's `unit`",
}

FORMAT_NOTES: dict[str, str] = {
    "csv": "UTF-8 with a byte-order mark (so Excel shows Persian), CRLF line ends, a header row, RFC 4180 quoting. "
    "An empty cell is null; booleans are true/false; lists are JSON arrays; timestamps ISO 8601 with +00:00. "
    "A text cell that would start with = + - @ or a tab gets a leading apostrophe ('), so that a spreadsheet "
    "does not run it as a formula; JSON lines and Parquet have such text as it is.",
    "jsonl": "One JSON object per line, UTF-8 without a byte-order mark, LF line ends. Every object has every key "
    "(null where a field does not apply); in facts the span columns are pairs: span = [span_start, span_end] "
    "and sentence_span = [sentence_start, sentence_end]. Timestamps are ISO 8601 strings with +00:00.",
    "parquet": "One file of row groups (10,000 facts or 1,000 articles each), Snappy-compressed, types as listed "
    "(parquet_type). File metadata: mahalle.kind, mahalle.extractor_version, mahalle.exported_at, "
    "mahalle.filter (the filter as JSON query parameters) and, written last, mahalle.rows and "
    "mahalle.extractor_versions (the versions found in the rows). Each column's metadata has its description "
    "and unit.",
}

NOTES: dict[str, str] = {
    "rials": "Money is always an integer number of Iranian rials: 1 toman = 10 rials, 1 hemat = 10^13 rials, "
    "short scale (میلیارد = 10^9).",
    "spans": "Spans are character offsets (Unicode code points, not bytes or UTF-16 units) into the article's "
    "`text` as exported in articles; start inclusive, end exclusive: text[span_start:span_end] in Python.",
    "dates": "Timestamps are ISO 8601 in UTC. The date filters (date_from, date_to) select on the UTC date of "
    "publication; a Jalali date (year below 1700) is converted first.",
    "counted": "A story groups an article with its syndicated copies. A fact repeated in copies is counted once: "
    "counted = true on its first occurrence only. Exports give counted facts of relevant articles unless "
    "counted=any / relevant=any (the CLI's --all).",
    "extractor": "Each row names the extractor version that produced it (`extractor`); the response header "
    "X-Mahalle-Extractor-Version and the Parquet metadata name the version the service runs now. Rows of older "
    "versions are re-extracted by `mahalle-news reprocess`.",
    "articles_filter": "Articles are filtered by source, publication date, relevant, q, story and article "
    "directly; the fact filters (type, province, program, official, value_*, rials_*, with counted) keep the "
    "articles that have at least one such fact. Without any fact filter, articles without facts are included.",
    "order": "Rows come in ascending id order (facts by fact_id, articles by article_id); sort is not taken.",
}


def dictionary(extractor_version: str | None = None) -> dict[str, Any]:
    """The whole dictionary as JSON-ready data."""
    if extractor_version is None:
        from mahalle_news.nlp.facts import EXTRACTOR_VERSION

        extractor_version = EXTRACTOR_VERSION
    return {
        "extractor_version": extractor_version,
        "formats": FORMAT_NOTES,
        "notes": NOTES,
        "value_units": VALUE_UNITS,
        "facts": [f.to_dict() for f in FACT_FIELDS],
        "articles": [f.to_dict() for f in ARTICLE_FIELDS],
    }
