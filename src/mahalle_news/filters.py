"""The filter language over facts: one definition shared by search (API and UI), saved alerts and exports.

A filter is parsed from query parameters (``type=budget&province=کرمان&date_from=1404-01-01``) into a
:class:`FactFilter`; every problem raises an :class:`~mahalle_news.errors.InputError` naming the parameter.
Names are resolved the way the extractor writes them: provinces by the gazetteer («كرمان», «استان کرمان» →
«کرمان»), programs by the registry's aliases («۲۰۲۰ محله» → «طرح ملی ۲۰۲۰ محله»). Dates are Gregorian
(``2025-03-21``) or Jalali (``1404-01-01``: a year below 1700 is Jalali), on the article's publication date.
A filter round-trips through :meth:`FactFilter.to_params` (alerts store it that way) and can be checked against
one fact in Python (:meth:`FactFilter.matches`), which is how alerts test a new fact.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import jdatetime

from mahalle_news.errors import InputError, Location
from mahalle_news.nlp import FACT_TYPES
from mahalle_news.text.normalize import fold, normalize

NATIONAL = "کشور"
SORTS = ("published_desc", "published_asc", "value_desc", "value_asc", "rials_desc", "rials_asc")
_LIST_PARAMS = ("type", "province", "program", "source")
_MAX_LIST = 50
_MAX_TEXT = 200


@dataclass(frozen=True)
class FactFilter:
    """Which facts: every field left empty means "any"."""

    type: tuple[str, ...] = ()
    province: tuple[str, ...] = ()
    program: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    official: str | None = None  # part of the official's name or role (folded match)
    value_min: float | None = None
    value_max: float | None = None
    rials_min: int | None = None
    rials_max: int | None = None
    date_from: dt.date | None = None  # publication date, inclusive (Gregorian)
    date_to: dt.date | None = None
    story: int | None = None
    article: int | None = None
    relevant: bool | None = True  # the classifier's verdict on the article; None = any
    counted: bool | None = True  # True: a syndicated story's repeated facts once; None = every copy
    q: str | None = None  # words that must all occur in the article (Persian folding)
    sort: str = "published_desc"
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def to_params(self) -> dict[str, Any]:
        """The non-default fields as query parameters (lists stay lists, dates are Gregorian ISO)."""
        out: dict[str, Any] = {}
        default = FactFilter()
        for f in fields(self):
            if f.name == "extra":
                continue
            value = getattr(self, f.name)
            if value == getattr(default, f.name):
                continue
            if isinstance(value, tuple):
                out[f.name] = list(value)
            elif isinstance(value, dt.date):
                out[f.name] = value.isoformat()
            elif isinstance(value, bool):
                out[f.name] = "true" if value else "false"
            elif value is None:
                out[f.name] = "any"
            else:
                out[f.name] = value
        return out

    def matches(self, fact: Mapping[str, Any], article: Mapping[str, Any]) -> bool:
        """Whether one stored fact (with its article's ``published_at``, ``source_id``, ``relevant`` and
        ``search_words``) passes this filter. ``q`` is checked against the article's folded search words."""
        if self.type and fact.get("type") not in self.type:
            return False
        if self.province and fact.get("province") not in self.province:
            return False
        program = fact.get("name") if fact.get("type") == "program" else fact.get("program")
        if self.program and program not in self.program:  # a program fact by its name, a figure by its program
            return False
        if self.source and article.get("source_id") not in self.source:
            return False
        if self.official is not None and not _official_match(self.official, fact):
            return False
        if not _in_range(fact.get("value"), self.value_min, self.value_max):
            return False
        if not _in_range(fact.get("rials"), self.rials_min, self.rials_max):
            return False
        if self.date_from is not None or self.date_to is not None:
            published = article.get("published_at")
            day = published.date() if isinstance(published, dt.datetime) else published
            if not isinstance(day, dt.date) or not _in_range(day, self.date_from, self.date_to):
                return False
        if self.story is not None and fact.get("story_id") != self.story:
            return False
        if self.article is not None and fact.get("article_id") != self.article:
            return False
        if self.relevant is not None and bool(article.get("relevant")) != self.relevant:
            return False
        if self.counted is not None and bool(fact.get("counted", True)) != self.counted:
            return False
        if self.q:
            have = set(article.get("search_words") or ())
            for alternatives in text_terms(self.q):
                if not any(all(w in have for w in phrase) for phrase in alternatives):
                    return False
        return True


def _in_range(value: Any, low: Any, high: Any) -> bool:
    if low is None and high is None:
        return True
    if value is None:
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def text_terms(q: str) -> list[tuple[tuple[str, ...], ...]]:
    """The words of a full-text query, each as its alternative spellings in index words (every word must match).

    Articles are indexed normalised, a compound written with a joiner both glued and as its parts. A compound the
    normaliser also forms from its parts written apart («کم‌برخوردار», «کمبرخوردار», «كم برخوردار» all normalise to
    the joined form) is in every such article's index glued: its glued word is its one spelling. Any other compound
    matches its glued word or its parts in a row (an article may write it apart, unjoined)."""
    from mahalle_news.store.fts import MAX_QUERY_TOKENS, tokens
    from mahalle_news.text.lexicon import ZWNJ
    from mahalle_news.text.normalize import fold_word, normalize

    out: list[tuple[tuple[str, ...], ...]] = []
    seen: set[tuple[tuple[str, ...], ...]] = set()
    for m in _WORD.finditer(normalize(q[: _MAX_TEXT * 2]).text):
        word = m.group().strip(ZWNJ)
        glued = tuple(tokens(fold_word(word)))
        parts = tuple(t for part in word.split(ZWNJ) for t in tokens(fold_word(part)))
        joined = ZWNJ in word and normalize(word.replace(ZWNJ, " ")).text == word
        alternatives = tuple(dict.fromkeys(a for a in ((glued,) if joined else (glued, parts)) if a))
        if alternatives and alternatives not in seen:
            seen.add(alternatives)
            out.append(alternatives)
    return out[:MAX_QUERY_TOKENS]


_WORD = re.compile(r"[\w\u200c]+", re.UNICODE)


def _official_match(wanted: str, fact: Mapping[str, Any]) -> bool:
    key = fold(wanted)
    if fact.get("type") != "official":
        return False
    return key in fold(str(fact.get("name") or "")) or key in fold(str(fact.get("role") or ""))


# ---------------------------------------------------------------------- parsing


def parse_date(value: str, name: str) -> dt.date:
    """``YYYY-MM-DD`` Gregorian, or Jalali when the year is below 1700 (``1404-01-01`` = 2025-03-21)."""
    text = normalize(value.strip()[:40]).text.translate(_DIGITS).replace("/", "-")
    parts = text.split("-")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts):
        raise InputError(f"not a date (YYYY-MM-DD, Gregorian or Jalali): {value!r}", location=Location(field=name))
    y, m, d = (int(p) for p in parts)
    try:
        if y < 1700:
            gregorian: dt.date = jdatetime.date(y, m, d).togregorian()
            return gregorian
        return dt.date(y, m, d)
    except ValueError:
        raise InputError(f"no such day: {value!r}", location=Location(field=name)) from None


_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


@functools.cache
def _provinces() -> dict[str, str]:
    from mahalle_news.text.places import PROVINCE, gazetteer

    out = {fold(p.name): p.name for p in gazetteer().places if p.kind == PROVINCE}
    out[fold(NATIONAL)] = NATIONAL
    return out


def resolve_province(value: str) -> str:
    """The official province name for a spelling of it («كرمان», «استان کرمان»), or an InputError."""
    key = fold(value)
    if key.startswith(fold("استان")) and key not in _provinces():
        key = key[len(fold("استان")) :]
    try:
        return _provinces()[key]
    except KeyError:
        raise InputError(f"not a province: {value!r}", location=Location(field="province")) from None


@functools.cache
def _program_names() -> dict[str, str]:
    from mahalle_news.nlp.registry import Registry, read_data_dir

    return Registry.from_texts(read_data_dir()).programs


def resolve_program(value: str) -> str:
    """The canonical program name for one of its aliases; an unknown name is kept as written (normalised)."""
    return _program_names().get(fold(value), normalize(value.strip()).text)


def _number(params: Mapping[str, Any], name: str, *, whole: bool = False) -> Any:
    raw = _one(params, name)
    if raw is None or raw == "":
        return None
    if len(str(raw)) > 64:
        raise InputError("too long for a number", location=Location(field=name))
    text = normalize(str(raw)).text.translate(_DIGITS).replace("٬", "").replace(",", "").replace("٫", ".")
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        kind = "a whole number" if whole else "a number"
        raise InputError(f"must be {kind}, got {raw!r}", location=Location(field=name)) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"must be a finite number, got {raw!r}", location=Location(field=name))
    if isinstance(value, int) and not _INT64[0] <= value <= _INT64[1]:
        raise InputError(f"out of range: {raw!r}", location=Location(field=name))
    return value


_INT64 = (-(1 << 63), (1 << 63) - 1)
#: Ids are 32-bit on PostgreSQL.
MAX_ID = (1 << 31) - 1


def _id(params: Mapping[str, Any], name: str) -> int | None:
    value: int | None = _number(params, name, whole=True)
    if value is not None and not 1 <= value <= MAX_ID:
        raise InputError(f"not an id: {value}", location=Location(field=name))
    return value


def _bool(params: Mapping[str, Any], name: str, default: bool | None) -> bool | None:
    raw = _one(params, name)
    if raw is None or raw == "":
        return default
    text = str(raw).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    if text in ("any", "all"):
        return None
    raise InputError(f"must be true, false or any, got {raw!r}", location=Location(field=name))


def _one(params: Mapping[str, Any], name: str) -> Any:
    value = params.get(name)
    if isinstance(value, list | tuple):
        if len(value) > 1:
            raise InputError("given more than once", location=Location(field=name))
        value = value[0] if value else None
    return _checked(value, name)


_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _checked(value: Any, name: str) -> Any:
    """``value``, unless it is text with a control character or a lone surrogate (no name or date has one)."""
    if isinstance(value, str) and _BAD_TEXT.search(value):
        raise InputError("contains a control character", location=Location(field=name))
    return value


def _many(params: Mapping[str, Any], name: str) -> list[str]:
    value = params.get(name)
    items: Sequence[Any] = value if isinstance(value, list | tuple) else ([] if value is None else [value])
    out = [s.strip() for item in items for s in str(_checked(item, name)).split(",") if s.strip()]
    if len(out) > _MAX_LIST:
        raise InputError(f"at most {_MAX_LIST} values", location=Location(field=name))
    return out


KNOWN_PARAMS = frozenset(f.name for f in fields(FactFilter)) - {"extra"}


def parse_fact_filter(params: Mapping[str, Any], *, allow: frozenset[str] = frozenset()) -> FactFilter:
    """A :class:`FactFilter` from query parameters; unknown parameters (other than ``allow``) are an error."""
    unknown = sorted(set(params) - KNOWN_PARAMS - allow)
    if unknown:
        raise InputError(
            f"unknown parameter (known: {', '.join(sorted(KNOWN_PARAMS))})", location=Location(field=unknown[0])
        )
    types = _many(params, "type")
    for t in types:
        if t not in FACT_TYPES:
            raise InputError(f"{t!r} is not one of {', '.join(FACT_TYPES)}", location=Location(field="type"))
    q = _one(params, "q")
    official = _one(params, "official")
    for name, text in (("q", q), ("official", official)):
        if text is not None and len(str(text)) > _MAX_TEXT:
            raise InputError(f"at most {_MAX_TEXT} characters", location=Location(field=name))
    sort = _one(params, "sort") or "published_desc"
    if sort not in SORTS:
        raise InputError(f"{sort!r} is not one of {', '.join(SORTS)}", location=Location(field="sort"))
    date_from, date_to = (_one(params, n) for n in ("date_from", "date_to"))
    filt = FactFilter(
        type=tuple(dict.fromkeys(types)),
        province=tuple(dict.fromkeys(resolve_province(p) for p in _many(params, "province"))),
        program=tuple(dict.fromkeys(resolve_program(p) for p in _many(params, "program"))),
        source=tuple(dict.fromkeys(_many(params, "source"))),
        official=str(official).strip() or None if official is not None else None,
        value_min=_number(params, "value_min"),
        value_max=_number(params, "value_max"),
        rials_min=_number(params, "rials_min", whole=True),
        rials_max=_number(params, "rials_max", whole=True),
        date_from=parse_date(str(date_from), "date_from") if date_from else None,
        date_to=parse_date(str(date_to), "date_to") if date_to else None,
        story=_id(params, "story"),
        article=_id(params, "article"),
        relevant=_bool(params, "relevant", True),
        counted=_bool(params, "counted", True),
        q=str(q).strip() or None if q is not None else None,
        sort=sort,
    )
    for low, high in (("value_min", "value_max"), ("rials_min", "rials_max"), ("date_from", "date_to")):
        a, b = getattr(filt, low), getattr(filt, high)
        if a is not None and b is not None and a > b:
            raise InputError(f"{low} is after {high}", location=Location(field=low))
    return filt
