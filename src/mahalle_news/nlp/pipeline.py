"""The spaCy pipeline: ``spacy.blank("fa")`` with our registered components, in order

    mahalle_text → mahalle_places → mahalle_programs → mahalle_officials → mahalle_quantities → mahalle_facts

The Doc is made from the *normalised* text; ``doc._.mahalle`` (a :class:`~.facts.Context`) carries the
normalisation's offset map, so facts are reported in original-text coordinates. Components take keyword-only
config, keep their patterns in data files, and save/load them with ``to_disk``/``from_disk``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from mahalle_news.config import Settings
from mahalle_news.errors import DataError
from mahalle_news.nlp.facts import EXTRACTOR_VERSION, Context, Fact, assemble, main_province, split_sentences
from mahalle_news.nlp.officials import find_officials
from mahalle_news.nlp.registry import Registry, read_data_dir
from mahalle_news.text.dates import find_dates
from mahalle_news.text.money import find_money
from mahalle_news.text.normalize import Normalized, normalize
from mahalle_news.text.numbers import find_numbers
from mahalle_news.text.places import find_dateline, find_places, prefer_province

if not Doc.has_extension("mahalle"):
    Doc.set_extension("mahalle", default=None)
if not Doc.has_extension("published"):
    Doc.set_extension("published", default=None)

COMPONENTS = (
    "mahalle_text",
    "mahalle_places",
    "mahalle_programs",
    "mahalle_officials",
    "mahalle_quantities",
    "mahalle_facts",
)


def _ctx(doc: Doc) -> Context:
    ctx = doc._.mahalle
    if not isinstance(ctx, Context):
        # a plain ``nlp(text)``: the Doc holds the original text; we work on its normalised copy
        ctx = Context(normalize(doc.text), [], [], [], [], [], [], [], [])
        ctx.doc_is_normalised = False
        doc._.mahalle = ctx
    return ctx


def _doc_span(doc: Doc, ctx: Context, start: int, end: int, label: str) -> Any:
    """A Span over the Doc for a normalised-text range (the Doc holds either the normalised or the original text)."""
    if not ctx.doc_is_normalised:
        start, end = ctx.norm.to_original(start, end)
    return doc.char_span(start, end, label=label, alignment_mode="expand")


class _DataComponent:
    """A component whose patterns live in data files: saved and loaded with the pipeline."""

    files: tuple[str, ...] = ()

    def __init__(self, name: str, data_dir: str | None) -> None:
        self.name = name
        self.texts = read_data_dir(Path(data_dir) if data_dir else None, self.files)
        self.registry = Registry.from_texts(self.texts)

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for name, text in self.texts.items():
            (path / name).write_text(text, encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> _DataComponent:
        self.texts = read_data_dir(Path(path), self.files)
        self.registry = Registry.from_texts(self.texts)
        return self


@Language.factory("mahalle_text", default_config={})
def make_text(nlp: Language, name: str) -> Any:
    def text_core(doc: Doc) -> Doc:
        ctx = _ctx(doc)
        ctx.sentences = split_sentences(ctx.norm.text)
        ctx.numbers = find_numbers(ctx.norm)
        ctx.money = find_money(ctx.norm, ctx.numbers)
        ctx.dates = find_dates(ctx.norm, doc._.published)
        for start, end in ctx.sentences:  # spaCy sees our sentence starts; token boundaries may differ
            span = _doc_span(doc, ctx, start, end, "SENT")
            if span is not None and len(span):
                span[0].is_sent_start = True
        return doc

    return text_core


@Language.factory("mahalle_places", default_config={})
def make_places(nlp: Language, name: str) -> Any:
    def places(doc: Doc) -> Doc:
        ctx = _ctx(doc)
        ctx.places = find_places(ctx.norm)
        ctx.dateline = find_dateline(ctx.norm)
        ctx.main_province = main_province(ctx.places, ctx.dateline)
        if ctx.main_province:
            prefer_province(ctx.places, ctx.main_province)
        doc.spans["places"] = [s for p in ctx.places if (s := _doc_span(doc, ctx, *p.norm_span, "PLACE"))]
        return doc

    return places


class ProgramsComponent(_DataComponent):
    files = ("programs.tsv",)

    def __call__(self, doc: Doc) -> Doc:
        ctx = _ctx(doc)
        ctx.programs = self.registry.find_programs(ctx.norm.text)
        doc.spans["programs"] = [s for a, b, _ in ctx.programs if (s := _doc_span(doc, ctx, a, b, "PROGRAM"))]
        return doc


@Language.factory("mahalle_programs", default_config={"data_dir": None})
def make_programs(nlp: Language, name: str, *, data_dir: str | None) -> ProgramsComponent:
    return ProgramsComponent(name, data_dir)


class OfficialsComponent(_DataComponent):
    files = ("roles.txt", "honorifics.txt", "first_names.txt")

    def __call__(self, doc: Doc) -> Doc:
        ctx = _ctx(doc)
        place_ends = {p.norm_span[0]: p.norm_span[1] for p in ctx.places}
        ctx.officials = find_officials(ctx.norm.text, ctx.sentences, self.registry, place_ends)
        doc.spans["officials"] = [s for o in ctx.officials if (s := _doc_span(doc, ctx, *o.name_span, "PERSON"))]
        return doc


@Language.factory("mahalle_officials", default_config={"data_dir": None})
def make_officials(nlp: Language, name: str, *, data_dir: str | None) -> OfficialsComponent:
    return OfficialsComponent(name, data_dir)


class QuantitiesComponent(_DataComponent):
    files = ("units.txt",)

    def __call__(self, doc: Doc) -> Doc:
        _ctx(doc).unit_keys = self.registry.unit_keys
        return doc


@Language.factory("mahalle_quantities", default_config={"data_dir": None})
def make_quantities(nlp: Language, name: str, *, data_dir: str | None) -> QuantitiesComponent:
    return QuantitiesComponent(name, data_dir)


if not Doc.has_extension("facts"):
    Doc.set_extension("facts", default=None)


@Language.factory("mahalle_facts", default_config={})
def make_facts(nlp: Language, name: str) -> Any:
    def facts(doc: Doc) -> Doc:
        doc._.facts = assemble(_ctx(doc))
        return doc

    return facts


def build_pipeline() -> Language:
    nlp = spacy.blank("fa")
    for name in COMPONENTS:
        nlp.add_pipe(name)
    nlp.meta["name"] = "mahalle_facts"
    nlp.meta["version"] = EXTRACTOR_VERSION
    return nlp


def default_model_dir() -> Path:
    from mahalle_news.config import Settings, project_dir

    return project_dir(Settings.from_env().models_dir) / "pipeline"


def load_pipeline(path: Path | None = None) -> Language:
    """The saved pipeline from ``path``; without one, ``models/pipeline`` if saved there, else a fresh build."""
    if path is not None and not (path / "config.cfg").exists():
        raise DataError(f"{path}: no saved pipeline here (config.cfg is missing)")
    path = path or default_model_dir()
    if not (path / "config.cfg").exists():
        return build_pipeline()
    try:
        return spacy.load(path)
    except (OSError, ValueError, KeyError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: the saved pipeline cannot be loaded ({exc})") from None


def make_doc(nlp: Language, text: str, published: dt.date | None = None) -> Doc:
    norm: Normalized = normalize(text)
    doc = nlp.make_doc(norm.text)
    doc._.mahalle = Context(norm, [], [], [], [], [], [], [], [])
    doc._.published = published
    return doc


@dataclass
class ArticleResult:
    id: str
    province: str | None
    facts: list[Fact]
    relevance: float | None = None
    relevant: bool | None = None
    topics: list[str] = field(default_factory=list)
    error: str | None = None  # set when this article could not be processed; the others still are

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "province": self.province,
            "relevant": self.relevant,
            "relevance": self.relevance,
            "topics": self.topics,
            "facts": [f.to_dict() for f in self.facts],
        }


def _run(nlp: Language, text: str, article_id: str, published: dt.date | None) -> tuple[ArticleResult, str]:
    doc = make_doc(nlp, text, published)
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    ctx = _ctx(doc)
    return ArticleResult(article_id, ctx.main_province, list(doc._.facts or [])), ctx.norm.text


def extract_many(
    nlp: Language,
    articles: Iterable[tuple[str, str, dt.date | None]],
    *,
    classifier: Any = None,
    batch_size: int = 64,
) -> Iterator[ArticleResult]:
    """Facts of each ``(id, text, published)``, in order; the classifier runs on batches of ``batch_size``."""
    batch: list[tuple[ArticleResult, str]] = []
    limit = Settings.from_env().max_text_chars
    for article_id, text, published in articles:
        if len(text) > limit:
            yield ArticleResult(
                article_id,
                None,
                [],
                error=f"text of {len(text):,} characters is over the limit of {limit:,} (MAHALLE_MAX_TEXT_CHARS)",
            )
            continue
        try:
            batch.append(_run(nlp, text, article_id, published))
        except Exception as exc:  # one article's failure must not lose the others
            yield ArticleResult(article_id, None, [], error=f"could not be processed: {exc.__class__.__name__}: {exc}")
            continue
        if len(batch) >= batch_size:
            yield from _classified(batch, classifier)
            batch = []
    yield from _classified(batch, classifier)


def _classified(batch: list[tuple[ArticleResult, str]], classifier: Any) -> list[ArticleResult]:
    if classifier is not None and batch:  # only articles that were processed reach here
        for (result, _), c in zip(batch, classifier.predict_normalized([t for _, t in batch]), strict=True):
            result.relevance, result.relevant, result.topics = round(c.relevance, 4), c.relevant, c.topics
    return [result for result, _ in batch]


def extract(
    nlp: Language, text: str, *, article_id: str = "", published: dt.date | None = None, classifier: Any = None
) -> ArticleResult:
    """Facts of one article (and its relevance when a classifier is given)."""
    return next(extract_many(nlp, [(article_id, text, published)], classifier=classifier))
