"""Every number mention in a text: span, value, ordinal flag, ranges.

Reads digits in any script with ``,``/``٬`` thousands and ``.``/``٫``/``/`` decimals, number words with their
spelling variants, scale words and mixes («۲ هزار و ۵۰۰», «۳۰میلیون», «یک هزار و ۲۰۰ میلیارد»), halves and
decimals in words («۱۹ و نیم», «دو ممیز سه», «پنج دهم»), ranges («۵۰۰ تا ۷۰۰ میلیون»: the scale word carries
back and both ends are linked) and ordinals (دومین، سوم، بیست و سوم). Not numbers: «نه» as "no", «ده» as
"village" (a bare «نه»/«ده» counts only before a counted noun or after a qualifier), place names such as
«هفت‌چنار» or «سی‌متری», dates written with slashes.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field
from fractions import Fraction

import ahocorasick

from mahalle_news.text import lexemes as lx
from mahalle_news.text.normalize import PERSIAN_LETTERS, Normalized, fold, normalize, word_before

_L = f"[{PERSIAN_LETTERS}]"
_WORD = f"{_L}+(?:\u200c{_L}+)*"
_DIGITS = r"\d{1,3}(?:[,٬]\d{3})+(?:[.٫]\d+)?|\d{1,3}(?:\.\d{3}){2,}|\d+(?:[.٫]\d+)?(?:/\d+(?![/\d]))?"
#: Only words whose first two letters can begin a number word are looked at (the scan stays in C).
_DATE_LIKE = re.compile(r"\d{1,4}[/\-]\d{1,2}[/\-]\d{1,4}")
_DIGIT_START = re.compile(r"(?<!\d)\d")
_WORD_AT = re.compile(_WORD)
_LETTERS = frozenset(PERSIAN_LETTERS + "\u200c")


@functools.cache
def _starters() -> ahocorasick.Automaton:
    """Every written form that can begin a number word, for a scan in C."""
    automaton = ahocorasick.Automaton()
    for word in lx.STARTERS:
        automaton.add_word(word, len(word))
    automaton.make_automaton()
    return automaton


def _candidates(t: str) -> list[tuple[int, bool]]:
    """(position, is a word) where a number may start: digit runs and words that begin like a number word,
    skipping dates written with slashes or dashes (the date parser reads those)."""
    dates = [m.span() for m in _DATE_LIKE.finditer(t)]
    out = [(m.start(), False) for m in _DIGIT_START.finditer(t)]
    for end, length in _starters().iter_long(t):
        start = end - length + 1
        if start == 0 or t[start - 1] not in _LETTERS:
            out.append((start, True))
    out.sort()
    if dates:
        out = [c for c in out if not any(s <= c[0] < e for s, e in dates)]
    return out


_NEXT = re.compile(rf"[ \u200c]*(?:(?P<and>و)[ \u200c]+)?(?:(?P<d>{_DIGITS})|(?P<w>{_WORD}))")
_NEXT_WORD = re.compile(rf"[ \u200c]*({_WORD})")

#: A bare «نه» or «ده» is a number only before one of these, or after a qualifier.
COUNTED = frozenset(
    [
        "محله",
        "محلات",
        "نفر",
        "درصد",
        "سال",
        "ماه",
        "روز",
        "هفته",
        "ساعت",
        "دقیقه",
        "ثانیه",
        "مورد",
        "واحد",
        "طرح",
        "پروژه",
        "شهرستان",
        "استان",
        "شهر",
        "روستا",
        "خانوار",
        "دفتر",
        "مدرسه",
        "کلاس",
        "برابر",
        "عدد",
        "دستگاه",
        "باب",
        "نوبت",
        "بار",
        "جلسه",
        "گروه",
        "تیم",
        "خانه",
        "موسسه",
        "شورای",
        "شورا",
        "کیلومتر",
        "متر",
        "هکتار",
        "تن",
        "لیتر",
        "میلیون",
        "میلیارد",
        "هزار",
        "تومان",
        "ریال",
        "دلار",
        "نماینده",
        "عضو",
        "رای",
    ]
)
QUALIFIERS = frozenset(["حدود", "حدودا", "تقریبا", "بیش", "کمتر", "بالغ", "افزون", "نزدیک", "قریب"])
#: Names that begin with a number word (folded): neighbourhoods, squares, streets.
NUMBER_NAMES = frozenset(
    fold(n)
    for n in (
        "هفت‌چنار",
        "سی‌متری",
        "هفت‌تیر",
        "هفت‌تپه",
        "هفت‌حوض",
        "پنج‌تن",
        "سه‌راه",
        "دوراهی",
        "چهارراه",
        "هشت‌بهشت",
        "هزارجریب",
        "هزارپیچ",
        "سی‌وسه‌پل",
        "چهارباغ",
        "ده‌ونک",
        "دوکوهه",
        "هفت‌کل",
        "سه‌دانگ",
        "نه‌دره",
        "دو‌کوهه",
        "هفت‌خوان",
        "چهارصد‌دستگاه",
        "ده‌نمک",
        "سه‌قلعه",
    )
)


@dataclass
class NumberMention:
    """A number found in a text. ``span`` is in original-text coordinates."""

    span: tuple[int, int]
    value: int | float
    text: str
    ordinal: bool = False
    kind: str = "digits"  # digits | words | mixed
    range_role: str | None = None  # "from" / "to" for the two ends of a range
    range_other: tuple[int, int] | None = None  # span of the other end
    scale_carried: bool = False  # a range start that took its scale word from the other end
    norm_span: tuple[int, int] = field(default=(0, 0), repr=False)

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "span": list(self.span),
            "value": self.value,
            "text": self.text,
            "ordinal": self.ordinal,
            "kind": self.kind,
        }
        if self.range_role:
            out["range"] = {
                "role": self.range_role,
                "other": list(self.range_other or ()),
                "scale_from_other_end": self.scale_carried,
            }
        return out


def _as_number(v: Fraction | int) -> int | float:
    return int(v) if v.denominator == 1 else float(v)


_MAX_VALUE = 10**24
_MAX_DIGITS = 24  # longer digit runs are identifiers or noise, not figures (and would overflow a float)


def _digit_value(s: str) -> Fraction | int:
    if s.isdigit():
        return int(s)  # the common case; Fraction only for separators and decimals
    s = s.replace(",", "").replace("٬", "")
    if re.fullmatch(r"\d{1,3}(?:\.\d{3}){2,}", s):
        s = s.replace(".", "")
    s = s.replace("٫", ".").replace("/", ".")
    return Fraction(s)


class _Phrase:
    """Accumulates one number phrase: ``total`` of finished scale groups plus the open ``group``."""

    def __init__(self) -> None:
        self.total: Fraction | int = 0
        self.group: Fraction | int = 0
        self.limit = 10**12  # the next small part must be below this
        self.has_digits = False
        self.has_words = False
        self.ordinal = False
        self.last_scale = 0
        self.parts = 0
        self.unit_only = False  # the open group is a lone unit word (for «شش صد»)

    @property
    def value(self) -> Fraction | int:
        return self.total + self.group

    def add_small(self, v: Fraction | int, from_digits: bool) -> bool:
        if self.group and (v >= self.limit or v.denominator != 1):
            return False
        if from_digits and self.parts and not self.group and not self.last_scale:
            return False
        self.group += v
        if from_digits:
            self.limit = 0
        else:
            iv = int(v)
            self.limit = 100 if iv >= 100 else 10 if iv >= 20 else 0
        self.unit_only = not from_digits and v < 10 and self.group == v
        self.parts += 1
        return True

    def add_hundred(self) -> bool:
        if not self.unit_only:
            return False
        self.group *= 100
        self.limit = 100
        self.unit_only = False
        self.parts += 1
        return True

    def add_scale(self, s: int, after_and: bool = False) -> bool:
        if self.group == 0 and (self.total == 0 or (after_and and s < self.last_scale)):
            self.group = 1  # «هزار» alone; «یک میلیون و هزار»
        if self.group == 0 and self.last_scale and s <= self.last_scale:
            return False
        if self.total and self.total < s:
            self.total = (self.total + self.group) * s
        else:
            if self.last_scale and s >= self.last_scale and self.group:
                return False  # «هزار ... هزار»: a new number
            self.total += self.group * s
        self.group = 0
        self.last_scale = s
        self.limit = 10**12
        self.unit_only = False
        self.parts += 1
        return True


def find_numbers(text: str | Normalized) -> list[NumberMention]:
    """All number mentions, in order, with spans in the coordinates of the original text."""
    norm = text if isinstance(text, Normalized) else normalize(text)
    t = norm.text
    out: list[NumberMention] = []
    pos = 0
    for at, is_word in _candidates(t):
        if at < pos:
            continue
        first = ""
        if is_word:
            word = _WORD_AT.match(t, at)
            first = word.group() if word else ""
            if not _may_start(first):
                continue
        got = _parse_at(t, at)
        if got is None:
            prefix = _counted_prefix(first) if first else None
            if not prefix:
                continue
            ph = _Phrase()
            ph.add_small(lx.SMALL[prefix], from_digits=False)
            ph.has_words = True
            got = (at, at + len(prefix), ph, False)
        start, end, phrase, negative = got
        if not _accept(t, start, end, phrase):
            continue
        value = -phrase.value if negative else phrase.value
        if abs(int(value)) >= _MAX_VALUE:
            pos = end
            continue  # «۱۰۰۰ میلیارد میلیارد میلیارد …»: not a figure anyone reports
        kind = "mixed" if phrase.has_digits and phrase.has_words else "digits" if phrase.has_digits else "words"
        o_start, o_end = norm.to_original(start, end)
        out.append(
            NumberMention(
                (o_start, o_end),
                _as_number(value),
                norm.original[o_start:o_end],
                phrase.ordinal,
                kind,
                norm_span=(start, end),
            )
        )
        pos = end
    _link_ranges(t, out)
    return out


@functools.lru_cache(maxsize=1 << 16)
def _may_start(word: str) -> bool:
    return bool(
        word in lx.SMALL
        or word in lx.SCALES
        or word in lx.ORDINALS
        or word in (lx.HALF, lx.NEGATIVE)
        or lx.split_glued(word)
        or _counted_prefix(word)
    )


@functools.lru_cache(maxsize=1 << 16)
def _counted_prefix(word: str) -> str | None:
    """«پنج‌سال» → «پنج», «دوبرابری» → «دو»: a number word joined to the noun it counts."""
    if fold(word) in NUMBER_NAMES:
        return None
    for size in (6, 5, 4, 3, 2):
        head, rest = word[:size], word[size:].lstrip("\u200c")
        if head in lx.SMALL and len(rest) >= 2 and (rest in COUNTED or (rest.endswith("ی") and rest[:-1] in COUNTED)):
            return head
    return None


def parse_number(phrase: str) -> int | float:
    """The value of a text that is one number phrase as a whole («سه هزار و دویست», «٤٥,٦٧٨», «نه»).

    Raises ``ValueError`` when the text is not exactly one number.
    """
    norm = normalize(phrase.strip())
    got = _parse_at(norm.text, 0) if norm.text else None
    if got is None or got[1] != len(norm.text):
        raise ValueError(f"not a single number: {phrase!r}")
    _, _, ph, negative = got
    return _as_number(-ph.value if negative else ph.value)


def _parse_at(t: str, start: int) -> tuple[int, int, _Phrase, bool] | None:
    ph = _Phrase()
    pos = start
    end = start
    negative = False
    first = True
    while True:
        m = _NEXT.match(t, pos)
        if m is None:
            break
        if first and m.group("and"):
            return None
        if m.group("d") is not None:
            if m.group("and") and not (ph.last_scale or ph.group):
                break
            if sum(ch.isdigit() for ch in m.group("d")) > _MAX_DIGITS:
                return None
            if not ph.add_small(_digit_value(m.group("d")), from_digits=True):
                break
            ph.has_digits = True
        else:
            word = m.group("w")
            if first and word == lx.NEGATIVE:
                negative = True
                pos = m.end()
                first = False
                continue
            consumed = _consume_word(ph, word, bool(m.group("and")), first)
            if consumed is None:
                break
            ph.has_words = True
        pos = end = m.end()
        first = False
        if ph.ordinal:
            break
        nxt = _suffix_after(t, end, ph)
        if nxt is not None:
            end = pos = nxt
            if ph.ordinal:
                break
    if end == start or ph.parts == 0:
        return None
    return start, end, ph, negative


def _consume_word(ph: _Phrase, word: str, after_and: bool, first: bool) -> bool | None:
    parts = [word] if lx.word_value(word) is not None else lx.split_glued(word)
    if not parts:
        return None
    for i, part in enumerate(parts):
        kind, value = lx.word_value(part) or ("", 0)
        if kind == "small":
            if part == "صد" and ph.add_hundred():
                continue
            if not ph.add_small(value, from_digits=False):
                return None
        elif kind == "scale":
            if not ph.add_scale(int(value), after_and and i == 0):
                return None
        elif kind == "ordinal":
            if not ph.add_small(value, from_digits=False) and not (value >= 1000 and ph.add_scale(int(value))):
                return None
            ph.ordinal = True
            return True
        elif kind == "half":
            if not (first or after_and):
                return None
            ph.group += value
            ph.limit = 0
            ph.parts += 1
        else:
            return None
    return True


_ORD_SUFFIX = re.compile(r"[ \u200c]?(?:امین|ام)(?![" + PERSIAN_LETTERS + "])")
_POINT = re.compile(r"[ \u200c]+ممیز[ \u200c]+")
_FRACTION = re.compile(rf"[ \u200c]+(دهم|صدم|هزارم)(?!{_L})")
_HALF = re.compile(rf"[ \u200c]+و[ \u200c]+نیم(?!{_L})")


def _suffix_after(t: str, pos: int, ph: _Phrase) -> int | None:
    """Ordinal «‌ام», «ممیز» decimals, «دهم» fractions and «و نیم» right after a phrase."""
    m = _ORD_SUFFIX.match(t, pos)
    if m and (ph.has_words or t[pos : pos + 1] == "\u200c" or m.group().startswith("ام")):
        ph.ordinal = True
        return m.end()
    m = _HALF.match(t, pos)
    if m and ph.group.denominator == 1 and (ph.limit != 0 or (ph.has_digits and ph.group)):
        ph.group += Fraction(1, 2)  # «۱۹ و نیم»
        ph.limit = 0
        return m.end()
    m = _FRACTION.match(t, pos)
    if m and not ph.last_scale:
        ph.group = Fraction(ph.group) / lx.FRACTIONS[m.group(1)]
        return m.end()
    m = _POINT.match(t, pos)
    if m:
        return _decimals(t, m.end(), ph)
    return None


def _decimals(t: str, pos: int, ph: _Phrase) -> int | None:
    digits = ""
    end = pos
    while True:
        m = _NEXT_WORD.match(t, end)
        if m is None or m.group(1) not in lx.UNITS:
            break
        digits += str(lx.UNITS[m.group(1)])
        end = m.end()
    if not digits:
        return None
    ph.group += Fraction(int(digits), 10 ** len(digits))
    ph.limit = 0
    return end


def _accept(t: str, start: int, end: int, ph: _Phrase) -> bool:
    """Context checks for phrases that are words only."""
    if ph.has_digits:
        return True
    phrase = t[start:end]
    nxt = _NEXT_WORD.match(t, end)
    next_word = nxt.group(1) if nxt else ""
    if fold(phrase + next_word) in NUMBER_NAMES or fold(phrase) in NUMBER_NAMES:
        return False
    if phrase in ("نه", "ده"):
        return next_word in COUNTED or word_before(t, start) in QUALIFIERS
    return True


_RANGE_GAP = re.compile(r"[ \u200c]*(?:تا|الی|-|–)[ \u200c]*$")


def _link_ranges(t: str, nums: list[NumberMention]) -> None:
    for a, b in itertools.pairwise(nums):
        gap = t[a.norm_span[1] : b.norm_span[0]]
        if not _RANGE_GAP.fullmatch(gap) or a.ordinal or b.ordinal:
            continue
        a.range_role, a.range_other = "from", b.span
        b.range_role, b.range_other = "to", a.span
        scale = _trailing_scale(t[b.norm_span[0] : b.norm_span[1]])
        if scale and not _trailing_scale(t[a.norm_span[0] : a.norm_span[1]]):
            base = Fraction(b.value) / scale if b.value else Fraction(0)
            if 0 < a.value <= base:
                a.value = _as_number(Fraction(a.value) * scale)
                a.scale_carried = True


def _trailing_scale(phrase: str) -> int:
    """The scale a phrase ends with: «۳ هزار میلیارد» → 10^12 (consecutive scale words multiply)."""
    parts: list[str] = []
    for word in re.findall(_WORD, phrase):
        parts.extend(lx.split_glued(word) or [word])
    scale = 1
    for part in reversed(parts):
        if part not in lx.SCALES:
            break
        scale *= lx.SCALES[part]
    return scale if scale > 1 else 0
