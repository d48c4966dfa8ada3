"""Scoring extracted facts against gold, by the rules of ``shared/seeds/README.md``.

Matching (always within one article and one fact type; strings compared through :func:`fold_key`):

- counts (``neighbourhood_count``, ``population``, ``percentage``, ``quantity``): equal ``value`` (integers
  exactly, floats within 1e-6), equal folded ``province``; for ``quantity`` the units' first words (the unit is
  split on whitespace, then each word folded; the first word that folds to something counts) are equal.
- ``budget``: equal ``rials`` and folded ``province``.
- ``program``: one folded ``name`` contains the other; a leading «طرح» word is dropped before folding. The
  program's province is not compared (the README does not ask for it).
- ``official``: equal folded ``name`` (the role is not compared).

Counting, per article: predictions equal under the matching key (the tuple above; for programs the folded name
without «طرح») are one prediction — the "same fact stated twice" rule. Each gold fact is matched at most once:
first predictions whose every compared field is identical (the full folded unit, too), then a maximum matching on
the remaining pairs. A matched prediction is a true positive; an unmatched one that matches an ``acceptable``
entry costs nothing; any other is a false positive, even when it matches a gold fact that another prediction
already took. Unmatched gold facts are false negatives. A prediction lacking a field its type compares (or with
an unknown type) matches nothing. Articles missing from the predictions predicted nothing; predictions for ids
not in the gold are listed in :attr:`EvalReport.unknown_articles` and not scored.

Metrics: P = tp/(tp+fp), or 1.0 when nothing was predicted and nothing was missed (fn == 0), else 0.0;
R = tp/(tp+fn), or 1.0 when there was nothing to find and nothing was predicted wrongly (fp == 0), else 0.0;
F1 = 2PR/(P+R), 0.0 when P + R == 0. The ``all`` row is the micro-average (summed counts).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mahalle_news.errors import InputError, Location
from mahalle_news.nlp import FACT_TYPES
from mahalle_news.text.normalize import fold

COUNT_TYPES = frozenset({"neighbourhood_count", "population", "percentage", "quantity"})
METRICS = ("precision", "recall", "f1")
ALL = "all"
#: Fields each type is matched on; gold facts must have them (numbers for value/rials, non-empty strings else).
REQUIRED: dict[str, tuple[str, ...]] = {t: ("value", "province") for t in COUNT_TYPES} | {
    "quantity": ("value", "unit", "province"),
    "budget": ("rials", "province"),
    "program": ("name",),
    "official": ("name",),
}
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩٫", "01234567890123456789.", ",٬ ")


def fold_key(s: str) -> str:
    """The folded matching form of a string (see :func:`mahalle_news.text.normalize.fold`)."""
    return fold(s)


def program_key(name: str) -> str:
    """A program name's matching form: a leading «طرح» word dropped, the rest folded."""
    words = name.split()
    if len(words) > 1 and fold(words[0]) == "طرح":
        words = words[1:]
    return fold(" ".join(words))


def unit_head(unit: str) -> str:
    """The folded first word of a counted unit («شورای پیشرفت محله» → «شورای»)."""
    return next((key for key in (fold(w) for w in unit.split()) if key), "")


def _number(value: object) -> int | float | None:
    """A numeric value: ints as they are, integral floats as ints, numeric strings parsed; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip().translate(_DIGITS)
        try:
            value = int(text) if text.isdecimal() else float(text)
        except ValueError:
            return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value) if value.is_integer() else value
    return None


@dataclass(frozen=True)
class _Fact:
    """A fact dict parsed for matching; ``key`` is None when it cannot match anything."""

    type: str
    raw: Mapping[str, Any]
    key: tuple[object, ...] | None
    full: tuple[object, ...] | None
    number: int | float | None = None


def _parse(raw: Mapping[str, Any]) -> _Fact:
    kind = raw.get("type")
    kind = kind if isinstance(kind, str) and kind else "?"
    if kind in COUNT_TYPES or kind == "budget":
        number = _number(raw.get("rials" if kind == "budget" else "value"))
        province = fold(raw["province"]) if isinstance(raw.get("province"), str) else ""
        if number is None or not province:
            return _Fact(kind, raw, None, None)
        rounded = round(float(number), 6) if isinstance(number, float) else number
        key: tuple[object, ...] = (kind, rounded, province)
        if kind != "quantity":
            return _Fact(kind, raw, key, key, number)
        unit = raw.get("unit")
        head = unit_head(unit) if isinstance(unit, str) else ""
        if not head:
            return _Fact(kind, raw, None, None)
        return _Fact(kind, raw, (*key, head), (*key, fold(str(unit))), number)
    name = raw.get("name")
    if kind in ("program", "official") and isinstance(name, str):
        folded = program_key(name) if kind == "program" else fold(name)
        if folded:
            return _Fact(kind, raw, (kind, folded), (kind, folded))
    return _Fact(kind, raw, None, None)


def _matches(pred: _Fact, gold: _Fact) -> bool:
    if pred.key is None or gold.key is None or pred.type != gold.type:
        return False
    if pred.type == "program":
        a, b = str(pred.key[1]), str(gold.key[1])
        return a in b or b in a
    if pred.number is None or gold.number is None:
        return pred.key == gold.key
    if isinstance(pred.number, float) or isinstance(gold.number, float):
        same = math.isclose(pred.number, gold.number, rel_tol=1e-9, abs_tol=1e-6)
    else:
        same = pred.number == gold.number
    return same and pred.key[2:] == gold.key[2:]


def _dedupe(facts: list[_Fact]) -> list[_Fact]:
    seen: set[tuple[object, ...]] = set()
    out: list[_Fact] = []
    for fact in facts:
        if fact.key is not None:
            if fact.key in seen:
                continue
            seen.add(fact.key)
        out.append(fact)
    return out


def _assign(preds: list[_Fact], golds: list[_Fact]) -> dict[int, int]:
    """prediction index → gold index: identical pairs first (greedy), then a maximum matching of the rest."""
    owner: dict[int, int] = {}  # gold -> prediction
    for i, p in enumerate(preds):
        for j, g in enumerate(golds):
            if j not in owner and p.full is not None and p.full == g.full and _matches(p, g):
                owner[j] = i
                break
    fixed, used = set(owner), set(owner.values())
    edges = {
        i: [j for j, g in enumerate(golds) if j not in fixed and _matches(p, g)]
        for i, p in enumerate(preds)
        if i not in used
    }

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j not in seen:
                seen.add(j)
                if j not in owner or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in edges:
        augment(i, set())
    return {i: j for j, i in owner.items()}


# ---------------------------------------------------------------- gold
@dataclass(frozen=True)
class GoldArticle:
    """One gold record; ``file`` is resolved against the gold file's folder, ``text`` read on first use."""

    id: str
    file: Path
    published: str | None
    province: str | None
    relevant: bool
    facts: list[dict[str, Any]]
    acceptable: list[dict[str, Any]] = field(default_factory=list)
    source: str | None = None
    notes: str | None = None

    @functools.cached_property
    def text(self) -> str:
        try:
            return self.file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read article text: {exc}", location=Location(file=str(self.file))) from exc


def _check_fact(fact: object, where: Location) -> dict[str, Any]:
    def bad(message: str, name: str = "") -> InputError:
        return InputError(message, location=Location(where.file, where.line, f"{where.field}{name}"))

    if not isinstance(fact, dict):
        raise bad("a fact must be a JSON object")
    kind = fact.get("type")
    if kind is None:
        raise bad("fact has no 'type'", ".type")
    if kind not in REQUIRED:
        raise bad(f"unknown fact type {kind!r}; expected one of {', '.join(FACT_TYPES)}", ".type")
    for name in REQUIRED[kind]:
        value = fact.get(name)
        if name in ("value", "rials"):
            if _number(value) is None or isinstance(value, str):
                raise bad(f"{kind} needs a number in {name!r}, got {value!r}", f".{name}")
        elif not isinstance(value, str) or not fold(value):
            raise bad(f"{kind} needs a non-empty string in {name!r}, got {value!r}", f".{name}")
    return fact


def _article(record: dict[str, Any], at: Callable[[str], Location], folder: Path) -> GoldArticle:
    article_id = record.get("id")
    if not isinstance(article_id, str) or not article_id:
        raise InputError("missing or empty 'id'", location=at("id"))
    lists: dict[str, list[dict[str, Any]]] = {}
    for name in ("facts", "acceptable"):
        items = record.get(name, [] if name == "acceptable" else None)
        if not isinstance(items, list):
            message = f"missing {name!r} list" if items is None else f"{name!r} must be a list"
            raise InputError(message, location=at(name))
        lists[name] = [_check_fact(f, at(f"{name}[{k}]")) for k, f in enumerate(items)]
    file_name = record.get("file")
    if not isinstance(file_name, str) or not file_name:
        raise InputError("missing or empty 'file'", location=at("file"))
    if not (folder / file_name).is_file():
        raise InputError(f"article text {folder / file_name} does not exist", location=at("file"))
    if not isinstance(record.get("relevant", True), bool):
        raise InputError("'relevant' must be true or false", location=at("relevant"))
    for name in ("published", "province", "source", "notes"):
        if not isinstance(record.get(name), str | None):
            raise InputError(f"{name!r} must be a string or null", location=at(name))
    return GoldArticle(
        id=article_id,
        file=folder / file_name,
        published=record.get("published"),
        province=record.get("province"),
        relevant=record.get("relevant", True),
        facts=lists["facts"],
        acceptable=lists["acceptable"],
        source=record.get("source"),
        notes=record.get("notes"),
    )


def load_gold(path: Path) -> list[GoldArticle]:
    """Read a gold JSONL file (one article a line, blank lines skipped); raise :class:`InputError` on bad input."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read gold file: {exc}", location=Location(file=str(path))) from exc
    articles: list[GoldArticle] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        at = functools.partial(Location, str(path), number)
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON: {exc.msg} (column {exc.colno})", location=at()) from exc
        if not isinstance(record, dict):
            raise InputError("a gold line must be a JSON object", location=at())
        article = _article(record, at, path.parent)
        if any(a.id == article.id for a in articles):
            raise InputError(f"duplicate id {article.id!r}", location=at("id"))
        articles.append(article)
    return articles


# ---------------------------------------------------------------- report
@dataclass
class TypeScore:
    """Counts of one fact type (or of all, micro-averaged) and the metrics they give."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        if self.tp + self.fp:
            return self.tp / (self.tp + self.fp)
        return 1.0 if self.fn == 0 else 0.0

    @property
    def recall(self) -> float:
        if self.tp + self.fn:
            return self.tp / (self.tp + self.fn)
        return 1.0 if self.fp == 0 else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, **{m: getattr(self, m) for m in METRICS}}


@dataclass(frozen=True)
class EvalError:
    """A missed gold fact (``fn``) or a false positive (``fp``) in one article."""

    kind: Literal["fn", "fp"]
    article: str
    fact: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "article": self.article, "fact": self.fact}


@dataclass
class EvalReport:
    """Per-type scores (every known type, plus any unknown type predicted), the errors, unscored ids."""

    per_type: dict[str, TypeScore]
    errors: list[EvalError] = field(default_factory=list)
    articles: int = 0
    unknown_articles: list[str] = field(default_factory=list)

    @property
    def micro(self) -> TypeScore:
        rows = self.per_type.values()
        return TypeScore(sum(r.tp for r in rows), sum(r.fp for r in rows), sum(r.fn for r in rows))

    def row(self, name: str) -> TypeScore:
        """The scores of a type, or the micro-average for ``"all"``."""
        return self.micro if name == ALL else self.per_type[name]

    def table(self) -> str:
        rows = [*self.per_type.items(), (ALL, self.micro)]
        width = max(len(name) for name, _ in rows)
        head = f"{'type':<{width}}  {'tp':>5} {'fp':>5} {'fn':>5}  {'P':>6} {'R':>6} {'F1':>6}"
        lines = [head, "-" * len(head)]
        for name, r in rows:
            if name == ALL:
                lines.append("-" * len(head))
            numbers = f"{r.tp:>5} {r.fp:>5} {r.fn:>5}  {r.precision:>6.3f} {r.recall:>6.3f} {r.f1:>6.3f}"
            lines.append(f"{name:<{width}}  {numbers}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "types": {name: r.to_dict() for name, r in self.per_type.items()},
            ALL: self.micro.to_dict(),
            "errors": [e.to_dict() for e in self.errors],
            "unknown_articles": list(self.unknown_articles),
        }


def score(gold: Sequence[GoldArticle], predictions: Mapping[str, Sequence[Mapping[str, Any]]]) -> EvalReport:
    """Score predicted facts (article id → fact dicts; extra fields ignored) against the gold articles."""
    report = EvalReport(per_type={t: TypeScore() for t in FACT_TYPES}, articles=len(gold))
    for article in gold:
        raw_preds = predictions.get(article.id, [])
        for k, fact in enumerate(raw_preds):
            if not isinstance(fact, Mapping):
                raise InputError("a predicted fact must be an object", location=Location(field=f"{article.id}[{k}]"))
        preds = _dedupe([_parse(f) for f in raw_preds])
        golds = [_parse(f) for f in article.facts]
        acceptable = [_parse(f) for f in article.acceptable]
        assigned = _assign(preds, golds)
        for i, p in enumerate(preds):
            row = report.per_type.setdefault(p.type, TypeScore())
            if i in assigned:
                row.tp += 1
            elif not any(_matches(p, a) for a in acceptable):
                row.fp += 1
                report.errors.append(EvalError("fp", article.id, dict(p.raw)))
        taken = set(assigned.values())
        for j, g in enumerate(golds):
            if j not in taken:
                report.per_type[g.type].fn += 1
                report.errors.append(EvalError("fn", article.id, dict(g.raw)))
    known = {a.id for a in gold}
    report.unknown_articles = sorted(k for k in predictions if k not in known)
    return report


def check_floors(report: EvalReport, floors: Mapping[str, Any]) -> list[str]:
    """Violations of quality floors, as sentences (empty: all floors met).

    ``floors`` is ``{"f1": {"<type>": floor, ...}, "precision": {...}, "recall": {...}}``; each map is optional,
    ``<type>`` is a fact type or ``"all"`` (the micro-average) and a floor lies in [0, 1]. A malformed map raises
    :class:`InputError` (its ``field`` says where).
    """
    if not isinstance(floors, Mapping):
        raise InputError("floors must be an object like {'f1': {'<type>': 0.9}}")
    violations: list[str] = []
    for metric, per_type in floors.items():
        if metric not in METRICS:
            message = f"unknown metric {metric!r}; expected one of {', '.join(METRICS)}"
            raise InputError(message, location=Location(field=metric))
        if not isinstance(per_type, Mapping):
            raise InputError(f"{metric!r} must map fact types to floors", location=Location(field=metric))
        for name, floor in per_type.items():
            where = Location(field=f"{metric}.{name}")
            if name != ALL and name not in report.per_type:
                raise InputError(f"unknown fact type {name!r}", location=where)
            value_ok = isinstance(floor, int | float) and not isinstance(floor, bool) and 0.0 <= floor <= 1.0
            if not value_ok:
                raise InputError(f"a floor must be a number in [0, 1], got {floor!r}", location=where)
            got = float(getattr(report.row(name), metric))
            if got < floor - 1e-12:
                violations.append(f"{name}: {metric} {got:.3f} is below the floor {floor:.3f}")
    return violations
