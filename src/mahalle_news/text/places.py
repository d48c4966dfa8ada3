"""Places: Iran's provinces, counties and larger cities from our gazetteer (``data/gazetteer.tsv``).

Names and aliases are matched with Aho–Corasick on word boundaries in normalised text, every spelling of a
multi-word name included («خرم‌آباد»، «خرم آباد»، «خرمآباد»). Names that are also ordinary words or other
things (``ambiguous`` = 1: «محلات» the city vs "neighbourhoods", «مهر» the city vs the month and the agency)
count only after a place cue («شهرستان محلات»، «استان فارس») and never after «خبرگزاری». The dateline at an
article's head («اهواز- ایرنا-»، «به گزارش ایکنا از البرز،») gives the article's place.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field
from importlib import resources

import ahocorasick

from mahalle_news.errors import DataError
from mahalle_news.text.lexicon import ZWNJ
from mahalle_news.text.normalize import PERSIAN_LETTERS, Normalized, fold, normalize, word_before

PROVINCE, COUNTY, CITY = "province", "county", "city"
_KINDS = (PROVINCE, COUNTY, CITY)
_LETTERS = frozenset(PERSIAN_LETTERS + ZWNJ)
#: Words before a name that make it a place: «شهرستان محلات», «استاندار البرز».
CUES = frozenset(
    "استان شهرستان شهر بندر جزیره استانداری فرمانداری شهرداری استاندار فرماندار شهردار امام\u200cجمعه".split()
)
#: After these a province name that is also a word is still the province: «در البرز»، «از فارس».
_PROVINCE_CUES = frozenset("در از به".split())
#: «خبرگزاری فارس» is an agency; after these, a name is a street, neighbourhood or building («محله جعفرآباد»).
_NEGATIVE_CUES = frozenset(
    "خبرگزاری روزنامه پایگاه باشگاه تیم ماه محله شهرک روستای خیابان میدان کوی بلوار کوچه پارک بوستان مسجد "
    "بیمارستان مدرسه هتل بزرگراه بخش".split()  # «بخش مرکزی» is a district, not the province
)
#: «۱۲ محله یزد»: after a count of neighbourhoods, «محله» does not make the next name a neighbourhood's.
_COUNTED_NEIGHBOURHOOD = re.compile(r"(?:\d|[۰-۹])[ ]*(?:محله|محلات)[ ]*$")
AGENCIES = (
    "ایرنا",
    "ایسنا",
    "مهر",
    "تسنیم",
    "ایکنا",
    "فارس",
    "صداوسیما",
    "ایلنا",
    "باشگاه خبرنگاران جوان",
    "همشهری",
    "برنا",
    "پانا",
    "میزان",
)


@dataclass(frozen=True)
class Place:
    name: str
    kind: str
    province: str
    county: str | None
    ambiguous: bool


@dataclass
class PlaceMention:
    span: tuple[int, int]
    name: str  # canonical name
    kinds: list[str]
    provinces: list[str]  # candidates: one unless the name is shared by places in several provinces
    text: str = ""
    cue: str | None = None
    best: int = 1  # how many of ``provinces`` (from the front) are equally likely
    norm_span: tuple[int, int] = (0, 0)  # in the normalised text

    @property
    def province(self) -> str | None:
        """The province this mention resolves to, or None when equally likely candidates remain."""
        return self.provinces[0] if self.best == 1 else None

    def to_dict(self) -> dict[str, object]:
        return {
            "span": list(self.span),
            "name": self.name,
            "kinds": self.kinds,
            "provinces": self.provinces,
            "province": self.province,
            "text": self.text,
        }


@dataclass
class Gazetteer:
    places: list[Place] = field(default_factory=list)
    by_key: dict[str, list[Place]] = field(default_factory=dict)  # folded name or alias -> places
    automaton: ahocorasick.Automaton | None = None

    def lookup(self, name: str) -> list[Place]:
        return self.by_key.get(fold(name), [])


def spellings(name: str) -> set[str]:
    """Every way a feed writes a multi-part name: each separator as space, ZWNJ or nothing."""
    parts = re.split(f"[ {ZWNJ}]+", name)
    if len(parts) > 4:
        return {name}
    out = set()
    for seps in itertools.product((" ", ZWNJ, ""), repeat=len(parts) - 1):
        s = parts[0]
        for sep, part in zip(seps, parts[1:], strict=True):
            if sep == ZWNJ and s[-1] in "اآدذرزژو":
                sep = ""
            s += sep + part
        out.add(s)
    return out


@functools.cache
def gazetteer() -> Gazetteer:
    raw = resources.files("mahalle_news.text").joinpath("data/gazetteer.tsv").read_text("utf-8")
    gaz = Gazetteer()
    lines = raw.splitlines()
    if not lines or lines[0].split("\t") != ["kind", "name", "province", "county", "aliases", "ambiguous"]:
        raise DataError("gazetteer.tsv: the header line is not the expected one")
    automaton = ahocorasick.Automaton()
    patterns: dict[str, str] = {}
    for n, line in enumerate(lines[1:], 2):
        cols = line.split("\t")
        if len(cols) != 6 or cols[0] not in _KINDS:
            raise DataError(f"gazetteer.tsv line {n}: expected 6 columns and a kind of {', '.join(_KINDS)}")
        kind, name, province, county, aliases, ambiguous = cols
        place = Place(name, kind, province, county or None, ambiguous == "1")
        gaz.places.append(place)
        for written in [name, *filter(None, aliases.split("|"))]:
            gaz.by_key.setdefault(fold(written), []).append(place)
            for spelling in spellings(normalize(written).text):
                patterns[spelling] = fold(written)
    for spelling, key in patterns.items():
        automaton.add_word(spelling, (len(spelling), key))
    automaton.make_automaton()
    gaz.automaton = automaton
    return gaz


def _mention(places: list[Place], span: tuple[int, int], text: str, cue: str | None) -> PlaceMention:
    name, kinds, provinces, best = _rank(places)
    return PlaceMention(span, name, kinds, provinces, text, cue, best)


@functools.lru_cache(maxsize=4096)
def _resolve(key: str) -> tuple[str, tuple[str, ...], tuple[str, ...], int]:
    name, kinds, provinces, best = _rank(gazetteer().by_key[key])
    return name, tuple(kinds), tuple(provinces), best  # shared between calls: immutable


def _rank(places: list[Place]) -> tuple[str, list[str], list[str], int]:
    """Ranked by kind: a province name means the province («البرز»), a county beats a same-named town
    elsewhere («خرم‌آباد» is in لرستان). The provinces list the best-ranked candidates first."""
    ranked = sorted(places, key=lambda p: _KINDS.index(p.kind))
    best_rank = _KINDS.index(ranked[0].kind)
    provinces = list(dict.fromkeys(p.province for p in ranked if _KINDS.index(p.kind) == best_rank))
    others = [p.province for p in ranked if p.province not in provinces]
    kinds = sorted({p.kind for p in places if p.province == provinces[0]}, key=_KINDS.index)
    return ranked[0].name, kinds, provinces + list(dict.fromkeys(others)), len(provinces)


def find_places(text: str | Normalized) -> list[PlaceMention]:
    """Place names in ``text`` with their canonical name, kinds and candidate provinces."""
    norm = text if isinstance(text, Normalized) else normalize(text)
    t = norm.text
    gaz = gazetteer()
    assert gaz.automaton is not None
    out: list[PlaceMention] = []
    last_end = -1
    cued: set[str] = set()  # ambiguous names the article has already used as places, with a cue
    pending: list[tuple[int, int, str, str]] = []
    for end_idx, (length, key) in gaz.automaton.iter_long(t):
        start, end = end_idx - length + 1, end_idx + 1
        if start < last_end:
            continue
        if (start > 0 and t[start - 1] in _LETTERS) or (end < len(t) and t[end] in _LETTERS):
            continue
        places = gaz.by_key[key]
        before = word_before(t, start)
        if before in _NEGATIVE_CUES and not (before == "محله" and _COUNTED_NEIGHBOURHOOD.search(t, 0, start)):
            continue
        if all(p.ambiguous for p in places):
            is_province = any(p.kind == PROVINCE for p in places)
            if before not in CUES and not (is_province and before in _PROVINCE_CUES):
                pending.append((start, end, key, before))
                continue
            if is_province:
                cued.add(key)
        out.append(_found(norm, start, end, key, before))
        last_end = end
    # an ambiguous name the article uses as a place once (with a cue) is that place everywhere in it
    out.extend(_found(norm, s, e, key, before) for s, e, key, before in pending if key in cued)
    out.sort(key=lambda p: p.span)
    return out


def _found(norm: Normalized, start: int, end: int, key: str, before: str) -> PlaceMention:
    o_start, o_end = norm.to_original(start, end)
    name, kinds, provinces, best = _resolve(key)
    return PlaceMention(
        (o_start, o_end),
        name,
        list(kinds),
        list(provinces),
        norm.original[o_start:o_end],
        before or None,
        best,
        (start, end),
    )


def prefer_province(places: list[PlaceMention], province: str) -> None:
    """Resolve names shared by several provinces to ``province`` where it is a candidate (the article's own)."""
    for p in places:
        if p.province != province and province in p.provinces:
            p.provinces = [province] + [x for x in p.provinces if x != province]
            p.best = 1


_AGENCY = "|".join(re.escape(a) for a in sorted(AGENCIES, key=len, reverse=True))
_DATELINE = re.compile(
    rf"(?m)^[\s\u200f]*(?P<place>[{PERSIAN_LETTERS}{ZWNJ} ]{{2,30}}?)[ ]*[-–—][ ]*(?:(?:{_AGENCY})[ ]*[-–—])?"
)
_REPORT_FROM = re.compile(
    rf"به گزارش[ ]+(?:خبرگزاری[ ]+|خبرنگار[ ]+)?(?:[{PERSIAN_LETTERS}{ZWNJ} ]{{0,30}}?)[ ]+از[ ]+"
    rf"(?P<place>[{PERSIAN_LETTERS}{ZWNJ} ]{{2,30}}?)[ ]*[،,]"
)


def find_dateline(text: str | Normalized) -> PlaceMention | None:
    """The place an article is filed from: «اهواز- ایرنا-» or «به گزارش ایکنا از البرز،» near its head."""
    norm = text if isinstance(text, Normalized) else normalize(text)
    head = norm.text[:400]
    gaz = gazetteer()
    for pattern in (_DATELINE, _REPORT_FROM):
        m = pattern.search(head)
        if m is None:
            continue
        name = m.group("place").strip()
        places = gaz.lookup(name)
        if not places:
            continue
        s, e = m.start("place"), m.start("place") + len(name)
        o_start, o_end = norm.to_original(s, e)
        return _mention(places, (o_start, o_end), norm.original[o_start:o_end], "dateline")
    return None
