"""A seeded synthetic store for ``bench_api.py``: N facts (10 per article) in a fresh SQLite file.

The schema comes from ``Store.open`` (the migrations, so every index of the real store is there); the rows are
written with plain ``sqlite3`` ``executemany`` in large transactions, the secondary indexes dropped first and
rebuilt at the end (the same ``CREATE INDEX`` statements the migrations ran). No ``ANALYZE`` is run: a store made
by the crawler has no statistics either.

What is in it, all from the vocabulary below (written for this benchmark) and the gazetteer's provinces and
cities: 31 sources (10 national agencies, 21 provincial sites); articles published over the Jalali years
1402–1404, ids in fetch order; 15 % of them syndicated copies of an article of the last two days from another
source (same story, ``duplicate_kind`` exact, their facts ``counted`` false); 90 % of the stories relevant; 0.5 %
of the articles without a publication date. Each article has a title and a body of ten fact sentences plus two to
four other ones, and ten facts of the seven types with the typed columns, span and sentence offsets into the text,
``fact_key`` and ``data`` as the extractor and the store write them. About 30 % of the originals use the word
«کم‌برخوردار». The full-text row is ``index_text(title + "\\n" + body)``, assembled from the index words of each
template piece and slot value (computing it per article costs ~5 ms, 8 minutes for 100k articles); a sample of
articles is checked against ``index_text`` of the whole text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import sqlite3
import string
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jdatetime

from mahalle_news.store import Store
from mahalle_news.store.fts import indexed_text
from mahalle_news.store.simhash import bands, to_signed
from mahalle_news.text.normalize import fold
from mahalle_news.text.places import PROVINCE, gazetteer
from mahalle_news.text.search import index_text

#: Bump when the generated data changes: cached files of another version are not reused.
GEN_VERSION = 2
FACTS_PER_ARTICLE = 10
EXTRACTOR = "0.1.0"
NATIONAL = "کشور"
IRAN = dt.timezone(dt.timedelta(hours=3, minutes=30))
FIRST_DAY = jdatetime.date(1402, 1, 1)
END_DAY = jdatetime.date(1405, 1, 1)  # exclusive
COPY_SHARE = 0.15
RELEVANT_SHARE = 0.90
UNDATED_SHARE = 0.005
KAM_SHARE = 0.30
KAM = "کم‌برخوردار"
_FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

# ---------------------------------------------------------------------------------------------- vocabulary

#: Canonical program names (as the registry writes them), with how often an article is about each.
PROGRAMS: dict[str, float] = {
    "طرح ملی ۲۰۲۰ محله": 5,
    "طرح کرامت": 3,
    "طرح اقدام مدیریت محله‌محور": 2,
    "دفاتر تسهیلگری": 2,
    "طرح بازآفرینی شهری": 2,
    "طرح ساماندهی سکونتگاه‌های غیررسمی": 1.5,
    "طرح محله‌های امن": 1,
    "طرح شهید سلیمانی": 1,
    "طرح آبادانی و پیشرفت": 1,
    "طرح نهضت ملی مسکن": 1,
}
#: How often an article is about a province (others: 1).
PROVINCE_WEIGHTS = {"تهران": 4, "خراسان رضوی": 3, "اصفهان": 2.5, "فارس": 2, "خوزستان": 2, "آذربایجان شرقی": 1.5}

AGENCIES = ("ایرنا", "ایسنا", "ایلنا", "مهر", "تسنیم", "فارس", "میزان", "پانا", "برنا", "صدا و سیما")
PROVINCIAL_OUTLETS = (
    "تهران", "خراسان رضوی", "اصفهان", "فارس", "خوزستان", "آذربایجان شرقی", "کرمان", "مازندران", "گیلان",
    "سیستان و بلوچستان", "کرمانشاه", "همدان", "یزد", "هرمزگان", "لرستان", "البرز", "قزوین", "زنجان", "گلستان",
    "اردبیل", "کردستان",
)  # fmt: skip

FIRST_NAMES = (
    "علیرضا محمدرضا حمیدرضا مهدی حسین مجید سعید مسعود رضا جواد مرتضی اکبر بهروز کامران فرهاد داوود ناصر "
    "زهرا فاطمه مریم سمیه لیلا نرگس معصومه الهام شیرین ژاله پروین منیژه"
).split()
LAST_NAMES = (
    "کیانی‌پور رحیمی صادقی نوروزی کاظمی موسوی حسینی جعفری اکبری رضایی شریفی یزدانی طاهری فرهادی قاسمی "
    "نیک‌نام امیری بهرامی سلطانی مرادی کریمی عباسی نادری رستمی ملکی حیدری شجاعی کرمانی‌نژاد مختاری"
).split()
ROLES = (
    "استاندار {p}",
    "معاون عمرانی استاندار {p}",
    "معاون سیاسی، امنیتی و اجتماعی استاندار {p}",
    "مدیرکل دفتر امور اجتماعی استانداری {p}",
    "مدیرکل راه و شهرسازی استان {p}",
    "فرماندار {city}",
    "شهردار {city}",
)
UNITS = ("پروژه", "دستگاه اجرایی", "کارگاه آموزشی", "واحد مسکونی", "دفتر تسهیلگری", "خانوار")


@dataclass(frozen=True)
class Template:
    """One sentence. ``kind`` is its fact's type ("" for a sentence without a fact); ``{n}`` is the figure,
    ``after`` the words after it that the fact's span covers, ``scale`` the rials of one written unit."""

    kind: str
    text: str
    after: int = 1
    scale: int = 1
    low: int = 1
    high: int = 500
    approx: str | None = None
    period: str | None = None
    national: bool = False
    unit: bool = False

    @property
    def has_program(self) -> bool:
        return "{prog}" in self.text


# fmt: off
TEMPLATES: tuple[Template, ...] = (
    # neighbourhood counts
    Template("neighbourhood_count", "تاکنون {n} محله در استان {p} زیر پوشش {prog} قرار گرفته است.", low=5, high=400),
    Template("neighbourhood_count", "به گفته وی، {n} محله هدف در استان {p} برای اجرای {prog} شناسایی شد.", low=5,
             high=300),
    Template("neighbourhood_count", "در شهرستان {city} {n} محله در فهرست {prog} قرار دارند.", low=2, high=60),
    Template("neighbourhood_count", "اکنون {n} محله حاشیه‌ای در استان {p} نیازمند بازسازی است.", low=5, high=250),
    Template("neighbourhood_count", "در سراسر کشور {n} محله در {prog} انتخاب شده‌اند.", low=1500, high=2200,
             national=True),
    Template("neighbourhood_count", "در سطح کشور {n} محله هدف برای بازآفرینی شناسایی شده است.", low=1500,
             high=2200, national=True),
    # budgets
    Template("budget", "برای اجرای {prog} در استان {p} مبلغ {n} میلیارد ریال اعتبار تخصیص یافت.", after=2,
             scale=10**9, low=50, high=9000),
    Template("budget", "اعتبار {prog} در استان {p} امسال به {n} میلیارد تومان رسید.", after=2, scale=10**10,
             low=10, high=3000, period="1 year"),
    Template("budget", "سهم استان {p} از اعتبارات {prog} {n} میلیارد ریال است.", after=2, scale=10**9, low=20,
             high=5000),
    Template("budget", "برای هر محله در شهرستان {city} {n} میلیون تومان در نظر گرفته شده است.", after=2,
             scale=10**7, low=100, high=9000, period="per neighbourhood"),
    Template("budget", "امسال {n} میلیارد ریال برای بهسازی معابر محله‌های استان {p} هزینه شد.", after=2,
             scale=10**9, low=20, high=4000, period="1 year"),
    # programs
    Template("program", "{prog} از سال گذشته در استان {p} آغاز شده است."),
    Template("program", "اجرای {prog} در شهرستان {city} با حضور مسئولان محلی کلید خورد."),
    Template("program", "ستاد استانی {prog} در {p} تشکیل جلسه داد."),
    # officials
    Template("official", "{name}، {role}، در نشست شورای برنامه‌ریزی استان گفت که کار با جدیت دنبال می‌شود."),
    Template("official", "{name} {role} در گفت‌وگو با خبرنگاران از پیشرفت کارها خبر داد."),
    # populations
    Template("population", "حدود {n} نفر در محله‌های هدف استان {p} زندگی می‌کنند.", low=20_000, high=3_000_000,
             approx="about"),
    Template("population", "جمعیت ساکن در سکونتگاه‌های غیررسمی شهرستان {city} {n} نفر برآورد می‌شود.",
             low=5_000, high=900_000),
    # percentages
    Template("percentage", "پیشرفت فیزیکی پروژه‌های {prog} در استان {p} به {n} درصد رسیده است.", low=5, high=98),
    Template("percentage", "نزدیک به {n} درصد جمعیت شهری استان {p} در بافت‌های فرسوده ساکن‌اند.", low=3, high=45,
             approx="about"),
    # quantities
    Template("quantity", "تاکنون {n} {unit} در محلات استان {p} به بهره‌برداری رسیده است.", low=3, high=900,
             unit=True),
    Template("quantity", "در این طرح {n} {unit} در شهرستان {city} مشارکت دارند.", low=3, high=400, unit=True),
    # sentences without a fact
    Template("", "به گزارش {agency} از {city}، نشست ستاد بازآفرینی شهری استان {p} برگزار شد."),
    Template("", "مشارکت مردم و شوراهای محلی در این طرح نقش کلیدی دارد."),
    Template("", "وی افزود: رفع مشکلات زیرساختی این محله‌ها نیازمند همکاری همه دستگاه‌هاست."),
    Template("", "ساماندهی سکونتگاه‌های غیررسمی در حاشیه شهرها با جدیت پیگیری می‌شود."),
    Template("", "گزارش کامل این نشست به زودی در اختیار رسانه‌ها قرار می‌گیرد."),
    # sentences with «کم‌برخوردار»
    Template("kam", "توانمندسازی ساکنان محلات کم‌برخوردار از اولویت‌های دولت است."),
    Template("kam", "تأمین آب، برق و گاز محله‌های کم‌برخوردار استان {p} در دستور کار قرار گرفته است."),
    Template("kam", "او گفت: هیچ محله کم‌برخوردار نباید از خدمات پایه محروم بماند."),
)
# fmt: on
TITLES = (
    "آغاز {prog} در محلات {city}",
    "تخصیص اعتبار برای بازآفرینی محله‌های استان {p}",
    "گزارش پیشرفت {prog} در استان {p}",
    "نشست ستاد بازآفرینی شهری {city} برگزار شد",
    "تأکید استاندار {p} بر سرعت گرفتن {prog}",
    "بازدید مسئولان از محله‌های هدف {city}",
)
#: How many of an article's ten facts are of each type, on average.
TYPE_WEIGHTS = {
    "neighbourhood_count": 2.0,
    "budget": 2.0,
    "program": 1.2,
    "official": 1.0,
    "population": 1.0,
    "percentage": 1.0,
    "quantity": 1.8,
}
_MAX_PER_ARTICLE = {"program": 2, "official": 2}

# ---------------------------------------------------------------------------------------------- rendering

_FORMATTER = string.Formatter()
_INDEX_CACHE: dict[str, str] = {}


def _index(piece: str) -> str:
    """index_text of a template piece or slot value, once per distinct string."""
    out = _INDEX_CACHE.get(piece)
    if out is None:
        out = _INDEX_CACHE[piece] = index_text(piece)
    return out


_PARSED: dict[str, list[tuple[str, str | None]]] = {}


def _parse(text: str) -> list[tuple[str, str | None]]:
    parts = _PARSED.get(text)
    if parts is None:
        parts = _PARSED[text] = [(literal, name) for literal, name, _, _ in _FORMATTER.parse(text)]
    return parts


@dataclass
class Rendered:
    """A sentence or title: its text, where each slot landed, and its index words."""

    text: str
    slots: dict[str, tuple[int, int]]
    index: str


def render(text: str, values: dict[str, Any]) -> Rendered:
    """The template filled in, with slot offsets and the index words assembled piece by piece (a number's index
    word is its ASCII digits)."""
    out: list[str] = []
    index: list[str] = []
    slots: dict[str, tuple[int, int]] = {}
    pos = 0
    for literal, name in _parse(text):
        if literal:
            out.append(literal)
            index.append(_index(literal))
            pos += len(literal)
        if name is None:
            continue
        value = values[name]
        if value is None:
            raise ValueError(f"slot {name!r} of {text!r} has no value")
        if isinstance(value, int):
            shown, words = str(value).translate(_FA_DIGITS), str(value)
        else:
            shown = str(value)
            words = _index(shown)
        out.append(shown)
        index.append(words)
        slots[name] = (pos, pos + len(shown))
        pos += len(shown)
    return Rendered("".join(out), slots, " ".join(w for w in index if w))


def _span_end(sentence: str, start: int, words: int) -> int:
    """The offset after the ``words`` words that follow ``start`` (the figure's unit)."""
    pos = start
    for _ in range(words):
        nxt = sentence.find(" ", pos + 1)
        pos = len(sentence) if nxt < 0 else nxt
        while pos < len(sentence) and sentence[pos] == " ":
            pos += 1
    end = pos
    while end > start and sentence[end - 1] in " ،.":
        end -= 1
    return end


# ---------------------------------------------------------------------------------------------- articles


@dataclass
class Body:
    """An original article's body with its facts (offsets relative to the body) and index words."""

    text: str
    index: str
    facts: list[dict[str, Any]]  # fact dict as the extractor gives it, spans relative to the body
    keys: list[str]
    province: str
    has_kam: bool


@dataclass
class Original:
    article_id: int
    story_id: int
    source: str
    body: Body
    relevant: bool
    relevance: float
    topics: list[str]
    copies: int = 0


@dataclass
class World:
    """The vocabulary resolved against the gazetteer, and the sources."""

    provinces: list[str]
    province_weights: list[float]
    cities: dict[str, list[str]]
    programs: list[str]
    program_weights: list[float]
    sources: list[dict[str, Any]]
    by_province: dict[str, list[str]] = field(default_factory=dict)
    by_kind: dict[str, list[Template]] = field(default_factory=dict)


def _composes(name: str) -> bool:
    """Whether a place name's index words stay the same next to other words (the normaliser glues a few names
    to the word before them, e.g. one that looks like a plural suffix): the others are left out."""
    words = index_text(name)
    return all(index_text(f"{before} {name} {after}") == f"{before} {words} {after}" for before, after in _CONTEXTS)


_CONTEXTS = (("شهرستان", "در"), ("از", "برگزار"), ("محلات", "با"))


def make_world() -> World:
    places = gazetteer().places
    provinces = sorted(p.name for p in places if p.kind == PROVINCE)
    cities: dict[str, list[str]] = {p: [] for p in provinces}
    for place in places:
        if place.kind != PROVINCE and place.province in cities and _composes(place.name):
            cities[place.province].append(place.name)
    for name, found in cities.items():
        if not found:
            found.append(name)
        found.sort()
    sources = []
    for i, agency in enumerate(AGENCIES, 1):
        sources.append({"id": f"nat{i:02d}", "name": f"خبرگزاری {agency}", "agency": agency, "province": None})
    for i, province in enumerate(PROVINCIAL_OUTLETS, 1):
        agency = AGENCIES[i % len(AGENCIES)]
        sources.append({"id": f"prv{i:02d}", "name": f"{agency} {province}", "agency": agency, "province": province})
    world = World(
        provinces=provinces,
        province_weights=[PROVINCE_WEIGHTS.get(p, 1.0) for p in provinces],
        cities=cities,
        programs=list(PROGRAMS),
        program_weights=list(PROGRAMS.values()),
        sources=sources,
    )
    for s in sources:
        if s["province"]:
            world.by_province.setdefault(s["province"], []).append(s["id"])
    for t in TEMPLATES:
        world.by_kind.setdefault(t.kind, []).append(t)
    return world


def _fact_key(kind: str, fields: dict[str, Any]) -> str:
    """As ``mahalle_news.crawl.ingest.fact_key`` (``Fact.key`` as JSON)."""
    if kind == "budget":
        key: tuple[Any, ...] = (kind, fields.get("rials"), fields.get("province"))
    elif kind in ("program", "official"):
        key = (kind, fold(fields["name"]))
    else:
        unit = fold(str(fields.get("unit", "")).split(" ")[0]) if kind == "quantity" else ""
        key = (kind, fields.get("value"), fields.get("province"), unit)
    return json.dumps(key, ensure_ascii=False, default=str)


class Writer:
    """Builds the articles' bodies and facts from a seeded random generator."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.w = world
        self.rng = rng
        kinds = list(TYPE_WEIGHTS)
        self.kinds, self.kind_weights = kinds, [TYPE_WEIGHTS[k] for k in kinds]

    def _types(self) -> list[str]:
        out: list[str] = []
        while len(out) < FACTS_PER_ARTICLE:
            kind = self.rng.choices(self.kinds, self.kind_weights)[0]
            if out.count(kind) < _MAX_PER_ARTICLE.get(kind, FACTS_PER_ARTICLE):
                out.append(kind)
        return out

    def _name(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def body(self, province: str, program: str, agency: str) -> Body:
        rng, w = self.rng, self.w
        city = rng.choice(w.cities[province])
        sentences: list[tuple[Template, dict[str, Any], str | None]] = []
        used_programs: set[str] = set()
        used_names: set[str] = set()
        for kind in self._types():
            values: dict[str, Any] = {"p": province, "city": city, "agency": agency}
            fact_program: str | None = None
            if kind == "program":
                fact_program = program if program not in used_programs else rng.choice(w.programs)
                while fact_program in used_programs:
                    fact_program = rng.choice(w.programs)
                used_programs.add(fact_program)
            elif kind in ("neighbourhood_count", "budget"):
                draw = rng.random()
                fact_program = program if draw < 0.75 else rng.choice(w.programs) if draw < 0.85 else None
            elif kind == "percentage" and rng.random() < 0.5:
                fact_program = program
            national = kind == "neighbourhood_count" and rng.random() < 0.08
            pool = [
                t for t in w.by_kind[kind] if t.has_program == (fact_program is not None) and t.national == national
            ]
            template = rng.choice(pool)
            if kind == "official":
                name = self._name()
                while name in used_names:
                    name = self._name()
                used_names.add(name)
                values["name"] = name
                values["role"] = rng.choice(ROLES).format(p=province, city=city)
            if template.has_program:
                values["prog"] = fact_program
            if template.unit:
                values["unit"] = rng.choice(UNITS)
            values["n"] = rng.randint(template.low, template.high)
            sentences.append((template, values, fact_program))
        kam = rng.random() < KAM_SHARE
        fillers = [rng.choice(w.by_kind[""]) for _ in range(rng.randint(1, 3))]
        if kam:
            fillers.append(rng.choice(w.by_kind["kam"]))
        order: list[tuple[Template, dict[str, Any], str | None]] = list(sentences)
        lead = Template("", "به گزارش {agency} از {city}، نشست ستاد بازآفرینی شهری استان {p} برگزار شد.")
        for filler in fillers:
            order.insert(rng.randint(0, len(order)), (filler, {"p": province, "city": city, "agency": agency}, None))
        if rng.random() < 0.6:
            order.insert(0, (lead, {"p": province, "city": city, "agency": agency}, None))
        texts: list[str] = []
        index: list[str] = []
        facts: list[dict[str, Any]] = []
        keys: list[str] = []
        pos = 0
        for template, values, fact_program in order:
            r = render(template.text, values)
            start = pos
            texts.append(r.text)
            index.append(r.index)
            pos += len(r.text) + 1
            if template.kind in ("", "kam"):
                continue
            fact = self._fact(template, values, fact_program, r, start)
            key = _fact_key(fact["type"], fact)
            if key in keys:  # the extractor states a fact once per article
                continue
            facts.append(fact)
            keys.append(key)
        # a repeated key (rare) leaves an article short: top it up with quantities
        while len(facts) < FACTS_PER_ARTICLE:
            template = w.by_kind["quantity"][0]
            values = {"p": province, "city": city, "unit": rng.choice(UNITS), "n": rng.randint(901, 99_999)}
            r = render(template.text, values)
            fact = self._fact(template, values, None, r, pos)
            key = _fact_key(fact["type"], fact)
            if key in keys:
                continue
            texts.append(r.text)
            index.append(r.index)
            pos += len(r.text) + 1
            facts.append(fact)
            keys.append(key)
        return Body(" ".join(texts), " ".join(index), facts, keys, province, kam)

    def _fact(
        self, template: Template, values: dict[str, Any], program: str | None, r: Rendered, start: int
    ) -> dict[str, Any]:
        kind = template.kind
        province = NATIONAL if template.national else values["p"]
        fields: dict[str, Any]
        if kind == "program":
            span = r.slots["prog"]
            fields = {"name": program, "province": province}
            confidence = 0.9
        elif kind == "official":
            span = (r.slots["name"][0], r.slots["role"][1])
            fields = {"name": values["name"], "role": values["role"]}
            confidence = 0.8
        else:
            n = values["n"]
            n_start = r.slots["n"][0]
            after = len(values["unit"].split()) if template.unit else template.after
            span = (n_start, _span_end(r.text, r.slots["n"][1], after))
            confidence = 0.92 if template.approx is None else 0.9
            if kind == "budget":
                fields = {"rials": n * template.scale, "approx": None, "province": province}
            elif kind == "quantity":
                fields = {"value": n, "unit": values["unit"], "province": province}
                confidence = 0.75
            else:
                fields = {"value": n, "approx": template.approx, "province": province}
            if program is not None and kind in ("neighbourhood_count", "budget"):
                fields["program"] = program
            if template.period is not None:
                fields["period"] = template.period
        return {
            "type": kind,
            **fields,
            "span": [start + span[0], start + span[1]],
            "sentence": r.text,
            "sentence_span": [start, start + len(r.text)],
            "confidence": confidence,
            "extractor": EXTRACTOR,
        }


# ---------------------------------------------------------------------------------------------- the file

_ARTICLE_COLUMNS = (
    "id", "url", "url_canonical", "source_id", "story_id", "duplicate_kind", "title", "text", "published_at",
    "fetched_at", "content_hash", "simhash", "simhash_b0", "simhash_b1", "simhash_b2", "simhash_b3", "raw_html",
    "encoding", "http_status", "extraction_method", "province", "relevant", "relevance", "topics",
    "extractor_version", "updated_at",
)  # fmt: skip
_FACT_COLUMNS = (
    "id", "article_id", "story_id", "seq", "type", "value", "rials", "unit", "name", "role", "program", "province",
    "approx", "period", "span_start", "span_end", "sentence", "sentence_start", "sentence_end", "confidence",
    "extractor_version", "data", "fact_key", "counted", "published_at",
)  # fmt: skip
_TOPICS = ("مسکن", "زیرساخت", "حمایت اجتماعی", "اشتغال", "امنیت")


def stamp(value: dt.datetime | None) -> str | None:
    """A timestamp as SQLAlchemy's SQLite DateTime stores it (UTC, naive text, microseconds)."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def jalali_start(year: int, month: int = 1, day: int = 1) -> dt.date:
    """The Gregorian date of a Jalali day."""
    gregorian: dt.date = jdatetime.date(year, month, day).togregorian()
    return gregorian


def _times(rng: random.Random, n: int) -> list[dt.datetime]:
    first = dt.datetime.combine(FIRST_DAY.togregorian(), dt.time(), IRAN).astimezone(dt.UTC)
    end = dt.datetime.combine(END_DAY.togregorian(), dt.time(), IRAN).astimezone(dt.UTC)
    seconds = (end - first).total_seconds()
    return [first + dt.timedelta(seconds=s) for s in sorted(rng.random() * seconds for _ in range(n))]


@dataclass
class Stats:
    articles: int = 0
    copies: int = 0
    stories: int = 0
    facts: int = 0
    kam_articles: int = 0
    fts_checked: int = 0
    fts_mismatches: int = 0
    mismatch_example: str = ""


def _rows(world: World, n_articles: int, seed: int, stats: Stats) -> Iterator[tuple[list[Any], list[list[Any]], str]]:
    """(article row, its fact rows, its full-text row) for every article, in id order."""
    rng = random.Random(seed)
    writer = Writer(world, rng)
    recent: deque[Original] = deque(maxlen=200)
    stories: list[list[Any]] = []
    fact_id = 0
    check_every = max(1, n_articles // 400)
    for article_id, published in enumerate(_times(rng, n_articles), 1):
        fetched = published + dt.timedelta(minutes=rng.randint(2, 90))
        copy_of = rng.choice(recent) if recent and rng.random() < COPY_SHARE else None
        if copy_of is not None:
            candidates = [s["id"] for s in world.sources if s["id"] != copy_of.source]
            source = rng.choice(candidates)
            body = copy_of.body
            story_id, relevant = copy_of.story_id, copy_of.relevant
            relevance, topics = copy_of.relevance, copy_of.topics
            copy_of.copies += 1
            stories[story_id - 1][4] += 1
            stats.copies += 1
        else:
            province = rng.choices(world.provinces, world.province_weights)[0]
            program = rng.choices(world.programs, world.program_weights)[0]
            local = world.by_province.get(province)
            source = rng.choice(local) if local and rng.random() < 0.5 else f"nat{rng.randint(1, len(AGENCIES)):02d}"
            agency = next(s["agency"] for s in world.sources if s["id"] == source)
            body = writer.body(province, program, agency)
            relevant = rng.random() < RELEVANT_SHARE
            relevance = round(rng.uniform(0.55, 0.99) if relevant else rng.uniform(0.02, 0.45), 3)
            topics = rng.sample(_TOPICS, rng.randint(1, 2))
            story_id = len(stories) + 1
            stories.append([story_id, stamp(fetched), None, article_id, 1])
            recent.append(Original(article_id, story_id, source, body, relevant, relevance, topics))
            stats.kam_articles += body.has_kam
        city = rng.choice(world.cities[body.province])
        title_values = {"p": body.province, "city": city, "prog": rng.choice(world.programs)}
        title = render(rng.choice(TITLES), title_values)
        if copy_of is None:
            stories[story_id - 1][2] = title.text
        text = f"{title.text}\n{body.text}"
        offset = len(title.text) + 1
        search = indexed_text(f"{title.index} {body.index}")
        if article_id % check_every == 0:
            stats.fts_checked += 1
            truth = indexed_text(index_text(text))
            if truth != search:
                stats.fts_mismatches += 1
                stats.mismatch_example = stats.mismatch_example or f"{truth[:200]!r} != {search[:200]!r}"
        pub = None if rng.random() < UNDATED_SHARE else published
        pub_text = stamp(pub)
        simhash = int.from_bytes(hashlib.blake2b(body.text.encode(), digest_size=8).digest(), "big")
        b0, b1, b2, b3 = bands(simhash)
        host = f"{source}.example"
        url = f"https://{host}/news/{article_id}"
        article = [
            article_id, url, url, source, story_id, None if copy_of is None else "exact", title.text, text,
            pub_text, stamp(fetched), hashlib.sha1(body.text.encode()).hexdigest(), to_signed(simhash), b0, b1, b2,
            b3, None, "utf-8", 200, "trafilatura", body.province, relevant, relevance,
            json.dumps(topics, ensure_ascii=False), EXTRACTOR, stamp(fetched),
        ]  # fmt: skip
        facts: list[list[Any]] = []
        for seq, (fact, key) in enumerate(zip(body.facts, body.keys, strict=True)):
            fact_id += 1
            data = dict(fact)
            data["span"] = [fact["span"][0] + offset, fact["span"][1] + offset]
            data["sentence_span"] = [fact["sentence_span"][0] + offset, fact["sentence_span"][1] + offset]
            value = fact.get("value")
            facts.append(
                [
                    fact_id, article_id, story_id, seq, fact["type"], None if value is None else float(value),
                    fact.get("rials"), fact.get("unit"), fact.get("name"), fact.get("role"), fact.get("program"),
                    fact.get("province"), fact.get("approx"), fact.get("period"), data["span"][0], data["span"][1],
                    fact["sentence"], data["sentence_span"][0], data["sentence_span"][1], fact["confidence"],
                    EXTRACTOR, json.dumps(data, ensure_ascii=False), key, copy_of is None, pub_text,
                ]
            )  # fmt: skip
        stats.articles += 1
        stats.facts += len(facts)
        yield article, facts, search
    stats.stories = len(stories)
    yield [], [], json.dumps(stories)  # the stories, once every copy is counted


def _drop_indexes(con: sqlite3.Connection, tables: Sequence[str]) -> list[str]:
    marks = ",".join("?" * len(tables))
    rows = con.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})",
        tuple(tables),
    ).fetchall()
    for name, _ in rows:
        con.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in rows]


def generate(path: Path, n_facts: int, seed: int, log: Any = print) -> Stats:
    """Write a fresh store of ``n_facts`` facts (rounded to whole articles) at ``path``."""
    if path.exists():
        path.unlink()
    Store.open(f"sqlite:///{path}").close()
    world = make_world()
    stats = Stats()
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-1000000")
    con.execute("PRAGMA temp_store=MEMORY")
    indexes = _drop_indexes(con, ("articles", "facts"))
    source_rows = [
        (s["id"], s["name"], s["agency"], s["province"], f"https://{s['id']}.example/rss", "rss", 60, 1, 1)
        for s in world.sources
    ]
    con.execute("BEGIN")
    con.executemany(
        "INSERT INTO sources (id, name, agency, province, url, kind, poll_minutes, enabled, verified) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        source_rows,
    )
    insert_article = f"INSERT INTO articles ({', '.join(_ARTICLE_COLUMNS)}) VALUES ({', '.join('?' * 26)})"
    insert_fact = f"INSERT INTO facts ({', '.join(_FACT_COLUMNS)}) VALUES ({', '.join('?' * 25)})"
    insert_fts = "INSERT INTO articles_fts (rowid, search_text) VALUES (?, ?)"
    n_articles = max(1, n_facts // FACTS_PER_ARTICLE)
    batch_a: list[list[Any]] = []
    batch_f: list[list[Any]] = []
    batch_s: list[tuple[int, str]] = []
    t0 = time.perf_counter()

    def flush() -> None:
        con.executemany(insert_article, batch_a)
        con.executemany(insert_fact, batch_f)
        con.executemany(insert_fts, batch_s)
        con.execute("COMMIT")
        con.execute("BEGIN")
        batch_a.clear()
        batch_f.clear()
        batch_s.clear()

    for article, facts, search in _rows(world, n_articles, seed, stats):
        if not article:
            stories = json.loads(search)
            con.executemany(
                "INSERT INTO stories (id, first_seen_at, title, primary_article_id, article_count) "
                "VALUES (?, ?, ?, ?, ?)",
                stories,
            )
            continue
        batch_a.append(article)
        batch_f.extend(facts)
        batch_s.append((article[0], search))
        if len(batch_a) >= 5000:
            flush()
            if stats.articles % 20_000 == 0:
                log(f"  … {stats.articles:,} articles, {stats.facts:,} facts ({time.perf_counter() - t0:.0f} s)")
    flush()
    con.execute("COMMIT")
    t1 = time.perf_counter()
    log(f"  rows written in {t1 - t0:.0f} s; building {len(indexes)} indexes …")
    for sql in indexes:
        con.execute(sql)
    con.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
    log(f"  indexes built in {time.perf_counter() - t1:.0f} s")
    con.execute("PRAGMA journal_mode=WAL")
    con.close()
    with Store.open(f"sqlite:///{path}") as store:  # the migrations agree with the file
        counts = store.counts()
    if counts["facts"] != stats.facts or counts["articles"] != stats.articles:
        raise RuntimeError(f"generated {stats.facts} facts / {stats.articles} articles, the store counts {counts}")
    return stats
