"""Fact assembly: typed facts with evidence from what the text core and the registries found.

Every fact carries its ``span`` in the original article text, the ``sentence`` it came from, a ``confidence``
and the extractor version. Pure logic: the spaCy components (``pipeline.py``) feed it and store its output.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from mahalle_news.nlp import FACT_TYPES
from mahalle_news.nlp.officials import OfficialMention
from mahalle_news.text.dates import DateMention
from mahalle_news.text.money import MoneyMention
from mahalle_news.text.normalize import PERSIAN_LETTERS, Normalized, fold, fold_word, word_before
from mahalle_news.text.numbers import NumberMention
from mahalle_news.text.places import PlaceMention
from mahalle_news.text.qualifiers import qualifier_before

EXTRACTOR_VERSION = "0.1.0"
NATIONAL = "کشور"

_W = f"[{PERSIAN_LETTERS}\u200c]+"
_NEXT_WORDS = re.compile(rf"[ \u200c]*({_W}(?:[ \u200c]+{_W}){{0,3}})")
_NEIGHBOURHOOD = frozenset("محله محلات محله\u200cها محله\u200cهای محله\u200cی".split())
_PERCENT = frozenset(("درصد", "درصدی"))
#: Words right before a number that make it a label, not a figure: «ماده ۱۲», «منطقه ۴», «سال ۱۴۰۳».
_LABEL_BEFORE = frozenset(
    "ماده منطقه تبصره بند اصل ناحیه شماره کد پلاک فاز کوچه خیابان بلوک سال ساعت تلفن سامانه سرشماره ردیف "
    "جدول قانون مصوبه نسخه مرحله طبقه اتاق سالن واحد کلاس پایه".split()
)
_TIME_UNITS = frozenset("سال ماه روز هفته ساعت دقیقه ثانیه سده قرن دهه".split())
_RESIDENTS = re.compile("جمعیت|ساکن|سکونت|زندگی|نفوس|جمعیتی|اهالی|حاشیه‌نشین")
_NATIONAL_NEAR = re.compile(
    "(?:(?<=در )|(?<=سراسر )|(?<=کل )|(?<=سطح )|(?<=محله )|(?<=محلات )|(?<=محله\u200cهای )|(?<=هدف )"
    "|(?<=کم\u200cبرخوردار )|(?<=حاشیه\u200cای ))"
    "کشور(?![\u200c" + PERSIAN_LETTERS + "])"
)
_UPDATE_VERB = re.compile("افزایش|رسید|ارتقا|کاهش")
_PERIOD_YEAR = re.compile("یکسال|یک سال|سالانه|امسال|هر سال|در سال جاری|یک‌ساله")
_PERIOD_EACH = re.compile("(?:برای )?هر محله")
_SENTENCE_END = re.compile(r"(?<![\d۰-۹])[.!؟?](?![\d۰-۹])|\n+")


@dataclass
class Fact:
    type: str
    fields: dict[str, Any]
    span: tuple[int, int]  # original text
    sentence_span: tuple[int, int]  # original text
    sentence: str
    confidence: float
    norm_span: tuple[int, int] = (0, 0)
    extractor: str = EXTRACTOR_VERSION

    def key(self) -> tuple[Any, ...]:
        f = self.fields
        if self.type == "budget":
            return (self.type, f.get("rials"), f.get("province"))
        if self.type == "program":
            return (self.type, fold(f["name"]))
        if self.type == "official":
            return (self.type, fold(f["name"]))
        unit = fold(str(f.get("unit", "")).split(" ")[0]) if self.type == "quantity" else ""
        return (self.type, f.get("value"), f.get("province"), unit)

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            **self.fields,
            "span": list(self.span),
            "sentence": self.sentence,
            "sentence_span": list(self.sentence_span),
            "confidence": round(self.confidence, 3),
            "extractor": self.extractor,
        }


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of normalised text: ends at . ! ؟ ? (not a decimal point) and at line breaks."""
    out = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end() if m.group()[0] != "\n" else m.start()
        if text[start:end].strip():
            out.append((start, end))
        start = m.end()
    if text[start:].strip():
        out.append((start, len(text)))
    return out


@dataclass
class Context:
    """What the text core and registries found in one article, in normalised coordinates."""

    norm: Normalized
    sentences: list[tuple[int, int]]
    numbers: list[NumberMention]
    money: list[MoneyMention]
    dates: list[DateMention]
    places: list[PlaceMention]
    programs: list[tuple[int, int, str]]
    officials: list[OfficialMention]
    unit_keys: list[tuple[str, ...]]  # counted units, folded word by word, longest first
    dateline: PlaceMention | None = None
    main_province: str | None = None
    doc_is_normalised: bool = True  # False when a plain ``nlp(text)`` made the Doc from the original text
    _sentence_starts: list[int] = field(default_factory=list)
    _place_starts: list[int] = field(default_factory=list)

    def places_between(self, start: int, end: int) -> tuple[int, int]:
        """Index range of the places that start within ``[start, end)`` (places are in text order)."""
        if len(self._place_starts) != len(self.places):
            self._place_starts = [p.norm_span[0] for p in self.places]
        return bisect_left(self._place_starts, start), bisect_left(self._place_starts, end)

    def sentence_of(self, pos: int) -> int:
        if not self._sentence_starts:
            self._sentence_starts = [s for s, _ in self.sentences]
        return max(0, bisect_right(self._sentence_starts, pos) - 1)


def main_province(places: list[PlaceMention], dateline: PlaceMention | None) -> str | None:
    """The article's province: the dateline's, else the one its places name most (provinces count double)."""
    if dateline is not None and dateline.province:
        return dateline.province
    votes: Counter[str] = Counter()
    for p in places:
        if p.province:
            votes[p.province] += 2 if "province" in p.kinds else 1
    return votes.most_common(1)[0][0] if votes else None


_AFTER_CLAUSE = re.compile(r"[^،.؛:\n]{0,70}")
#: The unit and at most seven more words, then «در / از / سهم» and the place: «۱۲ محله کم‌برخوردار در شهر …».
_PLACE_AFTER = re.compile(
    r"[ \u200c]*(?:[^ \u200c،.]+[ \u200c]+){0,7}?(?:در|از|سهم)[ \u200c]+(?:سطح[ \u200c]+|کل[ \u200c]+|سراسر[ \u200c]+)?"
    r"(?:استان[ \u200c]+|شهرستان[ \u200c]+|شهر[ \u200c]+)?"
)
_NOUN_PHRASE_GAP = re.compile(r"[ \u200c]*(?:[^ \u200c،.]+[ \u200c]+){0,3}")
#: Words before a place that make it part of someone's title: «فرماندار محلات» says who, not where.
_TITLE_CUES = frozenset(("استاندار", "فرماندار", "شهردار", "بخشدار", "استانداری", "فرمانداری", "نماینده"))


def province_at(ctx: Context, pos: int, end: int) -> str | None:
    """Where a figure belongs: a place (or «کشور») written right after it («۳۸ محله در استان زنجان»), else the
    nearest one before it in the sentence, else after it, else the nearest place before the sentence, the
    dateline, the article's main province. A city or county resolves to its province."""
    t = ctx.norm.text
    s_start, s_end = _window(ctx, pos, end)
    lo, hi = ctx.places_between(s_start, s_end)
    found: list[tuple[int, int, str]] = [
        (p.norm_span[0], p.norm_span[1], p.province) for p in ctx.places[lo:hi] if p.province
    ]
    found += [(m.start(), m.end(), NATIONAL) for m in _NATIONAL_NEAR.finditer(t, s_start, s_end)]
    clause = _AFTER_CLAUSE.match(t, end)
    clause_end = min(clause.end() if clause else end, s_end)
    after_pick: tuple[int, str] | None = None  # (words between, province)
    for start_, _, province in sorted(found):
        if end <= start_ < clause_end:
            gap = t[end:start_]
            if (
                _PLACE_AFTER.fullmatch(gap)
                or (province == NATIONAL and _NOUN_PHRASE_GAP.fullmatch(gap))
                or len(gap.split()) <= 1  # «۱۲ محله کرمان»
            ):
                # «۳۸ محله در استان زنجان», «۱۲۰ محله سهم استان اصفهان», «۲ هزار و ۲۰ محله کشور»
                after_pick = (len(gap.split()), province)
            break
    before = [f for f in found if f[1] <= pos]
    if before:
        nearest = max(before)
        between = t[nearest[1] : pos]
        closer = not re.search("[،:؛]", between) and len(between.split()) < after_pick[0] if after_pick else True
        if after_pick is None or (after_pick[0] > 3 and closer):
            return nearest[2]  # «در کشور ۲ هزار و ۲۰ محله …» beats a place further on, within one clause
    if after_pick is not None:
        return after_pick[1]
    after = [f for f in found if f[0] >= end]
    if after:
        return min(after)[2]
    for k in range(lo - 1, -1, -1):  # the nearest place before the sentence
        p = ctx.places[k]
        if p.province and (p.cue not in _TITLE_CUES or p.province == ctx.main_province):
            return p.province
    if ctx.dateline is not None and ctx.dateline.province:
        return ctx.dateline.province
    return ctx.main_province


#: How far around a figure its sentence is read: bounds the work on texts with giant sentences.
_RADIUS = 1000


def _window(ctx: Context, start: int, end: int) -> tuple[int, int]:
    """The figure's sentence, clipped to ``_RADIUS`` characters on either side of it."""
    s_start, s_end = ctx.sentences[ctx.sentence_of(start)] if ctx.sentences else (0, len(ctx.norm.text))
    return max(s_start, start - _RADIUS), min(s_end, end + _RADIUS)


def _sentence_text(ctx: Context, start: int) -> str:
    return ctx.norm.text[slice(*_window(ctx, start, start))]


def _program_at(ctx: Context, pos: int) -> str | None:
    """The program named in the figure's sentence (nearest), or the last one named before it when the sentence
    says «این طرح / این برنامه»."""
    s_start, s_end = _window(ctx, pos, pos)
    here = [p for p in ctx.programs if s_start <= p[0] < s_end]
    if here:
        return min(here, key=lambda p: abs(p[0] - pos))[2]
    sentence = ctx.norm.text[s_start:s_end]
    if "این طرح" in sentence or "این برنامه" in sentence:
        earlier = [p for p in ctx.programs if p[0] < pos]
        return earlier[-1][2] if earlier else None
    return None


_TOKEN = re.compile(r"[^ \u200c]+")


def _unit_after(ctx: Context, end: int) -> tuple[str, int] | None:
    """The counted unit right after a figure: the longest unit from the registry that the next words begin
    with, compared word by word after folding («مؤسسه» = «موسسه»)."""
    m = _NEXT_WORDS.match(ctx.norm.text, end)
    if m is None:
        return None
    words = list(_TOKEN.finditer(m.group(1)))
    keys = tuple(fold_word(w.group()) for w in words)
    for unit_keys in ctx.unit_keys:
        if keys[: len(unit_keys)] == unit_keys:
            last = words[len(unit_keys) - 1]
            return m.group(1)[: last.end()], m.start(1) + last.end()
    return None


def _is_label_or_trap(ctx: Context, n: NumberMention, is_money: bool = False) -> bool:
    t = ctx.norm.text
    start, end = n.norm_span
    raw = t[start:end]
    if n.ordinal or n.range_role is not None:
        return True
    if any(d.span[0] <= n.span[0] and n.span[1] <= d.span[1] for d in ctx.dates):
        return True
    if not is_money and word_before(t, start) in _LABEL_BEFORE:
        return True  # «ماده ۱۲», «سال ۱۴۰۳» — but «در سال ۸۰۰ میلیون تومان» is an amount
    if re.fullmatch(r"[0۰]\d{3,}", raw):  # phone numbers and codes
        return True
    if re.search(r"\d[ ]?[:\-/][ ]?$", t[max(0, start - 4) : start]) or re.match(r"[ ]?[:\-/][ ]?\d", t[end : end + 4]):
        return True  # times, phone numbers, codes: ۰۲۱-۱۲۳، ۹:۳۰
    if fold(raw) == "2020":  # «طرح ملی ۲۰۲۰ محله» and «۲۰۲۰ محله» in quotes: the program's name
        before = t[max(0, start - 14) : start]
        if "طرح" in before or "ملی" in before or "«" in before or t[end : end + 8].find("»") != -1:
            return True
    return False


def quantity_facts(ctx: Context) -> list[Fact]:
    """Counts, budgets, populations, percentages and quantities from the article's figures."""
    t = ctx.norm.text
    money_at = {m.number_span: m for m in ctx.money}
    out: list[Fact] = []
    pending_from: list[NumberMention] = []  # «از ۶۷ به ۳۰۰ محله»: the 67 takes the 300's unit
    for i, n in enumerate(ctx.numbers):
        if _is_label_or_trap(ctx, n, n.span in money_at):
            continue
        start, end = n.norm_span
        nxt = ctx.numbers[i + 1] if i + 1 < len(ctx.numbers) else None
        gap = t[end : nxt.norm_span[0]].strip() if nxt else ""
        if nxt is not None and gap == "به" and word_before(t, start) == "از":
            pending_from.append(n)
            continue
        fact = _classify(ctx, n, money_at.get(n.span))
        if fact is None:
            pending_from.clear()
            continue
        for earlier in pending_from:
            prev = _classify(ctx, earlier, money_at.get(earlier.span), like=fact)
            if prev is not None:
                prev.fields["status"] = "superseded"
                fact.fields["status"] = "current"
                out.append(prev)
        pending_from.clear()
        sentence = _sentence_text(ctx, start)
        if "status" not in fact.fields and _UPDATE_VERB.search(sentence) and word_before(t, start) == "به":
            fact.fields["status"] = "current"
            for f in reversed(out):
                if f.type == fact.type and f.fields.get("province") == fact.fields.get("province"):
                    f.fields["status"] = "superseded"
                    break
        out.append(fact)
    return out


def _classify(ctx: Context, n: NumberMention, money: MoneyMention | None, like: Fact | None = None) -> Fact | None:
    t = ctx.norm.text
    start, end = n.norm_span
    q = qualifier_before(t, start)
    approx = q[0] if q else None
    fields: dict[str, Any]
    confidence = 0.9 if n.kind == "digits" else 0.8
    ev_end = end
    if like is not None:
        kind = like.type
        if kind == "budget" or (kind == "quantity" and "unit" not in like.fields):
            return None
        fields = {"value": n.value}
        if kind == "quantity":
            fields["unit"] = like.fields["unit"]
        confidence -= 0.1
    elif money is not None:
        if money.rials is None:
            return None
        kind = "budget"
        fields = {"rials": money.rials, "approx": money.approx}
        ev_end = money.norm_span[1]
    else:
        m = _NEXT_WORDS.match(t, end)
        first = m.group(1).split()[0] if m else ""
        first = first.split("\u200c")[0] if first.startswith("محله") else first
        if first in _NEIGHBOURHOOD or first == "محله":
            if n.kind == "words" and n.value == 1:
                return None  # «هر گروه مسئولیت یک محله را …»
            kind, fields = "neighbourhood_count", {"value": n.value, "approx": approx}
        elif first in _PERCENT or t[end : end + 2].strip().startswith("٪"):
            kind, fields = "percentage", {"value": n.value, "approx": approx}
        elif first == "نفر":
            if _RESIDENTS.search(_sentence_text(ctx, start)):
                kind, fields = "population", {"value": n.value, "approx": approx}
            else:
                kind, fields = "quantity", {"value": n.value, "unit": "نفر"}
        elif first in _TIME_UNITS:
            return None
        else:
            unit = _unit_after(ctx, end)
            if unit is None or (n.kind == "words" and n.value in (1, 2)):
                return None  # «یک دستگاه», «دو جلسه»: an article or a passing detail, not a figure
            kind, fields = "quantity", {"value": n.value, "unit": unit[0]}
            ev_end = unit[1]
            confidence -= 0.15
    if not isinstance(n.value, int) and kind not in ("percentage", "budget"):
        return None  # «۳٫۸ نفر» is an average, not a count
    fields["province"] = province_at(ctx, start, end)
    program = _program_at(ctx, start)
    if program and kind in ("neighbourhood_count", "budget"):
        fields["program"] = program
    if kind == "budget":
        sentence = _sentence_text(ctx, start)
        if _PERIOD_EACH.search(sentence):
            fields["period"] = "per neighbourhood"
        elif _PERIOD_YEAR.search(sentence):
            fields["period"] = "1 year"
    if approx is None and "approx" in fields:
        confidence += 0.02
    return _make(ctx, kind, fields, (q[1][0] if q else start, ev_end), confidence)


def _make(ctx: Context, kind: str, fields: dict[str, Any], norm_span: tuple[int, int], confidence: float) -> Fact:
    """A fact with its evidence: the span, and the sentence (clipped to ``_RADIUS`` around a giant one)."""
    s_norm = _window(ctx, *norm_span)
    o_span = ctx.norm.to_original(*norm_span)
    s_orig = ctx.norm.to_original(*s_norm)
    sentence = ctx.norm.original[s_orig[0] : s_orig[1]].strip()
    return Fact(kind, fields, o_span, s_orig, sentence, min(confidence, 0.99), norm_span)


def program_facts(ctx: Context) -> list[Fact]:
    out = []
    for start, end, name in ctx.programs:
        out.append(_make(ctx, "program", {"name": name, "province": province_at(ctx, start, end)}, (start, end), 0.9))
    return out


def official_facts(ctx: Context) -> list[Fact]:
    out = []
    for o in ctx.officials:
        span = (min(o.name_span[0], o.role_span[0]), max(o.name_span[1], o.role_span[1]))
        if ctx.sentence_of(o.name_span[0]) != ctx.sentence_of(o.role_span[0]):
            span = o.name_span  # title and name in different sentences: the name is the evidence
        out.append(_make(ctx, "official", {"name": o.name, "role": o.role}, span, 0.8))
    return out


def assemble(ctx: Context) -> list[Fact]:
    """All facts of an article, each stated once (the first statement is the evidence)."""
    facts = official_facts(ctx) + program_facts(ctx) + quantity_facts(ctx)
    seen: dict[tuple[Any, ...], Fact] = {}
    for f in facts:
        k = f.key()
        if k in seen:
            if f.fields.get("status") == "current":
                seen[k].fields["status"] = "current"
            continue
        seen[k] = f
    return sorted(seen.values(), key=lambda f: (f.span[0], FACT_TYPES.index(f.type)))
